//! Time-driven transitions. Nothing runs in the background: before each
//! request the state is brought up to "now" by applying every transition whose
//! deadline has passed, in deadline order. Deadlines are wall-clock times kept
//! in the state, so after a restart work resumes where its clock says, and a
//! transition's time is its deadline, not the time someone looked.

use serde_json::Value;

use super::spec::{CancelEnding, Inputs};
use crate::clock::Epoch;
use crate::store::{
    Deployable, Deployment, Partition, ProvisionedResource, State, SyncBlocker, TargetType,
};

/// Applies what is due. Partitions with nothing due are not looked at
/// (`State::advance_due`), so a request costs the same whatever the store holds.
pub fn advance(state: &mut State, now: Epoch) {
    state.advance_due(now, |p, now| {
        super::templates::advance_registrations(p, now);
        expire(p, now);
        advance_deployments(p, now);
        advance_deletes(p, now);
        advance_services(p, now);
    });
}

fn expire(p: &mut Partition, now: Epoch) {
    p.tokens.retain(|_, t| t.expires_at > now);
    p.tombstones.retain(|_, t| t.expires_at > now);
}

/// What a new deployment is about.
pub struct NewDeployment {
    pub target_type: TargetType,
    pub target_arn: String,
    pub target_created_at: Epoch,
    pub environment_name: String,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub component_name: Option<String>,
    pub initial_state: Option<Value>,
    pub target_state: Value,
    pub inputs: Inputs,
}

/// A deployment's identity and clock, taken before its target is worked out (`Ctx::new_deployment`).
pub struct DeploymentStart {
    pub id: String,
    pub arn: String,
    pub now: Epoch,
    pub due: Epoch,
}

/// Starts a deployment of a target: the target goes IN_PROGRESS and the
/// returned record (to be stored in `deployments`) finishes at `start.due`, or,
/// for self-managed provisioning, when it reports back.
pub fn begin(d: &mut Deployable, start: DeploymentStart, nd: NewDeployment) -> Deployment {
    let DeploymentStart { id, arn, now, due } = start;
    let dep = Deployment {
        id: id.clone(),
        arn,
        target_type: nd.target_type,
        target_arn: nd.target_arn,
        target_created_at: nd.target_created_at,
        environment_name: nd.environment_name,
        service_name: nd.service_name,
        service_instance_name: nd.service_instance_name,
        component_name: nd.component_name,
        status: "IN_PROGRESS".to_string(),
        status_message: None,
        created_at: now,
        last_modified_at: now,
        completed_at: None,
        initial_state: nd.initial_state,
        target_state: nd.target_state,
        previous_attempted_id: d.last_attempted_deployment_id.clone(),
        previous_succeeded_id: d.last_succeeded_deployment_id.clone(),
        // A self-managed or CodeBuild deployment that can't be rendered opens no pull request or job: it fails as
        // any other does.
        due_at: if (d.self_managed || nd.inputs.codebuild) && nd.inputs.fail.is_none() {
            None
        } else {
            Some(due)
        },
        fail_message: nd.inputs.fail,
        cancel_ending: nd.inputs.cancel.unwrap_or_default(),
        outputs: nd.inputs.outputs,
        codebuild: nd.inputs.codebuild,
    };
    d.deployment_status = "IN_PROGRESS".to_string();
    d.deployment_status_message = None;
    d.last_attempted_deployment_id = Some(id);
    d.last_deployment_attempted_at = now;
    dep
}

/// A fresh deployable record for a resource created at `now`.
pub fn new_deployable(now: Epoch, self_managed: bool) -> Deployable {
    Deployable {
        deployment_status: "IN_PROGRESS".to_string(),
        last_deployment_attempted_at: now,
        last_deployment_succeeded_at: now,
        self_managed,
        ..Deployable::default()
    }
}

/// The message Proton leaves on a cancelled deployment (UG ag-env-update).
pub const CANCELLED_MESSAGE: &str = "User initiated cancellation.";

/// The message of a cancel that failed (`proton_local_cancel: fail`).
pub const CANCEL_FAILED_MESSAGE: &str = "The cancellation failed; the deployment stopped.";

