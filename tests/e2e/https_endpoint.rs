//! The HTTPS path, the one every production user takes: real Terraform, the freshly built provider
//! and proton-local behind a TLS terminator on loopback, with a test certificate authority.
//!
//! The provider picks `http_client::trusting(bundle)` (the SDK's rustls connector with the platform's
//! root certificates, plus a CA bundle if one is configured) for an `https://` endpoint. Those roots
//! come from `rustls-native-certs` (loaded by http_client.rs once per process, as the SDK would),
//! which reads `SSL_CERT_FILE` / `SSL_CERT_DIR` instead of the system store when either is set. So the
//! system store is under the test's control: `SSL_CERT_FILE` in the environment of Terraform, hence of
//! the provider processes it starts, which is also how a user can trust a corporate CA without a
//! bundle. The variables are set on those child processes only, never in this test process.
//!
//! - trusted CA: apply, plan and destroy of a `proton_environment_template` succeed over HTTPS, with
//!   the endpoint from the provider block and from `AWS_ENDPOINT_URL_PROTON`;
//! - another CA: apply fails with a diagnostic that names the certificate problem, nothing is created;
//! - control: the client for plain-HTTP endpoints (`without_roots()`) refuses the same endpoint even
//!   with the CA in `SSL_CERT_FILE` of a provider process, so the successful apply above proves the
//!   provider did not use it for HTTPS (and an SDK client given the CA directly succeeds);
//! - a CA bundle, added to system roots that do not trust the CA: `custom_ca_bundle` in the provider
//!   block (another CA as the system store; and the other way round, which shows the system's roots
//!   are kept), `AWS_CA_BUNDLE` (an empty system store, which without the bundle fails with
//!   UnknownIssuer and no panic), and a profile's `ca_bundle`;
//! - a bad bundle (missing, not PEM, empty) from each of the three settings is a diagnostic naming the
//!   setting at plan time, with no TLS connection and no request reaching proton-local.
#![allow(deprecated)] // aws-sdk-proton marks every operation deprecated (Proton is closed).

use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use proton_test_support::{ProtonLocal, Terraform, Workspace, current_terraform, hcl_string};
use serde_json::Value;
use terraform_provider_proton::aws::http_client;
use tokio::net::TcpStream;

use crate::loopback_tls::{TestCa, TlsServer, trust_only, write_pem};

const ADDR: &str = "proton_environment_template.tls";

// ------------------------------------------------------------------------------------------------
// The TLS terminator
// ------------------------------------------------------------------------------------------------

/// One TLS handshake as the terminator saw it.
#[derive(Clone, Debug)]
enum Handshake {
    Done {
        sni: Option<String>,
        alpn: Option<String>,
    },
    Failed(String),
}

/// Accepts TLS on a loopback port and forwards the decrypted bytes to proton-local's TCP port, so
/// the HTTP version is whatever the client and proton-local agree on. proton-local serves
/// HTTP/1.1 and HTTP/2 with prior knowledge on the same port (hyper's auto builder), so both ALPN
/// protocols the SDK offers are advertised. Stops when dropped.
struct TlsTerminator {
    server: TlsServer,
    handshakes: Arc<Mutex<Vec<Handshake>>>,
}

impl TlsTerminator {
    fn start(ca: &TestCa, upstream: SocketAddr) -> TlsTerminator {
        let acceptor = ca.localhost_acceptor(&[b"h2", b"http/1.1"]);
        let handshakes = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&handshakes);
        let server = TlsServer::start(acceptor, move |accepted| {
            let seen = Arc::clone(&seen);
            async move {
                let mut tls = match accepted {
                    Ok(tls) => tls,
                    Err(error) => {
                        seen.lock().unwrap().push(Handshake::Failed(error));
                        return;
                    }
                };
                let session = tls.get_ref().1;
                seen.lock().unwrap().push(Handshake::Done {
                    sni: session.server_name().map(str::to_string),
                    alpn: session
                        .alpn_protocol()
                        .map(|p| String::from_utf8_lossy(p).into_owned()),
                });
                let Ok(mut upstream) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut upstream).await;
            }
        });
        TlsTerminator { server, handshakes }
    }

    /// `https://localhost:PORT`: the name the certificate is for, resolved to loopback.
    fn endpoint(&self) -> String {
        format!("https://localhost:{}", self.server.port())
    }

    fn handshakes(&self) -> Vec<Handshake> {
        self.handshakes.lock().unwrap().clone()
    }
}

