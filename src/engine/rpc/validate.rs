//! The Validate*Config RPCs: a configuration against its schema's validators and cross-attribute rules,
//! before Terraform plans anything.

use crate::engine::resource::ConfigRule;
use crate::engine::tags::{self, TAGS};
use crate::engine::timeouts;
use crate::engine::{ActionEntry, DataSourceEntry, Engine, ListEntry, ResourceEntry};
use crate::tf::schema::Block;
use crate::tf::{AttributePath, Diagnostic, Diagnostics, Value};

impl Engine {
    pub fn validate_provider_config(&self, config: &Value) -> Diagnostics {
        validate_config(&self.provider_schema().block, &[], config)
    }

    pub fn validate_resource_config(&self, entry: &ResourceEntry, config: &Value) -> Diagnostics {
        let mut diags = validate_config(&entry.schema.block, &entry.spec.rules, config);
        timeouts::validate(config, &mut diags);
        if entry.spec.tags
            && let Some(configured) = config.get(TAGS)
        {
            tags::validate_keys(configured, AttributePath::attribute(TAGS), &mut diags);
        }
        deprecations(&entry.schema.block, config, &mut diags);
        entry.resource.validate_config(config, &mut diags);
        diags
    }

    pub fn validate_data_source_config(
        &self,
        entry: &DataSourceEntry,
        config: &Value,
    ) -> Diagnostics {
        validate_config(&entry.schema.block, &entry.spec.rules, config)
    }

    pub fn validate_list_config(&self, list: &ListEntry, config: &Value) -> Diagnostics {
        validate_config(&list.schema.block, &[], config)
    }

    pub fn validate_action_config(&self, entry: &ActionEntry, config: &Value) -> Diagnostics {
        validate_config(&entry.schema.block, &entry.spec.rules, config)
    }
}

/// A configuration checked against its block's validators and the cross-attribute rules.
fn validate_config(block: &Block, rules: &[ConfigRule], config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    block.validate(config, &AttributePath::root(), &mut diags);
    check_rules(rules, config, &mut diags);
    diags
}

fn check_rules(rules: &[ConfigRule], config: &Value, diags: &mut Diagnostics) {
    for rule in rules {
        let (names, exactly) = match rule {
            ConfigRule::ExactlyOneOf(names) => (*names, true),
            ConfigRule::AtMostOneOf(names) => (*names, false),
        };
        let values: Vec<&Value> = names
            .iter()
            .map(|n| config.get(n).unwrap_or(&Value::Null))
            .collect();
        if values.iter().any(|v| v.is_unknown()) {
            continue;
        }
        let set: Vec<&str> = names
            .iter()
            .zip(&values)
            .filter(|(_, v)| !v.is_null())
            .map(|(n, _)| *n)
            .collect();
        let listed = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if set.len() > 1 {
            for name in &set {
                diags.attribute_error(
                    AttributePath::attribute(*name),
                    "Conflicting attributes",
                    format!(
                        "Only one of {listed} may be set; {} are.",
                        set.join(" and ")
                    ),
                );
            }
        } else if exactly && set.is_empty() {
            diags.attribute_error(
                AttributePath::attribute(names[0]),
                "Missing attribute",
                format!("Exactly one of {listed} must be set."),
            );
        }
    }
}

fn deprecations(block: &Block, config: &Value, diags: &mut Diagnostics) {
    for attribute in &block.attributes {
        if let Some(message) = &attribute.deprecation
            && config.get(&attribute.name).is_some_and(|v| !v.is_null())
        {
            diags.push(
                Diagnostic::warning("Deprecated attribute", message.clone())
                    .at(AttributePath::attribute(&attribute.name)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_name_each_conflicting_attribute() {
        let config = Value::object([
            ("a", Value::string("x")),
            ("b", Value::string("y")),
            ("c", Value::Null),
        ]);
        let mut diags = Diagnostics::new();
        check_rules(
            &[ConfigRule::ExactlyOneOf(&["a", "b"])],
            &config,
            &mut diags,
        );
        let paths: Vec<String> = diags
            .iter()
            .filter_map(|d| d.path.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, vec!["a", "b"]);

        let mut diags = Diagnostics::new();
        check_rules(
            &[ConfigRule::ExactlyOneOf(&["c", "d"])],
            &config,
            &mut diags,
        );
        assert!(diags.has_errors());

        let unknown = Value::object([("a", Value::Unknown), ("b", Value::string("y"))]);
        let mut diags = Diagnostics::new();
        check_rules(
            &[ConfigRule::ExactlyOneOf(&["a", "b"])],
            &unknown,
            &mut diags,
        );
        assert!(diags.is_empty());
    }
}