/// Starts deleting a deployed target. The delete ends DELETE_FAILED with `failure` (the
/// `proton_local_fail_delete` marker of its spec), unless this delete retries one that failed.
pub fn begin_delete(d: &mut Deployable, failure: Option<String>) {
    let retry = d.deployment_status == "DELETE_FAILED";
    d.delete_failure = failure.filter(|_| !retry);
    d.deployment_status = "DELETE_IN_PROGRESS".to_string();
    d.deployment_status_message = None;
}

/// A delete of `d` is due: true when the target goes; false when it stays, DELETE_FAILED.
fn end_delete(d: &mut Deployable) -> bool {
    match d.delete_failure.take() {
        Some(message) => {
            d.deployment_status = "DELETE_FAILED".to_string();
            d.deployment_status_message = Some(message);
            false
        }
        None => true,
    }
}

pub fn is_active(status: &str) -> bool {
    matches!(status, "IN_PROGRESS" | "CANCELLING" | "DELETE_IN_PROGRESS")
}

/// The deployed object `dep` is about, if it still exists.
pub(crate) fn target_mut<'p>(p: &'p mut Partition, dep: &Deployment) -> Option<&'p mut Deployable> {
    match dep.target_type {
        TargetType::Environment => p
            .environments
            .get_mut(&dep.environment_name)
            .map(|e| &mut e.deploy),
        TargetType::ServiceInstance => p
            .services
            .get_mut(dep.service_name.as_deref()?)?
            .instances
            .get_mut(dep.service_instance_name.as_deref()?)
            .map(|i| &mut i.deploy),
        TargetType::ServicePipeline => p
            .services
            .get_mut(dep.service_name.as_deref()?)?
            .pipeline
            .as_mut()
            .map(|pl| &mut pl.deploy),
        TargetType::Component => p
            .components
            .get_mut(dep.component_name.as_deref()?)
            .map(|c| &mut c.deploy),
    }
}

fn short_hash(s: &str) -> String {
    crate::http::sigv4::sha256_hex(s.as_bytes())[..12].to_string()
}

/// One stack per target, named after it (`leaf`: the component, instance,
/// `<service>-pipeline` or environment), so redeploys keep the same resource.
pub fn stack_name(leaf: &str, target_arn: &str) -> String {
    format!("AWSProton-{leaf}-{}", short_hash(target_arn))
}

fn provisioned_for(p: &Partition, dep: &Deployment, self_managed: bool) -> ProvisionedResource {
    let leaf = dep
        .component_name
        .clone()
        .or_else(|| dep.service_instance_name.clone())
        .or_else(|| dep.service_name.clone().map(|s| format!("{s}-pipeline")))
        .unwrap_or_else(|| dep.environment_name.clone());
    let stack = stack_name(&leaf, &dep.target_arn);
    if self_managed {
        ProvisionedResource {
            name: stack.clone(),
            identifier: format!("terraform:{}:{stack}", p.region),
            engine: "TERRAFORM".to_string(),
        }
    } else {
        ProvisionedResource {
            name: stack.clone(),
            identifier: format!(
                "arn:aws:cloudformation:{}:{}:stack/{stack}/{}",
                p.region,
                p.account,
                &crate::http::sigv4::sha256_hex(dep.target_arn.as_bytes())[..32]
            ),
            engine: "CLOUDFORMATION".to_string(),
        }
    }
}

/// Ends (or moves) a deployment and reflects it on its target if the target
/// still points at it. Used by the clock and by self-managed notifications.
pub fn finish(
    p: &mut Partition,
    id: &str,
    status: &str,
    message: Option<String>,
    outputs: Option<Vec<(String, String)>>,
    at: Epoch,
) {
    let Some(dep) = p.deployments.get_mut(id) else {
        return;
    };
    dep.status = status.to_string();
    dep.status_message = message.clone();
    dep.last_modified_at = at;
    dep.due_at = None;
    if matches!(status, "SUCCEEDED" | "FAILED" | "CANCELLED") {
        dep.completed_at = Some(at);
    }
    if let Some(o) = outputs {
        dep.outputs = o;
    }
    let dep = dep.clone();
    let self_managed = target_mut(p, &dep).is_some_and(|d| d.self_managed);
    let prov = provisioned_for(p, &dep, self_managed);
    if let Some(d) = target_mut(p, &dep) {
        if d.last_attempted_deployment_id.as_deref() != Some(id) {
            return;
        }
        d.deployment_status = status.to_string();
        d.deployment_status_message = message.clone();
        if status == "SUCCEEDED" {
            d.last_succeeded_deployment_id = Some(id.to_string());
            d.last_deployment_succeeded_at = at;
            d.outputs = dep.outputs.clone();
            d.provisioned = vec![prov];
        }
    }
    if status == "CANCELLED" {
        revert(p, &dep);
    }
    if status == "FAILED" {
        block_sync(p, &dep, message.unwrap_or_default(), at);
    }
}

