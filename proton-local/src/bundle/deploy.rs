//! What a deployment does with its template version's bundle: the spec is
//! checked against the bundle's schema (defaults filled in), the
//! infrastructure is rendered with those inputs, the outputs are the ones the
//! infrastructure declares, and the files are written where a user can take
//! them: `--rendered` keeps every deployment's rendered infrastructure, and a
//! self-managed deployment writes its repository folder under `--repositories`.
//! Files are written only once the request that made them is kept.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proton_spec::{Inputs, ServiceInputs, SpecErrors, TemplateSchema};
use serde_json::Value;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

use super::codebuild;
use super::render::params::{self, EnvironmentRef, InstanceRef, ServiceRef};
use super::render::{self, DeclaredOutput, RenderError};
use super::repository::{self, ResourceKind};
use super::{Bundle, InfraDir, RenderingEngine};
use crate::error::ApiError;
use crate::ops::lifecycle;
use crate::ops::spec::Inputs as Outcome;
use crate::ops::templates::{self, Kind};
use crate::store::{
    Deployment as StoredDeployment, Environment, Partition, Pipeline, Service, ServiceInstance,
    TargetType,
};

/// Where deployments write files.
#[derive(Debug, Clone, Default)]
pub struct Folders {
    /// `--rendered`: `<dir>/<account>/<region>/<resource>/<deployment id>/`.
    pub rendered: Option<PathBuf>,
    /// `--repositories`: linked repository `org/infra` is `<dir>/org/infra`.
    pub repositories: Option<PathBuf>,
}

/// Files a kept request writes into `dir`.
#[derive(Debug)]
pub struct PendingWrite {
    pub dir: PathBuf,
    pub files: Vec<(String, String)>,
}

/// Writes what a kept request produced. A failure is logged: the request is
/// already answered, and the files can be written again by redeploying.
pub fn write_all(writes: Vec<PendingWrite>) {
    for w in writes {
        if let Err(e) = repository::write_files(&w.dir, &w.files) {
            tracing::error!(error = %e, "cannot write deployment files");
        }
    }
}

/// The bundle registered for a template version, if proton-local has it.
pub fn bundle<'p>(
    p: &'p Partition,
    kind: Kind,
    template: &str,
    major: &str,
    minor: &str,
) -> Option<&'p Bundle> {
    let t = match kind {
        Kind::Environment => p.env_templates.get(template),
        Kind::Service => p.svc_templates.get(template),
    }?;
    templates::find_version(t, major, minor)?.bundle.as_ref()
}

/// Checks a spec with the version's schema: the validated inputs, None when
/// proton-local has no bundle for the version, or a ValidationException
/// naming each input and the rule it breaks.
fn check<T>(
    bundle: Option<&Bundle>,
    what: &str,
    validate: impl FnOnce(&TemplateSchema) -> Result<T, SpecErrors>,
) -> Result<Option<T>, ApiError> {
    let Some(text) = bundle.and_then(Bundle::schema) else {
        return Ok(None);
    };
    let schema = TemplateSchema::parse(text)
        .map_err(|e| ApiError::validation(format!("The schema of {what} can't be used: {e}")))?;
    validate(&schema).map(Some).map_err(|errors| {
        let each: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
        ApiError::validation(format!(
            "The spec doesn't satisfy the schema of {what}: {}",
            each.join("; ")
        ))
    })
}

/// `environment template NAME version M.m`, for messages.
pub fn version_label(kind: Kind, template: &str, major: &str, minor: &str) -> String {
    format!("{} {template} version {major}.{minor}", kind.noun())
}

pub fn environment_inputs(
    bundle: Option<&Bundle>,
    spec: &str,
    what: &str,
) -> Result<Option<Inputs>, ApiError> {
    check(bundle, what, |s| s.validate_environment_spec(spec))
}

