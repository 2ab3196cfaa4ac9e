//! Service instances: created with their service (from its spec's `instances:`) or one at a time
//! (CreateServiceInstance), then updated, cancelled and listed on their own.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::environments::{Current, target_version, updated_spec};
use super::lifecycle::{self, DeploymentStart, NewDeployment, is_active};
use super::services::{busy, find, find_mut};
use super::spec::{self, Inputs};
use super::templates::{self, Kind};
use super::{
    Ctx, Input, TokenLookup, check_token, fingerprint, outputs_json, paginate, remember_token, tags,
};
use crate::bundle::deploy::{self, Sink};
use crate::error::ApiError;
use crate::store::{Partition, Service, ServiceInstance, TargetType};

pub fn render_instance(i: &ServiceInstance) -> Value {
    let d = &i.deploy;
    json!({
        "arn": i.arn,
        "createdAt": i.created_at,
        "deploymentStatus": d.deployment_status,
        "deploymentStatusMessage": d.deployment_status_message,
        "environmentName": i.environment_name,
        "lastAttemptedDeploymentId": d.last_attempted_deployment_id,
        "lastClientRequestToken": i.last_client_request_token,
        "lastDeploymentAttemptedAt": d.last_deployment_attempted_at,
        "lastDeploymentSucceededAt": d.last_deployment_succeeded_at,
        "lastSucceededDeploymentId": d.last_succeeded_deployment_id,
        "name": i.name,
        "serviceName": i.service_name,
        "spec": i.spec,
        "templateMajorVersion": i.major,
        "templateMinorVersion": i.minor,
        "templateName": i.template_name,
    })
}

fn instance_state(p: &Partition, s: &Service, i: &ServiceInstance) -> Value {
    let env_dep = p
        .environments
        .get(&i.environment_name)
        .and_then(|e| e.deploy.last_succeeded_deployment_id.clone());
    let pipe_dep = s
        .pipeline
        .as_ref()
        .and_then(|pl| pl.deploy.last_succeeded_deployment_id.clone());
    let comp_deps: Vec<String> = p
        .components
        .values()
        .filter(|c| {
            c.service_name.as_deref() == Some(s.name.as_str())
                && c.service_instance_name.as_deref() == Some(i.name.as_str())
        })
        .filter_map(|c| c.deploy.last_succeeded_deployment_id.clone())
        .take(1)
        .collect();
    json!({"serviceInstance": {
        "spec": i.spec.clone().unwrap_or_else(|| s.spec.clone()),
        "templateName": i.template_name,
        "templateMajorVersion": i.major,
        "templateMinorVersion": i.minor,
        "lastSuccessfulEnvironmentDeploymentId": env_dep,
        "lastSuccessfulServicePipelineDeploymentId": pipe_dep,
        "lastSuccessfulComponentDeploymentIds": comp_deps,
    }})
}

pub fn find_instance<'p>(
    p: &'p Partition,
    service: &str,
    name: &str,
) -> Result<&'p ServiceInstance, ApiError> {
    find(p, service)?
        .instances
        .get(name)
        .ok_or_else(|| ApiError::not_found("service instance", &format!("{service}/{name}")))
}

/// Checks that an instance can go into `env` with this service template
/// version; returns whether the environment is self-managed.
pub(crate) fn check_environment(
    p: &Partition,
    template: &str,
    major: &str,
    minor: &str,
    env: &str,
) -> Result<bool, ApiError> {
    let e = p
        .environments
        .get(env)
        .filter(|e| e.delete_due.is_none())
        .ok_or_else(|| ApiError::not_found("environment", env))?;
    if e.deploy.last_succeeded_deployment_id.is_none() {
        return Err(ApiError::validation(format!(
            "The environment {env} has not been deployed successfully."
        )));
    }
    let version = p
        .svc_templates
        .get(template)
        .and_then(|t| templates::find_version(t, major, minor));
    let compatible = version.is_some_and(|v| {
        v.compatible
            .iter()
            .any(|c| c.template_name == e.template_name && c.major_version == e.major)
    });
    if !compatible {
        return Err(ApiError::validation(format!(
            "The environment {env} (template {} major version {}) isn't compatible with service template {template} version {major}.{minor}.",
            e.template_name, e.major
        )));
    }
    // Instances use their environment's provisioning method.
    Ok(e.deploy.self_managed)
}

