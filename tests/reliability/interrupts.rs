//! Interruptions mid-apply (issue 7, items 2-4), with real Terraform and proton-local:
//!
//! - the provider process SIGKILLed while creates wait on a deployment and a registration: Terraform
//!   fails; the re-run adopts the objects the killed provider made (no duplicate, no "already
//!   exists") and converges;
//! - Ctrl-C (SIGINT to Terraform's process group, as a terminal sends it) during a deployment: the
//!   provider ends its wait within 2 s of StopProvider, the environment is in state and tainted, and
//!   the next apply converges;
//! - proton-local killed -9 mid-apply and restarted on the same port with the same `--state`: every
//!   object Terraform recorded still exists, and the apply (or its one re-run) converges with exactly
//!   the declared objects.
//!
//! Deployments last seconds, not minutes (`--deploy-seconds`), to keep the suite short; what is
//! proven does not depend on their length.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proton_test_support::reliability::{
    Background, TERRAFORM_DEADLINE, descendants_named, field_values, kill, read_lossy,
};
use proton_test_support::{
    AwsCli, ProtonLocal, Terraform, Workspace, combined_str, current_terraform, poll_until,
};
use serde_json::Value;

const CONNECTION: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/kill";

const PROVIDER: &str = "provider \"proton\" {\n  region = \"us-east-1\"\n}\n";

/// Two environment templates, the first with a published version 1.0.
const TEMPLATES: &str = r#"
resource "proton_environment_template" "base" {
  name = "base"
}

resource "proton_environment_template_version" "base" {
  template_name = proton_environment_template.base.name
  status        = "PUBLISHED"
  source = {
    s3 = {
      bucket = "proton-bundles"
      key    = "vpc-environment.tar.gz"
    }
  }
}

resource "proton_environment_template" "second" {
  name = "second"
}
"#;

/// An environment deployed from the published template, and a version of the second template
/// (registration): both wait on proton-local's clock.
const WAITING: &str = r#"
resource "proton_environment" "env" {
  name                    = "env"
  template_name           = proton_environment_template_version.base.template_name
  template_major_version  = proton_environment_template_version.base.major_version
  proton_service_role_arn = "arn:aws:iam::000000000000:role/proton-service"
  spec                    = "proton: EnvironmentSpec\nspec:\n  size: 1\n"
}

resource "proton_environment_template_version" "second" {
  template_name = proton_environment_template.second.name
  description   = "registers slowly"
  source = {
    s3 = {
      bucket = "proton-bundles"
      key    = "vpc-environment.tar.gz"
    }
  }
}
"#;

/// proton-local on `state`, with deployments lasting `deploy` seconds.
fn proton_on(state: &str, deploy: &str) -> ProtonLocal {
    ProtonLocal::start(&["--state", state, "--deploy-seconds", deploy])
}

/// Whether proton-local has answered `op` successfully.
fn answered(proton: &ProtonLocal, op: &str) -> bool {
    proton
        .requests()
        .iter()
        .any(|l| l.contains(&format!("op=\"{op}\"")) && l.contains("status=200"))
}

/// The templates, applied while deployments are instant, on a state file for the slow phase.
fn workspace_with_templates(tf: &Terraform, state: &str) -> Workspace {
    let fast = proton_on(state, "0");
    let ws = Workspace::new(tf, &fast);
    ws.write_main(&format!("{PROVIDER}{TEMPLATES}"));
    ws.apply();
    ws
}

fn seconds_since_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_else(|e| panic!("clock before 1970: {e}"))
        .as_secs_f64()
}

/// Environment `env` was still deploying at `instant` (seconds since the epoch). Its deployment may
/// have finished since, while Terraform wound down and the AWS CLI started (seconds on a loaded
/// machine); proton-local dates a success at the deployment's deadline, which must come after.
fn assert_deploying_at(proton: &ProtonLocal, instant: f64, what: &str) {
    let answer = AwsCli::retrying(proton.endpoint()).json(&["get-environment", "--name", "env"]);
    let environment = &answer["environment"];
    let deploying = match environment["deploymentStatus"].as_str() {
        Some("IN_PROGRESS") => true,
        Some("SUCCEEDED") => environment["lastDeploymentSucceededAt"]
            .as_f64()
            .is_some_and(|succeeded_at| succeeded_at > instant),
        _ => false,
    };
    assert!(
        deploying,
        "{what} (at {instant}) came while the deployment ran: {environment}"
    );
}

fn is_tainted(ws: &Workspace, address: &str) -> bool {
    ws.resource(address)
        .and_then(|r| r.get("tainted").and_then(Value::as_bool))
        .unwrap_or(false)
}

// ------------------------------------------------------------------------------------------------
// Item 2: the provider is killed
// ------------------------------------------------------------------------------------------------

