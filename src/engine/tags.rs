//! `tags` and `tags_all`: the resource's own tags merged over the provider's `default_tags`.

use std::collections::BTreeMap;

use crate::tf::Value;

pub const TAGS: &str = "tags";
pub const TAGS_ALL: &str = "tags_all";

pub type Tags = BTreeMap<String, String>;

/// `tags_all` as planned: unknown while any configured tag is unknown.
pub fn merged(default_tags: &Tags, tags: &Value) -> Value {
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
    Value::Map(all)
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
/// shows and `default_tags` never do.
pub fn split_remote(remote: &Tags, default_tags: &Tags, prior_tags: &Value) -> (Value, Value) {
    let prior = from_value(prior_tags);
    let own: Tags = remote
        .iter()
        .filter(|(key, value)| prior.contains_key(*key) || default_tags.get(*key) != Some(*value))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let own_value = if own.is_empty() && prior_tags.is_null() {
        Value::Null
    } else {
        to_value(&own)
    };
    (own_value, to_value(remote))
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
        assert_eq!(
            merged(&defaults, &own),
            to_value(&tags(&[("team", "platform"), ("env", "prod")]))
        );
        assert_eq!(merged(&defaults, &Value::Unknown), Value::Unknown);
        assert_eq!(merged(&Tags::new(), &Value::Null), to_value(&Tags::new()));
    }

    #[test]
    fn split_keeps_defaults_out_of_own_tags() {
        let defaults = tags(&[("team", "platform")]);
        let remote = tags(&[("team", "platform"), ("app", "x")]);
        let (own, all) = split_remote(&remote, &defaults, &Value::Null);
        assert_eq!(own, to_value(&tags(&[("app", "x")])));
        assert_eq!(all, to_value(&remote));
        let (own, _) = split_remote(&tags(&[]), &defaults, &Value::Null);
        assert_eq!(own, Value::Null);
        // A tag the configuration sets to the default's value stays in `tags`.
        let prior = to_value(&tags(&[("team", "platform")]));
        let (own, _) = split_remote(&remote, &defaults, &prior);
        assert_eq!(own, to_value(&remote));
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
