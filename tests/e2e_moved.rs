//! `moved` blocks from hashicorp/awscc to this provider, end to end with real Terraform (1.8+ moves
//! across providers; 1.15.5 here): a hand-written awscc-shaped state (ARN `id`, tags as a list of
//! `{key, value}`) for objects that exist in proton-local plans as pure moves, applies, and plans empty.
//!
//! Terraform refuses to plan while state names a provider it cannot start, and the real awscc binary is
//! not available here. So this test binary doubles as a stand-in awscc: started under the name
//! `terraform-provider-awscc` (a symlink Terraform finds through dev_overrides), it serves an engine
//! from this crate's library with awscc's schemas for the three Proton types, whose read returns the
//! stored state. Terraform only needs it to decode the old state; the move itself is
//! MoveResourceState on this provider. Runs without the libtest harness (Cargo.toml: harness = false).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use proton_test_support::{
    PROVIDER_FQN, ProtonLocal, Terraform, Workspace, current_terraform, hcl_string, provider_binary,
};
use serde_json::{Value, json};

use terraform_provider_proton::aws::Proton;
use terraform_provider_proton::engine::{
    BoxFuture, Configured, Ctx, Engine, Error, Failure, ProviderConfig, Resource, ResourceSpec,
    Tags, Timeouts,
};
use terraform_provider_proton::server::plugin::{ServeOptions, run};
use terraform_provider_proton::tf::schema::{Attribute, Block, Nesting, Schema};
use terraform_provider_proton::tf::{Diagnostics, Value as TfValue};

const TEST_NAME: &str = "awscc_state_moves_into_proton_resources_without_recreation";
const FAKE_AWSCC: &str = "terraform-provider-awscc";
const AWSCC_FQN: &str = "registry.terraform.io/hashicorp/awscc";
const ENV_ACCOUNT: &str = "111111111111";
const ROLE: &str = "arn:aws:iam::111111111111:role/proton-provisioning";

