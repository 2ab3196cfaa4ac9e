//! Components: directly defined infrastructure attached to an environment or
//! to a service instance. Deployed like the rest; deletes are asynchronous.

use serde_json::{Value, json};

use super::lifecycle::{self, NewDeployment, is_active};
use super::spec::{self, Inputs};
use super::{
    Ctx, Input, TokenLookup, check_token, fingerprint, outputs_json, paginate, remember_token, tags,
};
use crate::bundle::deploy::Sink;
use crate::error::ApiError;
use crate::store::{Component, Partition, TargetType};

const CREATE_OP: &str = "CreateComponent";
const UPDATE_OP: &str = "UpdateComponent";

pub fn render(c: &Component) -> Value {
    let d = &c.deploy;
    json!({
        "arn": c.arn,
        "createdAt": c.created_at,
        "deploymentStatus": d.deployment_status,
        "deploymentStatusMessage": d.deployment_status_message,
        "description": c.description,
        "environmentName": c.environment_name,
        "lastAttemptedDeploymentId": d.last_attempted_deployment_id,
        "lastClientRequestToken": c.last_client_request_token,
        "lastDeploymentAttemptedAt": d.last_deployment_attempted_at,
        "lastDeploymentSucceededAt": d.last_deployment_succeeded_at,
        "lastModifiedAt": c.last_modified_at,
        "lastSucceededDeploymentId": d.last_succeeded_deployment_id,
        "name": c.name,
        "serviceInstanceName": c.service_instance_name,
        "serviceName": c.service_name,
        "serviceSpec": c.service_spec,
    })
}

fn state_json(c: &Component) -> Value {
    json!({"component": {
        "serviceInstanceName": c.service_instance_name.clone().unwrap_or_default(),
        "serviceName": c.service_name.clone().unwrap_or_default(),
        "serviceSpec": c.service_spec,
        "templateFile": c.template_file,
    }})
}

fn find<'p>(p: &'p Partition, name: &str) -> Result<&'p Component, ApiError> {
    p.components
        .get(name)
        .ok_or_else(|| ApiError::not_found("component", name))
}

/// The failure markers of a component (tests use them to make a deployment,
/// its delete or its cancel fail): in the service spec's inputs for the
/// attached instance, or at the top level of the template file. Its outputs
/// are its template's, not these inputs.
fn markers(c: &Component) -> Result<Inputs, ApiError> {
    let mut out = match &c.service_spec {
        Some(s) => {
            let doc = spec::parse(s, "serviceSpec")?;
            match &c.service_instance_name {
                Some(inst) => spec::instance_inputs(&doc, inst),
                None => spec::top_level_inputs(&doc),
            }
        }
        None => Inputs::default(),
    };
    out.outputs.clear();
    if let Ok(doc) = spec::parse(&c.template_file, "templateFile") {
        let found = spec::inputs_of(&doc);
        out.fail = out.fail.or(found.fail);
        out.fail_delete = out.fail_delete.or(found.fail_delete);
        out.cancel = out.cancel.or(found.cancel);
    }
    Ok(out)
}

/// What deploying `c` produces (`bundle::components`): the outputs its
/// template declares, or a failure with the renderer's message.
fn outcome(p: &Partition, c: &Component, sink: Sink<'_>) -> Result<Inputs, ApiError> {
    let markers = markers(c)?;
    Ok(crate::bundle::components::deploy(p, c, &markers, sink))
}

/// Components of an environment with self-managed provisioning are
/// provisioned through its repository: they wait for NotifyResourceDeploymentStatusChange.
fn self_managed(p: &Partition, env: &str) -> bool {
    p.environments
        .get(env)
        .is_some_and(|e| e.provisioning_repository.is_some())
}

