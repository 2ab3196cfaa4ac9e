//! cty's msgpack encoding: compact integers, unknown as an extension, `Dynamic` as `[type JSON, value]`.

use std::collections::BTreeMap;

use super::infer::infer;
use super::{
    CodecError, MAX_DEPTH, Path, Step, check_no_extra_attrs, mismatch_msg, null_missing_attrs,
};
use crate::tf::types::Type;
use crate::tf::value::{Number, Value};

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
        self.collection_len(0x90, mp::ARRAY16, mp::ARRAY32, what, "array")
    }

    fn map_len(&mut self, what: &str) -> Result<usize, CodecError> {
        self.collection_len(0x80, mp::MAP16, mp::MAP32, what, "map")
    }

    /// Reads an array or map header: a fix marker (`fix` to `fix | 0x0f`) or a 16- or 32-bit one.
    fn collection_len(
        &mut self,
        fix: u8,
        m16: u8,
        m32: u8,
        what: &str,
        kind: &str,
    ) -> Result<usize, CodecError> {
        let m = self.peek()?;
        if m & 0xf0 == fix {
            self.pos += 1;
            Ok(usize::from(m & 0x0f))
        } else if m == m16 {
            self.pos += 1;
            self.len16()
        } else if m == m32 {
            self.pos += 1;
            self.len32()
        } else {
            Err(self.path.mismatch(format!(
                "expected {what} ({kind}), found {}",
                mp::describe(m)
            )))
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
                    return Err(self.path.tuple_len(ets.len(), n));
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
                null_missing_attrs(&mut out, attributes);
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
                self.array(xs.iter().map(|x| (x, &**et)), depth)?;
            }
            (Type::Tuple(ets), Value::Tuple(xs)) => {
                if ets.len() != xs.len() {
                    return Err(self.path.tuple_len(ets.len(), xs.len()));
                }
                self.array(xs.iter().zip(ets), depth)?;
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

    /// The elements of a list, set or tuple, each with its type, as an array.
    fn array<'a>(
        &mut self,
        items: impl ExactSizeIterator<Item = (&'a Value, &'a Type)>,
        depth: usize,
    ) -> Result<(), CodecError> {
        self.array_len(items.len());
        for (i, (x, et)) in items.enumerate() {
            self.path.push(Step::Index(i));
            self.value(x, et, depth + 1)?;
            self.path.pop();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf::codec::infer_type;
    use crate::tf::codec::tests::{mp_round_trip, num, s};

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
}
