//! ConfigureProvider: the provider block, decoded, becomes the engine's API clients.

use crate::engine::Engine;
use crate::server::proto::tfplugin6 as pb;

use super::{decode, diagnostics_to_proto};

pub(crate) async fn configure_provider(
    engine: &Engine,
    request: pb::configure_provider::Request,
) -> pb::configure_provider::Response {
    let ty = engine.provider_schema().block.value_type();
    let diagnostics = match decode(request.config.as_ref(), &ty, "provider configuration") {
        Ok(config) => {
            let deferral_allowed = request
                .client_capabilities
                .is_some_and(|capabilities| capabilities.deferral_allowed);
            engine.configure_deferring(&config, deferral_allowed).await
        }
        Err(diags) => diags,
    };
    pb::configure_provider::Response {
        diagnostics: diagnostics_to_proto(diagnostics),
    }
}
