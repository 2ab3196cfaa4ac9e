//! The tfplugin6 Provider service in-process over real gRPC (no Terraform): schemas, validation with
//! attribute paths, plan rules and import, as Terraform would call them.

use std::sync::Arc;

use terraform_provider_proton::engine::{Action, ActionSpec, Ctx, Engine, Error, Progress};
use terraform_provider_proton::provider::{self, AwsProvider};
use terraform_provider_proton::server::proto::tfplugin6 as pb;
use terraform_provider_proton::server::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_proton::server::proto::tfplugin6::provider_server::ProviderServer;
use terraform_provider_proton::server::provider_service::ProviderService;
use terraform_provider_proton::tf::codec::{decode_msgpack, encode_msgpack};
use terraform_provider_proton::tf::schema::{Attribute, Validator};
use terraform_provider_proton::tf::{Type, Value};
use terraform_provider_proton::{data_sources, resources};
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::Channel;

const TEMPLATE: &str = "proton_environment_template";

struct Harness {
    client: ProviderClient<Channel>,
    engine: Arc<Engine>,
}

async fn start() -> Harness {
    start_with(provider::engine()).await
}

async fn start_with(engine: Engine) -> Harness {
    let engine = Arc::new(engine);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let service = ProviderService::new(engine.clone());
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(ProviderServer::new(service))
            .serve_with_incoming(TcpListenerStream::new(listener))
            .await
            .expect("serve");
    });
    let client = ProviderClient::connect(format!("http://{address}"))
        .await
        .expect("connect");
    Harness { client, engine }
}

fn template_type(engine: &Engine) -> Type {
    engine.resource(TEMPLATE).expect("registered").ty.clone()
}

/// A full object of the resource's type with the given attributes set, the rest null.
fn object(ty: &Type, set: &[(&str, Value)]) -> Value {
    let Type::Object { attributes, .. } = ty else {
        panic!("resource type is an object");
    };
    Value::Object(
        attributes
            .keys()
            .map(|name| {
                let value = set
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Null);
                (name.clone(), value)
            })
            .collect(),
    )
}

fn dynamic(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(value, ty).expect("encodes"),
        json: Vec::new(),
    })
}

