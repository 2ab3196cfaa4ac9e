//! Property and golden-vector tests for the DynamicValue codec (src/tf/codec/).

use std::collections::BTreeMap;

use proptest::prelude::*;
use terraform_provider_proton::tf::codec::{
    CodecError, decode_json, decode_msgpack, encode_json, encode_msgpack,
};
use terraform_provider_proton::tf::{Number, Type, Value};

const MAX_LEVELS: u32 = 4;

fn attr_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z_]{1,8}",
        1 => any::<String>().prop_map(|s| s.chars().take(6).collect()),
    ]
}

/// Random cty types nested up to four levels; `dynamic` only when `with_dynamic`.
fn any_type(with_dynamic: bool) -> BoxedStrategy<Type> {
    let leaf = if with_dynamic {
        prop_oneof![
            Just(Type::Bool),
            Just(Type::Number),
            Just(Type::String),
            Just(Type::Dynamic)
        ]
        .boxed()
    } else {
        prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)].boxed()
    };
    leaf.prop_recursive(MAX_LEVELS, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            (
                proptest::collection::btree_map(attr_name(), inner.clone(), 0..4),
                any::<bool>()
            )
                .prop_map(|(attrs, first_optional)| {
                    let opt: Vec<String> = attrs
                        .keys()
                        .take(usize::from(first_optional))
                        .cloned()
                        .collect();
                    Type::object_with_optional(attrs, opt)
                }),
            proptest::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
    .boxed()
}

fn any_number() -> BoxedStrategy<Number> {
    prop_oneof![
        any::<i64>().prop_map(Number::from_i64),
        any::<u64>().prop_map(Number::from_u64),
        any::<f64>().prop_filter_map("finite", Number::from_f64),
        any::<f64>().prop_filter_map("finite", Number::from_f64_exact),
        // Big and very precise decimals: up to 60 digits, exponents well past f64 range.
        (
            any::<bool>(),
            proptest::collection::vec(0u8..10, 1..60),
            -700i64..700
        )
            .prop_map(|(neg, digits, exp)| {
                let d: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
                let text = format!("{}{d}e{exp}", if neg { "-" } else { "" });
                Number::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
            }),
        Just(Number::parse("1e400").unwrap_or_else(|e| panic!("{e}"))),
    ]
    .boxed()
}

/// A value conforming to `ty`; nulls (and unknowns when allowed) may appear anywhere.
fn value_for(ty: &Type, unknowns: bool, levels: u32) -> BoxedStrategy<Value> {
    let concrete: BoxedStrategy<Value> = match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => any_number().prop_map(Value::Number).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Dynamic => {
            // Dynamic slots hold a value of some concrete type; elements of one collection
            // share it, so inference at encode time can find it again.
            let levels = levels.saturating_sub(1);
            any_type(false)
                .prop_flat_map(move |t| value_for(&t, unknowns, levels))
                .boxed()
        }
        Type::List(et) => proptest::collection::vec(value_for(et, unknowns, levels), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(et) => proptest::collection::vec(value_for(et, unknowns, levels), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(et) => {
            proptest::collection::btree_map(attr_name(), value_for(et, unknowns, levels), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object { attributes, .. } => {
            let parts: Vec<BoxedStrategy<(String, Value)>> = attributes
                .iter()
                .map(|(k, t)| {
                    let k = k.clone();
                    value_for(t, unknowns, levels)
                        .prop_map(move |v| (k.clone(), v))
                        .boxed()
                })
                .collect();
            parts
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<BTreeMap<_, _>>()))
                .boxed()
        }
        Type::Tuple(ets) => {
            let parts: Vec<BoxedStrategy<Value>> =
                ets.iter().map(|t| value_for(t, unknowns, levels)).collect();
            parts.prop_map(Value::Tuple).boxed()
        }
    };
    if levels == 0 && matches!(ty, Type::Dynamic) {
        return Just(Value::Null).boxed();
    }
    if unknowns {
        prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 8 => concrete].boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 8 => concrete].boxed()
    }
}