fn state_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A cancelled deployment leaves its target as it was before.
fn revert(p: &mut Partition, dep: &Deployment) {
    let Some(init) = &dep.initial_state else {
        return;
    };
    match dep.target_type {
        TargetType::Environment => {
            let s = &init["environment"];
            if let Some(e) = p.environments.get_mut(&dep.environment_name) {
                e.spec = state_str(s, "spec");
                if let (Some(a), Some(b)) = (
                    state_str(s, "templateMajorVersion"),
                    state_str(s, "templateMinorVersion"),
                ) {
                    e.major = a;
                    e.minor = b;
                }
            }
        }
        TargetType::ServiceInstance => {
            let s = &init["serviceInstance"];
            let svc = dep.service_name.as_deref().unwrap_or_default();
            let inst = dep.service_instance_name.as_deref().unwrap_or_default();
            if let Some(i) = p
                .services
                .get_mut(svc)
                .and_then(|x| x.instances.get_mut(inst))
            {
                i.spec = state_str(s, "spec");
                if let (Some(a), Some(b)) = (
                    state_str(s, "templateMajorVersion"),
                    state_str(s, "templateMinorVersion"),
                ) {
                    i.major = a;
                    i.minor = b;
                }
            }
        }
        TargetType::ServicePipeline => {
            let s = &init["servicePipeline"];
            let svc = dep.service_name.as_deref().unwrap_or_default();
            if let Some(pl) = p.services.get_mut(svc).and_then(|x| x.pipeline.as_mut()) {
                pl.spec = state_str(s, "spec");
                if let (Some(a), Some(b)) = (
                    state_str(s, "templateMajorVersion"),
                    state_str(s, "templateMinorVersion"),
                ) {
                    pl.major = a;
                    pl.minor = b;
                }
            }
        }
        TargetType::Component => {
            let s = &init["component"];
            let name = dep.component_name.as_deref().unwrap_or_default();
            if let Some(c) = p.components.get_mut(name) {
                c.service_spec = state_str(s, "serviceSpec");
                if let Some(t) = state_str(s, "templateFile") {
                    c.template_file = t;
                }
                c.service_name = state_str(s, "serviceName").filter(|x| !x.is_empty());
                c.service_instance_name =
                    state_str(s, "serviceInstanceName").filter(|x| !x.is_empty());
            }
        }
    }
}

/// A failed deployment of a service that syncs from a repository blocks the
/// sync until someone resolves it (UpdateServiceSyncBlocker).
fn block_sync(p: &mut Partition, dep: &Deployment, reason: String, at: Epoch) {
    let Some(svc) = dep.service_name.clone() else {
        return;
    };
    if !p.service_syncs.contains_key(&svc)
        || !matches!(
            dep.target_type,
            TargetType::ServiceInstance | TargetType::ServicePipeline
        )
    {
        return;
    }
    let id = dep.id.clone();
    let mut contexts = vec![("serviceName".to_string(), svc.clone())];
    if let Some(i) = &dep.service_instance_name {
        contexts.push(("serviceInstanceName".to_string(), i.clone()));
    }
    contexts.push(("deploymentId".to_string(), dep.id.clone()));
    p.blockers.insert(
        id.clone(),
        SyncBlocker {
            id,
            service_name: svc,
            service_instance_name: dep.service_instance_name.clone(),
            status: "ACTIVE".to_string(),
            created_at: at,
            created_reason: if reason.is_empty() {
                "Deployment failed".to_string()
            } else {
                reason
            },
            resolved_at: None,
            resolved_reason: None,
            contexts,
        },
    );
}

