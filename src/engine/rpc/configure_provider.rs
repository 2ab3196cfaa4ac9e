//! ConfigureProvider: the provider block becomes the API clients every later RPC uses. Settings
//! unknown at plan time build no client: they are recorded, so that what needs the API is deferred or
//! refused instead of done with defaults.

use std::sync::Arc;

use crate::engine::Engine;
use crate::engine::registry::UnknownSettings;
use crate::tf::{Diagnostics, Value};

impl Engine {
    /// Configures for a client that does not accept deferred changes.
    pub async fn configure(&self, config: &Value) -> Diagnostics {
        self.configure_deferring(config, false).await
    }

    /// Configures; `deferral_allowed` is the client's capability, from ConfigureProvider.
    pub async fn configure_deferring(&self, config: &Value, deferral_allowed: bool) -> Diagnostics {
        let mut diags = self.validate_provider_config(config);
        if diags.has_errors() {
            return diags;
        }
        let unknown = UnknownSettings::of(config, deferral_allowed);
        if let Ok(mut slot) = self.unknown_settings.write() {
            slot.clone_from(&unknown);
        }
        if let Some(unknown) = unknown {
            tracing::info!(
                settings = ?unknown.names,
                deferral_allowed,
                "provider settings unknown until apply: no client built"
            );
            if let Ok(mut slot) = self.configured.write() {
                *slot = None;
            }
            return diags;
        }
        match self.provider.configure(config).await {
            Ok(configured) => {
                if let Ok(mut slot) = self.configured.write() {
                    *slot = Some(Arc::new(configured));
                }
            }
            Err(errors) => diags.extend(errors),
        }
        diags
    }
}
