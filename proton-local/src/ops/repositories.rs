//! Linked repositories, template and service sync configurations, their
//! (simulated) sync status, and service sync blockers. proton-local reaches no
//! repository: a configured sync is reported as having succeeded at the
//! configuration's revision.

use serde_json::{Value, json};

use super::{Ctx, Input, newest_first_key, paginate, tags};
use crate::clock::Epoch;
use crate::error::ApiError;
use crate::store::{Partition, Repository, ServiceSyncConfig, SyncBlocker, TemplateSyncConfig};

fn repo_key(provider: &str, name: &str) -> String {
    format!("{provider}:{name}")
}

pub fn render(r: &Repository) -> Value {
    json!({
        "arn": r.arn,
        "connectionArn": r.connection_arn,
        "encryptionKey": r.encryption_key,
        "name": r.name,
        "provider": r.provider,
    })
}

fn find<'p>(p: &'p Partition, provider: &str, name: &str) -> Result<&'p Repository, ApiError> {
    p.repositories
        .get(&repo_key(provider, name))
        .ok_or_else(|| ApiError::not_found("repository", &repo_key(provider, name)))
}

fn require_repo(p: &Partition, provider: &str, name: &str) -> Result<(), ApiError> {
    if p.repositories.contains_key(&repo_key(provider, name)) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "The repository {provider}:{name} isn't linked. Create it with CreateRepository first."
        )))
    }
}

pub fn create(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let provider = i.req("provider")?;
    let name = i.req("name")?;
    let arn = ctx.arn(&format!(
        "repository/{}:{name}",
        provider.to_ascii_lowercase()
    ));
    let p = ctx.part();
    let r = Repository {
        provider: provider.to_string(),
        name: name.to_string(),
        arn: arn.clone(),
        connection_arn: i.req("connectionArn")?.to_string(),
        encryption_key: i.string("encryptionKey"),
    };
    if let Some(existing) = p.repositories.get(&repo_key(provider, name)) {
        // The model marks CreateRepository idempotent without a token: a retry of the same
        // request answers the repository it made.
        if existing.connection_arn == r.connection_arn
            && existing.encryption_key == r.encryption_key
            && tags::same_as_initial(p, &arn, i)
        {
            return Ok(json!({"repository": render(existing)}));
        }
        return Err(ApiError::conflict(format!(
            "The repository {provider}:{name} already exists with other settings."
        )));
    }
    super::check_quota(p.repositories.len(), "repositories")?;
    tags::set_initial(p, &arn, i)?;
    let out = json!({"repository": render(&r)});
    p.repositories.insert(repo_key(provider, name), r);
    Ok(out)
}

pub fn get(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let r = find(ctx.part(), i.req("provider")?, i.req("name")?)?;
    Ok(json!({"repository": render(r)}))
}

pub fn delete(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (provider, name) = (i.req("provider")?, i.req("name")?);
    let p = ctx.part();
    let r = find(p, provider, name)?;
    let same = |prov: &str, n: &str| prov == provider && n == name;
    let used = p
        .template_syncs
        .values()
        .any(|c| same(&c.repository_provider, &c.repository_name))
        || p.service_syncs
            .values()
            .any(|c| same(&c.repository_provider, &c.repository_name))
        || p.environments.values().any(|e| {
            e.provisioning_repository
                .as_ref()
                .is_some_and(|r| same(&r.provider, &r.name))
        })
        || p.settings
            .pipeline_provisioning_repository
            .as_ref()
            .is_some_and(|r| same(&r.provider, &r.name));
    if used {
        return Err(ApiError::conflict(format!(
            "The repository {provider}:{name} is in use and can't be deleted."
        )));
    }
    let body = render(r);
    let arn = r.arn.clone();
    p.repositories.remove(&repo_key(provider, name));
    p.tags.remove(&arn);
    Ok(json!({"repository": body}))
}

pub fn list(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let items: Vec<(String, Value)> = ctx
        .part()
        .repositories
        .iter()
        .map(|(k, r)| (k.clone(), render(r)))
        .collect();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"repositories": page, "nextToken": next}))
}

/// A stable commit id for a configuration (there is no real repository).
fn sha(parts: &[&str]) -> String {
    crate::http::sigv4::sha256_hex(parts.join("\n").as_bytes())[..40].to_string()
}

