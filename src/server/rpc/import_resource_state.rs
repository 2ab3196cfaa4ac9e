//! ImportResourceState (by ID, or by identity when Terraform sends one without an ID) and
//! GenerateResourceConfig, which Terraform asks for after an import with `-generate-config-out`.

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;
use crate::tf::Diagnostics;

use super::{decode, decode_identity, encode, identity_data};

pub(crate) fn import_resource_state(
    engine: &Engine,
    request: pb::import_resource_state::Request,
) -> Result<pb::import_resource_state::Response, Diagnostics> {
    let entry = engine.resource(&request.type_name)?;
    let imported = match decode_identity(entry, request.identity.as_ref())? {
        Some(identity) if request.id.is_empty() => engine.import_by_identity(entry, &identity)?,
        _ => engine.import_by_id(entry, &request.id)?,
    };
    let imported = pb::import_resource_state::ImportedResource {
        state: Some(encode(&imported.state, &entry.ty)?),
        private: Vec::new(),
        identity: identity_data(entry, imported.identity),
        type_name: request.type_name,
    };
    Ok(pb::import_resource_state::Response {
        imported_resources: vec![imported],
        ..Default::default()
    })
}

pub(crate) fn generate_resource_config(
    engine: &Engine,
    request: pb::generate_resource_config::Request,
) -> Result<pb::generate_resource_config::Response, Diagnostics> {
    let entry = engine.resource(&request.type_name)?;
    let state = decode(request.state.as_ref(), &entry.ty, "state")?;
    let config = engine.generate_config(entry, &state)?;
    Ok(pb::generate_resource_config::Response {
        config: Some(encode(&config, &entry.ty)?),
        diagnostics: Vec::new(),
    })
}
