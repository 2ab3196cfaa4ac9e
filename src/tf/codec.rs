//! DynamicValue codec: cty's msgpack and JSON encodings of [`Value`]s, guided by a [`Type`].
//!
//! Input is untrusted: decoding never panics, nesting is limited to [`MAX_DEPTH`]
//! levels and no buffer is sized from a length prefix beyond what the input can hold.
//!
//! `Dynamic` slots carry their own type: msgpack `[type JSON bytes, value]`, JSON
//! `{"value": ..., "type": ...}`. When encoding a value into a `Dynamic` slot the type is
//! inferred from the value (see [`infer_type`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::types::Type;
use super::value::{Number, Value};

/// Deepest nesting of collections/structures accepted or produced.
pub const MAX_DEPTH: usize = 64;
/// The raw JSON parser allows more levels, since each dynamic value adds a wrapper object;
/// the type-guided pass still enforces [`MAX_DEPTH`].
const JSON_PARSE_DEPTH: usize = 4 * MAX_DEPTH;

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

    fn push(&mut self, s: Step) {
        self.0.push(s);
    }

    fn pop(&mut self) {
        self.0.pop();
    }
}

// ---------------------------------------------------------------------------
// Type inference for dynamic slots
// ---------------------------------------------------------------------------

/// Infers the cty type of a value placed in a `Dynamic` slot.
///
/// Primitives map to themselves; lists, sets and maps take the common type of their
/// elements; objects and tuples take one type per attribute/element. Null and unknown
/// values constrain nothing: where nothing constrains a type (an empty collection, a
/// collection of only nulls/unknowns, a null attribute) it is `dynamic`, e.g. `[]` is
/// `list(dynamic)` and `{a = null}` is `object({a = dynamic})`. Elements whose types cannot
/// be unified (a list holding a string and a number) are an error. A top-level null or
/// unknown yields `Dynamic`.
pub fn infer_type(v: &Value) -> Result<Type, CodecError> {
    let mut path = Path::default();
    infer(v, 0, &mut path)
}

fn infer(v: &Value, depth: usize, path: &mut Path) -> Result<Type, CodecError> {
    if depth > MAX_DEPTH {
        return Err(path.too_deep());
    }
    Ok(match v {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(xs) => Type::list(infer_common(xs.iter(), depth, path)?),
        Value::Set(xs) => Type::set(infer_common(xs.iter(), depth, path)?),
        Value::Map(m) => Type::map(infer_common(m.values(), depth, path)?),
        Value::Object(m) => {
            let mut attrs = BTreeMap::new();
            for (k, x) in m {
                path.push(Step::Attr(k.clone()));
                attrs.insert(k.clone(), infer(x, depth + 1, path)?);
                path.pop();
            }
            Type::object(attrs)
        }
        Value::Tuple(xs) => {
            let mut ts = Vec::with_capacity(xs.len());
            for (i, x) in xs.iter().enumerate() {
                path.push(Step::Index(i));
                ts.push(infer(x, depth + 1, path)?);
                path.pop();
            }
            Type::Tuple(ts)
        }
    })
}

fn infer_common<'a>(
    xs: impl Iterator<Item = &'a Value>,
    depth: usize,
    path: &mut Path,
) -> Result<Type, CodecError> {
    let mut acc = Type::Dynamic;
    for (i, x) in xs.enumerate() {
        path.push(Step::Index(i));
        let t = infer(x, depth + 1, path)?;
        acc = match unify(&acc, &t) {
            Some(u) => u,
            None => {
                return Err(path.mismatch(format!(
                    "cannot infer one element type for a dynamic value: {} and {} differ",
                    acc.friendly_name(),
                    t.friendly_name()
                )));
            }
        };
        path.pop();
    }
    Ok(acc)
}

