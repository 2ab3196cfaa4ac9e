//! In-process benchmarks of the provider's hot paths: the value codecs, the plan engine and the
//! schema conversion done at start-up, the plan-time spec check. No network, no Terraform.
//!
//! `cargo bench --bench engine` (filter: `cargo bench --bench engine -- codec/`).
//!
//! The object is a `proton_environment` as it sits in state after an apply: a YAML spec of ~1 KB,
//! tags, `tags_all`, deployment fields. Each bench is named `<group>/<operation>/environment`.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use futures_util::FutureExt as _;
use prost::Message as _;

use terraform_provider_proton::engine::{Engine, ResourceEntry};
use terraform_provider_proton::server::proto::tfplugin6::get_provider_schema;
use terraform_provider_proton::server::proto::tfplugin6::provider_server::Provider as _;
use terraform_provider_proton::server::provider_service::ProviderService;
use terraform_provider_proton::tf::codec::{
    decode_json, decode_msgpack, encode_json, encode_msgpack,
};
use terraform_provider_proton::tf::{Type, Value};

const RESOURCE: &str = "proton_environment";

const SPEC: &str = "\
proton: EnvironmentSpec
spec:
  vpc_cidr: 10.0.0.0/16
  public_subnets:
    - 10.0.1.0/24
    - 10.0.2.0/24
    - 10.0.3.0/24
  private_subnets:
    - 10.0.101.0/24
    - 10.0.102.0/24
    - 10.0.103.0/24
  cluster:
    name: web-prod
    capacity_provider: FARGATE
    container_insights: true
    min_tasks: 2
    max_tasks: 20
  load_balancer:
    scheme: internet-facing
    idle_timeout_seconds: 60
    certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
    listeners:
      - port: 443
        protocol: HTTPS
      - port: 80
        protocol: HTTP
        redirect_to: 443
  logging:
    retention_days: 30
    kms_key_arn: arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d
  # Shared by every service instance deployed here.
  dns:
    zone: prod.example.com
    private: false
";

/// The same document, reformatted (indentation, key order, a comment): equal by meaning.
const SPEC_REFORMATTED: &str = "\
# reformatted by an editor
spec:
    dns: {zone: prod.example.com, private: false}
    logging: {kms_key_arn: 'arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d', retention_days: 30}
    load_balancer:
        listeners: [{port: 443, protocol: HTTPS}, {port: 80, protocol: HTTP, redirect_to: 443}]
        certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
        idle_timeout_seconds: 60
        scheme: internet-facing
    cluster: {name: web-prod, capacity_provider: FARGATE, container_insights: true, min_tasks: 2, max_tasks: 20}
    private_subnets: [10.0.101.0/24, 10.0.102.0/24, 10.0.103.0/24]
    public_subnets: [10.0.1.0/24, 10.0.2.0/24, 10.0.3.0/24]
    vpc_cidr: 10.0.0.0/16
proton: EnvironmentSpec
";

/// The state after an apply, as Terraform stores it (cty JSON); absent attributes are null.
fn state_json() -> Vec<u8> {
    serde_json::json!({
        "name": "web-prod",
        "template_name": "web",
        "template_major_version": "2",
        "template_minor_version": "3",
        "spec": SPEC,
        "description": "Production VPC, ECS cluster and load balancer for the web services",
        "proton_service_role_arn": "arn:aws:iam::123456789012:role/ProtonServiceRole",
        "component_role_arn": "arn:aws:iam::123456789012:role/ProtonComponentRole",
        "cancel_on_timeout": false,
        "arn": "arn:aws:proton:us-east-1:123456789012:environment/web-prod",
        "created_at": "2026-11-27T10:15:42.118Z",
        "deployment_status": "SUCCEEDED",
        "last_attempted_deployment_id": "5f0c1a8e-2b7d-4c3e-9a61-0d2f8b4e7c15",
        "last_succeeded_deployment_id": "5f0c1a8e-2b7d-4c3e-9a61-0d2f8b4e7c15",
        "last_deployment_attempted_at": "2026-11-27T10:15:42.530Z",
        "last_deployment_succeeded_at": "2026-11-27T10:19:03.871Z",
        "tags": { "team": "web", "cost-center": "1234", "env": "prod" },
        "tags_all": {
            "team": "web", "cost-center": "1234", "env": "prod",
            "managed-by": "terraform", "owner": "platform"
        },
        "timeouts": { "create": "45m", "update": "45m", "delete": null }
    })
    .to_string()
    .into_bytes()
}

