//! cty's JSON encoding: number text kept verbatim, `Dynamic` as `{"value": ..., "type": ...}`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::infer::infer;
use super::{
    CodecError, MAX_DEPTH, Path, Step, check_no_extra_attrs, mismatch_msg, null_missing_attrs,
};
use crate::tf::types::Type;
use crate::tf::value::{Number, Value};

/// The raw JSON parser allows more levels, since each dynamic value adds a wrapper object;
/// the type-guided pass still enforces [`MAX_DEPTH`].
const JSON_PARSE_DEPTH: usize = 4 * MAX_DEPTH;

/// Parsed JSON keeping number text verbatim (serde_json would round big numbers to f64).
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    /// In document order; duplicate keys are kept and the last one wins.
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Num(_) => "number",
            Json::Str(_) => "string",
            Json::Arr(_) => "array",
            Json::Obj(_) => "object",
        }
    }

    /// For the "type" member of a dynamic value.
    fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Json::Null => J::Null,
            Json::Bool(b) => J::Bool(*b),
            // Type JSON never holds numbers; keep the text so the error shows something.
            Json::Num(s) | Json::Str(s) => J::String(s.clone()),
            Json::Arr(xs) => J::Array(xs.iter().map(Json::to_serde).collect()),
            Json::Obj(kv) => J::Object(kv.iter().map(|(k, v)| (k.clone(), v.to_serde())).collect()),
        }
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> JsonParser<'a> {
    fn err(&self, message: impl Into<String>) -> CodecError {
        CodecError::Malformed {
            path: "root".to_owned(),
            format: "JSON",
            offset: self.pos,
            message: message.into(),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.pos) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        if self.s[self.pos..].starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, CodecError> {
        if depth > JSON_PARSE_DEPTH {
            return Err(self.err("nested too deeply"));
        }
        self.ws();
        let Some(&c) = self.s.get(self.pos) else {
            return Err(self.err("unexpected end of input"));
        };
        match c {
            b'n' if self.eat(b"null") => Ok(Json::Null),
            b't' if self.eat(b"true") => Ok(Json::Bool(true)),
            b'f' if self.eat(b"false") => Ok(Json::Bool(false)),
            b'"' => Ok(Json::Str(self.string()?)),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' => {
                self.pos += 1;
                let mut xs = Vec::new();
                self.ws();
                if self.eat(b"]") {
                    return Ok(Json::Arr(xs));
                }
                loop {
                    xs.push(self.value(depth + 1)?);
                    self.ws();
                    if self.eat(b",") {
                        continue;
                    }
                    if self.eat(b"]") {
                        return Ok(Json::Arr(xs));
                    }
                    return Err(self.err("expected ',' or ']'"));
                }
            }
            b'{' => {
                self.pos += 1;
                let mut kv = Vec::new();
                self.ws();
                if self.eat(b"}") {
                    return Ok(Json::Obj(kv));
                }
                loop {
                    self.ws();
                    if self.s.get(self.pos) != Some(&b'"') {
                        return Err(self.err("expected a string key"));
                    }
                    let k = self.string()?;
                    self.ws();
                    if !self.eat(b":") {
                        return Err(self.err("expected ':'"));
                    }
                    let v = self.value(depth + 1)?;
                    kv.push((k, v));
                    self.ws();
                    if self.eat(b",") {
                        continue;
                    }
                    if self.eat(b"}") {
                        return Ok(Json::Obj(kv));
                    }
                    return Err(self.err("expected ',' or '}'"));
                }
            }
            _ => Err(self.err("unexpected character")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.s.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, CodecError> {
        let start = self.pos;
        self.eat(b"-");
        match self.s.get(self.pos) {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.eat(b".") && self.digits() == 0 {
            return Err(self.err("invalid number: no digits after '.'"));
        }
        if matches!(self.s.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.s.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number: no exponent digits"));
            }
        }
        // Only ASCII was consumed, so this slice is valid UTF-8.
        Ok(Json::Num(
            String::from_utf8_lossy(&self.s[start..self.pos]).into_owned(),
        ))
    }

    fn hex4(&mut self) -> Result<u32, CodecError> {
        let mut v = 0u32;
        for _ in 0..4 {
            let Some(d) = self.s.get(self.pos).and_then(|&c| (c as char).to_digit(16)) else {
                return Err(self.err("invalid \\u escape"));
            };
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, CodecError> {
        self.pos += 1; // opening quote
        let mut out = Vec::new();
        loop {
            let Some(&c) = self.s.get(self.pos) else {
                return Err(self.err("unterminated string"));
            };
            self.pos += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.s.get(self.pos) else {
                        return Err(self.err("unterminated escape"));
                    };
                    self.pos += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&hi)
                                && self.s[self.pos..].starts_with(b"\\u")
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                                } else {
                                    // Not a pair: the lone high surrogate becomes U+FFFD.
                                    self.pos = save;
                                    0xfffd
                                }
                            } else {
                                hi
                            };
                            // Lone surrogates are replaced, as Go's decoder does.
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0x00..=0x1f => return Err(self.err("control character in string")),
                _ => out.push(c),
            }
        }
        // The whole input was checked to be UTF-8 and escapes add whole characters.
        String::from_utf8(out).map_err(|_| self.err("string is not valid UTF-8"))
    }
}

