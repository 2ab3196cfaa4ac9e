//! Issue 13's contract rules for components, environment account connections, template version
//! deletes and quotas, each through the real AWS CLI the way the User Guide writes its examples
//! (names like `MySimpleEnv`, specs passed as `file://`). The rows of docs/proton-contract.md name
//! these tests.

use proton_test_support::{AwsCli, ProtonLocal, bundle_source};
use serde_json::Value;

pub(super) const SERVICE_ROLE: &str = "arn:aws:iam::000000000000:role/AWSProtonServiceRole";
const COMPONENT_ROLE: &str = "arn:aws:iam::000000000000:role/ProtonComponentRole";
pub(super) const ENV_SPEC: &str =
    "proton: EnvironmentSpec\nspec:\n  my_sample_input: \"the first\"\n";
pub(super) const SERVICE_SPEC: &str = "proton: ServiceSpec\ninstances:\n  - name: instance-one\n    environment: MySimpleEnv\n    spec:\n      port: 80\n  - name: instance-two\n    environment: MySimpleEnv\n    spec:\n      port: 81\n";
pub(super) const MANIFEST: &str = "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n";
pub(super) const COMPONENT_TEMPLATE: &str = "Resources:\n  MyBucket:\n    Type: AWS::S3::Bucket\n";

/// Writes `text` next to proton-local's files; answers the `file://` form the CLI reads.
pub(super) fn file(proton: &ProtonLocal, name: &str, text: &str) -> String {
    let path = proton.dir().join(name);
    std::fs::write(&path, text).expect("write file");
    format!("file://{}", path.display())
}

pub(super) fn text<'a>(v: &'a Value, object: &str, member: &str) -> &'a str {
    v[object][member]
        .as_str()
        .unwrap_or_else(|| panic!("{object}.{member} missing in {v}"))
}

pub(super) fn assert_code(cli_error: proton_test_support::AwsError, want: &str, why: &str) {
    assert_eq!(cli_error.code, want, "{why}: {}", cli_error.message);
}

/// Registers and publishes the next version of a template (`kind` = environment or service).
pub(super) fn publish(
    proton: &ProtonLocal,
    kind: &str,
    template: &str,
    extra: &[&str],
) -> (String, String) {
    // The service template has no pipeline (CUSTOMER_MANAGED): the worker bundle has none.
    let bundle = if kind == "environment" {
        "vpc-environment"
    } else {
        "worker-service"
    };
    publish_bundle(proton, kind, template, bundle, extra)
}

/// `publish`, from the example bundle `bundle`.
pub(super) fn publish_bundle(
    proton: &ProtonLocal,
    kind: &str,
    template: &str,
    bundle: &str,
    extra: &[&str],
) -> (String, String) {
    let mut create = vec![
        format!("create-{kind}-template-version"),
        "--template-name".into(),
        template.into(),
        "--description".into(),
        "Version 1".into(),
        "--source".into(),
        bundle_source(bundle),
    ];
    create.extend(extra.iter().map(|s| s.to_string()));
    let create: Vec<&str> = create.iter().map(String::as_str).collect();
    let key = format!("{kind}TemplateVersion");
    let created = proton.aws(&create);
    let major = created[&key]["majorVersion"]
        .as_str()
        .expect("major")
        .to_string();
    let minor = created[&key]["minorVersion"]
        .as_str()
        .expect("minor")
        .to_string();
    proton.aws(&[
        &format!("update-{kind}-template-version"),
        "--template-name",
        template,
        "--major-version",
        &major,
        "--minor-version",
        &minor,
        "--status",
        "PUBLISHED",
    ]);
    (major, minor)
}

/// The environment template `simple-env` 1.0 and the environment `MySimpleEnv` (with a component
/// role), deployed.
pub(super) fn environment(proton: &ProtonLocal) {
    proton.aws(&[
        "create-environment-template",
        "--name",
        "simple-env",
        "--display-name",
        "Fargate",
        "--description",
        "VPC with public access",
    ]);
    publish(proton, "environment", "simple-env", &[]);
    let spec = file(proton, "env-spec.yaml", ENV_SPEC);
    proton.aws(&[
        "create-environment",
        "--name",
        "MySimpleEnv",
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--proton-service-role-arn",
        SERVICE_ROLE,
        "--component-role-arn",
        COMPONENT_ROLE,
        "--spec",
        &spec,
    ]);
    proton.aws(&["wait", "environment-deployed", "--name", "MySimpleEnv"]);
}

