//! InvokeAction: validate the configuration again, then run the action, reporting progress.

use crate::engine::action::Progress;
use crate::engine::{ActionEntry, Engine};
use crate::tf::{Diagnostics, Value};

use super::error_diagnostic;

impl Engine {
    /// Runs an action, reporting progress through `progress`; its outcome as diagnostics.
    pub async fn invoke_action(
        &self,
        entry: &ActionEntry,
        config: &Value,
        progress: &Progress,
    ) -> Diagnostics {
        let mut diags = self.validate_action_config(entry, config);
        if diags.has_errors() {
            return diags;
        }
        let configured = match self.configured() {
            Ok(configured) => configured,
            Err(errors) => return errors,
        };
        let ctx = self.context(&configured, std::time::Duration::from_secs(30 * 60));
        if let Err(error) = entry.action.invoke(&ctx, config, progress).await {
            diags.push(error_diagnostic(entry.spec.type_name, "run", &error));
        }
        diags
    }
}