pub fn service_inputs(
    bundle: Option<&Bundle>,
    spec: &str,
    what: &str,
) -> Result<Option<ServiceInputs>, ApiError> {
    check(bundle, what, |s| s.validate_service_spec(spec))
}

pub fn instance_inputs(
    bundle: Option<&Bundle>,
    spec: &str,
    instance: &str,
    what: &str,
) -> Result<Option<Inputs>, ApiError> {
    check(bundle, what, |s| s.validate_instance_spec(spec, instance))
}

pub fn pipeline_inputs(
    bundle: Option<&Bundle>,
    spec: &str,
    what: &str,
) -> Result<Option<Inputs>, ApiError> {
    check(bundle, what, |s| s.validate_pipeline_spec(spec))
}

/// The value that keeps an input as it is (UG ag-svc-update).
pub const CURRENT_VAL: &str = "${Proton::CURRENT_VAL}";

/// A new spec with every `"${Proton::CURRENT_VAL}"` replaced by the value at
/// the same place in the stored spec (instances matched by name); an input
/// the stored spec lacks is dropped, so its default applies.
pub fn resolve_current_values(new: &str, stored: Option<&str>) -> Result<String, ApiError> {
    if !new.contains(CURRENT_VAL) {
        return Ok(new.to_string());
    }
    let load = |t: &str| {
        YamlLoader::load_from_str(t)
            .map_err(|e| ApiError::validation(format!("The spec is not valid YAML: {e}")))
            .map(|d| d.into_iter().next().unwrap_or(Yaml::Null))
    };
    let mut doc = load(new)?;
    let old = match stored {
        Some(s) => load(s).unwrap_or(Yaml::Null),
        None => Yaml::Null,
    };
    keep_current(&mut doc, &old);
    let mut out = String::new();
    YamlEmitter::new(&mut out)
        .dump(&doc)
        .map_err(|e| ApiError::validation(format!("The spec can't be written back: {e}")))?;
    Ok(out + "\n")
}

fn keep_current(new: &mut Yaml, old: &Yaml) {
    match new {
        Yaml::Hash(h) => {
            let keys: Vec<Yaml> = h.keys().cloned().collect();
            for k in keys {
                let prior = match old {
                    Yaml::Hash(o) => o.get(&k),
                    _ => None,
                };
                let is_marker = matches!(h.get(&k), Some(Yaml::String(s)) if s == CURRENT_VAL);
                if is_marker {
                    match prior {
                        Some(v) => {
                            h.insert(k, v.clone());
                        }
                        None => {
                            h.remove(&k);
                        }
                    }
                } else if let Some(v) = h.get_mut(&k) {
                    keep_current(v, prior.unwrap_or(&Yaml::BadValue));
                }
            }
        }
        Yaml::Array(items) => {
            let olds: &[Yaml] = match old {
                Yaml::Array(a) => a,
                _ => &[],
            };
            for (n, item) in items.iter_mut().enumerate() {
                let by_name = item["name"]
                    .as_str()
                    .and_then(|name| olds.iter().find(|o| o["name"].as_str() == Some(name)));
                let prior = by_name.or(olds.get(n)).unwrap_or(&Yaml::BadValue);
                keep_current(item, prior);
            }
        }
        _ => {}
    }
}

/// One deployment to provision from a bundle.
pub struct Deployment<'a> {
    pub kind: ResourceKind,
    pub dir: InfraDir,
    pub id: &'a str,
    pub account: &'a str,
    pub region: &'a str,
    /// The environment it belongs to (the repository layout needs it).
    pub environment: &'a str,
    /// The resource's own name: environment, instance, service (pipeline) or component.
    pub name: &'a str,
    /// `environments/<env>`, `services/<svc>/instances/<inst>`, ... under `--rendered`.
    pub rendered_path: String,
    /// CloudFormation stack name (computed outputs are named after it).
    pub stack: String,
    /// Proton's parameters (`render::params`).
    pub params: Value,
    /// Self-managed: the linked repository's name.
    pub repository: Option<&'a str>,
    pub tags: BTreeMap<String, String>,
}

