//! Moving in from hashicorp/awscc, whose Proton resources store the same fields with `tags` as a list of
//! `{key, value}` objects and the ARN as `id`.

use serde_json::{Map, Value};

/// This provider's state for an awscc Proton resource's stored state: the same attribute names, tags as
/// a map, awscc-only attributes dropped (the engine ignores names the schema does not have).
pub fn moved_state(source: &Value) -> Value {
    let mut state: Map<String, Value> = source.as_object().cloned().unwrap_or_default();
    state.remove("id");
    let tags: Map<String, Value> = source
        .get("tags")
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(|tag| {
                    Some((
                        tag.get("key")?.as_str()?.to_string(),
                        Value::String(tag.get("value")?.as_str()?.to_string()),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    state.insert(
        "tags".into(),
        if tags.is_empty() {
            Value::Null
        } else {
            Value::Object(tags)
        },
    );
    Value::Object(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tags_become_a_map_and_id_goes() {
        let source = json!({
            "id": "arn:aws:proton:us-east-1:000000000000:environment-template/web",
            "arn": "arn:aws:proton:us-east-1:000000000000:environment-template/web",
            "name": "web",
            "tags": [{"key": "team", "value": "platform"}],
        });
        let moved = moved_state(&source);
        assert_eq!(moved["name"], "web");
        assert_eq!(moved["tags"], json!({"team": "platform"}));
        assert!(moved.get("id").is_none());
        assert_eq!(
            moved_state(&json!({"name": "x", "tags": null}))["tags"],
            Value::Null
        );
    }
}
