//! Service pipelines: a service whose template includes a pipeline gets one when it is created;
//! Proton has no create or delete for it, only update, cancel and its outputs.

use serde_json::{Value, json};

use super::environments::{Current, target_version};
use std::collections::BTreeMap;

use super::lifecycle::{self, DeploymentStart, NewDeployment, is_active};
use super::services::{find, find_mut};
use super::spec::{self, Inputs};
use super::templates::Kind;
use super::{Ctx, Input, outputs_json};
use crate::bundle::deploy::{self, Sink};
use crate::bundle::render::params::InstanceRef;
use crate::error::ApiError;
use crate::store::{Partition, Pipeline, TargetType};

pub fn render_pipeline(pl: &Pipeline) -> Value {
    let d = &pl.deploy;
    json!({
        "arn": pl.arn,
        "createdAt": pl.created_at,
        "deploymentStatus": d.deployment_status,
        "deploymentStatusMessage": d.deployment_status_message,
        "lastAttemptedDeploymentId": d.last_attempted_deployment_id,
        "lastDeploymentAttemptedAt": d.last_deployment_attempted_at,
        "lastDeploymentSucceededAt": d.last_deployment_succeeded_at,
        "lastSucceededDeploymentId": d.last_succeeded_deployment_id,
        "spec": pl.spec,
        "templateMajorVersion": pl.major,
        "templateMinorVersion": pl.minor,
        "templateName": pl.template_name,
    })
}

fn pipeline_state(pl: &Pipeline) -> Value {
    json!({"servicePipeline": {
        "spec": pl.spec,
        "templateName": pl.template_name,
        "templateMajorVersion": pl.major,
        "templateMinorVersion": pl.minor,
    }})
}

pub(crate) fn deploy_pipeline(
    p: &mut Partition,
    svc: &str,
    deployment: DeploymentStart,
    initial: Option<Value>,
    inputs: Inputs,
) -> Result<(), ApiError> {
    let s = find_mut(p, svc)?;
    let env_name = s
        .instances
        .values()
        .next()
        .map(|i| i.environment_name.clone())
        .unwrap_or_default();
    let pl = s
        .pipeline
        .as_mut()
        .ok_or_else(|| ApiError::not_found("service pipeline", svc))?;
    let nd = NewDeployment {
        target_type: TargetType::ServicePipeline,
        target_arn: pl.arn.clone(),
        target_created_at: pl.created_at,
        environment_name: env_name,
        service_name: Some(svc.to_string()),
        service_instance_name: None,
        component_name: None,
        initial_state: initial,
        target_state: pipeline_state(pl),
        inputs,
    };
    let dep = lifecycle::begin(&mut pl.deploy, deployment, nd);
    p.deployments.insert(dep.id.clone(), dep);
    Ok(())
}

/// What deploying the pipeline of `svc` (as stored) produces: rendered from
/// its version's bundle with the validated inputs and the instances it sees,
/// or, without a bundle, the spec's values as outputs.
pub(crate) fn outcome(
    p: &Partition,
    svc: &str,
    validated: Option<(proton_spec::Inputs, Vec<InstanceRef>)>,
    fallback: Inputs,
    sink: Sink<'_>,
) -> Result<Inputs, ApiError> {
    let Some((inputs, instances)) = validated else {
        return Ok(fallback);
    };
    let s = find(p, svc)?;
    let pl = find_pipeline(p, svc)?;
    Ok(deploy::pipeline(p, s, pl, &inputs, &instances, &fallback, sink).unwrap_or(fallback))
}

/// After UpdateService adds or removes instances Proton re-provisions the pipeline (UG
/// ag-svc-update): a new deployment of the pipeline as it is (its version and spec), rendered
/// with the instances it now sees.
pub(crate) fn redeploy_pipeline(ctx: &mut Ctx<'_>, svc: &str) -> Result<(), ApiError> {
    let deployment = ctx.new_deployment();
    let p = ctx.part();
    let pl = find_pipeline(p, svc)?;
    let (fallback, validated) = match &pl.spec {
        Some(text) => (
            spec::pipeline_inputs(&spec::parse(text, "spec")?),
            deploy::pipeline_inputs(
                deploy::bundle(p, Kind::Service, &pl.template_name, &pl.major, &pl.minor),
                text,
                &deploy::version_label(Kind::Service, &pl.template_name, &pl.major, &pl.minor),
            )?,
        ),
        None => (Inputs::default(), None),
    };
    let initial = pipeline_state(pl);
    deploy_stored(ctx, svc, deployment, validated, fallback, initial)
}