/// Deploys instance `inst` of service `svc` (already stored).
fn deploy_instance(
    p: &mut Partition,
    svc: &str,
    inst: &str,
    deployment: DeploymentStart,
    initial: Option<Value>,
    inputs: Inputs,
) -> Result<(), ApiError> {
    let s = find(p, svc)?;
    let i = s
        .instances
        .get(inst)
        .ok_or_else(|| ApiError::not_found("service instance", inst))?;
    let target_state = instance_state(p, s, i);
    let nd = NewDeployment {
        target_type: TargetType::ServiceInstance,
        target_arn: i.arn.clone(),
        target_created_at: i.created_at,
        environment_name: i.environment_name.clone(),
        service_name: Some(svc.to_string()),
        service_instance_name: Some(inst.to_string()),
        component_name: None,
        initial_state: initial,
        target_state,
        inputs,
    };
    let i = find_mut(p, svc)?
        .instances
        .get_mut(inst)
        .ok_or_else(|| ApiError::not_found("service instance", inst))?;
    let dep = lifecycle::begin(&mut i.deploy, deployment, nd);
    p.deployments.insert(dep.id.clone(), dep);
    Ok(())
}

/// Adds the spec's instances that the service does not have yet, deploying each.
#[allow(clippy::too_many_arguments)]
pub(crate) fn add_instances(
    ctx: &mut Ctx<'_>,
    svc: &str,
    entries: &[spec::InstanceEntry],
    spec_text: &str,
    major: &str,
    minor: &str,
    template: &str,
    validated: Option<&[proton_spec::InstanceInputs]>,
) -> Result<usize, ApiError> {
    let now = ctx.now;
    let folders = ctx.folders;
    let mut writes = vec![];
    let mut added = 0;
    for entry in entries {
        if find(ctx.part(), svc)?.instances.contains_key(&entry.name) {
            continue;
        }
        let self_managed =
            check_environment(ctx.part(), template, major, minor, &entry.environment)?;
        let arn = ctx.arn(&format!("service/{svc}/service-instance/{}", entry.name));
        let deployment = ctx.new_deployment();
        let p = ctx.part();
        let service_arn = find(p, svc)?.arn.clone();
        tags::inherit(p, &arn, &service_arn);
        let inst = ServiceInstance {
            name: entry.name.clone(),
            arn,
            service_name: svc.to_string(),
            environment_name: entry.environment.clone(),
            template_name: template.to_string(),
            major: major.to_string(),
            minor: minor.to_string(),
            spec: Some(spec_text.to_string()),
            created_at: now,
            last_client_request_token: None,
            deploy: lifecycle::new_deployable(now, self_managed),
            delete_due: None,
        };
        find_mut(p, svc)?.instances.insert(entry.name.clone(), inst);
        let own = validated
            .and_then(|v| v.iter().find(|x| x.name == entry.name))
            .map(|x| &x.inputs);
        let inputs = outcome(
            p,
            svc,
            &entry.name,
            own,
            entry.inputs.clone(),
            Sink {
                folders,
                writes: &mut writes,
                deployment_id: &deployment.id,
            },
        )?;
        deploy_instance(p, svc, &entry.name, deployment, None, inputs)?;
        added += 1;
    }
    ctx.writes.extend(writes);
    Ok(added)
}

/// What deploying instance `name` (as stored) produces: rendered from its
/// version's bundle with the validated inputs, or, without a bundle, the
/// spec's values as outputs.
fn outcome(
    p: &Partition,
    svc: &str,
    name: &str,
    validated: Option<&proton_spec::Inputs>,
    fallback: Inputs,
    sink: Sink<'_>,
) -> Result<Inputs, ApiError> {
    let Some(inputs) = validated else {
        return Ok(fallback);
    };
    let s = find(p, svc)?;
    let inst = s
        .instances
        .get(name)
        .ok_or_else(|| ApiError::not_found("service instance", name))?;
    Ok(deploy::service_instance(p, s, inst, inputs, &fallback, sink).unwrap_or(fallback))
}

const CREATE_INSTANCE_OP: &str = "CreateServiceInstance";