/// Resolves where a component goes: (environment, service, instance).
fn placement(
    p: &Partition,
    env: Option<&str>,
    svc: Option<&str>,
    inst: Option<&str>,
) -> Result<(String, Option<String>, Option<String>), ApiError> {
    match (svc, inst) {
        (Some(s), Some(i)) => {
            super::services::find(p, s)?;
            let instance = super::service_instances::find_instance(p, s, i)?;
            if env.is_some_and(|e| e != instance.environment_name) {
                return Err(ApiError::validation(format!(
                    "The service instance {s}/{i} is in environment {}, not {}.",
                    instance.environment_name,
                    env.unwrap_or_default()
                )));
            }
            let supports = p
                .svc_templates
                .get(&instance.template_name)
                .and_then(|t| super::templates::find_version(t, &instance.major, &instance.minor))
                .and_then(|v| v.supported_component_sources.as_ref())
                .is_some_and(|s| s.iter().any(|x| x == "DIRECTLY_DEFINED"));
            if !supports {
                return Err(ApiError::validation(format!(
                    "The service template version of {s}/{i} doesn't support directly defined components."
                )));
            }
            Ok((
                instance.environment_name.clone(),
                Some(s.to_string()),
                Some(i.to_string()),
            ))
        }
        (None, None) => {
            let e = env.ok_or_else(|| {
                ApiError::validation(
                    "Specify environmentName, or serviceName and serviceInstanceName.",
                )
            })?;
            Ok((e.to_string(), None, None))
        }
        _ => Err(ApiError::validation(
            "serviceName and serviceInstanceName go together.",
        )),
    }
}

/// M CreateComponentInput.serviceSpec / UpdateComponentInput.serviceSpec: set only for a component
/// attached to a service instance (after the request).
fn check_service_spec(spec: Option<&str>, attached_to: Option<&str>) -> Result<(), ApiError> {
    match (spec, attached_to) {
        (Some(_), None) => Err(ApiError::validation(
            "serviceSpec is only for a component attached to a service instance (serviceName and serviceInstanceName).",
        )),
        _ => Ok(()),
    }
}

/// The environment needs a component role, except with self-managed provisioning, where Proton
/// assumes no role (see docs/proton-contract.md, Choices). On an environment provisioned through
/// an environment account connection, the connection's `componentRoleArn` is the one that counts
/// (M CreateEnvironmentAccountConnectionInput.componentRoleArn).
fn check_environment(ctx: &mut Ctx<'_>, env: &str) -> Result<(), ApiError> {
    let e = super::environments::find(ctx.part(), env)?;
    if e.provisioning_repository.is_some() {
        return Ok(());
    }
    let (connection, own_role) = (
        e.environment_account_connection_id.clone(),
        e.component_role_arn.is_some(),
    );
    let Some(id) = connection else {
        if own_role {
            return Ok(());
        }
        return Err(ApiError::validation(format!(
            "The environment {env} has no componentRoleArn, so it can't have components."
        )));
    };
    let connection_role = ctx
        .state
        .connections
        .get(&id)
        .and_then(|c| c.component_role_arn.as_ref());
    match connection_role {
        Some(_) => Ok(()),
        None => Err(ApiError::validation(format!(
            "The environment {env} is provisioned through the environment account connection {id}, which has no componentRoleArn, so the environment can't have components."
        ))),
    }
}

