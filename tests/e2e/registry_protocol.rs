//! The release as a user's `terraform init` gets it from a registry: `scripts/package.py --sign
//! --check` packages the debug build and signs its SHA256SUMS with a throw-away RSA key, and a loopback
//! HTTPS server speaks the provider registry protocol over it (service discovery, versions, download
//! with the sums, their signature and the public key), with a test CA trusted through `SSL_CERT_FILE`.
//! The source address `localhost:PORT/proton-community/proton` makes Terraform discover the registry
//! at that port (a registry host may carry a port), so no name resolution beyond loopback is needed.
//!
//! - the signed release installs (Terraform names the key it checked) and applies against proton-local;
//! - Terraform refuses an archive that is not the one the sums list, a signature that was altered,
//!   and sums rewritten to match a swapped archive, and installs nothing.
//! - an ed25519 key: package.py's check refuses the signature, and so does Terraform 1.0.3.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::TokioIo;
use proton_test_support::{ProtonLocal, Terraform, Workspace, combined_str, hcl_string, repo_root};
use serde_json::json;

use crate::loopback_tls::{TestCa, TlsServer, trust_only, write_pem};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const NAMESPACE: &str = "proton-community";
const TYPE: &str = "proton";
const PREFIX: &str = "terraform-provider-proton";

// ------------------------------------------------------------------------------------------------
// The signed release
// ------------------------------------------------------------------------------------------------

/// A GnuPG home of its own, whose agent is stopped when dropped.
struct Keyring {
    home: PathBuf,
}

impl Keyring {
    fn new(home: PathBuf) -> Keyring {
        fs::create_dir_all(&home).expect("mkdir gnupg home");
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&home, fs::Permissions::from_mode(0o700)).expect("chmod gnupg home");
        Keyring { home }
    }

    fn gpg(&self, args: &[&str]) -> Output {
        let output = Command::new("gpg")
            .args(["--batch", "--no-tty", "--homedir"])
            .arg(&self.home)
            .args(args)
            .output()
            .expect("gpg runs (scripts/install-tools.sh installs gnupg)");
        assert!(
            output.status.success(),
            "gpg {args:?}: {}",
            combined_str(&output)
        );
        output
    }

    /// A new signing key (`rsa2048`, `ed25519`) without passphrase; its fingerprint.
    fn generate(&self, algorithm: &str) -> String {
        self.gpg(&[
            "--passphrase",
            "",
            "--quick-gen-key",
            "Proton Release Test <release-test@example.invalid>",
            algorithm,
            "sign",
            "never",
        ]);
        let listed = String::from_utf8_lossy(&self.gpg(&["--with-colons", "--list-keys"]).stdout)
            .into_owned();
        listed
            .lines()
            .find_map(|line| line.strip_prefix("fpr:"))
            .and_then(|rest| rest.split(':').find(|field| !field.is_empty()))
            .expect("fingerprint listed")
            .to_string()
    }

    fn export_public(&self, fingerprint: &str) -> String {
        String::from_utf8(self.gpg(&["--armor", "--export", fingerprint]).stdout)
            .expect("armored key is text")
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(&self.home)
            .args(["--kill", "all"])
            .output();
    }
}

/// What package.py wrote and the key that signed it.
struct Release {
    files: BTreeMap<String, Vec<u8>>,
    public_key: String,
    key_id: String,
    /// The platform (`linux_amd64`) of the one archive: the host's.
    platform: String,
    _keyring: Keyring,
}

impl Release {
    fn zip_name(&self) -> String {
        format!("{PREFIX}_{VERSION}_{}.zip", self.platform)
    }
}

fn sums_name() -> String {
    format!("{PREFIX}_{VERSION}_SHA256SUMS")
}

fn sig_name() -> String {
    format!("{PREFIX}_{VERSION}_SHA256SUMS.sig")
}

