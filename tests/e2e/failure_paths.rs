//! The failure paths a user rehearses against proton-local (issue 13, work list item 8), with real
//! Terraform 1.15.5 and 1.0.3:
//! - a destroy whose delete ends DELETE_FAILED (`proton_local_fail_delete` in the spec) fails with
//!   Proton's message and keeps the object in state; the next destroy retries and finishes;
//! - a deployment cancelled on timeout (`cancel_on_timeout`) ends each documented way: CANCELLED
//!   (apply fails, tainted), FAILED when the cancellation fails (`proton_local_cancel: fail`), or
//!   SUCCEEDED when it finished first (`proton_local_cancel: late`: the apply succeeds);
//! - `proton_cancel_deployment` (Terraform 1.14+) reports each of the three endings;
//! - (item 9) a template with versions 1.0, 1.1 (naming 1.0's major) and 2.0 is destroyed although
//!   Proton deletes the recommended versions only last.

use std::process::Output;
use std::thread;

use proton_test_support::deploy::{
    ROLE, environment_template, is_tainted, provider, service_template, str_attr,
};
use proton_test_support::{
    ProtonLocal, Terraform, Workspace, combined_str, describe_output, hcl_string,
};

const ENV_TEMPLATE: &str = "net";
const SVC_TEMPLATE: &str = "web";
const ENV_STUCK: &str = "The stack's bucket is not empty.";
const INSTANCE_STUCK: &str = "The instance stack is stuck.";

proton_test_support::terraform_tests!(
    delete_failed,
    cancel_on_timeout_endings,
    recommended_versions_destroy
);
proton_test_support::terraform_tests!(current: cancel_action_endings);

fn env_spec(extra: &str) -> String {
    format!("proton: EnvironmentSpec\nspec:\n  size: small\n{extra}")
}

/// An environment resource `label` named `name`, with `extra` lines.
fn environment(label: &str, name: &str, spec: &str, extra: &str) -> String {
    format!(
        "resource \"proton_environment\" \"{label}\" {{\n  name                    = \"{name}\"\n  \
         template_name           = \"{ENV_TEMPLATE}\"\n  template_major_version  = \"1\"\n  \
         spec                    = {}\n  proton_service_role_arn = \"{ROLE}\"\n{extra}}}\n\n",
        hcl_string(spec)
    )
}

/// An environment and a service with one instance there, each failing its first delete.
fn platform() -> String {
    let service_spec = format!(
        "proton: ServiceSpec\ninstances:\n  - name: api-dev\n    environment: dev\n    spec:\n      \
         port: 80\n      proton_local_fail_delete: \"{INSTANCE_STUCK}\"\n"
    );
    format!(
        "{}{}resource \"proton_service\" \"api\" {{\n  name                   = \"api\"\n  \
         template_name          = \"{SVC_TEMPLATE}\"\n  template_major_version = \"1\"\n  \
         spec                   = {}\n  depends_on             = [proton_environment.dev]\n}}\n",
        provider(""),
        environment(
            "dev",
            "dev",
            &env_spec(&format!("  proton_local_fail_delete: \"{ENV_STUCK}\"\n")),
            ""
        ),
        hcl_string(&service_spec)
    )
}

fn destroy_err(ws: &Workspace) -> String {
    ws.run_err(&["destroy", "-auto-approve", "-input=false", "-no-color"])
}

