//! Terraform values (cty values without marks or refinements).

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use super::codec::CodecError;
use super::types::Type;

/// A cty value. Values carry no type of their own: the schema type travels
/// alongside (see [`crate::tf::codec`]). `Null` and `Unknown` may stand at any position.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    /// Elements in the order given; Terraform orders and deduplicates sets itself.
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Known at the top level (nested values may still be unknown).
    pub fn is_known(&self) -> bool {
        !self.is_unknown()
    }

    /// No `Unknown` anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => {
                v.iter().all(Value::is_wholly_known)
            }
            Value::Map(m) | Value::Object(m) => m.values().all(Value::is_wholly_known),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The number, when it is an integer that fits in i64.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// Elements of a list, set or tuple.
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(v) | Value::Set(v) | Value::Tuple(v) => Some(v),
            _ => None,
        }
    }

    /// Entries of a map or attributes of an object.
    pub fn entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(m) | Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Object attribute or map element.
    pub fn get(&self, attr: &str) -> Option<&Value> {
        self.entries().and_then(|m| m.get(attr))
    }

    /// Mutable object attribute or map element.
    pub fn get_mut(&mut self, attr: &str) -> Option<&mut Value> {
        match self {
            Value::Map(m) | Value::Object(m) => m.get_mut(attr),
            _ => None,
        }
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    pub fn number(n: impl Into<Number>) -> Value {
        Value::Number(n.into())
    }

    pub fn object<I: IntoIterator<Item = (S, Value)>, S: Into<String>>(attrs: I) -> Value {
        Value::Object(attrs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn map<I: IntoIterator<Item = (S, Value)>, S: Into<String>>(entries: I) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A null of the given type. Values are untyped, so this is always `Value::Null`.
    pub fn null_of(_ty: &Type) -> Value {
        Value::Null
    }

    /// Short name of the value's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

/// Adjusted exponents beyond this are refused, so text forms stay bounded.
const MAX_ADJUSTED_EXP: i64 = 1_000_000_000;
/// Display writes plain decimals up to this many padding zeros, scientific beyond.
const PLAIN_ZEROS_LIMIT: i64 = 1024;

/// Arbitrary-precision decimal number. Equality is numeric ("1.0" == "1", "1e3" == "1000").
///
/// Stored as `digits × 10^exp` with no leading or trailing zeros in `digits`,
/// so the derived equality and hash are numeric.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number {
    neg: bool,
    /// ASCII digits, empty for zero.
    digits: Vec<u8>,
    exp: i64,
}

impl Number {
    pub fn zero() -> Number {
        Number {
            neg: false,
            digits: Vec::new(),
            exp: 0,
        }
    }

    pub fn from_i64(i: i64) -> Number {
        let mut n = Number::from_u64(i.unsigned_abs());
        n.neg = i < 0 && !n.digits.is_empty();
        n
    }

    pub fn from_u64(u: u64) -> Number {
        Number::from_parts(false, u.to_string().into_bytes(), 0)
    }

    /// Shortest decimal that reads back as the same f64 (0.1 -> "0.1").
    /// None for NaN and infinities.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        Number::parse(&format!("{f:e}")).ok()
    }

    /// The exact value of the f64 (0.1 -> 0.1000000000000000055511151231257827...).
    /// Used for floats from the wire so they go back out as the same float.
    pub fn from_f64_exact(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Number::zero());
        }
        let bits = f.to_bits();
        let neg = bits >> 63 == 1;
        let biased = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (mant, e2) = if biased == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), biased - 1075)
        };
        let mut big = BigDec::from_u64(mant);
        let exp10 = if e2 >= 0 {
            big.mul_pow(2, 29, e2 as u32);
            0
        } else {
            // m / 2^k == m * 5^k / 10^k
            big.mul_pow(5, 13, (-e2) as u32);
            e2
        };
        Some(Number::from_parts(neg, big.to_digits(), exp10))
    }

    /// Parses decimal text: optional sign, digits with an optional fraction, optional
    /// exponent ("-12", "0.5", ".5", "1e400", "1.5E-3"). No hex, infinities or NaN.
    pub fn parse(s: &str) -> Result<Number, CodecError> {
        let bad = |reason: &str| CodecError::Number {
            text: truncate_for_error(s),
            reason: reason.to_owned(),
        };
        let b = s.as_bytes();
        let mut i = 0;
        let mut neg = false;
        if let Some(&c) = b.first()
            && (c == b'-' || c == b'+')
        {
            neg = c == b'-';
            i = 1;
        }
        let mut digits = Vec::new();
        let mut frac_len: i64 = 0;
        let mut seen_digit = false;
        while i < b.len() && b[i].is_ascii_digit() {
            digits.push(b[i]);
            seen_digit = true;
            i += 1;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                digits.push(b[i]);
                frac_len += 1;
                seen_digit = true;
                i += 1;
            }
        }
        if !seen_digit {
            return Err(bad("no digits"));
        }
        let mut exp: i64 = 0;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut eneg = false;
            if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
                eneg = b[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                // Saturate: anything this large is rejected below anyway.
                exp = (exp * 10 + i64::from(b[i] - b'0')).min(4 * MAX_ADJUSTED_EXP);
                i += 1;
            }
            if i == start {
                return Err(bad("exponent has no digits"));
            }
            if eneg {
                exp = -exp;
            }
        }
        if i != b.len() {
            return Err(bad("unexpected character"));
        }
        let n = Number::from_parts(neg, digits, exp - frac_len);
        if !n.digits.is_empty() {
            let adjusted = n.exp + n.digits.len() as i64;
            if !(-MAX_ADJUSTED_EXP..=MAX_ADJUSTED_EXP).contains(&adjusted) {
                return Err(bad("exponent out of range"));
            }
        }
        Ok(n)
    }

    /// Normalises: strips leading and trailing zeros; zero is positive.
    fn from_parts(neg: bool, mut digits: Vec<u8>, mut exp: i64) -> Number {
        let lead = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..lead);
        let trail = digits.iter().rev().take_while(|&&d| d == b'0').count();
        digits.truncate(digits.len() - trail);
        exp += trail as i64;
        if digits.is_empty() {
            return Number::zero();
        }
        Number { neg, digits, exp }
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    pub fn is_negative(&self) -> bool {
        self.neg
    }

    pub fn is_integer(&self) -> bool {
        self.exp >= 0
    }

    /// Magnitude as u128 when it is an integer with at most 38 digits.
    fn int_magnitude(&self) -> Option<u128> {
        if self.digits.is_empty() {
            return Some(0);
        }
        if self.exp < 0 || self.digits.len() as i64 + self.exp > 38 {
            return None;
        }
        let mut m: u128 = 0;
        for d in &self.digits {
            m = m * 10 + u128::from(d - b'0');
        }
        for _ in 0..self.exp {
            m *= 10;
        }
        Some(m)
    }

    pub fn as_i64(&self) -> Option<i64> {
        let m = self.int_magnitude()?;
        if self.neg {
            if m <= i64::MAX as u128 + 1 {
                Some((m as i128).wrapping_neg() as i64)
            } else {
                None
            }
        } else {
            i64::try_from(m).ok()
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        if self.neg {
            return None;
        }
        u64::try_from(self.int_magnitude()?).ok()
    }

    /// Nearest f64 (infinite when out of range).
    pub fn as_f64(&self) -> f64 {
        if self.digits.is_empty() {
            return 0.0;
        }
        let mut s = String::with_capacity(self.digits.len() + 24);
        if self.neg {
            s.push('-');
        }
        s.extend(self.digits.iter().map(|&d| d as char));
        s.push('e');
        s.push_str(&self.exp.to_string());
        s.parse::<f64>().unwrap_or(f64::NAN)
    }

    /// The f64 holding exactly this number, if there is one.
    pub fn to_f64_exact(&self) -> Option<f64> {
        // An exact f64 has at most 767 significant digits and a modest exponent.
        let adjusted = self.exp + self.digits.len() as i64;
        if self.digits.len() > 800 || !(-400..=400).contains(&adjusted) {
            return None;
        }
        let f = self.as_f64();
        match Number::from_f64_exact(f) {
            Some(back) if back == *self => Some(f),
            _ => None,
        }
    }

    /// Decimal exponent of the leading digit (the "e" in scientific notation).
    fn sci_exp(&self) -> i64 {
        self.exp + self.digits.len() as i64 - 1
    }
}

