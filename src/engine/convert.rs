//! Conversions between Terraform values and resources' typed models (through serde_json).
//!
//! Unknown values become JSON null on the way in: CRUD code only ever sees known values, and computed
//! attributes that are still unknown simply read as `None`.
//!
//! A model and its schema must agree: a model field the schema lacks, or a schema attribute the model
//! lacks, is an error naming both lists (as terraform-plugin-framework's `internal/reflect/struct.go`
//! does), never a value that silently reads or writes as null. Only the attributes the engine adds and
//! handles itself ([`ENGINE_OWNED`], for resources) may be missing from a model.

use std::collections::BTreeSet;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::tf::{Number, Type, Value};

use super::Error;
use super::plan::TIMEOUTS;
use super::tags::{TAGS, TAGS_ALL};

/// The top-level attributes the engine adds to every resource schema that asks for them (`tags` and
/// `tags_all` with [`ResourceSpec::tags`](super::ResourceSpec), the `timeouts` block with timeouts) and
/// handles itself: resource models do not hold them.
pub const ENGINE_OWNED: &[&str] = &[TAGS, TAGS_ALL, TIMEOUTS];

/// Reads a value into a model. `engine_owned` top-level attributes may be absent from the model
/// ([`ENGINE_OWNED`] for resources, nothing for data sources, actions and filters).
pub fn model_from_value<M: Serialize + DeserializeOwned>(
    value: &Value,
    engine_owned: &[&str],
) -> Result<M, Error> {
    let model: M = serde_json::from_value(to_json(value))
        .map_err(|e| Error::Internal(format!("cannot read the resource's data: {e}")))?;
    // The fields the model has are the keys it writes back; compare them with the value's attributes.
    let written = serde_json::to_value(&model)
        .map_err(|e| Error::Internal(format!("cannot encode the resource's data: {e}")))?;
    let mut disagreement = Disagreement::default();
    disagreement.compare_value(value, &written, "", engine_owned);
    disagreement.into_result()?;
    Ok(model)
}

/// Writes a model as a value of type `ty`. `engine_owned` top-level attributes, absent from the model,
/// come out null for the engine to fill.
pub fn value_from_model<M: Serialize>(
    model: &M,
    ty: &Type,
    engine_owned: &[&str],
) -> Result<Value, Error> {
    let json = serde_json::to_value(model)
        .map_err(|e| Error::Internal(format!("cannot encode the resource's data: {e}")))?;
    let mut disagreement = Disagreement::default();
    let value = convert(&json, ty, "", engine_owned, Some(&mut disagreement))?;
    disagreement.into_result()?;
    Ok(value)
}

/// Checks that the model `M` and the type `ty` agree everywhere, nested objects included: a sample
/// value with every attribute set (one element in each collection) is read into `M` and written back.
pub fn check_model<M: Serialize + DeserializeOwned>(
    ty: &Type,
    engine_owned: &[&str],
) -> Result<(), Error> {
    let model: M = model_from_value(&sample(ty, engine_owned), engine_owned)?;
    value_from_model(&model, ty, engine_owned).map(drop)
}

/// A value of `ty` with every attribute known (but `engine_owned` ones null, as a model cannot hold them).
fn sample(ty: &Type, engine_owned: &[&str]) -> Value {
    match ty {
        Type::Bool => Value::Bool(true),
        Type::Number => Value::Number(Number::from_i64(1)),
        Type::String => Value::string("1"),
        Type::Dynamic => Value::Null,
        Type::List(element) => Value::List(vec![sample(element, &[])]),
        Type::Set(element) => Value::Set(vec![sample(element, &[])]),
        Type::Map(element) => Value::Map([("key".to_string(), sample(element, &[]))].into()),
        Type::Tuple(elements) => Value::Tuple(elements.iter().map(|t| sample(t, &[])).collect()),
        Type::Object { attributes, .. } => Value::Object(
            attributes
                .iter()
                .map(|(name, ty)| {
                    let value = if engine_owned.contains(&name.as_str()) {
                        Value::Null
                    } else {
                        sample(ty, &[])
                    };
                    (name.clone(), value)
                })
                .collect(),
        ),
    }
}

/// The attribute paths a model and its schema disagree on, collected over a whole value.
#[derive(Default)]
struct Disagreement {
    /// Fields the model has and the schema lacks.
    model_only: BTreeSet<String>,
    /// Attributes the schema has and the model lacks.
    schema_only: BTreeSet<String>,
}

