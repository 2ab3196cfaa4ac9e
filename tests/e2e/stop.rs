//! Ctrl-C during a deployment wait: Terraform calls StopProvider, the provider's wait ends, the
//! apply exits long before the (300 s) deployment would finish, and the environment is in state
//! (tainted, IN_PROGRESS) rather than forgotten.

use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use proton_test_support::deploy::{
    ROLE, environment_template, eventually, for_versions, is_current, is_old, is_tainted, provider,
    remote, str_attr,
};
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string};
use serde_json::json;

fn interrupted(tf: &Terraform) {
    // Templates register as slowly as deployments deploy in proton-local (one --deploy-seconds):
    // register them fast, then restart on the same state with slow deployments.
    let state_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let state = state_dir.path().join("state.json");
    let state = state.to_string_lossy();
    {
        let fast = ProtonLocal::start(&["--state", &state]);
        environment_template(&fast, "env-tpl");
    }
    let proton = ProtonLocal::start(&["--state", &state, "--deploy-seconds", "300"]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&format!(
        "{}resource \"proton_environment\" \"slow\" {{\n  name = \"slow\"\n  \
         template_name = \"env-tpl\"\n  template_major_version = \"1\"\n  spec = {}\n  \
         proton_service_role_arn = \"{ROLE}\"\n}}\n",
        provider(""),
        hcl_string("proton: EnvironmentSpec\nspec:\n  size: small\n")
    ));

    let logs = ws.dir().to_path_buf();
    let out_file = |name: &str| {
        std::fs::File::create(logs.join(format!("terraform.{name}")))
            .unwrap_or_else(|e| panic!("create log: {e}"))
    };
    let show_logs = || {
        ["stdout", "stderr"]
            .map(|name| {
                std::fs::read_to_string(logs.join(format!("terraform.{name}"))).unwrap_or_default()
            })
            .join("\n--- stderr ---\n")
    };
    // Terraform with the workspace's environment, in the background.
    let mut cmd = Command::new(&tf.path);
    cmd.args(["apply", "-auto-approve", "-input=false", "-no-color"])
        .current_dir(ws.dir())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(out_file("stdout"))
        .stderr(out_file("stderr"));
    for key in [
        "TF_CLI_CONFIG_FILE",
        "TF_IN_AUTOMATION",
        "TF_INPUT",
        "CHECKPOINT_DISABLE",
        "HOME",
    ] {
        if let Some(value) = ws.env_value(key) {
            cmd.env(key, value);
        }
    }
    cmd.envs(proton.env());
    cmd.process_group(0);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{tf}: spawn terraform: {e}"));

    // Once the deployment runs, interrupt Terraform as Ctrl-C would.
    eventually("the deployment to start", 600, || {
        let env = remote(
            &proton,
            &["get-environment", "--name", "slow"],
            "environment",
        )?;
        (env["deploymentStatus"] == json!("IN_PROGRESS")).then_some(())
    });
    thread::sleep(Duration::from_millis(500));
    // A terminal's Ctrl-C reaches the whole process group (Terraform 1.0's wrapper process ignores a
    // SIGINT of its own; the providers ignore theirs and wait for StopProvider).
    let status = Command::new("kill")
        .args(["-INT", "--", &format!("-{}", child.id())])
        .status()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    assert!(status.success());

    // Far less than the deployment's 300 s: only the stop can end the apply this early.
    let deadline = Instant::now() + Duration::from_secs(90);
    let exit = loop {
        if let Some(exit) = child
            .try_wait()
            .unwrap_or_else(|e| panic!("wait terraform: {e}"))
        {
            break exit;
        }
        if Instant::now() > deadline {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!(
                "{tf}: terraform did not stop after the interrupt:\n{}",
                show_logs()
            );
        }
        thread::sleep(Duration::from_millis(100));
    };
    // Nothing Terraform started may outlive it.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    assert!(!exit.success(), "{tf}: an interrupted apply fails");

    let attrs = ws.resource_attrs("proton_environment.slow");
    assert_eq!(str_attr(&attrs, "deployment_status"), "IN_PROGRESS", "{tf}");
    assert!(
        is_tainted(&ws, "proton_environment.slow"),
        "{tf}: kept in state, tainted"
    );
    let remote_status = remote(
        &proton,
        &["get-environment", "--name", "slow"],
        "environment",
    )
    .map(|e| e["deploymentStatus"].clone());
    assert_eq!(
        remote_status,
        Some(json!("IN_PROGRESS")),
        "{tf}: still deploying"
    );
}

#[test]
fn interrupted_terraform_1_15() {
    for_versions("1.15", is_current, interrupted);
}

#[test]
fn interrupted_terraform_1_0_3() {
    for_versions("1.0.3", is_old, interrupted);
}
