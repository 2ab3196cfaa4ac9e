//! Environments: create/update deploy the spec on a template version; deletes
//! are asynchronous. The provisioning method is chosen by CreateEnvironment's
//! inputs, not by the template: a `provisioningRepository` makes the
//! environment self-managed (its deployments wait for
//! NotifyResourceDeploymentStatusChange); a role or connection makes it
//! AWS-managed, a `codebuildRoleArn` CodeBuild-provisioned. A CUSTOMER_MANAGED
//! template means the infrastructure exists outside Proton: nothing is
//! provisioned and the spec's values become the outputs.

use serde_json::{Value, json};

use super::lifecycle::{self, NewDeployment, is_active};
use super::templates::{self, Kind};
use super::{Ctx, Input, fingerprint, outputs_json, paginate, spec, tags};
use crate::bundle::deploy::{self, Sink};
use crate::error::ApiError;
use crate::store::{Environment, Partition, RepoBranch, TargetType};

pub fn render(e: &Environment) -> Value {
    let d = &e.deploy;
    json!({
        "arn": e.arn,
        "codebuildRoleArn": e.codebuild_role_arn,
        "componentRoleArn": e.component_role_arn,
        "createdAt": e.created_at,
        "deploymentStatus": d.deployment_status,
        "deploymentStatusMessage": d.deployment_status_message,
        "description": e.description,
        "environmentAccountConnectionId": e.environment_account_connection_id,
        "environmentAccountId": e.environment_account_id,
        "lastAttemptedDeploymentId": d.last_attempted_deployment_id,
        "lastDeploymentAttemptedAt": d.last_deployment_attempted_at,
        "lastDeploymentSucceededAt": d.last_deployment_succeeded_at,
        "lastSucceededDeploymentId": d.last_succeeded_deployment_id,
        "name": e.name,
        "protonServiceRoleArn": e.proton_service_role_arn,
        "provisioning": e.provisioning,
        "provisioningRepository": e.provisioning_repository.as_ref().map(repo_branch_json),
        "spec": e.spec,
        "templateMajorVersion": e.major,
        "templateMinorVersion": e.minor,
        "templateName": e.template_name,
    })
}

pub fn repo_branch_json(r: &RepoBranch) -> Value {
    json!({"arn": r.arn, "branch": r.branch, "name": r.name, "provider": r.provider})
}

pub fn state_json(e: &Environment) -> Value {
    json!({"environment": {
        "spec": e.spec,
        "templateName": e.template_name,
        "templateMajorVersion": e.major,
        "templateMinorVersion": e.minor,
    }})
}

pub fn find<'p>(p: &'p Partition, name: &str) -> Result<&'p Environment, ApiError> {
    p.environments
        .get(name)
        .ok_or_else(|| ApiError::not_found("environment", name))
}

fn find_mut<'p>(p: &'p mut Partition, name: &str) -> Result<&'p mut Environment, ApiError> {
    p.environments
        .get_mut(name)
        .ok_or_else(|| ApiError::not_found("environment", name))
}

/// A repository branch input resolved against the registered repositories.
pub fn repo_branch(p: &Partition, i: Input<'_>) -> Result<RepoBranch, ApiError> {
    let provider = i.req("provider")?;
    let name = i.req("name")?;
    let branch = i.req("branch")?;
    let repo = p
        .repositories
        .get(&format!("{provider}:{name}"))
        .ok_or_else(|| ApiError::not_found("repository", &format!("{provider}:{name}")))?;
    Ok(RepoBranch {
        provider: provider.to_string(),
        name: name.to_string(),
        branch: branch.to_string(),
        arn: repo.arn.clone(),
    })
}

/// Where the environment's infrastructure is provisioned from: a connected
/// environment account, or this account with a service (or CodeBuild) role.
struct Provisioner {
    role: Option<String>,
    connection: Option<String>,
    environment_account: Option<String>,
}

