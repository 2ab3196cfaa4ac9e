//! InvokeAction: validate the configuration again, then run the action, reporting progress.

use std::time::Duration;

use crate::engine::action::Progress;
use crate::engine::{ActionEntry, Engine};
use crate::tf::{Diagnostics, Value};

use super::error_diagnostic;

/// An action's bound unless it sets its own (cancel_deployment's `timeout`); the same 30 minutes as
/// cancel_deployment's default wait, so no action is cut short by a tighter engine bound.
const ACTION_TIMEOUT: Duration = Duration::from_secs(30 * 60);

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
        let ctx = self.context(&configured, ACTION_TIMEOUT);
        if let Err(error) = entry.action.invoke(&ctx, config, progress).await {
            diags.push(error_diagnostic(entry.spec.type_name, "run", &error));
        }
        diags
    }
}
