//! Services with their instances and optional pipeline. A service's spec
//! lists its instances (`instances:`); creating or updating the service
//! deploys added instances and removes dropped ones. Instances and pipelines
//! are then updated on their own (`service_instances`, `service_pipelines`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::lifecycle::{self, is_active};
use super::service_instances::{add_instances, check_environment};
use super::service_pipelines::{
    deploy_pipeline, outcome as pipeline_outcome, redeploy_pipeline, render_pipeline,
};
use super::spec;
use super::templates::{self, Kind};
use super::{Ctx, Input, fingerprint, paginate, tags};
use crate::bundle::deploy::{self, Sink};
use crate::error::ApiError;
use crate::store::{Partition, Pipeline, Service, UpdateUndo};

pub fn render(s: &Service) -> Value {
    json!({
        "arn": s.arn,
        "branchName": s.branch_name,
        "createdAt": s.created_at,
        "description": s.description,
        "lastModifiedAt": s.last_modified_at,
        "name": s.name,
        "pipeline": s.pipeline.as_ref().map(render_pipeline),
        "repositoryConnectionArn": s.repository_connection_arn,
        "repositoryId": s.repository_id,
        "spec": s.spec,
        "status": s.status,
        "statusMessage": s.status_message,
        "templateName": s.template_name,
    })
}

pub fn find<'p>(p: &'p Partition, name: &str) -> Result<&'p Service, ApiError> {
    p.services
        .get(name)
        .ok_or_else(|| ApiError::not_found("service", name))
}

pub(crate) fn find_mut<'p>(p: &'p mut Partition, name: &str) -> Result<&'p mut Service, ApiError> {
    p.services
        .get_mut(name)
        .ok_or_else(|| ApiError::not_found("service", name))
}

pub fn create(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let fp = fingerprint(i.0, &[]);
    if let Some(existing) = ctx.part().services.get(name) {
        if existing.fingerprint != fp {
            return Err(ApiError::idempotent_mismatch());
        }
        if existing.modified || existing.delete_due.is_some() {
            return Err(ApiError::conflict(format!(
                "The service {name} already exists and was modified since it was created."
            )));
        }
        return Ok(json!({"service": render(existing)}));
    }
    let template = i.req("templateName")?;
    let spec_text = i.req("spec")?;
    let doc = spec::parse(spec_text, "spec")?;
    let entries = spec::instances(&doc)?;
    let now = ctx.now;
    let due = ctx.due();
    let arn = ctx.arn(&format!("service/{name}"));
    let p = ctx.part();
    let (ma, mi) = templates::resolve_published(
        p,
        Kind::Service,
        template,
        i.req("templateMajorVersion")?,
        i.str("templateMinorVersion"),
    )?;
    let validated = deploy::service_inputs(
        deploy::bundle(p, Kind::Service, template, &ma, &mi),
        spec_text,
        &deploy::version_label(Kind::Service, template, &ma, &mi),
    )?;
    // pipelineProvisioning absent = Proton provides the pipeline;
    // CUSTOMER_MANAGED = the service has none.
    let has_pipeline = p
        .svc_templates
        .get(template)
        .is_some_and(|t| t.provisioning.is_none());
    let repo_fields = ["repositoryConnectionArn", "repositoryId", "branchName"];
    if has_pipeline {
        if let Some(missing) = repo_fields.iter().find(|f| i.str(f).is_none()) {
            return Err(ApiError::validation(format!(
                "{missing} is required: the service template {template} includes a pipeline."
            )));
        }
    } else {
        if let Some(extra) = repo_fields.iter().find(|f| i.str(f).is_some()) {
            return Err(ApiError::validation(format!(
                "{extra} can't be set: the service template {template} has no pipeline."
            )));
        }
        check_no_pipeline_inputs(&doc, template)?;
    }
    check_instance_count(entries.len())?;
    let mut pipeline_self_managed = false;
    for e in &entries {
        pipeline_self_managed |= check_environment(p, template, &ma, &mi, &e.environment)?;
    }
    if has_pipeline {
        check_pipeline_settings(p, pipeline_self_managed)?;
    }
    super::check_quota(p.services.len(), "services")?;
    let svc = Service {
        name: name.to_string(),
        arn: arn.clone(),
        description: i.string("description"),
        template_name: template.to_string(),
        major: ma.clone(),
        minor: mi.clone(),
        spec: spec_text.to_string(),
        repository_connection_arn: i.string("repositoryConnectionArn"),
        repository_id: i.string("repositoryId"),
        branch_name: i.string("branchName"),
        status: "CREATE_IN_PROGRESS".to_string(),
        status_message: None,
        created_at: now,
        last_modified_at: now,
        fingerprint: fp,
        modified: false,
        due_at: Some(due),
        delete_due: None,
        instances: BTreeMap::new(),
        pipeline: None,
        update_undo: None,
    };
    tags::set_initial(p, &arn, i)?;
    p.services.insert(name.to_string(), svc);
    if has_pipeline {
        let pl_id = ctx.uuid();
        let pl_arn = ctx.arn(&format!("service/{name}/pipeline/{pl_id}"));
        let deployment = ctx.new_deployment();
        let folders = ctx.folders;
        let mut writes = vec![];
        let p = ctx.part();
        tags::inherit(p, &pl_arn, &arn);
        find_mut(p, name)?.pipeline = Some(Pipeline {
            arn: pl_arn,
            template_name: template.to_string(),
            major: ma.clone(),
            minor: mi.clone(),
            spec: Some(spec_text.to_string()),
            created_at: now,
            deploy: lifecycle::new_deployable(now, pipeline_self_managed),
        });
        let with_instances = validated.as_ref().map(|v| {
            let inputs = v.pipeline.clone().unwrap_or_default();
            (inputs, deploy::instance_refs(p, v))
        });
        let sink = Sink {
            folders,
            writes: &mut writes,
            deployment_id: &deployment.id,
        };
        let inputs = pipeline_outcome(p, name, with_instances, spec::pipeline_inputs(&doc), sink)?;
        deploy_pipeline(p, name, deployment, None, inputs)?;
        ctx.writes.extend(writes);
    }
    add_instances(
        ctx,
        name,
        &entries,
        spec_text,
        &ma,
        &mi,
        template,
        validated.as_ref().map(|v| v.instances.as_slice()),
    )?;
    // The pipeline's target state names its first instance's environment.
    let p = ctx.part();
    if let Some(env) = find(p, name)?
        .instances
        .values()
        .next()
        .map(|x| x.environment_name.clone())
    {
        let unnamed: Vec<String> = p
            .deployments
            .values()
            .filter(|d| d.service_name.as_deref() == Some(name) && d.environment_name.is_empty())
            .map(|d| d.id.clone())
            .collect();
        for id in unnamed {
            if let Some(d) = p.deployments.get_mut(&id) {
                d.environment_name = env.clone();
            }
        }
    }
    Ok(json!({"service": render(find(p, name)?)}))
}