fn provider_killed_mid_create_then_rerun_adopts(tf: &Terraform) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let state = dir
        .path()
        .join("proton.json")
        .to_string_lossy()
        .into_owned();
    let mut ws = workspace_with_templates(tf, &state);
    let proton = proton_on(&state, "8");
    ws.set_env("AWS_ENDPOINT_URL_PROTON", proton.endpoint());
    ws.write_main(&format!("{PROVIDER}{TEMPLATES}{WAITING}"));

    let apply = Background::start(
        &ws,
        &proton.env(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[],
    );
    // Both creates made and now waiting: the environment deploys, the version registers.
    poll_until(
        "both creates to be answered",
        Duration::from_secs(60),
        || {
            (answered(&proton, "CreateEnvironment")
                && answered(&proton, "CreateEnvironmentTemplateVersion"))
            .then_some(())
        },
    );
    let providers = descendants_named(apply.pid, "terraform-provider-proton");
    assert_eq!(
        providers.len(),
        1,
        "{tf}: one provider process: {providers:?}"
    );
    let killed_at = seconds_since_epoch();
    kill(providers[0], "KILL");
    let killed = apply.wait(TERRAFORM_DEADLINE);
    let text = combined_str(&killed);
    assert!(
        !killed.status.success(),
        "{tf}: the apply must fail:\n{text}"
    );
    assert_deploying_at(&proton, killed_at, &format!("{tf}: the kill"));

    // The re-run repeats both creates with the same arguments: Proton's idempotent create returns
    // the environment, the client token the version; both waits then finish.
    let rerun = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let rerun_text = combined_str(&rerun);
    assert!(
        rerun.status.success(),
        "{tf}: the re-run converges:\n{rerun_text}"
    );
    assert!(
        !rerun_text.to_ascii_lowercase().contains("already exists"),
        "{tf}: {rerun_text}"
    );
    ws.assert_plan_empty();
    let environments = AwsCli::retrying(proton.endpoint()).json(&["list-environments"]);
    assert_eq!(
        field_values(&environments, "environments", "name"),
        ["env"],
        "{tf}: one environment"
    );
    let versions = AwsCli::retrying(proton.endpoint()).json(&[
        "list-environment-template-versions",
        "--template-name",
        "second",
    ]);
    assert_eq!(
        field_values(&versions, "templateVersions", "minorVersion"),
        ["0"],
        "{tf}: one version of the second template, no duplicate"
    );
}

proton_test_support::terraform_tests!(provider_killed_mid_create_then_rerun_adopts);

// ------------------------------------------------------------------------------------------------
// Item 3: Ctrl-C
// ------------------------------------------------------------------------------------------------

/// The timestamp at the start of a Terraform log line (`2026-11-27T10:00:00.123Z [INFO] ...`), in
/// milliseconds since midnight (the test never spans midnight by more than its own length).
fn log_millis(line: &str) -> Option<u64> {
    let time = line.split(['T', ' ']).nth(1)?;
    let mut parts = time.trim_end_matches('Z').split([':', '.']);
    let (h, m, s) = (
        parts.next()?.parse::<u64>().ok()?,
        parts.next()?.parse::<u64>().ok()?,
        parts.next()?.parse::<u64>().ok()?,
    );
    let fraction = parts.next().unwrap_or("0");
    let millis = format!("{:0<3}", &fraction[..fraction.len().min(3)])
        .parse::<u64>()
        .ok()?;
    Some(((h * 60 + m) * 60 + s) * 1000 + millis)
}

#[test]
fn ctrl_c_ends_waits_within_two_seconds_and_the_next_apply_converges() {
    let tf = current_terraform();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let state = dir
        .path()
        .join("proton.json")
        .to_string_lossy()
        .into_owned();
    let mut ws = workspace_with_templates(&tf, &state);
    // A 12 s deployment: far longer than the 2 s allowed for the stop, short enough that the
    // replacement after it does not wait long for it.
    let proton = proton_on(&state, "12");
    ws.set_env("AWS_ENDPOINT_URL_PROTON", proton.endpoint());
    let environment_only = WAITING
        .split("resource \"proton_environment_template_version\"")
        .next()
        .unwrap_or(WAITING);
    ws.write_main(&format!("{PROVIDER}{TEMPLATES}{environment_only}"));

    let log = ws.dir().join("terraform.log");
    let log_path = log.to_string_lossy().into_owned();
    let apply = Background::start(
        &ws,
        &proton.env(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("TF_LOG", "INFO"), ("TF_LOG_PATH", &log_path)],
    );
    poll_until("the deployment to start", Duration::from_secs(60), || {
        answered(&proton, "CreateEnvironment").then_some(())
    });
    // Let the provider settle into its wait, then press Ctrl-C.
    poll_until("the first status poll", Duration::from_secs(30), || {
        answered(&proton, "GetEnvironment").then_some(())
    });
    let interrupted_at = seconds_since_epoch();
    apply.signal_group("INT");
    let interrupted = apply.wait(Duration::from_secs(60));
    let text = combined_str(&interrupted);
    assert!(
        !interrupted.status.success(),
        "an interrupted apply fails:\n{text}"
    );

    // From StopProvider to the create's failure, as Terraform logged them.
    let lines = read_lossy(&log);
    let stop = lines
        .lines()
        .find(|l| l.contains("StopProvider: ending in-flight waits"))
        .unwrap_or_else(|| panic!("the provider never logged StopProvider:\n{lines}"));
    let failed = lines
        .lines()
        .find(|l| l.contains("[ERROR]") && l.contains("proton_environment.env"))
        .unwrap_or_else(|| panic!("Terraform logged no error for the environment:\n{lines}"));
    let (stop_at, failed_at) = (
        log_millis(stop).unwrap_or_else(|| panic!("no time in {stop:?}")),
        log_millis(failed).unwrap_or_else(|| panic!("no time in {failed:?}")),
    );
    let took = failed_at.saturating_sub(stop_at);
    eprintln!("StopProvider -> create returned: {took} ms");
    assert!(
        took <= 2000,
        "the wait ended {took} ms after StopProvider:\n{stop}\n{failed}"
    );
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("stopped while waiting for deployment of environment env: Terraform asked the provider to stop"),
        "the diagnostic says why the create ended:\n{text}"
    );

    // The environment is in state, tainted; proton-local is still deploying it.
    assert!(
        is_tainted(&ws, "proton_environment.env"),
        "kept in state, tainted: {:?}",
        ws.resource("proton_environment.env")
    );
    assert_deploying_at(&proton, interrupted_at, "Ctrl-C");

    // The next apply replaces the tainted environment: it waits for the running deployment, deletes
    // and recreates. Deployments after a restart take a second (the running one keeps its end time).
    let proton = proton.restart(&["--state", &state, "--deploy-seconds", "1"]);
    let applied = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(
        applied.status.success(),
        "the next apply converges:\n{}",
        combined_str(&applied)
    );
    assert!(!is_tainted(&ws, "proton_environment.env"));
    ws.assert_plan_empty();
    let environments = AwsCli::retrying(proton.endpoint()).json(&["list-environments"]);
    assert_eq!(field_values(&environments, "environments", "name"), ["env"]);
}

