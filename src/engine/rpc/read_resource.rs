//! ReadResource: the object as the API now has it (null when it is gone), its tags split from
//! `default_tags`, and the stored spelling kept where the API only reformatted a value.

use crate::engine::identity::{check_location, requested_location};
use crate::engine::plan::TIMEOUTS;
use crate::engine::resource::Error;
use crate::engine::tags::{self, TAGS, TAGS_ALL};
use crate::engine::timeouts::{self, Operation};
use crate::engine::{Engine, ResourceEntry};
use crate::tf::schema::{Block, Semantics, yaml_equal};
use crate::tf::{Diagnostics, Value};

use super::{error_diagnostic, known_or_null, set_attribute};

pub struct ReadOutcome {
    pub new_state: Value,
    pub identity: Option<Value>,
    pub diagnostics: Diagnostics,
}

impl Engine {
    /// Reads the object `current` names. `current_identity` is the identity Terraform stored (after an
    /// import, the one the user wrote): an object found in another account or region is refused.
    pub async fn read_resource(
        &self,
        entry: &ResourceEntry,
        current: &Value,
        current_identity: Option<&Value>,
    ) -> ReadOutcome {
        let type_name = entry.spec.type_name;
        let failed = |diags: Diagnostics| ReadOutcome {
            new_state: current.clone(),
            identity: None,
            diagnostics: diags,
        };
        let configured = match self.configured() {
            Ok(configured) => configured,
            Err(diags) => return failed(diags),
        };
        let ctx = self.context(
            &configured,
            timeouts::resolve(current, Operation::Create, &entry.spec.timeouts),
        );
        // The tags are read alongside the object when the prior state already names its ARN: a
        // refresh then costs one round trip instead of two.
        let prior_arn = current
            .get("arn")
            .and_then(Value::as_str)
            .filter(|arn| entry.spec.tags && !arn.is_empty());
        let early_tags = async {
            match prior_arn {
                Some(arn) => Some(ctx.api.list_tags(arn).await),
                None => None,
            }
        };
        let (found, early_tags) =
            tokio::join!(entry.resource.read(&ctx, current, &entry.ty), early_tags);
        let found = match found {
            Ok(found) => found,
            Err(error) => {
                return failed(error_diagnostic(type_name, "read", &error).into());
            }
        };
        let Some(mut remote) = found else {
            tracing::warn!(
                resource = type_name,
                "object no longer exists; removing it from state"
            );
            return ReadOutcome {
                new_state: Value::Null,
                identity: None,
                diagnostics: Diagnostics::new(),
            };
        };
        keep_normalised_values(&entry.schema.block, current, &mut remote);
        if entry.spec.tags {
            let arn = remote
                .get("arn")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let tags = match early_tags {
                Some(tags) if prior_arn == Some(arn) => tags,
                _ => ctx.api.list_tags(arn).await,
            };
            match tags {
                Ok(found) => {
                    let prior_tags = current.get(TAGS).unwrap_or(&Value::Null);
                    let (own, all) = tags::split_remote(
                        &found,
                        &configured.default_tags,
                        prior_tags,
                        &configured.ignore_tags,
                    );
                    set_attribute(&mut remote, TAGS, own);
                    set_attribute(&mut remote, TAGS_ALL, all);
                }
                Err(error) => {
                    return failed(
                        error_diagnostic(type_name, "read tags of", &Error::Api(error)).into(),
                    );
                }
            }
        }
        if let Some(timeouts) = current.get(TIMEOUTS) {
            set_attribute(&mut remote, TIMEOUTS, timeouts.clone());
        }
        let new_state = known_or_null(remote);
        if let Some(stored) = current_identity
            && let Err(diags) = check_location(
                type_name,
                &requested_location(stored),
                &self.location_of(&new_state),
            )
        {
            return failed(diags);
        }
        ReadOutcome {
            identity: self.identity(entry, &new_state, current_identity),
            new_state,
            diagnostics: Diagnostics::new(),
        }
    }
}

/// Keeps the stored value where the API returned the same thing in another spelling.
fn keep_normalised_values(block: &Block, current: &Value, remote: &mut Value) {
    for attribute in &block.attributes {
        if attribute.semantics != Semantics::Yaml {
            continue;
        }
        if let (Some(stored), Some(reported)) = (
            current.get(&attribute.name).and_then(Value::as_str),
            remote.get(&attribute.name).and_then(Value::as_str),
        ) && stored != reported
            && yaml_equal(stored, reported)
        {
            let stored = Value::string(stored);
            set_attribute(remote, &attribute.name, stored);
        }
    }
}
