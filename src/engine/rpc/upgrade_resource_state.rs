//! UpgradeResourceState: stored JSON state read against the current schema.

use crate::engine::convert::from_json;
use crate::engine::{Engine, ResourceEntry};
use crate::tf::{Diagnostic, Diagnostics, Value};

impl Engine {
    /// Upgrades stored JSON state to the current schema. Attributes the schema no longer has are dropped.
    pub fn upgrade_resource_state(
        &self,
        entry: &ResourceEntry,
        version: i64,
        raw_json: &[u8],
    ) -> Result<Value, Diagnostics> {
        let type_name = entry.spec.type_name;
        if version > entry.schema.version {
            return Err(Diagnostic::error(
                "State from a newer provider",
                format!(
                    "The state of this {type_name} was written by a newer provider (schema version {version}, this provider knows {}). Upgrade the provider.",
                    entry.schema.version
                ),
            )
            .into());
        }
        let json: serde_json::Value = serde_json::from_slice(raw_json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unreadable state",
                format!("The stored state is not valid JSON: {e}"),
            ))
        })?;
        from_json(&json, &entry.ty).map_err(|e| {
            Diagnostic::error(
                "Unreadable state",
                format!("The stored state does not fit the schema: {e}"),
            )
            .into()
        })
    }
}