/// `environment`, plus the pipeline-less service template `fargate-service` (1.0, directly
/// defined components allowed) and the service `MySimpleService` with instance-one and
/// instance-two in MySimpleEnv.
pub(super) fn platform(proton: &ProtonLocal) {
    environment(proton);
    proton.aws(&[
        "create-service-template",
        "--name",
        "fargate-service",
        "--display-name",
        "Fargate",
        "--description",
        "Fargate-based service",
        "--pipeline-provisioning",
        "CUSTOMER_MANAGED",
    ]);
    publish(
        proton,
        "service",
        "fargate-service",
        &[
            "--compatible-environment-templates",
            r#"[{"templateName":"simple-env","majorVersion":"1"}]"#,
            "--supported-component-sources",
            "DIRECTLY_DEFINED",
        ],
    );
    let spec = file(proton, "svc-spec.yaml", SERVICE_SPEC);
    proton.aws(&[
        "create-service",
        "--name",
        "MySimpleService",
        "--template-name",
        "fargate-service",
        "--template-major-version",
        "1",
        "--spec",
        &spec,
    ]);
    proton.aws(&["wait", "service-created", "--name", "MySimpleService"]);
}

/// `aws proton create-component` attached to `instance` of MySimpleService (or, with None, on
/// MySimpleEnv), then waits for its deployment.
pub(super) fn component(proton: &ProtonLocal, name: &str, instance: Option<&str>) {
    let template = file(proton, "cloudformation.yaml", COMPONENT_TEMPLATE);
    let manifest = file(proton, "manifest.yaml", MANIFEST);
    let mut args = vec![
        "create-component",
        "--name",
        name,
        "--template-file",
        &template,
        "--manifest",
        &manifest,
    ];
    let spec;
    match instance {
        Some(instance) => {
            spec = file(proton, "service-spec.yaml", SERVICE_SPEC);
            args.extend([
                "--service-name",
                "MySimpleService",
                "--service-instance-name",
                instance,
                "--service-spec",
                &spec,
            ]);
        }
        None => args.extend(["--environment-name", "MySimpleEnv"]),
    }
    proton.aws(&args);
    proton.aws(&["wait", "component-deployed", "--name", name]);
}

/// `aws proton update-component ... --service-name "" --service-instance-name ""`: the detach.
fn detach(proton: &ProtonLocal, name: &str) -> Value {
    proton.aws(&[
        "update-component",
        "--name",
        name,
        "--deployment-type",
        "CURRENT_VERSION",
        "--service-name",
        "",
        "--service-instance-name",
        "",
    ])
}

#[test]
fn attached_component_is_deleted_only_after_a_detach() {
    let proton = ProtonLocal::start(&[]);
    platform(&proton);
    component(&proton, "MyComponent", Some("instance-one"));

    let refused = proton.aws_err(&["delete-component", "--name", "MyComponent"]);
    assert_code(refused, "ConflictException", "an attached component");
    let detached = detach(&proton, "MyComponent");
    assert!(
        detached["component"]["serviceInstanceName"]
            .as_str()
            .is_none_or(str::is_empty)
    );
    proton.aws(&["wait", "component-deployed", "--name", "MyComponent"]);
    let deleting = proton.aws(&["delete-component", "--name", "MyComponent"]);
    assert_eq!(
        text(&deleting, "component", "deploymentStatus"),
        "DELETE_IN_PROGRESS"
    );
    proton.aws(&["wait", "component-deleted", "--name", "MyComponent"]);
}

