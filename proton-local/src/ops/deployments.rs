//! Deployment history (GetDeployment, ListDeployments, DeleteDeployment),
//! cancellation, and the reports of self-managed provisioning and CodeBuild jobs
//! (NotifyResourceDeploymentStatusChange).

use serde_json::{Value, json};

use super::lifecycle::{self, is_active};
use super::{Ctx, Input, newest_first_key, paginate};
use crate::bundle::codebuild;
use crate::clock::Epoch;
use crate::error::ApiError;
use crate::store::{Deployable, Deployment, Partition, TargetType};

pub fn render(d: &Deployment) -> Value {
    json!({
        "arn": d.arn,
        "completedAt": d.completed_at,
        "componentName": d.component_name,
        "createdAt": d.created_at,
        "deploymentStatus": d.status,
        "deploymentStatusMessage": d.status_message,
        "environmentName": d.environment_name,
        "id": d.id,
        "initialState": d.initial_state,
        "lastAttemptedDeploymentId": d.previous_attempted_id,
        "lastModifiedAt": d.last_modified_at,
        "lastSucceededDeploymentId": d.previous_succeeded_id,
        "serviceInstanceName": d.service_instance_name,
        "serviceName": d.service_name,
        "targetArn": d.target_arn,
        "targetResourceCreatedAt": d.target_created_at,
        "targetResourceType": d.target_type.as_str(),
        "targetState": d.target_state,
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("deployment", id)
}

/// The deployment a Cancel*Deployment call stops, if one is running.
pub fn cancellable(d: &Deployable, kind: &str, name: &str) -> Result<String, ApiError> {
    match (
        &d.last_attempted_deployment_id,
        d.deployment_status.as_str(),
    ) {
        (Some(id), "IN_PROGRESS") => Ok(id.clone()),
        (_, status) => Err(ApiError::conflict(format!(
            "The {kind} {name} has no deployment in progress to cancel (status {status})."
        ))),
    }
}

/// IN_PROGRESS -> CANCELLING now, CANCELLED at `due`.
pub fn start_cancel(p: &mut Partition, id: &str, now: Epoch, due: Epoch) {
    let Some(dep) = p.deployments.get_mut(id) else {
        return;
    };
    dep.status = "CANCELLING".to_string();
    dep.last_modified_at = now;
    dep.due_at = Some(due);
    let dep = dep.clone();
    let target = lifecycle::target_mut(p, &dep);
    if let Some(d) = target {
        d.deployment_status = "CANCELLING".to_string();
    }
}

/// Outputs of one deployment of the target `arn`.
pub fn outputs_of(p: &Partition, id: &str, arn: &str) -> Result<Vec<(String, String)>, ApiError> {
    let d = p
        .deployments
        .get(id)
        .filter(|d| d.target_arn == arn)
        .ok_or_else(|| not_found(id))?;
    Ok(if d.status == "SUCCEEDED" {
        d.outputs.clone()
    } else {
        vec![]
    })
}

pub fn provisioned_json(d: &Deployable) -> Value {
    Value::Array(
        d.provisioned
            .iter()
            .map(|r| json!({"name": r.name, "identifier": r.identifier, "provisioningEngine": r.engine}))
            .collect(),
    )
}

fn matches_filters(d: &Deployment, i: Input<'_>) -> bool {
    let f =
        |member: &str, actual: Option<&str>| i.str(member).is_none_or(|want| Some(want) == actual);
    f("environmentName", Some(&d.environment_name))
        && f("serviceName", d.service_name.as_deref())
        && f("serviceInstanceName", d.service_instance_name.as_deref())
        && f("componentName", d.component_name.as_deref())
}

pub fn get(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let id = i.req("id")?;
    let d = ctx
        .part()
        .deployments
        .get(id)
        .filter(|d| matches_filters(d, i))
        .ok_or_else(|| not_found(id))?;
    Ok(json!({"deployment": render(d)}))
}

pub fn list(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let p = ctx.part();
    let mut items: Vec<(String, Value)> = p
        .deployments
        .values()
        .filter(|d| matches_filters(d, i))
        .map(|d| (newest_first_key(d.created_at, &d.id), render(d)))
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"deployments": page, "nextToken": next}))
}

/// The deployable a deployment belongs to, if it still exists.
fn target_of<'p>(p: &'p Partition, d: &Deployment) -> Option<&'p Deployable> {
    match d.target_type {
        TargetType::Environment => p.environments.get(&d.environment_name).map(|e| &e.deploy),
        TargetType::ServiceInstance => p
            .services
            .get(d.service_name.as_deref()?)?
            .instances
            .get(d.service_instance_name.as_deref()?)
            .map(|i| &i.deploy),
        TargetType::ServicePipeline => p
            .services
            .get(d.service_name.as_deref()?)?
            .pipeline
            .as_ref()
            .map(|pl| &pl.deploy),
        TargetType::Component => p
            .components
            .get(d.component_name.as_deref()?)
            .map(|c| &c.deploy),
    }
}

