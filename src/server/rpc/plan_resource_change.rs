//! PlanResourceChange: decode prior, proposed and config, plan, encode the planned state and identity.

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;
use crate::tf::Diagnostics;

use super::{decode, decode_identity, encode, identity_data, path_to_proto, provider_deferral};

pub(crate) async fn plan_resource_change(
    engine: &Engine,
    request: pb::plan_resource_change::Request,
) -> Result<pb::plan_resource_change::Response, Diagnostics> {
    let entry = engine.resource(&request.type_name)?;
    let prior = decode(request.prior_state.as_ref(), &entry.ty, "prior state")?;
    let proposed = decode(
        request.proposed_new_state.as_ref(),
        &entry.ty,
        "proposed state",
    )?;
    let config = decode(request.config.as_ref(), &entry.ty, "configuration")?;
    let change = engine.plan_resource(entry, &prior, &proposed, &config)?;
    if !change.planned.is_null() {
        let checked = engine.check_plan(entry, &prior, &config).await;
        if checked.has_errors() {
            return Err(checked);
        }
    }
    let planned_private = engine
        .planned_private(entry, &prior, &change)
        .unwrap_or(request.prior_private);
    let prior_identity = decode_identity(entry, request.prior_identity.as_ref())?;
    let identity = if change.planned.is_null() {
        None
    } else {
        engine.identity(entry, &change.planned, prior_identity.as_ref())
    };
    Ok(pb::plan_resource_change::Response {
        planned_state: Some(encode(&change.planned, &entry.ty)?),
        requires_replace: change
            .requires_replace
            .into_iter()
            .map(path_to_proto)
            .collect(),
        planned_private,
        planned_identity: identity_data(entry, identity),
        deferred: provider_deferral(engine),
        ..Default::default()
    })
}