#[test]
fn component_moves_between_instances_only_through_a_detach() {
    let proton = ProtonLocal::start(&[]);
    platform(&proton);
    component(&proton, "MyComponent", Some("instance-one"));

    let moved = proton.aws_err(&[
        "update-component",
        "--name",
        "MyComponent",
        "--deployment-type",
        "CURRENT_VERSION",
        "--service-name",
        "MySimpleService",
        "--service-instance-name",
        "instance-two",
    ]);
    assert_code(moved, "ConflictException", "a move without a detach");
    detach(&proton, "MyComponent");
    proton.aws(&["wait", "component-deployed", "--name", "MyComponent"]);
    let attached = proton.aws(&[
        "update-component",
        "--name",
        "MyComponent",
        "--deployment-type",
        "CURRENT_VERSION",
        "--service-name",
        "MySimpleService",
        "--service-instance-name",
        "instance-two",
    ]);
    assert_eq!(
        text(&attached, "component", "serviceInstanceName"),
        "instance-two"
    );
}

#[test]
fn component_is_not_updated_while_its_instance_deploys() {
    let state = tempfile::tempdir().expect("tempdir");
    let state = state.path().join("state.json");
    let state = state.to_str().expect("utf-8 path");
    let proton = ProtonLocal::start(&["--state", state]);
    platform(&proton);
    component(&proton, "MyComponent", Some("instance-one"));
    // Deployments from now on last long enough to be caught running.
    let proton = proton.restart(&["--state", state, "--deploy-seconds", "30"]);

    let spec = file(&proton, "svc-spec.yaml", SERVICE_SPEC);
    let updating = proton.aws(&[
        "update-service-instance",
        "--name",
        "instance-one",
        "--service-name",
        "MySimpleService",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        &spec,
    ]);
    assert_eq!(
        text(&updating, "serviceInstance", "deploymentStatus"),
        "IN_PROGRESS"
    );
    let refused = proton.aws_err(&[
        "update-component",
        "--name",
        "MyComponent",
        "--deployment-type",
        "NONE",
        "--description",
        "while the instance deploys",
    ]);
    assert_code(
        refused,
        "ConflictException",
        "the attached instance is IN_PROGRESS",
    );
}

#[test]
fn components_block_deleting_what_they_are_attached_to() {
    let proton = ProtonLocal::start(&[]);
    platform(&proton);
    component(&proton, "MyComponent", Some("instance-one"));

    let refused = proton.aws_err(&["delete-service", "--name", "MySimpleService"]);
    assert_code(
        refused,
        "ConflictException",
        "a service with an attached component",
    );
    let only_two = "proton: ServiceSpec\ninstances:\n  - name: instance-two\n    environment: MySimpleEnv\n    spec:\n      port: 81\n";
    let only_two = file(&proton, "svc-spec-two.yaml", only_two);
    let refused = proton.aws_err(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &only_two,
    ]);
    assert_code(
        refused,
        "ConflictException",
        "removing an instance with an attached component",
    );

    // With the service gone, a component directly on the environment still holds it.
    detach(&proton, "MyComponent");
    proton.aws(&["wait", "component-deployed", "--name", "MyComponent"]);
    proton.aws(&["delete-service", "--name", "MySimpleService"]);
    proton.aws(&["wait", "service-deleted", "--name", "MySimpleService"]);
    let refused = proton.aws_err(&["delete-environment", "--name", "MySimpleEnv"]);
    assert_code(
        refused,
        "ConflictException",
        "an environment with a component",
    );
    proton.aws(&["delete-component", "--name", "MyComponent"]);
    proton.aws(&["wait", "component-deleted", "--name", "MyComponent"]);
    proton.aws(&["delete-environment", "--name", "MySimpleEnv"]);
}

// --- Environment account connections ----------------------------------------------------------

pub(super) const ENV_ACCOUNT: &str = "111111111111";

pub(super) fn two_accounts() -> ProtonLocal {
    ProtonLocal::start(&[
        "--account",
        "test:test:000000000000",
        "--account",
        &format!("envkey:envsecret:{ENV_ACCOUNT}"),
    ])
}

pub(super) fn environment_account(proton: &ProtonLocal) -> AwsCli {
    proton.cli().credentials("envkey", "envsecret")
}

/// In the environment account: `aws proton create-environment-account-connection`; in the
/// management account: `aws proton accept-environment-account-connection`. Answers the id.
pub(super) fn connect(proton: &ProtonLocal) -> String {
    let requested = environment_account(proton).json(&[
        "create-environment-account-connection",
        "--environment-name",
        "simple-env-connected",
        "--role-arn",
        "arn:aws:iam::111111111111:role/ProtonEnvAccountRole",
        "--management-account-id",
        "000000000000",
    ]);
    let id = text(&requested, "environmentAccountConnection", "id").to_string();
    proton.aws(&["accept-environment-account-connection", "--id", &id]);
    id
}

