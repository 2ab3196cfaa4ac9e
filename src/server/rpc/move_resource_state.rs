//! MoveResourceState: another provider's stored JSON state becomes the target resource's state.

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;
use crate::tf::Diagnostics;

use super::{encode, identity_data};

pub(crate) fn move_resource_state(
    engine: &Engine,
    request: pb::move_resource_state::Request,
) -> Result<pb::move_resource_state::Response, Diagnostics> {
    let entry = engine.resource(&request.target_type_name)?;
    let raw = request.source_state.map(|r| r.json).unwrap_or_default();
    let moved = engine.move_resource_state(&request.source_type_name, &raw, entry)?;
    Ok(pb::move_resource_state::Response {
        target_state: Some(encode(&moved.state, &entry.ty)?),
        target_private: request.source_private,
        target_identity: identity_data(entry, moved.identity),
        diagnostics: Vec::new(),
    })
}
