//! Issue 13: the provisioning methods as Proton documents them, end to end. One platform holds a
//! service template that provides a pipeline (no `pipeline_provisioning`), a self-managed
//! environment (a standard template plus `provisioning_repository`, its deployment reported through
//! the AWS CLI as the customer's pipeline would) and a customer-managed environment (a
//! `CUSTOMER_MANAGED` template whose spec holds the outputs). Apply, an empty plan, the plan-time
//! refusals (repository settings, instance count, `pipeline:` inputs without a pipeline, a
//! component's service spec without an instance), and destroy.

use std::time::Duration;

use proton_test_support::deploy::{ROLE, provider, remote, str_attr};
use proton_test_support::{ProtonLocal, Terraform, Workspace, poll_until};
use serde_json::json;

const CONNECTION: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/abc";

fn platform(extra: &str) -> String {
    format!(
        r#"{provider}resource "proton_environment_template" "standard" {{
  name = "standard-env"
}}

resource "proton_environment_template_version" "standard" {{
  template_name = proton_environment_template.standard.name
  status        = "PUBLISHED"
  source        = {{ s3 = {{ bucket = "proton-bundles", key = "vpc-environment-tf.tar.gz" }} }}
}}

resource "proton_environment_template" "imported" {{
  name         = "imported-env"
  provisioning = "CUSTOMER_MANAGED"
}}

resource "proton_environment_template_version" "imported" {{
  template_name = proton_environment_template.imported.name
  status        = "PUBLISHED"
  source        = {{ s3 = {{ bucket = "proton-bundles", key = "imported-environment.tar.gz" }} }}
}}

resource "proton_service_template" "api" {{
  name = "api-svc"
}}

# No Proton pipeline for services of this one (issue 13 item 14: no `pipeline:` inputs either).
resource "proton_service_template" "worker" {{
  name                  = "worker-svc"
  pipeline_provisioning = "CUSTOMER_MANAGED"
}}

resource "proton_service_template_version" "api" {{
  template_name = proton_service_template.api.name
  status        = "PUBLISHED"
  source        = {{ s3 = {{ bucket = "proton-bundles", key = "web-service.tar.gz" }} }}
  compatible_environment_templates = [{{
    template_name = proton_environment_template_version.imported.template_name
    major_version = proton_environment_template_version.imported.major_version
  }}]
}}

resource "proton_repository" "infra" {{
  repository_provider = "GITHUB"
  name                = "org/infra"
  connection_arn      = "{CONNECTION}"
}}

resource "proton_account_settings" "this" {{
  pipeline_service_role_arn = "{ROLE}"
}}

resource "proton_environment" "self_managed" {{
  name                   = "pr-env"
  template_name          = proton_environment_template_version.standard.template_name
  template_major_version = proton_environment_template_version.standard.major_version
  spec                   = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n"
  provisioning_repository = {{
    provider = proton_repository.infra.repository_provider
    name     = proton_repository.infra.name
    branch   = "main"
  }}
}}

# Its spec holds the outputs of infrastructure built outside Proton, including the two the web
# service's instance template reads (environment.outputs.ClusterName and PublicSubnetId).
resource "proton_environment" "imported" {{
  name                    = "imported"
  template_name           = proton_environment_template_version.imported.template_name
  template_major_version  = proton_environment_template_version.imported.major_version
  proton_service_role_arn = "{ROLE}"
  spec                    = "proton: EnvironmentSpec\nspec:\n  vpc_id: vpc-0123\n  cluster: shared\n  ClusterName: shared\n  PublicSubnetId: subnet-0123\n"
}}

resource "proton_service" "api" {{
  name                      = "api"
  template_name             = proton_service_template_version.api.template_name
  template_major_version    = proton_service_template_version.api.major_version
  repository_connection_arn = "{CONNECTION}"
  repository_id             = "org/app"
  branch_name               = "main"
  spec                      = "proton: ServiceSpec\npipeline:\n  stage: build\ninstances:\n  - name: api-imported\n    environment: ${{proton_environment.imported.name}}\n"
  depends_on                = [proton_account_settings.this]
}}
{extra}"#,
        provider = provider("")
    )
}