/// Combines two inferred types where `Dynamic` means "unconstrained".
fn unify(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::Dynamic, t) | (t, Type::Dynamic) => Some(t.clone()),
        (Type::List(x), Type::List(y)) => Some(Type::list(unify(x, y)?)),
        (Type::Set(x), Type::Set(y)) => Some(Type::set(unify(x, y)?)),
        (Type::Map(x), Type::Map(y)) => Some(Type::map(unify(x, y)?)),
        (Type::Object { attributes: x, .. }, Type::Object { attributes: y, .. }) => {
            if x.len() != y.len() {
                return None;
            }
            let mut attrs = BTreeMap::new();
            for ((kx, tx), (ky, ty)) in x.iter().zip(y.iter()) {
                if kx != ky {
                    return None;
                }
                attrs.insert(kx.clone(), unify(tx, ty)?);
            }
            Some(Type::object(attrs))
        }
        (Type::Tuple(x), Type::Tuple(y)) if x.len() == y.len() => Some(Type::Tuple(
            x.iter()
                .zip(y.iter())
                .map(|(a, b)| unify(a, b))
                .collect::<Option<Vec<_>>>()?,
        )),
        (x, y) if x == y => Some(x.clone()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// msgpack
// ---------------------------------------------------------------------------

mod mp {
    pub const NIL: u8 = 0xc0;
    pub const FALSE: u8 = 0xc2;
    pub const TRUE: u8 = 0xc3;
    pub const BIN8: u8 = 0xc4;
    pub const BIN16: u8 = 0xc5;
    pub const BIN32: u8 = 0xc6;
    pub const EXT8: u8 = 0xc7;
    pub const EXT16: u8 = 0xc8;
    pub const EXT32: u8 = 0xc9;
    pub const F32: u8 = 0xca;
    pub const F64: u8 = 0xcb;
    pub const U8: u8 = 0xcc;
    pub const U16: u8 = 0xcd;
    pub const U32: u8 = 0xce;
    pub const U64: u8 = 0xcf;
    pub const I8: u8 = 0xd0;
    pub const I16: u8 = 0xd1;
    pub const I32: u8 = 0xd2;
    pub const I64: u8 = 0xd3;
    pub const FIXEXT1: u8 = 0xd4;
    pub const FIXEXT16: u8 = 0xd8;
    pub const STR8: u8 = 0xd9;
    pub const STR16: u8 = 0xda;
    pub const STR32: u8 = 0xdb;
    pub const ARRAY16: u8 = 0xdc;
    pub const ARRAY32: u8 = 0xdd;
    pub const MAP16: u8 = 0xde;
    pub const MAP32: u8 = 0xdf;

    pub fn is_ext(m: u8) -> bool {
        matches!(m, EXT8..=EXT32 | FIXEXT1..=FIXEXT16)
    }

    /// What a marker byte introduces, for error messages.
    pub fn describe(m: u8) -> &'static str {
        match m {
            0x00..=0x7f | 0xe0..=0xff | U8..=I64 => "integer",
            0x80..=0x8f | MAP16 | MAP32 => "map",
            0x90..=0x9f | ARRAY16 | ARRAY32 => "array",
            0xa0..=0xbf | STR8..=STR32 => "string",
            NIL => "nil",
            FALSE | TRUE => "bool",
            BIN8..=BIN32 => "binary",
            F32 | F64 => "float",
            EXT8..=EXT32 | FIXEXT1..=FIXEXT16 => "extension",
            _ => "reserved byte 0xc1",
        }
    }
}

/// Decodes a msgpack DynamicValue of the given type.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut d = MpDecoder {
        buf: bytes,
        pos: 0,
        path: Path::default(),
    };
    let v = d.value(ty, 0)?;
    if d.pos != bytes.len() {
        return Err(d.malformed("trailing bytes after the value"));
    }
    Ok(v)
}

struct MpDecoder<'a> {
    buf: &'a [u8],
    pos: usize,
    path: Path,
}

impl<'a> MpDecoder<'a> {
    fn malformed(&self, message: impl Into<String>) -> CodecError {
        CodecError::Malformed {
            path: self.path.render(),
            format: "msgpack",
            offset: self.pos,
            message: message.into(),
        }
    }

    fn peek(&self) -> Result<u8, CodecError> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.malformed("unexpected end of input"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| self.malformed("unexpected end of input"))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn byte(&mut self) -> Result<u8, CodecError> {
        Ok(self.take(1)?[0])
    }

    fn be<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn len16(&mut self) -> Result<usize, CodecError> {
        Ok(usize::from(u16::from_be_bytes(self.be()?)))
    }

    fn len32(&mut self) -> Result<usize, CodecError> {
        usize::try_from(u32::from_be_bytes(self.be()?))
            .map_err(|_| self.malformed("length does not fit this platform"))
    }

    /// Remaining input; every element needs at least one byte, so this caps preallocation.
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn skip_ext(&mut self) -> Result<(), CodecError> {
        let m = self.byte()?;
        let len = match m {
            0xd4 => 1,
            0xd5 => 2,
            0xd6 => 4,
            0xd7 => 8,
            0xd8 => 16,
            mp::EXT8 => usize::from(self.byte()?),
            mp::EXT16 => self.len16()?,
            _ => self.len32()?,
        };
        self.take(1)?; // extension type: every extension means "unknown"
        self.take(len)?;
        Ok(())
    }