/// Renders a deployment: its outputs, or the renderer's message as the
/// deployment's failure; queues the files it writes.
pub fn provision(
    bundle: &Bundle,
    d: Deployment<'_>,
    folders: &Folders,
    writes: &mut Vec<PendingWrite>,
) -> Outcome {
    let prefix = format!("{}/", d.dir.dir());
    let files: Vec<(String, String)> = bundle
        .infrastructure_files(d.dir)
        .into_iter()
        .map(|(path, text)| {
            let rel = path.strip_prefix(&prefix).unwrap_or(path);
            (rel.to_string(), text.to_string())
        })
        .collect();
    let engine = bundle
        .manifests
        .get(&d.dir)
        .and_then(|m| m.templates.first())
        .map(|t| t.rendering_engine);
    let result = match engine {
        Some(RenderingEngine::Jinja) => render_cloudformation(&files, &d),
        Some(RenderingEngine::Hcl) => compile_terraform(&files, &d),
        // The job's folder; its outputs come when it is notified (`codebuild`).
        Some(RenderingEngine::Codebuild) => {
            Ok((codebuild::files(bundle, d.dir, d.kind, &d.params), vec![]))
        }
        None => Ok((files, vec![])),
    };
    let (written, outputs) = match result {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                outputs: vec![],
                fail: Some(e.to_string()),
                ..Outcome::default()
            };
        }
    };
    if let Some(root) = &folders.rendered {
        writes.push(PendingWrite {
            dir: rendered_folder(root, d.account, d.region, &d.rendered_path, d.id),
            files: written.clone(),
        });
    }
    if let (Some(root), Some(repo), Some(RenderingEngine::Hcl)) =
        (&folders.repositories, d.repository, engine)
    {
        match repository::repository_dir(root, repo) {
            Ok(repo_dir) => writes.push(PendingWrite {
                dir: repository::deployment_dir(&repo_dir, d.kind, d.environment, d.name),
                files: written,
            }),
            Err(e) => {
                return Outcome {
                    outputs: vec![],
                    fail: Some(e.to_string()),
                    ..Outcome::default()
                };
            }
        }
    }
    Outcome {
        outputs,
        codebuild: engine == Some(RenderingEngine::Codebuild),
        ..Outcome::default()
    }
}

type Rendered = (Vec<(String, String)>, Vec<(String, String)>);

fn render_cloudformation(
    files: &[(String, String)],
    d: &Deployment<'_>,
) -> Result<Rendered, RenderError> {
    let mut rendered = vec![];
    let mut declared: Vec<DeclaredOutput> = vec![];
    for (path, text) in files {
        let out = render::render_jinja(path, text, &d.params)?;
        declared.extend(render::cloudformation_outputs(path, &out)?);
        rendered.push((path.clone(), out));
    }
    Ok((rendered, render::output_values(&declared, &d.stack)))
}

fn compile_terraform(
    files: &[(String, String)],
    d: &Deployment<'_>,
) -> Result<Rendered, RenderError> {
    let declared = render::terraform_outputs(
        files
            .iter()
            .filter(|(p, _)| p.ends_with(".tf"))
            .map(|(p, t)| (p.as_str(), t.as_str())),
    )?;
    let compiled = repository::compiled_files(d.kind, files, &d.params, &d.tags);
    // Self-managed outputs come from NotifyResourceDeploymentStatusChange.
    let outputs = if d.repository.is_some() {
        vec![]
    } else {
        render::output_values(&declared, &d.stack)
    };
    Ok((compiled, outputs))
}

/// The deployment's outcome with the markers of its spec (tests use them to make a deployment,
/// its delete or its cancel fail); `proton_local_fail` only when rendering itself succeeded.
pub(super) fn with_marker(mut o: Outcome, markers: &Outcome) -> Outcome {
    if o.fail.is_none() {
        o.fail = markers.fail.clone();
    }
    o.fail_delete = markers.fail_delete.clone();
    o.cancel = markers.cancel;
    o
}