/// The management account's environment `simple-env-connected`, provisioned through `connection`.
pub(super) fn connected_environment(proton: &ProtonLocal, connection: &str) {
    proton.aws(&["create-environment-template", "--name", "simple-env"]);
    publish(proton, "environment", "simple-env", &[]);
    let spec = file(proton, "env-spec.yaml", ENV_SPEC);
    proton.aws(&[
        "create-environment",
        "--name",
        "simple-env-connected",
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--environment-account-connection-id",
        connection,
        "--spec",
        &spec,
    ]);
    proton.aws(&[
        "wait",
        "environment-deployed",
        "--name",
        "simple-env-connected",
    ]);
}

#[test]
fn only_the_environment_account_deletes_or_updates_a_connection() {
    let proton = two_accounts();
    let id = connect(&proton);

    let refused = proton.aws_err(&[
        "update-environment-account-connection",
        "--id",
        &id,
        "--role-arn",
        "arn:aws:iam::111111111111:role/OtherRole",
    ]);
    assert_code(
        refused,
        "AccessDeniedException",
        "update from the management account",
    );
    let refused = proton.aws_err(&["delete-environment-account-connection", "--id", &id]);
    assert_code(
        refused,
        "AccessDeniedException",
        "delete from the management account",
    );
    assert_eq!(
        text(
            &proton.aws(&["get-environment-account-connection", "--id", &id]),
            "environmentAccountConnection",
            "status"
        ),
        "CONNECTED"
    );
    let deleted =
        environment_account(&proton).json(&["delete-environment-account-connection", "--id", &id]);
    assert_eq!(text(&deleted, "environmentAccountConnection", "id"), id);
    let gone = proton.aws_err(&["get-environment-account-connection", "--id", &id]);
    assert_code(gone, "ResourceNotFoundException", "after the delete");
}

#[test]
fn connection_in_use_is_deleted_but_not_rejected() {
    let proton = two_accounts();
    let id = connect(&proton);
    connected_environment(&proton, &id);

    let refused = proton.aws_err(&["reject-environment-account-connection", "--id", &id]);
    assert_code(
        refused,
        "ConflictException",
        "rejecting a connection in use",
    );
    environment_account(&proton).json(&["delete-environment-account-connection", "--id", &id]);

    // Stranded until a new connection for the same account and environment is accepted.
    let stranded = proton.aws(&["get-environment", "--name", "simple-env-connected"]);
    assert_eq!(
        text(&stranded, "environment", "environmentAccountConnectionId"),
        id
    );
    let new_id = connect(&proton);
    let back = proton.aws(&["get-environment", "--name", "simple-env-connected"]);
    assert_eq!(
        text(&back, "environment", "environmentAccountConnectionId"),
        new_id
    );
    assert_eq!(
        text(&back, "environment", "environmentAccountId"),
        ENV_ACCOUNT
    );
}

#[test]
fn connection_component_role_decides_on_a_connected_environment() {
    let proton = two_accounts();
    let id = connect(&proton);
    // The environment names its own component role; the connection has none.
    proton.aws(&["create-environment-template", "--name", "simple-env"]);
    publish(&proton, "environment", "simple-env", &[]);
    let spec = file(&proton, "env-spec.yaml", ENV_SPEC);
    proton.aws(&[
        "create-environment",
        "--name",
        "simple-env-connected",
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--environment-account-connection-id",
        &id,
        "--component-role-arn",
        COMPONENT_ROLE,
        "--spec",
        &spec,
    ]);
    proton.aws(&[
        "wait",
        "environment-deployed",
        "--name",
        "simple-env-connected",
    ]);
    let template = file(&proton, "cloudformation.yaml", COMPONENT_TEMPLATE);
    let manifest = file(&proton, "manifest.yaml", MANIFEST);
    let create = [
        "create-component",
        "--name",
        "MyComponent",
        "--environment-name",
        "simple-env-connected",
        "--template-file",
        &template,
        "--manifest",
        &manifest,
    ];
    let refused = proton.aws_err(&create);
    assert_code(
        refused.clone(),
        "ValidationException",
        "a connection without a component role",
    );
    assert!(refused.message.contains(&id), "{}", refused.message);

    // The environment account gives the connection a component role: components are allowed.
    environment_account(&proton).json(&[
        "update-environment-account-connection",
        "--id",
        &id,
        "--component-role-arn",
        "arn:aws:iam::111111111111:role/ProtonComponentRole",
    ]);
    proton.aws(&create);
    proton.aws(&["wait", "component-deployed", "--name", "MyComponent"]);
}