// ------------------------------------------------------------------------------------------------
// Item 4: proton-local is killed and restarted
// ------------------------------------------------------------------------------------------------

fn quick_objects() -> String {
    format!(
        r#"{PROVIDER}
resource "proton_environment_template" "t" {{
  count = 5
  name  = "t-${{count.index}}"
  tags  = {{ n = "${{count.index}}" }}
}}

resource "proton_service_template" "s" {{
  count       = 5
  name        = "s-${{count.index}}"
  description = "service template ${{count.index}}"
}}

resource "proton_repository" "r" {{
  count               = 5
  repository_provider = "GITHUB"
  name                = "org/r-${{count.index}}"
  connection_arn      = "{CONNECTION}"
}}
"#
    )
}

#[test]
fn proton_local_killed_and_restarted_mid_apply_loses_nothing() {
    let tf = current_terraform();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let state = dir
        .path()
        .join("proton.json")
        .to_string_lossy()
        .into_owned();
    let first = ProtonLocal::start(&["--state", &state, "--latency-ms", "300"]);
    let mut ws = Workspace::new(&tf, &first);
    // Enough retries to span the restart.
    ws.write_main(&quick_objects().replace(
        "region = \"us-east-1\"",
        "region = \"us-east-1\"\n  max_retries = 6",
    ));
    let mut apply = Background::start(
        &ws,
        &first.env(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[],
    );
    poll_until(
        "some creates to be acknowledged",
        Duration::from_secs(60),
        || {
            let acknowledged = first
                .requests()
                .iter()
                .filter(|l| l.contains("op=\"Create") && l.contains("status=200"))
                .count();
            (acknowledged >= 3).then_some(())
        },
    );
    assert!(apply.try_wait().is_none(), "the apply is still running");
    let second = first.restart(&["--state", &state]);
    ws.set_env("AWS_ENDPOINT_URL_PROTON", second.endpoint());
    let outcome = apply.wait(TERRAFORM_DEADLINE);
    eprintln!(
        "apply across the restart: {}",
        proton_test_support::describe_status(&outcome.status)
    );

    assert!(
        second
            .requests()
            .iter()
            .any(|l| l.contains("op=\"Create") && l.contains("status=200")),
        "the apply went on creating after the restart"
    );

    // Whatever Terraform recorded exists: a refresh-only plan finds nothing deleted.
    let (code, drift) = ws.plan_with(&["-refresh-only"]);
    assert!(
        code == 0 || !drift.contains("has been deleted"),
        "an acknowledged object was lost:\n{drift}"
    );
    if !outcome.status.success() {
        let rerun = ws.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert!(
            rerun.status.success(),
            "the re-run converges:\n{}\nfirst run:\n{}",
            combined_str(&rerun),
            combined_str(&outcome)
        );
    }
    ws.assert_plan_empty();
    let names = |args: &[&str], key: &str, field: &str| {
        field_values(&AwsCli::retrying(second.endpoint()).json(args), key, field)
    };
    let expected =
        |prefix: &str| -> Vec<String> { (0..5).map(|i| format!("{prefix}{i}")).collect() };
    assert_eq!(
        names(&["list-environment-templates"], "templates", "name"),
        expected("t-")
    );
    assert_eq!(
        names(&["list-service-templates"], "templates", "name"),
        expected("s-")
    );
    assert_eq!(
        names(&["list-repositories"], "repositories", "name"),
        expected("org/r-")
    );
}
