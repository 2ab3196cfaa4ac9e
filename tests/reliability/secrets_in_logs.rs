//! Secrets stay out of logs, and the plugin listens only privately (issue 7, item 7), checked on a
//! real Terraform 1.15.5 run at TF_LOG=TRACE.
//!
//! Credentials (access key, secret, session token), spec contents and descriptions carry unique
//! markers. A full create / update / refresh / destroy cycle runs with every log Terraform and the
//! provider can write; no provider log line may contain a marker. While the apply waits on a
//! deployment, the provider process's sockets are inspected: it listens on one unix socket in a
//! directory only its user can enter, and on no TCP port. (Refusing clients without Terraform's
//! certificate, and the 127.0.0.1 fallback, are proven in tests/protocol/plugin_handshake.rs.)

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use proton_test_support::reliability::{
    Background, TERRAFORM_DEADLINE, descendants_named, read_lossy,
};
use proton_test_support::{
    ProtonLocal, Workspace, aws_env, combined_str, current_terraform, poll_until,
};

const ACCESS_KEY: &str = "AKIAMARKERACCESSKEY7";
const SECRET_KEY: &str = "secretMarkerSecretKey0123456789abcdefghij";
const SESSION_TOKEN: &str = "tokenMarkerSessionTokenFwoGZXIvYXdzE";
const ACCOUNT: &str = "000000000000";

/// Markers in configuration values: spec contents and descriptions, before and after an update.
const SPEC_1: &str = "specMarkerOne";
const SPEC_2: &str = "specMarkerTwo";
const DESCRIPTION_1: &str = "descriptionMarkerOne";
const DESCRIPTION_2: &str = "descriptionMarkerTwo";

fn config(spec: &str, description: &str) -> String {
    format!(
        r#"
provider "proton" {{
  region = "us-east-1"
}}

resource "proton_environment_template" "et" {{
  name         = "secret-et"
  description  = "{description} template"
  display_name = "{description} display"
}}

resource "proton_environment_template_version" "etv" {{
  template_name = proton_environment_template.et.name
  description   = "{description} version"
  status        = "PUBLISHED"
  source = {{
    s3 = {{
      bucket = "proton-bundles"
      key    = "vpc-environment.tar.gz"
    }}
  }}
}}

resource "proton_environment" "env" {{
  name                    = "secret-env"
  template_name           = proton_environment_template_version.etv.template_name
  template_major_version  = proton_environment_template_version.etv.major_version
  proton_service_role_arn = "arn:aws:iam::{ACCOUNT}:role/proton"
  description             = "{description} environment"
  spec                    = "proton: EnvironmentSpec\nspec:\n  password: {spec}\n"
}}

resource "proton_service_template" "st" {{
  name        = "secret-st"
  description = "{description} service template"
}}
"#
    )
}

fn markers() -> [&'static str; 7] {
    [
        ACCESS_KEY,
        SECRET_KEY,
        SESSION_TOKEN,
        SPEC_1,
        SPEC_2,
        DESCRIPTION_1,
        DESCRIPTION_2,
    ]
}

/// Lines of a Terraform log written by the provider (Terraform prefixes them with the plugin's name).
fn provider_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| {
            l.contains("provider.terraform-provider-proton") || l.contains("@module=proton")
        })
        .collect()
}

fn leaks<'a>(lines: &[&'a str]) -> Vec<(&'static str, &'a str)> {
    let mut found = Vec::new();
    for line in lines {
        for marker in markers() {
            if line.contains(marker) {
                found.push((marker, *line));
            }
        }
    }
    found
}

// ------------------------------------------------------------------------------------------------
// The provider's sockets, from /proc
// ------------------------------------------------------------------------------------------------

/// Socket inodes the process holds.
fn socket_inodes(pid: u32) -> BTreeSet<u64> {
    let mut inodes = BTreeSet::new();
    let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return inodes;
    };
    for entry in entries.flatten() {
        if let Ok(target) = fs::read_link(entry.path()) {
            let target = target.to_string_lossy();
            if let Some(inode) = target
                .strip_prefix("socket:[")
                .and_then(|s| s.strip_suffix(']'))
                .and_then(|s| s.parse().ok())
            {
                inodes.insert(inode);
            }
        }
    }
    inodes
}

/// Listening TCP sockets (local address in /proc's hex form) among `inodes`.
fn tcp_listeners(pid: u32, inodes: &BTreeSet<u64>) -> Vec<String> {
    let mut found = Vec::new();
    for table in ["tcp", "tcp6"] {
        let text = read_lossy(Path::new(&format!("/proc/{pid}/net/{table}")));
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode
            if fields.len() > 9
                && fields[3] == "0A"
                && fields[9].parse::<u64>().is_ok_and(|i| inodes.contains(&i))
            {
                found.push(format!("{table} {}", fields[1]));
            }
        }
    }
    found
}

/// Paths of listening unix sockets among `inodes`.
fn unix_listeners(pid: u32, inodes: &BTreeSet<u64>) -> Vec<String> {
    let text = read_lossy(Path::new(&format!("/proc/{pid}/net/unix")));
    let mut found = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        // Num RefCount Protocol Flags Type St Inode Path; flags 00010000 = listening.
        if fields.len() > 7
            && fields[3] == "00010000"
            && fields[6].parse::<u64>().is_ok_and(|i| inodes.contains(&i))
        {
            found.push(fields[7].to_string());
        }
    }
    found
}