pub fn delete(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let id = i.req("id")?;
    let p = ctx.part();
    let d = p.deployments.get(id).ok_or_else(|| not_found(id))?;
    if is_active(&d.status) {
        return Err(ApiError::validation(format!(
            "The deployment {id} is {} and can't be deleted.",
            d.status
        )));
    }
    if let Some(t) = target_of(p, d)
        && (t.last_attempted_deployment_id.as_deref() == Some(id)
            || t.last_succeeded_deployment_id.as_deref() == Some(id))
    {
        return Err(ApiError::validation(format!(
            "The deployment {id} is the current deployment of {} and can't be deleted.",
            d.target_arn
        )));
    }
    let body = render(d);
    p.deployments.remove(id);
    Ok(json!({"deployment": body}))
}

pub fn notify(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let arn = i.req("resourceArn")?;
    let now = ctx.now;
    let rendered = ctx.folders.rendered.clone();
    let p = ctx.part();
    // The target: an environment, a service instance, a service pipeline or a component.
    let target: Option<&Deployable> = p
        .environments
        .values()
        .find(|e| e.arn == arn)
        .map(|e| &e.deploy)
        .or_else(|| {
            p.services.values().find_map(|s| {
                s.instances
                    .values()
                    .find(|x| x.arn == arn)
                    .map(|x| &x.deploy)
                    .or_else(|| {
                        s.pipeline
                            .as_ref()
                            .filter(|pl| pl.arn == arn)
                            .map(|pl| &pl.deploy)
                    })
            })
        })
        .or_else(|| component_deploy(p, arn));
    let target =
        target.ok_or_else(|| ApiError::NotFound(format!("The resource {arn} was not found.")))?;
    let named = i
        .str("deploymentId")
        .map(str::to_string)
        .or_else(|| target.last_attempted_deployment_id.clone());
    let found = named
        .as_ref()
        .and_then(|id| p.deployments.get(id))
        .filter(|d| d.target_arn == arn);
    // CodeBuild jobs report back as self-managed automation does.
    if !target.self_managed && !found.is_some_and(|d| d.codebuild) {
        return Err(ApiError::validation(format!(
            "The resource {arn} isn't provisioned by self-managed provisioning or CodeBuild."
        )));
    }
    let id = named
        .ok_or_else(|| ApiError::conflict(format!("The resource {arn} has no deployment.")))?;
    let dep = found.ok_or_else(|| not_found(&id))?;
    if dep.status != "IN_PROGRESS" {
        return Err(ApiError::conflict(format!(
            "The deployment {id} is {}, not IN_PROGRESS.",
            dep.status
        )));
    }
    let outputs: Option<Vec<(String, String)>> = i.get("outputs").map(|_| {
        i.array("outputs")
            .iter()
            .filter_map(|o| {
                Some((
                    o.get("key")?.as_str()?.to_string(),
                    o.get("valueString")?.as_str()?.to_string(),
                ))
            })
            .collect()
    });
    let message = i.string("statusMessage");
    // A CodeBuild job's outputs may also be in the proton-outputs.json it left in its folder.
    let job_dir = rendered
        .as_deref()
        .filter(|_| dep.codebuild)
        .and_then(|root| codebuild::rendered_dir(root, &p.account, &p.region, dep));
    match i.str("status") {
        Some("SUCCEEDED") if dep.codebuild => {
            match codebuild::outputs_at_success(job_dir.as_deref(), outputs) {
                Ok(outputs) => lifecycle::finish(p, &id, "SUCCEEDED", message, outputs, now),
                Err(e) => lifecycle::finish(p, &id, "FAILED", Some(e.to_string()), None, now),
            }
        }
        Some("SUCCEEDED") => lifecycle::finish(p, &id, "SUCCEEDED", message, outputs, now),
        Some("FAILED") => lifecycle::finish(p, &id, "FAILED", message, outputs, now),
        _ => {
            if let Some(d) = p.deployments.get_mut(&id) {
                if let Some(o) = outputs {
                    d.outputs = o;
                }
                d.last_modified_at = now;
            }
        }
    }
    Ok(json!({}))
}

/// A component's deployment record, by ARN (components of self-managed environments are notified).
fn component_deploy<'p>(p: &'p Partition, arn: &str) -> Option<&'p Deployable> {
    p.components
        .values()
        .find(|c| c.arn == arn)
        .map(|c| &c.deploy)
}