fn advance_deployments(p: &mut Partition, now: Epoch) {
    let mut due: Vec<(Epoch, String)> = p
        .deployments
        .values()
        .filter_map(|d| d.due_at.filter(|t| *t <= now).map(|t| (t, d.id.clone())))
        .collect();
    due.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    for (at, id) in due {
        let Some(dep) = p.deployments.get(&id) else {
            continue;
        };
        match dep.status.as_str() {
            "IN_PROGRESS" => match dep.fail_message.clone() {
                Some(msg) => finish(p, &id, "FAILED", Some(msg), None, at),
                None => finish(p, &id, "SUCCEEDED", None, None, at),
            },
            "CANCELLING" => {
                let (status, message) = match dep.cancel_ending {
                    CancelEnding::Cancelled => ("CANCELLED", Some(CANCELLED_MESSAGE.to_string())),
                    CancelEnding::Failed => ("FAILED", Some(CANCEL_FAILED_MESSAGE.to_string())),
                    // The deployment finished before the cancel: it ends as it would have.
                    CancelEnding::Late => match dep.fail_message.clone() {
                        Some(msg) => ("FAILED", Some(msg)),
                        None => ("SUCCEEDED", None),
                    },
                };
                finish(p, &id, status, message, None, at);
            }
            _ => {
                if let Some(d) = p.deployments.get_mut(&id) {
                    d.due_at = None;
                }
            }
        }
    }
}

fn drop_target(p: &mut Partition, arn: &str) {
    p.deployments.retain(|_, d| d.target_arn != arn);
    p.tags.remove(arn);
}

fn advance_deletes(p: &mut Partition, now: Epoch) {
    let envs: Vec<String> = p
        .environments
        .values()
        .filter(|e| e.delete_due.is_some_and(|t| t <= now))
        .map(|e| e.name.clone())
        .collect();
    for name in envs {
        let Some(e) = p.environments.get_mut(&name) else {
            continue;
        };
        e.delete_due = None;
        if end_delete(&mut e.deploy) {
            let arn = e.arn.clone();
            p.environments.remove(&name);
            drop_target(p, &arn);
        }
    }
    let comps: Vec<String> = p
        .components
        .values()
        .filter(|c| c.delete_due.is_some_and(|t| t <= now))
        .map(|c| c.name.clone())
        .collect();
    for name in comps {
        let Some(c) = p.components.get_mut(&name) else {
            continue;
        };
        c.delete_due = None;
        if end_delete(&mut c.deploy) {
            let arn = c.arn.clone();
            p.components.remove(&name);
            drop_target(p, &arn);
        }
    }
    let services: Vec<String> = p
        .services
        .values()
        .filter(|s| s.delete_due.is_some_and(|t| t <= now))
        .map(|s| s.name.clone())
        .collect();
    for name in services {
        delete_service_parts(p, &name);
    }
    // Instances removed from a service's spec by UpdateService.
    let mut gone = vec![];
    let due_now = |i: &crate::store::ServiceInstance| i.delete_due.is_some_and(|t| t <= now);
    let services: Vec<String> = p
        .services
        .values()
        .filter(|s| s.instances.values().any(due_now))
        .map(|s| s.name.clone())
        .collect();
    for name in services {
        let Some(s) = p.services.get_mut(&name) else {
            continue;
        };
        s.instances.retain(|_, i| {
            if !due_now(i) {
                return true;
            }
            i.delete_due = None;
            let goes = end_delete(&mut i.deploy);
            if goes {
                gone.push(i.arn.clone());
            }
            !goes
        });
    }
    for a in gone {
        drop_target(p, &a);
    }
}

