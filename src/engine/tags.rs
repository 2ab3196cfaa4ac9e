//! `tags` and `tags_all`: the resource's own tags merged over the provider's `default_tags`, less
//! the keys the provider ignores (`ignore_tags`, and every `aws:` key).

use std::collections::{BTreeMap, BTreeSet};

use crate::tf::{AttributePath, Diagnostics, Value};

pub const TAGS: &str = "tags";
pub const TAGS_ALL: &str = "tags_all";

pub type Tags = BTreeMap<String, String>;

/// Keys AWS reserves for itself (Proton's own `aws:proton:*` tags among them): no user sets them.
const RESERVED_PREFIX: &str = "aws:";

/// Tags the provider leaves alone: the provider block's `ignore_tags` and every key AWS reserves.
/// They are neither shown in `tags`/`tags_all` nor set or removed, so tags added outside Terraform
/// plan nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnoreTags {
    pub keys: BTreeSet<String>,
    pub key_prefixes: BTreeSet<String>,
}

impl IgnoreTags {
    pub fn ignores(&self, key: &str) -> bool {
        key.starts_with(RESERVED_PREFIX)
            || self.keys.contains(key)
            || self
                .key_prefixes
                .iter()
                .any(|prefix| key.starts_with(prefix.as_str()))
    }

    /// `tags` without the ignored keys.
    pub fn retain(&self, tags: &Tags) -> Tags {
        tags.iter()
            .filter(|(key, _)| !self.ignores(key))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// A data source's result with the ignored keys left out of every `tags` map in it (the
/// singular data sources' own and each listed object's), as hashicorp/aws data sources do.
pub fn without_ignored(value: Value, ignore: &IgnoreTags) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(name, value)| {
                    let value = match value {
                        Value::Map(entries) if name == TAGS => Value::Map(
                            entries
                                .into_iter()
                                .filter(|(key, _)| !ignore.ignores(key))
                                .collect(),
                        ),
                        other => without_ignored(other, ignore),
                    };
                    (name, value)
                })
                .collect(),
        ),
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|item| without_ignored(item, ignore))
                .collect(),
        ),
        Value::Set(items) => Value::Set(
            items
                .into_iter()
                .map(|item| without_ignored(item, ignore))
                .collect(),
        ),
        other => other,
    }
}

/// `tags_all` as planned: unknown while any configured tag is unknown; ignored keys left out.
pub fn merged(default_tags: &Tags, tags: &Value, ignore: &IgnoreTags) -> Value {
    if tags.is_unknown() {
        return Value::Unknown;
    }
    let mut all: BTreeMap<String, Value> = default_tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::string(v.clone())))
        .collect();
    if let Some(entries) = tags.entries() {
        for (key, value) in entries {
            if value.is_unknown() {
                return Value::Unknown;
            }
            if let Some(text) = value.as_str() {
                all.insert(key.clone(), Value::string(text));
            }
        }
    }
    all.retain(|key, _| !ignore.ignores(key));
    Value::Map(all)
}

/// Refuses configured tag keys AWS reserves (`aws:`), at their path under `attribute`.
pub fn validate_keys(tags: &Value, attribute: AttributePath, diags: &mut Diagnostics) {
    for key in tags
        .entries()
        .into_iter()
        .flat_map(|entries| entries.keys())
    {
        if key.starts_with(RESERVED_PREFIX) {
            diags.attribute_error(
                attribute.key(key.clone()),
                "Reserved tag key",
                format!("{key:?}: keys starting with {RESERVED_PREFIX:?} are reserved by AWS and cannot be set."),
            );
        }
    }
}