    /// Reads a str or bin header and its bytes.
    fn raw_str(&mut self) -> Result<Option<&'a [u8]>, CodecError> {
        let m = self.peek()?;
        let len = match m {
            0xa0..=0xbf => {
                self.pos += 1;
                usize::from(m & 0x1f)
            }
            mp::STR8 | mp::BIN8 => {
                self.pos += 1;
                usize::from(self.byte()?)
            }
            mp::STR16 | mp::BIN16 => {
                self.pos += 1;
                self.len16()?
            }
            mp::STR32 | mp::BIN32 => {
                self.pos += 1;
                self.len32()?
            }
            _ => return Ok(None),
        };
        self.take(len).map(Some)
    }

    fn string(&mut self, what: &str) -> Result<String, CodecError> {
        let m = self.peek()?;
        match self.raw_str()? {
            Some(b) => match std::str::from_utf8(b) {
                Ok(s) => Ok(s.to_owned()),
                Err(_) => Err(self.path.mismatch(format!("{what} is not valid UTF-8"))),
            },
            None => Err(self
                .path
                .mismatch(format!("expected {what}, found {}", mp::describe(m)))),
        }
    }

    fn array_len(&mut self, what: &str) -> Result<usize, CodecError> {
        let m = self.peek()?;
        match m {
            0x90..=0x9f => {
                self.pos += 1;
                Ok(usize::from(m & 0x0f))
            }
            mp::ARRAY16 => {
                self.pos += 1;
                self.len16()
            }
            mp::ARRAY32 => {
                self.pos += 1;
                self.len32()
            }
            _ => Err(self.path.mismatch(format!(
                "expected {what} (array), found {}",
                mp::describe(m)
            ))),
        }
    }

    fn map_len(&mut self, what: &str) -> Result<usize, CodecError> {
        let m = self.peek()?;
        match m {
            0x80..=0x8f => {
                self.pos += 1;
                Ok(usize::from(m & 0x0f))
            }
            mp::MAP16 => {
                self.pos += 1;
                self.len16()
            }
            mp::MAP32 => {
                self.pos += 1;
                self.len32()
            }
            _ => Err(self
                .path
                .mismatch(format!("expected {what} (map), found {}", mp::describe(m)))),
        }
    }

    fn number(&mut self) -> Result<Number, CodecError> {
        let m = self.peek()?;
        let float = |d: &Self, f: f64| {
            Number::from_f64_exact(f).ok_or_else(|| d.path.mismatch("number is not finite"))
        };
        match m {
            0x00..=0x7f => {
                self.pos += 1;
                Ok(Number::from_i64(i64::from(m)))
            }
            0xe0..=0xff => {
                self.pos += 1;
                Ok(Number::from_i64(i64::from(m as i8)))
            }
            mp::U8..=mp::I64 | mp::F32 | mp::F64 => {
                self.pos += 1;
                match m {
                    mp::U8 => Ok(Number::from_u64(u64::from(self.byte()?))),
                    mp::U16 => Ok(Number::from_u64(u64::from(u16::from_be_bytes(self.be()?)))),
                    mp::U32 => Ok(Number::from_u64(u64::from(u32::from_be_bytes(self.be()?)))),
                    mp::U64 => Ok(Number::from_u64(u64::from_be_bytes(self.be()?))),
                    mp::I8 => Ok(Number::from_i64(i64::from(i8::from_be_bytes(self.be()?)))),
                    mp::I16 => Ok(Number::from_i64(i64::from(i16::from_be_bytes(self.be()?)))),
                    mp::I32 => Ok(Number::from_i64(i64::from(i32::from_be_bytes(self.be()?)))),
                    mp::I64 => Ok(Number::from_i64(i64::from_be_bytes(self.be()?))),
                    mp::F32 => {
                        let f = f64::from(f32::from_be_bytes(self.be()?));
                        float(self, f)
                    }
                    _ => {
                        let f = f64::from_be_bytes(self.be()?);
                        float(self, f)
                    }
                }
            }
            _ => {
                let Some(b) = self.raw_str()? else {
                    return Err(self
                        .path
                        .mismatch(format!("expected number, found {}", mp::describe(m))));
                };
                let s = std::str::from_utf8(b)
                    .map_err(|_| self.path.mismatch("number string is not valid UTF-8"))?;
                Number::parse(s).map_err(|e| self.path.mismatch(e.to_string()))
            }
        }
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, CodecError> {
        if depth > MAX_DEPTH {
            return Err(self.path.too_deep());
        }
        let m = self.peek()?;
        if mp::is_ext(m) {
            self.skip_ext()?;
            return Ok(Value::Unknown);
        }
        if *ty == Type::Dynamic {
            return self.dynamic(depth);
        }
        if m == mp::NIL {
            self.pos += 1;
            return Ok(Value::Null);
        }
        match ty {
            Type::Bool => match m {
                mp::FALSE | mp::TRUE => {
                    self.pos += 1;
                    Ok(Value::Bool(m == mp::TRUE))
                }
                _ => Err(self
                    .path
                    .mismatch(format!("expected bool, found {}", mp::describe(m)))),
            },
            Type::Number => Ok(Value::Number(self.number()?)),
            Type::String => Ok(Value::String(self.string("string")?)),
            Type::List(et) => Ok(Value::List(self.elements(et, "list", depth)?)),
            Type::Set(et) => Ok(Value::Set(self.elements(et, "set", depth)?)),
            Type::Tuple(ets) => {
                let n = self.array_len("tuple")?;
                if n != ets.len() {
                    return Err(self.path.mismatch(format!(
                        "expected a tuple of {} elements, found {n}",
                        ets.len()
                    )));
                }
                let mut out = Vec::with_capacity(n);
                for (i, et) in ets.iter().enumerate() {
                    self.path.push(Step::Index(i));
                    out.push(self.value(et, depth + 1)?);
                    self.path.pop();
                }
                Ok(Value::Tuple(out))
            }
            Type::Map(et) => {
                let n = self.map_len("map")?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.string("string map key")?;
                    self.path.push(Step::Key(k.clone()));
                    let v = self.value(et, depth + 1)?;
                    self.path.pop();
                    out.insert(k, v);
                }
                Ok(Value::Map(out))
            }
            Type::Object { attributes, .. } => {
                let n = self.map_len("object")?;
                let mut out = BTreeMap::new();
                for _ in 0..n {
                    let k = self.string("string attribute name")?;
                    self.path.push(Step::Attr(k.clone()));
                    let Some(at) = attributes.get(&k) else {
                        return Err(self.path.mismatch("unsupported attribute"));
                    };
                    let v = self.value(at, depth + 1)?;
                    self.path.pop();
                    out.insert(k, v);
                }
                // Attributes left out are null.
                for k in attributes.keys() {
                    if !out.contains_key(k) {
                        out.insert(k.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(out))
            }
            // Handled above; kept for exhaustiveness.
            Type::Dynamic => self.dynamic(depth),
        }
    }

    fn elements(&mut self, et: &Type, what: &str, depth: usize) -> Result<Vec<Value>, CodecError> {
        let n = self.array_len(what)?;
        let mut out = Vec::with_capacity(n.min(self.remaining()));
        for i in 0..n {
            self.path.push(Step::Index(i));
            out.push(self.value(et, depth + 1)?);
            self.path.pop();
        }
        Ok(out)
    }

    fn dynamic(&mut self, depth: usize) -> Result<Value, CodecError> {
        if self.peek()? == mp::NIL {
            self.pos += 1;
            return Ok(Value::Null);
        }
        let n = self.array_len("dynamic value [type, value]")?;
        if n != 2 {
            return Err(self.path.mismatch(format!(
                "dynamic value must be a [type, value] array, found {n} elements"
            )));
        }
        let m = self.peek()?;
        let Some(type_json) = self.raw_str()? else {
            return Err(self.path.mismatch(format!(
                "dynamic value type must be JSON bytes, found {}",
                mp::describe(m)
            )));
        };
        let ty = Type::from_json_bytes(type_json).map_err(|e| self.path.mismatch(e.to_string()))?;
        self.value(&ty, depth + 1)
    }
}

/// Encodes a value of the given type as msgpack, the way cty does (compact integers,
/// unknown as fixext1 type 0, objects with every declared attribute in sorted order).
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut e = MpEncoder {
        out: Vec::new(),
        path: Path::default(),
    };
    e.value(value, ty, 0)?;
    Ok(e.out)
}