// --- Quotas -------------------------------------------------------------------------------------

#[test]
fn templates_of_both_kinds_share_one_quota() {
    let proton = ProtonLocal::start(&["--quota", "templates=4"]);
    for name in ["simple-env", "simple-env-2"] {
        proton.aws(&["create-environment-template", "--name", name]);
    }
    for name in ["fargate-service", "fargate-service-2"] {
        proton.aws(&["create-service-template", "--name", name]);
    }
    let refused = proton.aws_err(&["create-service-template", "--name", "fargate-service-3"]);
    assert_code(refused, "ServiceQuotaExceededException", "a fifth template");
    let refused = proton.aws_err(&["create-environment-template", "--name", "simple-env-3"]);
    assert_code(refused, "ServiceQuotaExceededException", "a fifth template");
}

#[test]
fn an_environment_account_has_five_connections_per_region() {
    let proton = two_accounts();
    let env = environment_account(&proton);
    let request = |name: &str| {
        env.run(&[
            "create-environment-account-connection",
            "--environment-name",
            name,
            "--role-arn",
            "arn:aws:iam::111111111111:role/ProtonEnvAccountRole",
            "--management-account-id",
            "000000000000",
        ])
    };
    for n in 1..=5 {
        request(&format!("simple-env-{n}")).expect("within the quota");
    }
    let refused = request("simple-env-6").expect_err("a sixth connection");
    assert_code(
        refused,
        "ServiceQuotaExceededException",
        "a sixth connection",
    );
}

// --- Rendering and self-managed components ----------------------------------------------------

/// A directly defined component's CloudFormation template, with the names the User Guide gives
/// components (comp-parameters): `component`, `service`, `service_instance`, `environment`.
const QUEUE_TEMPLATE: &str = r#"Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: '{{ component.name }}-{{ service.name }}-{{ service_instance.name }}'
Outputs:
  QueueName:
    Value: '{{ component.name }}-{{ service_instance.inputs.queue_name }}'
  QueueArn:
    Value: !GetAtt Queue.Arn
  Tier:
    Value: '{{ environment.outputs.Tier }}'
"#;

/// `(key, valueString)` pairs of a `list-*-outputs` answer, sorted.
fn output_pairs(listed: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = listed["outputs"]
        .as_array()
        .unwrap_or_else(|| panic!("no outputs in {listed}"))
        .iter()
        .map(|o| {
            let field = |m: &str| o[m].as_str().unwrap_or_default().to_string();
            (field("key"), field("valueString"))
        })
        .collect();
    pairs.sort();
    pairs
}

/// `aws proton create-component` with `--template-file` and `--manifest` files.
fn create_component(proton: &ProtonLocal, name: &str, template: &str, manifest: &str, at: &[&str]) {
    let template = file(proton, &format!("{name}-template"), template);
    let manifest = file(proton, &format!("{name}-manifest.yaml"), manifest);
    let mut args = vec![
        "create-component",
        "--name",
        name,
        "--template-file",
        &template,
        "--manifest",
        &manifest,
    ];
    args.extend(at);
    proton.aws(&args);
}

