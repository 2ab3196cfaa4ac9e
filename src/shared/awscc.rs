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

/// An awscc environment account connection's state as this provider's: the connection's UUID (awscc's
/// `environment_account_connection_id`, also the last part of its ARN) becomes `id`, and the connection
/// is not waited for (`wait_for_connected = false`, the default).
pub fn moved_connection_state(source: &Value) -> Value {
    let mut state = moved_state(source);
    let from_arn = |key: &str| {
        source
            .get(key)
            .and_then(Value::as_str)
            .and_then(|arn| arn.rsplit('/').next())
            .filter(|id| !id.is_empty())
            .map(str::to_string)
    };
    let id = source
        .get("environment_account_connection_id")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| from_arn("arn"))
        .or_else(|| from_arn("id"));
    if let Value::Object(attributes) = &mut state {
        attributes.remove("environment_account_connection_id");
        attributes.insert("id".into(), id.map_or(Value::Null, Value::String));
        attributes.insert("wait_for_connected".into(), Value::Bool(false));
    }
    state
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

    #[test]
    fn connections_take_their_uuid_as_id() {
        let arn = "arn:aws:proton:us-east-1:111111111111:environment-account-connection/0e6a3c55-6f5b-4b8e-9c3e-2f1d6c1a7b90";
        let source = json!({
            "id": arn,
            "arn": arn,
            "environment_account_connection_id": "0e6a3c55-6f5b-4b8e-9c3e-2f1d6c1a7b90",
            "environment_name": "prod",
            "tags": [{"key": "team", "value": "platform"}],
        });
        let moved = moved_connection_state(&source);
        assert_eq!(moved["id"], "0e6a3c55-6f5b-4b8e-9c3e-2f1d6c1a7b90");
        assert_eq!(moved["wait_for_connected"], false);
        assert_eq!(moved["tags"], json!({"team": "platform"}));
        assert!(moved.get("environment_account_connection_id").is_none());
        // Without the UUID attribute, the ARN still names the connection.
        let moved = moved_connection_state(&json!({"id": arn, "arn": arn}));
        assert_eq!(moved["id"], "0e6a3c55-6f5b-4b8e-9c3e-2f1d6c1a7b90");
    }
}