fn attempt(status: &str, started: Epoch, event: &str) -> Value {
    json!({
        "events": [{"event": event, "time": started, "type": "STATUS"}],
        "startedAt": started,
        "status": status,
    })
}

pub fn sync_status(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (provider, name) = (i.req("repositoryProvider")?, i.req("repositoryName")?);
    let branch = i.req("branch")?;
    let sync_type = i.req("syncType")?;
    let now = ctx.now;
    let p = ctx.part();
    find(p, provider, name)?;
    let configured = match sync_type {
        "TEMPLATE_SYNC" => p.template_syncs.values().any(|c| {
            c.repository_provider == provider && c.repository_name == name && c.branch == branch
        }),
        _ => p.service_syncs.values().any(|c| {
            c.repository_provider == provider && c.repository_name == name && c.branch == branch
        }),
    };
    if !configured {
        return Ok(json!({}));
    }
    Ok(json!({"latestSync": attempt("SUCCEEDED", now, "Repository synced")}))
}

pub fn sync_definitions(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (provider, name) = (i.req("repositoryProvider")?, i.req("repositoryName")?);
    let sync_type = i.req("syncType")?;
    // The model lists no ResourceNotFound here: an unknown repository has no definitions.
    let p = ctx.part();
    let defs: Vec<Value> = match sync_type {
        "TEMPLATE_SYNC" => p
            .template_syncs
            .values()
            .filter(|c| c.repository_provider == provider && c.repository_name == name)
            .map(|c| {
                json!({
                    "branch": c.branch,
                    "directory": c.subdirectory.clone().unwrap_or_else(|| "/".to_string()),
                    "parent": c.template_name,
                    "target": c.template_name,
                })
            })
            .collect(),
        _ => p
            .service_syncs
            .values()
            .filter(|c| c.repository_provider == provider && c.repository_name == name)
            .map(|c| {
                json!({
                    "branch": c.branch,
                    "directory": c.file_path,
                    "parent": c.service_name,
                    "target": c.service_name,
                })
            })
            .collect(),
    };
    Ok(json!({"syncDefinitions": defs}))
}

fn render_template_sync(c: &TemplateSyncConfig) -> Value {
    json!({
        "branch": c.branch,
        "repositoryName": c.repository_name,
        "repositoryProvider": c.repository_provider,
        "subdirectory": c.subdirectory,
        "templateName": c.template_name,
        "templateType": c.template_type,
    })
}

fn template_sync_key(ty: &str, name: &str) -> String {
    format!("{ty}:{name}")
}

fn template_sync_not_found(ty: &str, name: &str) -> ApiError {
    ApiError::not_found("template sync config", &template_sync_key(ty, name))
}

pub fn create_template_sync(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (name, ty) = (i.req("templateName")?, i.req("templateType")?);
    let (provider, repo) = (i.req("repositoryProvider")?, i.req("repositoryName")?);
    let p = ctx.part();
    let exists = match ty {
        "ENVIRONMENT" => p.env_templates.contains_key(name),
        _ => p.svc_templates.contains_key(name),
    };
    if !exists {
        return Err(ApiError::validation(format!(
            "The {} template {name} doesn't exist.",
            ty.to_ascii_lowercase()
        )));
    }
    require_repo(p, provider, repo)?;
    let key = template_sync_key(ty, name);
    let c = TemplateSyncConfig {
        template_name: name.to_string(),
        template_type: ty.to_string(),
        repository_provider: provider.to_string(),
        repository_name: repo.to_string(),
        branch: i.req("branch")?.to_string(),
        subdirectory: i.string("subdirectory"),
    };
    if let Some(existing) = p.template_syncs.get(&key) {
        // Marked idempotent in the model: the same request again answers the same config.
        if render_template_sync(existing) == render_template_sync(&c) {
            return Ok(json!({"templateSyncConfig": render_template_sync(existing)}));
        }
        return Err(ApiError::conflict(format!(
            "A template sync config for {ty} template {name} already exists with other settings."
        )));
    }
    let out = json!({"templateSyncConfig": render_template_sync(&c)});
    p.template_syncs.insert(key, c);
    Ok(out)
}