fn main() -> ExitCode {
    let invoked_as = std::env::args_os()
        .next()
        .map(|arg0| Path::new(&arg0).file_name().map(|n| n.to_os_string()))
        .unwrap_or_default();
    if invoked_as.as_deref() == Some(FAKE_AWSCC.as_ref()) {
        return stand_in::serve_awscc();
    }
    // Cargo passes libtest's options and filters; honour `--list` and name filters, ignore the rest.
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--list` (as cargo-nextest asks: `--list --format terse`, and again with `--ignored`).
    if args.iter().any(|a| a == "--list") {
        if !args.iter().any(|a| a == "--ignored") {
            println!("{TEST_NAME}: test");
        }
        return ExitCode::SUCCESS;
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let only_ignored = args.iter().any(|a| a == "--ignored");
    if only_ignored
        || (!filters.is_empty() && !filters.iter().any(|f| TEST_NAME.contains(f.as_str())))
    {
        println!("\nrunning 0 tests\n");
        return ExitCode::SUCCESS;
    }
    println!("\nrunning 1 test");
    match catch_unwind(AssertUnwindSafe(awscc_state_moves)) {
        Ok(()) => {
            println!("test {TEST_NAME} ... ok\n\ntest result: ok. 1 passed; 0 failed\n");
            ExitCode::SUCCESS
        }
        Err(_) => {
            println!("test {TEST_NAME} ... FAILED\n\ntest result: FAILED. 0 passed; 1 failed\n");
            ExitCode::FAILURE
        }
    }
}

/// The stand-in awscc provider: awscc's schemas for its three Proton types; reads return the stored
/// state unchanged, and anything that would change a remote object fails.
mod stand_in {
    use super::*;

    struct NoConfig;

    impl ProviderConfig for NoConfig {
        fn schema(&self) -> Schema {
            Schema {
                version: 0,
                block: Block::new(vec![]),
            }
        }

        fn configure<'a>(
            &'a self,
            _config: &'a TfValue,
        ) -> BoxFuture<'a, Result<Configured, Diagnostics>> {
            Box::pin(async {
                let config = aws_sdk_proton::Config::builder()
                    .behavior_version(aws_sdk_proton::config::BehaviorVersion::latest())
                    .build();
                Ok(Configured {
                    api: Arc::new(Proton::new(config)),
                    default_tags: Tags::new(),
                    ignore_tags: Default::default(),
                })
            })
        }
    }

    struct Stored(ResourceSpec);

    fn refuse(what: &str) -> Error {
        Error::Invalid(format!(
            "the stand-in awscc provider cannot {what}: the state should have moved to proton"
        ))
    }

    impl Resource for Stored {
        type Model = Value;

        fn spec(&self) -> ResourceSpec {
            self.0.clone()
        }

        async fn create(&self, _: &Ctx, _: Value) -> Result<Value, Failure<Value>> {
            Err(refuse("create").into())
        }

        async fn read(&self, _: &Ctx, current: Value) -> Result<Option<Value>, Error> {
            Ok(Some(current))
        }

        async fn update(&self, _: &Ctx, _: Value, _: Value) -> Result<Value, Failure<Value>> {
            Err(refuse("update").into())
        }

        async fn delete(&self, _: &Ctx, _: Value) -> Result<(), Error> {
            Err(refuse("delete"))
        }
    }

    fn optional(name: &str) -> Attribute {
        Attribute::string(name).optional_computed()
    }

    fn computed(name: &str) -> Attribute {
        Attribute::string(name).computed()
    }

    /// awscc's tags: `{key, value}` objects, a list or a set depending on the type.
    fn tags(nesting: Nesting) -> Attribute {
        Attribute::nested(
            "tags",
            nesting,
            vec![
                Attribute::string("key").optional(),
                Attribute::string("value").optional(),
            ],
        )
        .optional_computed()
    }

    fn spec(type_name: &'static str, attributes: Vec<Attribute>) -> ResourceSpec {
        ResourceSpec {
            type_name,
            description: "awscc's schema for this type (test stand-in).",
            // awscc's Proton resources are at schema version 1.
            version: 1,
            attributes,
            blocks: vec![],
            identity: &["arn"],
            tags: false,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    fn engine() -> Engine {
        let template = |type_name, provisioning| {
            spec(
                type_name,
                vec![
                    computed("arn"),
                    optional("description"),
                    optional("display_name"),
                    optional("encryption_key"),
                    computed("id"),
                    optional("name"),
                    optional(provisioning),
                    tags(Nesting::List),
                ],
            )
        };
        let connection = spec(
            "awscc_proton_environment_account_connection",
            vec![
                computed("arn"),
                optional("codebuild_role_arn"),
                optional("component_role_arn"),
                computed("environment_account_connection_id"),
                optional("environment_account_id"),
                optional("environment_name"),
                computed("id"),
                optional("management_account_id"),
                optional("role_arn"),
                computed("status"),
                tags(Nesting::Set),
            ],
        );
        Engine::new(
            Box::new(NoConfig),
            vec![
                Box::new(Stored(template(
                    "awscc_proton_environment_template",
                    "provisioning",
                ))),
                Box::new(Stored(template(
                    "awscc_proton_service_template",
                    "pipeline_provisioning",
                ))),
                Box::new(Stored(connection)),
            ],
            vec![],
        )
    }

    pub fn serve_awscc() -> ExitCode {
        let options = ServeOptions {
            debug: false,
            provider_address: AWSCC_FQN.to_string(),
        };
        run(engine(), options, "stand-in awscc")
    }
}

/// CLI configuration: this provider and the stand-in awscc, both through dev_overrides.
fn cli_config(ws: &Workspace, fake_dir: &Path) -> String {
    let proton_dir = provider_binary()
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("provider binary has no directory"));
    let path = ws.dir().join("..").join("moved.tfrc");
    let text = format!(
        "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_FQN}\" = {}\n    \"{AWSCC_FQN}\" = {}\n  }}\n  direct {{}}\n}}\n",
        hcl_string(&proton_dir.to_string_lossy()),
        hcl_string(&fake_dir.to_string_lossy()),
    );
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("write cli config: {e}"));
    path.to_string_lossy().into_owned()
}

fn instance(schema_version: u64, attributes: Value) -> Value {
    json!({
        "schema_version": schema_version,
        "attributes": attributes,
        "sensitive_attributes": [],
    })
}

fn awscc_resource(type_name: &str, name: &str, attributes: Value) -> Value {
    json!({
        "mode": "managed",
        "type": type_name,
        "name": name,
        "provider": format!("provider[\"{AWSCC_FQN}\"]"),
        "instances": [instance(1, attributes)],
    })
}

fn config() -> String {
    format!(
        r#"terraform {{
  required_providers {{
    proton = {{
      source = "proton-community/proton"
    }}
    awscc = {{
      source = "hashicorp/awscc"
    }}
  }}
}}

provider "proton" {{
  region = "us-east-1"
}}

provider "proton" {{
  alias      = "env_account"
  region     = "us-east-1"
  access_key = "envkey"
  secret_key = "envsecret"
}}

resource "proton_environment_template" "network" {{
  name        = "network"
  description = "made with awscc"
  tags = {{
    team = "platform"
  }}
}}

moved {{
  from = awscc_proton_environment_template.network
  to   = proton_environment_template.network
}}

resource "proton_service_template" "web" {{
  name         = "web"
  display_name = "Web service"
  tags = {{
    team = "apps"
    tier = "frontend"
  }}
}}

moved {{
  from = awscc_proton_service_template.web
  to   = proton_service_template.web
}}

resource "proton_environment_account_connection" "prod" {{
  provider              = proton.env_account
  management_account_id = "000000000000"
  environment_name      = "prod"
  role_arn              = "{ROLE}"
  tags = {{
    purpose = "prod"
  }}
}}

moved {{
  from = awscc_proton_environment_account_connection.prod
  to   = proton_environment_account_connection.prod
}}
"#
    )
}

fn awscc_state_moves() {
    let tf = current_terraform();
    let proton = ProtonLocal::start(&[
        "--account",
        "test:test:000000000000",
        "--account",
        &format!("envkey:envsecret:{ENV_ACCOUNT}"),
    ]);
    let network = proton.aws(&[
        "create-environment-template",
        "--name",
        "network",
        "--description",
        "made with awscc",
        "--tags",
        "key=team,value=platform",
    ])["environmentTemplate"]
        .clone();
    let web = proton.aws(&[
        "create-service-template",
        "--name",
        "web",
        "--display-name",
        "Web service",
        "--tags",
        "key=team,value=apps",
        "key=tier,value=frontend",
    ])["serviceTemplate"]
        .clone();
    let connection = proton.cli().credentials("envkey", "envsecret").json(&[
        "create-environment-account-connection",
        "--management-account-id",
        "000000000000",
        "--environment-name",
        "prod",
        "--role-arn",
        ROLE,
        "--tags",
        "key=purpose,value=prod",
    ])["environmentAccountConnection"]
        .clone();
    let text = |value: &Value, key: &str| value[key].as_str().unwrap_or_default().to_string();
    let connection_id = text(&connection, "id");
    let connection_arn = text(&connection, "arn");

    moves_with(&tf, &proton, |state| {
        state["resources"] = json!([
            awscc_resource(
                "awscc_proton_environment_template",
                "network",
                json!({
                    "arn": text(&network, "arn"),
                    "description": "made with awscc",
                    "display_name": null,
                    "encryption_key": null,
                    "id": text(&network, "arn"),
                    "name": "network",
                    "provisioning": null,
                    "tags": [{"key": "team", "value": "platform"}],
                }),
            ),
            awscc_resource(
                "awscc_proton_service_template",
                "web",
                json!({
                    "arn": text(&web, "arn"),
                    "description": null,
                    "display_name": "Web service",
                    "encryption_key": null,
                    "id": text(&web, "arn"),
                    "name": "web",
                    "pipeline_provisioning": null,
                    "tags": [
                        {"key": "team", "value": "apps"},
                        {"key": "tier", "value": "frontend"},
                    ],
                }),
            ),
            awscc_resource(
                "awscc_proton_environment_account_connection",
                "prod",
                json!({
                    "arn": connection_arn,
                    "codebuild_role_arn": null,
                    "component_role_arn": null,
                    "environment_account_connection_id": connection_id,
                    "environment_account_id": ENV_ACCOUNT,
                    "environment_name": "prod",
                    "id": connection_arn,
                    "management_account_id": "000000000000",
                    "role_arn": ROLE,
                    "status": "PENDING",
                    "tags": [{"key": "purpose", "value": "prod"}],
                }),
            ),
        ]);
    });

    // Nothing was re-created or deleted in Proton.
    let templates = proton.aws(&["list-environment-templates"]);
    assert_eq!(templates["templates"].as_array().map(Vec::len), Some(1));
    let same = proton.aws(&["get-environment-template", "--name", "network"]);
    assert_eq!(
        same["environmentTemplate"]["createdAt"],
        network["createdAt"]
    );
    let same = proton.cli().credentials("envkey", "envsecret").json(&[
        "get-environment-account-connection",
        "--id",
        &connection_id,
    ]);
    assert_eq!(
        same["environmentAccountConnection"]["id"],
        connection_id.as_str()
    );
}

fn moves_with(tf: &Terraform, proton: &ProtonLocal, fill: impl FnOnce(&mut Value)) {
    let mut ws = Workspace::new(tf, proton);
    // The stand-in awscc: this test binary, under the name Terraform looks for.
    let fake_dir = ws.dir().join("..").join("awscc-plugin");
    std::fs::create_dir_all(&fake_dir).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    std::os::unix::fs::symlink(&exe, fake_dir.join(FAKE_AWSCC))
        .unwrap_or_else(|e| panic!("symlink: {e}"));
    let tfrc = cli_config(&ws, &fake_dir);
    ws.set_env("TF_CLI_CONFIG_FILE", &tfrc);

    let mut state = json!({
        "version": 4,
        "terraform_version": tf.version_string,
        "serial": 1,
        "lineage": "6f1c1e5e-4c1b-4b53-9a57-8f5f6f0c2a11",
        "outputs": {},
        "resources": [],
        "check_results": null,
    });
    fill(&mut state);
    ws.write(
        "terraform.tfstate",
        &serde_json::to_string_pretty(&state).unwrap_or_default(),
    );
    ws.write("main.tf", &config());

    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}: moves are changes:\n{plan}");
    for (from, to) in [
        (
            "awscc_proton_environment_template.network",
            "proton_environment_template.network",
        ),
        (
            "awscc_proton_service_template.web",
            "proton_service_template.web",
        ),
        (
            "awscc_proton_environment_account_connection.prod",
            "proton_environment_account_connection.prod",
        ),
    ] {
        assert!(
            plan.contains(&format!("# {from} has moved to {to}")),
            "{tf}: no move {from} -> {to} in:\n{plan}"
        );
    }
    assert!(
        plan.contains("Plan: 0 to add, 0 to change, 0 to destroy."),
        "{tf}: the plan must be pure moves:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();

    let network = ws.resource_attrs("proton_environment_template.network");
    assert_eq!(network["tags"], json!({"team": "platform"}));
    assert_eq!(network["description"], "made with awscc");
    let web = ws.resource_attrs("proton_service_template.web");
    assert_eq!(web["tags"], json!({"team": "apps", "tier": "frontend"}));
    let connection = ws.resource_attrs("proton_environment_account_connection.prod");
    assert!(
        connection["id"]
            .as_str()
            .is_some_and(|id| !id.starts_with("arn:")),
        "the connection's id is its UUID: {connection:?}"
    );
    assert_eq!(connection["tags"], json!({"purpose": "prod"}));
    let mut addresses = ws.state_addresses();
    addresses.sort();
    assert_eq!(
        addresses,
        vec![
            "proton_environment_account_connection.prod",
            "proton_environment_template.network",
            "proton_service_template.web",
        ]
    );
}