fn paths(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    use pb::attribute_path::step::Selector;
    diagnostics
        .iter()
        .map(|d| {
            d.attribute
                .as_ref()
                .map(|p| {
                    p.steps
                        .iter()
                        .map(|s| match &s.selector {
                            Some(Selector::AttributeName(n)) => n.clone(),
                            Some(Selector::ElementKeyString(k)) => format!("[{k:?}]"),
                            Some(Selector::ElementKeyInt(i)) => format!("[{i}]"),
                            None => "?".into(),
                        })
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Configures the provider against a closed local port with credentials given explicitly, so nothing
/// is looked up on this machine.
async fn configure(harness: &mut Harness) {
    let diagnostics = configure_with(harness, &[]).await;
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

/// ConfigureProvider with the settings of [`configure`] and `overrides`; its diagnostics.
async fn configure_with(harness: &mut Harness, overrides: &[(&str, Value)]) -> Vec<pb::Diagnostic> {
    configure_as(harness, overrides, None).await
}

/// [`configure_with`] from a client with the given capabilities.
async fn configure_as(
    harness: &mut Harness,
    overrides: &[(&str, Value)],
    client_capabilities: Option<pb::ClientCapabilities>,
) -> Vec<pb::Diagnostic> {
    let provider_type = harness.engine.provider_schema().block.value_type();
    let Type::Object { attributes, .. } = &provider_type else {
        panic!("provider config is an object");
    };
    let provider_config = Value::Object(
        attributes
            .keys()
            .map(|name| {
                let given = overrides.iter().find(|(key, _)| key == name);
                let value = match (given, name.as_str()) {
                    (Some((_, value)), _) => value.clone(),
                    (None, "region") => Value::string("us-east-1"),
                    (None, "access_key" | "secret_key") => Value::string("test"),
                    (None, "endpoints") => {
                        Value::object([("proton", Value::string("http://127.0.0.1:9"))])
                    }
                    _ => Value::Null,
                };
                (name.clone(), value)
            })
            .collect(),
    );
    harness
        .client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: dynamic(&provider_config, &provider_type),
            client_capabilities,
        })
        .await
        .expect("configure")
        .into_inner()
        .diagnostics
}

/// A CA bundle that is not there, or holds no certificate, fails ConfigureProvider with an error on
/// `custom_ca_bundle` (the same checks name AWS_CA_BUNDLE or the profile; see tests/e2e/https_endpoint.rs).
#[tokio::test]
async fn a_bad_custom_ca_bundle_fails_configure_on_its_path() {
    let mut harness = start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let key_only = dir.path().join("key.pem");
    std::fs::write(
        &key_only,
        "-----BEGIN PRIVATE KEY-----\nAAECAwQF\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    for (path, problem) in [
        (dir.path().join("absent.pem"), "cannot be read"),
        (key_only, "holds no PEM certificate"),
    ] {
        let diagnostics = configure_with(
            &mut harness,
            &[("custom_ca_bundle", Value::string(path.to_string_lossy()))],
        )
        .await;
        assert_eq!(
            paths(&diagnostics),
            vec!["custom_ca_bundle"],
            "{diagnostics:?}"
        );
        assert_eq!(
            diagnostics[0].severity,
            pb::diagnostic::Severity::Error as i32
        );
        assert_eq!(diagnostics[0].summary, "Invalid custom_ca_bundle");
        assert!(
            diagnostics[0].detail.contains(&*path.to_string_lossy())
                && diagnostics[0].detail.contains(problem),
            "{}",
            diagnostics[0].detail
        );
    }
}

#[tokio::test]
async fn schemas_describe_every_attribute_and_identity() {
    let mut harness = start().await;
    let schema = harness
        .client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    assert!(schema.diagnostics.is_empty());
    assert!(schema.resource_schemas.contains_key(TEMPLATE));
    assert!(schema.data_source_schemas.contains_key(TEMPLATE));
    let identities = harness
        .client
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("identity schemas")
        .into_inner()
        .identity_schemas;

    for (name, resource) in &schema.resource_schemas {
        let block = resource.block.as_ref().expect("block");
        assert!(!block.description.is_empty(), "{name} has no description");
        for attribute in &block.attributes {
            assert!(
                !attribute.description.trim().is_empty(),
                "{name}.{} has no description",
                attribute.name
            );
            assert!(
                attribute.required || attribute.optional || attribute.computed,
                "{name}.{} is neither required, optional nor computed",
                attribute.name
            );
            if attribute.nested_type.is_none() {
                let ty: serde_json::Value =
                    serde_json::from_slice(&attribute.r#type).expect("cty type JSON");
                Type::from_json(&ty).expect("a valid cty type");
            }
        }
        let identity = identities
            .get(name)
            .expect("every resource has an identity");
        assert_eq!(identity.version, 1, "{name}: identity schema version");
        let mut location = Vec::new();
        for part in &identity.identity_attributes {
            assert!(
                part.required_for_import != part.optional_for_import,
                "{name}.{}: required or optional for import",
                part.name
            );
            if part.optional_for_import {
                location.push(part.name.as_str());
                continue;
            }
            let attribute = block
                .attributes
                .iter()
                .find(|a| a.name == part.name)
                .unwrap_or_else(|| panic!("{name}: identity {} is no attribute", part.name));
            assert!(!attribute.sensitive);
        }
        // Every identity names the account and region, as hashicorp/aws identities do; account
        // settings are named by their region, so only the account is optional there.
        let expected: &[&str] = if name == "proton_account_settings" {
            &["account_id"]
        } else {
            &["account_id", "region"]
        };
        assert_eq!(location, expected, "{name}: optional identity attributes");
    }

    // The environment template, attribute by attribute: (name, required, optional, computed).
    let block = schema.resource_schemas[TEMPLATE]
        .block
        .as_ref()
        .expect("block");
    let mut shape: Vec<(String, bool, bool, bool)> = block
        .attributes
        .iter()
        .map(|a| (a.name.clone(), a.required, a.optional, a.computed))
        .collect();
    shape.sort();
    let expected = [
        ("arn", false, false, true),
        ("created_at", false, false, true),
        ("description", false, true, false),
        ("display_name", false, true, true),
        ("encryption_key", false, true, false),
        ("last_modified_at", false, false, true),
        ("name", true, false, false),
        ("provisioning", false, true, false),
        ("recommended_version", false, false, true),
        ("tags", false, true, false),
        ("tags_all", false, false, true),
    ];
    let expected: Vec<(String, bool, bool, bool)> = expected
        .iter()
        .map(|(n, r, o, c)| (n.to_string(), *r, *o, *c))
        .collect();
    assert_eq!(shape, expected);
}

#[tokio::test]
async fn metadata_lists_every_type() {
    let mut harness = start().await;
    let metadata = harness
        .client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("metadata")
        .into_inner();
    let resources: Vec<&str> = metadata
        .resources
        .iter()
        .map(|r| r.type_name.as_str())
        .collect();
    assert!(resources.contains(&TEMPLATE));
    assert_eq!(resources.len(), harness.engine.resources().count());
    // Schema-optional: Terraform may skip GetProviderSchema; nothing in the server depends on it
    // (every other test here starts a fresh server and never asks for the schema first).
    assert!(
        metadata
            .server_capabilities
            .is_some_and(|c| c.plan_destroy && c.get_provider_schema_optional)
    );
}

#[tokio::test]
async fn invalid_arguments_name_their_path_and_unknowns_pass() {
    let mut harness = start().await;
    let ty = template_type(&harness.engine);
    let cases = [
        (vec![("name", Value::string("bad name!"))], vec!["name"]),
        (
            vec![
                ("name", Value::string("ok")),
                ("description", Value::string("x".repeat(501))),
            ],
            vec!["description"],
        ),
        (
            vec![
                ("name", Value::string("ok")),
                ("provisioning", Value::string("NOPE")),
            ],
            vec!["provisioning"],
        ),
        (
            vec![
                ("name", Value::string("ok")),
                ("encryption_key", Value::string("not-an-arn")),
            ],
            vec!["encryption_key"],
        ),
        (vec![("name", Value::Unknown)], vec![]),
        (
            vec![
                ("name", Value::string("ok")),
                ("description", Value::Unknown),
                ("tags", Value::Unknown),
            ],
            vec![],
        ),
    ];
    for (set, expected) in cases {
        let config = object(&ty, &set);
        let response = harness
            .client
            .validate_resource_config(pb::validate_resource_config::Request {
                type_name: TEMPLATE.into(),
                config: dynamic(&config, &ty),
                client_capabilities: None,
            })
            .await
            .expect("validate")
            .into_inner();
        assert_eq!(paths(&response.diagnostics), expected, "for {set:?}");
    }
}

#[tokio::test]
async fn unknown_resource_types_are_diagnostics_not_crashes() {
    let mut harness = start().await;
    let response = harness
        .client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "proton_nope".into(),
            config: None,
            client_capabilities: None,
        })
        .await
        .expect("validate")
        .into_inner();
    assert_eq!(response.diagnostics.len(), 1);
    assert!(response.diagnostics[0].detail.contains("proton_nope"));
}

#[tokio::test]
async fn import_ids_must_have_the_identity_shape() {
    let mut harness = start().await;
    let ty = template_type(&harness.engine);
    let imported = harness
        .client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TEMPLATE.into(),
            id: "web".into(),
            client_capabilities: None,
            identity: None,
        })
        .await
        .expect("import")
        .into_inner();
    assert!(imported.diagnostics.is_empty());
    let resource = &imported.imported_resources[0];
    let state =
        decode_msgpack(&resource.state.as_ref().expect("state").msgpack, &ty).expect("decodes");
    assert_eq!(state.get("name"), Some(&Value::string("web")));
    assert!(resource.identity.is_some());

    let empty = harness
        .client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: TEMPLATE.into(),
            id: String::new(),
            client_capabilities: None,
            identity: None,
        })
        .await
        .expect("import")
        .into_inner();
    assert!(empty.imported_resources.is_empty());
    assert_eq!(empty.diagnostics.len(), 1);
}