const UPDATE_INSTANCE_OP: &str = "UpdateServiceInstance";

fn instance_key(svc: &str, name: &str) -> String {
    format!("{svc}/{name}")
}

pub fn create_instance(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let svc = i.req("serviceName")?;
    let name = i.req("name")?;
    let token = i.str("clientToken");
    let fp = fingerprint(i.0, &["clientToken"]);
    let now = ctx.now;
    if let TokenLookup::Replay(_) = check_token(ctx.part(), CREATE_INSTANCE_OP, token, &fp, now)?
        && let Ok(existing) = find_instance(ctx.part(), svc, name)
    {
        return Ok(json!({"serviceInstance": render_instance(existing)}));
    }
    let spec_text = i.req("spec")?;
    let doc = spec::parse(spec_text, "spec")?;
    let s = find(ctx.part(), svc)?;
    if busy(s) || s.delete_due.is_some() {
        return Err(ApiError::conflict(format!(
            "The service {svc} is {} and can't take a new instance now.",
            s.status
        )));
    }
    if s.instances.contains_key(name) {
        return Err(ApiError::conflict(format!(
            "The service instance {svc}/{name} already exists."
        )));
    }
    super::services::check_instance_count(s.instances.len() + 1)?;
    let template = s.template_name.clone();
    let entry = spec::instances(&doc)?
        .into_iter()
        .find(|e| e.name == name)
        .ok_or_else(|| {
            ApiError::validation(format!(
                "The spec must list instance {name} with its environment under instances."
            ))
        })?;
    let (ma, mi) = match i.str("templateMajorVersion") {
        Some(m) => templates::resolve_published(
            ctx.part(),
            Kind::Service,
            &template,
            m,
            i.str("templateMinorVersion"),
        )?,
        None => (s.major.clone(), s.minor.clone()),
    };
    let p = ctx.part();
    let validated = deploy::instance_inputs(
        deploy::bundle(p, Kind::Service, &template, &ma, &mi),
        spec_text,
        name,
        &deploy::version_label(Kind::Service, &template, &ma, &mi),
    )?
    .map(|inputs| {
        vec![proton_spec::InstanceInputs {
            name: entry.name.clone(),
            environment: entry.environment.clone(),
            inputs,
        }]
    });
    add_instances(
        ctx,
        svc,
        std::slice::from_ref(&entry),
        spec_text,
        &ma,
        &mi,
        &template,
        validated.as_deref(),
    )?;
    let p = ctx.part();
    let s = find_mut(p, svc)?;
    if let Some(inst) = s.instances.get_mut(name) {
        inst.last_client_request_token = token.map(str::to_string);
    }
    let arn = s
        .instances
        .get(name)
        .map(|x| x.arn.clone())
        .unwrap_or_default();
    let service_arn = s.arn.clone();
    tags::set_initial_under(p, &arn, Some(&service_arn), i)?;
    remember_token(
        p,
        CREATE_INSTANCE_OP,
        token,
        &fp,
        &instance_key(svc, name),
        now,
    );
    Ok(json!({"serviceInstance": render_instance(find_instance(p, svc, name)?)}))
}

pub fn get_instance(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let inst = find_instance(ctx.part(), i.req("serviceName")?, i.req("name")?)?;
    Ok(json!({"serviceInstance": render_instance(inst)}))
}

