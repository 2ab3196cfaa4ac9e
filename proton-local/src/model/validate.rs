//! Request validation from the model, with AWS's wording:
//! `1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: ...`.

use serde_json::Value;

use super::{Model, Shape, ShapeType};

#[derive(Debug, Clone, PartialEq)]
pub enum ValidationFailure {
    /// Constraint violations, one message each.
    Invalid(Vec<String>),
    /// The JSON does not have the types the shape declares.
    Serialization(String),
}

impl ValidationFailure {
    /// The single message AWS sends for a list of violations.
    pub fn message(&self) -> String {
        match self {
            ValidationFailure::Invalid(msgs) => {
                let n = msgs.len();
                let noun = if n == 1 { "error" } else { "errors" };
                format!("{n} validation {noun} detected: {}", msgs.join("; "))
            }
            ValidationFailure::Serialization(m) => m.clone(),
        }
    }
}

struct Walker<'m> {
    model: &'m Model,
    errors: Vec<String>,
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn type_error(path: &str, expected: &str) -> ValidationFailure {
    let at = if path.is_empty() { "the request" } else { path };
    ValidationFailure::Serialization(format!(
        "Unexpected value type at '{at}': expected {expected}"
    ))
}

impl Walker<'_> {
    fn violation(&mut self, shape: &Shape, value: &Value, path: &str, constraint: String) {
        let shown = if shape.sensitive {
            "Value".to_string()
        } else {
            format!("Value '{}'", show(value))
        };
        self.errors.push(format!(
            "{shown} at '{path}' failed to satisfy constraint: {constraint}"
        ));
    }

    fn length(&mut self, shape: &Shape, value: &Value, path: &str, len: usize) {
        if let Some(min) = shape.min
            && (len as f64) < min
        {
            self.violation(
                shape,
                value,
                path,
                format!("Member must have length greater than or equal to {min}"),
            );
        }
        if let Some(max) = shape.max
            && (len as f64) > max
        {
            self.violation(
                shape,
                value,
                path,
                format!("Member must have length less than or equal to {max}"),
            );
        }
    }

    fn walk(
        &mut self,
        value: &Value,
        shape_name: &str,
        path: &str,
    ) -> Result<(), ValidationFailure> {
        let Some(shape) = self.model.shape(shape_name) else {
            return Ok(());
        };
        match shape.kind {
            ShapeType::Structure => {
                let Value::Object(obj) = value else {
                    return Err(type_error(path, "an object"));
                };
                let join = |name: &str| {
                    if path.is_empty() {
                        name.to_string()
                    } else {
                        format!("{path}.{name}")
                    }
                };
                for req in &shape.required {
                    if obj.get(req).is_none_or(Value::is_null) {
                        self.errors.push(format!(
                            "Value null at '{}' failed to satisfy constraint: Member must not be null",
                            join(req)
                        ));
                    }
                }
                let mut set = 0;
                for (name, member) in &shape.member_list {
                    if let Some(v) = obj.get(name).filter(|v| !v.is_null()) {
                        set += 1;
                        self.walk(v, &member.shape, &join(name))?;
                    }
                }
                if shape.union && set != 1 {
                    let at = if path.is_empty() { "the request" } else { path };
                    self.errors.push(format!(
                        "Value at '{at}' failed to satisfy constraint: Member must have exactly one member set"
                    ));
                }
            }
            ShapeType::List => {
                let Value::Array(items) = value else {
                    return Err(type_error(path, "a list"));
                };
                self.length(shape, value, path, items.len());
                let member = shape.member.clone().unwrap_or_default();
                for (i, item) in items.iter().enumerate() {
                    if item.is_null() {
                        continue;
                    }
                    self.walk(item, &member, &format!("{path}.{}.member", i + 1))?;
                }
            }
            ShapeType::Map => {
                let Value::Object(obj) = value else {
                    return Err(type_error(path, "a map"));
                };
                self.length(shape, value, path, obj.len());
                let vshape = shape.value.clone().unwrap_or_default();
                for (k, v) in obj {
                    self.walk(v, &vshape, &format!("{path}.{k}"))?;
                }
            }
            ShapeType::String => {
                let Value::String(s) = value else {
                    return Err(type_error(path, "a string"));
                };
                self.length(shape, value, path, s.chars().count());
                if let Some(re) = &shape.regex
                    && !re.is_match(s)
                {
                    let pattern = shape.pattern.clone().unwrap_or_default();
                    self.violation(
                        shape,
                        value,
                        path,
                        format!("Member must satisfy regular expression pattern: {pattern}"),
                    );
                }
                if let Some(values) = &shape.enum_values
                    && !values.iter().any(|e| e == s)
                {
                    self.violation(
                        shape,
                        value,
                        path,
                        format!(
                            "Member must satisfy enum value set: [{}]",
                            values.join(", ")
                        ),
                    );
                }
            }
            ShapeType::Integer | ShapeType::Long => {
                let Some(n) = value.as_i64() else {
                    return Err(type_error(path, "an integer"));
                };
                if let Some(min) = shape.min
                    && (n as f64) < min
                {
                    self.violation(
                        shape,
                        value,
                        path,
                        format!("Member must have value greater than or equal to {min}"),
                    );
                }
                if let Some(max) = shape.max
                    && (n as f64) > max
                {
                    self.violation(
                        shape,
                        value,
                        path,
                        format!("Member must have value less than or equal to {max}"),
                    );
                }
            }
            ShapeType::Boolean => {
                if !value.is_boolean() {
                    return Err(type_error(path, "a boolean"));
                }
            }
            ShapeType::Timestamp | ShapeType::Double | ShapeType::Float => {
                if !value.is_number() {
                    return Err(type_error(path, "a number"));
                }
            }
            ShapeType::Blob => {
                if !value.is_string() {
                    return Err(type_error(path, "a base64 string"));
                }
            }
        }
        Ok(())
    }
}