/// Begins `deployment` of the pipeline of `svc` as stored (its spec and
/// version), from `initial`: rendered from its bundle with the `validated` inputs and the
/// instances it sees, or without them the spec's `fallback` values as outputs. The files it
/// writes are queued on the request.
fn deploy_stored(
    ctx: &mut Ctx<'_>,
    svc: &str,
    deployment: DeploymentStart,
    validated: Option<proton_spec::Inputs>,
    fallback: Inputs,
    initial: Value,
) -> Result<(), ApiError> {
    let folders = ctx.folders;
    let mut writes = vec![];
    let p = ctx.part();
    let with_instances = match validated {
        Some(v) => Some((
            v,
            deploy::pipeline_instances(p, find(p, svc)?, &BTreeMap::new()),
        )),
        None => None,
    };
    let sink = Sink {
        folders,
        writes: &mut writes,
        deployment_id: &deployment.id,
    };
    let inputs = outcome(p, svc, with_instances, fallback, sink)?;
    deploy_pipeline(p, svc, deployment, Some(initial), inputs)?;
    ctx.writes.extend(writes);
    Ok(())
}

fn find_pipeline<'p>(p: &'p Partition, svc: &str) -> Result<&'p Pipeline, ApiError> {
    find(p, svc)?
        .pipeline
        .as_ref()
        .ok_or_else(|| ApiError::not_found("service pipeline", svc))
}

pub fn update_pipeline(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let svc = i.req("serviceName")?;
    let dtype = i.req("deploymentType")?;
    let spec_text = i.req("spec")?;
    let deployment = ctx.new_deployment();
    let p = ctx.part();
    let s = find(p, svc)?;
    let pl = find_pipeline(p, svc)?;
    let resolved = deploy::resolve_current_values(spec_text, pl.spec.as_deref())?;
    let spec_text = resolved.as_str();
    if s.delete_due.is_some() || is_active(&pl.deploy.deployment_status) {
        return Err(ApiError::conflict(format!(
            "The pipeline of service {svc} can't be updated while its deployment status is {}.",
            pl.deploy.deployment_status
        )));
    }
    let current = Current::of(&pl.template_name, &pl.major, &pl.minor);
    let (ma, mi) = target_version(p, Kind::Service, current, dtype, i)?;
    if dtype == "NONE" && Some(spec_text) != pl.spec.as_deref() {
        return Err(ApiError::validation(
            "The spec can't change with deploymentType NONE; use CURRENT_VERSION.",
        ));
    }
    let fallback = spec::pipeline_inputs(&spec::parse(spec_text, "spec")?);
    let validated = if dtype == "NONE" {
        None
    } else {
        deploy::pipeline_inputs(
            deploy::bundle(p, Kind::Service, &pl.template_name, &ma, &mi),
            spec_text,
            &deploy::version_label(Kind::Service, &pl.template_name, &ma, &mi),
        )?
    };
    let initial = pipeline_state(pl);
    let pl = find_mut(p, svc)?
        .pipeline
        .as_mut()
        .ok_or_else(|| ApiError::not_found("service pipeline", svc))?;
    if dtype != "NONE" {
        pl.spec = Some(spec_text.to_string());
        pl.major = ma;
        pl.minor = mi;
        deploy_stored(ctx, svc, deployment, validated, fallback, initial)?;
    }
    let p = ctx.part();
    Ok(json!({"pipeline": render_pipeline(find_pipeline(p, svc)?)}))
}

pub fn cancel_pipeline(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let svc = i.req("serviceName")?;
    let (now, due) = (ctx.now, ctx.due());
    let p = ctx.part();
    let pl = find_pipeline(p, svc)?;
    let id = super::deployments::cancellable(&pl.deploy, "service pipeline", svc)?;
    super::deployments::start_cancel(p, &id, now, due);
    Ok(json!({"pipeline": render_pipeline(find_pipeline(p, svc)?)}))
}

pub fn pipeline_outputs(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let p = ctx.part();
    let pl = find_pipeline(p, i.req("serviceName")?)?;
    let outs = match i.str("deploymentId") {
        Some(id) => super::deployments::outputs_of(p, id, &pl.arn)?,
        None => pl.deploy.outputs.clone(),
    };
    Ok(json!({"outputs": outputs_json(&outs)}))
}

pub fn pipeline_provisioned(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let pl = find_pipeline(ctx.part(), i.req("serviceName")?)?;
    Ok(json!({"provisionedResources": super::deployments::provisioned_json(&pl.deploy)}))
}
