//! PlanResourceChange: Terraform's plan rules (`engine::plan`), then the resource's own plan hook.

use crate::engine::plan::{PlanRequest, PlannedChange, plan_resource_change};
use crate::engine::plan_edit::PlanEdit;
use crate::engine::tags::{IgnoreTags, TAGS_ALL, Tags};
use crate::engine::{Engine, ResourceEntry};
use crate::tf::{AttributePath, Diagnostics, Value};

impl Engine {
    pub fn plan_resource(
        &self,
        entry: &ResourceEntry,
        prior: &Value,
        proposed: &Value,
        config: &Value,
    ) -> Result<PlannedChange, Diagnostics> {
        if prior.is_null() && !proposed.is_null() {
            missing_to_create(entry, config)?;
        }
        let unknown_settings = self.unknown_settings().is_some();
        let (default_tags, ignore_tags) = match self.configured() {
            Ok(configured) => (
                configured.default_tags.clone(),
                configured.ignore_tags.clone(),
            ),
            Err(_) if !entry.spec.tags || unknown_settings => (Tags::new(), IgnoreTags::default()),
            Err(diags) => return Err(diags),
        };
        let mut change = plan_resource_change(&PlanRequest {
            block: &entry.schema.block,
            prior,
            proposed,
            config,
            default_tags: &default_tags,
            ignore_tags: &ignore_tags,
            tags: entry.spec.tags,
        });
        if unknown_settings && entry.spec.tags && !change.planned.is_null() {
            // default_tags and ignore_tags may be what is unknown: so is the merge.
            super::set_attribute(&mut change.planned, TAGS_ALL, Value::Unknown);
        }
        if !change.planned.is_null() {
            entry
                .resource
                .modify_plan(&mut PlanEdit::new(prior, config, &mut change.planned));
        }
        Ok(change)
    }

    /// The private state of a planned create (a replacement's included): its occurrence among the
    /// identical creates this process planned (`client_token`). None keeps the prior private state.
    pub fn planned_private(
        &self,
        entry: &ResourceEntry,
        prior: &Value,
        change: &PlannedChange,
    ) -> Option<Vec<u8>> {
        let creates = prior.is_null() || !change.requires_replace.is_empty();
        (creates && !change.planned.is_null()).then(|| {
            self.create_occurrences
                .note(entry.spec.type_name, &change.planned)
                .unwrap_or_default()
        })
    }

    /// The resource's plan-time check against Proton (see `Resource::check_plan`), for a plan that
    /// creates or changes the object. Skipped before the provider is configured and for a configuration
    /// that fails validation.
    pub async fn check_plan(
        &self,
        entry: &ResourceEntry,
        prior: &Value,
        config: &Value,
    ) -> Diagnostics {
        // Configuration Terraform was told is invalid never reaches Proton.
        if self.validate_resource_config(entry, config).has_errors() {
            return Diagnostics::new();
        }
        let Ok(configured) = self.configured() else {
            return Diagnostics::new();
        };
        let ctx = self.context(&configured, PLAN_CHECK_TIMEOUT);
        entry.resource.check_plan(&ctx, prior, config).await
    }
}

/// How long a plan-time check may wait for Proton.
const PLAN_CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// A create that leaves out an argument only imports may omit (`Attribute::required_to_create`).
fn missing_to_create(entry: &ResourceEntry, config: &Value) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    for attribute in entry.schema.block.attributes.iter() {
        if attribute.required_to_create && config.get(&attribute.name).is_none_or(Value::is_null) {
            diags.attribute_error(
                AttributePath::attribute(attribute.name.clone()),
                "Missing required argument",
                format!(
                    "{} needs `{}` to be created. Only an imported object may leave it out: Proton \
                     never reports it.",
                    entry.spec.type_name, attribute.name
                ),
            );
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(())
    }
}