/// DeleteService is due: its instances and pipeline go, except those whose delete fails
/// (DELETE_FAILED); then the service goes too, or stays DELETE_FAILED with the first failure.
fn delete_service_parts(p: &mut Partition, name: &str) {
    let Some(s) = p.services.get_mut(name) else {
        return;
    };
    s.delete_due = None;
    let mut gone = vec![];
    let mut failure = None;
    s.instances.retain(|_, i| {
        let goes = end_delete(&mut i.deploy);
        if goes {
            gone.push(i.arn.clone());
        } else if failure.is_none() {
            failure = i.deploy.deployment_status_message.clone();
        }
        !goes
    });
    if let Some(pl) = s.pipeline.as_mut() {
        if end_delete(&mut pl.deploy) {
            gone.push(pl.arn.clone());
            s.pipeline = None;
        } else if failure.is_none() {
            failure = pl.deploy.deployment_status_message.clone();
        }
    }
    if let Some(message) = failure {
        s.status = "DELETE_FAILED".to_string();
        s.status_message = Some(message);
    } else {
        gone.push(s.arn.clone());
        p.services.remove(name);
        p.service_syncs.remove(name);
        p.blockers.retain(|_, b| b.service_name != name);
    }
    for a in gone {
        drop_target(p, &a);
    }
}

/// Services follow their instances and pipeline: when every one of them is
/// done, the service is ACTIVE, or failed if one of them failed.
fn advance_services(p: &mut Partition, now: Epoch) {
    let ready: Vec<String> = p
        .services
        .values()
        .filter(|s| {
            matches!(
                s.status.as_str(),
                "CREATE_IN_PROGRESS" | "UPDATE_IN_PROGRESS"
            )
        })
        .filter(|s| s.due_at.is_some_and(|due| due <= now))
        .filter(|s| !s.waits_on_parts())
        .map(|s| s.name.clone())
        .collect();
    let mut cleaned_up = vec![];
    for name in ready {
        let Some(s) = p.services.get_mut(&name) else {
            continue;
        };
        let creating = s.status == "CREATE_IN_PROGRESS";
        let undo = s.update_undo.take();
        // A failed addition: the new instances go and the spec is restored (UG ag-svc-update).
        let failed_addition = undo.as_ref().and_then(|u| {
            u.added
                .iter()
                .filter_map(|n| s.instances.get(n))
                .find(|i| matches!(i.deploy.deployment_status.as_str(), "FAILED" | "CANCELLED"))
                .map(|i| {
                    i.deploy
                        .deployment_status_message
                        .clone()
                        .unwrap_or_else(|| {
                            format!(
                                "Service instance {} ended {}.",
                                i.name, i.deploy.deployment_status
                            )
                        })
                })
        });
        if let (Some(undo), Some(msg)) = (undo, failed_addition) {
            for added in &undo.added {
                if let Some(i) = s.instances.remove(added) {
                    cleaned_up.push(i.arn);
                }
            }
            s.spec = undo.spec;
            s.due_at = None;
            s.status = "UPDATE_FAILED_CLEANUP_COMPLETE".to_string();
            s.status_message = Some(msg);
            continue;
        }
        let failure = s
            .instances
            .values()
            .map(|i| &i.deploy)
            .chain(s.pipeline.iter().map(|pl| &pl.deploy))
            .find(|d| matches!(d.deployment_status.as_str(), "FAILED" | "CANCELLED"))
            .map(|d| {
                d.deployment_status_message
                    .clone()
                    .unwrap_or_else(|| format!("A deployment ended {}.", d.deployment_status))
            });
        // An instance the update removed that failed to delete: the update itself is done.
        let cleanup_failure = s
            .instances
            .values()
            .find(|i| i.deploy.deployment_status == "DELETE_FAILED")
            .map(|i| {
                i.deploy
                    .deployment_status_message
                    .clone()
                    .unwrap_or_default()
            });
        s.due_at = None;
        if failure.is_none()
            && !creating
            && let Some(msg) = cleanup_failure
        {
            s.status = "UPDATE_COMPLETE_CLEANUP_FAILED".to_string();
            s.status_message = Some(msg);
            continue;
        }
        match failure {
            Some(msg) => {
                s.status = if creating {
                    "CREATE_FAILED"
                } else {
                    "UPDATE_FAILED"
                }
                .to_string();
                s.status_message = Some(msg);
            }
            None => {
                s.status = "ACTIVE".to_string();
                s.status_message = None;
            }
        }
    }
    for arn in cleaned_up {
        drop_target(p, &arn);
    }
}