/// Decodes a JSON DynamicValue (or raw state JSON) of the given type.
///
/// Like cty, strings are accepted where numbers or bools are expected when they parse as
/// one, and numbers/bools where strings are expected (kept as their JSON text).
pub fn decode_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(CodecError::Malformed {
            path: "root".to_owned(),
            format: "JSON",
            offset: 0,
            message: "input is not valid UTF-8".to_owned(),
        });
    }
    let mut p = JsonParser { s: bytes, pos: 0 };
    let j = p.value(0)?;
    p.ws();
    if p.pos != bytes.len() {
        return Err(p.err("trailing characters after the value"));
    }
    let mut path = Path::default();
    json_value(&j, ty, 0, &mut path)
}

fn json_value(j: &Json, ty: &Type, depth: usize, path: &mut Path) -> Result<Value, CodecError> {
    if depth > MAX_DEPTH {
        return Err(path.too_deep());
    }
    if let Json::Null = j {
        return Ok(Value::Null);
    }
    let wrong = |path: &Path| {
        path.mismatch(format!(
            "expected {}, found JSON {}",
            ty.friendly_name(),
            j.kind()
        ))
    };
    match (ty, j) {
        (Type::Dynamic, Json::Obj(kv)) => {
            let mut tj = None;
            let mut vj = None;
            for (k, v) in kv {
                match k.as_str() {
                    "type" => tj = Some(v),
                    "value" => vj = Some(v),
                    other => {
                        return Err(path.mismatch(format!(
                            "unexpected key {other:?} in dynamic value (want \"value\" and \"type\")"
                        )));
                    }
                }
            }
            let Some(tj) = tj else {
                return Err(path.mismatch("dynamic value has no \"type\""));
            };
            let t = Type::from_json(&tj.to_serde()).map_err(|e| path.mismatch(e.to_string()))?;
            match vj {
                Some(v) => json_value(v, &t, depth + 1, path),
                None => Ok(Value::Null),
            }
        }
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::Str(s)) => match s.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(path.mismatch(format!("expected bool, found string {s:?}"))),
        },
        (Type::Number, Json::Num(s) | Json::Str(s)) => Number::parse(s)
            .map(Value::Number)
            .map_err(|e| path.mismatch(e.to_string())),
        (Type::String, Json::Str(s) | Json::Num(s)) => Ok(Value::String(s.clone())),
        (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::List(et), Json::Arr(xs)) => Ok(Value::List(json_elements(xs, et, depth, path)?)),
        (Type::Set(et), Json::Arr(xs)) => Ok(Value::Set(json_elements(xs, et, depth, path)?)),
        (Type::Tuple(ets), Json::Arr(xs)) => {
            if ets.len() != xs.len() {
                return Err(path.tuple_len(ets.len(), xs.len()));
            }
            let mut out = Vec::with_capacity(xs.len());
            for (i, (x, et)) in xs.iter().zip(ets).enumerate() {
                path.push(Step::Index(i));
                out.push(json_value(x, et, depth + 1, path)?);
                path.pop();
            }
            Ok(Value::Tuple(out))
        }
        (Type::Map(et), Json::Obj(kv)) => {
            let mut out = BTreeMap::new();
            for (k, x) in kv {
                path.push(Step::Key(k.clone()));
                out.insert(k.clone(), json_value(x, et, depth + 1, path)?);
                path.pop();
            }
            Ok(Value::Map(out))
        }
        (Type::Object { attributes, .. }, Json::Obj(kv)) => {
            let mut out = BTreeMap::new();
            for (k, x) in kv {
                path.push(Step::Attr(k.clone()));
                let Some(at) = attributes.get(k) else {
                    return Err(path.mismatch("unsupported attribute"));
                };
                out.insert(k.clone(), json_value(x, at, depth + 1, path)?);
                path.pop();
            }
            null_missing_attrs(&mut out, attributes);
            Ok(Value::Object(out))
        }
        _ => Err(wrong(path)),
    }
}

