//! Every data source end to end: a small Proton estate built in proton-local through the Rust SDK,
//! read by one configuration with real Terraform (1.15.5 and 1.0.3), the values checked against
//! what the AWS CLI reports; plus the not-found errors and invalid filters at plan time.
#![allow(deprecated)] // every aws-sdk-proton operation is marked deprecated

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use aws_sdk_proton::Client;
use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_proton::types::{
    CompatibleEnvironmentTemplateInput, DeploymentStatus, DeploymentUpdateType, RepositoryProvider,
    S3ObjectSource, ServiceStatus, ServiceTemplateSupportedComponentSourceType, Tag, TemplateType,
    TemplateVersionSourceInput, TemplateVersionStatus,
};
use proton_test_support::deploy::{ROLE, provider};
use proton_test_support::{ProtonLocal, Terraform, Workspace, pinned_terraforms, poll_until_async};
use serde_json::{Map, Value, json};

const COMPONENT_ROLE: &str = "arn:aws:iam::000000000000:role/proton-components";
const CONNECTION: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/abc";
const REMOTE_ROLE: &str = "arn:aws:iam::000000000000:role/proton-remote";
/// More environment templates than one ListEnvironmentTemplates page (100) holds.
const BULK_TEMPLATES: usize = 101;
/// How long one step of building the estate may take (registrations and deployments are instant).
const SETUP_LIMIT: Duration = Duration::from_secs(60);

// ------------------------------------------------------------------------------------------------
// The estate, built through the SDK (fast); checked later through the AWS CLI.

fn client(endpoint: &str) -> Client {
    let conf = aws_sdk_proton::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .build();
    Client::from_conf(conf)
}

/// The example bundle `name` (proton-local reads it from the harness's `--bundles`).
fn s3(name: &str) -> TemplateVersionSourceInput {
    TemplateVersionSourceInput::S3(
        S3ObjectSource::builder()
            .bucket(proton_test_support::BUNDLE_BUCKET)
            .key(format!("{name}.tar.gz"))
            .build()
            .expect("s3 source"),
    )
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().expect("tag")
}

/// Registers and publishes a version of the environment template (`major` None: a new major).
async fn environment_version(c: &Client, major: Option<&str>) {
    let created = c
        .create_environment_template_version()
        .template_name("env-tpl")
        .set_major_version(major.map(str::to_string))
        .description("network")
        .source(s3("vpc-environment"))
        .send()
        .await
        .expect("create environment template version")
        .environment_template_version
        .expect("version");
    let (ma, mi) = (created.major_version, created.minor_version);
    poll_until_async(
        "environment template version registered",
        SETUP_LIMIT,
        || async {
            c.get_environment_template_version()
                .template_name("env-tpl")
                .major_version(&ma)
                .minor_version(&mi)
                .send()
                .await
                .ok()
                .and_then(|o| o.environment_template_version)
                .filter(|v| v.status == TemplateVersionStatus::Draft)
        },
    )
    .await;
    c.update_environment_template_version()
        .template_name("env-tpl")
        .major_version(&ma)
        .minor_version(&mi)
        .status(TemplateVersionStatus::Published)
        .send()
        .await
        .expect("publish");
}

async fn environment(c: &Client, name: &str, major: &str, spec: &str) {
    c.create_environment()
        .name(name)
        .template_name("env-tpl")
        .template_major_version(major)
        .spec(spec)
        .proton_service_role_arn(ROLE)
        .component_role_arn(COMPONENT_ROLE)
        .tags(tag("team", "platform"))
        .send()
        .await
        .expect("create environment");
    poll_until_async("environment deployed", SETUP_LIMIT, || async {
        c.get_environment()
            .name(name)
            .send()
            .await
            .ok()
            .and_then(|o| o.environment)
            .filter(|e| e.deployment_status == DeploymentStatus::Succeeded)
    })
    .await;
}

const SERVICE_SPEC: &str = "proton: ServiceSpec\npipeline:\n  stage: build\ninstances:\n  - name: one\n    environment: env-a\n    spec:\n      port: 8080\n  - name: two\n    environment: env-b\n    spec:\n      port: 9090\n";

const FAILING_INSTANCE_SPEC: &str = "proton: ServiceSpec\ninstances:\n  - name: one\n    environment: env-a\n    spec:\n      port: 8080\n      proton_local_fail: \"health check failed\"\n";

