//! MoveResourceState: a `moved` block from another provider's resource type.

use crate::engine::convert::from_json;
use crate::engine::{Engine, ResourceEntry};
use crate::tf::{Diagnostic, Diagnostics};

use super::import_resource_state::ImportedResource;

impl Engine {
    /// A `moved` block from another resource type (e.g. awscc's): the source state, as stored, becomes
    /// this resource's state; Terraform refreshes it afterwards.
    pub fn move_resource_state(
        &self,
        source_type: &str,
        source_json: &[u8],
        target: &ResourceEntry,
    ) -> Result<ImportedResource, Diagnostics> {
        let target_type = target.spec.type_name;
        let source: serde_json::Value = serde_json::from_slice(source_json).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unreadable source state",
                format!("The state of the {source_type} being moved is not valid JSON: {e}"),
            ))
        })?;
        let moved = target
            .resource
            .move_from(source_type, &source)
            .ok_or_else(|| {
                Diagnostics::from(Diagnostic::error(
                    "Unsupported move",
                    format!("{target_type} cannot take over the state of a {source_type}."),
                ))
            })?;
        let state = from_json(&moved, &target.ty).map_err(|e| {
            Diagnostics::from(Diagnostic::error(
                "Unsupported move",
                format!("The moved state does not fit {target_type}: {e}"),
            ))
        })?;
        Ok(ImportedResource {
            identity: self.identity(target, &state, None),
            state,
        })
    }
}
