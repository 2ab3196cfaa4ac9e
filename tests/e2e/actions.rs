//! The actions end to end with real Terraform 1.15.5 (`terraform apply -invoke=action.<type>.<name>`),
//! against deployments in progress in proton-local:
//! - `proton_cancel_deployment` on an environment, a service instance, a service pipeline and a
//!   component, each deploying for a while (`--deploy-seconds`), waits until each is CANCELLED and
//!   reports the statuses it sees;
//! - `proton_notify_resource_deployment_status_change` finishes a self-managed environment's
//!   deployment with outputs;
//! - `proton_resolve_service_sync_blocker` resolves the blocker a failed sync deployment left.
//!
//! Then the failures: nothing left to cancel, a blocker already resolved, two cancel targets.
//!
//! The estate is made with instant deployments, then proton-local restarts on the same state file with
//! slow ones. Terraform invokes one action per run, so the six runs go in parallel workspaces.

use std::process::Output;
use std::thread;
use std::time::Duration;

use proton_test_support::deploy::ROLE;
use proton_test_support::{
    ProtonLocal, Terraform, Workspace, bundle_source_hcl, combined_str, current_terraform,
    describe_output, hcl_string, poll_until, scratch_dir, with_required_providers,
};
use serde_json::Value;

/// How long each deployment (and each cancellation) takes in the second proton-local. Long enough for
/// the AWS CLI to start four deployments and Terraform to start cancelling them on a loaded machine.
const DEPLOY_SECONDS: &str = "45";

const PROVIDER: &str = "provider \"proton\" {\n  region = \"us-east-1\"\n}\n\n";

const ENV_SPEC: &str = "proton: EnvironmentSpec\nspec:\n  size: small\n";
const INSTANCE_SPEC: &str = "proton: ServiceSpec\ninstances:\n  - name: api-dev\n    environment: dev\n    spec:\n      port: 80\n";
const FAILING_INSTANCE_SPEC: &str = "proton: ServiceSpec\ninstances:\n  - name: api-dev\n    environment: dev\n    spec:\n      port: 80\n      proton_local_fail: \"health check failed\"\n";
const PIPELINE_SPEC: &str = "proton: ServiceSpec\npipeline:\n  stage: build\n";
const RESOLVED_BECAUSE: &str = "fixed the health check";

fn estate() -> String {
    let net_bundle = bundle_source_hcl("vpc-environment");
    // Self-managed provisioning is Terraform's.
    let selfnet_bundle = bundle_source_hcl("vpc-environment-tf");
    let web_bundle = bundle_source_hcl("web-service");
    let connection = "arn:aws:codestar-connections:us-east-1:000000000000:connection/abc";
    let service_spec = format!(
        "{PIPELINE_SPEC}{}",
        INSTANCE_SPEC.trim_start_matches("proton: ServiceSpec\n")
    );
    let manifest = "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n";
    format!(
        r#"{PROVIDER}resource "proton_environment_template" "net" {{
  name = "net"
}}

resource "proton_environment_template_version" "net" {{
  template_name = proton_environment_template.net.name
  source        = {net_bundle}
  status        = "PUBLISHED"
}}

# A standard template: "selfenv" is self-managed by its provisioning repository.
resource "proton_environment_template" "selfnet" {{
  name = "selfnet"
}}

resource "proton_environment_template_version" "selfnet" {{
  template_name = proton_environment_template.selfnet.name
  source        = {selfnet_bundle}
  status        = "PUBLISHED"
}}

# No pipeline_provisioning: Proton provides the pipeline, with the account's pipeline role.
resource "proton_service_template" "web" {{
  name = "web"
}}

resource "proton_account_settings" "this" {{
  pipeline_service_role_arn = "{ROLE}"
}}

resource "proton_service_template_version" "web" {{
  template_name = proton_service_template.web.name
  source        = {web_bundle}
  status        = "PUBLISHED"
  compatible_environment_templates = [{{
    template_name = proton_environment_template.net.name
    major_version = proton_environment_template_version.net.major_version
  }}]
  supported_component_sources = ["DIRECTLY_DEFINED"]
}}

resource "proton_repository" "infra" {{
  repository_provider = "GITHUB"
  name                = "org/infra"
  connection_arn      = "{connection}"
}}

resource "proton_environment" "dev" {{
  name                    = "dev"
  template_name           = proton_environment_template.net.name
  template_major_version  = proton_environment_template_version.net.major_version
  spec                    = {env_spec}
  proton_service_role_arn = "{ROLE}"
  component_role_arn      = "arn:aws:iam::000000000000:role/proton-component"
}}