async fn build_estate(c: &Client) {
    c.create_environment_template()
        .name("env-tpl")
        .display_name("Network")
        .description("Shared network")
        .tags(tag("owner", "platform"))
        .send()
        .await
        .expect("environment template");
    environment_version(c, None).await; // 1.0
    environment_version(c, Some("1")).await; // 1.1
    environment_version(c, None).await; // 2.0
    for i in 0..BULK_TEMPLATES {
        c.create_environment_template()
            .name(format!("bulk-{i:03}"))
            .send()
            .await
            .expect("bulk template");
    }

    c.create_service_template()
        .name("svc-tpl")
        .description("Web service")
        .send()
        .await
        .expect("service template");
    let compatible = |major: &str| {
        CompatibleEnvironmentTemplateInput::builder()
            .template_name("env-tpl")
            .major_version(major)
            .build()
            .expect("compatible")
    };
    c.create_service_template_version()
        .template_name("svc-tpl")
        .source(s3("web-service"))
        .compatible_environment_templates(compatible("1"))
        .compatible_environment_templates(compatible("2"))
        .supported_component_sources(ServiceTemplateSupportedComponentSourceType::DirectlyDefined)
        .send()
        .await
        .expect("service template version");
    poll_until_async(
        "service template version registered",
        SETUP_LIMIT,
        || async {
            c.get_service_template_version()
                .template_name("svc-tpl")
                .major_version("1")
                .minor_version("0")
                .send()
                .await
                .ok()
                .and_then(|o| o.service_template_version)
                .filter(|v| v.status == TemplateVersionStatus::Draft)
        },
    )
    .await;
    c.update_service_template_version()
        .template_name("svc-tpl")
        .major_version("1")
        .minor_version("0")
        .status(TemplateVersionStatus::Published)
        .send()
        .await
        .expect("publish service template version");

    environment(
        c,
        "env-a",
        "1",
        "proton: EnvironmentSpec\nspec:\n  tier: staging\n",
    )
    .await;
    environment(
        c,
        "env-b",
        "2",
        "proton: EnvironmentSpec\nspec:\n  tier: production\n",
    )
    .await;

    // The service's pipeline (its template has no pipelineProvisioning) needs the pipeline role.
    c.update_account_settings()
        .pipeline_service_role_arn(ROLE)
        .send()
        .await
        .expect("account settings");
    c.create_service()
        .name("svc")
        .template_name("svc-tpl")
        .template_major_version("1")
        .spec(SERVICE_SPEC)
        .repository_connection_arn(CONNECTION)
        .repository_id("org/app")
        .branch_name("main")
        .tags(tag("app", "web"))
        .send()
        .await
        .expect("service");
    poll_until_async("service active", SETUP_LIMIT, || async {
        c.get_service()
            .name("svc")
            .send()
            .await
            .ok()
            .and_then(|o| o.service)
            .filter(|s| s.status == ServiceStatus::Active)
    })
    .await;

    c.create_component()
        .name("comp")
        .environment_name("env-a")
        // The component's outputs are the ones its template declares.
        .template_file("Resources: {}\nOutputs:\n  bucket:\n    Value: logs-bucket\n")
        .manifest("infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n")
        .send()
        .await
        .expect("component");
    poll_until_async("component deployed", SETUP_LIMIT, || async {
        c.get_component()
            .name("comp")
            .send()
            .await
            .ok()
            .and_then(|o| o.component)
            .filter(|x| x.deployment_status == DeploymentStatus::Succeeded)
    })
    .await;

    c.create_repository()
        .provider(RepositoryProvider::Github)
        .name("org/templates")
        .connection_arn(CONNECTION)
        .send()
        .await
        .expect("repository");
    c.create_template_sync_config()
        .template_name("env-tpl")
        .template_type(TemplateType::Environment)
        .repository_provider(RepositoryProvider::Github)
        .repository_name("org/templates")
        .branch("main")
        .subdirectory("env")
        .send()
        .await
        .expect("template sync config");
    c.create_service_sync_config()
        .service_name("svc")
        .repository_provider(RepositoryProvider::Github)
        .repository_name("org/templates")
        .branch("main")
        .file_path("proton/spec.yaml")
        .send()
        .await
        .expect("service sync config");

    // A failed deployment of a synced service blocks its sync.
    c.update_service_instance()
        .service_name("svc")
        .name("one")
        .deployment_type(DeploymentUpdateType::CurrentVersion)
        .spec(FAILING_INSTANCE_SPEC)
        .send()
        .await
        .expect("failing instance update");
    poll_until_async("instance deployment failed", SETUP_LIMIT, || async {
        c.get_service_instance()
            .service_name("svc")
            .name("one")
            .send()
            .await
            .ok()
            .and_then(|o| o.service_instance)
            .filter(|i| i.deployment_status == DeploymentStatus::Failed)
    })
    .await;

    c.create_environment_account_connection()
        .management_account_id("111111111111")
        .environment_name("env-remote")
        .role_arn(REMOTE_ROLE)
        .send()
        .await
        .expect("connection");
}