/// The customer's pipeline: reports the self-managed environment's deployment once Proton asks.
fn report(proton: &ProtonLocal) {
    poll_until(
        "the self-managed deployment",
        Duration::from_secs(300),
        || {
            let env = remote(
                proton,
                &["get-environment", "--name", "pr-env"],
                "environment",
            )?;
            (env["deploymentStatus"] == json!("IN_PROGRESS")).then_some(())
        },
    );
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        "arn:aws:proton:us-east-1:000000000000:environment/pr-env",
        "--status",
        "SUCCEEDED",
        "--outputs",
        "key=vpc_id,valueString=vpc-pr",
    ]);
}

fn methods(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&platform(""));
    std::thread::scope(|scope| {
        scope.spawn(|| report(&proton));
        ws.apply();
    });
    ws.assert_plan_empty();

    let pr = ws.resource_attrs("proton_environment.self_managed");
    assert_eq!(str_attr(&pr, "deployment_status"), "SUCCEEDED", "{tf}");
    assert!(pr["provisioning"].is_null(), "{tf}: a standard template");
    let imported = ws.resource_attrs("proton_environment.imported");
    assert_eq!(
        str_attr(&imported, "provisioning"),
        "CUSTOMER_MANAGED",
        "{tf}"
    );
    let outputs = proton.aws(&["list-environment-outputs", "--environment-name", "imported"]);
    assert_eq!(
        outputs["outputs"],
        json!([
            {"key": "vpc_id", "valueString": "vpc-0123"},
            {"key": "cluster", "valueString": "shared"},
            {"key": "ClusterName", "valueString": "shared"},
            {"key": "PublicSubnetId", "valueString": "subnet-0123"}
        ]),
        "{tf}: a customer-managed environment's outputs are its spec"
    );
    let service = remote(&proton, &["get-service", "--name", "api"], "service")
        .unwrap_or_else(|| panic!("{tf}: no service api"));
    assert_eq!(
        service["pipeline"]["deploymentStatus"],
        json!("SUCCEEDED"),
        "{tf}"
    );

    // Refused at plan: repository settings missing for a template that provides a pipeline (read
    // from Proton), and a spec without instances.
    let missing_repo = r#"
resource "proton_service" "no_repo" {
  name                   = "no-repo"
  template_name          = "api-svc"
  template_major_version = "1"
  spec                   = "proton: ServiceSpec\npipeline:\n  stage: build\ninstances:\n  - name: one\n    environment: imported\n"
}
"#;
    ws.write_main(&platform(missing_repo));
    let err = ws.plan_err();
    assert!(
        err.contains("repository_connection_arn") && err.contains("provides a pipeline"),
        "{tf}:\n{err}"
    );
    let no_instances = r#"
resource "proton_service" "empty" {
  name                      = "empty"
  template_name             = "api-svc"
  template_major_version    = "1"
  repository_connection_arn = "arn:aws:codestar-connections:us-east-1:000000000000:connection/abc"
  repository_id             = "org/app"
  branch_name               = "main"
  spec                      = "proton: ServiceSpec\ninstances: []\n"
}
"#;
    ws.write_main(&platform(no_instances));
    let err = ws.plan_err();
    assert!(
        err.contains("Invalid number of service instances"),
        "{tf}:\n{err}"
    );

    // Item 14: `pipeline:` inputs for a template without a pipeline, and a component's service
    // spec without a service instance.
    let pipeline_inputs = r#"
resource "proton_service" "worker" {
  name                   = "worker"
  template_name          = "worker-svc"
  template_major_version = "1"
  spec                   = "proton: ServiceSpec\npipeline:\n  stage: build\ninstances:\n  - name: one\n    environment: imported\n"
}
"#;
    ws.write_main(&platform(pipeline_inputs));
    let err = ws.plan_err();
    assert!(
        err.contains("Pipeline inputs for a service without a pipeline")
            && err.contains("CUSTOMER_MANAGED")
            && err.contains("spec"),
        "{tf}:\n{err}"
    );
    let loose_spec = r#"
resource "proton_component" "loose" {
  name             = "loose"
  environment_name = "imported"
  template_file    = "Resources: {}\n"
  manifest         = "infrastructure: {}\n"
  service_spec     = "proton: ServiceSpec\n"
}
"#;
    ws.write_main(&platform(loose_spec));
    let err = ws.plan_err();
    assert!(
        err.contains("Service spec without a service instance") && err.contains("service_spec"),
        "{tf}:\n{err}"
    );

    ws.write_main(&platform(""));
    ws.assert_plan_empty();
    ws.destroy();
    let envs = proton.aws(&["list-environments"]);
    assert_eq!(envs["environments"], json!([]), "{tf}");
}

proton_test_support::terraform_tests!(methods);
