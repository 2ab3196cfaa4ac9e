//! ReadResource: decode the current state, read, encode the new state. When nothing could be read
//! the current state goes back, so Terraform keeps what it had.

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;

use super::{
    decode, decode_identity, diagnostics_to_proto, encoded_or_kept, identity_data,
    provider_deferral,
};

pub(crate) async fn read_resource(
    engine: &Engine,
    request: pb::read_resource::Request,
) -> pb::read_resource::Response {
    let decoded = engine.resource(&request.type_name).and_then(|entry| {
        let current = decode(request.current_state.as_ref(), &entry.ty, "current state")?;
        let identity = decode_identity(entry, request.current_identity.as_ref())?;
        Ok((entry, current, identity))
    });
    let (entry, current, current_identity) = match decoded {
        Ok(decoded) => decoded,
        Err(diags) => {
            return pb::read_resource::Response {
                new_state: request.current_state,
                diagnostics: diagnostics_to_proto(diags),
                private: request.private,
                ..Default::default()
            };
        }
    };
    if let Some(deferred) = provider_deferral(engine) {
        return pb::read_resource::Response {
            new_state: request.current_state,
            private: request.private,
            deferred: Some(deferred),
            ..Default::default()
        };
    }
    let outcome = engine
        .read_resource(entry, &current, current_identity.as_ref())
        .await;
    let mut diagnostics = outcome.diagnostics;
    let new_state = encoded_or_kept(
        &outcome.new_state,
        &entry.ty,
        request.current_state,
        &mut diagnostics,
    );
    pb::read_resource::Response {
        new_state,
        diagnostics: diagnostics_to_proto(diagnostics),
        private: request.private,
        deferred: None,
        new_identity: identity_data(entry, outcome.identity),
    }
}
