//! Tags, by resource ARN, for every taggable resource: the customer's (stored, at most 50) and
//! the AWS-managed `aws:proton:*` tags Proton adds (derived from where the resource sits, so
//! children inherit their parents'; read-only and not counted).

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

/// Keys in the `aws:` namespace belong to AWS: customers can't set or remove them (UG resources).
fn check_customer_keys<'k>(keys: impl IntoIterator<Item = &'k str>) -> Result<(), ApiError> {
    match keys.into_iter().find(|k| k.starts_with("aws:")) {
        Some(key) => Err(ApiError::validation(format!(
            "The tag key {key} is reserved for AWS: keys starting with aws: can't be set or removed."
        ))),
        None => Ok(()),
    }
}

/// The AWS-managed tags of the resource `arn`: the account, and the ARNs of the template,
/// environment, service and service instance it belongs to (its own included).
fn managed_tags(p: &Partition, arn: &str) -> Vec<(String, String)> {
    let template_arn = |kind: &str, name: &str| {
        super::arn(&p.region, &p.account, &format!("{kind}-template/{name}"))
    };
    let env_arn = |name: &str| {
        p.environments
            .get(name)
            .map(|e| e.arn.clone())
            .unwrap_or_else(|| super::arn(&p.region, &p.account, &format!("environment/{name}")))
    };
    let mut found: Vec<(&str, String)> = vec![];
    if let Some(t) = p
        .env_templates
        .values()
        .chain(p.svc_templates.values())
        .find(|t| {
            t.arn == arn
                || t.versions
                    .iter()
                    .any(|v| super::templates::version_arn(&t.arn, v.major, v.minor) == arn)
        })
    {
        found.push(("template", t.arn.clone()));
    } else if let Some(e) = p.environments.values().find(|e| e.arn == arn) {
        found.push(("template", template_arn("environment", &e.template_name)));
        found.push(("environment", e.arn.clone()));
    } else if let Some(s) = p.services.values().find(|s| {
        s.arn == arn
            || s.instances.values().any(|i| i.arn == arn)
            || s.pipeline.as_ref().is_some_and(|pl| pl.arn == arn)
    }) {
        found.push(("template", template_arn("service", &s.template_name)));
        if let Some(i) = s.instances.values().find(|i| i.arn == arn) {
            found.push(("environment", env_arn(&i.environment_name)));
            found.push(("service-instance", i.arn.clone()));
        }
        found.push(("service", s.arn.clone()));
    } else if let Some(c) = p.components.values().find(|c| c.arn == arn) {
        found.push(("environment", env_arn(&c.environment_name)));
        if let (Some(svc), Some(inst)) = (&c.service_name, &c.service_instance_name)
            && let Some(s) = p.services.get(svc)
        {
            found.push(("service", s.arn.clone()));
            if let Some(i) = s.instances.get(inst) {
                found.push(("service-instance", i.arn.clone()));
            }
        }
    } else {
        // Connections and repositories carry no AWS-managed tags.
        return vec![];
    }
    found.push(("account", p.account.clone()));
    found
        .into_iter()
        .map(|(k, v)| (format!("aws:proton:{k}"), v))
        .collect()
}

fn too_many(arn: &str) -> ApiError {
    ApiError::validation(format!(
        "A resource can have at most {MAX_TAGS} tags; {arn} would have more."
    ))
}

/// Tags given at create time.
pub fn set_initial(p: &mut Partition, arn: &str, i: Input<'_>) -> Result<(), ApiError> {
    set_initial_under(p, arn, None, i)
}

/// Tags given at create time, over the customer tags the new resource inherits from `parent`.
pub fn set_initial_under(
    p: &mut Partition,
    arn: &str,
    parent: Option<&str>,
    i: Input<'_>,
) -> Result<(), ApiError> {
    let tags = parse_tags(i.array("tags"));
    check_customer_keys(tags.iter().map(|(k, _)| k.as_str()))?;
    let own: BTreeMap<String, String> = tags.into_iter().collect();
    if own.len() > MAX_TAGS {
        return Err(too_many(arn));
    }
    let inherited = parent.and_then(|parent| p.tags.get(parent)).cloned();
    store(p, arn, with_inherited(own, inherited.unwrap_or_default()));
    Ok(())
}

/// `tags` as all that `arn` carries (no entry when there are none).
fn store(p: &mut Partition, arn: &str, tags: BTreeMap<String, String>) {
    if tags.is_empty() {
        p.tags.remove(arn);
    } else {
        p.tags.insert(arn.to_string(), tags);
    }
}

/// UG resources: customer tags reach the children a resource creates later, never the existing
/// ones. A new child starts with its parent's customer tags as they are at that moment (its own
/// tags, when it has some, win). Which resources are children: see docs/proton-contract.md.
pub fn inherit(p: &mut Partition, child: &str, parent: &str) {
    let tags = p.tags.get(parent).cloned().unwrap_or_default();
    store(p, child, tags);
}

/// `own` plus the inherited tags whose keys `own` lacks, as long as the total stays within the 50
/// (a child's own tags are never refused because of what its parent carries).
fn with_inherited(
    mut own: BTreeMap<String, String>,
    inherited: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    for (k, v) in inherited {
        if own.len() >= MAX_TAGS {
            break;
        }
        own.entry(k).or_insert(v);
    }
    own
}

/// Whether a create's `tags` are the ones `arn` holds now (a retried create must match).
pub fn same_as_initial(p: &Partition, arn: &str, i: Input<'_>) -> bool {
    let asked: BTreeMap<String, String> = parse_tags(i.array("tags")).into_iter().collect();
    p.tags
        .get(arn)
        .map_or(asked.is_empty(), |held| *held == asked)
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
    check_customer_keys(new.iter().map(|(k, _)| k.as_str()))?;
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
    check_customer_keys(keys.iter().copied())?;
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
    let customer = p.tags.get(arn).cloned().unwrap_or_default();
    let mut items: Vec<(String, Value)> = managed_tags(p, arn)
        .into_iter()
        .chain(customer)
        .map(|(k, v)| (k.clone(), json!({"key": k, "value": v})))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"tags": page, "nextToken": next}))
}