impl Disagreement {
    /// Compares the object attributes in `value` with the keys of `json` (what the model wrote).
    fn compare_value(&mut self, value: &Value, json: &Json, path: &str, engine_owned: &[&str]) {
        match (value, json) {
            (Value::Object(attributes), Json::Object(fields)) => {
                for (name, value) in attributes {
                    match fields.get(name) {
                        Some(field) => self.compare_value(value, field, &join(path, name), &[]),
                        None if engine_owned.contains(&name.as_str()) => {}
                        None => {
                            self.schema_only.insert(join(path, name));
                        }
                    }
                }
                for name in fields.keys().filter(|k| !attributes.contains_key(*k)) {
                    self.model_only.insert(join(path, name));
                }
            }
            (Value::Map(entries), Json::Object(fields)) => {
                for (key, value) in entries {
                    if let Some(field) = fields.get(key) {
                        self.compare_value(value, field, &format!("{path}[\"{key}\"]"), &[]);
                    }
                }
            }
            (
                Value::List(items) | Value::Set(items) | Value::Tuple(items),
                Json::Array(written),
            ) => {
                for (item, field) in items.iter().zip(written) {
                    self.compare_value(item, field, &format!("{path}[]"), &[]);
                }
            }
            _ => {}
        }
    }

    fn into_result(self) -> Result<(), Error> {
        if self.model_only.is_empty() && self.schema_only.is_empty() {
            return Ok(());
        }
        let list = |names: BTreeSet<String>| {
            if names.is_empty() {
                "none".to_string()
            } else {
                names.into_iter().collect::<Vec<_>>().join(", ")
            }
        };
        Err(Error::Internal(format!(
            "the model and the schema disagree: model fields the schema lacks: {}; schema attributes the model lacks: {}",
            list(self.model_only),
            list(self.schema_only)
        )))
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null | Value::Unknown => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => number_to_json(n),
        Value::String(s) => Json::String(s.clone()),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            Json::Array(items.iter().map(to_json).collect())
        }
        Value::Map(entries) | Value::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
    }
}

fn number_to_json(number: &Number) -> Json {
    if let Some(i) = number.as_i64() {
        return Json::from(i);
    }
    serde_json::Number::from_f64(number.as_f64())
        .map(Json::Number)
        .unwrap_or_else(|| Json::String(number.to_string()))
}

/// Builds a value of type `ty` from JSON, filling absent object attributes with null (stored and
/// moved state, which may predate an attribute).
pub fn from_json(json: &Json, ty: &Type) -> Result<Value, Error> {
    convert(json, ty, "", &[], None)
}

/// [`from_json`]; with `strict`, object keys and attributes that do not match are collected there
/// instead of being dropped or filled with null.
fn convert(
    json: &Json,
    ty: &Type,
    path: &str,
    engine_owned: &[&str],
    mut strict: Option<&mut Disagreement>,
) -> Result<Value, Error> {
    let mismatch = || {
        Error::Internal(format!(
            "the resource produced {json} where a {} was expected",
            short_type(ty)
        ))
    };
    Ok(match (ty, json) {
        (_, Json::Null) => Value::Null,
        (Type::Bool, Json::Bool(b)) => Value::Bool(*b),
        (Type::Number, Json::Number(n)) => {
            Value::Number(Number::parse(&n.to_string()).map_err(|_| mismatch())?)
        }
        (Type::String, Json::String(s)) => Value::String(s.clone()),
        (Type::String, Json::Number(n)) => Value::String(n.to_string()),
        (Type::String, Json::Bool(b)) => Value::String(b.to_string()),
        (Type::List(element), Json::Array(list)) => {
            Value::List(convert_items(list, element, path, strict)?)
        }
        (Type::Set(element), Json::Array(list)) => {
            Value::Set(convert_items(list, element, path, strict)?)
        }
        (Type::Tuple(elements), Json::Array(list)) if elements.len() == list.len() => {
            let path = format!("{path}[]");
            Value::Tuple(
                list.iter()
                    .zip(elements)
                    .map(|(item, ty)| convert(item, ty, &path, &[], strict.as_deref_mut()))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Type::Map(element), Json::Object(entries)) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| {
                    let path = format!("{path}[\"{k}\"]");
                    Ok((
                        k.clone(),
                        convert(v, element, &path, &[], strict.as_deref_mut())?,
                    ))
                })
                .collect::<Result<_, Error>>()?,
        ),
        (Type::Object { attributes, .. }, Json::Object(entries)) => {
            if let Some(disagreement) = strict.as_deref_mut() {
                for name in entries.keys().filter(|k| !attributes.contains_key(*k)) {
                    disagreement.model_only.insert(join(path, name));
                }
                for name in attributes.keys().filter(|k| !entries.contains_key(*k)) {
                    if !engine_owned.contains(&name.as_str()) {
                        disagreement.schema_only.insert(join(path, name));
                    }
                }
            }
            Value::Object(
                attributes
                    .iter()
                    .map(|(name, ty)| {
                        let value = match entries.get(name) {
                            Some(v) => {
                                convert(v, ty, &join(path, name), &[], strict.as_deref_mut())?
                            }
                            None => Value::Null,
                        };
                        Ok((name.clone(), value))
                    })
                    .collect::<Result<_, Error>>()?,
            )
        }
        _ => return Err(mismatch()),
    })
}

