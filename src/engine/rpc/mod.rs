//! The engine by RPC: one file per tfplugin6 RPC (or tight family of RPCs), each an `impl Engine`
//! block with the helpers only it uses, as terraform-plugin-framework's `internal/fwserver` does.
//! The helpers below are the ones more than one RPC uses.

mod apply_resource_change;
mod configure_provider;
mod import_resource_state;
mod invoke_action;
mod list_resource;
mod move_resource_state;
mod plan_resource_change;
mod read_data_source;
mod read_resource;
mod upgrade_resource_state;
mod validate;

pub use apply_resource_change::ApplyOutcome;
pub use import_resource_state::ImportedResource;
pub use list_resource::ListedObject;
pub use read_resource::ReadOutcome;

use crate::engine::resource::Error;
use crate::tf::{Diagnostic, Type, Value};

fn set_attribute(object: &mut Value, name: &str, value: Value) {
    if let Value::Object(fields) = object {
        fields.insert(name.to_string(), value);
    }
}

fn null_object(ty: &Type) -> Value {
    match ty {
        Type::Object { attributes, .. } => Value::Object(
            attributes
                .keys()
                .map(|k| (k.clone(), Value::Null))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// State must never hold unknowns; anything still unknown is recorded as null.
fn known_or_null(value: Value) -> Value {
    match value {
        Value::Unknown => Value::Null,
        Value::List(items) => Value::List(items.into_iter().map(known_or_null).collect()),
        Value::Set(items) => Value::Set(items.into_iter().map(known_or_null).collect()),
        Value::Tuple(items) => Value::Tuple(items.into_iter().map(known_or_null).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, known_or_null(v)))
                .collect(),
        ),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k, known_or_null(v)))
                .collect(),
        ),
        other => other,
    }
}

fn error_diagnostic(type_name: &str, action: &str, error: &Error) -> Diagnostic {
    Diagnostic::error(format!("Failed to {action} {type_name}"), error.to_string())
}
