//! PlanResourceChange: the rules Terraform enforces on plans, in one place.

use std::collections::BTreeMap;

use crate::tf::schema::{Attribute, Block, Presence, Semantics, yaml_equal};
use crate::tf::{AttributePath, Value};

use super::tags::{self, IgnoreTags, TAGS, TAGS_ALL, Tags};

/// The block name the engine adds for `timeouts`; changing it alone calls no API.
pub const TIMEOUTS: &str = "timeouts";

pub struct PlanRequest<'a> {
    /// The resource's full schema block, engine-added attributes included.
    pub block: &'a Block,
    pub prior: &'a Value,
    pub proposed: &'a Value,
    pub config: &'a Value,
    pub default_tags: &'a Tags,
    pub ignore_tags: &'a IgnoreTags,
    pub tags: bool,
}

#[derive(Debug, PartialEq)]
pub struct PlannedChange {
    pub planned: Value,
    pub requires_replace: Vec<AttributePath>,
}

pub fn plan_resource_change(request: &PlanRequest<'_>) -> PlannedChange {
    let Value::Object(proposed) = request.proposed else {
        // Destroy (or a value we cannot plan): the plan is the proposal, which Terraform made null.
        return PlannedChange {
            planned: request.proposed.clone(),
            requires_replace: Vec::new(),
        };
    };
    let null = Value::Null;
    let config = |name: &str| request.config.get(name).unwrap_or(&null);
    let prior = |name: &str| request.prior.get(name).unwrap_or(&null);
    let creating = request.prior.is_null();

    let mut planned: BTreeMap<String, Value> = proposed.clone();
    for attribute in &request.block.attributes {
        if let Some(default) = &attribute.default
            && config(&attribute.name).is_null()
        {
            planned.insert(attribute.name.clone(), default.clone());
        }
    }
    for attribute in &request.block.attributes {
        // Terraform proposes the prior value for what it believes is computed; the user cleared it.
        if attribute.computed_on_the_wire_only() && config(&attribute.name).is_null() {
            planned.insert(attribute.name.clone(), Value::Null);
        }
    }
    keep_equivalent_yaml(request.block, request.prior, &mut planned);
    if request.tags {
        let own = planned.get(TAGS).cloned().unwrap_or(Value::Null);
        planned.insert(
            TAGS_ALL.to_string(),
            tags::merged(request.default_tags, &own, request.ignore_tags),
        );
    }

    let changed = creating
        || request
            .block
            .attributes
            .iter()
            .filter(|a| a.presence.is_configurable() && a.name != TAGS)
            .any(|a| planned.get(&a.name).unwrap_or(&null) != prior(&a.name))
        || request
            .block
            .blocks
            .iter()
            .filter(|b| b.name != TIMEOUTS)
            .any(|b| planned.get(&b.name).unwrap_or(&null) != prior(&b.name));

    if changed {
        for attribute in &request.block.attributes {
            if becomes_unknown(attribute, creating) && config(&attribute.name).is_null() {
                planned.insert(attribute.name.clone(), Value::Unknown);
            }
        }
    }

    let requires_replace = if creating {
        Vec::new()
    } else {
        request
            .block
            .attributes
            .iter()
            .filter(|a| a.replaces(prior(&a.name), planned.get(&a.name).unwrap_or(&null)))
            .map(|a| AttributePath::attribute(&a.name))
            .collect()
    };

    PlannedChange {
        planned: Value::Object(planned),
        requires_replace,
    }
}

/// A YAML document that means what the stored one means is planned as the stored text: reformatting,
/// reordering keys or editing comments is not a change. (Terraform allows this because the engine
/// presents YAML attributes as optional + computed; see `Attribute::terraform_presence`.)
fn keep_equivalent_yaml(block: &Block, prior: &Value, planned: &mut BTreeMap<String, Value>) {
    for attribute in block
        .attributes
        .iter()
        .filter(|a| a.semantics == Semantics::Yaml)
    {
        let Some(stored) = prior.get(&attribute.name).and_then(Value::as_str) else {
            continue;
        };
        if let Some(Value::String(wanted)) = planned.get(&attribute.name)
            && wanted != stored
            && yaml_equal(wanted, stored)
        {
            planned.insert(attribute.name.clone(), Value::string(stored));
        }
    }
}

