//! UpgradeResourceState and UpgradeResourceIdentity: stored JSON read into the current schemas.

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;
use crate::tf::Diagnostics;

use super::encode;

pub(crate) fn upgrade_resource_state(
    engine: &Engine,
    request: pb::upgrade_resource_state::Request,
) -> Result<pb::upgrade_resource_state::Response, Diagnostics> {
    let entry = engine.resource(&request.type_name)?;
    let raw = request.raw_state.map(|r| r.json).unwrap_or_default();
    let state = engine.upgrade_resource_state(entry, request.version, &raw)?;
    Ok(pb::upgrade_resource_state::Response {
        upgraded_state: Some(encode(&state, &entry.ty)?),
        diagnostics: Vec::new(),
    })
}

pub(crate) fn upgrade_resource_identity(
    engine: &Engine,
    request: pb::upgrade_resource_identity::Request,
) -> Result<pb::upgrade_resource_identity::Response, Diagnostics> {
    let entry = engine.resource(&request.type_name)?;
    let raw = request.raw_identity.map(|r| r.json).unwrap_or_default();
    let identity = entry.upgrade_identity(request.version, &raw)?;
    Ok(pb::upgrade_resource_identity::Response {
        upgraded_identity: Some(pb::ResourceIdentityData {
            identity_data: Some(encode(&identity, &entry.identity_type())?),
        }),
        diagnostics: Vec::new(),
    })
}