pub fn validate(model: &Model, value: &Value, shape: &str) -> Result<(), ValidationFailure> {
    let mut w = Walker {
        model,
        errors: vec![],
    };
    w.walk(value, shape, "")?;
    if w.errors.is_empty() {
        Ok(())
    } else {
        Err(ValidationFailure::Invalid(w.errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(op: &str, v: Value) -> Result<(), String> {
        let m = Model::load().unwrap();
        m.validate_input(op, &v).map_err(|f| f.message())
    }

    #[test]
    fn accepts_valid_input_and_ignores_unknown_members() {
        check(
            "CreateEnvironmentTemplate",
            json!({"name": "t1", "whatever": 3}),
        )
        .unwrap();
        check(
            "CreateEnvironmentTemplateVersion",
            json!({"templateName": "t1", "source": {"s3": {"bucket": "my-bucket", "key": "k.tar.gz"}}}),
        )
        .unwrap();
    }

    #[test]
    fn reports_missing_and_pattern_errors_like_aws() {
        assert_eq!(
            check("CreateEnvironmentTemplate", json!({})).unwrap_err(),
            "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"
        );
        assert_eq!(
            check("CreateEnvironmentTemplate", json!({"name": "-x"})).unwrap_err(),
            "1 validation error detected: Value '-x' at 'name' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$"
        );
        let long = "a".repeat(101);
        let msg = check(
            "CreateEnvironmentTemplate",
            json!({"name": long, "provisioning": "X"}),
        )
        .unwrap_err();
        assert!(msg.starts_with("2 validation errors detected: "), "{msg}");
        assert!(
            msg.contains("Member must have length less than or equal to 100"),
            "{msg}"
        );
        assert!(
            msg.contains("Member must satisfy enum value set: [CUSTOMER_MANAGED]"),
            "{msg}"
        );
    }

    #[test]
    fn nested_paths_and_sensitive_values() {
        let msg = check(
            "CreateEnvironmentTemplate",
            json!({"name": "a", "displayName": "", "tags": [{"key": "k", "value": "v"}, {"key": ""}]}),
        )
        .unwrap_err();
        assert!(msg.contains("Value at 'displayName' failed"), "{msg}");
        assert!(msg.contains("Value null at 'tags.2.member.value'"), "{msg}");
        assert!(msg.contains("Value '' at 'tags.2.member.key'"), "{msg}");
    }

    #[test]
    fn unions_need_exactly_one_member() {
        let msg = check(
            "CreateEnvironmentTemplateVersion",
            json!({"templateName": "t1", "source": {}}),
        )
        .unwrap_err();
        assert!(msg.contains("exactly one member"), "{msg}");
    }

    #[test]
    fn wrong_types_are_serialization_errors() {
        let m = Model::load().unwrap();
        let err = m
            .validate_input("ListEnvironmentTemplates", &json!({"maxResults": "ten"}))
            .unwrap_err();
        assert!(matches!(err, ValidationFailure::Serialization(_)));
        let err = m
            .validate_input("ListEnvironmentTemplates", &json!({"maxResults": 1000}))
            .unwrap_err();
        assert!(
            err.message()
                .contains("Member must have value less than or equal to 100")
        );
    }
}