/// proton-local behind a TLS terminator whose certificate the returned test CA issued.
fn proton_behind_tls() -> (ProtonLocal, TestCa, TlsTerminator) {
    let proton = ProtonLocal::start(&[]);
    let ca = TestCa::new("proton-test-ca");
    let terminator = TlsTerminator::start(&ca, proton.addr());
    (proton, ca, terminator)
}

// ------------------------------------------------------------------------------------------------
// Terraform
// ------------------------------------------------------------------------------------------------

/// A workspace whose provider processes have the certificates in `ca_file` as the system's roots
/// (an empty file: none), with no Proton endpoint in the environment (the provider block names it)
/// and no proxy for loopback.
fn workspace(tf: &Terraform, proton: &ProtonLocal, ca_file: &Path) -> Workspace {
    let mut ws = Workspace::new(tf, proton);
    ws.remove_env("AWS_ENDPOINT_URL_PROTON");
    trust_only(&mut ws, ca_file);
    ws
}

fn main_tf(endpoint: Option<&str>, description: &str) -> String {
    main_tf_with(endpoint, description, "")
}

/// `main_tf` with `provider_lines` added to the provider block.
fn main_tf_with(endpoint: Option<&str>, description: &str, provider_lines: &str) -> String {
    let endpoints = endpoint
        .map(|url| format!("  endpoints {{\n    proton = {}\n  }}\n", hcl_string(url)))
        .unwrap_or_default();
    format!(
        "provider \"proton\" {{\n  region = \"us-east-1\"\n{provider_lines}{endpoints}}}\n\n\
         resource \"proton_environment_template\" \"tls\" {{\n  name        = \"over-tls\"\n  \
         description = {}\n}}\n",
        hcl_string(description)
    )
}