resource "proton_service" "api" {{
  name                      = "api"
  template_name             = proton_service_template.web.name
  template_major_version    = proton_service_template_version.web.major_version
  spec                      = {service_spec}
  repository_connection_arn = "{connection}"
  repository_id             = "org/app"
  branch_name               = "main"
  depends_on                = [proton_environment.dev, proton_account_settings.this]
}}

resource "proton_component" "cache" {{
  name             = "cache"
  environment_name = proton_environment.dev.name
  template_file    = "Resources: {{}}\n"
  manifest         = {manifest}
}}

resource "proton_service_sync_config" "api" {{
  service_name        = proton_service.api.name
  repository_provider = proton_repository.infra.repository_provider
  repository_name     = proton_repository.infra.name
  branch              = "main"
  file_path           = "proton/api.yaml"
}}
"#,
        env_spec = hcl_string(ENV_SPEC),
        service_spec = hcl_string(&service_spec),
        manifest = hcl_string(manifest),
    )
}

fn actions(blocker_id: &str, self_managed_arn: &str) -> String {
    format!(
        r#"action "proton_cancel_deployment" "environment" {{
  config {{
    environment_name = "dev"
  }}
}}

action "proton_cancel_deployment" "instance" {{
  config {{
    service_instance = {{
      service_name = "api"
      name         = "api-dev"
    }}
    timeout = "5m"
  }}
}}

action "proton_cancel_deployment" "pipeline" {{
  config {{
    service_pipeline = "api"
  }}
}}

action "proton_cancel_deployment" "component" {{
  config {{
    component_name = "cache"
  }}
}}

action "proton_notify_resource_deployment_status_change" "self_managed" {{
  config {{
    resource_arn   = "{self_managed_arn}"
    status         = "SUCCEEDED"
    status_message = "provisioned by our own pipeline"
    outputs = {{
      vpc_id = "vpc-0abc"
    }}
  }}
}}

action "proton_resolve_service_sync_blocker" "api" {{
  config {{
    id              = "{blocker_id}"
    resolved_reason = "{RESOLVED_BECAUSE}"
  }}
}}
"#
    )
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