/// A stored identity of `TEMPLATE` upgraded from `version`: the identity, or the diagnostics.
async fn upgrade_identity(
    harness: &mut Harness,
    version: i64,
    json: &str,
) -> Result<Value, Vec<pb::Diagnostic>> {
    let identity_type = Type::object([
        ("account_id", Type::String),
        ("name", Type::String),
        ("region", Type::String),
    ]);
    let response = harness
        .client
        .upgrade_resource_identity(pb::upgrade_resource_identity::Request {
            type_name: TEMPLATE.into(),
            version,
            raw_identity: Some(pb::RawState {
                json: json.as_bytes().to_vec(),
                flatmap: Default::default(),
            }),
        })
        .await
        .expect("upgrade identity")
        .into_inner();
    match response.upgraded_identity {
        Some(data) if response.diagnostics.is_empty() => {
            let msgpack = data.identity_data.expect("identity data").msgpack;
            Ok(decode_msgpack(&msgpack, &identity_type).expect("decodes"))
        }
        _ => Err(response.diagnostics),
    }
}

#[tokio::test]
async fn identities_of_version_0_upgrade_with_an_unknown_account_and_region() {
    let mut harness = start().await;
    let upgraded = upgrade_identity(&mut harness, 0, r#"{"name":"web"}"#)
        .await
        .expect("version 0 upgrades");
    assert_eq!(
        upgraded,
        Value::object([
            ("account_id", Value::Null),
            ("name", Value::string("web")),
            ("region", Value::Null),
        ])
    );
    let current = r#"{"account_id":"111122223333","name":"web","region":"eu-west-1"}"#;
    let kept = upgrade_identity(&mut harness, 1, current)
        .await
        .expect("version 1 is read as is");
    assert_eq!(kept.get("account_id"), Some(&Value::string("111122223333")));
    assert_eq!(kept.get("region"), Some(&Value::string("eu-west-1")));

    let newer = upgrade_identity(&mut harness, 2, current)
        .await
        .expect_err("a newer version is refused");
    assert!(newer[0].summary.contains("newer provider"), "{newer:?}");
    let wrong = upgrade_identity(&mut harness, 0, r#"{"name":["web"]}"#)
        .await
        .expect_err("a malformed identity is refused");
    assert!(wrong[0].detail.contains("version 0"), "{wrong:?}");
}

#[tokio::test]
async fn import_by_identity_refuses_another_region_and_fills_the_providers() {
    let mut harness = start().await;
    configure(&mut harness).await;
    let identity_type = Type::object([
        ("account_id", Type::String),
        ("name", Type::String),
        ("region", Type::String),
    ]);
    let mut import = async |region: Value| {
        let identity = Value::object([
            ("account_id", Value::Null),
            ("name", Value::string("web")),
            ("region", region),
        ]);
        harness
            .client
            .import_resource_state(pb::import_resource_state::Request {
                type_name: TEMPLATE.into(),
                id: String::new(),
                client_capabilities: None,
                identity: Some(pb::ResourceIdentityData {
                    identity_data: Some(pb::DynamicValue {
                        msgpack: encode_msgpack(&identity, &identity_type).expect("encodes"),
                        json: Vec::new(),
                    }),
                }),
            })
            .await
            .expect("import")
            .into_inner()
    };

    let refused = import(Value::string("us-west-2")).await;
    assert!(refused.imported_resources.is_empty());
    let diagnostic = &refused.diagnostics[0];
    assert_eq!(diagnostic.summary, "Identity names another region");
    assert!(
        diagnostic.detail.contains("region = \"us-west-2\"")
            && diagnostic.detail.contains("\"us-east-1\""),
        "{diagnostic:?}"
    );
    let path = diagnostic.attribute.as_ref().expect("a path");
    assert_eq!(
        path.steps[0].selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "region".into()
        ))
    );

    let imported = import(Value::Null).await;
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let data = imported.imported_resources[0]
        .identity
        .as_ref()
        .and_then(|i| i.identity_data.as_ref())
        .expect("an identity");
    let identity = decode_msgpack(&data.msgpack, &identity_type).expect("decodes");
    assert_eq!(identity.get("region"), Some(&Value::string("us-east-1")));
}

