//! DynamicValue codec: cty's msgpack and JSON encodings of [`Value`]s, guided by a [`Type`].
//!
//! Input is untrusted: decoding never panics, nesting is limited to [`MAX_DEPTH`]
//! levels and no buffer is sized from a length prefix beyond what the input can hold.
//!
//! `Dynamic` slots carry their own type: msgpack `[type JSON bytes, value]`, JSON
//! `{"value": ..., "type": ...}`. When encoding a value into a `Dynamic` slot the type is
//! inferred from the value (see [`infer_type`]).

mod infer;
mod json;
mod msgpack;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::types::Type;
use super::value::Value;

pub use infer::infer_type;
pub use json::{decode_json, encode_json};
pub use msgpack::{decode_msgpack, encode_msgpack};

/// Deepest nesting of collections/structures accepted or produced.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The value does not fit the type (either direction).
    #[error("at {path}: {message}")]
    Mismatch { path: String, message: String },
    /// The bytes are not valid msgpack/JSON.
    #[error("at {path}: malformed {format} at byte {offset}: {message}")]
    Malformed {
        path: String,
        format: &'static str,
        offset: usize,
        message: String,
    },
    #[error("at {path}: nested deeper than {limit} levels")]
    TooDeep { path: String, limit: usize },
    #[error("invalid number {text:?}: {reason}")]
    Number { text: String, reason: String },
    #[error("invalid type: {message}")]
    InvalidType { message: String },
}

impl CodecError {
    /// The attribute path where decoding/encoding failed, when there is one.
    pub fn path(&self) -> Option<&str> {
        match self {
            CodecError::Mismatch { path, .. }
            | CodecError::Malformed { path, .. }
            | CodecError::TooDeep { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// One step of an attribute path, for error messages.
enum Step {
    Attr(String),
    Index(usize),
    Key(String),
}

#[derive(Default)]
struct Path(Vec<Step>);

impl Path {
    fn render(&self) -> String {
        if self.0.is_empty() {
            return "root".to_owned();
        }
        let mut s = String::new();
        for step in &self.0 {
            // Writing into a String cannot fail.
            let _ = match step {
                Step::Attr(a) => write!(s, ".{a}"),
                Step::Index(i) => write!(s, "[{i}]"),
                Step::Key(k) => write!(s, "[{k:?}]"),
            };
        }
        s
    }

    fn mismatch(&self, message: impl Into<String>) -> CodecError {
        CodecError::Mismatch {
            path: self.render(),
            message: message.into(),
        }
    }

    fn too_deep(&self) -> CodecError {
        CodecError::TooDeep {
            path: self.render(),
            limit: MAX_DEPTH,
        }
    }

    /// A tuple value or encoding whose length is not the type's.
    fn tuple_len(&self, expected: usize, found: usize) -> CodecError {
        self.mismatch(format!(
            "expected a tuple of {expected} elements, found {found}"
        ))
    }

    fn push(&mut self, s: Step) {
        self.0.push(s);
    }

    fn pop(&mut self) {
        self.0.pop();
    }
}

fn mismatch_msg(ty: &Type, v: &Value) -> String {
    format!("expected {}, found {}", ty.friendly_name(), v.kind_name())
}

/// Attributes a decoded object left out are null.
fn null_missing_attrs(out: &mut BTreeMap<String, Value>, attributes: &BTreeMap<String, Type>) {
    for k in attributes.keys() {
        if !out.contains_key(k) {
            out.insert(k.clone(), Value::Null);
        }
    }
}

fn check_no_extra_attrs(
    m: &BTreeMap<String, Value>,
    attributes: &BTreeMap<String, Type>,
    path: &mut Path,
) -> Result<(), CodecError> {
    if let Some(extra) = m.keys().find(|k| !attributes.contains_key(*k)) {
        path.push(Step::Attr(extra.clone()));
        let e = path.mismatch("unsupported attribute");
        path.pop();
        return Err(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::value::Number;

    pub(super) fn s(x: &str) -> Value {
        Value::string(x)
    }

    pub(super) fn num(x: &str) -> Value {
        Value::Number(Number::parse(x).unwrap())
    }

    pub(super) fn mp_round_trip(v: &Value, ty: &Type) -> Vec<u8> {
        let b = encode_msgpack(v, ty).unwrap();
        assert_eq!(&decode_msgpack(&b, ty).unwrap(), v, "bytes {b:02x?}");
        b
    }

    #[test]
    fn error_paths() {
        let ty = Type::object([(
            "source",
            Type::object([("s3", Type::object([("bucket", Type::String)]))]),
        )]);
        let mut b = vec![0x81, 0xa6];
        b.extend_from_slice(b"source");
        b.extend_from_slice(&[0x81, 0xa2, b's', b'3', 0x81, 0xa6]);
        b.extend_from_slice(b"bucket");
        b.push(0x05);
        let e = decode_msgpack(&b, &ty).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at .source.s3.bucket: expected string, found integer"
        );
        assert_eq!(e.path(), Some(".source.s3.bucket"));

        let ty = Type::object([("tags", Type::map(Type::list(Type::Bool)))]);
        let v = Value::object([(
            "tags",
            Value::map([("k", Value::List(vec![Value::Bool(true), s("no")]))]),
        )]);
        let e = encode_msgpack(&v, &ty).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at .tags[\"k\"][1]: expected bool, found string"
        );
        let e = encode_json(&v, &ty).unwrap_err();
        assert_eq!(e.path(), Some(".tags[\"k\"][1]"));

        let e = encode_msgpack(
            &Value::object([("zz", Value::Null)]),
            &Type::object([("a", Type::Bool)]),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "at .zz: unsupported attribute");
        let e = decode_msgpack(
            &[0x81, 0xa2, b'z', b'z', 0xc0],
            &Type::object([("a", Type::Bool)]),
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "at .zz: unsupported attribute");

        let e = encode_msgpack(&Value::List(vec![]), &Type::set(Type::String)).unwrap_err();
        assert_eq!(e.to_string(), "at root: expected set of string, found list");
    }

    #[test]
    fn collections_round_trip() {
        let ty = Type::object([
            ("l", Type::list(Type::String)),
            ("s", Type::set(Type::Number)),
            ("m", Type::map(Type::Bool)),
            ("t", Type::Tuple(vec![Type::String, Type::Number])),
        ]);
        let v = Value::object([
            ("l", Value::List(vec![s("a"), Value::Unknown, Value::Null])),
            ("s", Value::Set(vec![num("3"), num("1")])),
            ("m", Value::map([("x", Value::Bool(false))])),
            ("t", Value::Tuple(vec![s("é"), num("-2.5")])),
        ]);
        mp_round_trip(&v, &ty);
        let mut known = v.clone();
        if let Some(Value::List(l)) = known.get_mut("l") {
            l[1] = s("b");
        }
        let j = encode_json(&known, &ty).unwrap();
        assert_eq!(
            String::from_utf8(j.clone()).unwrap(),
            r#"{"l":["a","b",null],"m":{"x":false},"s":[3,1],"t":["é",-2.5]}"#
        );
        assert_eq!(decode_json(&j, &ty).unwrap(), known);
        assert!(encode_json(&v, &ty).is_err(), "unknowns cannot be JSON");
        // Tuple length must match.
        assert!(
            decode_msgpack(
                &[0x91, 0xa0],
                &Type::Tuple(vec![Type::String, Type::String])
            )
            .is_err()
        );
    }
}
