//! ApplyResourceChange: create, update (the resource's update, then tags) or delete, and the state
//! Terraform stores afterwards.

use crate::engine::Engine;
use crate::engine::client_token::client_token;
use crate::engine::plan::TIMEOUTS;
use crate::engine::registry::{Configured, ResourceEntry};
use crate::engine::resource::Error;
use crate::engine::tags::{self, TAGS, TAGS_ALL};
use crate::engine::timeouts::{self, Operation};
use crate::tf::schema::Block;
use crate::tf::{Diagnostics, Value};

use super::{error_diagnostic, known_or_null, set_attribute};

pub struct ApplyOutcome {
    pub new_state: Value,
    pub identity: Option<Value>,
    pub diagnostics: Diagnostics,
}

impl Engine {
    pub async fn apply_resource(
        &self,
        entry: &ResourceEntry,
        prior: &Value,
        planned: &Value,
        planned_private: &[u8],
        planned_identity: Option<&Value>,
    ) -> ApplyOutcome {
        let failed = |diags: Diagnostics| ApplyOutcome {
            new_state: prior.clone(),
            identity: None,
            diagnostics: diags,
        };
        let configured = match self.configured() {
            Ok(configured) => configured,
            Err(diags) => return failed(diags),
        };
        let mut diags = Diagnostics::new();
        let new_state = if planned.is_null() {
            self.delete(entry, &configured, prior, &mut diags).await
        } else if prior.is_null() {
            self.create(entry, &configured, planned, planned_private, &mut diags)
                .await
        } else {
            self.update(entry, &configured, prior, planned, &mut diags)
                .await
        };
        ApplyOutcome {
            identity: self.identity(entry, &new_state, planned_identity),
            new_state,
            diagnostics: diags,
        }
    }

    async fn create(
        &self,
        entry: &ResourceEntry,
        configured: &Configured,
        planned: &Value,
        planned_private: &[u8],
        diags: &mut Diagnostics,
    ) -> Value {
        let mut ctx = self.context(
            configured,
            timeouts::resolve(planned, Operation::Create, &entry.spec.timeouts),
        );
        ctx.tags = tags::from_value(planned.get(TAGS_ALL).unwrap_or(&Value::Null));
        ctx.client_token = client_token(entry.spec.type_name, planned, planned_private);
        tracing::debug!(resource = entry.spec.type_name, "creating");
        let created = entry.resource.create(&ctx, planned, &entry.ty).await;
        diags.extend(ctx.warnings.take());
        match created {
            Ok(created) => settle(planned, &created),
            Err(failure) => {
                diags.push(error_diagnostic(
                    entry.spec.type_name,
                    "create",
                    &failure.error,
                ));
                // The object exists: keep it in state so Terraform taints it instead of forgetting it.
                failure
                    .state
                    .map(|state| settle_failed(planned, &state))
                    .unwrap_or(Value::Null)
            }
        }
    }

    async fn update(
        &self,
        entry: &ResourceEntry,
        configured: &Configured,
        prior: &Value,
        planned: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let ctx = self.context(
            configured,
            timeouts::resolve(planned, Operation::Update, &entry.spec.timeouts),
        );
        let result = if resource_changed(&entry.schema.block, prior, planned) {
            tracing::debug!(resource = entry.spec.type_name, "updating");
            let updated = entry.resource.update(&ctx, prior, planned, &entry.ty).await;
            diags.extend(ctx.warnings.take());
            match updated {
                Ok(updated) => settle(planned, &updated),
                Err(failure) => {
                    diags.push(error_diagnostic(
                        entry.spec.type_name,
                        "update",
                        &failure.error,
                    ));
                    return failure
                        .state
                        .map(|state| keep_engine_attributes(&state, prior))
                        .unwrap_or_else(|| prior.clone());
                }
            }
        } else {
            settle(planned, prior)
        };
        if entry.spec.tags {
            // Ignored keys are never set or removed, even where a state written before they were
            // ignored still lists them.
            let ignore = &configured.ignore_tags;
            let old = ignore.retain(&tags::from_value(
                prior.get(TAGS_ALL).unwrap_or(&Value::Null),
            ));
            let new = ignore.retain(&tags::from_value(
                planned.get(TAGS_ALL).unwrap_or(&Value::Null),
            ));
            if old != new {
                let arn = result
                    .get("arn")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let (upsert, remove) = tags::diff(&old, &new);
                if let Err(error) = ctx.api.update_tags(arn, &upsert, &remove).await {
                    diags.push(error_diagnostic(
                        entry.spec.type_name,
                        "update tags of",
                        &Error::Api(error),
                    ));
                    return keep_engine_attributes(&result, prior);
                }
            }
        }
        result
    }

    async fn delete(
        &self,
        entry: &ResourceEntry,
        configured: &Configured,
        prior: &Value,
        diags: &mut Diagnostics,
    ) -> Value {
        let ctx = self.context(
            configured,
            timeouts::resolve(prior, Operation::Delete, &entry.spec.timeouts),
        );
        tracing::debug!(resource = entry.spec.type_name, "deleting");
        let deleted = entry.resource.delete(&ctx, prior).await;
        diags.extend(ctx.warnings.take());
        match deleted {
            Ok(()) => Value::Null,
            Err(error) => {
                diags.push(error_diagnostic(entry.spec.type_name, "delete", &error));
                prior.clone()
            }
        }
    }
}