#[tokio::test]
async fn destroy_plans_are_null_and_unknown_config_plans_unknown() {
    let mut harness = start().await;
    let ty = template_type(&harness.engine);
    configure(&mut harness).await;

    let config = object(&ty, &[("name", Value::string("web"))]);
    let created = harness
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TEMPLATE.into(),
            prior_state: dynamic(&Value::Null, &ty),
            proposed_new_state: dynamic(&config, &ty),
            config: dynamic(&config, &ty),
            ..Default::default()
        })
        .await
        .expect("plan")
        .into_inner();
    assert!(created.diagnostics.is_empty());
    let planned =
        decode_msgpack(&created.planned_state.expect("planned").msgpack, &ty).expect("decodes");
    assert_eq!(planned.get("arn"), Some(&Value::Unknown));
    assert_eq!(planned.get("name"), Some(&Value::string("web")));
    assert!(created.requires_replace.is_empty());

    let prior = object(
        &ty,
        &[
            ("name", Value::string("web")),
            (
                "arn",
                Value::string("arn:aws:proton:us-east-1:000000000000:environment-template/web"),
            ),
        ],
    );
    let destroyed = harness
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TEMPLATE.into(),
            prior_state: dynamic(&prior, &ty),
            proposed_new_state: dynamic(&Value::Null, &ty),
            config: dynamic(&Value::Null, &ty),
            ..Default::default()
        })
        .await
        .expect("plan")
        .into_inner();
    let planned =
        decode_msgpack(&destroyed.planned_state.expect("planned").msgpack, &ty).expect("decodes");
    assert_eq!(planned, Value::Null);

    let renamed = object(&ty, &[("name", Value::string("web2"))]);
    let mut proposed = prior.clone();
    if let Value::Object(fields) = &mut proposed {
        fields.insert("name".into(), Value::string("web2"));
    }
    let replaced = harness
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TEMPLATE.into(),
            prior_state: dynamic(&prior, &ty),
            proposed_new_state: dynamic(&proposed, &ty),
            config: dynamic(&renamed, &ty),
            ..Default::default()
        })
        .await
        .expect("plan")
        .into_inner();
    assert_eq!(paths_of(&replaced.requires_replace), vec!["name"]);
}