/// A service always has at least one instance, and at most the `service-instances` quota
/// (20 by default), DELETE_FAILED ones included.
pub(crate) fn check_instance_count(count: usize) -> Result<(), ApiError> {
    if count == 0 {
        return Err(ApiError::validation(
            "A service needs at least one service instance in its spec.",
        ));
    }
    let limit = super::quotas::limit("service-instances");
    if count > limit {
        return Err(ApiError::QuotaExceeded(format!(
            "A service can have at most {limit} service instances (DELETE_FAILED ones included); the spec has {count}."
        )));
    }
    Ok(())
}

/// A service without a pipeline takes no `pipeline:` inputs.
fn check_no_pipeline_inputs(doc: &yaml_rust2::Yaml, template: &str) -> Result<(), ApiError> {
    if matches!(doc["pipeline"], yaml_rust2::Yaml::BadValue) {
        return Ok(());
    }
    Err(ApiError::validation(format!(
        "The spec has a pipeline section, but the service template {template} has no pipeline."
    )))
}

/// A pipeline is provisioned with the account's pipeline settings: the
/// pipeline repository when its environments are self-managed, else the
/// pipeline service role (or the CodeBuild pipeline role).
fn check_pipeline_settings(p: &Partition, self_managed: bool) -> Result<(), ApiError> {
    let s = &p.settings;
    if self_managed {
        if s.pipeline_provisioning_repository.is_none() {
            return Err(ApiError::validation(
                "The service's pipeline is self-managed (its environments use a provisioningRepository) and the account settings have no pipelineProvisioningRepository.",
            ));
        }
    } else if s.pipeline_service_role_arn.is_none() && s.pipeline_codebuild_role_arn.is_none() {
        return Err(ApiError::validation(
            "The service's pipeline needs the account's pipelineServiceRoleArn (or pipelineCodebuildRoleArn); set it with UpdateAccountSettings.",
        ));
    }
    Ok(())
}

pub fn get(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let s = find(ctx.part(), i.req("name")?)?;
    Ok(json!({"service": render(s)}))
}

pub(crate) fn busy(s: &Service) -> bool {
    matches!(
        s.status.as_str(),
        "CREATE_IN_PROGRESS" | "UPDATE_IN_PROGRESS" | "DELETE_IN_PROGRESS"
    ) || s
        .instances
        .values()
        .any(|i| is_active(&i.deploy.deployment_status))
        || s.pipeline
            .as_ref()
            .is_some_and(|pl| is_active(&pl.deploy.deployment_status))
}