/// What the three values of a PlanResourceChange look like for one environment.
struct Fixture {
    engine: Engine,
    ty: Type,
    state: Value,
    state_json: Vec<u8>,
    state_msgpack: Vec<u8>,
    /// Configuration equal to the state (computed attributes null): `terraform plan` finds no change.
    config: Value,
}

impl Fixture {
    fn new(runtime: &tokio::runtime::Runtime) -> Self {
        let engine = terraform_provider_proton::provider::engine();
        configure(&engine, runtime);
        let entry = engine
            .resource(RESOURCE)
            .expect("proton_environment is registered");
        let ty = entry.ty.clone();
        let state_json = state_json();
        let state = decode_json(&state_json, &ty).expect("the state fits the current schema");
        let state_msgpack = encode_msgpack(&state, &ty).expect("the state encodes as msgpack");
        let mut config = state.clone();
        for attribute in &entry.schema.block.attributes {
            let configured = attribute.presence.is_configurable();
            // Left to Proton: the recommended minor version.
            if !configured || attribute.name == "template_minor_version" {
                set(&mut config, &attribute.name, Value::Null);
            }
        }
        Self {
            engine,
            ty,
            state,
            state_json,
            state_msgpack,
            config,
        }
    }

    /// The environment's entry, looked up by name as the server does once per RPC.
    fn entry(&self) -> &ResourceEntry {
        self.engine
            .resource(RESOURCE)
            .expect("proton_environment is registered")
    }

    /// (config, proposed) with `attribute` set to `value`, the way Terraform proposes it.
    fn edited(&self, attribute: &str, value: Value) -> (Value, Value) {
        let mut config = self.config.clone();
        let mut proposed = self.state.clone();
        set(&mut config, attribute, value.clone());
        set(&mut proposed, attribute, value);
        (config, proposed)
    }
}

fn set(object: &mut Value, attribute: &str, value: Value) {
    let Value::Object(fields) = object else {
        panic!("not an object: {object:?}");
    };
    fields.insert(attribute.to_owned(), value);
}

/// Resources with tags plan against the provider's default_tags, so the provider must be configured.
/// Static credentials, an explicit region and endpoint: nothing here reaches the network.
fn configure(engine: &Engine, runtime: &tokio::runtime::Runtime) {
    let config = Value::object([
        ("region", Value::string("us-east-1")),
        ("access_key", Value::string("test")),
        ("secret_key", Value::string("test")),
        ("skip_credentials_validation", Value::bool(true)),
        (
            "endpoints",
            Value::object([("proton", Value::string("http://127.0.0.1:9"))]),
        ),
        (
            "default_tags",
            Value::object([(
                "tags",
                Value::map([
                    ("managed-by", Value::string("terraform")),
                    ("owner", Value::string("platform")),
                ]),
            )]),
        ),
    ]);
    let diags = runtime.block_on(engine.configure(&config));
    assert!(!diags.has_errors(), "configure: {diags:?}");
}

fn codec(c: &mut Criterion, f: &Fixture) {
    let mut group = c.benchmark_group("codec");
    group.bench_function("msgpack_decode/environment", |b| {
        b.iter(|| decode_msgpack(black_box(&f.state_msgpack), &f.ty).expect("decodes"))
    });
    group.bench_function("msgpack_encode/environment", |b| {
        b.iter(|| encode_msgpack(black_box(&f.state), &f.ty).expect("encodes"))
    });
    group.bench_function("json_decode/environment", |b| {
        b.iter(|| decode_json(black_box(&f.state_json), &f.ty).expect("decodes"))
    });
    group.bench_function("json_encode/environment", |b| {
        b.iter(|| encode_json(black_box(&f.state), &f.ty).expect("encodes"))
    });
    // UpgradeResourceState's engine half: raw state JSON to a value (the server then encodes msgpack).
    group.bench_function("upgrade_state/environment", |b| {
        b.iter(|| {
            f.engine
                .upgrade_resource_state(f.entry(), 0, black_box(&f.state_json))
                .expect("upgrades")
        })
    });
    group.finish();
}