fn completed(handshakes: &[Handshake]) -> Vec<(Option<String>, Option<String>)> {
    handshakes
        .iter()
        .filter_map(|h| match h {
            Handshake::Done { sni, alpn } => Some((sni.clone(), alpn.clone())),
            Handshake::Failed(_) => None,
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------------

#[test]
fn terraform_applies_over_https_when_the_ca_is_trusted() {
    let start = Instant::now();
    let tf = current_terraform();
    let (proton, ca, terminator) = proton_behind_tls();
    let ca_file = write_pem(proton.dir(), "test-ca.pem", &ca.pem());
    let mut ws = workspace(&tf, &proton, &ca_file);
    let endpoint = terminator.endpoint();

    // The endpoint in the provider block.
    ws.write_main(&main_tf(Some(&endpoint), "created over TLS"));
    ws.apply();
    assert_eq!(
        proton.environment_template_names(),
        vec!["over-tls".to_string()]
    );
    let attrs = ws.resource_attrs(ADDR);
    assert_eq!(
        attrs.get("description").and_then(Value::as_str),
        Some("created over TLS")
    );
    let after_apply = terminator.handshakes().len();
    assert!(
        after_apply > 0,
        "the apply did not go through the TLS terminator"
    );

    // The endpoint from AWS_ENDPOINT_URL_PROTON: the refresh and the update go over TLS too.
    ws.write_main(&main_tf(None, "updated over TLS"));
    ws.set_env("AWS_ENDPOINT_URL_PROTON", &endpoint);
    ws.apply();
    let remote = proton.aws(&["get-environment-template", "--name", "over-tls"]);
    assert_eq!(
        remote.pointer("/environmentTemplate/description"),
        Some(&Value::from("updated over TLS")),
        "{remote}"
    );
    ws.assert_plan_empty();
    let after_env = terminator.handshakes().len();
    assert!(
        after_env > after_apply,
        "the refresh and update with the endpoint from the environment did not use TLS"
    );

    ws.destroy();
    assert!(proton.environment_template_names().is_empty());

    let handshakes = terminator.handshakes();
    let done = completed(&handshakes);
    assert_eq!(
        done.len(),
        handshakes.len(),
        "a trusted CA, yet some handshakes failed: {handshakes:?}"
    );
    for (sni, alpn) in &done {
        assert_eq!(sni.as_deref(), Some("localhost"), "{handshakes:?}");
        assert!(
            matches!(alpn.as_deref(), Some("h2" | "http/1.1")),
            "{handshakes:?}"
        );
    }
    eprintln!(
        "{} TLS connections ({:?}); {:.1}s",
        done.len(),
        done.iter()
            .map(|(_, alpn)| alpn.clone().unwrap_or_default())
            .collect::<std::collections::BTreeSet<_>>(),
        start.elapsed().as_secs_f64()
    );
}

#[test]
fn an_untrusted_certificate_fails_with_a_certificate_diagnostic() {
    let start = Instant::now();
    let tf = current_terraform();
    let (proton, _ca, terminator) = proton_behind_tls();
    // The provider trusts a CA, just not the one that issued the endpoint's certificate.
    let other = TestCa::new("some-other-ca");
    let other_file = write_pem(proton.dir(), "other-ca.pem", &other.pem());
    let ws = workspace(&tf, &proton, &other_file);

    ws.write_main(&main_tf(Some(&terminator.endpoint()), "never created"));
    let error = ws.apply_err();
    eprintln!("what the user sees:\n{error}");
    assert!(
        error.contains("Error:") && error.contains("certificate"),
        "no certificate diagnostic:\n{error}"
    );
    assert!(
        error.contains("UnknownIssuer"),
        "the diagnostic does not say the issuer is unknown:\n{error}"
    );
    assert!(proton.environment_template_names().is_empty());

    // The provider, not the terminator, ended the handshake: it refused the issuer, once (a
    // refused certificate is not retried).
    let handshakes = terminator.handshakes();
    assert!(
        matches!(&handshakes[..], [Handshake::Failed(why)] if why.contains("UnknownCA")),
        "expected one handshake, refused by the client with UnknownCA: {handshakes:?}"
    );
    eprintln!(
        "{} refused handshakes; {:.1}s",
        handshakes.len(),
        start.elapsed().as_secs_f64()
    );
}

/// One ListEnvironmentTemplates through `client` at `endpoint`, no retries.
fn list_templates(
    client: aws_smithy_runtime_api::client::http::SharedHttpClient,
    endpoint: &str,
) -> Result<usize, String> {
    let config = aws_sdk_proton::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .http_client(client)
        .build();
    let proton = aws_sdk_proton::Client::from_conf(config);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        proton
            .list_environment_templates()
            .send()
            .await
            .map(|answer| answer.templates().len())
            .map_err(|error| DisplayErrorContext(&error).to_string())
    })
}

/// The control for the test above: the client the provider uses for plain HTTP trusts nothing, so
/// it cannot have been the one that succeeded over HTTPS; the same SDK stack given the CA succeeds,
/// so the terminator is sound. (No environment variable and no system root is read here.)
#[test]
fn the_client_for_plain_http_refuses_https_and_the_ca_alone_is_enough() {
    let (_proton, ca, terminator) = proton_behind_tls();
    let endpoint = terminator.endpoint();

    let refused = list_templates(http_client::without_roots().expect("client"), &endpoint)
        .expect_err("without_roots() must not complete a TLS handshake");
    assert!(
        refused.contains("UnknownIssuer"),
        "unexpected error: {refused}"
    );

    let trusting = TlsContext::builder()
        .with_trust_store(TrustStore::empty().with_pem_certificate(ca.pem().as_bytes()))
        .build()
        .expect("TLS context");
    let client = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(trusting)
        .build_https();
    assert_eq!(list_templates(client, &endpoint), Ok(0));

    let handshakes = terminator.handshakes();
    assert_eq!(handshakes.len(), 2, "{handshakes:?}");
    assert!(
        matches!(&handshakes[0], Handshake::Failed(why) if why.contains("UnknownCA")),
        "{handshakes:?}"
    );
    assert!(
        matches!(handshakes[1], Handshake::Done { .. }),
        "{handshakes:?}"
    );
}

// ------------------------------------------------------------------------------------------------
// CA bundles: custom_ca_bundle, AWS_CA_BUNDLE, a profile's ca_bundle
// ------------------------------------------------------------------------------------------------

/// A shared config file in the workspace whose `default` profile has `ca_bundle = path`.
fn profile_with_ca_bundle(ws: &mut Workspace, path: &Path) {
    let config = ws.dir().join("aws-config");
    fs::write(
        &config,
        format!("[default]\nca_bundle = {}\n", path.display()),
    )
    .expect("write the shared config");
    ws.set_env("AWS_CONFIG_FILE", &config.to_string_lossy());
}

/// Apply, an empty plan and destroy through the terminator; every handshake completed.
fn round_trip(ws: &Workspace, proton: &ProtonLocal, terminator: &TlsTerminator) {
    ws.apply();
    assert_eq!(
        proton.environment_template_names(),
        vec!["over-tls".to_string()]
    );
    ws.assert_plan_empty();
    ws.destroy();
    assert!(proton.environment_template_names().is_empty());
    let handshakes = terminator.handshakes();
    assert!(!handshakes.is_empty(), "nothing went through TLS");
    assert_eq!(
        completed(&handshakes).len(),
        handshakes.len(),
        "the bundle's CA is trusted, yet some handshakes failed: {handshakes:?}"
    );
}

/// The CA only in `custom_ca_bundle` (a path relative to the working directory, through
/// `path.root`), the system's roots being another CA's: the bundle is added to them. Then the other
/// way round: the CA in the system's roots, another in the bundle: the system's roots still count.
#[test]
fn custom_ca_bundle_adds_the_ca_to_roots_that_do_not_trust_it() {
    let start = Instant::now();
    let tf = current_terraform();
    let (proton, ca, terminator) = proton_behind_tls();
    let other = TestCa::new("some-other-ca");
    let system = write_pem(proton.dir(), "system-roots.pem", &other.pem());
    let mut ws = workspace(&tf, &proton, &system);
    write_pem(ws.dir(), "corporate-ca.pem", &ca.pem());

    ws.write_main(&main_tf_with(
        Some(&terminator.endpoint()),
        "trusted through custom_ca_bundle",
        "  custom_ca_bundle = \"${path.root}/corporate-ca.pem\"\n",
    ));
    round_trip(&ws, &proton, &terminator);

    let ca_file = write_pem(proton.dir(), "test-ca.pem", &ca.pem());
    ws.set_env("SSL_CERT_FILE", &ca_file.to_string_lossy());
    write_pem(ws.dir(), "corporate-ca.pem", &other.pem());
    round_trip(&ws, &proton, &terminator);
    eprintln!(
        "{} TLS connections; {:.1}s",
        terminator.handshakes().len(),
        start.elapsed().as_secs_f64()
    );
}

/// An empty system store: without a bundle the handshake is refused (UnknownIssuer, not a crash);
/// with the CA in `AWS_CA_BUNDLE` of Terraform's environment everything succeeds; a profile's
/// `ca_bundle` does the same.
#[test]
fn aws_ca_bundle_and_a_profiles_ca_bundle_are_trusted_with_an_empty_system_store() {
    let start = Instant::now();
    let tf = current_terraform();
    let (proton, ca, terminator) = proton_behind_tls();
    let no_system_roots = write_pem(proton.dir(), "no-roots.pem", "");
    let ca_file = write_pem(proton.dir(), "test-ca.pem", &ca.pem());
    let mut ws = workspace(&tf, &proton, &no_system_roots);
    ws.write_main(&main_tf(
        Some(&terminator.endpoint()),
        "trusted through a bundle",
    ));

    let error = ws.apply_err();
    assert!(
        error.contains("UnknownIssuer") && !error.contains("panic"),
        "with no root at all the handshake should be refused cleanly:\n{error}"
    );
    assert!(proton.environment_template_names().is_empty());
    let refused = terminator.handshakes().len();
    assert!(refused > 0);

    ws.set_env("AWS_CA_BUNDLE", &ca_file.to_string_lossy());
    ws.apply();
    assert_eq!(
        proton.environment_template_names(),
        vec!["over-tls".to_string()]
    );
    ws.destroy();
    assert!(proton.environment_template_names().is_empty());
    let after_env = terminator.handshakes();
    assert!(after_env.len() > refused);
    assert_eq!(
        completed(&after_env[refused..]).len(),
        after_env.len() - refused,
        "{after_env:?}"
    );

    ws.remove_env("AWS_CA_BUNDLE");
    profile_with_ca_bundle(&mut ws, &ca_file);
    ws.apply();
    assert_eq!(
        proton.environment_template_names(),
        vec!["over-tls".to_string()]
    );
    ws.destroy();
    assert!(proton.environment_template_names().is_empty());
    let after_profile = terminator.handshakes();
    assert!(after_profile.len() > after_env.len());
    assert_eq!(
        completed(&after_profile[after_env.len()..]).len(),
        after_profile.len() - after_env.len(),
        "{after_profile:?}"
    );
    eprintln!(
        "{} TLS connections; {:.1}s",
        after_profile.len(),
        start.elapsed().as_secs_f64()
    );
}

/// Asserts that `text` contains `expected`, wherever Terraform wrapped its lines: a diagnostic's
/// paragraphs are wrapped at 78 columns, so a long file path moves the breaks.
fn assert_mentions(text: &str, expected: &str) {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat(text).contains(&flat(expected)),
        "no {expected:?} in:\n{text}"
    );
}

