//! The type of a value placed in a `Dynamic` slot.

use std::collections::BTreeMap;

use super::{CodecError, MAX_DEPTH, Path, Step};
use crate::tf::types::Type;
use crate::tf::value::Value;

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

pub(super) fn infer(v: &Value, depth: usize, path: &mut Path) -> Result<Type, CodecError> {
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