pub fn create(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let token = i.str("clientToken");
    let fp = fingerprint(i.0, &["clientToken"]);
    let now = ctx.now;
    if let TokenLookup::Replay(_) = check_token(ctx.part(), CREATE_OP, token, &fp, now)?
        && let Ok(c) = find(ctx.part(), name)
    {
        return Ok(json!({"component": render(c)}));
    }
    let arn = ctx.arn(&format!("component/{name}"));
    let deployment = ctx.new_deployment();
    let folders = ctx.folders;
    let mut writes = vec![];
    let p = ctx.part();
    if p.components.contains_key(name) {
        return Err(ApiError::conflict(format!(
            "The component {name} already exists."
        )));
    }
    let (env, svc, inst) = placement(
        p,
        i.str("environmentName"),
        i.str("serviceName"),
        i.str("serviceInstanceName"),
    )?;
    check_environment(ctx, &env)?;
    let p = ctx.part();
    check_service_spec(i.str("serviceSpec"), inst.as_deref())?;
    super::check_quota(p.components.len(), "components")?;
    let mut c = Component {
        name: name.to_string(),
        arn: arn.clone(),
        description: i.string("description"),
        environment_name: env.clone(),
        service_name: svc.clone(),
        service_instance_name: inst.clone(),
        service_spec: i.string("serviceSpec"),
        template_file: i.req("templateFile")?.to_string(),
        manifest: i.req("manifest")?.to_string(),
        created_at: now,
        last_modified_at: now,
        last_client_request_token: token.map(str::to_string),
        deploy: lifecycle::new_deployable(now, self_managed(p, &env)),
        delete_due: None,
    };
    let inputs = outcome(
        p,
        &c,
        Sink {
            folders,
            writes: &mut writes,
            deployment_id: &deployment.id,
        },
    )?;
    let target_state = state_json(&c);
    let dep = lifecycle::begin(
        &mut c.deploy,
        deployment,
        NewDeployment {
            target_type: TargetType::Component,
            target_arn: arn.clone(),
            target_created_at: now,
            environment_name: env,
            service_name: svc,
            service_instance_name: inst,
            component_name: Some(name.to_string()),
            initial_state: None,
            target_state,
            inputs,
        },
    );
    tags::set_initial(p, &arn, i)?;
    remember_token(p, CREATE_OP, token, &fp, name, now);
    let out = json!({"component": render(&c)});
    p.deployments.insert(dep.id.clone(), dep);
    p.components.insert(name.to_string(), c);
    ctx.writes.extend(writes);
    Ok(out)
}

pub fn get(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let c = find(ctx.part(), i.req("name")?)?;
    Ok(json!({"component": render(c)}))
}

pub fn update(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let dtype = i.req("deploymentType")?;
    let token = i.str("clientToken");
    let fp = fingerprint(i.0, &["clientToken"]);
    let now = ctx.now;
    if let TokenLookup::Replay(_) = check_token(ctx.part(), UPDATE_OP, token, &fp, now)? {
        return Ok(json!({"component": render(find(ctx.part(), name)?)}));
    }
    let deployment = ctx.new_deployment();
    let folders = ctx.folders;
    let mut writes = vec![];
    let p = ctx.part();
    let c = find(p, name)?;
    if c.delete_due.is_some() || is_active(&c.deploy.deployment_status) {
        return Err(ApiError::conflict(format!(
            "The component {name} can't be updated while its deployment status is {}.",
            c.deploy.deployment_status
        )));
    }
    if let (Some(s), Some(n)) = (&c.service_name, &c.service_instance_name)
        && let Ok(instance) = super::service_instances::find_instance(p, s, n)
        && (instance.delete_due.is_some() || is_active(&instance.deploy.deployment_status))
    {
        return Err(ApiError::conflict(format!(
            "The component {name} can't be updated while its service instance {s}/{n} has deployment status {}.",
            instance.deploy.deployment_status
        )));
    }
    let mut next = c.clone();
    let initial = state_json(c);
    // An empty serviceName/serviceInstanceName detaches the component.
    let svc = i.str("serviceName");
    let inst = i.str("serviceInstanceName");
    if svc.is_some() || inst.is_some() {
        let (s, n) = (
            svc.filter(|x| !x.is_empty()),
            inst.filter(|x| !x.is_empty()),
        );
        // Proton moves a component between instances only through a detach.
        let attached = (
            c.service_name.as_deref(),
            c.service_instance_name.as_deref(),
        );
        if let (Some(from_s), Some(from_n)) = attached
            && (s.is_some() || n.is_some())
            && (s, n) != attached
        {
            return Err(ApiError::conflict(format!(
                "The component {name} is attached to service instance {from_s}/{from_n}: detach it \
                 (empty serviceName and serviceInstanceName) before attaching it elsewhere."
            )));
        }
        let (env, s, n) = placement(p, Some(&c.environment_name), s, n)?;
        next.environment_name = env;
        next.service_name = s;
        next.service_instance_name = n;
    }
    check_service_spec(i.str("serviceSpec"), next.service_instance_name.as_deref())?;
    if let Some(s) = i.str("serviceSpec") {
        next.service_spec = Some(s.to_string());
    }
    if let Some(t) = i.str("templateFile") {
        next.template_file = t.to_string();
    }
    let changed = state_json(&next) != initial;
    if dtype == "NONE" && changed {
        return Err(ApiError::validation(
            "A component's template file, spec and attachment change only with deploymentType CURRENT_VERSION.",
        ));
    }
    if let Some(d) = i.str("description") {
        next.description = Some(d.to_string());
    }
    next.last_modified_at = now;
    next.last_client_request_token = token.map(str::to_string);
    if dtype == "CURRENT_VERSION" {
        let inputs = outcome(
            p,
            &next,
            Sink {
                folders,
                writes: &mut writes,
                deployment_id: &deployment.id,
            },
        )?;
        let target_state = state_json(&next);
        let nd = NewDeployment {
            target_type: TargetType::Component,
            target_arn: next.arn.clone(),
            target_created_at: next.created_at,
            environment_name: next.environment_name.clone(),
            service_name: next.service_name.clone(),
            service_instance_name: next.service_instance_name.clone(),
            component_name: Some(name.to_string()),
            initial_state: Some(initial),
            target_state,
            inputs,
        };
        let dep = lifecycle::begin(&mut next.deploy, deployment, nd);
        p.deployments.insert(dep.id.clone(), dep);
    }
    let out = json!({"component": render(&next)});
    p.components.insert(name.to_string(), next);
    remember_token(p, UPDATE_OP, token, &fp, name, now);
    ctx.writes.extend(writes);
    Ok(out)
}