fn deployment_status(proton: &ProtonLocal, args: &[&str], key: &str) -> String {
    let found = proton.aws(args);
    let object = if key == "pipeline" {
        &found["service"]["pipeline"]
    } else {
        &found[key]
    };
    object["deploymentStatus"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The estate, made with instant deployments; returns the ID of the sync blocker a failed sync
/// deployment left behind.
fn make_estate(tf: &Terraform, state: &str) -> String {
    let proton = ProtonLocal::start(&["--state", state]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&estate());
    ws.apply();
    // api syncs from a repository: its failed deployment blocks the sync.
    proton.aws(&[
        "update-service-instance",
        "--service-name",
        "api",
        "--name",
        "api-dev",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        FAILING_INSTANCE_SPEC,
    ]);
    let instance = [
        "get-service-instance",
        "--service-name",
        "api",
        "--name",
        "api-dev",
    ];
    poll_until("the failing deployment", Duration::from_secs(120), || {
        (deployment_status(&proton, &instance, "serviceInstance") == "FAILED").then_some(())
    });
    let summary = proton.aws(&["get-service-sync-blocker-summary", "--service-name", "api"]);
    let blocker = &summary["serviceSyncBlockerSummary"]["latestBlockers"][0];
    assert_eq!(blocker["status"], "ACTIVE", "{summary}");
    blocker["id"].as_str().unwrap_or_default().to_string()
}

#[test]
fn actions_act_on_deployments_in_progress() {
    let tf = current_terraform();
    let dir = tempfile::Builder::new()
        .prefix("actions-")
        .tempdir_in(scratch_dir())
        .unwrap_or_else(|e| panic!("tempdir: {e}"));
    let state = dir
        .path()
        .join("proton.json")
        .to_string_lossy()
        .into_owned();
    let blocker_id = make_estate(&tf, &state);

    let proton = ProtonLocal::start(&["--state", &state, "--deploy-seconds", DEPLOY_SECONDS]);
    let targets: [(&[&str], &str); 4] = [
        (&["get-environment", "--name", "dev"], "environment"),
        (
            &[
                "get-service-instance",
                "--service-name",
                "api",
                "--name",
                "api-dev",
            ],
            "serviceInstance",
        ),
        (&["get-service", "--name", "api"], "pipeline"),
        (&["get-component", "--name", "cache"], "component"),
    ];
    // Deployments that run for DEPLOY_SECONDS.
    proton.aws(&[
        "update-environment",
        "--name",
        "dev",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        ENV_SPEC,
    ]);
    proton.aws(&[
        "update-service-instance",
        "--service-name",
        "api",
        "--name",
        "api-dev",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        INSTANCE_SPEC,
    ]);
    proton.aws(&[
        "update-service-pipeline",
        "--service-name",
        "api",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        PIPELINE_SPEC,
    ]);
    proton.aws(&[
        "update-component",
        "--name",
        "cache",
        "--deployment-type",
        "CURRENT_VERSION",
    ]);
    // A self-managed environment: its deployment waits for someone to report back.
    let self_managed = proton.aws(&[
        "create-environment",
        "--name",
        "selfenv",
        "--template-name",
        "selfnet",
        "--template-major-version",
        "1",
        "--spec",
        ENV_SPEC,
        "--provisioning-repository",
        "provider=GITHUB,name=org/infra,branch=main",
    ]);
    let self_managed_arn = self_managed["environment"]["arn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for (args, key) in &targets {
        assert_eq!(
            deployment_status(&proton, args, key),
            "IN_PROGRESS",
            "{key}"
        );
    }

    let config = with_required_providers(&format!(
        "{PROVIDER}{}",
        actions(&blocker_id, &self_managed_arn)
    ));
    let names = [
        "proton_cancel_deployment.environment",
        "proton_cancel_deployment.instance",
        "proton_cancel_deployment.pipeline",
        "proton_cancel_deployment.component",
        "proton_notify_resource_deployment_status_change.self_managed",
        "proton_resolve_service_sync_blocker.api",
    ];
    let outputs: Vec<(&str, Output)> = thread::scope(|scope| {
        let runs: Vec<_> = names
            .iter()
            .map(|name| {
                let (tf, proton, config) = (&tf, &proton, &config);
                scope.spawn(move || {
                    let ws = Workspace::new(tf, proton);
                    ws.write("main.tf", config);
                    (*name, invoke(&ws, name))
                })
            })
            .collect();
        runs.into_iter()
            .map(|run| run.join().unwrap_or_else(|_| panic!("a run panicked")))
            .collect()
    });
    for (name, output) in &outputs {
        assert!(
            output.status.success(),
            "{tf}: {name}: {}",
            describe_output(output)
        );
        let text = combined_str(output);
        assert!(text.contains("Actions: 1 invoked"), "{tf}: {name}:\n{text}");
        if name.starts_with("proton_cancel_deployment.") {
            // Progress as it went: the cancel call, the statuses seen, the end.
            for progress in ["Cancelling deployment ", ": CANCELLED", " is cancelled"] {
                assert!(
                    text.contains(&format!("Action action.{name} (triggered by CLI): "))
                        && text.contains(progress),
                    "{tf}: {name}: no progress {progress:?} in:\n{text}"
                );
            }
        }
    }
    for (args, key) in &targets {
        assert_eq!(deployment_status(&proton, args, key), "CANCELLED", "{key}");
    }

    let selfenv = proton.aws(&["get-environment", "--name", "selfenv"]);
    assert_eq!(
        selfenv["environment"]["deploymentStatus"], "SUCCEEDED",
        "{selfenv}"
    );
    let outputs = proton.aws(&["list-environment-outputs", "--environment-name", "selfenv"]);
    let vpc = outputs["outputs"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["key"] == "vpc_id"))
        .map(|o| o["valueString"].clone());
    assert_eq!(vpc, Some(Value::from("vpc-0abc")), "{outputs}");

    let summary = proton.aws(&["get-service-sync-blocker-summary", "--service-name", "api"]);
    let blocker = &summary["serviceSyncBlockerSummary"]["latestBlockers"][0];
    assert_eq!(blocker["id"], blocker_id.as_str());
    assert_eq!(blocker["status"], "RESOLVED", "{summary}");
    assert_eq!(blocker["resolvedReason"], RESOLVED_BECAUSE);

    // Failures are errors with the reason, not silent successes.
    let ws = Workspace::new(&tf, &proton);
    ws.write("main.tf", &config);
    let failed = |action: &str| {
        let output = invoke(&ws, action);
        assert!(!output.status.success(), "{tf}: {action} must fail");
        combined_str(&output)
    };
    let again = failed("proton_cancel_deployment.component");
    assert!(
        again.contains("no deployment in progress to cancel") && again.contains("CANCELLED"),
        "{tf}:\n{again}"
    );
    let resolved = failed("proton_resolve_service_sync_blocker.api");
    assert!(resolved.contains("already resolved"), "{tf}:\n{resolved}");
    ws.write(
        "twice.tf",
        "action \"proton_cancel_deployment\" \"both\" {\n  config {\n    environment_name = \"dev\"\n    component_name   = \"cache\"\n  }\n}\n",
    );
    let refused = ws.run_err(&["validate", "-no-color"]);
    assert!(
        refused.contains("Only one of") && refused.contains("component_name"),
        "{tf}:\n{refused}"
    );
}
