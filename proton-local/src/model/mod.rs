//! The Proton API model (extracted from botocore by scripts/extract-proton-model.py):
//! operations, shapes and their constraints. Requests are validated against it
//! and responses are shaped by it, so the wire format follows the published API.

mod validate;

use std::collections::HashMap;

use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

pub use validate::ValidationFailure;

const MODEL_JSON: &str = include_str!("../model.json");

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model.json is not valid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("shape {shape}: bad pattern: {source}")]
    Pattern { shape: String, source: regex::Error },
    #[error("shape {0} refers to missing shape {1}")]
    Dangling(String, String),
}

#[derive(Debug, Deserialize)]
pub struct Metadata {
    #[serde(rename = "targetPrefix")]
    pub target_prefix: String,
    #[serde(rename = "signingName")]
    pub signing_name: String,
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    pub input: Option<String>,
    pub output: Option<String>,
    #[serde(default)]
    pub errors: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct Member {
    pub shape: String,
    #[cfg_attr(not(test), allow(dead_code))]
    #[serde(default, rename = "idempotencyToken")]
    pub idempotency_token: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShapeType {
    Structure,
    List,
    Map,
    String,
    Integer,
    Long,
    Boolean,
    Timestamp,
    Double,
    Float,
    Blob,
}

#[derive(Debug, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: ShapeType,
    #[serde(default)]
    pub required: Vec<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub pattern: Option<String>,
    #[serde(rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub union: bool,
    /// Kept in declaration order (serde_json preserves it).
    #[serde(default)]
    pub members: serde_json::Map<String, Value>,
    pub member: Option<String>,
    pub key: Option<String>,
    pub value: Option<String>,
    #[serde(skip)]
    pub regex: Option<Regex>,
    #[serde(skip)]
    pub member_list: Vec<(String, Member)>,
}

/// Paginator facts; the tests check every List operation against them.
#[derive(Debug, Deserialize)]
#[cfg_attr(not(test), allow(dead_code))]
pub struct Paginator {
    pub input_token: String,
    pub output_token: String,
    pub limit_key: Option<String>,
    pub result_key: String,
}

#[derive(Debug, Deserialize)]
struct RawModel {
    metadata: Metadata,
    operations: HashMap<String, Operation>,
    shapes: HashMap<String, Shape>,
    #[serde(default)]
    paginators: HashMap<String, Paginator>,
}

#[derive(Debug)]
pub struct Model {
    pub metadata: Metadata,
    pub operations: HashMap<String, Operation>,
    pub shapes: HashMap<String, Shape>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub paginators: HashMap<String, Paginator>,
}

impl Model {
    /// The embedded Proton model.
    pub fn load() -> Result<Model, ModelError> {
        Self::from_json(MODEL_JSON)
    }

    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        let raw: RawModel = serde_json::from_str(text)?;
        let mut shapes = raw.shapes;
        let names: Vec<String> = shapes.keys().cloned().collect();
        for name in names {
            let Some(shape) = shapes.get_mut(&name) else {
                continue;
            };
            if let Some(p) = &shape.pattern {
                let re =
                    Regex::new(&java_to_rust_pattern(p)).map_err(|source| ModelError::Pattern {
                        shape: name.clone(),
                        source,
                    })?;
                shape.regex = Some(re);
            }
            let mut list = Vec::with_capacity(shape.members.len());
            for (m, v) in &shape.members {
                list.push((m.clone(), serde_json::from_value::<Member>(v.clone())?));
            }
            shape.member_list = list;
        }
        // Every reference must resolve, so lookups below cannot miss.
        for (name, shape) in &shapes {
            let refs = shape
                .member_list
                .iter()
                .map(|(_, m)| &m.shape)
                .chain(shape.member.iter())
                .chain(shape.key.iter())
                .chain(shape.value.iter());
            for r in refs {
                if !shapes.contains_key(r) {
                    return Err(ModelError::Dangling(name.clone(), r.clone()));
                }
            }
        }
        for op in raw.operations.values() {
            for r in op.input.iter().chain(op.output.iter()) {
                if !shapes.contains_key(r) {
                    return Err(ModelError::Dangling("operation".into(), r.clone()));
                }
            }
        }
        Ok(Model {
            metadata: raw.metadata,
            operations: raw.operations,
            shapes,
            paginators: raw.paginators,
        })
    }

    pub fn shape(&self, name: &str) -> Option<&Shape> {
        self.shapes.get(name)
    }

    /// Whether the operation's model lists this error. Protocol-level errors
    /// (signature, serialization, unknown operation) are common to all operations.
    pub fn declares_error(&self, op: &str, error_type: &str) -> bool {
        const COMMON: [&str; 7] = [
            "SerializationException",
            "UnknownOperationException",
            "MissingAuthenticationTokenException",
            "IncompleteSignatureException",
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "RequestEntityTooLargeException",
        ];
        COMMON.contains(&error_type)
            || self
                .operations
                .get(op)
                .is_some_and(|o| o.errors.iter().any(|e| e == error_type))
    }