fn provisioner(ctx: &Ctx<'_>, i: Input<'_>, env_name: &str) -> Result<Provisioner, ApiError> {
    let role = i.string("protonServiceRoleArn");
    let conn = i.string("environmentAccountConnectionId");
    if role.is_some() && conn.is_some() {
        return Err(ApiError::validation(
            "Specify either protonServiceRoleArn or environmentAccountConnectionId, not both.",
        ));
    }
    let Some(id) = conn else {
        return Ok(Provisioner {
            role,
            connection: None,
            environment_account: None,
        });
    };
    let c = ctx
        .state
        .connections
        .get(&id)
        .filter(|c| c.region == ctx.region && c.management_account_id == ctx.account)
        .ok_or_else(|| ApiError::not_found("environment account connection", &id))?;
    if c.status != "CONNECTED" {
        return Err(ApiError::validation(format!(
            "The environment account connection {id} is {}, not CONNECTED.",
            c.status
        )));
    }
    if c.environment_name != env_name {
        return Err(ApiError::validation(format!(
            "The environment account connection {id} is for environment {}, not {env_name}.",
            c.environment_name
        )));
    }
    Ok(Provisioner {
        role: None,
        connection: Some(id),
        environment_account: Some(c.environment_account_id.clone()),
    })
}

pub fn create(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let fp = fingerprint(i.0, &[]);
    if let Some(existing) = ctx.part().environments.get(name) {
        // Idempotent create: the same request gets the same environment.
        if existing.fingerprint != fp {
            return Err(ApiError::idempotent_mismatch());
        }
        if existing.modified || existing.delete_due.is_some() {
            return Err(ApiError::conflict(format!(
                "The environment {name} already exists and was modified since it was created."
            )));
        }
        return Ok(json!({"environment": render(existing)}));
    }
    let template = i.req("templateName")?;
    let major = i.req("templateMajorVersion")?;
    let spec_text = i.req("spec")?;
    let doc = spec::parse(spec_text, "spec")?;
    let prov = provisioner(ctx, i, name)?;
    let folders = ctx.folders;
    let mut writes = vec![];
    let now = ctx.now;
    let arn = ctx.arn(&format!("environment/{name}"));
    let deployment = ctx.new_deployment();
    let p = ctx.part();
    let (ma, mi) = templates::resolve_published(
        p,
        Kind::Environment,
        template,
        major,
        i.str("templateMinorVersion"),
    )?;
    let validated = deploy::environment_inputs(
        deploy::bundle(p, Kind::Environment, template, &ma, &mi),
        spec_text,
        &deploy::version_label(Kind::Environment, template, &ma, &mi),
    )?;
    let customer_managed = p
        .env_templates
        .get(template)
        .and_then(|t| t.provisioning.as_deref())
        == Some("CUSTOMER_MANAGED");
    let repo = match i.child("provisioningRepository") {
        Some(r) => Some(repo_branch(p, r)?),
        None => None,
    };
    let codebuild = i.string("codebuildRoleArn");
    let has_role = prov.role.is_some() || prov.connection.is_some() || codebuild.is_some();
    let self_managed = repo.is_some();
    if self_managed && has_role {
        return Err(ApiError::validation(
            "A self-managed environment (provisioningRepository) takes no protonServiceRoleArn, codebuildRoleArn or environmentAccountConnectionId.",
        ));
    }
    if self_managed && customer_managed {
        return Err(ApiError::validation(format!(
            "The environment template {template} is CUSTOMER_MANAGED: its infrastructure is provisioned outside Proton, so it takes no provisioningRepository."
        )));
    }
    if !self_managed && !has_role {
        return Err(ApiError::validation(
            "Specify provisioningRepository (self-managed), protonServiceRoleArn or environmentAccountConnectionId (AWS-managed), or codebuildRoleArn (CodeBuild).",
        ));
    }
    super::check_quota(p.environments.len(), "environments")?;
    let mut env = Environment {
        name: name.to_string(),
        arn: arn.clone(),
        description: i.string("description"),
        template_name: template.to_string(),
        major: ma,
        minor: mi,
        spec: Some(spec_text.to_string()),
        proton_service_role_arn: prov.role,
        environment_account_connection_id: prov.connection,
        environment_account_id: prov.environment_account,
        codebuild_role_arn: codebuild,
        component_role_arn: i.string("componentRoleArn"),
        provisioning: customer_managed.then(|| "CUSTOMER_MANAGED".to_string()),
        provisioning_repository: repo,
        created_at: now,
        fingerprint: fp,
        modified: false,
        deploy: lifecycle::new_deployable(now, self_managed),
        delete_due: None,
    };
    let target_state = state_json(&env);
    let inputs = outcome(
        p,
        &env,
        validated.as_ref(),
        spec::top_level_inputs(&doc),
        Sink {
            folders,
            writes: &mut writes,
            deployment_id: &deployment.id,
        },
    );
    let dep = lifecycle::begin(
        &mut env.deploy,
        deployment,
        NewDeployment {
            target_type: TargetType::Environment,
            target_arn: arn.clone(),
            target_created_at: now,
            environment_name: name.to_string(),
            service_name: None,
            service_instance_name: None,
            component_name: None,
            initial_state: None,
            target_state,
            inputs,
        },
    );
    tags::set_initial(p, &arn, i)?;
    let out = json!({"environment": render(&env)});
    p.deployments.insert(dep.id.clone(), dep);
    p.environments.insert(name.to_string(), env);
    ctx.writes.extend(writes);
    Ok(out)
}

