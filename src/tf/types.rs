//! cty types, as Terraform describes schema attribute types on the wire.

use std::collections::{BTreeMap, BTreeSet};

use super::codec::{CodecError, MAX_DEPTH};

/// A cty type. `Dynamic` is cty's "any type" placeholder.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    Number,
    String,
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object {
        attributes: BTreeMap<String, Type>,
        /// Names of attributes that may be omitted when converting into this type.
        /// Only carried in the type JSON; values always hold every attribute.
        optional: BTreeSet<String>,
    },
    Tuple(Vec<Type>),
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// An object type without optional attributes.
    pub fn object<I: IntoIterator<Item = (S, Type)>, S: Into<String>>(attrs: I) -> Type {
        Type::Object {
            attributes: attrs.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            optional: BTreeSet::new(),
        }
    }

    /// An object type with some attributes marked optional (names not in `attrs` are ignored).
    pub fn object_with_optional<I, S, O, N>(attrs: I, optional: O) -> Type
    where
        I: IntoIterator<Item = (S, Type)>,
        S: Into<String>,
        O: IntoIterator<Item = N>,
        N: Into<String>,
    {
        let attributes: BTreeMap<String, Type> =
            attrs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        let optional = optional
            .into_iter()
            .map(Into::into)
            .filter(|n| attributes.contains_key(n))
            .collect();
        Type::Object {
            attributes,
            optional,
        }
    }

    pub fn tuple(elems: Vec<Type>) -> Type {
        Type::Tuple(elems)
    }

    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }

    /// True for list, set and map types.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    /// Element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(t) | Type::Set(t) | Type::Map(t) => Some(t),
            _ => None,
        }
    }

    /// Attribute types of an object type.
    pub fn attribute_types(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Type::Object { attributes, .. } => Some(attributes),
            _ => None,
        }
    }

    /// True when `Dynamic` appears anywhere in the type.
    pub fn has_dynamic(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::Bool | Type::Number | Type::String => false,
            Type::List(t) | Type::Set(t) | Type::Map(t) => t.has_dynamic(),
            Type::Object { attributes, .. } => attributes.values().any(Type::has_dynamic),
            Type::Tuple(ts) => ts.iter().any(Type::has_dynamic),
        }
    }

    /// Short human name used in error messages ("string", "list of string", ...).
    pub fn friendly_name(&self) -> String {
        match self {
            Type::Bool => "bool".into(),
            Type::Number => "number".into(),
            Type::String => "string".into(),
            Type::Dynamic => "dynamic".into(),
            Type::List(t) => format!("list of {}", t.friendly_name()),
            Type::Set(t) => format!("set of {}", t.friendly_name()),
            Type::Map(t) => format!("map of {}", t.friendly_name()),
            Type::Object { .. } => "object".into(),
            Type::Tuple(_) => "tuple".into(),
        }
    }

    /// cty's JSON form of the type: `"string"`, `["list","string"]`,
    /// `["object",{"a":"string"}]`, and `["object",{...},["a"]]` with optional attributes.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Type::Bool => J::String("bool".into()),
            Type::Number => J::String("number".into()),
            Type::String => J::String("string".into()),
            Type::Dynamic => J::String("dynamic".into()),
            Type::List(t) => J::Array(vec![J::String("list".into()), t.to_json()]),
            Type::Set(t) => J::Array(vec![J::String("set".into()), t.to_json()]),
            Type::Map(t) => J::Array(vec![J::String("map".into()), t.to_json()]),
            Type::Object {
                attributes,
                optional,
            } => {
                // BTreeMap iteration keeps the keys sorted, as cty writes them.
                let attrs: serde_json::Map<String, J> = attributes
                    .iter()
                    .map(|(k, t)| (k.clone(), t.to_json()))
                    .collect();
                let mut parts = vec![J::String("object".into()), J::Object(attrs)];
                if !optional.is_empty() {
                    parts.push(J::Array(
                        optional.iter().map(|n| J::String(n.clone())).collect(),
                    ));
                }
                J::Array(parts)
            }
            Type::Tuple(ts) => J::Array(vec![
                J::String("tuple".into()),
                J::Array(ts.iter().map(Type::to_json).collect()),
            ]),
        }
    }

    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// Parses cty type JSON. Nesting is limited to [`MAX_DEPTH`] levels.
    pub fn from_json(v: &serde_json::Value) -> Result<Type, CodecError> {
        from_json_at(v, 0)
    }

    /// Parses cty type JSON from bytes (as found inside msgpack dynamic values).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, CodecError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| CodecError::InvalidType {
                message: format!("type is not valid JSON: {e}"),
            })?;
        Type::from_json(&v)
    }
}