/// Whether anything but tags and timeouts differs, i.e. whether the resource's own update must run.
fn resource_changed(block: &Block, prior: &Value, planned: &Value) -> bool {
    let null = Value::Null;
    block
        .attributes
        .iter()
        .filter(|a| a.presence.is_configurable() && a.name != TAGS)
        .any(|a| planned.get(&a.name).unwrap_or(&null) != prior.get(&a.name).unwrap_or(&null))
        || block
            .blocks
            .iter()
            .filter(|b| b.name != TIMEOUTS)
            .any(|b| planned.get(&b.name).unwrap_or(&null) != prior.get(&b.name).unwrap_or(&null))
        // A resource's plan hook may plan work (values unknown until it is done) with no argument changed.
        || block
            .attributes
            .iter()
            .filter(|a| a.name != TAGS_ALL)
            .any(|a| planned.get(&a.name).is_some_and(|v| !v.is_wholly_known()))
}

/// The state after apply: every value known in the plan as planned (Terraform requires it, and it keeps
/// the user's spelling), everything else as the API reported it.
fn settle(planned: &Value, reported: &Value) -> Value {
    let (Value::Object(planned_fields), Value::Object(reported_fields)) = (planned, reported)
    else {
        return known_or_null(reported.clone());
    };
    let mut fields = reported_fields.clone();
    for (name, value) in planned_fields {
        if value.is_wholly_known() || !fields.contains_key(name) {
            fields.insert(name.clone(), value.clone());
        }
    }
    known_or_null(Value::Object(fields))
}

/// The state after a failed create: the object as the API reported it (a failed registration shows
/// its real status), with planned values only where the API said nothing.
fn settle_failed(planned: &Value, reported: &Value) -> Value {
    let (Value::Object(planned_fields), Value::Object(reported_fields)) = (planned, reported)
    else {
        return known_or_null(reported.clone());
    };
    let mut fields = reported_fields.clone();
    for (name, value) in planned_fields {
        if fields.get(name).is_none_or(Value::is_null) {
            fields.insert(name.clone(), value.clone());
        }
    }
    known_or_null(Value::Object(fields))
}

/// After a failed update: the object as it now is, with the engine's own attributes from the prior state.
fn keep_engine_attributes(state: &Value, prior: &Value) -> Value {
    let mut state = state.clone();
    for name in [TAGS, TAGS_ALL, TIMEOUTS] {
        if let Some(value) = prior.get(name) {
            set_attribute(&mut state, name, value.clone());
        }
    }
    known_or_null(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::schema::Attribute;

    #[test]
    fn settle_prefers_known_planned_values() {
        let planned = Value::object([
            ("name", Value::string("a")),
            ("spec", Value::string("x: 1\n")),
            ("arn", Value::Unknown),
        ]);
        let reported = Value::object([
            ("name", Value::string("a")),
            ("spec", Value::string("{x: 1}")),
            (
                "arn",
                Value::string("arn:aws:proton:us-east-1:0:environment/a"),
            ),
        ]);
        let state = settle(&planned, &reported);
        assert_eq!(state.get("spec"), Some(&Value::string("x: 1\n")));
        assert_eq!(
            state.get("arn"),
            Some(&Value::string("arn:aws:proton:us-east-1:0:environment/a"))
        );
    }

    #[test]
    fn failed_create_keeps_what_the_api_reported() {
        let planned = Value::object([
            ("status", Value::string("DRAFT")),
            ("source", Value::string("s3://b/k")),
            ("status_message", Value::Unknown),
            ("tags_all", Value::map([("a", Value::string("b"))])),
        ]);
        let reported = Value::object([
            ("status", Value::string("REGISTRATION_FAILED")),
            ("source", Value::Null),
            ("status_message", Value::string("bad bundle")),
            ("tags_all", Value::Null),
        ]);
        let state = settle_failed(&planned, &reported);
        assert_eq!(
            state.get("status"),
            Some(&Value::string("REGISTRATION_FAILED"))
        );
        assert_eq!(state.get("source"), Some(&Value::string("s3://b/k")));
        assert_eq!(
            state.get("status_message"),
            Some(&Value::string("bad bundle"))
        );
        assert_eq!(state.get("tags_all"), planned.get("tags_all"));
    }

    #[test]
    fn planned_unknowns_run_the_update_even_without_argument_changes() {
        let block = Block::new(vec![
            Attribute::string("spec").required(),
            Attribute::string("deployment_status").computed(),
            Attribute::string_map(TAGS_ALL).computed(),
        ]);
        let prior = Value::object([
            ("spec", Value::string("a: 1")),
            ("deployment_status", Value::string("FAILED")),
            (TAGS_ALL, Value::Null),
        ]);
        assert!(!resource_changed(&block, &prior, &prior));
        let mut redeploy = prior.clone();
        set_attribute(&mut redeploy, "deployment_status", Value::Unknown);
        assert!(resource_changed(&block, &prior, &redeploy));
        let mut tags_only = prior.clone();
        set_attribute(&mut tags_only, TAGS_ALL, Value::Unknown);
        assert!(!resource_changed(&block, &prior, &tags_only));
    }
}
