//! The floor under the provider's Terraform benchmarks: a plugin built from this crate's server and
//! engine with one resource, `floor_data`, shaped like Terraform's built-in `terraform_data` (an
//! `input` copied to `output`, an `id`) and calling no API.
//!
//! scripts/bench.py installs this binary as `terraform-provider-floor` (through dev_overrides) and
//! times the same graph on it. The difference to `terraform_data` is what any plugin costs Terraform
//! (process start, gRPC, msgpack) plus this crate's protocol layer; the difference to
//! `proton_environment_template` is Proton's API and the resource's own work.
//!
//! Run by `cargo bench` without Terraform's handshake variables it only says what it is.

use std::process::ExitCode;
use std::sync::Arc;

use serde_json::Value;
use terraform_provider_proton::aws::Proton;
use terraform_provider_proton::engine::{
    BoxFuture, Configured, Ctx, Engine, Error, Failure, ProviderConfig, Resource, ResourceSpec,
    Tags, Timeouts,
};
use terraform_provider_proton::server::plugin::{ServeOptions, run};
use terraform_provider_proton::tf::schema::{Attribute, Block, Schema};
use terraform_provider_proton::tf::{Diagnostics, Value as TfValue};

/// The address bench.py's configuration names in `required_providers` as `bench/floor`.
const ADDRESS: &str = "registry.terraform.io/bench/floor";

struct NoSettings;

impl ProviderConfig for NoSettings {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::default(),
        }
    }

    fn configure<'a>(
        &'a self,
        _config: &'a TfValue,
    ) -> BoxFuture<'a, Result<Configured, Diagnostics>> {
        Box::pin(async {
            // Never called: floor_data makes no request.
            let unused = aws_sdk_proton::Config::builder()
                .behavior_version(aws_sdk_proton::config::BehaviorVersion::latest())
                .build();
            Ok(Configured {
                api: Arc::new(Proton::new(unused)),
                default_tags: Tags::new(),
                ignore_tags: Default::default(),
            })
        })
    }
}

struct FloorData;

impl FloorData {
    fn settled(mut object: Value, id: Option<String>) -> Value {
        let input = object.get("input").cloned().unwrap_or(Value::Null);
        if let Some(fields) = object.as_object_mut() {
            fields.insert("output".into(), input);
            if let Some(id) = id {
                fields.insert("id".into(), Value::String(id));
            }
        }
        object
    }
}

impl Resource for FloorData {
    type Model = Value;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "floor_data",
            description: "Copies `input` to `output`, like terraform_data; calls nothing.",
            version: 0,
            attributes: vec![
                Attribute::string("id").computed(),
                Attribute::string("input").optional(),
                Attribute::string("output").computed(),
            ],
            blocks: vec![],
            identity: &["id"],
            tags: false,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    async fn create(&self, _: &Ctx, planned: Value) -> Result<Value, Failure<Value>> {
        let id = format!("{:016x}", fastrand::u64(..));
        Ok(Self::settled(planned, Some(id)))
    }

    async fn read(&self, _: &Ctx, current: Value) -> Result<Option<Value>, Error> {
        Ok(Some(current))
    }

    async fn update(&self, _: &Ctx, _: Value, planned: Value) -> Result<Value, Failure<Value>> {
        Ok(Self::settled(planned, None))
    }

    async fn delete(&self, _: &Ctx, _: Value) -> Result<(), Error> {
        Ok(())
    }
}

/// `floor_template`: `proton_environment_template`'s own attributes (without tags), calling nothing.
/// Against `floor_data` it shows what the larger object costs; against the real resource, what
/// Proton's API costs.
struct FloorTemplate(ResourceSpec);

impl FloorTemplate {
    fn new() -> Self {
        let engine = terraform_provider_proton::provider::engine();
        let mut spec = match engine.resource("proton_environment_template") {
            Ok(entry) => entry.spec.clone(),
            Err(_) => unreachable!("proton_environment_template is registered"),
        };
        spec.type_name = "floor_template";
        spec.tags = false;
        Self(spec)
    }
}

impl Resource for FloorTemplate {
    type Model = Value;

    fn spec(&self) -> ResourceSpec {
        self.0.clone()
    }

    // Computed attributes the plan left unknown settle as null.
    async fn create(&self, _: &Ctx, planned: Value) -> Result<Value, Failure<Value>> {
        Ok(planned)
    }

    async fn read(&self, _: &Ctx, current: Value) -> Result<Option<Value>, Error> {
        Ok(Some(current))
    }

    async fn update(&self, _: &Ctx, _: Value, planned: Value) -> Result<Value, Failure<Value>> {
        Ok(planned)
    }

    async fn delete(&self, _: &Ctx, _: Value) -> Result<(), Error> {
        Ok(())
    }
}

fn main() -> ExitCode {
    if std::env::var_os("TF_PLUGIN_MAGIC_COOKIE").is_none() {
        println!(
            "floor_provider: a Terraform plugin for scripts/bench.py; nothing to measure alone"
        );
        return ExitCode::SUCCESS;
    }
    let engine = Engine::new(
        Box::new(NoSettings),
        vec![Box::new(FloorData), Box::new(FloorTemplate::new())],
        vec![],
    );
    let options = ServeOptions {
        debug: false,
        provider_address: ADDRESS.to_string(),
    };
    // The same runtime and server as the real provider, so the comparison is about the work.
    run(engine, options, "floor_provider")
}