/// A deployment that fails before anything is rendered.
fn failed(message: String, markers: &Outcome) -> Outcome {
    with_marker(
        Outcome {
            fail: Some(message),
            ..Outcome::default()
        },
        markers,
    )
}

/// The resource a deployment's files belong to under `--rendered`.
pub enum RenderedTarget<'a> {
    Environment(&'a str),
    /// Service and instance.
    Instance(&'a str, &'a str),
    /// The service whose pipeline it is.
    Pipeline(&'a str),
    Component(&'a str),
}

impl<'a> RenderedTarget<'a> {
    /// The target of a stored deployment (None when its record lacks a name it needs).
    pub fn of(dep: &'a StoredDeployment) -> Option<Self> {
        let service = dep.service_name.as_deref();
        Some(match dep.target_type {
            TargetType::Environment => Self::Environment(&dep.environment_name),
            TargetType::ServiceInstance => {
                Self::Instance(service?, dep.service_instance_name.as_deref()?)
            }
            TargetType::ServicePipeline => Self::Pipeline(service?),
            TargetType::Component => Self::Component(dep.component_name.as_deref()?),
        })
    }

    /// `environments/<env>`, `services/<svc>/instances/<inst>`, `services/<svc>/pipeline` or
    /// `components/<comp>`.
    pub fn path(&self) -> String {
        match self {
            Self::Environment(env) => format!("environments/{env}"),
            Self::Instance(service, instance) => format!("services/{service}/instances/{instance}"),
            Self::Pipeline(service) => format!("services/{service}/pipeline"),
            Self::Component(component) => format!("components/{component}"),
        }
    }
}

/// A deployment's folder: `<root>/<account>/<region>/<target path>/<deployment id>`.
pub fn rendered_folder(root: &Path, account: &str, region: &str, path: &str, id: &str) -> PathBuf {
    root.join(account).join(region).join(path).join(id)
}

/// Where the deployment's files go and what it is called.
pub struct Sink<'a> {
    pub folders: &'a Folders,
    pub writes: &'a mut Vec<PendingWrite>,
    pub deployment_id: &'a str,
}

fn string_outputs(inputs: &Inputs) -> Vec<(String, String)> {
    inputs
        .iter()
        .filter(|(k, _)| k.as_str() != crate::ops::spec::FAIL_MARKER)
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect()
}

pub(super) fn env_ref(p: &Partition, name: &str) -> EnvironmentRef {
    let e = p.environments.get(name);
    EnvironmentRef {
        name: name.to_string(),
        account_id: e
            .and_then(|e| e.environment_account_id.clone())
            .unwrap_or_else(|| p.account.clone()),
        outputs: e.map(|e| e.deploy.outputs.clone()).unwrap_or_default(),
    }
}

/// `proton_tags`: the account, the template's ARN, and the resource's own
/// `proton:*` ARNs (UG resources).
fn proton_tags(
    p: &Partition,
    kind: Kind,
    template: &str,
    own: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let template_arn = match kind {
        Kind::Environment => p.env_templates.get(template),
        Kind::Service => p.svc_templates.get(template),
    }
    .map(|t| t.arn.clone())
    .unwrap_or_default();
    let mut tags = BTreeMap::from([
        ("proton:account".to_string(), p.account.clone()),
        ("proton:template".to_string(), template_arn),
    ]);
    tags.extend(
        own.iter()
            .map(|(k, v)| (format!("proton:{k}"), v.to_string())),
    );
    tags
}

/// Deploying environment `e` with its validated inputs: None when proton-local
/// has no bundle for its version (then the spec's values are the outputs).
/// A CUSTOMER_MANAGED environment provisions nothing: its inputs are its outputs.
pub fn environment(
    p: &Partition,
    e: &Environment,
    inputs: &Inputs,
    markers: &Outcome,
    sink: Sink<'_>,
) -> Option<Outcome> {
    let b = bundle(p, Kind::Environment, &e.template_name, &e.major, &e.minor)?;
    if e.provisioning.as_deref() == Some("CUSTOMER_MANAGED") {
        return Some(with_marker(
            Outcome {
                outputs: string_outputs(inputs),
                fail: None,
                ..Outcome::default()
            },
            markers,
        ));
    }
    if let Some(fail) = codebuild::missing_role(b, InfraDir::Infrastructure, Some(e), &p.settings) {
        return Some(failed(fail, markers));
    }
    let tags = proton_tags(
        p,
        Kind::Environment,
        &e.template_name,
        &[("environment", &e.arn)],
    );
    let d = Deployment {
        kind: ResourceKind::Environment,
        dir: InfraDir::Infrastructure,
        id: sink.deployment_id,
        account: &p.account,
        region: &p.region,
        environment: &e.name,
        name: &e.name,
        rendered_path: RenderedTarget::Environment(&e.name).path(),
        stack: lifecycle::stack_name(&e.name, &e.arn),
        params: params::environment(&e.name, inputs),
        repository: e.provisioning_repository.as_ref().map(|r| r.name.as_str()),
        tags,
    };
    Some(with_marker(
        provision(b, d, sink.folders, sink.writes),
        markers,
    ))
}

pub(super) fn service_ref(s: &Service) -> ServiceRef {
    ServiceRef {
        name: s.name.clone(),
        branch_name: s.branch_name.clone(),
        repository_connection_arn: s.repository_connection_arn.clone(),
        repository_id: s.repository_id.clone(),
    }
}

/// Deploying instance `inst` of service `s` with its validated inputs (see `environment`).
pub fn service_instance(
    p: &Partition,
    s: &Service,
    inst: &ServiceInstance,
    inputs: &Inputs,
    markers: &Outcome,
    sink: Sink<'_>,
) -> Option<Outcome> {
    let b = bundle(
        p,
        Kind::Service,
        &inst.template_name,
        &inst.major,
        &inst.minor,
    )?;
    let env = p.environments.get(&inst.environment_name);
    if let Some(fail) =
        codebuild::missing_role(b, InfraDir::InstanceInfrastructure, env, &p.settings)
    {
        return Some(failed(fail, markers));
    }
    let component = p.components.values().find(|c| {
        c.service_name.as_deref() == Some(s.name.as_str())
            && c.service_instance_name.as_deref() == Some(inst.name.as_str())
    });
    let params = params::service_instance(
        &service_ref(s),
        &inst.name,
        inputs,
        &env_ref(p, &inst.environment_name),
        component.map(|c| (c.name.as_str(), c.deploy.outputs.as_slice())),
    );
    let tags = proton_tags(
        p,
        Kind::Service,
        &inst.template_name,
        &[
            ("environment", env.map_or("", |e| e.arn.as_str())),
            ("service", &s.arn),
            ("service-instance", &inst.arn),
        ],
    );
    let repository = env
        .filter(|_| inst.deploy.self_managed)
        .and_then(|e| e.provisioning_repository.as_ref())
        .map(|r| r.name.as_str());
    let d = Deployment {
        kind: ResourceKind::ServiceInstance,
        dir: InfraDir::InstanceInfrastructure,
        id: sink.deployment_id,
        account: &p.account,
        region: &p.region,
        environment: &inst.environment_name,
        name: &inst.name,
        rendered_path: RenderedTarget::Instance(&s.name, &inst.name).path(),
        stack: lifecycle::stack_name(&inst.name, &inst.arn),
        params,
        repository,
        tags,
    };
    Some(with_marker(
        provision(b, d, sink.folders, sink.writes),
        markers,
    ))
}

/// The service's instances as its pipeline sees them: `inputs` gives each
/// instance's validated inputs by name (others are read from its stored spec).
pub fn pipeline_instances(
    p: &Partition,
    s: &Service,
    inputs: &BTreeMap<String, Inputs>,
) -> Vec<InstanceRef> {
    s.instances
        .values()
        .filter(|i| i.delete_due.is_none())
        .map(|i| {
            let own = inputs.get(&i.name).cloned().or_else(|| {
                let b = bundle(p, Kind::Service, &i.template_name, &i.major, &i.minor);
                let spec = i.spec.as_deref().unwrap_or(&s.spec);
                instance_inputs(b, spec, &i.name, "").ok().flatten()
            });
            InstanceRef {
                name: i.name.clone(),
                inputs: own.unwrap_or_default(),
                outputs: i.deploy.outputs.clone(),
                environment: env_ref(p, &i.environment_name),
            }
        })
        .collect()
}

/// The instances a service spec lists, as its pipeline sees them before they
/// are deployed (no outputs yet).
pub fn instance_refs(p: &Partition, validated: &ServiceInputs) -> Vec<InstanceRef> {
    validated
        .instances
        .iter()
        .map(|i| InstanceRef {
            name: i.name.clone(),
            inputs: i.inputs.clone(),
            outputs: vec![],
            environment: env_ref(p, &i.environment),
        })
        .collect()
}

/// Deploying the pipeline of service `s` with its validated inputs (see `environment`).
pub fn pipeline(
    p: &Partition,
    s: &Service,
    pl: &Pipeline,
    inputs: &Inputs,
    instances: &[InstanceRef],
    markers: &Outcome,
    sink: Sink<'_>,
) -> Option<Outcome> {
    let b = bundle(p, Kind::Service, &pl.template_name, &pl.major, &pl.minor)?;
    if let Some(fail) =
        codebuild::missing_role(b, InfraDir::PipelineInfrastructure, None, &p.settings)
    {
        return Some(failed(fail, markers));
    }
    let tags = proton_tags(p, Kind::Service, &pl.template_name, &[("service", &s.arn)]);
    let repository = p
        .settings
        .pipeline_provisioning_repository
        .as_ref()
        .filter(|_| pl.deploy.self_managed)
        .map(|r| r.name.as_str());
    let environment = instances
        .first()
        .map(|i| i.environment.name.clone())
        .unwrap_or_default();
    let d = Deployment {
        kind: ResourceKind::Pipeline,
        dir: InfraDir::PipelineInfrastructure,
        id: sink.deployment_id,
        account: &p.account,
        region: &p.region,
        environment: &environment,
        name: &s.name,
        rendered_path: RenderedTarget::Pipeline(&s.name).path(),
        stack: lifecycle::stack_name(&format!("{}-pipeline", s.name), &pl.arn),
        params: params::pipeline(&service_ref(s), inputs, instances),
        repository,
        tags,
    };
    Some(with_marker(
        provision(b, d, sink.folders, sink.writes),
        markers,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_values_come_from_the_stored_spec() {
        let stored = "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n    spec:\n      port: 80\n      size: small\n";
        let new = "proton: ServiceSpec\ninstances:\n  - name: a\n    environment: e\n    spec:\n      port: \"${Proton::CURRENT_VAL}\"\n      size: large\n      gone: \"${Proton::CURRENT_VAL}\"\n";
        let out = resolve_current_values(new, Some(stored)).unwrap();
        let doc = &YamlLoader::load_from_str(&out).unwrap()[0];
        let spec = &doc["instances"][0]["spec"];
        assert_eq!(spec["port"].as_i64(), Some(80));
        assert_eq!(spec["size"].as_str(), Some("large"));
        assert!(spec["gone"].is_badvalue());
        let plain = "proton: EnvironmentSpec\nspec:\n  a: 1\n";
        assert_eq!(resolve_current_values(plain, None).unwrap(), plain);
    }
}