fn type_err(message: impl Into<String>) -> CodecError {
    CodecError::InvalidType {
        message: message.into(),
    }
}

fn from_json_at(v: &serde_json::Value, depth: usize) -> Result<Type, CodecError> {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return Err(type_err(format!(
            "type nested deeper than {MAX_DEPTH} levels"
        )));
    }
    match v {
        J::String(s) => match s.as_str() {
            "bool" => Ok(Type::Bool),
            "number" => Ok(Type::Number),
            "string" => Ok(Type::String),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(type_err(format!("unknown primitive type {other:?}"))),
        },
        J::Array(parts) => {
            let kind = match parts.first() {
                Some(J::String(k)) => k.as_str(),
                _ => return Err(type_err("type array must start with a kind string")),
            };
            match (kind, parts.len()) {
                ("list", 2) => Ok(Type::list(from_json_at(&parts[1], depth + 1)?)),
                ("set", 2) => Ok(Type::set(from_json_at(&parts[1], depth + 1)?)),
                ("map", 2) => Ok(Type::map(from_json_at(&parts[1], depth + 1)?)),
                ("tuple", 2) => match &parts[1] {
                    J::Array(elems) => Ok(Type::Tuple(
                        elems
                            .iter()
                            .map(|e| from_json_at(e, depth + 1))
                            .collect::<Result<_, _>>()?,
                    )),
                    _ => Err(type_err("tuple element types must be an array")),
                },
                ("object", 2 | 3) => {
                    let J::Object(attrs) = &parts[1] else {
                        return Err(type_err("object attribute types must be a JSON object"));
                    };
                    let mut attributes = BTreeMap::new();
                    for (k, t) in attrs {
                        attributes.insert(k.clone(), from_json_at(t, depth + 1)?);
                    }
                    let mut optional = BTreeSet::new();
                    if let Some(opt) = parts.get(2) {
                        let J::Array(names) = opt else {
                            return Err(type_err("optional attribute names must be an array"));
                        };
                        for n in names {
                            let J::String(n) = n else {
                                return Err(type_err("optional attribute names must be strings"));
                            };
                            if !attributes.contains_key(n) {
                                return Err(type_err(format!(
                                    "optional attribute {n:?} is not an attribute of the object"
                                )));
                            }
                            optional.insert(n.clone());
                        }
                    }
                    Ok(Type::Object {
                        attributes,
                        optional,
                    })
                }
                ("list" | "set" | "map" | "tuple" | "object", n) => Err(type_err(format!(
                    "{kind} type has {n} parts, which is the wrong count"
                ))),
                (other, _) => Err(type_err(format!("unknown type kind {other:?}"))),
            }
        }
        _ => Err(type_err("type must be a JSON string or array")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_forms() {
        assert_eq!(Type::String.to_json(), json!("string"));
        assert_eq!(
            Type::list(Type::String).to_json(),
            json!(["list", "string"])
        );
        assert_eq!(
            Type::object([("b", Type::Number), ("a", Type::String)]).to_json_bytes(),
            br#"["object",{"a":"string","b":"number"}]"#.to_vec()
        );
        let opt = Type::object_with_optional([("a", Type::String), ("b", Type::Bool)], ["a"]);
        assert_eq!(
            opt.to_json(),
            json!(["object", {"a": "string", "b": "bool"}, ["a"]])
        );
        assert_eq!(
            Type::Tuple(vec![Type::Bool, Type::map(Type::Dynamic)]).to_json(),
            json!(["tuple", ["bool", ["map", "dynamic"]]])
        );
    }

    #[test]
    fn json_round_trip() {
        let t = Type::object_with_optional(
            [
                ("s", Type::set(Type::object([("x", Type::Number)]))),
                ("t", Type::Tuple(vec![])),
                ("d", Type::Dynamic),
            ],
            ["d", "t"],
        );
        assert_eq!(Type::from_json(&t.to_json()).unwrap(), t);
        assert_eq!(Type::from_json_bytes(&t.to_json_bytes()).unwrap(), t);
    }

    #[test]
    fn rejects_bad_types() {
        for bad in [
            json!("str"),
            json!(["list"]),
            json!(["list", "string", "x"]),
            json!(["object", ["a"]]),
            json!(["object", {"a": "string"}, ["b"]]),
            json!(["tuple", "string"]),
            json!(1),
            json!(null),
            json!([]),
            json!(["capsule", "x"]),
        ] {
            assert!(Type::from_json(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deep_type_is_rejected_not_overflowing() {
        let mut s = String::new();
        for _ in 0..100 {
            s.push_str(r#"["list","#);
        }
        s.push_str(r#""string""#);
        for _ in 0..100 {
            s.push(']');
        }
        let err = Type::from_json_bytes(s.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("deeper"), "{err}");
    }
}