pub fn get_template_sync(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (name, ty) = (i.req("templateName")?, i.req("templateType")?);
    let c = ctx
        .part()
        .template_syncs
        .get(&template_sync_key(ty, name))
        .ok_or_else(|| template_sync_not_found(ty, name))?;
    Ok(json!({"templateSyncConfig": render_template_sync(c)}))
}

pub fn update_template_sync(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (name, ty) = (i.req("templateName")?, i.req("templateType")?);
    let (provider, repo) = (i.req("repositoryProvider")?, i.req("repositoryName")?);
    let p = ctx.part();
    if !p.template_syncs.contains_key(&template_sync_key(ty, name)) {
        return Err(template_sync_not_found(ty, name));
    }
    require_repo(p, provider, repo)?;
    let c = p
        .template_syncs
        .get_mut(&template_sync_key(ty, name))
        .ok_or_else(|| template_sync_not_found(ty, name))?;
    c.repository_provider = provider.to_string();
    c.repository_name = repo.to_string();
    c.branch = i.req("branch")?.to_string();
    c.subdirectory = i.string("subdirectory");
    Ok(json!({"templateSyncConfig": render_template_sync(c)}))
}

pub fn delete_template_sync(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (name, ty) = (i.req("templateName")?, i.req("templateType")?);
    let c = ctx
        .part()
        .template_syncs
        .remove(&template_sync_key(ty, name))
        .ok_or_else(|| template_sync_not_found(ty, name))?;
    Ok(json!({"templateSyncConfig": render_template_sync(&c)}))
}

fn revision(provider: &str, repo: &str, branch: &str, directory: &str) -> Value {
    json!({
        "branch": branch,
        "directory": directory,
        "repositoryName": repo,
        "repositoryProvider": provider,
        "sha": sha(&[provider, repo, branch, directory]),
    })
}

fn resource_attempt(target: &str, rev: &Value, started: Epoch) -> Value {
    json!({
        "events": [{"event": "Synced from the repository", "time": started, "type": "STATUS"}],
        "initialRevision": rev,
        "startedAt": started,
        "status": "SUCCEEDED",
        "target": target,
        "targetRevision": rev,
    })
}

pub fn template_sync_status(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (name, ty) = (i.req("templateName")?, i.req("templateType")?);
    let _major = i.req("templateVersion")?;
    let now = ctx.now;
    let c = ctx
        .part()
        .template_syncs
        .get(&template_sync_key(ty, name))
        .ok_or_else(|| template_sync_not_found(ty, name))?;
    let dir = c.subdirectory.clone().unwrap_or_else(|| "/".to_string());
    let rev = revision(&c.repository_provider, &c.repository_name, &c.branch, &dir);
    Ok(json!({
        "desiredState": rev,
        "latestSuccessfulSync": resource_attempt(name, &rev, now),
        "latestSync": resource_attempt(name, &rev, now),
    }))
}

fn render_service_sync(c: &ServiceSyncConfig) -> Value {
    json!({
        "branch": c.branch,
        "filePath": c.file_path,
        "repositoryName": c.repository_name,
        "repositoryProvider": c.repository_provider,
        "serviceName": c.service_name,
    })
}

fn service_sync_not_found(name: &str) -> ApiError {
    ApiError::not_found("service sync config", name)
}

pub fn create_service_sync(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("serviceName")?;
    let (provider, repo) = (i.req("repositoryProvider")?, i.req("repositoryName")?);
    let p = ctx.part();
    if !p.services.contains_key(name) {
        return Err(ApiError::validation(format!(
            "The service {name} doesn't exist."
        )));
    }
    require_repo(p, provider, repo)?;
    let c = ServiceSyncConfig {
        service_name: name.to_string(),
        repository_provider: provider.to_string(),
        repository_name: repo.to_string(),
        branch: i.req("branch")?.to_string(),
        file_path: i.req("filePath")?.to_string(),
    };
    if let Some(existing) = p.service_syncs.get(name) {
        // Marked idempotent in the model: the same request again answers the same config.
        if render_service_sync(existing) == render_service_sync(&c) {
            return Ok(json!({"serviceSyncConfig": render_service_sync(existing)}));
        }
        return Err(ApiError::conflict(format!(
            "A service sync config for service {name} already exists with other settings."
        )));
    }
    let out = json!({"serviceSyncConfig": render_service_sync(&c)});
    p.service_syncs.insert(name.to_string(), c);
    Ok(out)
}