// ------------------------------------------------------------------------------------------------
// The configuration: every data source at once.

fn config(connection_id: &str, deployment_id: &str) -> String {
    let outputs = |kind: &str, key: &str| {
        format!(
            "data \"proton_{kind}_outputs\" \"x\" {{\n{key}}}\n\n\
             data \"proton_{kind}_provisioned_resources\" \"x\" {{\n{key}}}\n\n"
        )
    };
    format!(
        r#"{provider}
data "proton_environment_template" "env" {{
  name = "env-tpl"
}}

data "proton_environment_templates" "all" {{}}

data "proton_environment_template_version" "recommended" {{
  template_name = "env-tpl"
}}

data "proton_environment_template_version" "major_1" {{
  template_name = "env-tpl"
  major_version = "1"
}}

data "proton_environment_template_version" "exact" {{
  template_name = "env-tpl"
  major_version = "1"
  minor_version = "0"
}}

data "proton_environment_template_versions" "major_1" {{
  template_name = "env-tpl"
  major_version = "1"
}}

data "proton_service_template" "svc" {{
  name = "svc-tpl"
}}

data "proton_service_templates" "all" {{}}

data "proton_service_template_version" "svc" {{
  template_name = "svc-tpl"
}}

data "proton_service_template_versions" "svc" {{
  template_name = "svc-tpl"
}}

data "proton_environment" "a" {{
  name = "env-a"
}}

data "proton_environments" "all" {{}}

data "proton_environments" "major_2" {{
  environment_templates = [{{ template_name = "env-tpl", major_version = "2" }}]
}}

data "proton_service" "svc" {{
  name = "svc"
}}

data "proton_services" "all" {{}}

data "proton_service_pipeline" "svc" {{
  service_name = "svc"
}}

data "proton_service_instance" "two" {{
  service_name = "svc"
  name         = "two"
}}

data "proton_service_instances" "sorted" {{
  service_name = "svc"
  sort_by      = "name"
  sort_order   = "DESCENDING"
}}

data "proton_service_instances" "in_env_a" {{
  filters = [{{ key = "environmentName", value = "env-a" }}]
}}

data "proton_component" "comp" {{
  name = "comp"
}}

data "proton_components" "env_a" {{
  environment_name = "env-a"
}}

data "proton_repository" "templates" {{
  repository_provider = "GITHUB"
  name                = "org/templates"
}}

data "proton_repositories" "all" {{}}

data "proton_repository_sync_definitions" "templates" {{
  repository_provider = "GITHUB"
  repository_name     = "org/templates"
  sync_type           = "TEMPLATE_SYNC"
}}

data "proton_repository_sync_status" "templates" {{
  repository_provider = "GITHUB"
  repository_name     = "org/templates"
  branch              = "main"
  sync_type           = "TEMPLATE_SYNC"
}}

data "proton_template_sync_status" "env" {{
  template_name    = "env-tpl"
  template_type    = "ENVIRONMENT"
  template_version = "1"
}}

data "proton_service_instance_sync_status" "one" {{
  service_name          = "svc"
  service_instance_name = "one"
}}

data "proton_service_sync_blocker_summary" "svc" {{
  service_name = "svc"
}}

data "proton_environment_account_connection" "remote" {{
  id = "{connection_id}"
}}

data "proton_environment_account_connections" "requested" {{
  requested_by = "ENVIRONMENT_ACCOUNT"
}}

data "proton_environment_account_connections" "connected" {{
  requested_by = "ENVIRONMENT_ACCOUNT"
  statuses     = ["CONNECTED"]
}}

data "proton_account_settings" "here" {{}}

data "proton_resources_summary" "here" {{}}

data "proton_deployment" "env_a" {{
  id = "{deployment_id}"
}}

data "proton_deployments" "env_a" {{
  environment_name = "env-a"
}}

{environment}{instance}{pipeline}{component}output "tier" {{
  value = data.proton_environment_outputs.x.outputs["Tier"]
}}

# References into nested attributes (Terraform 1.0 validates these too).
output "nested" {{
  value = {{
    pipeline_status = data.proton_service.svc.pipeline.deployment_status
    first_minor     = data.proton_environment_template_versions.major_1.template_versions[0].status
    template_sync   = data.proton_template_sync_status.env.latest_sync.target_revision.branch
    services_total  = data.proton_resources_summary.here.services.total
  }}
}}
"#,
        provider = provider(""),
        environment = outputs("environment", "  environment_name = \"env-a\"\n"),
        instance = outputs(
            "service_instance",
            "  service_name          = \"svc\"\n  service_instance_name = \"two\"\n"
        ),
        pipeline = outputs("service_pipeline", "  service_name = \"svc\"\n"),
        component = outputs("component", "  component_name = \"comp\"\n"),
    )
}