fn truncate_for_error(s: &str) -> String {
    if s.len() <= 64 {
        return s.to_owned();
    }
    let mut end = 64;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

impl fmt::Display for Number {
    /// Plain decimal ("1000", "0.001"), switching to scientific ("1e+5000")
    /// only when plain text would need more than 1024 padding zeros.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.digits.is_empty() {
            return f.write_str("0");
        }
        let mut s = String::with_capacity(self.digits.len() + 8);
        if self.neg {
            s.push('-');
        }
        let digits = |r: std::ops::Range<usize>| self.digits[r].iter().map(|&d| d as char);
        let n = self.digits.len();
        let point = n as i64 + self.exp; // digits before the decimal point
        if self.exp >= 0 && self.exp <= PLAIN_ZEROS_LIMIT {
            s.extend(digits(0..n));
            s.extend(std::iter::repeat_n('0', self.exp as usize));
        } else if self.exp < 0 && point > 0 {
            s.extend(digits(0..point as usize));
            s.push('.');
            s.extend(digits(point as usize..n));
        } else if self.exp < 0 && -point <= PLAIN_ZEROS_LIMIT {
            s.push_str("0.");
            s.extend(std::iter::repeat_n('0', (-point) as usize));
            s.extend(digits(0..n));
        } else {
            s.extend(digits(0..1));
            if n > 1 {
                s.push('.');
                s.extend(digits(1..n));
            }
            let e = self.sci_exp();
            s.push_str(&format!(
                "e{}{}",
                if e < 0 { '-' } else { '+' },
                e.unsigned_abs()
            ));
        }
        f.write_str(&s)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

impl FromStr for Number {
    type Err = CodecError;
    fn from_str(s: &str) -> Result<Number, CodecError> {
        Number::parse(s)
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => {
                return if other.neg {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
            }
            (false, true) => {
                return if self.neg {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            _ => {}
        }
        if self.neg != other.neg {
            return if self.neg {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        // Same sign: compare magnitudes by leading exponent, then digit by digit.
        let mag = self
            .sci_exp()
            .cmp(&other.sci_exp())
            .then_with(|| self.digits.cmp(&other.digits));
        if self.neg { mag.reverse() } else { mag }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

macro_rules! number_from_int {
    ($($t:ty => $via:ident as $wide:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Number {
                Number::$via(v as $wide)
            }
        }
    )*};
}
number_from_int!(i64 => from_i64 as i64, i32 => from_i64 as i64, u64 => from_u64 as u64,
    u32 => from_u64 as u64, usize => from_u64 as u64);

/// Minimal unsigned big integer (base 1e9 limbs, little endian) for exact float expansion.
struct BigDec {
    limbs: Vec<u64>,
}

const LIMB: u64 = 1_000_000_000;

impl BigDec {
    fn from_u64(mut v: u64) -> BigDec {
        let mut limbs = Vec::new();
        while v > 0 {
            limbs.push(v % LIMB);
            v /= LIMB;
        }
        BigDec { limbs }
    }

    fn mul_small(&mut self, m: u64) {
        let mut carry = 0u64;
        for l in &mut self.limbs {
            // l < 1e9, m <= 5^13 < 1.23e9: the product and carry fit in u64.
            let p = *l * m + carry;
            *l = p % LIMB;
            carry = p / LIMB;
        }
        while carry > 0 {
            self.limbs.push(carry % LIMB);
            carry /= LIMB;
        }
    }

    /// Multiplies by base^count, `chunk` powers at a time.
    fn mul_pow(&mut self, base: u64, chunk: u32, mut count: u32) {
        while count > 0 {
            let k = count.min(chunk);
            self.mul_small(base.pow(k));
            count -= k;
        }
    }

    fn to_digits(&self) -> Vec<u8> {
        let mut s = String::new();
        for (i, l) in self.limbs.iter().rev().enumerate() {
            if i == 0 {
                s.push_str(&l.to_string());
            } else {
                s.push_str(&format!("{l:09}"));
            }
        }
        s.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap()
    }

    #[test]
    fn numeric_equality() {
        assert_eq!(n("1.0"), n("1"));
        assert_eq!(n("1e3"), n("1000"));
        assert_eq!(n("-0"), n("0"));
        assert_eq!(n("0.000"), Number::from_i64(0));
        assert_eq!(n("+12.50"), n("1.25e1"));
        assert_eq!(n(".5"), n("0.5"));
        assert_eq!(n("5."), n("5"));
        assert_ne!(n("1"), n("-1"));
        assert_ne!(n("1.01"), n("1.1"));
    }

    #[test]
    fn display_is_canonical() {
        assert_eq!(n("1.500").to_string(), "1.5");
        assert_eq!(n("-0.00120").to_string(), "-0.0012");
        assert_eq!(n("1e3").to_string(), "1000");
        assert_eq!(n("12345e-2").to_string(), "123.45");
        assert_eq!(n("1e400").to_string(), format!("1{}", "0".repeat(400)));
        assert_eq!(n("1.25e5000").to_string(), "1.25e+5000");
        assert_eq!(n("-7e-5000").to_string(), "-7e-5000");
        for s in [
            "1.25e+5000",
            "-7e-5000",
            "0.5",
            "123456789012345678901234567890",
        ] {
            assert_eq!(n(&n(s).to_string()), n(s));
        }
    }

    #[test]
    fn parse_rejects_garbage() {
        for s in [
            "",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "0x10",
            "inf",
            "NaN",
            "1.2.3",
            " 1",
            "1 ",
            "--1",
            "1e9999999999",
        ] {
            assert!(Number::parse(s).is_err(), "{s:?}");
        }
        // Huge exponents on zero are harmless.
        assert_eq!(n("0e9999999999"), Number::zero());
    }

    #[test]
    fn integer_conversions() {
        assert_eq!(n("9223372036854775807").as_i64(), Some(i64::MAX));
        assert_eq!(n("-9223372036854775808").as_i64(), Some(i64::MIN));
        assert_eq!(n("9223372036854775808").as_i64(), None);
        assert_eq!(n("18446744073709551615").as_u64(), Some(u64::MAX));
        assert_eq!(n("18446744073709551616").as_u64(), None);
        assert_eq!(n("1.5").as_i64(), None);
        assert_eq!(n("1e400").as_i64(), None);
        assert_eq!(
            Number::from_i64(i64::MIN).to_string(),
            "-9223372036854775808"
        );
    }

    #[test]
    fn float_conversions() {
        assert_eq!(Number::from_f64(0.1).unwrap().to_string(), "0.1");
        assert_eq!(Number::from_f64(-2.5e-300).unwrap(), n("-2.5e-300"));
        assert!(Number::from_f64(f64::NAN).is_none());
        assert!(Number::from_f64(f64::INFINITY).is_none());
        assert_eq!(
            Number::from_f64_exact(0.1).unwrap().to_string(),
            "0.1000000000000000055511151231257827021181583404541015625"
        );
        assert_eq!(Number::from_f64_exact(1e20).unwrap(), n("1e20"));
        assert_eq!(Number::from_f64_exact(-0.0).unwrap(), Number::zero());
        assert_eq!(n("0.5").to_f64_exact(), Some(0.5));
        assert_eq!(n("0.1").to_f64_exact(), None);
        assert_eq!(n("1e400").to_f64_exact(), None);
        let tiny = f64::from_bits(1); // smallest subnormal
        assert_eq!(
            Number::from_f64_exact(tiny).unwrap().to_f64_exact(),
            Some(tiny)
        );
        assert_eq!(n("1e400").as_f64(), f64::INFINITY);
        assert_eq!(n("-1.5").as_f64(), -1.5);
    }

    #[test]
    fn ordering() {
        let mut v = [
            n("10"),
            n("-1"),
            n("0"),
            n("1e-5"),
            n("-20"),
            n("9.99"),
            n("1e400"),
        ];
        v.sort();
        let s: Vec<String> = v.iter().map(|x| x.to_string()).collect();
        assert_eq!(s[0], "-20");
        assert_eq!(s[1..5], ["-1", "0", "0.00001", "9.99"]);
        assert_eq!(s[5], "10");
    }

    #[test]
    fn value_helpers() {
        let v = Value::object([
            ("a", Value::string("x")),
            ("b", Value::List(vec![Value::Unknown])),
            ("m", Value::map([("k", Value::from(true))])),
        ]);
        assert_eq!(v.get("a").and_then(Value::as_str), Some("x"));
        assert_eq!(
            v.get("m").and_then(|m| m.get("k")).and_then(Value::as_bool),
            Some(true)
        );
        assert!(v.get("zz").is_none());
        assert!(!v.is_wholly_known());
        assert!(v.is_known());
        assert!(Value::null_of(&Type::String).is_null());
        assert!(Value::object([("a", Value::Null)]).is_wholly_known());
    }
}