#[test]
fn component_template_renders_with_the_component_namespace() {
    let rendered = tempfile::tempdir().expect("tempdir");
    let proton = ProtonLocal::start(&["--rendered", rendered.path().to_str().expect("utf-8")]);
    platform(&proton);
    let spec = file(&proton, "service-spec.yaml", SERVICE_SPEC);
    create_component(
        &proton,
        "MyQueue",
        QUEUE_TEMPLATE,
        MANIFEST,
        &[
            "--service-name",
            "MySimpleService",
            "--service-instance-name",
            "instance-one",
            "--service-spec",
            &spec,
        ],
    );
    proton.aws(&["wait", "component-deployed", "--name", "MyQueue"]);

    // Outputs are the template's: a plain value as rendered (the schema's default for
    // queue_name, the environment's Tier output), a computed one as a stand-in.
    let outputs =
        output_pairs(&proton.aws(&["list-component-outputs", "--component-name", "MyQueue"]));
    let names: Vec<&str> = outputs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["QueueArn", "QueueName", "Tier"], "{outputs:?}");
    assert!(outputs[0].1.starts_with("proton-local:AWSProton-MyQueue-"));
    assert_eq!(outputs[1].1, "MyQueue-jobs");
    assert_eq!(outputs[2].1, "development");

    // The rendered file is kept in the documented folder, per deployment.
    let got = proton.aws(&["get-component", "--name", "MyQueue"]);
    let id = text(&got, "component", "lastSucceededDeploymentId");
    let kept = rendered
        .path()
        .join("000000000000/us-east-1/components/MyQueue")
        .join(id)
        .join("cloudformation.yaml");
    let kept = std::fs::read_to_string(&kept).unwrap_or_else(|e| panic!("{}: {e}", kept.display()));
    assert!(
        kept.contains("QueueName: 'MyQueue-MySimpleService-instance-one'"),
        "{kept}"
    );
}

/// Waits for component `name`'s deployment, which must fail; answers its `deploymentStatusMessage`.
fn failed_deployment(proton: &ProtonLocal, name: &str) -> String {
    proton.aws_err(&["wait", "component-deployed", "--name", name]);
    let got = proton.aws(&["get-component", "--name", name]);
    assert_eq!(text(&got, "component", "deploymentStatus"), "FAILED");
    text(&got, "component", "deploymentStatusMessage").to_string()
}

#[test]
fn component_that_does_not_render_fails_its_deployment() {
    let proton = ProtonLocal::start(&[]);
    environment(&proton);
    // On the environment, a component has no service or service instance to refer to.
    create_component(
        &proton,
        "Unattached",
        QUEUE_TEMPLATE,
        MANIFEST,
        &["--environment-name", "MySimpleEnv"],
    );
    let message = failed_deployment(&proton, "Unattached");
    assert!(
        message.starts_with("Rendering cloudformation.yaml failed:") && message.contains("service"),
        "{message}"
    );

    // The manifest decides the engine; CodeBuild is not one a component can use.
    let codebuild = "infrastructure:\n  templates:\n    - rendering_engine: codebuild\n      settings:\n        image: aws/codebuild/amazonlinux2-x86_64-standard:4.0\n";
    create_component(
        &proton,
        "Built",
        COMPONENT_TEMPLATE,
        codebuild,
        &["--environment-name", "MySimpleEnv"],
    );
    let message = failed_deployment(&proton, "Built");
    assert!(
        message.starts_with("The component's manifest:") && message.contains("CodeBuild"),
        "{message}"
    );
}

const TF_COMPONENT_MANIFEST: &str = "infrastructure:\n  templates:\n    - file: main.tf\n      rendering_engine: hcl\n      template_language: terraform\n";

/// Terraform that needs no provider, so it applies offline.
const TF_COMPONENT: &str = r#"output "queue_name" {
  value = "${var.component.name}-${var.environment.name}"
}
"#;

/// A component in an environment with self-managed provisioning (which needs no component role):
/// proton-local writes its Terraform into the environment's repository folder, the real Terraform
/// applies it, and the notification completes the deployment with Terraform's outputs.
#[test]
fn self_managed_component_waits_for_its_notification() {
    for tf in proton_test_support::pinned_terraforms() {
        self_managed_component(&tf);
    }
}