pub fn update(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let now = ctx.now;
    let due = ctx.due();
    let s = find(ctx.part(), name)?;
    if busy(s) {
        return Err(ApiError::conflict(format!(
            "The service {name} can't be updated while it is {} or a deployment is in progress.",
            s.status
        )));
    }
    let (template, ma, mi) = (s.template_name.clone(), s.major.clone(), s.minor.clone());
    let Some(spec_text) = i.str("spec") else {
        let s = find_mut(ctx.part(), name)?;
        if let Some(d) = i.str("description") {
            s.description = Some(d.to_string());
        }
        s.last_modified_at = now;
        s.modified = true;
        return Ok(json!({"service": render(s)}));
    };
    let spec_text =
        &deploy::resolve_current_values(spec_text, Some(&find(ctx.part(), name)?.spec))?;
    let doc = spec::parse(spec_text, "spec")?;
    let entries = spec::instances(&doc)?;
    let validated = deploy::service_inputs(
        deploy::bundle(ctx.part(), Kind::Service, &template, &ma, &mi),
        spec_text,
        &deploy::version_label(Kind::Service, &template, &ma, &mi),
    )?;
    let keep: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    let p = ctx.part();
    let s = find(p, name)?;
    let removed: Vec<String> = s
        .instances
        .keys()
        .filter(|k| !keep.contains(&k.as_str()))
        .cloned()
        .collect();
    if entries.is_empty() {
        return Err(ApiError::validation(format!(
            "The spec must keep at least one service instance of {name}; delete the service instead."
        )));
    }
    // Instances that failed to delete still count until a retry removes them.
    let delete_failed = s
        .instances
        .values()
        .filter(|x| {
            !keep.contains(&x.name.as_str()) && x.deploy.deployment_status == "DELETE_FAILED"
        })
        .count();
    check_instance_count(entries.len() + delete_failed)?;
    if s.pipeline.is_none() {
        check_no_pipeline_inputs(&doc, &s.template_name)?;
    }
    for r in &removed {
        let attached = p.components.values().any(|c| {
            c.service_name.as_deref() == Some(name) && c.service_instance_name.as_deref() == Some(r)
        });
        if attached {
            return Err(ApiError::conflict(format!(
                "The service instance {r} has attached components and can't be removed."
            )));
        }
    }
    for e in &entries {
        if let Some(existing) = s.instances.get(&e.name)
            && existing.environment_name != e.environment
        {
            return Err(ApiError::validation(format!(
                "The service instance {} can't move from environment {} to {}.",
                e.name, existing.environment_name, e.environment
            )));
        }
    }
    let new_names: Vec<String> = entries
        .iter()
        .filter(|e| !s.instances.contains_key(&e.name))
        .map(|e| e.name.clone())
        .collect();
    let (old_spec, has_pipeline) = (s.spec.clone(), s.pipeline.is_some());
    let added = add_instances(
        ctx,
        name,
        &entries,
        spec_text,
        &ma,
        &mi,
        &template,
        validated.as_ref().map(|v| v.instances.as_slice()),
    )?;
    if has_pipeline && (added > 0 || !removed.is_empty()) {
        redeploy_pipeline(ctx, name)?;
    }
    let s = find_mut(ctx.part(), name)?;
    // Removed instances (and DELETE_FAILED ones, retried) are deleted.
    for r in &removed {
        if let Some(inst) = s.instances.get_mut(r) {
            let failure =
                spec::delete_failure(inst.spec.as_deref(), |d| spec::instance_inputs(d, r));
            lifecycle::begin_delete(&mut inst.deploy, failure);
            inst.delete_due = Some(due);
        }
    }
    if let Some(d) = i.str("description") {
        s.description = Some(d.to_string());
    }
    s.spec = spec_text.to_string();
    s.last_modified_at = now;
    s.modified = true;
    if added > 0 || !removed.is_empty() {
        s.status = "UPDATE_IN_PROGRESS".to_string();
        s.status_message = None;
        s.due_at = Some(due);
        s.update_undo = Some(UpdateUndo {
            spec: old_spec,
            added: new_names,
        });
    }
    Ok(json!({"service": render(s)}))
}

pub fn delete(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let due = ctx.due();
    let p = ctx.part();
    let Some(s) = p.services.get(name) else {
        return Ok(json!({}));
    };
    if s.delete_due.is_some() {
        return Ok(json!({"service": render(s)}));
    }
    if busy(s) {
        return Err(ApiError::conflict(format!(
            "The service {name} can't be deleted while it is {} or a deployment is in progress.",
            s.status
        )));
    }
    if p.components
        .values()
        .any(|c| c.service_name.as_deref() == Some(name))
    {
        return Err(ApiError::conflict(format!(
            "The service {name} has attached components. Delete or detach them first."
        )));
    }
    let s = find_mut(p, name)?;
    s.status = "DELETE_IN_PROGRESS".to_string();
    s.status_message = None;
    s.delete_due = Some(due);
    for (n, inst) in s.instances.iter_mut() {
        let failure = spec::delete_failure(inst.spec.as_deref(), |d| spec::instance_inputs(d, n));
        lifecycle::begin_delete(&mut inst.deploy, failure);
    }
    if let Some(pl) = s.pipeline.as_mut() {
        let failure = spec::delete_failure(pl.spec.as_deref(), spec::pipeline_inputs);
        lifecycle::begin_delete(&mut pl.deploy, failure);
    }
    Ok(json!({"service": render(s)}))
}

pub fn list(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let items: Vec<(String, Value)> = ctx
        .part()
        .services
        .values()
        .map(|s| (s.name.clone(), render(s)))
        .collect();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"services": page, "nextToken": next}))
}
