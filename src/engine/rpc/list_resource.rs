//! ListResource (`terraform query`): the resource's list call, each object named by its identity and,
//! when asked, read in full.

use crate::engine::timeouts::FALLBACK;
use crate::engine::{Engine, ResourceEntry};
use crate::tf::{Diagnostics, Value};

use super::error_diagnostic;

/// One object found by a list resource.
pub struct ListedObject {
    pub identity: Value,
    pub display_name: String,
    /// The full object, when Terraform asked for it.
    pub state: Option<Value>,
}

impl Engine {
    /// `terraform query`: the objects matching `filter`, at most `limit` (0 = no limit), each read in
    /// full when `include_objects` is set.
    pub async fn list_resource(
        &self,
        entry: &ResourceEntry,
        filter: &Value,
        include_objects: bool,
        limit: usize,
    ) -> Result<Vec<ListedObject>, Diagnostics> {
        entry.list_entry()?;
        let configured = self.configured()?;
        // A list has no `timeouts` block: it gets the bound every undeclared operation gets.
        let ctx = self.context(&configured, FALLBACK);
        let found = entry
            .resource
            .list(&ctx, filter, &entry.ty)
            .await
            .map_err(|error| {
                Diagnostics::from(error_diagnostic(entry.spec.type_name, "list", &error))
            })?;
        let limit = if limit == 0 { usize::MAX } else { limit };
        let mut listed = Vec::new();
        for summary in found.into_iter().take(limit) {
            let Some(identity) = self.identity(entry, &summary, None) else {
                continue;
            };
            let state = if include_objects {
                let read = self.read_resource(entry, &summary, None).await;
                if read.diagnostics.has_errors() {
                    return Err(read.diagnostics);
                }
                if read.new_state.is_null() {
                    // Deleted between the list and the read.
                    continue;
                }
                Some(read.new_state)
            } else {
                None
            };
            listed.push(ListedObject {
                display_name: entry.display_name(&summary),
                identity,
                state,
            });
        }
        Ok(listed)
    }
}