fn typed_value(unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    any_type(true).prop_flat_map(move |t| {
        let t2 = t.clone();
        value_for(&t, unknowns, MAX_LEVELS).prop_map(move |v| (t2.clone(), v))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn msgpack_round_trip((ty, v) in typed_value(true)) {
        let bytes = encode_msgpack(&v, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = decode_msgpack(&bytes, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, v);
    }

    #[test]
    fn json_round_trip((ty, v) in typed_value(false)) {
        let bytes = encode_json(&v, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = decode_json(&bytes, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, v);
    }

    #[test]
    fn type_json_round_trip(ty in any_type(true)) {
        prop_assert_eq!(Type::from_json_bytes(&ty.to_json_bytes()).ok(), Some(ty));
    }

    #[test]
    fn number_text_round_trip(n in any_number()) {
        let text = n.to_string();
        prop_assert_eq!(Number::parse(&text).ok(), Some(n));
    }

    #[test]
    fn arbitrary_bytes_never_panic(ty in any_type(true), bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_msgpack(&bytes, &ty);
        let _ = decode_json(&bytes, &ty);
    }

    #[test]
    fn corrupted_encodings_never_panic(
        (ty, v) in typed_value(true),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let Ok(mut bytes) = encode_msgpack(&v, &ty) else { return Ok(()) };
        if !bytes.is_empty() {
            for (i, b) in &flips {
                let at = i.index(bytes.len());
                bytes[at] = *b;
            }
            let _ = decode_msgpack(&bytes, &ty);
            let _ = decode_msgpack(&bytes[..cut.index(bytes.len())], &ty);
        }
        let v_known = decode_msgpack(&encode_msgpack(&v, &ty).unwrap_or_default(), &ty);
        if let Ok(json) = v_known.and_then(|k| encode_json(&k, &ty)) {
            let mut json = json;
            if !json.is_empty() {
                for (i, b) in &flips {
                    let at = i.index(json.len());
                    json[at] = *b;
                }
                let _ = decode_json(&json, &ty);
                let _ = decode_json(&json[..cut.index(json.len())], &ty);
            }
        }
    }
}

// Golden vectors, written out from the msgpack spec and cty's encoding rules.

#[test]
fn golden_unknown_string() {
    assert_eq!(
        encode_msgpack(&Value::Unknown, &Type::String).unwrap(),
        [0xd4, 0x00, 0x00]
    );
    assert_eq!(
        decode_msgpack(&[0xd4, 0x00, 0x00], &Type::String).unwrap(),
        Value::Unknown
    );
}

#[test]
fn golden_object() {
    let ty = Type::object([("a", Type::String)]);
    let v = Value::object([("a", Value::string("x"))]);
    let bytes = [0x81, 0xa1, b'a', 0xa1, b'x'];
    assert_eq!(encode_msgpack(&v, &ty).unwrap(), bytes);
    assert_eq!(decode_msgpack(&bytes, &ty).unwrap(), v);
    assert_eq!(encode_json(&v, &ty).unwrap(), br#"{"a":"x"}"#.to_vec());
}

#[test]
fn golden_refined_unknown() {
    // ext8, 5 payload bytes, extension type 12 (refined unknown: "not null", string prefix).
    let bytes = [0xc7, 0x05, 0x0c, 0x82, 0x01, 0xc3, 0x02, 0xa0];
    assert_eq!(
        decode_msgpack(&bytes, &Type::String).unwrap(),
        Value::Unknown
    );
    let ty = Type::list(Type::object([("id", Type::String)]));
    let mut nested = vec![0x91, 0x81, 0xa2, b'i', b'd'];
    nested.extend_from_slice(&bytes);
    assert_eq!(
        decode_msgpack(&nested, &ty).unwrap(),
        Value::List(vec![Value::object([("id", Value::Unknown)])])
    );
}

#[test]
fn golden_big_number() {
    let n = Value::Number(Number::parse("1e400").unwrap());
    let bytes = encode_msgpack(&n, &Type::Number).unwrap();
    let mut want = vec![0xda, 0x01, 0x91, b'1'];
    want.extend(std::iter::repeat_n(b'0', 400));
    assert_eq!(bytes, want);
    assert_eq!(decode_msgpack(&bytes, &Type::Number).unwrap(), n);
}

#[test]
fn golden_dynamic_string() {
    let mut want = vec![0x92, 0xc4, 0x08];
    want.extend_from_slice(br#""string""#);
    want.extend_from_slice(&[0xa1, b'x']);
    assert_eq!(
        encode_msgpack(&Value::string("x"), &Type::Dynamic).unwrap(),
        want
    );
    assert_eq!(
        decode_msgpack(&want, &Type::Dynamic).unwrap(),
        Value::string("x")
    );
}

#[test]
fn error_names_the_path() {
    let ty = Type::object([(
        "source",
        Type::object([("s3", Type::object([("bucket", Type::String)]))]),
    )]);
    let v = Value::object([(
        "source",
        Value::object([(
            "s3",
            Value::object([("bucket", Value::Number(Number::from_i64(5)))]),
        )]),
    )]);
    let e: CodecError = encode_msgpack(&v, &ty).unwrap_err();
    assert_eq!(
        e.to_string(),
        "at .source.s3.bucket: expected string, found number"
    );
}
