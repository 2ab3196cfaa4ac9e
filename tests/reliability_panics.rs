//! A panic anywhere in resource code becomes an error diagnostic for that one call; the plugin keeps
//! serving. Driven in-process over real gRPC with a resource written to panic on demand.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use terraform_provider_proton::engine::{
    Ctx, Engine, Error, Failure, PlanEdit, Resource, ResourceSpec, Timeouts,
};
use terraform_provider_proton::provider::AwsProvider;
use terraform_provider_proton::server::catch_panic::CatchPanics;
use terraform_provider_proton::server::proto::tfplugin6 as pb;
use terraform_provider_proton::server::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_proton::server::proto::tfplugin6::provider_server::ProviderServer;
use terraform_provider_proton::server::provider_service::ProviderService;
use terraform_provider_proton::tf::codec::encode_msgpack;
use terraform_provider_proton::tf::schema::Attribute;
use terraform_provider_proton::tf::{Type, Value};
use tokio_stream::StreamExt as _;
use tokio_stream::wrappers::TcpListenerStream;
use tonic::transport::Channel;

const TYPE: &str = "proton_test_panicky";

/// Panics in the step its `mode` names: "plan", "create", "read", "update" or "delete".
struct Panicky;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Model {
    mode: String,
    id: Option<String>,
}

fn boom(step: &str, mode: &str) {
    if step == mode {
        panic!("deliberate panic in {step}");
    }
}

impl Resource for Panicky {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: TYPE,
            description: "Panics on demand.",
            version: 0,
            attributes: vec![
                Attribute::string("mode")
                    .required()
                    .describe("Where to panic."),
                Attribute::string("id")
                    .computed()
                    .describe("Set by create."),
            ],
            blocks: vec![],
            identity: &["mode"],
            tags: false,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    async fn create(&self, _ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        boom("create", &planned.mode);
        Ok(Model {
            id: Some("created".into()),
            ..planned
        })
    }

    async fn read(&self, _ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        boom("read", &current.mode);
        Ok(Some(current))
    }

    async fn update(
        &self,
        _ctx: &Ctx,
        _prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        boom("update", &planned.mode);
        Ok(planned)
    }

    async fn delete(&self, _ctx: &Ctx, current: Model) -> Result<(), Error> {
        boom("delete", &current.mode);
        Ok(())
    }

    fn modify_plan(&self, plan: &mut PlanEdit<'_>) {
        if let Some(mode) = plan.configured("mode").as_str() {
            boom("plan", mode);
        }
    }
}

struct Harness {
    client: ProviderClient<Channel>,
    ty: Type,
}

async fn start() -> Harness {
    let engine = Arc::new(Engine::new(
        Box::new(AwsProvider),
        vec![Box::new(Panicky)],
        vec![],
    ));
    let ty = engine.resource(TYPE).expect("registered").ty.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let service = ProviderService::new(engine.clone());
    tokio::spawn(async move {
        tonic::transport::Server::builder()
            .add_service(CatchPanics::new(ProviderServer::new(service)))
            .serve_with_incoming(TcpListenerStream::new(listener).map(|accepted| {
                if let Ok(stream) = &accepted {
                    let _ = stream.set_nodelay(true);
                }
                accepted
            }))
            .await
            .expect("serve");
    });
    let mut client = ProviderClient::connect(format!("http://{address}"))
        .await
        .expect("connect");
    // Configured against a closed port: nothing here talks to an API.
    let provider_type = engine.provider_schema().block.value_type();
    let Type::Object { attributes, .. } = &provider_type else {
        panic!("provider config is an object");
    };
    let config = Value::Object(
        attributes
            .keys()
            .map(|name| {
                let value = match name.as_str() {
                    "region" => Value::string("us-east-1"),
                    "access_key" | "secret_key" => Value::string("test"),
                    "endpoints" => Value::object([("proton", Value::string("http://127.0.0.1:9"))]),
                    _ => Value::Null,
                };
                (name.clone(), value)
            })
            .collect(),
    );
    let configured = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: dynamic(&config, &provider_type),
            client_capabilities: None,
        })
        .await
        .expect("configure")
        .into_inner();
    assert!(
        configured.diagnostics.is_empty(),
        "{:?}",
        configured.diagnostics
    );
    Harness { client, ty }
}