/// Each delete fails once with Proton's message and keeps its object in state; the next destroy
/// retries it.
fn delete_failed(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    environment_template(&proton, ENV_TEMPLATE);
    service_template(
        &proton,
        SVC_TEMPLATE,
        ENV_TEMPLATE,
        &["--pipeline-provisioning", "CUSTOMER_MANAGED"],
        &[],
    );
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&platform());
    ws.apply();
    ws.assert_plan_empty();

    // The service goes first: its instance fails to delete, so the service ends DELETE_FAILED and
    // the environment is not touched.
    let text = destroy_err(&ws);
    assert!(
        text.contains("DELETE_FAILED") && text.contains(INSTANCE_STUCK),
        "{tf}: the error must carry Proton's status and message:\n{text}"
    );
    let service = proton.aws(&["get-service", "--name", "api"]);
    assert_eq!(service["service"]["status"], "DELETE_FAILED", "{service}");
    let addresses = ws.state_addresses();
    assert!(
        addresses.contains(&"proton_service.api".to_string())
            && addresses.contains(&"proton_environment.dev".to_string()),
        "{tf}: both stay in state: {addresses:?}"
    );

    // The retry deletes the service; then the environment's delete fails.
    let text = destroy_err(&ws);
    assert!(
        text.contains("DELETE_FAILED") && text.contains(ENV_STUCK),
        "{tf}:\n{text}"
    );
    assert_eq!(ws.state_addresses(), vec!["proton_environment.dev"]);
    let attrs = ws.resource_attrs("proton_environment.dev");
    assert_eq!(str_attr(&attrs, "name"), "dev");
    let env = proton.aws(&["get-environment", "--name", "dev"]);
    assert_eq!(
        env["environment"]["deploymentStatus"], "DELETE_FAILED",
        "{env}"
    );
    assert_eq!(env["environment"]["deploymentStatusMessage"], ENV_STUCK);

    ws.destroy();
    assert!(ws.state_addresses().is_empty(), "{tf}");
    let left = proton.aws(&["list-environments"]);
    assert_eq!(left["environments"], serde_json::json!([]), "{left}");
}

/// `cancel_on_timeout` meets each ending of a cancel.
fn cancel_on_timeout_endings(tf: &Terraform) {
    // Deployments and cancels outlast the 1 s create timeout, so a loaded machine still cancels
    // while they run.
    let proton = ProtonLocal::start(&["--deploy-seconds", "4"]);
    environment_template(&proton, ENV_TEMPLATE);
    let ws = Workspace::new(tf, &proton);
    let cancel = "  cancel_on_timeout = true\n  timeouts {\n    create = \"1s\"\n  }\n";
    let config = format!(
        "{}{}{}{}",
        provider(""),
        environment("cancelled", "e-cancelled", &env_spec(""), cancel),
        environment(
            "failed",
            "e-failed",
            &env_spec("  proton_local_cancel: fail\n"),
            cancel
        ),
        environment(
            "late",
            "e-late",
            &env_spec("  proton_local_cancel: late\n"),
            cancel
        ),
    );
    ws.write_main(&config);
    let text = ws.apply_err();
    assert!(
        text.contains("ended CANCELLED: User initiated cancellation."),
        "{tf}:\n{text}"
    );
    assert!(
        text.contains("ended FAILED: The cancellation failed"),
        "{tf}:\n{text}"
    );
    assert!(
        !text.contains("with proton_environment.late"),
        "{tf}: e-late finished first, so its apply succeeded:\n{text}"
    );
    for (address, status, tainted) in [
        ("proton_environment.cancelled", "CANCELLED", true),
        ("proton_environment.failed", "FAILED", true),
        ("proton_environment.late", "SUCCEEDED", false),
    ] {
        let attrs = ws.resource_attrs(address);
        assert_eq!(
            str_attr(&attrs, "deployment_status"),
            status,
            "{tf}: {address}"
        );
        assert_eq!(is_tainted(&ws, address), tainted, "{tf}: {address}");
    }
    ws.destroy();
}

fn invoke(ws: &Workspace, action: &str) -> Output {
    ws.run(&[
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        &format!("-invoke=action.{action}"),
    ])
}