    /// Names of the members of the operation's input that are idempotency tokens.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn idempotency_token_member(&self, op: &str) -> Option<&str> {
        let input = self.operations.get(op)?.input.as_ref()?;
        self.shapes
            .get(input)?
            .member_list
            .iter()
            .find(|(_, m)| m.idempotency_token)
            .map(|(n, _)| n.as_str())
    }

    /// Keeps only what `shape` declares, recursively, and drops nulls: the
    /// service never sends members the model does not know, nor JSON nulls.
    pub fn project(&self, value: &Value, shape_name: &str) -> Value {
        let Some(shape) = self.shapes.get(shape_name) else {
            return Value::Null;
        };
        match (shape.kind, value) {
            (ShapeType::Structure, Value::Object(obj)) => {
                let mut out = serde_json::Map::new();
                for (name, member) in &shape.member_list {
                    if let Some(v) = obj.get(name) {
                        let p = self.project(v, &member.shape);
                        if !p.is_null() {
                            out.insert(name.clone(), p);
                        }
                    }
                }
                Value::Object(out)
            }
            (ShapeType::List, Value::Array(items)) => {
                let member = shape.member.as_deref().unwrap_or("");
                Value::Array(
                    items
                        .iter()
                        .map(|i| self.project(i, member))
                        .filter(|v| !v.is_null())
                        .collect(),
                )
            }
            (ShapeType::Map, Value::Object(obj)) => {
                let vshape = shape.value.as_deref().unwrap_or("");
                Value::Object(
                    obj.iter()
                        .map(|(k, v)| (k.clone(), self.project(v, vshape)))
                        .filter(|(_, v)| !v.is_null())
                        .collect(),
                )
            }
            (ShapeType::String, Value::String(_)) | (ShapeType::Boolean, Value::Bool(_)) => {
                value.clone()
            }
            (
                ShapeType::Integer
                | ShapeType::Long
                | ShapeType::Timestamp
                | ShapeType::Double
                | ShapeType::Float,
                Value::Number(_),
            ) => value.clone(),
            _ => Value::Null,
        }
    }

    /// Checks a request body against the operation's input shape.
    pub fn validate_input(&self, op: &str, input: &Value) -> Result<(), ValidationFailure> {
        let Some(shape) = self.operations.get(op).and_then(|o| o.input.as_deref()) else {
            return Ok(());
        };
        validate::validate(self, input, shape)
    }

    /// Problems in a response against the output shape (used by tests and
    /// logged in debug builds): missing required members, enum and length violations.
    pub fn output_problems(&self, op: &str, output: &Value) -> Vec<String> {
        let Some(shape) = self.operations.get(op).and_then(|o| o.output.as_deref()) else {
            return vec![];
        };
        match validate::validate(self, output, shape) {
            Ok(()) => vec![],
            Err(ValidationFailure::Invalid(msgs)) => msgs,
            Err(ValidationFailure::Serialization(m)) => vec![m],
        }
    }
}

/// The model's patterns are Java regexes, where `\w` and `\d` are ASCII-only.
/// Rewrites them to ASCII classes (also keeps compiled sizes small: a Unicode
/// `\w{1,512}` is enormous).
pub fn java_to_rust_pattern(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut in_class = false;
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('w') if in_class => out.push_str("[:word:]"),
                Some('w') => out.push_str("[[:word:]]"),
                Some('d') if in_class => out.push_str("[:digit:]"),
                Some('d') => out.push_str("[[:digit:]]"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn embedded_model_loads_with_all_operations() {
        let m = Model::load().unwrap();
        assert_eq!(m.operations.len(), 87);
        assert_eq!(m.metadata.target_prefix, "AwsProton20200720");
        assert_eq!(m.metadata.signing_name, "proton");
        assert_eq!(
            m.idempotency_token_member("CreateEnvironmentTemplateVersion"),
            Some("clientToken")
        );
        assert_eq!(m.idempotency_token_member("CreateEnvironment"), None);
    }

    #[test]
    fn java_classes_become_ascii() {
        assert_eq!(java_to_rust_pattern(r"^\d{12}$"), r"^[[:digit:]]{12}$");
        assert_eq!(java_to_rust_pattern(r"[\w+=,.@-]+"), r"[[:word:]+=,.@-]+");
        assert_eq!(java_to_rust_pattern(r"a\-b"), r"a\-b");
        let m = Model::load().unwrap();
        let re = m.shape("RoleArn").unwrap().regex.as_ref().unwrap();
        assert!(re.is_match("arn:aws:iam::123456789012:role/my-role"));
        assert!(!re.is_match("arn:aws:iam::123456789012:role/caf\u{e9}"));
    }

    #[test]
    fn projection_drops_nulls_and_unknown_members() {
        let m = Model::load().unwrap();
        let v = json!({"name": "a", "arn": "x", "createdAt": 1.5, "lastModifiedAt": 2,
                       "description": null, "bogus": 1, "recommendedVersion": "1.0"});
        let p = m.project(&v, "EnvironmentTemplateSummary");
        assert_eq!(
            p,
            json!({"arn": "x", "createdAt": 1.5, "lastModifiedAt": 2, "name": "a", "recommendedVersion": "1.0"})
        );
    }
}