fn paths_of(paths: &[pb::AttributePath]) -> Vec<String> {
    use pb::attribute_path::step::Selector;
    paths
        .iter()
        .map(|p| {
            p.steps
                .iter()
                .filter_map(|s| match &s.selector {
                    Some(Selector::AttributeName(n)) => Some(n.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect()
}

/// An action for testing the protocol path: reports progress, then succeeds or fails as configured.
struct Echo;

#[derive(serde::Serialize, serde::Deserialize)]
struct EchoConfig {
    message: String,
    fail: Option<bool>,
}

impl Action for Echo {
    type Model = EchoConfig;

    fn spec(&self) -> ActionSpec {
        ActionSpec {
            type_name: "proton_test_echo",
            description: "Echoes its message as progress.",
            attributes: vec![
                Attribute::string("message")
                    .required()
                    .validate(Validator::length(1, 10))
                    .describe("What to echo."),
                Attribute::bool("fail")
                    .optional()
                    .describe("Fail at the end."),
            ],
            rules: vec![],
        }
    }

    async fn invoke(&self, _: &Ctx, config: EchoConfig, progress: &Progress) -> Result<(), Error> {
        progress.report(format!("first: {}", config.message));
        progress.report(format!("second: {}", config.message));
        if config.fail == Some(true) {
            return Err(Error::Failed("asked to fail".into()));
        }
        Ok(())
    }
}

async fn invoke(harness: &mut Harness, config: &Value) -> (Vec<String>, Vec<pb::Diagnostic>) {
    use pb::invoke_action::event::Type;
    let ty = harness
        .engine
        .action("proton_test_echo")
        .expect("registered")
        .ty
        .clone();
    let mut stream = harness
        .client
        .invoke_action(pb::invoke_action::Request {
            action_type: "proton_test_echo".into(),
            config: dynamic(config, &ty),
            client_capabilities: None,
        })
        .await
        .expect("invoke")
        .into_inner();
    let mut progress = Vec::new();
    let mut completed = None;
    while let Some(event) = stream.message().await.expect("event") {
        match event.r#type {
            Some(Type::Progress(p)) => progress.push(p.message),
            Some(Type::Completed(c)) => completed = Some(c.diagnostics),
            None => panic!("event without a type"),
        }
    }
    (
        progress,
        completed.expect("a completed event ends the stream"),
    )
}

#[tokio::test]
async fn actions_stream_progress_then_completion() {
    let engine = Engine::new(Box::new(AwsProvider), resources::all(), data_sources::all())
        .with_actions(vec![Box::new(Echo)]);
    let mut harness = start_with(engine).await;
    configure(&mut harness).await;

    let schema = harness
        .client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    assert!(schema.action_schemas.contains_key("proton_test_echo"));

    let ok = Value::object([("message", Value::string("hi")), ("fail", Value::Null)]);
    let (progress, diagnostics) = invoke(&mut harness, &ok).await;
    assert_eq!(progress, vec!["first: hi", "second: hi"]);
    assert!(diagnostics.is_empty());

    let failing = Value::object([
        ("message", Value::string("hi")),
        ("fail", Value::Bool(true)),
    ]);
    let (progress, diagnostics) = invoke(&mut harness, &failing).await;
    assert_eq!(progress.len(), 2);
    assert_eq!(diagnostics.len(), 1);
    assert!(diagnostics[0].detail.contains("asked to fail"));

    let invalid = Value::object([
        ("message", Value::string("far too long")),
        ("fail", Value::Null),
    ]);
    let (progress, diagnostics) = invoke(&mut harness, &invalid).await;
    assert!(progress.is_empty());
    assert_eq!(paths(&diagnostics), vec!["message"]);

    let ty = harness
        .engine
        .action("proton_test_echo")
        .expect("registered")
        .ty
        .clone();
    let planned = harness
        .client
        .plan_action(pb::plan_action::Request {
            action_type: "proton_test_echo".into(),
            config: dynamic(&invalid, &ty),
            client_capabilities: None,
        })
        .await
        .expect("plan")
        .into_inner();
    assert_eq!(paths(&planned.diagnostics), vec!["message"]);
}

#[tokio::test]
async fn awscc_state_moves_without_recreation() {
    let mut harness = start().await;
    let ty = template_type(&harness.engine);
    let awscc_state = serde_json::json!({
        "id": "arn:aws:proton:us-east-1:000000000000:environment-template/web",
        "arn": "arn:aws:proton:us-east-1:000000000000:environment-template/web",
        "name": "web",
        "description": "from awscc",
        "display_name": null,
        "encryption_key": null,
        "provisioning": null,
        "tags": [{"key": "team", "value": "platform"}],
    });
    let moved = harness
        .client
        .move_resource_state(pb::move_resource_state::Request {
            source_provider_address: "registry.terraform.io/hashicorp/awscc".into(),
            source_type_name: "awscc_proton_environment_template".into(),
            source_schema_version: 1,
            source_state: Some(pb::RawState {
                json: serde_json::to_vec(&awscc_state).expect("json"),
                flatmap: Default::default(),
            }),
            target_type_name: TEMPLATE.into(),
            ..Default::default()
        })
        .await
        .expect("move")
        .into_inner();
    assert!(moved.diagnostics.is_empty(), "{:?}", moved.diagnostics);
    let state = decode_msgpack(&moved.target_state.expect("state").msgpack, &ty).expect("decodes");
    assert_eq!(state.get("name"), Some(&Value::string("web")));
    assert_eq!(state.get("description"), Some(&Value::string("from awscc")));
    assert_eq!(
        state.get("tags"),
        Some(&Value::map([("team", Value::string("platform"))]))
    );
    assert!(moved.target_identity.is_some());

    let refused = harness
        .client
        .move_resource_state(pb::move_resource_state::Request {
            source_type_name: "aws_instance".into(),
            source_state: Some(pb::RawState {
                json: b"{}".to_vec(),
                flatmap: Default::default(),
            }),
            target_type_name: TEMPLATE.into(),
            ..Default::default()
        })
        .await
        .expect("move")
        .into_inner();
    assert_eq!(refused.diagnostics.len(), 1);
    assert!(refused.target_state.is_none());
}

/// A region (or any setting) unknown at plan: a client that accepts deferral gets refreshes, data
/// source reads and plans deferred (PROVIDER_CONFIG_UNKNOWN) with no API call; one that does not gets
/// an error naming the setting where the API is needed, and plans of new objects that need none.
#[tokio::test]
async fn unknown_provider_settings_defer_or_fail_by_name() {
    let deferring = pb::ClientCapabilities {
        deferral_allowed: true,
        write_only_attributes_allowed: false,
    };
    let provider_config_unknown = pb::deferred::Reason::ProviderConfigUnknown as i32;
    let data_type = harness_data_type();
    for deferral_allowed in [true, false] {
        let mut harness = start().await;
        let ty = template_type(&harness.engine);
        let capabilities = deferral_allowed.then_some(deferring);
        let diagnostics = configure_as(
            &mut harness,
            &[
                ("region", Value::Unknown),
                ("endpoints", Value::object([("proton", Value::Unknown)])),
            ],
            capabilities,
        )
        .await;
        assert!(diagnostics.is_empty(), "{diagnostics:?}");

        let current = object(
            &ty,
            &[
                ("name", Value::string("web")),
                (
                    "arn",
                    Value::string("arn:aws:proton:us-east-1:000000000000:environment-template/web"),
                ),
            ],
        );
        let read = harness
            .client
            .read_resource(pb::read_resource::Request {
                type_name: TEMPLATE.into(),
                current_state: dynamic(&current, &ty),
                ..Default::default()
            })
            .await
            .expect("read")
            .into_inner();
        let data = harness
            .client
            .read_data_source(pb::read_data_source::Request {
                type_name: TEMPLATE.into(),
                config: dynamic(
                    &object(&data_type, &[("name", Value::string("web"))]),
                    &data_type,
                ),
                ..Default::default()
            })
            .await
            .expect("read data source")
            .into_inner();
        let config = object(&ty, &[("name", Value::string("new"))]);
        let planned = harness
            .client
            .plan_resource_change(pb::plan_resource_change::Request {
                type_name: TEMPLATE.into(),
                prior_state: dynamic(&Value::Null, &ty),
                proposed_new_state: dynamic(&config, &ty),
                config: dynamic(&config, &ty),
                ..Default::default()
            })
            .await
            .expect("plan")
            .into_inner();
        assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
        let planned_state =
            decode_msgpack(&planned.planned_state.expect("planned").msgpack, &ty).expect("decodes");
        assert_eq!(planned_state.get("tags_all"), Some(&Value::Unknown));
        if deferral_allowed {
            for (rpc, deferred, diagnostics) in [
                ("ReadResource", read.deferred, read.diagnostics),
                ("ReadDataSource", data.deferred, data.diagnostics),
                ("PlanResourceChange", planned.deferred, planned.diagnostics),
            ] {
                assert_eq!(
                    deferred.map(|d| d.reason),
                    Some(provider_config_unknown),
                    "{rpc}"
                );
                assert!(diagnostics.is_empty(), "{rpc}: {diagnostics:?}");
            }
            let state =
                decode_msgpack(&read.new_state.expect("state").msgpack, &ty).expect("decodes");
            assert_eq!(state, current, "a deferred refresh keeps the state");
        } else {
            assert!(planned.deferred.is_none());
            for (rpc, deferred, diagnostics) in [
                ("ReadResource", read.deferred, read.diagnostics),
                ("ReadDataSource", data.deferred, data.diagnostics),
            ] {
                assert!(deferred.is_none(), "{rpc}");
                assert_eq!(diagnostics.len(), 1, "{rpc}: {diagnostics:?}");
                let detail = &diagnostics[0].detail;
                assert_eq!(
                    diagnostics[0].summary, "Provider configuration is unknown",
                    "{rpc}"
                );
                assert!(
                    detail.contains("`endpoints.proton`, `region`"),
                    "{rpc}: {detail}"
                );
            }
        }
    }
}

fn harness_data_type() -> Type {
    provider::engine()
        .data_source(TEMPLATE)
        .expect("registered")
        .ty
        .clone()
}
