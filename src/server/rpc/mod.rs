//! The provider service by RPC, as terraform-plugin-framework's `internal/proto6server` does it: one
//! file per tfplugin6 RPC (or tight family), each decoding the request, looking its type up once,
//! calling the engine and encoding the answer. Below, the conversions more than one RPC uses.

mod apply_resource_change;
mod configure_provider;
mod get_provider_schema;
mod import_resource_state;
mod invoke_action;
mod list_resource;
mod move_resource_state;
mod plan_resource_change;
mod read_data_source;
mod read_resource;
mod upgrade_resource_state;
mod validate;

pub(crate) use apply_resource_change::apply_resource_change;
pub(crate) use configure_provider::configure_provider;
pub use get_provider_schema::attribute_description;
pub(crate) use get_provider_schema::{get_metadata, identity_schemas, provider_schema};
pub(crate) use import_resource_state::{generate_resource_config, import_resource_state};
pub(crate) use invoke_action::invoke_action;
pub(crate) use list_resource::list_resource;
pub(crate) use move_resource_state::move_resource_state;
pub(crate) use plan_resource_change::plan_resource_change;
pub(crate) use read_data_source::read_data_source;
pub(crate) use read_resource::read_resource;
pub(crate) use upgrade_resource_state::{upgrade_resource_identity, upgrade_resource_state};
pub(crate) use validate::{
    plan_action, validate_action_config, validate_data_resource_config,
    validate_list_resource_config, validate_provider_config, validate_resource_config,
};

use tonic::{Response, Status};

use crate::engine::ResourceEntry;
use crate::server::proto::tfplugin6 as pb;
use crate::tf::codec::{decode_json, decode_msgpack, encode_msgpack};
use crate::tf::{AttributePath, Diagnostic, Diagnostics, PathStep, Severity, Type, Value};

pub(crate) type Reply<T> = Result<Response<T>, Status>;

/// A response that, when its RPC fails before it has a result, carries only the diagnostics.
pub(crate) trait FromDiagnostics {
    fn from_diagnostics(diagnostics: Vec<pb::Diagnostic>) -> Self;
}

macro_rules! from_diagnostics {
    ($($rpc:ident),*) => {$(
        impl FromDiagnostics for pb::$rpc::Response {
            fn from_diagnostics(diagnostics: Vec<pb::Diagnostic>) -> Self {
                Self {
                    diagnostics,
                    ..Default::default()
                }
            }
        }
    )*};
}
from_diagnostics!(
    plan_resource_change,
    import_resource_state,
    generate_resource_config,
    move_resource_state,
    upgrade_resource_state,
    upgrade_resource_identity,
    read_data_source
);

/// The answer to Terraform: the response, or one with only the diagnostics of what failed.
pub(crate) fn reply<R: FromDiagnostics>(result: Result<R, Diagnostics>) -> Reply<R> {
    Ok(Response::new(result.unwrap_or_else(|diags| {
        R::from_diagnostics(diagnostics_to_proto(diags))
    })))
}

fn diagnostics_to_proto(diagnostics: Diagnostics) -> Vec<pb::Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| pb::Diagnostic {
            severity: match d.severity {
                Severity::Error => pb::diagnostic::Severity::Error,
                Severity::Warning => pb::diagnostic::Severity::Warning,
            } as i32,
            summary: d.summary,
            detail: d.detail,
            attribute: d.path.map(path_to_proto),
        })
        .collect()
}

fn path_to_proto(path: AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .steps
            .into_iter()
            .map(|step| pb::attribute_path::Step {
                selector: Some(match step {
                    PathStep::Attribute(name) => Selector::AttributeName(name),
                    PathStep::Key(key) => Selector::ElementKeyString(key),
                    PathStep::Index(index) => Selector::ElementKeyInt(index),
                }),
            })
            .collect(),
    }
}

/// Decodes a DynamicValue (msgpack, or JSON from some callers); absent means null.
/// `Deferred` (the provider's configuration is unknown) when settings are unknown and the client
/// accepts deferral; the engine then makes no API call for this RPC.
fn provider_deferral(engine: &crate::engine::Engine) -> Option<pb::Deferred> {
    engine.defers_for_provider_config().then_some(pb::Deferred {
        reason: pb::deferred::Reason::ProviderConfigUnknown as i32,
    })
}

fn decode(value: Option<&pb::DynamicValue>, ty: &Type, what: &str) -> Result<Value, Diagnostics> {
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    let decoded = if !value.msgpack.is_empty() {
        decode_msgpack(&value.msgpack, ty)
    } else if !value.json.is_empty() {
        decode_json(&value.json, ty)
    } else {
        return Ok(Value::Null);
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            "Invalid value from Terraform",
            format!("The {what} could not be decoded: {e}"),
        )
        .into()
    })
}

fn encode(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Diagnostics> {
    encode_msgpack(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|e| {
            Diagnostic::error(
                "Provider produced an unencodable value",
                format!("This is a bug in the provider: {e}"),
            )
            .into()
        })
}

/// The state an engine call produced, encoded; when it cannot be encoded the state Terraform sent
/// (`kept`) goes back, so Terraform keeps what it had, and the error joins `diagnostics`.
fn encoded_or_kept(
    value: &Value,
    ty: &Type,
    kept: Option<pb::DynamicValue>,
    diagnostics: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match encode(value, ty) {
        Ok(state) => Some(state),
        Err(diags) => {
            diagnostics.extend(diags);
            kept
        }
    }
}

fn identity_data(
    entry: &ResourceEntry,
    identity: Option<Value>,
) -> Option<pb::ResourceIdentityData> {
    let identity = identity?;
    encode(&identity, &entry.identity_type())
        .ok()
        .map(|data| pb::ResourceIdentityData {
            identity_data: Some(data),
        })
}

fn decode_identity(
    entry: &ResourceEntry,
    identity: Option<&pb::ResourceIdentityData>,
) -> Result<Option<Value>, Diagnostics> {
    match identity.and_then(|i| i.identity_data.as_ref()) {
        Some(data) => decode(Some(data), &entry.identity_type(), "resource identity").map(Some),
        None => Ok(None),
    }
}
