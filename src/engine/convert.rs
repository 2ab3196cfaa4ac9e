//! Conversions between Terraform values and resources' typed models (through serde_json).
//!
//! Unknown values become JSON null on the way in: CRUD code only ever sees known values, and computed
//! attributes that are still unknown simply read as `None`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::tf::{Number, Type, Value};

use super::Error;

pub fn model_from_value<M: DeserializeOwned>(value: &Value) -> Result<M, Error> {
    serde_json::from_value(to_json(value))
        .map_err(|e| Error::Internal(format!("cannot read the resource's data: {e}")))
}

pub fn value_from_model<M: Serialize>(model: &M, ty: &Type) -> Result<Value, Error> {
    let json = serde_json::to_value(model)
        .map_err(|e| Error::Internal(format!("cannot encode the resource's data: {e}")))?;
    from_json(&json, ty)
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

/// Builds a value of type `ty` from JSON, filling absent object attributes with null.
pub fn from_json(json: &Json, ty: &Type) -> Result<Value, Error> {
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
        (Type::List(element), Json::Array(items)) => Value::List(convert_items(items, element)?),
        (Type::Set(element), Json::Array(items)) => Value::Set(convert_items(items, element)?),
        (Type::Tuple(elements), Json::Array(items)) if elements.len() == items.len() => {
            Value::Tuple(
                items
                    .iter()
                    .zip(elements)
                    .map(|(item, ty)| from_json(item, ty))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Type::Map(element), Json::Object(entries)) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), from_json(v, element)?)))
                .collect::<Result<_, Error>>()?,
        ),
        (Type::Object { attributes, .. }, Json::Object(entries)) => Value::Object(
            attributes
                .iter()
                .map(|(name, ty)| {
                    let value = match entries.get(name) {
                        Some(v) => from_json(v, ty)?,
                        None => Value::Null,
                    };
                    Ok((name.clone(), value))
                })
                .collect::<Result<_, Error>>()?,
        ),
        _ => return Err(mismatch()),
    })
}

fn convert_items(items: &[Json], element: &Type) -> Result<Vec<Value>, Error> {
    items.iter().map(|item| from_json(item, element)).collect()
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
        tags: Option<BTreeMap<String, String>>,
    }

    fn model_type() -> Type {
        Type::object([
            ("name", Type::String),
            ("description", Type::String),
            ("tags", Type::map(Type::String)),
            ("extra", Type::Bool),
        ])
    }

    #[test]
    fn unknowns_read_as_none_and_round_trip() {
        let value = Value::object([
            ("name", Value::string("a")),
            ("description", Value::Unknown),
            ("tags", Value::map([("k", Value::string("v"))])),
            ("extra", Value::Null),
        ]);
        let model: Model = model_from_value(&value).expect("model");
        assert_eq!(model.description, None);
        let back = value_from_model(&model, &model_type()).expect("value");
        assert_eq!(back.get("name"), Some(&Value::string("a")));
        assert_eq!(back.get("description"), Some(&Value::Null));
        assert_eq!(back.get("extra"), Some(&Value::Null));
        assert_eq!(back.get("tags"), value.get("tags"));
    }

    #[test]
    fn type_mismatch_is_an_error() {
        let json = serde_json::json!({"name": ["not", "a", "string"]});
        assert!(from_json(&json, &model_type()).is_err());
    }
}
