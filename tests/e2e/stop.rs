//! Ctrl-C during a deployment wait: Terraform calls StopProvider, the provider's wait ends, the
//! apply exits long before the (300 s) deployment would finish, and the environment is in state
//! (tainted, IN_PROGRESS) rather than forgotten.

use std::thread;
use std::time::Duration;

use proton_test_support::deploy::{
    ROLE, environment_template, is_tainted, provider, remote, str_attr,
};
use proton_test_support::reliability::Background;
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string, poll_until};
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

    // Terraform with the workspace's environment, in the background in its own process group.
    let apply = Background::start(
        &ws,
        &proton.env(),
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[],
    );

    // Once the deployment runs, interrupt Terraform as Ctrl-C would.
    poll_until("the deployment to start", Duration::from_secs(300), || {
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
    apply.signal_group("INT");

    // Far less than the deployment's 300 s: only the stop can end the apply this early. Nothing
    // Terraform started outlives it.
    let exit = apply.wait(Duration::from_secs(90)).status;
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

proton_test_support::terraform_tests!(interrupted);