pub fn update_instance(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let svc = i.req("serviceName")?;
    let name = i.req("name")?;
    let dtype = i.req("deploymentType")?;
    let token = i.str("clientToken");
    let fp = fingerprint(i.0, &["clientToken"]);
    let now = ctx.now;
    if let TokenLookup::Replay(_) = check_token(ctx.part(), UPDATE_INSTANCE_OP, token, &fp, now)? {
        let inst = find_instance(ctx.part(), svc, name)?;
        return Ok(json!({"serviceInstance": render_instance(inst)}));
    }
    let deployment = ctx.new_deployment();
    let folders = ctx.folders;
    let mut writes = vec![];
    let p = ctx.part();
    let s = find(p, svc)?;
    let inst = find_instance(p, svc, name)?;
    if inst.delete_due.is_some()
        || is_active(&inst.deploy.deployment_status)
        || s.delete_due.is_some()
    {
        return Err(ApiError::conflict(format!(
            "The service instance {svc}/{name} can't be updated while its deployment status is {}.",
            inst.deploy.deployment_status
        )));
    }
    let current = Current::of(&inst.template_name, &inst.major, &inst.minor);
    let (ma, mi) = target_version(p, Kind::Service, current, dtype, i)?;
    if (ma.as_str(), mi.as_str()) != (inst.major.as_str(), inst.minor.as_str()) {
        check_environment(p, &inst.template_name, &ma, &mi, &inst.environment_name)?;
    }
    let new_spec = updated_spec(i, inst.spec.as_deref(), dtype)?;
    let fallback = match &new_spec {
        Some(t) => spec::instance_inputs(&spec::parse(t, "spec")?, name),
        None => Inputs::default(),
    };
    let validated = match &new_spec {
        Some(t) if dtype != "NONE" => deploy::instance_inputs(
            deploy::bundle(p, Kind::Service, &inst.template_name, &ma, &mi),
            t,
            name,
            &deploy::version_label(Kind::Service, &inst.template_name, &ma, &mi),
        )?,
        _ => None,
    };
    let initial = instance_state(p, s, inst);
    let inst = find_mut(p, svc)?
        .instances
        .get_mut(name)
        .ok_or_else(|| ApiError::not_found("service instance", name))?;
    inst.last_client_request_token = token.map(str::to_string);
    if dtype != "NONE" {
        inst.spec = new_spec;
        inst.major = ma;
        inst.minor = mi;
        let sink = Sink {
            folders,
            writes: &mut writes,
            deployment_id: &deployment.id,
        };
        let inputs = outcome(p, svc, name, validated.as_ref(), fallback, sink)?;
        deploy_instance(p, svc, name, deployment, Some(initial), inputs)?;
    }
    ctx.writes.extend(writes);
    let p = ctx.part();
    remember_token(
        p,
        UPDATE_INSTANCE_OP,
        token,
        &fp,
        &instance_key(svc, name),
        now,
    );
    Ok(json!({"serviceInstance": render_instance(find_instance(p, svc, name)?)}))
}

/// Parses ListServiceInstances filter values that are times: epoch seconds or RFC 3339.
fn parse_time(v: &str) -> Option<f64> {
    if let Ok(n) = v.parse::<f64>() {
        return Some(n);
    }
    let b = v.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !(b[10] == b'T' || b[10] == b' ') {
        return None;
    }
    let n = |r: std::ops::Range<usize>| v.get(r)?.parse::<i64>().ok();
    let days = crate::clock::days_from_civil(n(0..4)?, n(5..7)? as u32, n(8..10)? as u32);
    let mut t = (days * 86_400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)?) as f64;
    let mut rest = &v[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
        t += format!("0.{digits}").parse::<f64>().unwrap_or(0.0);
        rest = &frac[digits.len()..];
    }
    match rest {
        "" | "Z" | "z" => Some(t),
        off => {
            let sign = if off.starts_with('-') { 1.0 } else { -1.0 };
            let hh: f64 = off.get(1..3)?.parse().ok()?;
            let mm: f64 = off.get(4..6)?.parse().ok()?;
            Some(t + sign * (hh * 3600.0 + mm * 60.0))
        }
    }
}

fn version_standing(p: &Partition, i: &ServiceInstance) -> &'static str {
    let rec = p
        .svc_templates
        .get(&i.template_name)
        .and_then(templates::recommended);
    let (Ok(ma), Ok(mi)) = (i.major.parse::<u64>(), i.minor.parse::<u64>()) else {
        return "UP_TO_DATE";
    };
    match rec {
        Some((rma, _)) if rma > ma => "BEHIND_MAJOR",
        Some((rma, rmi)) if rma == ma && rmi > mi => "BEHIND_MINOR",
        _ => "UP_TO_DATE",
    }
}