pub fn get(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let e = find(ctx.part(), i.req("name")?)?;
    Ok(json!({"environment": render(e)}))
}

/// The template version a resource runs now.
pub struct Current<'a> {
    pub template: &'a str,
    pub major: &'a str,
    pub minor: &'a str,
}

impl<'a> Current<'a> {
    pub fn of(template: &'a str, major: &'a str, minor: &'a str) -> Self {
        Self {
            template,
            major,
            minor,
        }
    }
}

/// Which template version an update deploys, by deployment type and the versions the request
/// names.
pub fn target_version(
    p: &Partition,
    kind: Kind,
    cur: Current<'_>,
    deployment_type: &str,
    i: Input<'_>,
) -> Result<(String, String), ApiError> {
    let (major, minor) = (i.str("templateMajorVersion"), i.str("templateMinorVersion"));
    let (template, cur_major, cur_minor) = (cur.template, cur.major, cur.minor);
    let same = |m: Option<&str>, cur: &str| m.is_none_or(|x| x == cur);
    match deployment_type {
        "NONE" | "CURRENT_VERSION" => {
            if !same(major, cur_major) || !same(minor, cur_minor) {
                return Err(ApiError::validation(format!(
                    "Template versions can't change with deploymentType {deployment_type}; use MINOR_VERSION or MAJOR_VERSION."
                )));
            }
            Ok((cur_major.to_string(), cur_minor.to_string()))
        }
        "MINOR_VERSION" => {
            if !same(major, cur_major) {
                return Err(ApiError::validation(
                    "A MINOR_VERSION update stays on the current major version; use MAJOR_VERSION to change it.",
                ));
            }
            templates::resolve_published(p, kind, template, cur_major, minor)
        }
        "MAJOR_VERSION" => {
            let target = match major {
                Some(m) => m.to_string(),
                None => templates::recommended_major(p, kind, template)
                    .map(|m| m.to_string())
                    .ok_or_else(|| {
                        ApiError::validation(format!(
                            "The {} {template} has no published version.",
                            kind.noun()
                        ))
                    })?,
            };
            let newer = match (target.parse::<u64>(), cur_major.parse::<u64>()) {
                (Ok(t), Ok(c)) => t > c,
                _ => false,
            };
            if !newer {
                return Err(ApiError::validation(format!(
                    "A MAJOR_VERSION update needs a major version higher than {cur_major}."
                )));
            }
            templates::resolve_published(p, kind, template, &target, minor)
        }
        other => Err(ApiError::validation(format!(
            "Unknown deploymentType {other}."
        ))),
    }
}

/// The spec an update deploys: the request's (its `current` values resolved) or, without one,
/// the stored spec. A deploymentType NONE update can't change it.
pub fn updated_spec(
    i: Input<'_>,
    stored: Option<&str>,
    deployment_type: &str,
) -> Result<Option<String>, ApiError> {
    let spec = match i.str("spec") {
        Some(given) => Some(deploy::resolve_current_values(given, stored)?),
        None => stored.map(str::to_string),
    };
    if deployment_type == "NONE" && spec.as_deref() != stored {
        return Err(ApiError::validation(
            "The spec can't change with deploymentType NONE; use CURRENT_VERSION.",
        ));
    }
    Ok(spec)
}