/// Whether a computed attribute left null in configuration is unknown in a plan that changes the object.
fn becomes_unknown(attribute: &Attribute, creating: bool) -> bool {
    let computed = matches!(
        attribute.presence,
        Presence::Computed | Presence::OptionalComputed
    );
    computed
        && attribute.default.is_none()
        && attribute.name != TAGS_ALL
        && (creating || !attribute.use_state_for_unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::schema::Attribute;

    fn block() -> Block {
        Block::new(vec![
            Attribute::string("name").required().requires_replace(),
            Attribute::string("description").optional(),
            Attribute::string("provisioning")
                .optional()
                .requires_replace(),
            Attribute::string("arn").computed().use_state_for_unknown(),
            Attribute::string("last_modified_at").computed(),
            Attribute::string("mode").default_value(Value::string("auto")),
            Attribute::string_map(TAGS).optional(),
            Attribute::string_map(TAGS_ALL).computed(),
        ])
    }

    fn object(pairs: &[(&str, Value)]) -> Value {
        let names = [
            "name",
            "description",
            "provisioning",
            "arn",
            "last_modified_at",
            "mode",
            TAGS,
            TAGS_ALL,
        ];
        Value::object(names.iter().map(|n| {
            let value = pairs
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null);
            (*n, value)
        }))
    }

    fn plan(prior: &Value, proposed: &Value, config: &Value, defaults: &Tags) -> PlannedChange {
        let block = block();
        plan_resource_change(&PlanRequest {
            block: &block,
            prior,
            proposed,
            config,
            default_tags: defaults,
            ignore_tags: &IgnoreTags::default(),
            tags: true,
        })
    }

    fn defaults() -> Tags {
        Tags::from([("team".to_string(), "platform".to_string())])
    }

    fn prior() -> Value {
        object(&[
            ("name", Value::string("a")),
            ("arn", Value::string("arn:1")),
            ("last_modified_at", Value::string("t1")),
            ("mode", Value::string("auto")),
            ("tags_all", tags::to_value(&defaults())),
        ])
    }

    #[test]
    fn create_marks_computed_unknown_and_applies_defaults() {
        let config = object(&[("name", Value::string("a"))]);
        let change = plan(&Value::Null, &config, &config, &defaults());
        assert_eq!(change.planned.get("arn"), Some(&Value::Unknown));
        assert_eq!(
            change.planned.get("last_modified_at"),
            Some(&Value::Unknown)
        );
        assert_eq!(change.planned.get("mode"), Some(&Value::string("auto")));
        assert_eq!(
            change.planned.get(TAGS_ALL),
            Some(&tags::to_value(&defaults()))
        );
        assert!(change.requires_replace.is_empty());
    }

    #[test]
    fn no_change_keeps_everything_known() {
        let config = object(&[("name", Value::string("a"))]);
        let proposed = prior();
        let change = plan(&prior(), &proposed, &config, &defaults());
        assert_eq!(change.planned, prior());
    }

    #[test]
    fn update_keeps_stable_computed_values() {
        let config = object(&[
            ("name", Value::string("a")),
            ("description", Value::string("new")),
        ]);
        let mut proposed = prior();
        if let Value::Object(fields) = &mut proposed {
            fields.insert("description".into(), Value::string("new"));
        }
        let change = plan(&prior(), &proposed, &config, &defaults());
        assert_eq!(change.planned.get("arn"), Some(&Value::string("arn:1")));
        assert_eq!(
            change.planned.get("last_modified_at"),
            Some(&Value::Unknown)
        );
        assert!(change.requires_replace.is_empty());
    }

    #[test]
    fn replacing_attributes_are_reported() {
        let config = object(&[
            ("name", Value::string("b")),
            ("provisioning", Value::string("CUSTOMER_MANAGED")),
        ]);
        let mut proposed = prior();
        if let Value::Object(fields) = &mut proposed {
            fields.insert("name".into(), Value::string("b"));
            fields.insert("provisioning".into(), Value::string("CUSTOMER_MANAGED"));
        }
        let change = plan(&prior(), &proposed, &config, &defaults());
        let paths: Vec<String> = change
            .requires_replace
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(paths, vec!["name", "provisioning"]);
    }

    #[test]
    fn tag_only_change_moves_tags_all_but_nothing_else() {
        let own = tags::to_value(&Tags::from([("app".to_string(), "x".to_string())]));
        let config = object(&[("name", Value::string("a")), (TAGS, own.clone())]);
        let mut proposed = prior();
        if let Value::Object(fields) = &mut proposed {
            fields.insert(TAGS.into(), own);
        }
        let change = plan(&prior(), &proposed, &config, &defaults());
        assert_eq!(
            change.planned.get("last_modified_at"),
            Some(&Value::string("t1"))
        );
        let all = tags::from_value(change.planned.get(TAGS_ALL).unwrap_or(&Value::Null));
        assert_eq!(all.len(), 2);
    }

    #[test]
    fn conditional_replacement_only_for_the_named_change() {
        fn published_to_draft(prior: &Value, planned: &Value) -> bool {
            prior.as_str() == Some("PUBLISHED") && planned.as_str() == Some("DRAFT")
        }
        let block = Block::new(vec![
            Attribute::string("status")
                .default_value(Value::string("DRAFT"))
                .requires_replace_if("published goes back to draft", published_to_draft),
        ]);
        let plan_status = |prior: &str, wanted: &str| {
            let prior = Value::object([("status", Value::string(prior))]);
            let config = Value::object([("status", Value::string(wanted))]);
            plan_resource_change(&PlanRequest {
                block: &block,
                prior: &prior,
                proposed: &config,
                config: &config,
                default_tags: &Tags::new(),
                ignore_tags: &IgnoreTags::default(),
                tags: false,
            })
            .requires_replace
            .len()
        };
        assert_eq!(plan_status("DRAFT", "PUBLISHED"), 0);
        assert_eq!(plan_status("PUBLISHED", "PUBLISHED"), 0);
        assert_eq!(plan_status("PUBLISHED", "DRAFT"), 1);
    }

    #[test]
    fn reformatted_yaml_is_not_a_change() {
        let block = Block::new(vec![
            Attribute::string("spec").required().yaml(),
            Attribute::string("last_modified_at").computed(),
        ]);
        let prior = Value::object([
            ("spec", Value::string("a: 1\nb: [x, y]\n")),
            ("last_modified_at", Value::string("t1")),
        ]);
        let config = Value::object([
            ("spec", Value::string("# comment\nb:\n  - x\n  - y\na: 1\n")),
            ("last_modified_at", Value::Null),
        ]);
        let proposed = Value::object([
            ("spec", config.get("spec").cloned().unwrap_or(Value::Null)),
            ("last_modified_at", Value::string("t1")),
        ]);
        let change = plan_resource_change(&PlanRequest {
            block: &block,
            prior: &prior,
            proposed: &proposed,
            config: &config,
            default_tags: &Tags::new(),
            ignore_tags: &IgnoreTags::default(),
            tags: false,
        });
        assert_eq!(change.planned, prior);

        let changed = Value::object([
            ("spec", Value::string("a: 2\n")),
            ("last_modified_at", Value::Null),
        ]);
        let proposed = Value::object([
            ("spec", Value::string("a: 2\n")),
            ("last_modified_at", Value::string("t1")),
        ]);
        let change = plan_resource_change(&PlanRequest {
            block: &block,
            prior: &prior,
            proposed: &proposed,
            config: &changed,
            default_tags: &Tags::new(),
            ignore_tags: &IgnoreTags::default(),
            tags: false,
        });
        assert_eq!(change.planned.get("spec"), Some(&Value::string("a: 2\n")));
        assert_eq!(
            change.planned.get("last_modified_at"),
            Some(&Value::Unknown)
        );
    }

    #[test]
    fn clearing_an_attribute_terraform_thinks_computed_plans_null() {
        let block = Block::new(vec![
            Attribute::string("name").required(),
            Attribute::string("spec").optional().yaml(),
            Attribute::nested(
                "repository",
                crate::tf::schema::Nesting::Single,
                vec![Attribute::string("branch").required()],
            )
            .optional(),
        ]);
        let repository = Value::object([("branch", Value::string("main"))]);
        let prior = Value::object([
            ("name", Value::string("a")),
            ("spec", Value::string("a: 1\n")),
            ("repository", repository.clone()),
        ]);
        // Terraform proposes the prior values for attributes it believes computed.
        let config = Value::object([
            ("name", Value::string("a")),
            ("spec", Value::Null),
            ("repository", Value::Null),
        ]);
        let change = plan_resource_change(&PlanRequest {
            block: &block,
            prior: &prior,
            proposed: &prior,
            config: &config,
            default_tags: &Tags::new(),
            ignore_tags: &IgnoreTags::default(),
            tags: false,
        });
        assert_eq!(change.planned.get("spec"), Some(&Value::Null));
        assert_eq!(change.planned.get("repository"), Some(&Value::Null));
        assert_eq!(
            block.attributes[2].terraform_presence(),
            Presence::OptionalComputed
        );
    }

    #[test]
    fn destroy_plans_null() {
        let change = plan(&prior(), &Value::Null, &Value::Null, &defaults());
        assert_eq!(change.planned, Value::Null);
    }
}
