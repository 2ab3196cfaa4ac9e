//! The self-managed provisioning guide's pipeline configuration, run by a real `terraform apply`
//! (Terraform 1.14 and later only: older versions have no actions): the infrastructure resource's
//! `lifecycle` `action_trigger` runs `proton_notify_resource_deployment_status_change` after create,
//! and Proton's waiting deployment succeeds with the outputs the action sends.

use proton_test_support::deploy::environment_template;
use proton_test_support::{ProtonLocal, Terraform, Workspace, combined_str};
use serde_json::Value;

const SPEC: &str = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n";
const CONNECTION: &str =
    "arn:aws:codestar-connections:us-east-1:000000000000:connection/0a1b2c3d-4e5f";

/// The guide's example, with `terraform_data` standing in for `aws_vpc`.
fn pipeline_config(environment_arn: &str, vpc_id: &str) -> String {
    format!(
        r#"provider "proton" {{
  region = "us-east-1"
}}

variable "environment_arn" {{
  type    = string
  default = "{environment_arn}"
}}

resource "terraform_data" "vpc" {{
  input = "{vpc_id}"

  lifecycle {{
    action_trigger {{
      events  = [after_create, after_update]
      actions = [action.proton_notify_resource_deployment_status_change.succeeded]
    }}
  }}
}}

action "proton_notify_resource_deployment_status_change" "succeeded" {{
  config {{
    resource_arn = var.environment_arn
    status       = "SUCCEEDED"
    outputs = {{
      vpc_id = terraform_data.vpc.output
    }}
  }}
}}
"#
    )
}

fn environment_status(proton: &ProtonLocal) -> (String, Option<Value>) {
    let found = proton.aws(&["get-environment", "--name", "selfenv"]);
    let outputs = proton.aws(&["list-environment-outputs", "--environment-name", "selfenv"]);
    let vpc = outputs["outputs"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["key"] == "vpc_id"))
        .map(|o| o["valueString"].clone());
    (
        found["environment"]["deploymentStatus"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        vpc,
    )
}

fn lifecycle_trigger_reports_the_deployment(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    environment_template(&proton, "selfnet");
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "org/infra",
        "--connection-arn",
        CONNECTION,
    ]);
    // Self-managed: the deployment waits for the pipeline's report.
    let created = proton.aws(&[
        "create-environment",
        "--name",
        "selfenv",
        "--template-name",
        "selfnet",
        "--template-major-version",
        "1",
        "--spec",
        SPEC,
        "--provisioning-repository",
        "provider=GITHUB,name=org/infra,branch=main",
    ]);
    let arn = created["environment"]["arn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(environment_status(&proton).0, "IN_PROGRESS");

    let ws = Workspace::new(tf, &proton);
    ws.write_main(&pipeline_config(&arn, "vpc-0abc"));
    let applied = combined_str(&ws.apply());
    assert!(
        applied.contains("action.proton_notify_resource_deployment_status_change.succeeded"),
        "{tf}: the trigger must run the action:\n{applied}"
    );
    assert_eq!(
        environment_status(&proton),
        ("SUCCEEDED".to_string(), Some(Value::from("vpc-0abc"))),
        "{tf}:\n{applied}"
    );

    // A later change to the infrastructure reports the next deployment the same way.
    proton.aws(&[
        "update-environment",
        "--name",
        "selfenv",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        SPEC,
    ]);
    assert_eq!(environment_status(&proton).0, "IN_PROGRESS");
    ws.write_main(&pipeline_config(&arn, "vpc-0def"));
    ws.apply();
    assert_eq!(
        environment_status(&proton),
        ("SUCCEEDED".to_string(), Some(Value::from("vpc-0def"))),
        "{tf}"
    );
}

// Actions exist from Terraform 1.14 on: 1.0.3 never sees them, and OpenTofu's client never calls them.
proton_test_support::terraform_tests!(current: lifecycle_trigger_reports_the_deployment);