pub fn list_instances(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let svc_filter = i.str("serviceName");
    let p = ctx.part();
    if let Some(s) = svc_filter {
        find(p, s)?;
    }
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in i.array("filters") {
        if let (Some(k), Some(v)) = (
            f.get("key").and_then(Value::as_str),
            f.get("value").and_then(Value::as_str),
        ) {
            filters
                .entry(k.to_string())
                .or_default()
                .push(v.to_string());
        }
    }
    let mut rows: Vec<&ServiceInstance> = vec![];
    for s in p.services.values() {
        if svc_filter.is_some_and(|f| f != s.name) {
            continue;
        }
        for inst in s.instances.values() {
            let ok =
                filters.iter().all(|(k, values)| {
                    values.iter().any(|v| match k.as_str() {
                        "name" => inst.name == *v,
                        "deploymentStatus" => inst.deploy.deployment_status == *v,
                        "templateName" => inst.template_name == *v,
                        "serviceName" => inst.service_name == *v,
                        "environmentName" => inst.environment_name == *v,
                        "deployedTemplateVersionStatus" => version_standing(p, inst) == v,
                        "lastDeploymentAttemptedAtBefore" => parse_time(v)
                            .is_some_and(|t| inst.deploy.last_deployment_attempted_at < t),
                        "lastDeploymentAttemptedAtAfter" => parse_time(v)
                            .is_some_and(|t| inst.deploy.last_deployment_attempted_at > t),
                        "createdAtBefore" => parse_time(v).is_some_and(|t| inst.created_at < t),
                        "createdAtAfter" => parse_time(v).is_some_and(|t| inst.created_at > t),
                        _ => true,
                    })
                });
            if ok {
                rows.push(inst);
            }
        }
    }
    let sort_by = i.str("sortBy").unwrap_or("name");
    let key = |x: &ServiceInstance| -> (String, f64) {
        match sort_by {
            "deploymentStatus" => (x.deploy.deployment_status.clone(), 0.0),
            "templateName" => (x.template_name.clone(), 0.0),
            "serviceName" => (x.service_name.clone(), 0.0),
            "environmentName" => (x.environment_name.clone(), 0.0),
            "lastDeploymentAttemptedAt" => (String::new(), x.deploy.last_deployment_attempted_at),
            "createdAt" => (String::new(), x.created_at),
            _ => (x.name.clone(), 0.0),
        }
    };
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then_with(|| (&a.service_name, &a.name).cmp(&(&b.service_name, &b.name)))
    });
    if i.str("sortOrder") == Some("DESCENDING") {
        rows.reverse();
    }
    let items: Vec<(String, Value)> = rows
        .iter()
        .enumerate()
        .map(|(n, x)| (format!("{n:010}"), render_instance(x)))
        .collect();
    let (page, next) = paginate(items, i.str("nextToken"), i.int("maxResults"))?;
    Ok(json!({"serviceInstances": page, "nextToken": next}))
}

pub fn cancel_instance(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let (svc, name) = (i.req("serviceName")?, i.req("serviceInstanceName")?);
    let (now, due) = (ctx.now, ctx.due());
    let p = ctx.part();
    let inst = find_instance(p, svc, name)?;
    let id = super::deployments::cancellable(&inst.deploy, "service instance", name)?;
    super::deployments::start_cancel(p, &id, now, due);
    Ok(json!({"serviceInstance": render_instance(find_instance(p, svc, name)?)}))
}

pub fn instance_outputs(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let p = ctx.part();
    let inst = find_instance(p, i.req("serviceName")?, i.req("serviceInstanceName")?)?;
    let outs = match i.str("deploymentId") {
        Some(id) => super::deployments::outputs_of(p, id, &inst.arn)?,
        None => inst.deploy.outputs.clone(),
    };
    Ok(json!({"outputs": outputs_json(&outs)}))
}

pub fn instance_provisioned(ctx: &mut Ctx<'_>, i: Input<'_>) -> Result<Value, ApiError> {
    let inst = find_instance(
        ctx.part(),
        i.req("serviceName")?,
        i.req("serviceInstanceName")?,
    )?;
    Ok(json!({"provisionedResources": super::deployments::provisioned_json(&inst.deploy)}))
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn filter_times() {
        assert_eq!(parse_time("1700000000"), Some(1_700_000_000.0));
        assert_eq!(parse_time("2023-11-14T22:13:20Z"), Some(1_700_000_000.0));
        assert_eq!(
            parse_time("2023-11-14T23:13:20+01:00"),
            Some(1_700_000_000.0)
        );
        assert_eq!(parse_time("yesterday"), None);
    }
}