fn json_elements(
    xs: &[Json],
    et: &Type,
    depth: usize,
    path: &mut Path,
) -> Result<Vec<Value>, CodecError> {
    let mut out = Vec::with_capacity(xs.len());
    for (i, x) in xs.iter().enumerate() {
        path.push(Step::Index(i));
        out.push(json_value(x, et, depth + 1, path)?);
        path.pop();
    }
    Ok(out)
}

/// Encodes a value as cty JSON. Unknown values cannot be written and are an error.
pub fn encode_json(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = String::new();
    let mut path = Path::default();
    json_encode(value, ty, 0, &mut path, &mut out)?;
    Ok(out.into_bytes())
}

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_encode(
    v: &Value,
    ty: &Type,
    depth: usize,
    path: &mut Path,
    out: &mut String,
) -> Result<(), CodecError> {
    if depth > MAX_DEPTH {
        return Err(path.too_deep());
    }
    match (ty, v) {
        (_, Value::Unknown) => {
            return Err(path.mismatch("unknown values cannot be encoded as JSON"));
        }
        (_, Value::Null) => out.push_str("null"),
        (Type::Dynamic, _) => {
            let t = infer(v, depth, path)?;
            out.push_str("{\"value\":");
            json_encode(v, &t, depth + 1, path, out)?;
            out.push_str(",\"type\":");
            out.push_str(&t.to_json().to_string());
            out.push('}');
        }
        (Type::Bool, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (Type::Number, Value::Number(n)) => {
            let _ = write!(out, "{n}");
        }
        (Type::String, Value::String(s)) => json_str(s, out),
        (Type::List(et), Value::List(xs)) | (Type::Set(et), Value::Set(xs)) => {
            json_array(xs.iter().map(|x| (x, &**et)), depth, path, out)?;
        }
        (Type::Tuple(ets), Value::Tuple(xs)) => {
            if ets.len() != xs.len() {
                return Err(path.tuple_len(ets.len(), xs.len()));
            }
            json_array(xs.iter().zip(ets), depth, path, out)?;
        }
        (Type::Map(et), Value::Map(m)) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(k, out);
                out.push(':');
                path.push(Step::Key(k.clone()));
                json_encode(x, et, depth + 1, path, out)?;
                path.pop();
            }
            out.push('}');
        }
        (Type::Object { attributes, .. }, Value::Object(m)) => {
            check_no_extra_attrs(m, attributes, path)?;
            out.push('{');
            for (i, (k, at)) in attributes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(k, out);
                out.push(':');
                path.push(Step::Attr(k.clone()));
                json_encode(m.get(k).unwrap_or(&Value::Null), at, depth + 1, path, out)?;
                path.pop();
            }
            out.push('}');
        }
        _ => return Err(path.mismatch(mismatch_msg(ty, v))),
    }
    Ok(())
}