/// UG ag-env-update: an environment provisioned through a connection can't switch to a role nor
/// the other way round; M UpdateEnvironmentInput.environmentAccountConnectionId: a new connection
/// comes from the same environment account as the current one.
fn check_provisioner_change(e: &Environment, next: &Provisioner) -> Result<(), ApiError> {
    let name = &e.name;
    if e.environment_account_connection_id.is_some() && next.role.is_some() {
        return Err(ApiError::validation(format!(
            "The environment {name} is provisioned through an environment account connection: it can't switch to a protonServiceRoleArn."
        )));
    }
    if e.proton_service_role_arn.is_some() && next.connection.is_some() {
        return Err(ApiError::validation(format!(
            "The environment {name} is provisioned with a protonServiceRoleArn: it can't switch to an environment account connection."
        )));
    }
    if e.environment_account_connection_id.is_some()
        && next.connection.is_some()
        && next.environment_account != e.environment_account_id
    {
        return Err(ApiError::validation(format!(
            "The new environment account connection of {name} must come from its environment account {}.",
            e.environment_account_id.as_deref().unwrap_or_default()
        )));
    }
    Ok(())
}

pub fn update(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let dtype = i.req("deploymentType")?;
    let deployment = ctx.new_deployment();
    let connection_change = if i.str("environmentAccountConnectionId").is_some()
        || i.str("protonServiceRoleArn").is_some()
    {
        Some(provisioner(ctx, i, name)?)
    } else {
        None
    };
    let folders = ctx.folders;
    let mut writes = vec![];
    let p = ctx.part();
    let e = find(p, name)?;
    if e.delete_due.is_some() || is_active(&e.deploy.deployment_status) {
        return Err(ApiError::conflict(format!(
            "The environment {name} can't be updated while its deployment status is {}.",
            e.deploy.deployment_status
        )));
    }
    let current = Current::of(&e.template_name, &e.major, &e.minor);
    let (ma, mi) = target_version(p, Kind::Environment, current, dtype, i)?;
    let new_spec = updated_spec(i, e.spec.as_deref(), dtype)?;
    let fallback = match &new_spec {
        Some(s) => spec::top_level_inputs(&spec::parse(s, "spec")?),
        None => spec::Inputs::default(),
    };
    let validated = match (&new_spec, dtype) {
        (Some(s), "CURRENT_VERSION" | "MINOR_VERSION" | "MAJOR_VERSION") => {
            deploy::environment_inputs(
                deploy::bundle(p, Kind::Environment, &e.template_name, &ma, &mi),
                s,
                &deploy::version_label(Kind::Environment, &e.template_name, &ma, &mi),
            )?
        }
        _ => None,
    };
    let repo = match i.child("provisioningRepository") {
        Some(r) => Some(repo_branch(p, r)?),
        None => None,
    };
    // The method chosen at creation stays: a self-managed environment takes no
    // role, an AWS-managed or CodeBuild one no repository.
    if e.deploy.self_managed && (connection_change.is_some() || i.str("codebuildRoleArn").is_some())
    {
        return Err(ApiError::validation(format!(
            "The environment {name} is self-managed: omit protonServiceRoleArn, codebuildRoleArn and environmentAccountConnectionId."
        )));
    }
    if !e.deploy.self_managed && repo.is_some() {
        return Err(ApiError::validation(format!(
            "The environment {name} isn't self-managed: it takes no provisioningRepository."
        )));
    }
    if let Some(pv) = &connection_change {
        check_provisioner_change(e, pv)?;
    }
    let e = find_mut(p, name)?;
    let initial = state_json(e);
    if let Some(d) = i.str("description") {
        e.description = Some(d.to_string());
    }
    if let Some(pv) = connection_change {
        e.proton_service_role_arn = pv.role;
        e.environment_account_connection_id = pv.connection;
        e.environment_account_id = pv.environment_account;
    }
    if let Some(r) = i.str("codebuildRoleArn") {
        e.codebuild_role_arn = Some(r.to_string());
    }
    if let Some(r) = i.str("componentRoleArn") {
        e.component_role_arn = Some(r.to_string());
    }
    if let Some(r) = repo {
        e.provisioning_repository = Some(r);
    }
    e.modified = true;
    if dtype == "NONE" {
        return Ok(json!({"environment": render(e)}));
    }
    e.spec = new_spec;
    e.major = ma;
    e.minor = mi;
    let arn = e.arn.clone();
    let created = e.created_at;
    let target_state = state_json(e);
    let snapshot = e.clone();
    let sink = Sink {
        folders,
        writes: &mut writes,
        deployment_id: &deployment.id,
    };
    let inputs = outcome(p, &snapshot, validated.as_ref(), fallback, sink);
    let e = find_mut(p, name)?;
    let dep = lifecycle::begin(
        &mut e.deploy,
        deployment,
        NewDeployment {
            target_type: TargetType::Environment,
            target_arn: arn,
            target_created_at: created,
            environment_name: name.to_string(),
            service_name: None,
            service_instance_name: None,
            component_name: None,
            initial_state: Some(initial),
            target_state,
            inputs,
        },
    );
    let out = json!({"environment": render(e)});
    p.deployments.insert(dep.id.clone(), dep);
    ctx.writes.extend(writes);
    Ok(out)
}