// ------------------------------------------------------------------------------------------------
// Checks

/// Every data source's attributes in state, by address without the `data.` prefix (one `show`).
fn data_sources(ws: &Workspace) -> Map<String, Value> {
    let state = ws.show_json();
    let resources = state
        .pointer("/values/root_module/resources")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    resources
        .into_iter()
        .filter(|r| r["mode"] == json!("data"))
        .map(|r| {
            let address = r["address"].as_str().unwrap_or_default();
            (
                address.trim_start_matches("data.").to_string(),
                r["values"].clone(),
            )
        })
        .collect()
}

/// AWS CLI answers, asked once and shared by the Terraform versions (the estate does not change).
#[derive(Default)]
struct Cli(RefCell<BTreeMap<Vec<String>, Value>>);

impl Cli {
    fn get(&self, proton: &ProtonLocal, args: &[&str]) -> Value {
        let key: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        if let Some(answer) = self.0.borrow().get(&key) {
            return answer.clone();
        }
        let answer = proton.aws(args);
        self.0.borrow_mut().insert(key, answer.clone());
        answer
    }
}

/// Seconds since the epoch of RFC 3339 text (`2026-01-02T03:04:05.678Z`) or of the AWS CLI's
/// `2026-01-02T03:04:05.678000+00:00`.
fn epoch(text: &str) -> i64 {
    let digits = |from: usize, len: usize| -> i64 {
        text.get(from..from + len)
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| panic!("not a timestamp: {text:?}"))
    };
    let (year, month, day) = (digits(0, 4), digits(5, 2), digits(8, 2));
    let seconds = digits(11, 2) * 3600 + digits(14, 2) * 60 + digits(17, 2);
    assert!(
        text.ends_with('Z') || text.ends_with("+00:00"),
        "not UTC: {text:?}"
    );
    // Days since 1970-01-01 of a civil date (March-based years make leap days come last).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era - 719_468) * 86_400 + seconds
}

fn s<'a>(object: &'a Map<String, Value>, key: &str) -> &'a str {
    object
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{key} is not a string in {object:?}"))
}

