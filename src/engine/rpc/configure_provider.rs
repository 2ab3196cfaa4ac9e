//! ConfigureProvider: the provider block becomes the API clients every later RPC uses.

use std::sync::Arc;

use crate::engine::Engine;
use crate::tf::{Diagnostics, Value};

impl Engine {
    pub async fn configure(&self, config: &Value) -> Diagnostics {
        let mut diags = self.validate_provider_config(config);
        if diags.has_errors() {
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
