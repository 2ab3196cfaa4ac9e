//! YAML text to JSON values: schemas and specs are YAML, the validator works on JSON.

use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// Why a YAML text has no JSON form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    #[error("not valid YAML: {0}")]
    Syntax(String),
    /// JSON has no infinity or NaN (YAML's `.inf`, `.nan`).
    #[error("{place}: {value} is not a finite number")]
    NotFinite { place: String, value: String },
    #[error("{place}: a mapping key must be a string, number or boolean")]
    Key { place: String },
}

/// The first document of `text` as JSON; an empty text is `null`.
pub fn to_json(text: &str) -> Result<Value, YamlError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| YamlError::Syntax(e.to_string()))?;
    match docs.first() {
        Some(doc) => convert(doc, ""),
        None => Ok(Value::Null),
    }
}

fn convert(node: &Yaml, place: &str) -> Result<Value, YamlError> {
    Ok(match node {
        Yaml::Null | Yaml::BadValue | Yaml::Alias(_) => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::Number((*i).into()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Real(text) => {
            let number =
                node.as_f64()
                    .and_then(Number::from_f64)
                    .ok_or_else(|| YamlError::NotFinite {
                        place: place.to_string(),
                        value: text.clone(),
                    })?;
            Value::Number(number)
        }
        Yaml::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| convert(item, &format!("{place}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Yaml::Hash(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = match key {
                    Yaml::String(s) | Yaml::Real(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    _ => {
                        return Err(YamlError::Key {
                            place: place.to_string(),
                        });
                    }
                };
                let child = join(place, &key);
                map.insert(key, convert(value, &child)?);
            }
            Value::Object(map)
        }
    })
}

/// `parent.key`, or `key` at the top.
pub(crate) fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_keep_their_yaml_types() {
        let v = to_json("a: 1\nb: 2.5\nc: true\nd: text\ne: \"80\"\nf: ~\ng: [1, x]\n").unwrap();
        assert_eq!(
            v,
            json!({"a": 1, "b": 2.5, "c": true, "d": "text", "e": "80", "f": null, "g": [1, "x"]})
        );
    }

    #[test]
    fn empty_text_is_null_and_bad_yaml_is_an_error() {
        assert_eq!(to_json("").unwrap(), Value::Null);
        assert!(matches!(to_json("a: [1"), Err(YamlError::Syntax(_))));
        assert_eq!(
            to_json("spec:\n  x: .inf\n").unwrap_err().to_string(),
            "spec.x: .inf is not a finite number"
        );
    }
}