/// A missing, a non-PEM and an empty bundle, named by each of the three settings: `terraform plan`
/// fails with a diagnostic that names the setting and the file, and nothing is called.
#[test]
fn a_bad_bundle_is_a_plan_time_diagnostic_before_any_call() {
    let tf = current_terraform();
    let (proton, ca, terminator) = proton_behind_tls();
    // The system's roots trust the endpoint: only the bad bundle can stop the plan.
    let system = write_pem(proton.dir(), "system-roots.pem", &ca.pem());
    let mut ws = workspace(&tf, &proton, &system);
    let endpoint = terminator.endpoint();
    let missing = proton.dir().join("missing-ca.pem");
    let not_pem = write_pem(proton.dir(), "ca.txt", "this is not a certificate\n");
    let empty = write_pem(proton.dir(), "empty-ca.pem", "");

    ws.write_main(&main_tf_with(
        Some(&endpoint),
        "never created",
        &format!(
            "  custom_ca_bundle = {}\n",
            hcl_string(&missing.to_string_lossy())
        ),
    ));
    let error = ws.plan_err();
    eprintln!("custom_ca_bundle, missing file:\n{error}");
    for expected in [
        "Invalid custom_ca_bundle",
        "custom_ca_bundle = ",
        missing.to_str().unwrap(),
        "cannot be read",
    ] {
        assert_mentions(&error, expected);
    }

    ws.write_main(&main_tf(Some(&endpoint), "never created"));
    ws.set_env("AWS_CA_BUNDLE", &not_pem.to_string_lossy());
    let error = ws.plan_err();
    eprintln!("AWS_CA_BUNDLE, not PEM:\n{error}");
    for expected in [
        "Invalid AWS_CA_BUNDLE",
        not_pem.to_str().unwrap(),
        "holds no PEM certificate",
    ] {
        assert_mentions(&error, expected);
    }

    ws.remove_env("AWS_CA_BUNDLE");
    profile_with_ca_bundle(&mut ws, &empty);
    let error = ws.plan_err();
    eprintln!("profile ca_bundle, empty file:\n{error}");
    for expected in [
        "Invalid ca_bundle in the AWS profile",
        "\"default\"",
        empty.to_str().unwrap(),
        "is empty",
    ] {
        assert_mentions(&error, expected);
    }

    assert!(
        terminator.handshakes().is_empty(),
        "a connection was made: {:?}",
        terminator.handshakes()
    );
    assert!(
        proton.requests().is_empty(),
        "proton-local was called:\n{}",
        proton.requests().join("\n")
    );
}
