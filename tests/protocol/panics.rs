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

// ------------------------------------------------------------------------------------------------
// Through real Terraform
// ------------------------------------------------------------------------------------------------

/// Serves the panicking engine the way the plugin does (every go-plugin service, the panic guard)
/// on a unix socket, for Terraform to reattach to. Runs until the test process ends.
fn serve_for_reattach(dir: &std::path::Path) -> String {
    use terraform_provider_proton::server::controller::{
        Broker, Controller, HealthService, ShutdownSignal, Stdio,
    };
    use terraform_provider_proton::server::proto::health::health_server::HealthServer;
    use terraform_provider_proton::server::proto::plugin::grpc_broker_server::GrpcBrokerServer;
    use terraform_provider_proton::server::proto::plugin::grpc_controller_server::GrpcControllerServer;
    use terraform_provider_proton::server::proto::plugin::grpc_stdio_server::GrpcStdioServer;

    let socket = dir.join("plugin.sock");
    let path = socket.to_string_lossy().into_owned();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::UnixListener::bind(&socket).expect("bind");
            let _ = ready_tx.send(());
            let engine = Arc::new(Engine::new(
                Box::new(AwsProvider),
                vec![Box::new(Panicky)],
                vec![],
            ));
            let shutdown = ShutdownSignal::new();
            tonic::transport::Server::builder()
                .add_service(CatchPanics::new(ProviderServer::new(ProviderService::new(
                    engine,
                ))))
                .add_service(GrpcControllerServer::new(Controller::new(shutdown.clone())))
                .add_service(GrpcStdioServer::new(Stdio::new(shutdown.clone())))
                .add_service(GrpcBrokerServer::new(Broker::new(shutdown.clone())))
                .add_service(HealthServer::new(HealthService::new(shutdown)))
                .serve_with_incoming(tokio_stream::wrappers::UnixListenerStream::new(listener))
                .await
                .expect("serve");
        });
    });
    ready_rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the server started");
    terraform_provider_proton::server::handshake::reattach_value(
        proton_test_support::PROVIDER_FQN,
        std::process::id(),
        "unix",
        &path,
    )
}

fn panicky_config(a: &str) -> String {
    format!(
        "provider \"proton\" {{\n  region = \"us-east-1\"\n  skip_credentials_validation = true\n}}\n\n\
         resource \"proton_test_panicky\" \"a\" {{\n  mode = \"{a}\"\n}}\n\n\
         resource \"proton_test_panicky\" \"b\" {{\n  mode = \"none\"\n}}\n"
    )
}

#[test]
fn terraform_shows_panics_as_errors_and_the_plugin_carries_on() {
    let tf = proton_test_support::current_terraform();
    let dir = tempfile::tempdir().expect("tempdir");
    let reattach = serve_for_reattach(dir.path());
    let mut ws = proton_test_support::Workspace::with_env(
        &tf,
        proton_test_support::aws_env("http://127.0.0.1:9"),
    );
    ws.set_env("TF_REATTACH_PROVIDERS", &reattach);

    // A panicking plan hook: the plan fails with the panic named; nothing is created.
    ws.write_main(&panicky_config("plan"));
    let text = ws.run_err(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("deliberate panic in plan") && flat.contains("bug"),
        "{text}"
    );

    // A panicking create: an error diagnostic for that resource, the other one is created.
    ws.write_main(&panicky_config("create"));
    let text = ws.run_err(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Failed to create proton_test_panicky")
            && flat.contains("deliberate panic in create"),
        "{text}"
    );
    assert_eq!(ws.state_addresses(), ["proton_test_panicky.b"]);

    // The same plugin process goes on serving: the fixed configuration applies.
    ws.write_main(&panicky_config("none"));
    ws.apply();
    let mut addresses = ws.state_addresses();
    addresses.sort();
    assert_eq!(
        addresses,
        ["proton_test_panicky.a", "proton_test_panicky.b"]
    );
}