/// Plain tags from a known map value (null and non-strings are skipped).
pub fn from_value(value: &Value) -> Tags {
    value
        .entries()
        .map(|entries| {
            entries
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

pub fn to_value(tags: &Tags) -> Value {
    Value::Map(
        tags.iter()
            .map(|(k, v)| (k.clone(), Value::string(v.clone())))
            .collect(),
    )
}

/// Splits the tags found on the object into (`tags`, `tags_all`) after a read.
///
/// A default tag stays out of `tags` unless the prior `tags` held it, so drift on the resource's own tags
/// shows and `default_tags` never do. Ignored keys are shown in neither; one the configuration sets
/// keeps its prior value in `tags` (it is never sent, so it would otherwise plan forever).
pub fn split_remote(
    remote: &Tags,
    default_tags: &Tags,
    prior_tags: &Value,
    ignore: &IgnoreTags,
) -> (Value, Value) {
    let prior = from_value(prior_tags);
    let remote = ignore.retain(remote);
    let mut own: Tags = remote
        .iter()
        .filter(|(key, value)| prior.contains_key(*key) || default_tags.get(*key) != Some(*value))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    own.extend(
        prior
            .iter()
            .filter(|(key, _)| ignore.ignores(key))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let own_value = if own.is_empty() && prior_tags.is_null() {
        Value::Null
    } else {
        to_value(&own)
    };
    (own_value, to_value(&remote))
}

/// What to add or change, and which keys to remove, to go from `old` to `new`.
pub fn diff(old: &Tags, new: &Tags) -> (Tags, Vec<String>) {
    let upsert = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    (upsert, remove)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_source_tags_drop_ignored_keys_at_every_level() {
        let ignore = IgnoreTags {
            keys: ["CostCenter".to_string()].into(),
            key_prefixes: BTreeSet::new(),
        };
        let tagged = || {
            Value::map([
                ("app", Value::string("web")),
                ("CostCenter", Value::string("42")),
                ("aws:proton:account", Value::string("000000000000")),
            ])
        };
        let found = Value::object([
            (TAGS, tagged()),
            ("spec", Value::string("CostCenter: 1")),
            (
                "versions",
                Value::List(vec![Value::object([(TAGS, tagged())])]),
            ),
        ]);
        let kept = without_ignored(found, &ignore);
        let only_app = Value::map([("app", Value::string("web"))]);
        assert_eq!(kept.get(TAGS), Some(&only_app));
        assert_eq!(kept.get("spec"), Some(&Value::string("CostCenter: 1")));
        let listed = kept
            .get("versions")
            .and_then(Value::elements)
            .expect("a list");
        assert_eq!(listed[0].get(TAGS), Some(&only_app));
    }

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn merge_prefers_resource_tags() {
        let defaults = tags(&[("team", "platform"), ("env", "dev")]);
        let own = to_value(&tags(&[("env", "prod")]));
        let none = IgnoreTags::default();
        assert_eq!(
            merged(&defaults, &own, &none),
            to_value(&tags(&[("team", "platform"), ("env", "prod")]))
        );
        assert_eq!(merged(&defaults, &Value::Unknown, &none), Value::Unknown);
        assert_eq!(
            merged(&Tags::new(), &Value::Null, &none),
            to_value(&Tags::new())
        );
    }

    #[test]
    fn split_keeps_defaults_out_of_own_tags() {
        let defaults = tags(&[("team", "platform")]);
        let remote = tags(&[("team", "platform"), ("app", "x")]);
        let none = IgnoreTags::default();
        let (own, all) = split_remote(&remote, &defaults, &Value::Null, &none);
        assert_eq!(own, to_value(&tags(&[("app", "x")])));
        assert_eq!(all, to_value(&remote));
        let (own, _) = split_remote(&tags(&[]), &defaults, &Value::Null, &none);
        assert_eq!(own, Value::Null);
        // A tag the configuration sets to the default's value stays in `tags`.
        let prior = to_value(&tags(&[("team", "platform")]));
        let (own, _) = split_remote(&remote, &defaults, &prior, &none);
        assert_eq!(own, to_value(&remote));
    }

    #[test]
    fn ignored_and_reserved_keys_are_neither_shown_nor_planned() {
        let ignore = IgnoreTags {
            keys: ["CostCenter".to_string()].into(),
            key_prefixes: ["ops:".to_string()].into(),
        };
        for key in ["CostCenter", "ops:owner", "aws:proton:template"] {
            assert!(ignore.ignores(key), "{key}");
        }
        for key in ["costcenter", "app", "xops:owner", "aws"] {
            assert!(!ignore.ignores(key), "{key}");
        }
        let remote = tags(&[
            ("app", "x"),
            ("CostCenter", "42"),
            ("ops:owner", "sre"),
            ("aws:proton:template", "arn:t"),
        ]);
        let (own, all) = split_remote(&remote, &Tags::new(), &Value::Null, &ignore);
        assert_eq!(own, to_value(&tags(&[("app", "x")])));
        assert_eq!(all, to_value(&tags(&[("app", "x")])));
        // An ignored key the configuration sets stays as configured in `tags`, out of `tags_all`.
        let prior = to_value(&tags(&[("app", "x"), ("ops:team", "a")]));
        let (own, all) = split_remote(&remote, &Tags::new(), &prior, &ignore);
        assert_eq!(own, prior);
        assert_eq!(all, to_value(&tags(&[("app", "x")])));
        let planned = merged(&tags(&[("ops:env", "d")]), &prior, &ignore);
        assert_eq!(planned, to_value(&tags(&[("app", "x")])));
    }

    #[test]
    fn reserved_keys_are_refused_at_their_path() {
        let mut diags = Diagnostics::new();
        let configured = to_value(&tags(&[("aws:owner", "me"), ("owner", "me")]));
        validate_keys(&configured, AttributePath::attribute(TAGS), &mut diags);
        let diags = diags.into_vec();
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(
            diags[0].path,
            Some(AttributePath::attribute(TAGS).key("aws:owner"))
        );
    }

    #[test]
    fn diff_finds_changes_and_removals() {
        let (upsert, remove) = diff(
            &tags(&[("a", "1"), ("b", "2")]),
            &tags(&[("a", "9"), ("c", "3")]),
        );
        assert_eq!(upsert, tags(&[("a", "9"), ("c", "3")]));
        assert_eq!(remove, vec!["b".to_string()]);
    }
}
