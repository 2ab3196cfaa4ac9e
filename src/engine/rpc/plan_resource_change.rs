//! PlanResourceChange: Terraform's plan rules (`engine::plan`), then the resource's own plan hook.

use crate::engine::plan::{PlanRequest, PlannedChange, plan_resource_change};
use crate::engine::plan_edit::PlanEdit;
use crate::engine::tags::Tags;
use crate::engine::{Engine, ResourceEntry};
use crate::tf::{Diagnostics, Value};

impl Engine {
    pub fn plan_resource(
        &self,
        entry: &ResourceEntry,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> Result<PlannedChange, Diagnostics> {
        let default_tags = match self.configured() {
            Ok(configured) => configured.default_tags.clone(),
            Err(_) if !entry.spec.tags => Tags::new(),
            Err(diags) => return Err(diags),
        };
        let mut change = plan_resource_change(&PlanRequest {
            block: &entry.schema.block,
            prior,
            proposed,
            config,
            default_tags: &default_tags,
            tags: entry.spec.tags,
        });
        if !change.planned.is_null() {
            entry
                .resource
                .modify_plan(&mut PlanEdit::new(prior, config, &mut change.planned));
        }
        Ok(change)
    }
}