struct MpEncoder {
    out: Vec<u8>,
    path: Path,
}

fn mismatch_msg(ty: &Type, v: &Value) -> String {
    format!("expected {}, found {}", ty.friendly_name(), v.kind_name())
}

impl MpEncoder {
    fn header(&mut self, fix_base: u8, fix_max: usize, m8: Option<u8>, m16: u8, m32: u8, n: usize) {
        if n <= fix_max {
            self.out.push(fix_base | n as u8);
        } else if let Some(m8) = m8.filter(|_| n <= 0xff) {
            self.out.push(m8);
            self.out.push(n as u8);
        } else if n <= 0xffff {
            self.out.push(m16);
            self.out.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            self.out.push(m32);
            // Lengths beyond u32 cannot be represented; saturate (such values cannot exist in practice).
            self.out
                .extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes());
        }
    }

    fn str_bytes(&mut self, b: &[u8]) {
        self.header(0xa0, 31, Some(mp::STR8), mp::STR16, mp::STR32, b.len());
        self.out.extend_from_slice(b);
    }

    fn bin_bytes(&mut self, b: &[u8]) {
        if b.len() <= 0xff {
            self.out.push(mp::BIN8);
            self.out.push(b.len() as u8);
        } else if b.len() <= 0xffff {
            self.out.push(mp::BIN16);
            self.out.extend_from_slice(&(b.len() as u16).to_be_bytes());
        } else {
            self.out.push(mp::BIN32);
            self.out
                .extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes());
        }
        self.out.extend_from_slice(b);
    }

    fn array_len(&mut self, n: usize) {
        self.header(0x90, 15, None, mp::ARRAY16, mp::ARRAY32, n);
    }

    fn map_len(&mut self, n: usize) {
        self.header(0x80, 15, None, mp::MAP16, mp::MAP32, n);
    }

    /// Smallest msgpack integer encoding, as msgpack encoders in compact mode write.
    fn int(&mut self, i: i64) {
        if i >= 0 {
            self.uint(i as u64);
        } else if i >= -32 {
            self.out.push(i as i8 as u8);
        } else if i >= i64::from(i8::MIN) {
            self.out.push(mp::I8);
            self.out.push(i as i8 as u8);
        } else if i >= i64::from(i16::MIN) {
            self.out.push(mp::I16);
            self.out.extend_from_slice(&(i as i16).to_be_bytes());
        } else if i >= i64::from(i32::MIN) {
            self.out.push(mp::I32);
            self.out.extend_from_slice(&(i as i32).to_be_bytes());
        } else {
            self.out.push(mp::I64);
            self.out.extend_from_slice(&i.to_be_bytes());
        }
    }

    fn uint(&mut self, u: u64) {
        if u <= 0x7f {
            self.out.push(u as u8);
        } else if u <= 0xff {
            self.out.push(mp::U8);
            self.out.push(u as u8);
        } else if u <= 0xffff {
            self.out.push(mp::U16);
            self.out.extend_from_slice(&(u as u16).to_be_bytes());
        } else if u <= 0xffff_ffff {
            self.out.push(mp::U32);
            self.out.extend_from_slice(&(u as u32).to_be_bytes());
        } else {
            self.out.push(mp::U64);
            self.out.extend_from_slice(&u.to_be_bytes());
        }
    }

    fn number(&mut self, n: &Number) {
        if let Some(i) = n.as_i64() {
            self.int(i);
        } else if let Some(u) = n.as_u64() {
            self.uint(u);
        } else if let Some(f) = n.to_f64_exact() {
            self.out.push(mp::F64);
            self.out.extend_from_slice(&f.to_be_bytes());
        } else {
            self.str_bytes(n.to_string().as_bytes());
        }
    }

    fn unknown(&mut self) {
        self.out.extend_from_slice(&[mp::FIXEXT1, 0x00, 0x00]);
    }

    fn value(&mut self, v: &Value, ty: &Type, depth: usize) -> Result<(), CodecError> {
        if depth > MAX_DEPTH {
            return Err(self.path.too_deep());
        }
        if *ty == Type::Dynamic {
            return self.dynamic(v, depth);
        }
        match (ty, v) {
            (_, Value::Unknown) => self.unknown(),
            (_, Value::Null) => self.out.push(mp::NIL),
            (Type::Bool, Value::Bool(b)) => self.out.push(if *b { mp::TRUE } else { mp::FALSE }),
            (Type::Number, Value::Number(n)) => self.number(n),
            (Type::String, Value::String(s)) => self.str_bytes(s.as_bytes()),
            (Type::List(et), Value::List(xs)) | (Type::Set(et), Value::Set(xs)) => {
                self.array_len(xs.len());
                for (i, x) in xs.iter().enumerate() {
                    self.path.push(Step::Index(i));
                    self.value(x, et, depth + 1)?;
                    self.path.pop();
                }
            }
            (Type::Tuple(ets), Value::Tuple(xs)) => {
                if ets.len() != xs.len() {
                    return Err(self.path.mismatch(format!(
                        "expected a tuple of {} elements, found {}",
                        ets.len(),
                        xs.len()
                    )));
                }
                self.array_len(xs.len());
                for (i, (x, et)) in xs.iter().zip(ets).enumerate() {
                    self.path.push(Step::Index(i));
                    self.value(x, et, depth + 1)?;
                    self.path.pop();
                }
            }
            (Type::Map(et), Value::Map(m)) => {
                self.map_len(m.len());
                for (k, x) in m {
                    self.path.push(Step::Key(k.clone()));
                    self.str_bytes(k.as_bytes());
                    self.value(x, et, depth + 1)?;
                    self.path.pop();
                }
            }
            (Type::Object { attributes, .. }, Value::Object(m)) => {
                check_no_extra_attrs(m, attributes, &mut self.path)?;
                self.map_len(attributes.len());
                for (k, at) in attributes {
                    self.path.push(Step::Attr(k.clone()));
                    self.str_bytes(k.as_bytes());
                    self.value(m.get(k).unwrap_or(&Value::Null), at, depth + 1)?;
                    self.path.pop();
                }
            }
            _ => return Err(self.path.mismatch(mismatch_msg(ty, v))),
        }
        Ok(())
    }

    fn dynamic(&mut self, v: &Value, depth: usize) -> Result<(), CodecError> {
        match v {
            Value::Null => self.out.push(mp::NIL),
            Value::Unknown => self.unknown(),
            _ => {
                let t = infer(v, depth, &mut self.path)?;
                self.array_len(2);
                self.bin_bytes(&t.to_json_bytes());
                self.value(v, &t, depth + 1)?;
            }
        }
        Ok(())
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

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

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
                return Err(path.mismatch(format!(
                    "expected a tuple of {} elements, found {}",
                    ets.len(),
                    xs.len()
                )));
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
            for k in attributes.keys() {
                if !out.contains_key(k) {
                    out.insert(k.clone(), Value::Null);
                }
            }
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
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                path.push(Step::Index(i));
                json_encode(x, et, depth + 1, path, out)?;
                path.pop();
            }
            out.push(']');
        }
        (Type::Tuple(ets), Value::Tuple(xs)) => {
            if ets.len() != xs.len() {
                return Err(path.mismatch(format!(
                    "expected a tuple of {} elements, found {}",
                    ets.len(),
                    xs.len()
                )));
            }
            out.push('[');
            for (i, (x, et)) in xs.iter().zip(ets).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                path.push(Step::Index(i));
                json_encode(x, et, depth + 1, path, out)?;
                path.pop();
            }
            out.push(']');
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

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }

    fn num(x: &str) -> Value {
        Value::Number(Number::parse(x).unwrap())
    }

    fn mp_round_trip(v: &Value, ty: &Type) -> Vec<u8> {
        let b = encode_msgpack(v, ty).unwrap();
        assert_eq!(&decode_msgpack(&b, ty).unwrap(), v, "bytes {b:02x?}");
        b
    }

    #[test]
    fn golden_unknown_and_null() {
        assert_eq!(mp_round_trip(&Value::Unknown, &Type::String), [0xd4, 0, 0]);
        assert_eq!(mp_round_trip(&Value::Null, &Type::String), [0xc0]);
        // Unknown and null dynamic values are bare, without a [type, value] wrapper.
        assert_eq!(mp_round_trip(&Value::Unknown, &Type::Dynamic), [0xd4, 0, 0]);
        assert_eq!(mp_round_trip(&Value::Null, &Type::Dynamic), [0xc0]);
    }

    #[test]
    fn any_extension_is_unknown() {
        let refined = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3]; // ext8, type 12, 3-byte payload
        assert_eq!(
            decode_msgpack(&refined, &Type::String).unwrap(),
            Value::Unknown
        );
        for ext in [
            vec![0xd5, 0x05, 1, 2],
            vec![0xd6, 0x0c, 1, 2, 3, 4],
            vec![0xd7, 0x00, 0, 0, 0, 0, 0, 0, 0, 0],
            vec![0xd8, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            vec![0xc8, 0x00, 0x01, 0x0c, 0xaa],
            vec![0xc9, 0x00, 0x00, 0x00, 0x00, 0x0c],
        ] {
            assert_eq!(
                decode_msgpack(&ext, &Type::list(Type::Number)).unwrap(),
                Value::Unknown
            );
            assert_eq!(
                decode_msgpack(&ext, &Type::Dynamic).unwrap(),
                Value::Unknown
            );
        }
        // Nested: an object with a refined-unknown attribute.
        let ty = Type::object([("id", Type::String)]);
        let mut b = vec![0x81, 0xa2, b'i', b'd'];
        b.extend_from_slice(&refined);
        assert_eq!(
            decode_msgpack(&b, &ty).unwrap(),
            Value::object([("id", Value::Unknown)])
        );
        // A truncated extension payload is malformed, not unknown.
        assert!(decode_msgpack(&[0xc7, 0x05, 0x0c, 1], &Type::String).is_err());
    }

    #[test]
    fn golden_objects() {
        let ty = Type::object([("a", Type::String)]);
        let v = Value::object([("a", s("x"))]);
        assert_eq!(mp_round_trip(&v, &ty), [0x81, 0xa1, b'a', 0xa1, b'x']);

        // Every declared attribute is written, missing ones as nil, in sorted order.
        let ty2 = Type::object([("b", Type::Number), ("a", Type::String)]);
        assert_eq!(
            encode_msgpack(&v, &ty2).unwrap(),
            [0x82, 0xa1, b'a', 0xa1, b'x', 0xa1, b'b', 0xc0]
        );
        // On input a missing attribute is null.
        assert_eq!(
            decode_msgpack(&[0x81, 0xa1, b'a', 0xa1, b'x'], &ty2).unwrap(),
            Value::object([("a", s("x")), ("b", Value::Null)])
        );
        // Keys may arrive as bin.
        assert_eq!(
            decode_msgpack(&[0x81, 0xc4, 1, b'a', 0xc4, 1, b'x'], &ty).unwrap(),
            v
        );
    }

    #[test]
    fn golden_numbers() {
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("0", vec![0x00]),
            ("1", vec![0x01]),
            ("-1", vec![0xff]),
            ("-33", vec![0xd0, 0xdf]),
            ("300", vec![0xcd, 0x01, 0x2c]),
            ("-40000", vec![0xd2, 0xff, 0xff, 0x63, 0xc0]),
            ("1e10", vec![0xcf, 0, 0, 0, 0x02, 0x54, 0x0b, 0xe4, 0x00]),
            (
                "18446744073709551615",
                vec![0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            ),
            ("0.5", vec![0xcb, 0x3f, 0xe0, 0, 0, 0, 0, 0, 0]),
            // 2^64 is past u64 but an exact float64.
            (
                "18446744073709551616",
                vec![0xcb, 0x43, 0xf0, 0, 0, 0, 0, 0, 0],
            ),
            ("0.1", vec![0xa3, b'0', b'.', b'1']),
        ];
        for (text, want) in cases {
            let got = mp_round_trip(&num(text), &Type::Number);
            assert_eq!(got, want, "{text}");
        }
    }

    #[test]
    fn big_number_goes_as_string() {
        let big = num("1e400");
        let b = mp_round_trip(&big, &Type::Number);
        assert_eq!(&b[..3], &[0xda, 0x01, 0x91]); // str16, 401 bytes
        assert_eq!(b[3], b'1');
        assert!(b[4..].iter().all(|&c| c == b'0'));
        let precise = num("123456789012345678901234567890.000000000000000000001");
        mp_round_trip(&precise, &Type::Number);
    }

    #[test]
    fn decodes_every_number_form() {
        let t = Type::Number;
        let d = |b: &[u8]| decode_msgpack(b, &t).unwrap();
        assert_eq!(d(&[0xe0]), num("-32"));
        assert_eq!(d(&[0xcc, 0xff]), num("255"));
        assert_eq!(d(&[0xd0, 0x80]), num("-128"));
        assert_eq!(d(&[0xd1, 0x80, 0x00]), num("-32768"));
        assert_eq!(d(&[0xce, 0xff, 0xff, 0xff, 0xff]), num("4294967295"));
        assert_eq!(
            d(&[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
            num("-9223372036854775808")
        );
        assert_eq!(d(&[0xca, 0x3f, 0xc0, 0, 0]), num("1.5"));
        assert_eq!(d(&[0xa4, b'1', b'e', b'3', b'0']), num("1e30"));
        assert_eq!(d(&[0xc4, 0x02, b'-', b'7']), num("-7"));
        // A float64 that is not a short decimal keeps its exact value and re-encodes unchanged.
        let third = (1.0f64 / 3.0).to_be_bytes();
        let mut b = vec![0xcb];
        b.extend_from_slice(&third);
        let v = d(&b);
        assert_eq!(encode_msgpack(&v, &t).unwrap(), b);
        // Not numbers.
        for bad in [
            &[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0][..],
            &[0xa1, b'x'],
            &[0xc3],
            &[0x90],
        ] {
            assert!(decode_msgpack(bad, &t).is_err(), "{bad:02x?}");
        }
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

    #[test]
    fn dynamic_msgpack() {
        let b = mp_round_trip(&s("x"), &Type::Dynamic);
        let mut want = vec![0x92, 0xc4, 8];
        want.extend_from_slice(b"\"string\"");
        want.extend_from_slice(&[0xa1, b'x']);
        assert_eq!(b, want);
        // Type JSON may also come as str.
        let mut as_str = vec![0x92, 0xa8];
        as_str.extend_from_slice(b"\"string\"");
        as_str.extend_from_slice(&[0xa1, b'x']);
        assert_eq!(decode_msgpack(&as_str, &Type::Dynamic).unwrap(), s("x"));

        let ty = Type::object([("d", Type::Dynamic)]);
        for v in [
            Value::List(vec![]),
            Value::List(vec![Value::Null, s("a"), Value::Unknown]),
            Value::object([("a", Value::Null), ("b", Value::Set(vec![num("1e400")]))]),
            Value::map([(
                "k",
                Value::Tuple(vec![Value::Bool(true), Value::Map(BTreeMap::new())]),
            )]),
            Value::List(vec![
                Value::object([("x", Value::Null)]),
                Value::object([("x", num("1"))]),
            ]),
        ] {
            let wrapped = Value::object([("d", v)]);
            mp_round_trip(&wrapped, &ty);
        }
        assert_eq!(
            infer_type(&Value::List(vec![])).unwrap(),
            Type::list(Type::Dynamic)
        );
        assert_eq!(
            infer_type(&Value::List(vec![
                Value::object([("x", Value::Null)]),
                Value::object([("x", num("1"))]),
            ]))
            .unwrap(),
            Type::list(Type::object([("x", Type::Number)]))
        );
        let e = encode_msgpack(&Value::List(vec![s("a"), num("1")]), &Type::Dynamic).unwrap_err();
        assert_eq!(e.path(), Some("[1]"));
        // Wrong shapes.
        assert!(decode_msgpack(&[0x91, 0xa0], &Type::Dynamic).is_err());
        assert!(decode_msgpack(&[0x92, 0x01, 0x01], &Type::Dynamic).is_err());
        assert!(decode_msgpack(&[0x92, 0xa3, b'"', b'x', b'"', 0x01], &Type::Dynamic).is_err());
    }

    #[test]
    fn hostile_msgpack() {
        // Length prefixes far beyond the input.
        for b in [
            &[0xdd, 0xff, 0xff, 0xff, 0xff][..],
            &[0xdf, 0xff, 0xff, 0xff, 0xff],
            &[0xdb, 0xff, 0xff, 0xff, 0xff, b'a'],
            &[0xc9, 0xff, 0xff, 0xff, 0xff, 0x00],
        ] {
            assert!(decode_msgpack(b, &Type::list(Type::String)).is_err());
            assert!(decode_msgpack(b, &Type::map(Type::String)).is_err());
            assert!(decode_msgpack(b, &Type::String).is_err());
        }
        assert!(decode_msgpack(&[], &Type::String).is_err());
        assert!(decode_msgpack(&[0xc1], &Type::String).is_err());
        assert!(
            decode_msgpack(&[0xa1, 0xff], &Type::String).is_err(),
            "invalid UTF-8"
        );
        assert!(
            decode_msgpack(&[0xc0, 0xc0], &Type::String).is_err(),
            "trailing bytes"
        );

        // Dynamic values nesting themselves without end.
        let mut b = Vec::new();
        for _ in 0..200 {
            b.extend_from_slice(&[0x92, 0xa9]);
            b.extend_from_slice(b"\"dynamic\"");
        }
        b.push(0xc0);
        assert!(matches!(
            decode_msgpack(&b, &Type::Dynamic),
            Err(CodecError::TooDeep { .. })
        ));

        // A type deeper than the limit.
        let mut deep = Type::String;
        for _ in 0..(MAX_DEPTH + 5) {
            deep = Type::list(deep);
        }
        let b = vec![0x91; MAX_DEPTH + 5];
        assert!(matches!(
            decode_msgpack(&b, &deep),
            Err(CodecError::TooDeep { .. })
        ));
        let mut v = s("x");
        for _ in 0..(MAX_DEPTH + 5) {
            v = Value::List(vec![v]);
        }
        assert!(matches!(
            encode_msgpack(&v, &deep),
            Err(CodecError::TooDeep { .. })
        ));
        assert!(matches!(
            encode_msgpack(&v, &Type::Dynamic),
            Err(CodecError::TooDeep { .. })
        ));
    }

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
