//! The Validate*Config RPCs and PlanAction (an action has nothing to plan, only a configuration to
//! check): decode the configuration against the type looked up, then the engine's validation.

use crate::engine::{ActionEntry, DataSourceEntry, Engine, ListEntry, ResourceEntry};
use crate::server::proto::tfplugin6 as pb;
use crate::tf::{Diagnostics, Type, Value};

use super::{decode, diagnostics_to_proto};

pub(crate) fn validate_provider_config(
    engine: &Engine,
    request: pb::validate_provider_config::Request,
) -> pb::validate_provider_config::Response {
    let ty = engine.provider_schema().block.value_type();
    let diagnostics = validated(Ok(&ty), request.config.as_ref(), |_, config| {
        engine.validate_provider_config(config)
    });
    pb::validate_provider_config::Response { diagnostics }
}

pub(crate) fn validate_resource_config(
    engine: &Engine,
    request: pb::validate_resource_config::Request,
) -> pb::validate_resource_config::Response {
    let entry = engine.resource(&request.type_name);
    let diagnostics = validated(entry, request.config.as_ref(), |entry, config| {
        engine.validate_resource_config(entry, config)
    });
    pb::validate_resource_config::Response { diagnostics }
}

pub(crate) fn validate_data_resource_config(
    engine: &Engine,
    request: pb::validate_data_resource_config::Request,
) -> pb::validate_data_resource_config::Response {
    let entry = engine.data_source(&request.type_name);
    let diagnostics = validated(entry, request.config.as_ref(), |entry, config| {
        engine.validate_data_source_config(entry, config)
    });
    pb::validate_data_resource_config::Response { diagnostics }
}

pub(crate) fn validate_list_resource_config(
    engine: &Engine,
    request: pb::validate_list_resource_config::Request,
) -> pb::validate_list_resource_config::Response {
    let list = engine.list_entry(&request.type_name);
    let diagnostics = validated(list, request.config.as_ref(), |list, config| {
        engine.validate_list_config(list, config)
    });
    pb::validate_list_resource_config::Response { diagnostics }
}

pub(crate) fn validate_action_config(
    engine: &Engine,
    request: pb::validate_action_config::Request,
) -> pb::validate_action_config::Response {
    let diagnostics = action_config(engine, &request.type_name, request.config.as_ref());
    pb::validate_action_config::Response { diagnostics }
}

pub(crate) fn plan_action(
    engine: &Engine,
    request: pb::plan_action::Request,
) -> pb::plan_action::Response {
    let diagnostics = action_config(engine, &request.action_type, request.config.as_ref());
    pb::plan_action::Response {
        diagnostics,
        deferred: None,
    }
}

fn action_config(
    engine: &Engine,
    type_name: &str,
    config: Option<&pb::DynamicValue>,
) -> Vec<pb::Diagnostic> {
    validated(engine.action(type_name), config, |entry, config| {
        engine.validate_action_config(entry, config)
    })
}

/// What a configuration is decoded against: an entry's type, or the provider block's.
trait ConfigType {
    fn config_type(&self) -> &Type;
}

impl ConfigType for Type {
    fn config_type(&self) -> &Type {
        self
    }
}

macro_rules! config_type_is_ty {
    ($($entry:ty),*) => {$(
        impl ConfigType for $entry {
            fn config_type(&self) -> &Type {
                &self.ty
            }
        }
    )*};
}
config_type_is_ty!(ResourceEntry, DataSourceEntry, ListEntry, ActionEntry);

/// Decodes a configuration for the entry looked up (when it exists) and runs `validate` on it.
fn validated<E: ConfigType>(
    entry: Result<&E, Diagnostics>,
    config: Option<&pb::DynamicValue>,
    validate: impl FnOnce(&E, &Value) -> Diagnostics,
) -> Vec<pb::Diagnostic> {
    let diagnostics = entry
        .and_then(|entry| {
            let config = decode(config, entry.config_type(), "configuration")?;
            Ok(validate(entry, &config))
        })
        .unwrap_or_else(|diags| diags);
    diagnostics_to_proto(diagnostics)
}