/// The elements of a list, set or tuple, each with its type, as a JSON array.
fn json_array<'a>(
    items: impl Iterator<Item = (&'a Value, &'a Type)>,
    depth: usize,
    path: &mut Path,
    out: &mut String,
) -> Result<(), CodecError> {
    out.push('[');
    for (i, (x, et)) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        path.push(Step::Index(i));
        json_encode(x, et, depth + 1, path, out)?;
        path.pop();
    }
    out.push(']');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::codec::tests::{num, s};

    #[test]
    fn json_numbers_keep_precision() {
        let ty = Type::object([("n", Type::Number), ("m", Type::Number)]);
        let j = br#"{"n": 123456789012345678901234567890.25, "m": 1e400}"#;
        let v = decode_json(j, &ty).unwrap();
        assert_eq!(v.get("n"), Some(&num("123456789012345678901234567890.25")));
        assert_eq!(v.get("m"), Some(&num("1e400")));
        let out = encode_json(&v, &ty).unwrap();
        assert_eq!(decode_json(&out, &ty).unwrap(), v);
        assert!(out.starts_with(b"{\"m\":1000"));
    }

    #[test]
    fn json_lenient_primitives() {
        assert_eq!(
            decode_json(b"\"12.5\"", &Type::Number).unwrap(),
            num("12.5")
        );
        assert_eq!(
            decode_json(b"\"true\"", &Type::Bool).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(decode_json(b"1.50", &Type::String).unwrap(), s("1.50"));
        assert_eq!(decode_json(b"false", &Type::String).unwrap(), s("false"));
        assert!(decode_json(b"\"yes\"", &Type::Bool).is_err());
        assert!(decode_json(b"\"abc\"", &Type::Number).is_err());
        assert!(decode_json(b"[]", &Type::String).is_err());
        assert_eq!(
            decode_json(b" null ", &Type::list(Type::String)).unwrap(),
            Value::Null
        );
    }

    #[test]
    fn json_strings_and_escapes() {
        let v = decode_json(br#""a\"b\\c\/\n\u00e9\ud83d\ude00\ud800x""#, &Type::String).unwrap();
        assert_eq!(v, s("a\"b\\c/\né😀\u{fffd}x"));
        let tricky = s("q\"\\\u{1}\t😀");
        let j = encode_json(&tricky, &Type::String).unwrap();
        assert_eq!(std::str::from_utf8(&j).unwrap(), r#""q\"\\\u0001\t😀""#);
        assert_eq!(decode_json(&j, &Type::String).unwrap(), tricky);
    }

    #[test]
    fn json_dynamic() {
        let ty = Type::object([("d", Type::Dynamic)]);
        let v = decode_json(br#"{"d":{"value":["a"],"type":["list","string"]}}"#, &ty).unwrap();
        assert_eq!(v, Value::object([("d", Value::List(vec![s("a")]))]));
        assert_eq!(
            encode_json(&v, &ty).unwrap(),
            br#"{"d":{"value":["a"],"type":["list","string"]}}"#.to_vec()
        );
        assert_eq!(
            decode_json(br#"{"d":null}"#, &ty).unwrap(),
            Value::object([("d", Value::Null)])
        );
        assert!(decode_json(br#"{"d":{"value":1}}"#, &ty).is_err());
        assert!(decode_json(br#"{"d":{"value":1,"type":"number","x":1}}"#, &ty).is_err());
        assert!(decode_json(br#"{"d":"plain"}"#, &ty).is_err());
    }

    #[test]
    fn json_objects() {
        let ty = Type::object([("a", Type::String), ("b", Type::list(Type::Number))]);
        assert_eq!(
            decode_json(br#"{"a":"x"}"#, &ty).unwrap(),
            Value::object([("a", s("x")), ("b", Value::Null)])
        );
        let e = decode_json(br#"{"a":"x","b":[1,"q"]}"#, &ty).unwrap_err();
        assert_eq!(e.path(), Some(".b[1]"));
        let e = decode_json(br#"{"c":1}"#, &ty).unwrap_err();
        assert_eq!(e.to_string(), "at .c: unsupported attribute");
        assert_eq!(
            encode_json(&Value::object([("a", s("x"))]), &ty).unwrap(),
            br#"{"a":"x","b":null}"#.to_vec()
        );
    }

    #[test]
    fn hostile_json() {
        for bad in [
            &b""[..],
            b"{",
            b"[1,]",
            b"01",
            b"1.",
            b"-",
            b"1e",
            b"\"abc",
            b"\"\\x\"",
            b"\"\\u12\"",
            b"\"a\x01\"",
            b"nul",
            b"[1] x",
            b"{\"a\" 1}",
            b"\xff",
            b"NaN",
        ] {
            assert!(decode_json(bad, &Type::Dynamic).is_err(), "{bad:?}");
            assert!(
                decode_json(bad, &Type::list(Type::Number)).is_err(),
                "{bad:?}"
            );
        }
        let deep = "[".repeat(100_000);
        assert!(decode_json(deep.as_bytes(), &Type::list(Type::String)).is_err());
        let mut nested = String::new();
        for _ in 0..(MAX_DEPTH + 5) {
            nested.push('[');
        }
        for _ in 0..(MAX_DEPTH + 5) {
            nested.push(']');
        }
        let mut deep_ty = Type::String;
        for _ in 0..(MAX_DEPTH + 5) {
            deep_ty = Type::list(deep_ty);
        }
        assert!(matches!(
            decode_json(nested.as_bytes(), &deep_ty),
            Err(CodecError::TooDeep { .. })
        ));
    }
}