pub fn get_service_sync(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("serviceName")?;
    let c = ctx
        .part()
        .service_syncs
        .get(name)
        .ok_or_else(|| service_sync_not_found(name))?;
    Ok(json!({"serviceSyncConfig": render_service_sync(c)}))
}

pub fn update_service_sync(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("serviceName")?;
    let (provider, repo) = (i.req("repositoryProvider")?, i.req("repositoryName")?);
    let p = ctx.part();
    if !p.service_syncs.contains_key(name) {
        return Err(service_sync_not_found(name));
    }
    require_repo(p, provider, repo)?;
    let c = p
        .service_syncs
        .get_mut(name)
        .ok_or_else(|| service_sync_not_found(name))?;
    c.repository_provider = provider.to_string();
    c.repository_name = repo.to_string();
    c.branch = i.req("branch")?.to_string();
    c.file_path = i.req("filePath")?.to_string();
    Ok(json!({"serviceSyncConfig": render_service_sync(c)}))
}

pub fn delete_service_sync(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("serviceName")?;
    let p = ctx.part();
    let c = p
        .service_syncs
        .remove(name)
        .ok_or_else(|| service_sync_not_found(name))?;
    Ok(json!({"serviceSyncConfig": render_service_sync(&c)}))
}

pub fn instance_sync_status(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (svc, inst) = (i.req("serviceName")?, i.req("serviceInstanceName")?);
    let now = ctx.now;
    let p = ctx.part();
    super::service_instances::find_instance(p, svc, inst)?;
    let Some(c) = p.service_syncs.get(svc) else {
        return Ok(json!({}));
    };
    let rev = revision(
        &c.repository_provider,
        &c.repository_name,
        &c.branch,
        &c.file_path,
    );
    let blocked = p
        .blockers
        .values()
        .any(|b| b.service_name == svc && b.status == "ACTIVE");
    let latest = if blocked {
        let mut a = resource_attempt(inst, &rev, now);
        a["status"] = json!("FAILED");
        a
    } else {
        resource_attempt(inst, &rev, now)
    };
    Ok(json!({
        "desiredState": rev,
        "latestSuccessfulSync": resource_attempt(inst, &rev, now),
        "latestSync": latest,
    }))
}

fn render_blocker(b: &SyncBlocker) -> Value {
    json!({
        "contexts": b.contexts.iter().map(|(k, v)| json!({"key": k, "value": v})).collect::<Vec<_>>(),
        "createdAt": b.created_at,
        "createdReason": b.created_reason,
        "id": b.id,
        "resolvedAt": b.resolved_at,
        "resolvedReason": b.resolved_reason,
        "status": b.status,
        "type": "AUTOMATED",
    })
}

pub fn blocker_summary(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let svc = i.req("serviceName")?;
    let inst = i.str("serviceInstanceName");
    let p = ctx.part();
    super::services::find(p, svc)?;
    if let Some(n) = inst {
        super::service_instances::find_instance(p, svc, n)?;
    }
    let mut blockers: Vec<&SyncBlocker> = p
        .blockers
        .values()
        .filter(|b| b.service_name == svc)
        .filter(|b| inst.is_none_or(|n| b.service_instance_name.as_deref() == Some(n)))
        .collect();
    blockers.sort_by_key(|b| newest_first_key(b.created_at, &b.id));
    Ok(json!({"serviceSyncBlockerSummary": {
        "serviceName": svc,
        "serviceInstanceName": inst,
        "latestBlockers": blockers.into_iter().map(render_blocker).collect::<Vec<_>>(),
    }}))
}

pub fn update_blocker(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let id = i.req("id")?;
    let reason = i.req("resolvedReason")?;
    let now = ctx.now;
    let p = ctx.part();
    let b = p
        .blockers
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("service sync blocker", id))?;
    if b.status == "RESOLVED" {
        return Err(ApiError::conflict(format!(
            "The service sync blocker {id} is already resolved."
        )));
    }
    b.status = "RESOLVED".to_string();
    b.resolved_at = Some(now);
    b.resolved_reason = Some(reason.to_string());
    Ok(json!({
        "serviceName": b.service_name,
        "serviceInstanceName": b.service_instance_name,
        "serviceSyncBlocker": render_blocker(b),
    }))
}