fn plan(c: &mut Criterion, f: &Fixture) {
    let plan = |config: &Value, proposed: &Value| {
        f.engine
            .plan_resource(f.entry(), &f.state, proposed, config)
            .expect("plans")
    };
    let no_change = (f.config.clone(), f.state.clone());
    assert_eq!(
        plan(&no_change.0, &no_change.1).planned,
        f.state,
        "no change plans the prior state"
    );
    let described = f.edited("description", Value::string("Production, second region"));
    assert_ne!(plan(&described.0, &described.1).planned, f.state);
    let reformatted = f.edited("spec", Value::string(SPEC_REFORMATTED));
    assert_eq!(
        plan(&reformatted.0, &reformatted.1).planned,
        f.state,
        "a reformatted spec is no change"
    );

    let mut group = c.benchmark_group("plan");
    group.bench_function("no_change/environment", |b| {
        b.iter(|| plan(black_box(&no_change.0), black_box(&no_change.1)))
    });
    group.bench_function("one_attribute_changed/environment", |b| {
        b.iter(|| plan(black_box(&described.0), black_box(&described.1)))
    });
    // Equal-by-meaning YAML is parsed on both sides on every plan.
    group.bench_function("spec_reformatted/environment", |b| {
        b.iter(|| plan(black_box(&reformatted.0), black_box(&reformatted.1)))
    });
    // PlanResourceChange as the server runs it, minus prost: decode prior, proposed and config,
    // plan, encode the planned state.
    let config_msgpack = encode_msgpack(&f.config, &f.ty).expect("config encodes");
    group.bench_function("server_path_no_change/environment", |b| {
        b.iter(|| {
            let prior = decode_msgpack(black_box(&f.state_msgpack), &f.ty).expect("prior");
            let proposed = decode_msgpack(black_box(&f.state_msgpack), &f.ty).expect("proposed");
            let config = decode_msgpack(black_box(&config_msgpack), &f.ty).expect("config");
            let change = f
                .engine
                .plan_resource(f.entry(), &prior, &proposed, &config)
                .expect("plans");
            encode_msgpack(&change.planned, &f.ty).expect("planned encodes")
        })
    });
    group.finish();
}

fn schema(c: &mut Criterion) {
    let mut group = c.benchmark_group("schema");
    // Start-up work before the handshake line: every resource's schema and value type.
    group.bench_function("engine_new", |b| {
        b.iter(terraform_provider_proton::provider::engine)
    });
    // Start-up: the engine's schemas converted to protobuf, once.
    group.bench_function("provider_service_new", |b| {
        b.iter_batched(
            || Arc::new(terraform_provider_proton::provider::engine()),
            ProviderService::new,
            BatchSize::SmallInput,
        )
    });
    // Each GetProviderSchema: the cached response cloned, then encoded (as tonic would).
    let service = ProviderService::new(Arc::new(terraform_provider_proton::provider::engine()));
    let get = || {
        service
            .get_provider_schema(tonic::Request::new(get_provider_schema::Request::default()))
            .now_or_never()
            .expect("answers without waiting")
            .expect("answers")
            .into_inner()
    };
    group.bench_function("get_provider_schema_encode", |b| {
        b.iter(|| get().encode_to_vec())
    });
    group.finish();
}

/// A schema in the shape of the User Guide's environment schema, for the plan-time spec check.
const NETWORK_SCHEMA: &str = r#"schema:
  format:
    openapi: "3.0.0"
  environment_input_type: "NetworkInput"
  types:
    NetworkInput:
      type: object
      properties:
        vpc_cidr:
          type: string
          pattern: '^10\.[0-9]+\.0\.0/16$'
          default: "10.0.0.0/16"
        zones:
          type: number
          minimum: 1
          maximum: 3
        tier:
          type: string
          enum: [dev, prod]
          default: dev
      required: [zones]
"#;

fn spec_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("spec_check");
    // Once per template version per provider process.
    group.bench_function("schema_parse", |b| {
        b.iter(|| proton_spec::TemplateSchema::parse(black_box(NETWORK_SCHEMA)))
    });
    // Once per planned environment whose spec or version changes.
    let schema = proton_spec::TemplateSchema::parse(NETWORK_SCHEMA).expect("the schema parses");
    group.bench_function("validate/environment", |b| {
        b.iter(|| {
            schema.validate_environment_spec(black_box(
                "proton: EnvironmentSpec\nspec:\n  zones: 2\n  vpc_cidr: 10.1.0.0/16\n",
            ))
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let fixture = Fixture::new(&runtime);
    codec(c, &fixture);
    plan(c, &fixture);
    schema(c);
    spec_check(c);
}

// Small and short: the whole run stays well under a minute on a busy 2-core machine.
criterion_group! {
    name = engine;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(engine);
