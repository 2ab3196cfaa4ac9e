//! ApplyResourceChange: decode prior and planned state, apply, encode the new state. When nothing could
//! be applied the prior state goes back, so Terraform keeps what it had.

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;

use super::{decode, decode_identity, diagnostics_to_proto, encoded_or_kept, identity_data};

pub(crate) async fn apply_resource_change(
    engine: &Engine,
    request: pb::apply_resource_change::Request,
) -> pb::apply_resource_change::Response {
    let decoded = engine.resource(&request.type_name).and_then(|entry| {
        let prior = decode(request.prior_state.as_ref(), &entry.ty, "prior state")?;
        let planned = decode(request.planned_state.as_ref(), &entry.ty, "planned state")?;
        let identity = decode_identity(entry, request.planned_identity.as_ref())?;
        Ok((entry, prior, planned, identity))
    });
    let (entry, prior, planned, planned_identity) = match decoded {
        Ok(decoded) => decoded,
        Err(diags) => {
            return pb::apply_resource_change::Response {
                new_state: request.prior_state,
                diagnostics: diagnostics_to_proto(diags),
                ..Default::default()
            };
        }
    };
    let outcome = engine
        .apply_resource(
            entry,
            &prior,
            &planned,
            &request.planned_private,
            planned_identity.as_ref(),
        )
        .await;
    let mut diagnostics = outcome.diagnostics;
    let new_state = encoded_or_kept(
        &outcome.new_state,
        &entry.ty,
        request.prior_state,
        &mut diagnostics,
    );
    pb::apply_resource_change::Response {
        new_state,
        private: request.planned_private,
        diagnostics: diagnostics_to_proto(diagnostics),
        legacy_type_system: false,
        new_identity: identity_data(entry, outcome.identity),
    }
}
