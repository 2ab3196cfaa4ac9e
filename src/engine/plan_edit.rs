//! A resource's own adjustments to a plan, made after the engine's rules (the framework's ModifyPlan).
//!
//! Only computed values a configuration leaves null can be changed, and only to unknown: what the
//! user wrote is never overridden, and Terraform accepts any known value replacing an unknown one.
//! Typical use: a value that changes only when a deployment happens becomes unknown exactly then.

use crate::tf::Value;

pub struct PlanEdit<'a> {
    prior: &'a Value,
    config: &'a Value,
    planned: &'a mut Value,
}

const NULL: Value = Value::Null;

impl<'a> PlanEdit<'a> {
    pub(crate) fn new(prior: &'a Value, config: &'a Value, planned: &'a mut Value) -> Self {
        Self {
            prior,
            config,
            planned,
        }
    }

    /// Whether the plan creates the object.
    pub fn creating(&self) -> bool {
        self.prior.is_null()
    }

    pub fn prior(&self, name: &str) -> &Value {
        self.prior.get(name).unwrap_or(&NULL)
    }

    pub fn configured(&self, name: &str) -> &Value {
        self.config.get(name).unwrap_or(&NULL)
    }

    pub fn planned(&self, name: &str) -> &Value {
        self.planned.get(name).unwrap_or(&NULL)
    }

    /// Whether an update changes `name` (a value not known yet counts as a change).
    pub fn changes(&self, name: &str) -> bool {
        !self.creating() && self.planned(name) != self.prior(name)
    }

    /// Whether the plan updates the object (computed values are unknown where anything changes).
    pub fn updates(&self) -> bool {
        !self.creating() && *self.planned != *self.prior
    }

    /// Plans a computed `name` (one the configuration leaves null) as a value the plan can already
    /// tell; the apply must then report the same value.
    pub fn set_known(&mut self, name: &str, value: Value) {
        if !self.configured(name).is_null() {
            return;
        }
        if let Value::Object(fields) = &mut *self.planned
            && fields.contains_key(name)
        {
            fields.insert(name.to_string(), value);
        }
    }

    /// Plans `name` as unknown, unless the configuration sets it.
    pub fn set_unknown(&mut self, name: &str) {
        if !self.configured(name).is_null() {
            return;
        }
        if let Value::Object(fields) = &mut *self.planned
            && fields.contains_key(name)
        {
            fields.insert(name.to_string(), Value::Unknown);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_compare_with_prior_and_unknown_only_unconfigured() {
        let prior = Value::object([
            ("spec", Value::string("a: 1")),
            ("status", Value::string("SUCCEEDED")),
            ("minor", Value::string("1")),
        ]);
        let config = Value::object([
            ("spec", Value::string("a: 2")),
            ("status", Value::Null),
            ("minor", Value::string("1")),
        ]);
        let mut planned = Value::object([
            ("spec", Value::string("a: 2")),
            ("status", Value::string("SUCCEEDED")),
            ("minor", Value::string("1")),
        ]);
        let mut edit = PlanEdit::new(&prior, &config, &mut planned);
        assert!(!edit.creating());
        assert!(edit.changes("spec"));
        assert!(!edit.changes("status"));
        edit.set_unknown("status");
        edit.set_unknown("minor");
        edit.set_unknown("absent");
        assert!(edit.changes("status"));
        assert_eq!(planned.get("status"), Some(&Value::Unknown));
        assert_eq!(planned.get("minor"), Some(&Value::string("1")));
        assert_eq!(planned.get("absent"), None);
    }

    #[test]
    fn nothing_changes_on_create() {
        let config = Value::object([("spec", Value::string("a: 1"))]);
        let mut planned = config.clone();
        let edit = PlanEdit::new(&Value::Null, &config, &mut planned);
        assert!(edit.creating());
        assert!(!edit.changes("spec"));
    }
}