fn dynamic(value: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: encode_msgpack(value, ty).expect("encodes"),
        json: Vec::new(),
    })
}

fn object(mode: &str, id: Option<&str>) -> Value {
    Value::object([
        ("mode", Value::string(mode)),
        ("id", id.map(Value::string).unwrap_or(Value::Null)),
    ])
}

/// The one error diagnostic a panicking call must answer with.
fn assert_panic_diagnostic(step: &str, diagnostics: &[pb::Diagnostic]) {
    assert_eq!(diagnostics.len(), 1, "{step}: {diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32, "{d:?}");
    let text = format!("{} {}", d.summary, d.detail);
    assert!(
        text.contains(&format!("deliberate panic in {step}")) && text.contains("bug"),
        "{step}: the diagnostic names the panic and calls it a bug: {d:?}"
    );
}

async fn still_serving(h: &mut Harness) {
    let schema = h
        .client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("the plugin still answers after a panic")
        .into_inner();
    assert!(schema.resource_schemas.contains_key(TYPE));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panics_become_diagnostics_and_the_plugin_keeps_serving() {
    let mut h = start().await;
    let ty = h.ty.clone();

    // PlanResourceChange: the resource's plan hook panics.
    let config = object("plan", None);
    // Plan hooks are not wrapped by the engine: the server's guard answers with an Internal status,
    // which Terraform shows as an error diagnostic (there is no state to protect at plan time).
    let status = h
        .client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dynamic(&Value::Null, &ty),
            proposed_new_state: dynamic(&config, &ty),
            config: dynamic(&config, &ty),
            ..Default::default()
        })
        .await
        .expect_err("a panicking plan hook fails the call");
    assert_eq!(status.code(), tonic::Code::Internal, "{status:?}");
    assert!(
        status.message().contains("deliberate panic in plan")
            && status.message().contains("PlanResourceChange")
            && status.message().contains("bug"),
        "{status:?}"
    );
    still_serving(&mut h).await;

    // ApplyResourceChange (create): the prior (null) state comes back with the diagnostic.
    let applied = h
        .client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dynamic(&Value::Null, &ty),
            planned_state: dynamic(&object("create", None), &ty),
            config: dynamic(&object("create", None), &ty),
            ..Default::default()
        })
        .await
        .expect("apply answers instead of failing the RPC")
        .into_inner();
    assert_panic_diagnostic("create", &applied.diagnostics);
    still_serving(&mut h).await;

    // ApplyResourceChange (update and delete): the prior state is kept.
    for (step, prior, planned) in [
        (
            "update",
            object("before", Some("x")),
            object("update", Some("x")),
        ),
        ("delete", object("delete", Some("x")), Value::Null),
    ] {
        let applied = h
            .client
            .apply_resource_change(pb::apply_resource_change::Request {
                type_name: TYPE.into(),
                prior_state: dynamic(&prior, &ty),
                planned_state: dynamic(&planned, &ty),
                config: dynamic(&planned, &ty),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{step}: the RPC failed: {e}"))
            .into_inner();
        assert_panic_diagnostic(step, &applied.diagnostics);
        assert_eq!(applied.new_state, dynamic(&prior, &ty), "{step}");
        still_serving(&mut h).await;
    }

    // ReadResource: the current state stays.
    let current = object("read", Some("x"));
    let read = h
        .client
        .read_resource(pb::read_resource::Request {
            type_name: TYPE.into(),
            current_state: dynamic(&current, &ty),
            ..Default::default()
        })
        .await
        .expect("read answers instead of failing the RPC")
        .into_inner();
    assert_panic_diagnostic("read", &read.diagnostics);
    assert_eq!(read.new_state, dynamic(&current, &ty));
    still_serving(&mut h).await;

    // A call without a panic still works normally afterwards.
    let ok = h
        .client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: TYPE.into(),
            prior_state: dynamic(&Value::Null, &ty),
            planned_state: dynamic(&object("none", None), &ty),
            config: dynamic(&object("none", None), &ty),
            ..Default::default()
        })
        .await
        .expect("apply")
        .into_inner();
    assert!(ok.diagnostics.is_empty(), "{:?}", ok.diagnostics);
}