pub fn delete(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("name")?;
    let due = ctx.due();
    let p = ctx.part();
    let c = find(p, name)?;
    if c.delete_due.is_some() {
        return Ok(json!({"component": render(c)}));
    }
    if is_active(&c.deploy.deployment_status) {
        return Err(ApiError::conflict(format!(
            "The component {name} can't be deleted while its deployment status is {}.",
            c.deploy.deployment_status
        )));
    }
    if let (Some(s), Some(n)) = (&c.service_name, &c.service_instance_name) {
        return Err(ApiError::conflict(format!(
            "The component {name} is attached to service instance {s}/{n}: detach it first."
        )));
    }
    let failure = markers(c).ok().and_then(|i| i.fail_delete);
    let c = p
        .components
        .get_mut(name)
        .ok_or_else(|| ApiError::not_found("component", name))?;
    lifecycle::begin_delete(&mut c.deploy, failure);
    c.delete_due = Some(due);
    Ok(json!({"component": render(c)}))
}

pub fn list(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (env, svc, inst) = (
        i.str("environmentName"),
        i.str("serviceName"),
        i.str("serviceInstanceName"),
    );
    let items: Vec<(String, Value)> = ctx
        .part()
        .components
        .values()
        .filter(|c| env.is_none_or(|e| e == c.environment_name))
        .filter(|c| svc.is_none_or(|s| Some(s) == c.service_name.as_deref()))
        .filter(|c| inst.is_none_or(|s| Some(s) == c.service_instance_name.as_deref()))
        .map(|c| (c.name.clone(), render(c)))
        .collect();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"components": page, "nextToken": next}))
}

pub fn cancel(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let name = i.req("componentName")?;
    let (now, due) = (ctx.now, ctx.due());
    let p = ctx.part();
    let c = find(p, name)?;
    let id = super::deployments::cancellable(&c.deploy, "component", name)?;
    super::deployments::start_cancel(p, &id, now, due);
    Ok(json!({"component": render(find(p, name)?)}))
}

pub fn outputs(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let p = ctx.part();
    let c = find(p, i.req("componentName")?)?;
    let outs = match i.str("deploymentId") {
        Some(id) => super::deployments::outputs_of(p, id, &c.arn)?,
        None => c.deploy.outputs.clone(),
    };
    Ok(json!({"outputs": outputs_json(&outs)}))
}

pub fn provisioned(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let c = find(ctx.part(), i.req("componentName")?)?;
    Ok(json!({"provisionedResources": super::deployments::provisioned_json(&c.deploy)}))
}
