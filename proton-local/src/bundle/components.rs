//! Deploying a directly defined component (UG ag-components): its `manifest`
//! and `templateFile` are a one-file bundle, rendered like the others with the
//! component's parameters (UG comp-parameters). In an environment with
//! self-managed provisioning, its compiled Terraform goes to the environment's
//! repository, in the component's folder, and the deployment waits for
//! NotifyResourceDeploymentStatusChange.

use std::collections::BTreeMap;

use super::deploy::{self, Deployment, RenderedTarget, Sink, env_ref, service_ref, with_marker};
use super::render::params::{self, AttachedTo};
use super::repository::ResourceKind;
use super::{InfraDir, layout};
use crate::ops::lifecycle;
use crate::ops::spec::{self, Inputs as Outcome};
use crate::ops::templates::Kind;
use crate::store::{Component, Partition};

/// What deploying component `c` produces: the outputs its template declares,
/// or its manifest's or the renderer's message as the deployment's failure;
/// `markers` are those of its template file.
pub fn deploy(p: &Partition, c: &Component, markers: &Outcome, sink: Sink<'_>) -> Outcome {
    let bundle = match layout::component(&c.manifest, &c.template_file) {
        Ok(b) => b,
        Err(e) => {
            let failed = Outcome {
                fail: Some(format!("The component's {e}")),
                ..Outcome::default()
            };
            return with_marker(failed, markers);
        }
    };
    let env = p.environments.get(&c.environment_name);
    let attached = attached_to(p, c);
    let (service_arn, instance_arn) = attachment_arns(p, c).unzip();
    let own = [
        ("proton:environment", env.map(|e| e.arn.clone())),
        ("proton:service", service_arn),
        ("proton:service-instance", instance_arn),
        ("proton:component", Some(c.arn.clone())),
    ];
    let mut tags = BTreeMap::from([("proton:account".to_string(), p.account.clone())]);
    tags.extend(
        own.into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), v?))),
    );
    let repository = env
        .filter(|_| c.deploy.self_managed)
        .and_then(|e| e.provisioning_repository.as_ref())
        .map(|r| r.name.as_str());
    let d = Deployment {
        kind: ResourceKind::Component,
        dir: InfraDir::Component,
        id: sink.deployment_id,
        account: &p.account,
        region: &p.region,
        environment: &c.environment_name,
        name: &c.name,
        rendered_path: RenderedTarget::Component(&c.name).path(),
        stack: lifecycle::stack_name(&c.name, &c.arn),
        params: params::component(&c.name, &env_ref(p, &c.environment_name), attached.as_ref()),
        repository,
        tags,
    };
    with_marker(
        deploy::provision(&bundle, d, sink.folders, sink.writes),
        markers,
    )
}

/// The ARNs of the service and instance `c` is attached to (`proton_tags`, UG resources).
fn attachment_arns(p: &Partition, c: &Component) -> Option<(String, String)> {
    let s = p.services.get(c.service_name.as_deref()?)?;
    let inst = s.instances.get(c.service_instance_name.as_deref()?)?;
    Some((s.arn.clone(), inst.arn.clone()))
}

/// The instance `c` is attached to, with its inputs as the component sees
/// them: from the component's `serviceSpec` when it has one, else from the
/// instance's own spec; the schema's defaults filled in when proton-local has
/// the instance's bundle and the spec satisfies it.
fn attached_to(p: &Partition, c: &Component) -> Option<AttachedTo> {
    let s = p.services.get(c.service_name.as_deref()?)?;
    let inst = s.instances.get(c.service_instance_name.as_deref()?)?;
    let text = c
        .service_spec
        .as_deref()
        .or(inst.spec.as_deref())
        .unwrap_or(&s.spec);
    let bundle = deploy::bundle(
        p,
        Kind::Service,
        &inst.template_name,
        &inst.major,
        &inst.minor,
    );
    let inputs = deploy::instance_inputs(bundle, text, &inst.name, "")
        .ok()
        .flatten()
        .unwrap_or_else(|| {
            let written = spec::parse(text, "serviceSpec")
                .map(|doc| spec::instance_inputs(&doc, &inst.name))
                .unwrap_or_default();
            written
                .outputs
                .into_iter()
                .map(|(k, v)| (k, serde_json::Value::String(v)))
                .collect()
        });
    Some(AttachedTo {
        service: service_ref(s),
        instance: inst.name.clone(),
        inputs,
    })
}