#[test]
fn no_secret_reaches_the_logs_and_the_plugin_listens_privately() {
    let tf = current_terraform();
    let account = format!("{ACCESS_KEY}:{SECRET_KEY}:{ACCOUNT}");
    // Deployments take a moment, so the provider is alive long enough to look at its sockets.
    let proton = ProtonLocal::start(&["--account", &account, "--deploy-seconds", "2"]);
    let mut env = aws_env(proton.endpoint());
    for (key, value) in [
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY),
        ("AWS_SECRET_ACCESS_KEY", SECRET_KEY),
        ("AWS_SESSION_TOKEN", SESSION_TOKEN),
    ] {
        env.retain(|(k, _)| k != key);
        env.push((key.to_string(), value.to_string()));
    }
    let mut ws = Workspace::with_env(&tf, env.clone());
    ws.set_timeout(TERRAFORM_DEADLINE);
    ws.write_main(&config(SPEC_1, DESCRIPTION_1));

    let log_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let log_for = |step: &str| log_dir.path().join(format!("{step}.log"));

    // Create, in the background, to look at the provider while it waits on the deployment.
    let create_log = log_for("create");
    let create_log_text = create_log.to_string_lossy().into_owned();
    let apply = Background::start(
        &ws,
        &env,
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("TF_LOG", "TRACE"), ("TF_LOG_PATH", &create_log_text)],
    );
    // Terraform starts the provider several times (validate, plan, apply): look at whichever runs,
    // reading its sockets and their directory together (a finishing one removes its directory).
    let (provider, unix, tcp, meta) =
        poll_until("a provider listening", Duration::from_secs(60), || {
            descendants_named(apply.pid, "terraform-provider-proton")
                .into_iter()
                .find_map(|pid| {
                    let inodes = socket_inodes(pid);
                    let unix = unix_listeners(pid, &inodes);
                    let dir = Path::new(unix.first()?).parent()?.to_path_buf();
                    let meta = fs::metadata(&dir).ok()?;
                    Some((pid, unix, tcp_listeners(pid, &inodes), meta))
                })
        });
    assert!(tcp.is_empty(), "the provider listens on TCP: {tcp:?}");
    assert_eq!(unix.len(), 1, "one unix socket: {unix:?}");
    assert_eq!(
        meta.permissions().mode() & 0o077,
        0,
        "{}: only its owner may enter the socket's directory",
        unix[0]
    );
    let provider_uid = fs::metadata(format!("/proc/{provider}"))
        .map(|m| m.uid())
        .unwrap_or(meta.uid());
    assert_eq!(
        meta.uid(),
        provider_uid,
        "the directory belongs to the provider's user"
    );
    let created = apply.wait(TERRAFORM_DEADLINE);
    assert!(
        created.status.success(),
        "create: {}",
        combined_str(&created)
    );

    // Update (new spec and descriptions), refresh, destroy: each with its own trace log.
    ws.set_env("TF_LOG", "TRACE");
    for (step, args, body) in [
        (
            "update",
            &["apply", "-auto-approve", "-input=false", "-no-color"][..],
            Some(config(SPEC_2, DESCRIPTION_2)),
        ),
        ("refresh", &["plan", "-input=false", "-no-color"][..], None),
        (
            "destroy",
            &["destroy", "-auto-approve", "-input=false", "-no-color"][..],
            None,
        ),
    ] {
        if let Some(body) = body {
            ws.write_main(&body);
        }
        ws.set_env("TF_LOG_PATH", &log_for(step).to_string_lossy());
        let output = ws.run(args);
        assert!(output.status.success(), "{step}: {}", combined_str(&output));
    }

    let mut total = 0;
    let mut provider_total = 0;
    let mut core_mentions = Vec::new();
    for step in ["create", "update", "refresh", "destroy"] {
        let log = read_lossy(&log_for(step));
        assert!(
            log.contains("[TRACE]"),
            "{step}: Terraform wrote no trace log"
        );
        let lines = provider_lines(&log);
        assert!(
            lines
                .iter()
                .any(|l| l.contains("[TRACE]") || l.contains("[DEBUG]")),
            "{step}: the provider logged nothing below INFO: is TF_LOG reaching it?"
        );
        total += log.lines().count();
        provider_total += lines.len();
        let leaked = leaks(&lines);
        assert!(
            leaked.is_empty(),
            "{step}: the provider logged secrets:\n{}",
            leaked
                .iter()
                .map(|(m, l)| format!("{m}: {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        // Terraform's own lines are Terraform's business; note what it logs, fail only on credentials
        // (which only ever reach the provider's environment).
        let all: Vec<&str> = log.lines().collect();
        for (marker, line) in leaks(&all) {
            assert!(
                ![ACCESS_KEY, SECRET_KEY, SESSION_TOKEN].contains(&marker),
                "{step}: a credential in Terraform's log: {line}"
            );
            core_mentions.push(marker);
        }
    }
    core_mentions.sort();
    core_mentions.dedup();
    eprintln!(
        "{total} log lines, {provider_total} from the provider, no marker among them; \
         markers Terraform itself logged: {core_mentions:?}"
    );
}