fn self_managed_component(tf: &proton_test_support::Terraform) {
    let repos = tempfile::tempdir().expect("tempdir");
    let proton = ProtonLocal::start(&["--repositories", repos.path().to_str().expect("utf-8")]);
    proton.aws(&["create-environment-template", "--name", "pr-env-template"]);
    // Self-managed provisioning is Terraform's.
    publish_bundle(
        &proton,
        "environment",
        "pr-env-template",
        "vpc-environment-tf",
        &[],
    );
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myrepos/env-repo",
        "--connection-arn",
        "arn:aws:codestar-connections:us-east-1:000000000000:connection/x",
    ]);
    let env_spec = file(
        &proton,
        "env-spec.yaml",
        "proton: EnvironmentSpec\nspec: {}\n",
    );
    let env = proton.aws(&[
        "create-environment",
        "--name",
        "pr-environment",
        "--template-name",
        "pr-env-template",
        "--template-major-version",
        "1",
        "--provisioning-repository",
        "branch=main,name=myrepos/env-repo,provider=GITHUB",
        "--spec",
        &env_spec,
    ]);
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        text(&env, "environment", "arn"),
        "--status",
        "SUCCEEDED",
    ]);

    create_component(
        &proton,
        "MyQueue",
        TF_COMPONENT,
        TF_COMPONENT_MANIFEST,
        &["--environment-name", "pr-environment"],
    );
    let got = proton.aws(&["get-component", "--name", "MyQueue"]);
    assert_eq!(text(&got, "component", "deploymentStatus"), "IN_PROGRESS");
    let arn = text(&got, "component", "arn").to_string();

    // The pull request's content: <env>/<component>/ (the repository has no environments/ folder).
    let dir = repos.path().join("myrepos/env-repo/pr-environment/MyQueue");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "main.tf",
            "proton.auto.tfvars.json",
            "proton.component.variables.tf"
        ]
    );
    let tfvars: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("proton.auto.tfvars.json")).expect("tfvars"),
    )
    .expect("JSON");
    assert_eq!(tfvars["component"]["name"], "MyQueue");
    assert_eq!(tfvars["environment"]["name"], "pr-environment");
    assert_eq!(tfvars["proton_tags"]["proton:component"], arn.as_str());

    // The repository's automation: Terraform applies the folder, then reports back.
    crate::rendering::terraform(tf, &dir, &["init", "-input=false", "-no-color"]);
    let applied = ["apply", "-auto-approve", "-input=false", "-no-color"];
    crate::rendering::terraform(tf, &dir, &applied);
    let name = crate::rendering::terraform(tf, &dir, &["output", "-raw", "queue_name"]);
    assert_eq!(name, "MyQueue-pr-environment");
    let still = proton.aws(&["get-component", "--name", "MyQueue"]);
    assert_eq!(text(&still, "component", "deploymentStatus"), "IN_PROGRESS");
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        &arn,
        "--status",
        "SUCCEEDED",
        "--outputs",
        "key=queue_name,valueString=MyQueue-pr-environment",
    ]);
    let done = proton.aws(&["get-component", "--name", "MyQueue"]);
    assert_eq!(text(&done, "component", "deploymentStatus"), "SUCCEEDED");
    assert_eq!(
        output_pairs(&proton.aws(&["list-component-outputs", "--component-name", "MyQueue"])),
        [(
            "queue_name".to_string(),
            "MyQueue-pr-environment".to_string()
        )]
    );

    // Terraform that does not parse opens no pull request: the deployment fails on its own.
    create_component(
        &proton,
        "Broken",
        "output \"x\" {\n",
        TF_COMPONENT_MANIFEST,
        &["--environment-name", "pr-environment"],
    );
    let message = failed_deployment(&proton, "Broken");
    assert!(
        message.starts_with("main.tf is not valid Terraform"),
        "{message}"
    );
}

#[test]
fn notify_refuses_a_component_proton_provisions() {
    let proton = ProtonLocal::start(&[]);
    environment(&proton);
    create_component(
        &proton,
        "MyBucket",
        COMPONENT_TEMPLATE,
        MANIFEST,
        &["--environment-name", "MySimpleEnv"],
    );
    proton.aws(&["wait", "component-deployed", "--name", "MyBucket"]);
    let got = proton.aws(&["get-component", "--name", "MyBucket"]);
    let refused = proton.aws_err(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        text(&got, "component", "arn"),
        "--status",
        "SUCCEEDED",
    ]);
    assert_code(refused, "ValidationException", "an AWS-managed component");
}