fn convert_items(
    items: &[Json],
    element: &Type,
    path: &str,
    mut strict: Option<&mut Disagreement>,
) -> Result<Vec<Value>, Error> {
    let path = format!("{path}[]");
    items
        .iter()
        .map(|item| convert(item, element, &path, &[], strict.as_deref_mut()))
        .collect()
}

fn short_type(ty: &Type) -> String {
    ty.to_json().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    struct Model {
        name: String,
        description: Option<String>,
        labels: Option<BTreeMap<String, String>>,
    }

    /// `Model` with `description` renamed: the schema's `description` would silently read as null.
    #[derive(Debug, Serialize, Deserialize)]
    struct Renamed {
        name: String,
        summary: Option<String>,
        labels: Option<BTreeMap<String, String>>,
    }

    fn model_type() -> Type {
        Type::object([
            ("name", Type::String),
            ("description", Type::String),
            ("labels", Type::map(Type::String)),
            ("tags_all", Type::map(Type::String)),
        ])
    }

    fn value() -> Value {
        Value::object([
            ("name", Value::string("a")),
            ("description", Value::Unknown),
            ("labels", Value::map([("k", Value::string("v"))])),
            ("tags_all", Value::Null),
        ])
    }

    #[test]
    fn unknowns_read_as_none_and_round_trip() {
        let model: Model = model_from_value(&value(), ENGINE_OWNED).expect("model");
        assert_eq!(model.description, None);
        let back = value_from_model(&model, &model_type(), ENGINE_OWNED).expect("value");
        assert_eq!(back.get("name"), Some(&Value::string("a")));
        assert_eq!(back.get("description"), Some(&Value::Null));
        assert_eq!(back.get("tags_all"), Some(&Value::Null));
        assert_eq!(back.get("labels"), value().get("labels"));
        check_model::<Model>(&model_type(), ENGINE_OWNED).expect("model and type agree");
    }

    #[test]
    fn a_key_outside_the_model_or_the_schema_is_an_error_naming_both_lists() {
        let expected = "model fields the schema lacks: summary; schema attributes the model lacks: description";
        let read = model_from_value::<Renamed>(&value(), ENGINE_OWNED).expect_err("read");
        assert!(read.to_string().contains(expected), "{read}");
        let renamed = Renamed {
            name: "a".into(),
            summary: Some("s".into()),
            labels: None,
        };
        let written = value_from_model(&renamed, &model_type(), ENGINE_OWNED).expect_err("write");
        assert!(written.to_string().contains(expected), "{written}");
        let checked = check_model::<Renamed>(&model_type(), ENGINE_OWNED).expect_err("check");
        assert!(checked.to_string().contains(expected), "{checked}");
        // Only the engine's attributes may be missing, and only where the caller says so.
        let strict = model_from_value::<Model>(&value(), &[]).expect_err("tags_all");
        assert!(
            strict.to_string().contains("the model lacks: tags_all"),
            "{strict}"
        );
    }

    #[test]
    fn nested_objects_are_checked_too() {
        #[derive(Serialize, Deserialize)]
        struct Outer {
            items: Option<Vec<Inner>>,
        }
        #[derive(Serialize, Deserialize)]
        struct Inner {
            id: Option<String>,
        }
        let ty = Type::object([(
            "items",
            Type::list(Type::object([("id", Type::String), ("arn", Type::String)])),
        )]);
        let error = check_model::<Outer>(&ty, &[]).expect_err("nested arn");
        assert!(
            error.to_string().contains("the model lacks: items[].arn"),
            "{error}"
        );
    }

    #[test]
    fn stored_state_may_lack_attributes() {
        let json = serde_json::json!({"name": "a"});
        let value = from_json(&json, &model_type()).expect("value");
        assert_eq!(value.get("description"), Some(&Value::Null));
    }

    #[test]
    fn type_mismatch_is_an_error() {
        let json = serde_json::json!({"name": ["not", "a", "string"]});
        assert!(from_json(&json, &model_type()).is_err());
    }
}