/// `pairs` of (state attribute, CLI field) hold the same value; timestamps compare as instants.
fn same(what: &str, state: &Map<String, Value>, cli: &Value, pairs: &[(&str, &str)]) {
    for (ours, theirs) in pairs {
        let (a, b) = (&state[*ours], &cli[*theirs]);
        if ours.ends_with("_at") && a.is_string() {
            // The CLI prints what the service sent: epoch seconds (or ISO text, if configured so).
            let theirs_seconds = match b {
                Value::Number(n) => n.as_f64().map(|f| f.floor() as i64),
                Value::String(text) => Some(epoch(text)),
                _ => None,
            };
            assert_eq!(
                Some(epoch(a.as_str().unwrap_or_default())),
                theirs_seconds,
                "{what}: {ours} {a} vs {theirs} {b}"
            );
        } else {
            assert_eq!(a, b, "{what}: {ours} vs {theirs}");
        }
    }
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|item| item[key].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Reads the configuration with `tf` and checks every data source against the AWS CLI.
fn read_everything(tf: &Terraform, proton: &ProtonLocal, ids: &(String, String), cli: &Cli) {
    let ws = Workspace::new(tf, proton);
    ws.write_main(&config(&ids.0, &ids.1));
    ws.apply();
    let outputs = ws.outputs();
    assert_eq!(outputs["tier"]["value"], json!("staging"), "{tf}");
    assert_eq!(
        outputs["nested"]["value"],
        json!({"pipeline_status": "SUCCEEDED", "first_minor": "PUBLISHED",
               "template_sync": "main", "services_total": 1}),
        "{tf}"
    );
    // Data sources only: nothing to create, and reading again changes nothing.
    ws.assert_plan_empty();

    let aws = |args: &[&str]| cli.get(proton, args);
    let state = data_sources(&ws);
    let data = |_: &Workspace, address: &str| -> Map<String, Value> {
        match state.get(address) {
            Some(Value::Object(values)) => values.clone(),
            other => panic!("{tf}: no data source {address} in state: {other:?}"),
        }
    };

    // Templates and versions.
    let env = data(&ws, "proton_environment_template.env");
    let cli = &aws(&["get-environment-template", "--name", "env-tpl"])["environmentTemplate"];
    same(
        "environment template",
        &env,
        cli,
        &[
            ("arn", "arn"),
            ("display_name", "displayName"),
            ("description", "description"),
            ("recommended_version", "recommendedVersion"),
            ("created_at", "createdAt"),
        ],
    );
    assert_eq!(env["tags"], json!({"owner": "platform"}), "{tf}");
    let all = data(&ws, "proton_environment_templates.all");
    let cli = aws(&["list-environment-templates"]);
    let ours: BTreeSet<String> = names(&all["templates"], "name").into_iter().collect();
    let theirs: BTreeSet<String> = names(&cli["templates"], "name").into_iter().collect();
    assert_eq!(ours.len(), BULK_TEMPLATES + 1, "{tf}: every page is read");
    assert_eq!(ours, theirs, "{tf}");

    let recommended = data(&ws, "proton_environment_template_version.recommended");
    assert_eq!(
        (
            s(&recommended, "major_version"),
            s(&recommended, "minor_version")
        ),
        ("2", "0"),
        "{tf}: the template's recommended version"
    );
    let major_1 = data(&ws, "proton_environment_template_version.major_1");
    assert_eq!(s(&major_1, "minor_version"), "1", "{tf}: newest minor of 1");
    let exact = data(&ws, "proton_environment_template_version.exact");
    let cli = &aws(&[
        "get-environment-template-version",
        "--template-name",
        "env-tpl",
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ])["environmentTemplateVersion"];
    same(
        "environment template version",
        &exact,
        cli,
        &[
            ("arn", "arn"),
            ("status", "status"),
            ("description", "description"),
            ("recommended_minor_version", "recommendedMinorVersion"),
            ("last_modified_at", "lastModifiedAt"),
        ],
    );
    let versions = data(&ws, "proton_environment_template_versions.major_1");
    let mut minors = names(&versions["template_versions"], "minor_version");
    minors.sort();
    assert_eq!(minors, ["0", "1"], "{tf}");

    let svc_tpl = data(&ws, "proton_service_template.svc");
    assert!(
        svc_tpl["pipeline_provisioning"].is_null(),
        "{tf}: Proton provides the pipeline"
    );
    assert_eq!(s(&svc_tpl, "recommended_version"), "1.0");
    let svc_tpls = data(&ws, "proton_service_templates.all");
    assert_eq!(names(&svc_tpls["templates"], "name"), ["svc-tpl"]);
    let svc_version = data(&ws, "proton_service_template_version.svc");
    assert_eq!(
        svc_version["compatible_environment_templates"],
        json!([
            {"template_name": "env-tpl", "major_version": "1"},
            {"template_name": "env-tpl", "major_version": "2"},
        ]),
        "{tf}"
    );
    assert_eq!(
        svc_version["supported_component_sources"],
        json!(["DIRECTLY_DEFINED"])
    );
    let svc_versions = data(&ws, "proton_service_template_versions.svc");
    assert_eq!(
        names(&svc_versions["template_versions"], "status"),
        ["PUBLISHED"]
    );

    // Environments.
    let env_a = data(&ws, "proton_environment.a");
    let cli = &aws(&["get-environment", "--name", "env-a"])["environment"];
    same(
        "environment",
        &env_a,
        cli,
        &[
            ("arn", "arn"),
            ("template_minor_version", "templateMinorVersion"),
            ("spec", "spec"),
            ("deployment_status", "deploymentStatus"),
            ("last_attempted_deployment_id", "lastAttemptedDeploymentId"),
            ("last_deployment_succeeded_at", "lastDeploymentSucceededAt"),
            ("proton_service_role_arn", "protonServiceRoleArn"),
            ("component_role_arn", "componentRoleArn"),
        ],
    );
    assert_eq!(env_a["tags"], json!({"team": "platform"}));
    let all = data(&ws, "proton_environments.all");
    let mut listed = names(&all["environments"], "name");
    listed.sort();
    assert_eq!(listed, ["env-a", "env-b"], "{tf}");
    let major_2 = data(&ws, "proton_environments.major_2");
    assert_eq!(names(&major_2["environments"], "name"), ["env-b"], "{tf}");

    // Services, instances, pipeline.
    let svc = data(&ws, "proton_service.svc");
    let cli = &aws(&["get-service", "--name", "svc"])["service"];
    same(
        "service",
        &svc,
        cli,
        &[
            ("arn", "arn"),
            ("status", "status"),
            ("spec", "spec"),
            ("repository_id", "repositoryId"),
            ("last_modified_at", "lastModifiedAt"),
        ],
    );
    let pipeline = svc["pipeline"]
        .as_object()
        .unwrap_or_else(|| panic!("{tf}: no pipeline"));
    same(
        "service pipeline",
        pipeline,
        &cli["pipeline"],
        &[("arn", "arn"), ("deployment_status", "deploymentStatus")],
    );
    assert_eq!(svc["tags"], json!({"app": "web"}));
    let services = data(&ws, "proton_services.all");
    assert_eq!(names(&services["services"], "name"), ["svc"]);
    let svc_pipeline = data(&ws, "proton_service_pipeline.svc");
    same(
        "pipeline data source",
        &svc_pipeline,
        &cli["pipeline"],
        &[
            ("arn", "arn"),
            ("spec", "spec"),
            ("template_minor_version", "templateMinorVersion"),
            ("last_succeeded_deployment_id", "lastSucceededDeploymentId"),
        ],
    );
    let two = data(&ws, "proton_service_instance.two");
    let cli = &aws(&[
        "get-service-instance",
        "--service-name",
        "svc",
        "--name",
        "two",
    ])["serviceInstance"];
    same(
        "service instance",
        &two,
        cli,
        &[
            ("arn", "arn"),
            ("environment_name", "environmentName"),
            ("spec", "spec"),
            ("deployment_status", "deploymentStatus"),
            ("created_at", "createdAt"),
        ],
    );
    let sorted = data(&ws, "proton_service_instances.sorted");
    assert_eq!(
        names(&sorted["service_instances"], "name"),
        ["two", "one"],
        "{tf}"
    );
    let in_env_a = data(&ws, "proton_service_instances.in_env_a");
    let instances = in_env_a["service_instances"].as_array().cloned();
    let instances = instances.unwrap_or_default();
    assert_eq!(instances.len(), 1, "{tf}: {instances:?}");
    assert_eq!(instances[0]["name"], json!("one"));
    assert_eq!(instances[0]["deployment_status"], json!("FAILED"));

    // Components.
    let comp = data(&ws, "proton_component.comp");
    let cli = &aws(&["get-component", "--name", "comp"])["component"];
    same(
        "component",
        &comp,
        cli,
        &[
            ("arn", "arn"),
            ("environment_name", "environmentName"),
            ("service_spec", "serviceSpec"),
            ("deployment_status", "deploymentStatus"),
        ],
    );
    let comps = data(&ws, "proton_components.env_a");
    assert_eq!(names(&comps["components"], "name"), ["comp"]);

    // Repositories and syncs.
    let repo = data(&ws, "proton_repository.templates");
    let cli = &aws(&[
        "get-repository",
        "--provider",
        "GITHUB",
        "--name",
        "org/templates",
    ])["repository"];
    same(
        "repository",
        &repo,
        cli,
        &[("arn", "arn"), ("connection_arn", "connectionArn")],
    );
    let repos = data(&ws, "proton_repositories.all");
    assert_eq!(names(&repos["repositories"], "name"), ["org/templates"]);
    let definitions = data(&ws, "proton_repository_sync_definitions.templates");
    assert_eq!(
        definitions["sync_definitions"],
        json!([{"target": "env-tpl", "parent": "env-tpl", "branch": "main", "directory": "env"}]),
        "{tf}"
    );
    let repo_status = data(&ws, "proton_repository_sync_status.templates");
    assert_eq!(repo_status["latest_sync"]["status"], json!("SUCCEEDED"));
    let template_status = data(&ws, "proton_template_sync_status.env");
    let cli = aws(&[
        "get-template-sync-status",
        "--template-name",
        "env-tpl",
        "--template-type",
        "ENVIRONMENT",
        "--template-version",
        "1",
    ]);
    assert_eq!(
        template_status["desired_state"]["sha"], cli["desiredState"]["sha"],
        "{tf}"
    );
    assert_eq!(template_status["latest_sync"]["status"], json!("SUCCEEDED"));
    let instance_status = data(&ws, "proton_service_instance_sync_status.one");
    assert_eq!(
        instance_status["latest_sync"]["status"],
        json!("FAILED"),
        "{tf}: a blocked sync"
    );
    let blockers = data(&ws, "proton_service_sync_blocker_summary.svc");
    let cli = aws(&["get-service-sync-blocker-summary", "--service-name", "svc"]);
    let theirs = &cli["serviceSyncBlockerSummary"]["latestBlockers"];
    assert_eq!(
        names(&blockers["latest_blockers"], "id"),
        names(theirs, "id")
    );
    let blocker = &blockers["latest_blockers"][0];
    assert_eq!(blocker["status"], json!("ACTIVE"));
    assert_eq!(blocker["contexts"]["serviceInstanceName"], json!("one"));

    // Connections, settings, summary.
    let remote = data(&ws, "proton_environment_account_connection.remote");
    assert_eq!(s(&remote, "status"), "PENDING");
    assert_eq!(s(&remote, "role_arn"), REMOTE_ROLE);
    let requested = data(&ws, "proton_environment_account_connections.requested");
    assert_eq!(
        names(&requested["environment_account_connections"], "id"),
        vec![ids.0.as_str()]
    );
    let connected = data(&ws, "proton_environment_account_connections.connected");
    assert_eq!(connected["environment_account_connections"], json!([]));
    let settings = data(&ws, "proton_account_settings.here");
    assert_eq!(s(&settings, "pipeline_service_role_arn"), ROLE);
    assert_eq!(s(&settings, "region"), "us-east-1");
    let summary = data(&ws, "proton_resources_summary.here");
    let cli = aws(&["get-resources-summary"]);
    for (ours, theirs) in [
        ("environments", "environments"),
        ("environment_templates", "environmentTemplates"),
        ("service_instances", "serviceInstances"),
        ("components", "components"),
    ] {
        assert_eq!(
            summary[ours]["total"].as_i64(),
            cli["counts"][theirs]["total"].as_i64(),
            "{tf}: {ours}"
        );
    }
    assert_eq!(summary["environments"]["total"], json!(2));

    // Deployments.
    let deployment = data(&ws, "proton_deployment.env_a");
    let cli = &aws(&["get-deployment", "--id", &ids.1])["deployment"];
    same(
        "deployment",
        &deployment,
        cli,
        &[
            ("arn", "arn"),
            ("target_arn", "targetArn"),
            ("target_resource_type", "targetResourceType"),
            ("deployment_status", "deploymentStatus"),
            ("completed_at", "completedAt"),
        ],
    );
    assert_eq!(
        deployment["target_state"]["spec"], cli["targetState"]["environment"]["spec"],
        "{tf}"
    );
    let deployments = data(&ws, "proton_deployments.env_a");
    let cli = aws(&["list-deployments", "--environment-name", "env-a"]);
    assert_eq!(
        names(&deployments["deployments"], "id"),
        names(&cli["deployments"], "id"),
        "{tf}: newest first, as the API lists them"
    );

    // Outputs and provisioned resources.
    for (kind, args, key, value) in [
        (
            "environment",
            vec!["--environment-name", "env-a"],
            "Tier",
            Some("staging"),
        ),
        (
            "service-instance",
            vec!["--service-name", "svc", "--service-instance-name", "two"],
            "Port",
            Some("9090"),
        ),
        (
            "service-pipeline",
            vec!["--service-name", "svc"],
            "BuildProject",
            None,
        ),
        (
            "component",
            vec!["--component-name", "comp"],
            "bucket",
            Some("logs-bucket"),
        ),
    ] {
        let name = kind.replace('-', "_");
        let outputs = data(&ws, &format!("proton_{name}_outputs.x"));
        // Outputs CloudFormation would compute have a stand-in value; the CLI check below covers it.
        match value {
            Some(value) => assert_eq!(outputs["outputs"][key], json!(value), "{tf}: {kind}"),
            None => assert!(
                outputs["outputs"][key].is_string(),
                "{tf}: {kind}: {outputs:?}"
            ),
        }
        let mut cli_args = vec![format!("list-{kind}-outputs")];
        cli_args.extend(args.iter().map(|a| a.to_string()));
        let cli_args: Vec<&str> = cli_args.iter().map(String::as_str).collect();
        let cli = aws(&cli_args);
        let theirs: Vec<Value> = cli["outputs"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|o| json!({"key": o["key"], "value": o["valueString"]}))
            .collect();
        assert_eq!(outputs["output_list"], json!(theirs), "{tf}: {kind}");

        let provisioned = data(&ws, &format!("proton_{name}_provisioned_resources.x"));
        let mut cli_args = vec![format!("list-{kind}-provisioned-resources")];
        cli_args.extend(args.iter().map(|a| a.to_string()));
        let cli_args: Vec<&str> = cli_args.iter().map(String::as_str).collect();
        let cli = aws(&cli_args);
        let theirs: Vec<Value> = cli["provisionedResources"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| {
                json!({"name": r["name"], "identifier": r["identifier"],
                       "provisioning_engine": r["provisioningEngine"]})
            })
            .collect();
        assert!(!theirs.is_empty(), "{kind}: nothing provisioned");
        assert_eq!(
            provisioned["provisioned_resources"],
            json!(theirs),
            "{tf}: {kind}"
        );
    }
}

/// Singular data sources that find nothing fail, naming what they looked for.
fn not_found(tf: &Terraform, proton: &ProtonLocal) {
    let ws = Workspace::new(tf, proton);
    ws.write_main(&format!(
        r#"{}
data "proton_environment" "missing" {{
  name = "nope"
}}

data "proton_service_instance" "missing" {{
  service_name = "svc"
  name         = "nope"
}}

data "proton_environment_template_version" "missing" {{
  template_name = "env-tpl"
  major_version = "7"
}}

data "proton_environment_outputs" "missing" {{
  environment_name = "nope"
}}
"#,
        provider("")
    ));
    // Terraform wraps long diagnostics: compare with single spaces.
    let text = ws
        .plan_err()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for want in [
        "found no environment named \"nope\"",
        "found no instance named \"nope\" of service \"svc\"",
        "found no published version of major version 7 of environment template \"env-tpl\"",
        "found no environment named \"nope\"",
    ] {
        assert!(text.contains(want), "{tf}: missing {want:?} in:\n{text}");
    }
    assert!(text.contains("proton_environment_outputs"), "{tf}:\n{text}");
}

/// Invalid filters and enums are errors at plan time, naming the argument, before any API call.
fn bad_filters(tf: &Terraform, proton: &ProtonLocal) {
    let ws = Workspace::new(tf, proton);
    ws.write_main(&format!(
        r#"{}
data "proton_service_instances" "bad" {{
  filters = [{{ key = "colour", value = "blue" }}]
}}

data "proton_environment_account_connections" "bad" {{
  requested_by = "SOMEONE"
  statuses     = ["PENDING", "LOST"]
}}

data "proton_environments" "bad" {{
  environment_templates = [{{ template_name = "env tpl", major_version = "01" }}]
}}
"#,
        provider("")
    ));
    let lists = || {
        let log = proton.log();
        [
            "ListServiceInstances",
            "ListEnvironments",
            "ListEnvironmentAccountConnections",
        ]
        .iter()
        .map(|op| log.matches(op).count())
        .sum::<usize>()
    };
    let calls_before = lists();
    let text = ws.plan_err();
    for want in [
        "filters[0].key",
        "\"colour\"",
        "requested_by",
        "SOMEONE",
        "statuses",
        "LOST",
        "environment_templates[0].template_name",
        "environment_templates[0].major_version",
    ] {
        assert!(text.contains(want), "{tf}: missing {want:?} in:\n{text}");
    }
    assert_eq!(
        lists(),
        calls_before,
        "{tf}: validation must fail before any API call"
    );
}

#[test]
fn every_data_source_with_terraform_1_15_and_1_0_3() {
    // More templates than Proton's default quota of 100: an account with a raised quota.
    let proton = ProtonLocal::start(&["--log-level", "info", "--quota", "templates=200"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let sdk = client(proton.endpoint());
    runtime.block_on(build_estate(&sdk));
    let connection_id = runtime.block_on(async {
        sdk.list_environment_account_connections()
            .requested_by(
                aws_sdk_proton::types::EnvironmentAccountConnectionRequesterAccountType::EnvironmentAccount,
            )
            .send()
            .await
            .expect("connections")
            .environment_account_connections[0]
            .id
            .clone()
    });
    let deployment_id = s(
        proton.aws(&["get-environment", "--name", "env-a"])["environment"]
            .as_object()
            .unwrap_or_else(|| panic!("no environment")),
        "lastSucceededDeploymentId",
    )
    .to_string();
    let ids = (connection_id, deployment_id);

    let cli = Cli::default();
    let versions = pinned_terraforms();
    // Both unless PROTON_TF_ONLY narrows the choice.
    assert!(!versions.is_empty(), "Terraform 1.15.5 or 1.0.3 is needed");
    for tf in &versions {
        eprintln!("== {tf}");
        read_everything(tf, &proton, &ids, &cli);
        not_found(tf, &proton);
        bad_filters(tf, &proton);
    }
}
