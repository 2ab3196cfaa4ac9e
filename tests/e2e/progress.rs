//! What a user sees while Proton works: each deployment wait logs its status changes at INFO with
//! the time waited (`TF_LOG=INFO`), a timeout is reported in the units the configuration wrote, and
//! a destroy Proton cannot carry out is a warning Terraform shows without any log setting.

use std::time::Duration;

use proton_test_support::deploy::{ROLE, environment_template, provider, remote, service_template};
use proton_test_support::{
    ProtonLocal, Terraform, Workspace, combined_str, hcl_string, poll_until, stderr_str,
};
use serde_json::json;

const TEMPLATE: &str = "progress-tpl";
const SPEC_A: &str = "proton: EnvironmentSpec\nspec:\n  subnets: 2\n";
const SPEC_B: &str = "proton: EnvironmentSpec\nspec:\n  subnets: 3\n";

fn environment(spec: &str, extra: &str) -> String {
    format!(
        "{}resource \"proton_environment\" \"test\" {{\n  name                    = \"progress-env\"\n  \
         template_name           = \"{TEMPLATE}\"\n  template_major_version  = \"1\"\n  \
         spec                    = {}\n  proton_service_role_arn = \"{ROLE}\"\n{extra}}}\n",
        provider(""),
        hcl_string(spec)
    )
}

/// Terraform's log lines that came from this provider.
fn provider_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains("provider.terraform-provider-proton"))
        .collect()
}

/// The summaries of the warnings Terraform printed, but for its note on development overrides.
fn warnings(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter_map(|line| {
            line.trim_start_matches(['│', ' '])
                .strip_prefix("Warning: ")
        })
        .filter(|summary| !summary.starts_with("Provider development overrides"))
        .collect()
}

fn deployment_progress_and_timeouts(tf: &Terraform) {
    // Deployments take 3 s: long enough to be seen in progress, and to outlast the timeout below.
    let proton = ProtonLocal::start(&["--deploy-seconds", "3"]);
    environment_template(&proton, TEMPLATE);
    let mut ws = Workspace::new(tf, &proton);

    // Without TF_LOG Terraform shows no provider log at all.
    ws.write_main(&environment(SPEC_A, ""));
    let quiet = ws.apply();
    assert!(
        provider_lines(&stderr_str(&quiet)).is_empty(),
        "{tf}:\n{}",
        stderr_str(&quiet)
    );

    // At INFO the wait reports the deployment's status when it changes, and its end, with the
    // time waited.
    ws.set_env("TF_LOG", "INFO");
    ws.write_main(&environment(SPEC_B, ""));
    let logged = stderr_str(&ws.apply());
    let lines = provider_lines(&logged);
    let progress: Vec<&&str> = lines
        .iter()
        .filter(|line| line.contains("deployment of environment progress-env:"))
        .collect();
    assert!(
        progress
            .iter()
            .any(|line| line.contains("[INFO]") && line.contains(": IN_PROGRESS after 0s")),
        "{tf}: no INFO line for the deployment in progress:\n{}",
        lines.join("\n")
    );
    assert!(
        progress
            .iter()
            .any(|line| line.contains("[INFO]") && line.contains(": finished after ")),
        "{tf}: no INFO line for the end of the deployment:\n{}",
        lines.join("\n")
    );
    // One line per status, not one per look.
    let in_progress = progress
        .iter()
        .filter(|line| line.contains(": IN_PROGRESS after"))
        .count();
    assert_eq!(in_progress, 1, "{tf}:\n{}", lines.join("\n"));
    ws.remove_env("TF_LOG");

    // A timeout is reported as the configuration wrote it.
    let short = "  timeouts {\n    update = \"1500ms\"\n  }\n";
    ws.write_main(&environment(SPEC_A, short));
    let text = ws.apply_err();
    assert!(
        text.contains("timed out after 1500ms waiting for deployment of environment progress-env"),
        "{tf}:\n{text}"
    );
    ws.write_main(&environment(SPEC_A, ""));
    ws.apply();
    let destroyed = combined_str(&ws.destroy());
    assert!(
        warnings(&destroyed).is_empty(),
        "{tf}: an environment is deleted, nothing to warn about:\n{destroyed}"
    );
}

const INSTANCE_SPEC: &str = "proton: ServiceSpec\ninstances:\n  - name: one\n    environment: env-a\n    spec:\n      port: 80\n";
const SERVICE_SPEC: &str = "proton: ServiceSpec\npipeline:\n  stage: build\ninstances:\n  - name: one\n    environment: env-a\n    spec:\n      port: 80\n";
const PIPELINE_SPEC: &str = "proton: ServiceSpec\npipeline:\n  stage: build\n";

/// A service with a pipeline and one instance, the instance and pipeline managed by their own
/// resources unless `service_only`.
fn service(service_only: bool) -> String {
    let mut config = format!(
        "{}resource \"proton_service\" \"svc\" {{\n  name                      = \"svc\"\n  \
         template_name             = \"svc-tpl\"\n  template_major_version    = \"1\"\n  \
         spec                      = {}\n  \
         repository_connection_arn = \"arn:aws:codestar-connections:us-east-1:000000000000:connection/abc\"\n  \
         repository_id             = \"org/app\"\n  branch_name               = \"main\"\n}}\n\n",
        provider(""),
        hcl_string(SERVICE_SPEC)
    );
    if !service_only {
        config.push_str(&format!(
            "resource \"proton_service_instance\" \"one\" {{\n  service_name = proton_service.svc.name\n  \
             name         = \"one\"\n  spec         = {}\n}}\n\n\
             resource \"proton_service_pipeline\" \"svc\" {{\n  service_name = proton_service.svc.name\n  \
             spec         = {}\n}}\n",
            hcl_string(INSTANCE_SPEC),
            hcl_string(PIPELINE_SPEC)
        ));
    }
    config
}

fn destroys_proton_cannot_do_are_warnings(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    environment_template(&proton, TEMPLATE);
    proton.aws(&[
        "create-environment",
        "--name",
        "env-a",
        "--template-name",
        TEMPLATE,
        "--template-major-version",
        "1",
        "--spec",
        SPEC_A,
        "--proton-service-role-arn",
        ROLE,
    ]);
    poll_until("environment deployment", Duration::from_secs(120), || {
        let e = remote(
            &proton,
            &["get-environment", "--name", "env-a"],
            "environment",
        )?;
        (e["deploymentStatus"] == json!("SUCCEEDED")).then_some(())
    });
    service_template(&proton, "svc-tpl", TEMPLATE, &[], &[]);
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        ROLE,
    ]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&service(false));
    ws.apply();

    // No TF_LOG: Terraform still shows both warnings, and the objects stay in Proton.
    ws.write_main(&service(true));
    let applied = combined_str(&ws.apply());
    let shown = warnings(&applied);
    assert!(
        shown.contains(&"Service instance left in Proton")
            && shown.contains(&"Service pipeline left in Proton"),
        "{tf}: {shown:?}\n{applied}"
    );
    // Terraform wraps the detail: compare it with the line breaks as spaces.
    let flowing = applied.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flowing.contains("one of service svc is only removed from the state"),
        "{tf}:\n{applied}"
    );
    assert!(
        remote(
            &proton,
            &[
                "get-service-instance",
                "--service-name",
                "svc",
                "--name",
                "one"
            ],
            "serviceInstance"
        )
        .is_some(),
        "{tf}"
    );
    ws.assert_plan_empty();
}

proton_test_support::terraform_tests!(
    deployment_progress_and_timeouts,
    destroys_proton_cannot_do_are_warnings
);
