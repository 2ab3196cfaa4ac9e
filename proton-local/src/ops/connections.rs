//! Environment account connections: requested from an environment account,
//! accepted or rejected by the management account, used by the management
//! account's environments. They live outside the per-account partitions.

use serde_json::{Value, json};

use super::{Ctx, Input, TokenLookup, check_token, fingerprint, paginate, remember_token, tags};
use crate::error::ApiError;
use crate::store::{Connection, Tombstone};

const CREATE_OP: &str = "CreateEnvironmentAccountConnection";

pub fn render(c: &Connection) -> Value {
    json!({
        "arn": c.arn,
        "codebuildRoleArn": c.codebuild_role_arn,
        "componentRoleArn": c.component_role_arn,
        "environmentAccountId": c.environment_account_id,
        "environmentName": c.environment_name,
        "id": c.id,
        "lastModifiedAt": c.last_modified_at,
        "managementAccountId": c.management_account_id,
        "requestedAt": c.requested_at,
        // The model requires a role; a CodeBuild-only connection shows that role.
        "roleArn": c.role_arn.clone().or_else(|| c.codebuild_role_arn.clone()),
        "status": c.status,
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("environment account connection", id)
}

/// A connection the caller can see: it is one of its two accounts.
fn visible<'s>(ctx: &'s Ctx<'_>, id: &str) -> Result<&'s Connection, ApiError> {
    ctx.state
        .connections
        .get(id)
        .filter(|c| {
            c.region == ctx.region
                && (c.environment_account_id == ctx.account
                    || c.management_account_id == ctx.account)
        })
        .ok_or_else(|| not_found(id))
}

/// Whether a management-account environment uses the connection.
fn in_use(ctx: &Ctx<'_>, c: &Connection) -> bool {
    ctx.state
        .partition(&c.management_account_id, &c.region)
        .is_some_and(|p| {
            p.environments
                .values()
                .any(|e| e.environment_account_connection_id.as_deref() == Some(c.id.as_str()))
        })
}

pub fn create(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let env_name = i.req("environmentName")?;
    let mgmt = i.req("managementAccountId")?;
    let token = i.str("clientToken");
    let fp = fingerprint(i.0, &["clientToken"]);
    let now = ctx.now;
    if let TokenLookup::Replay(id) = check_token(ctx.part(), CREATE_OP, token, &fp, now)?
        && let Some(c) = ctx.state.connections.get(&id)
    {
        return Ok(json!({"environmentAccountConnection": render(c)}));
    }
    if mgmt == ctx.account {
        return Err(ApiError::validation(
            "The management account and the environment account must be different accounts.",
        ));
    }
    if i.str("roleArn").is_none() && i.str("codebuildRoleArn").is_none() {
        return Err(ApiError::validation(
            "Specify roleArn or codebuildRoleArn for the environment account connection.",
        ));
    }
    let duplicate = ctx.state.connections.values().any(|c| {
        c.region == ctx.region
            && c.environment_account_id == ctx.account
            && c.management_account_id == mgmt
            && c.environment_name == env_name
            && c.status != "REJECTED"
    });
    if duplicate {
        return Err(ApiError::conflict(format!(
            "An environment account connection for environment {env_name} with account {mgmt} already exists."
        )));
    }
    let mine = ctx
        .state
        .connections
        .values()
        .filter(|c| c.environment_account_id == ctx.account && c.region == ctx.region)
        .count();
    super::check_quota(mine, "environment-account-connections")?;
    let id = ctx.uuid();
    let arn = ctx.arn(&format!("environment-account-connection/{id}"));
    let c = Connection {
        id: id.clone(),
        arn: arn.clone(),
        region: ctx.region.clone(),
        environment_account_id: ctx.account.clone(),
        management_account_id: mgmt.to_string(),
        environment_name: env_name.to_string(),
        role_arn: i.string("roleArn"),
        codebuild_role_arn: i.string("codebuildRoleArn"),
        component_role_arn: i.string("componentRoleArn"),
        status: "PENDING".to_string(),
        requested_at: now,
        last_modified_at: now,
    };
    let out = json!({"environmentAccountConnection": render(&c)});
    let p = ctx.part();
    tags::set_initial(p, &arn, i)?;
    remember_token(p, CREATE_OP, token, &fp, &id, now);
    ctx.state.connections.insert(id, c);
    Ok(out)
}

pub fn get(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let c = visible(ctx, i.req("id")?)?;
    Ok(json!({"environmentAccountConnection": render(c)}))
}

pub fn update(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let id = i.req("id")?;
    let now = ctx.now;
    let c = visible(ctx, id)?;
    if c.environment_account_id != ctx.account {
        return Err(ApiError::AccessDenied(
            "Only the environment account can update an environment account connection."
                .to_string(),
        ));
    }
    if c.status == "REJECTED" {
        return Err(ApiError::conflict(format!(
            "The environment account connection {id} was rejected and can't be updated."
        )));
    }
    let c = ctx
        .state
        .connections
        .get_mut(id)
        .ok_or_else(|| not_found(id))?;
    if let Some(r) = i.str("roleArn") {
        c.role_arn = Some(r.to_string());
    }
    if let Some(r) = i.str("codebuildRoleArn") {
        c.codebuild_role_arn = Some(r.to_string());
    }
    if let Some(r) = i.str("componentRoleArn") {
        c.component_role_arn = Some(r.to_string());
    }
    c.last_modified_at = now;
    Ok(json!({"environmentAccountConnection": render(c)}))
}

fn tombstone_key(id: &str) -> String {
    format!("environment-account-connection:{id}")
}

pub fn delete(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let id = i.req("id")?;
    let now = ctx.now;
    let Ok(c) = visible(ctx, id) else {
        // Idempotent delete: old metadata if we just deleted it, else nothing.
        let p = ctx.part();
        return Ok(match p.tombstones.get(&tombstone_key(id)) {
            Some(t) if t.expires_at > now => json!({"environmentAccountConnection": t.body}),
            _ => json!({}),
        });
    };
    if c.environment_account_id != ctx.account {
        return Err(ApiError::AccessDenied(
            "Only the environment account can delete an environment account connection."
                .to_string(),
        ));
    }
    // A connection in use may go: its environment is stranded until a new
    // connection for the same account and environment is accepted (`accept`).
    let body = render(c);
    let arn = c.arn.clone();
    let owner = c.environment_account_id.clone();
    let region = c.region.clone();
    ctx.state.connections.remove(id);
    ctx.state.partition_mut(&owner, &region).tags.remove(&arn);
    ctx.part().tombstones.insert(
        tombstone_key(id),
        Tombstone {
            body: body.clone(),
            expires_at: now + super::TOKEN_TTL_SECS,
        },
    );
    Ok(json!({"environmentAccountConnection": body}))
}

pub fn list(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let by = i.req("requestedBy")?;
    let env = i.str("environmentName");
    let statuses: Vec<&str> = i
        .array("statuses")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let items: Vec<(String, Value)> = ctx
        .state
        .connections
        .values()
        .filter(|c| c.region == ctx.region)
        .filter(|c| match by {
            "MANAGEMENT_ACCOUNT" => c.management_account_id == ctx.account,
            _ => c.environment_account_id == ctx.account,
        })
        .filter(|c| env.is_none_or(|e| e == c.environment_name))
        .filter(|c| statuses.is_empty() || statuses.contains(&c.status.as_str()))
        .map(|c| (c.id.clone(), render(c)))
        .collect();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"environmentAccountConnections": page, "nextToken": next}))
}

