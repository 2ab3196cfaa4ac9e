//! Tags, by resource ARN, for every taggable resource.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Ctx, Input, paginate};
use crate::error::ApiError;
use crate::store::Partition;

/// Most tags a resource can carry.
const MAX_TAGS: usize = 50;

fn parse_tags(list: &[Value]) -> Vec<(String, String)> {
    list.iter()
        .filter_map(|t| {
            let k = t.get("key")?.as_str()?;
            let v = t.get("value")?.as_str()?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

fn too_many(arn: &str) -> ApiError {
    ApiError::validation(format!(
        "A resource can have at most {MAX_TAGS} tags; {arn} would have more."
    ))
}

/// Tags given at create time.
pub fn set_initial(p: &mut Partition, arn: &str, i: Input<'_>) -> Result<(), ApiError> {
    let tags = parse_tags(i.array("tags"));
    if tags.is_empty() {
        p.tags.remove(arn);
        return Ok(());
    }
    let map: BTreeMap<String, String> = tags.into_iter().collect();
    if map.len() > MAX_TAGS {
        return Err(too_many(arn));
    }
    p.tags.insert(arn.to_string(), map);
    Ok(())
}

/// Whether `arn` names a taggable resource that exists for the caller.
fn exists(ctx: &mut Ctx<'_>, arn: &str) -> bool {
    let account = ctx.account.clone();
    let region = ctx.region.clone();
    if ctx.state.connections.values().any(|c| {
        c.arn == arn
            && c.region == region
            && (c.environment_account_id == account || c.management_account_id == account)
    }) {
        return true;
    }
    let p = ctx.part();
    p.env_templates
        .values()
        .chain(p.svc_templates.values())
        .any(|t| {
            t.arn == arn
                || t.versions
                    .iter()
                    .any(|v| super::templates::version_arn(&t.arn, v.major, v.minor) == arn)
        })
        || p.environments.values().any(|e| e.arn == arn)
        || p.services.values().any(|s| {
            s.arn == arn
                || s.instances.values().any(|i| i.arn == arn)
                || s.pipeline.as_ref().is_some_and(|pl| pl.arn == arn)
        })
        || p.components.values().any(|c| c.arn == arn)
        || p.repositories.values().any(|r| r.arn == arn)
}

fn not_found(arn: &str) -> ApiError {
    ApiError::NotFound(format!("The resource {arn} was not found."))
}

pub fn tag_resource(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let arn = i.req("resourceArn")?;
    if !exists(ctx, arn) {
        return Err(not_found(arn));
    }
    let new = parse_tags(i.array("tags"));
    let p = ctx.part();
    let map = p.tags.get_or_default(arn.to_string());
    for (k, v) in new {
        map.insert(k, v);
    }
    if map.len() > MAX_TAGS {
        return Err(too_many(arn));
    }
    Ok(json!({}))
}

pub fn untag_resource(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let arn = i.req("resourceArn")?;
    if !exists(ctx, arn) {
        return Err(not_found(arn));
    }
    let keys: Vec<&str> = i
        .array("tagKeys")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let p = ctx.part();
    if let Some(map) = p.tags.get_mut(arn) {
        for k in keys {
            map.remove(k);
        }
        if map.is_empty() {
            p.tags.remove(arn);
        }
    }
    Ok(json!({}))
}

pub fn list_tags(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let arn = i.req("resourceArn")?;
    if !exists(ctx, arn) {
        return Err(not_found(arn));
    }
    let p = ctx.part();
    let items: Vec<(String, Value)> = p
        .tags
        .get(arn)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), json!({"key": k, "value": v})))
                .collect()
        })
        .unwrap_or_default();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"tags": page, "nextToken": next}))
}