/// What deploying `e` produces: rendered from its version's bundle with the
/// validated inputs, or, without a bundle, the spec's values as outputs.
fn outcome(
    p: &Partition,
    e: &Environment,
    validated: Option<&proton_spec::Inputs>,
    fallback: spec::Inputs,
    sink: Sink<'_>,
) -> spec::Inputs {
    validated
        .and_then(|inputs| deploy::environment(p, e, inputs, &fallback, sink))
        .unwrap_or(fallback)
}

pub fn delete(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let due = ctx.due();
    let p = ctx.part();
    let Some(e) = p.environments.get(name) else {
        // Asynchronous idempotent delete: once gone, a retry answers empty.
        return Ok(json!({}));
    };
    if e.delete_due.is_some() {
        return Ok(json!({"environment": render(e)}));
    }
    if is_active(&e.deploy.deployment_status) {
        return Err(ApiError::conflict(format!(
            "The environment {name} can't be deleted while a deployment is {}.",
            e.deploy.deployment_status
        )));
    }
    let used_by_instance = p
        .services
        .values()
        .any(|s| s.instances.values().any(|si| si.environment_name == name));
    if used_by_instance {
        return Err(ApiError::conflict(format!(
            "The environment {name} has service instances. Delete them first."
        )));
    }
    if p.components.values().any(|c| c.environment_name == name) {
        return Err(ApiError::conflict(format!(
            "The environment {name} has components. Delete them first."
        )));
    }
    let e = find_mut(p, name)?;
    let failure = spec::delete_failure(e.spec.as_deref(), spec::top_level_inputs);
    lifecycle::begin_delete(&mut e.deploy, failure);
    e.delete_due = Some(due);
    Ok(json!({"environment": render(e)}))
}

pub fn list(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let filters: Vec<(String, String)> = i
        .array("environmentTemplates")
        .iter()
        .filter_map(|f| {
            Some((
                f.get("templateName")?.as_str()?.to_string(),
                f.get("majorVersion")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let p = ctx.part();
    let items: Vec<(String, Value)> = p
        .environments
        .values()
        .filter(|e| {
            filters.is_empty()
                || filters
                    .iter()
                    .any(|(t, m)| *t == e.template_name && *m == e.major)
        })
        .map(|e| (e.name.clone(), render(e)))
        .collect();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"environments": page, "nextToken": next}))
}

pub fn cancel(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("environmentName")?;
    let (now, due) = (ctx.now, ctx.due());
    let p = ctx.part();
    let e = find(p, name)?;
    let dep_id = super::deployments::cancellable(&e.deploy, "environment", name)?;
    super::deployments::start_cancel(p, &dep_id, now, due);
    let e = find(p, name)?;
    Ok(json!({"environment": render(e)}))
}

pub fn outputs(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("environmentName")?;
    let p = ctx.part();
    let e = find(p, name)?;
    let outs = match i.str("deploymentId") {
        Some(id) => super::deployments::outputs_of(p, id, &e.arn)?,
        None => e.deploy.outputs.clone(),
    };
    Ok(json!({"outputs": outputs_json(&outs)}))
}

pub fn provisioned(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let e = find(ctx.part(), i.req("environmentName")?)?;
    Ok(json!({"provisionedResources": super::deployments::provisioned_json(&e.deploy)}))
}