fn decide(ctx: &mut Ctx<'_>, i: Input<'_>, accept: bool) -> Result<Value, ApiError> {
    let id = i.req("id")?;
    let now = ctx.now;
    let c = visible(ctx, id)?;
    if c.management_account_id != ctx.account {
        return Err(ApiError::AccessDenied(
            "Only the management account can accept or reject an environment account connection."
                .to_string(),
        ));
    }
    let target = if accept { "CONNECTED" } else { "REJECTED" };
    if c.status == target {
        return Ok(json!({"environmentAccountConnection": render(c)}));
    }
    if accept && c.status != "PENDING" {
        return Err(ApiError::conflict(format!(
            "The environment account connection {id} is {} and can't be accepted.",
            c.status
        )));
    }
    if !accept && in_use(ctx, c) {
        return Err(ApiError::conflict(format!(
            "The environment account connection {id} is used by environment {} and can't be rejected.",
            c.environment_name
        )));
    }
    let c = ctx
        .state
        .connections
        .get_mut(id)
        .ok_or_else(|| not_found(id))?;
    c.status = target.to_string();
    c.last_modified_at = now;
    let out = json!({"environmentAccountConnection": render(c)});
    if accept {
        relink_stranded(ctx, id);
    }
    Ok(out)
}

/// Points the management account's environments stranded by a deleted
/// connection (same environment account and name) at the accepted one.
fn relink_stranded(ctx: &mut Ctx<'_>, id: &str) {
    let Some(c) = ctx.state.connections.get(id) else {
        return;
    };
    let (env_account, env_name) = (c.environment_account_id.clone(), c.environment_name.clone());
    let live: std::collections::BTreeSet<String> = ctx.state.connections.keys().cloned().collect();
    if let Some(e) = ctx.part().environments.get_mut(&env_name)
        && e.environment_account_id.as_deref() == Some(env_account.as_str())
        && e.environment_account_connection_id
            .as_ref()
            .is_some_and(|old| !live.contains(old))
    {
        e.environment_account_connection_id = Some(id.to_string());
    }
}

pub fn accept(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    decide(ctx, i, true)
}

pub fn reject(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    decide(ctx, i, false)
}