/// Packages the debug build into `scratch/dist`, signed with a new `algorithm` key, checked by
/// package.py: an RSA signature passes, any other is refused by the check (after signing).
fn signed_release(scratch: &Path, algorithm: &str) -> Release {
    let keyring = Keyring::new(scratch.join("gnupg"));
    let fingerprint = keyring.generate(algorithm);
    let dist = scratch.join("dist");
    let output = Command::new("python3")
        .arg(repo_root().join("scripts/package.py"))
        .args([
            "--profile",
            "debug",
            "--skip-build",
            "--sign",
            "--check",
            "--out",
        ])
        .arg(&dist)
        .env("GNUPGHOME", &keyring.home)
        .env("GPG_FINGERPRINT", &fingerprint)
        .env_remove("GPG_PRIVATE_KEY")
        .env_remove("PASSPHRASE")
        .output()
        .expect("python3 runs");
    let log = combined_str(&output);
    if algorithm.starts_with("rsa") {
        assert!(output.status.success(), "package.py failed: {log}");
        assert!(log.contains("release checked"), "{log}");
    } else {
        assert!(
            !output.status.success(),
            "package.py accepted {algorithm}: {log}"
        );
        assert!(
            log.contains("not RSA (Terraform 1.0.3 refuses it)"),
            "{log}"
        );
    }

    let mut files = BTreeMap::new();
    for entry in fs::read_dir(&dist).expect("dist listed") {
        let path = entry.expect("dist entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files.insert(name, fs::read(&path).expect("read dist file"));
    }
    let zips: Vec<&String> = files.keys().filter(|n| n.ends_with(".zip")).collect();
    assert_eq!(zips.len(), 1, "one host archive: {zips:?}");
    let platform = zips[0]
        .strip_prefix(&format!("{PREFIX}_{VERSION}_"))
        .and_then(|rest| rest.strip_suffix(".zip"))
        .expect("archive named by platform")
        .to_string();
    for name in [
        sums_name(),
        sig_name(),
        format!("{PREFIX}_{VERSION}_manifest.json"),
    ] {
        assert!(files.contains_key(&name), "{name} in {:?}", files.keys());
    }
    let sums = String::from_utf8_lossy(&files[&sums_name()]).into_owned();
    assert!(
        sums.contains(&format!("_{VERSION}_manifest.json")),
        "the manifest is summed: {sums}"
    );
    Release {
        public_key: keyring.export_public(&fingerprint),
        key_id: fingerprint[fingerprint.len() - 16..].to_string(),
        files,
        platform,
        _keyring: keyring,
    }
}

/// The sum SHA256SUMS lists for `name`: what the Registry's download answer carries as `shasum`.
fn listed_sum(sums: &[u8], name: &str) -> String {
    String::from_utf8_lossy(sums)
        .lines()
        .find_map(|line| line.strip_suffix(&format!("  {name}")))
        .unwrap_or_else(|| panic!("{name} not in SHA256SUMS"))
        .to_string()
}

// ------------------------------------------------------------------------------------------------
// The registry
// ------------------------------------------------------------------------------------------------

/// What the registry serves; the files can be swapped between `terraform init`s.
struct Served {
    origin: String,
    files: BTreeMap<String, Vec<u8>>,
    public_key: String,
    key_id: String,
    platform: String,
    requests: Vec<String>,
}

impl Served {
    /// Status, content type and body for a GET of `path`.
    fn answer(&mut self, path: &str) -> (StatusCode, &'static str, Vec<u8>) {
        self.requests.push(path.to_string());
        let base = format!("/v1/providers/{NAMESPACE}/{TYPE}/");
        let (os, arch) = self.platform.split_once('_').expect("os_arch");
        // Terraform's service discovery insists on the JSON content type.
        let json = |value: serde_json::Value| {
            (
                StatusCode::OK,
                "application/json",
                value.to_string().into_bytes(),
            )
        };
        let not_found = (StatusCode::NOT_FOUND, "text/plain", Vec::new());
        if path == "/.well-known/terraform.json" {
            return json(json!({ "providers.v1": "/v1/providers/" }));
        }
        if let Some(name) = path.strip_prefix("/files/") {
            return match self.files.get(name) {
                Some(bytes) => (StatusCode::OK, "application/octet-stream", bytes.clone()),
                None => not_found,
            };
        }
        let Some(rest) = path.strip_prefix(&base) else {
            return not_found;
        };
        if rest == "versions" {
            return json(json!({ "versions": [{
                "version": VERSION,
                "protocols": ["6.0"],
                "platforms": [{ "os": os, "arch": arch }],
            }]}));
        }
        if rest == format!("{VERSION}/download/{os}/{arch}") {
            let filename = format!("{PREFIX}_{VERSION}_{}.zip", self.platform);
            let file_url = |name: &str| format!("{}/files/{name}", self.origin);
            return json(json!({
                "protocols": ["6.0"],
                "os": os,
                "arch": arch,
                "filename": filename,
                "download_url": file_url(&filename),
                "shasums_url": file_url(&sums_name()),
                "shasums_signature_url": file_url(&sig_name()),
                "shasum": listed_sum(&self.files[&sums_name()], &filename),
                "signing_keys": { "gpg_public_keys": [{
                    "key_id": self.key_id,
                    "ascii_armor": self.public_key,
                }]},
            }));
        }
        not_found
    }
}

/// The provider registry protocol over HTTPS on a loopback port. Stops when dropped.
struct Registry {
    server: TlsServer,
    served: Arc<Mutex<Served>>,
}

impl Registry {
    fn start(ca: &TestCa, release: &Release) -> Registry {
        // HTTP/1.1 only: the hyper server below speaks nothing else.
        let acceptor = ca.localhost_acceptor(&[b"http/1.1"]);
        let served = Arc::new(Mutex::new(Served {
            origin: String::new(),
            files: release.files.clone(),
            public_key: release.public_key.clone(),
            key_id: release.key_id.clone(),
            platform: release.platform.clone(),
            requests: Vec::new(),
        }));
        let shared = Arc::clone(&served);
        let server = TlsServer::start(acceptor, move |accepted| {
            let served = Arc::clone(&shared);
            async move {
                let Ok(tls) = accepted else { return };
                let service = service_fn(move |request: hyper::Request<_>| {
                    let (status, content_type, body) =
                        served.lock().unwrap().answer(request.uri().path());
                    let mut response = Response::new(Full::new(Bytes::from(body)));
                    *response.status_mut() = status;
                    response.headers_mut().insert(
                        hyper::header::CONTENT_TYPE,
                        hyper::header::HeaderValue::from_static(content_type),
                    );
                    async move { Ok::<_, Infallible>(response) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            }
        });
        served.lock().unwrap().origin = format!("https://localhost:{}", server.port());
        Registry { server, served }
    }

    /// The registry host in a provider source address.
    fn host(&self) -> String {
        format!("localhost:{}", self.server.port())
    }

    fn replace(&self, name: &str, bytes: Vec<u8>) {
        self.served
            .lock()
            .unwrap()
            .files
            .insert(name.to_string(), bytes);
    }

    fn take_requests(&self) -> Vec<String> {
        std::mem::take(&mut self.served.lock().unwrap().requests)
    }
}

// ------------------------------------------------------------------------------------------------
// Terraform
// ------------------------------------------------------------------------------------------------

/// A workspace that installs providers from their registries only (no dev_overrides, no mirror), trusts
/// the test CA alone, and requires the provider from `registry`.
fn registry_workspace(
    tf: &Terraform,
    proton: &ProtonLocal,
    registry: &Registry,
    ca_file: &Path,
    name: &str,
) -> Workspace {
    let mut ws = Workspace::new(tf, proton);
    let cli_config = ws.dir().join("registry.tfrc");
    fs::write(&cli_config, "provider_installation {\n  direct {}\n}\n").expect("cli config");
    ws.set_env("TF_CLI_CONFIG_FILE", &cli_config.to_string_lossy());
    trust_only(&mut ws, ca_file);
    ws.write(
        "main.tf",
        &format!(
            "terraform {{\n  required_providers {{\n    proton = {{\n      source  = {}\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\n\
             provider \"proton\" {{}}\n\n\
             resource \"proton_environment_template\" \"t\" {{\n  name = {}\n}}\n\n\
             output \"arn\" {{\n  value = proton_environment_template.t.arn\n}}\n",
            hcl_string(&format!("{}/{NAMESPACE}/{TYPE}", registry.host())),
            hcl_string(name),
        ),
    );
    ws
}

/// `terraform init` from nothing: no lock file, no installed providers.
fn init_afresh(ws: &Workspace) -> Output {
    let _ = fs::remove_dir_all(ws.dir().join(".terraform"));
    let _ = fs::remove_file(ws.dir().join(".terraform.lock.hcl"));
    ws.run(&["init", "-input=false", "-no-color"])
}

/// Terraform wraps its diagnostics at 78 columns: compare with runs of whitespace as one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `terraform init` fails, saying `expected`, and installs no provider.
fn assert_refused(ws: &Workspace, what: &str, expected: &[&str]) {
    let output = init_afresh(ws);
    let text = one_line(&combined_str(&output));
    assert!(!output.status.success(), "{what}: init succeeded: {text}");
    eprintln!("{what}: {text}");
    for needle in expected {
        assert!(text.contains(needle), "{what}: no {needle:?} in: {text}");
    }
    let installed = ws.dir().join(".terraform/providers");
    let binaries: Vec<PathBuf> = walk(&installed)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(PREFIX))
        })
        .collect();
    assert!(binaries.is_empty(), "{what}: installed {binaries:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                walk(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

fn installs_from_a_registry_and_refuses_tampering(tf: &Terraform) {
    let scratch = tempfile::tempdir().expect("tempdir");
    let release = signed_release(scratch.path(), "rsa2048");
    let ca = TestCa::new("registry-test-ca");
    let ca_file = write_pem(scratch.path(), "registry-ca.pem", &ca.pem());
    let registry = Registry::start(&ca, &release);
    let proton = ProtonLocal::start(&[]);
    let name = format!("registry-{}", tf.version_string.replace('.', "-"));
    let ws = registry_workspace(tf, &proton, &registry, &ca_file, &name);
    let source = format!("{}/{NAMESPACE}/{TYPE}", registry.host());

    // The signed release installs, and Terraform says which key it checked.
    let init = init_afresh(&ws);
    let text = one_line(&combined_str(&init));
    assert!(init.status.success(), "init failed: {text}");
    assert!(
        text.contains(&format!(
            "Installed {source} v{VERSION} (self-signed, key ID {})",
            release.key_id
        )),
        "{text}"
    );
    let requests = registry.take_requests();
    let zip = release.zip_name();
    for path in [
        "/.well-known/terraform.json".to_string(),
        format!("/v1/providers/{NAMESPACE}/{TYPE}/versions"),
        format!(
            "/v1/providers/{NAMESPACE}/{TYPE}/{VERSION}/download/{}",
            release.platform.replace('_', "/")
        ),
        format!("/files/{}", sums_name()),
        format!("/files/{}", sig_name()),
        format!("/files/{zip}"),
    ] {
        assert!(
            requests.contains(&path),
            "{path} not requested: {requests:?}"
        );
    }
    // The lock file records the signed sum of the archive.
    let lock = fs::read_to_string(ws.dir().join(".terraform.lock.hcl")).expect("lock file");
    let sum = listed_sum(&release.files[&sums_name()], &zip);
    assert!(lock.contains(&format!("\"zh:{sum}\"")), "{lock}");

    ws.apply();
    assert_eq!(
        ws.outputs()["arn"]["value"],
        format!("arn:aws:proton:us-east-1:000000000000:environment-template/{name}")
    );
    ws.destroy();

    // An archive that is not the one the signed sums list.
    let original_zip = release.files[&zip].clone();
    let mut swapped = original_zip.clone();
    swapped.extend_from_slice(b"tampered");
    registry.replace(&zip, swapped.clone());
    assert_refused(
        &ws,
        "swapped archive",
        &[
            "Failed to install provider",
            &format!(
                "archive has incorrect checksum zh:{} (expected zh:{sum})",
                sha256_hex(&swapped)
            ),
        ],
    );
    registry.replace(&zip, original_zip);

    // A signature altered in its last bytes (the RSA value).
    let original_sig = release.files[&sig_name()].clone();
    let mut altered = original_sig.clone();
    let last = altered.len() - 8;
    altered[last] ^= 0xff;
    registry.replace(&sig_name(), altered);
    assert_refused(
        &ws,
        "altered signature",
        &[
            "Failed to install provider",
            "error checking signature: openpgp: invalid signature",
        ],
    );
    registry.replace(&sig_name(), original_sig);

    // Sums rewritten to match a swapped archive, under the original signature.
    let sums = String::from_utf8_lossy(&release.files[&sums_name()]).replace(
        &listed_sum(&release.files[&sums_name()], &zip),
        &sha256_hex(&swapped),
    );
    registry.replace(&zip, swapped);
    registry.replace(&sums_name(), sums.into_bytes());
    assert_refused(
        &ws,
        "rewritten sums",
        &[
            "Failed to install provider",
            "error checking signature: openpgp: invalid signature",
        ],
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

proton_test_support::terraform_tests!(installs_from_a_registry_and_refuses_tampering);

/// Why package.py insists on RSA: Terraform 1.0.3 cannot check an ed25519 signature and refuses the
/// release (1.15 would accept it).
#[test]
fn an_ed25519_signature_is_refused_by_the_check_and_by_terraform_1_0_3() {
    proton_test_support::with_terraform(proton_test_support::TERRAFORM_OLD, |tf| {
        let scratch = tempfile::tempdir().expect("tempdir");
        let release = signed_release(scratch.path(), "ed25519");
        let ca = TestCa::new("registry-test-ca");
        let ca_file = write_pem(scratch.path(), "registry-ca.pem", &ca.pem());
        let registry = Registry::start(&ca, &release);
        let proton = ProtonLocal::start(&[]);
        let ws = registry_workspace(tf, &proton, &registry, &ca_file, "never-created");
        assert_refused(
            &ws,
            "ed25519 signature",
            &[
                "Failed to install provider",
                "error decoding signing key: openpgp: unsupported feature: public key type: 22",
            ],
        );
    });
}