/// `proton_cancel_deployment` on three deployments, one per ending: CANCELLED and SUCCEEDED end the
/// action, FAILED fails it with Proton's message.
fn cancel_action_endings(tf: &Terraform) {
    // Long enough for the AWS CLI to start three deployments and Terraform to cancel them.
    let proton = ProtonLocal::start(&["--deploy-seconds", "30"]);
    environment_template(&proton, ENV_TEMPLATE);
    let names = [
        ("e-cancelled", ""),
        ("e-failed", "  proton_local_cancel: fail\n"),
        ("e-late", "  proton_local_cancel: late\n"),
    ];
    let mut actions = provider("");
    for (name, marker) in names {
        let spec = proton.dir().join(format!("{name}.yaml"));
        std::fs::write(&spec, env_spec(marker)).expect("spec file");
        proton.aws(&[
            "create-environment",
            "--name",
            name,
            "--template-name",
            ENV_TEMPLATE,
            "--template-major-version",
            "1",
            "--proton-service-role-arn",
            ROLE,
            "--spec",
            &format!("file://{}", spec.display()),
        ]);
        actions.push_str(&format!(
            "action \"proton_cancel_deployment\" \"{name}\" {{\n  config {{\n    environment_name = \"{name}\"\n  }}\n}}\n\n"
        ));
    }
    let outputs: Vec<(&str, Output)> = thread::scope(|scope| {
        let runs: Vec<_> = names
            .iter()
            .map(|(name, _)| {
                let (proton, actions) = (&proton, &actions);
                scope.spawn(move || {
                    let ws = Workspace::new(tf, proton);
                    ws.write_main(actions);
                    (
                        *name,
                        invoke(&ws, &format!("proton_cancel_deployment.{name}")),
                    )
                })
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().unwrap_or_else(|_| panic!("a run panicked")))
            .collect()
    });
    for (name, output) in &outputs {
        let text = combined_str(output);
        match *name {
            "e-cancelled" => {
                assert!(output.status.success(), "{tf}: {}", describe_output(output));
                assert!(
                    text.contains("is cancelled: User initiated cancellation."),
                    "{tf}:\n{text}"
                );
            }
            "e-late" => {
                assert!(output.status.success(), "{tf}: {}", describe_output(output));
                assert!(
                    text.contains("finished (SUCCEEDED) before the cancellation took effect"),
                    "{tf}:\n{text}"
                );
            }
            _ => {
                assert!(!output.status.success(), "{tf}: {name} must fail:\n{text}");
                assert!(
                    text.contains("failed: it ended FAILED: The cancellation failed"),
                    "{tf}:\n{text}"
                );
            }
        }
    }
}

/// Proton refuses to delete 1.1 (recommended minor) while 1.0 exists and 2.0 (recommended major)
/// while major 1 exists, yet Terraform destroys 1.1 before the 1.0 it refers to: the destroy must
/// still remove everything.
fn recommended_versions_destroy(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    let bundle = proton_test_support::bundle_source_hcl("vpc-environment");
    let version = |label: &str, major: &str| {
        format!(
            "resource \"proton_environment_template_version\" \"{label}\" {{\n  \
             template_name = proton_environment_template.net.name\n{major}  source        = {bundle}\n  \
             status        = \"PUBLISHED\"\n}}\n\n"
        )
    };
    ws.write_main(&format!(
        "{}resource \"proton_environment_template\" \"net\" {{\n  name = \"{ENV_TEMPLATE}\"\n}}\n\n{}{}{}",
        provider(""),
        version("v1_0", ""),
        version(
            "v1_1",
            "  major_version = proton_environment_template_version.v1_0.major_version\n"
        ),
        // 2.0 after 1.x, so it is a new major and the recommended version. (Its description keeps
        // its create request, and so its client token, apart from 1.0's.)
        version(
            "v2_0",
            "  description   = \"v2\"\n  depends_on    = [proton_environment_template_version.v1_1]\n"
        ),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let template = proton.aws(&["get-environment-template", "--name", ENV_TEMPLATE]);
    let versions = proton.aws(&[
        "list-environment-template-versions",
        "--template-name",
        ENV_TEMPLATE,
    ]);
    assert_eq!(
        template["environmentTemplate"]["recommendedVersion"], "2.0",
        "{tf}: {template} {versions}"
    );
    let minor = ws.resource_attrs("proton_environment_template_version.v1_1");
    assert_eq!(str_attr(&minor, "minor_version"), "1", "{tf}");

    ws.destroy();
    assert!(ws.state_addresses().is_empty(), "{tf}");
    let left = proton.aws(&["list-environment-templates"]);
    assert_eq!(left["templates"], serde_json::json!([]), "{tf}: {left}");
}
