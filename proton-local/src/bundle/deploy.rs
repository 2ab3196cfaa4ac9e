//! What a deployment does with its template version's bundle: the spec is
//! checked against the bundle's schema (defaults filled in), the
//! infrastructure is rendered with those inputs, the outputs are the ones the
//! infrastructure declares, and the files are written where a user can take
//! them: `--rendered` keeps every deployment's rendered infrastructure, and a
//! self-managed deployment writes its repository folder under `--repositories`.
//! Files are written only once the request that made them is kept.

use std::collections::BTreeMap;
use std::path::PathBuf;

use proton_spec::{Inputs, ServiceInputs, SpecErrors, TemplateSchema};
use serde_json::Value;
use yaml_rust2::{Yaml, YamlEmitter, YamlLoader};

use super::render::{self, DeclaredOutput, RenderError};
use super::repository::{self, ResourceKind};
use super::{Bundle, InfraDir, RenderingEngine};
use crate::error::ApiError;
use crate::ops::spec::Inputs as Outcome;
use crate::ops::templates::{self, Kind};
use crate::store::Partition;

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

/// The version's schema; None when there is no bundle to read it from.
fn schema(bundle: Option<&Bundle>, what: &str) -> Result<Option<TemplateSchema>, ApiError> {
    let Some(text) = bundle.and_then(Bundle::schema) else {
        return Ok(None);
    };
    TemplateSchema::parse(text)
        .map(Some)
        .map_err(|e| ApiError::validation(format!("The schema of {what} can't be used: {e}")))
}

/// A refused spec: a ValidationException naming each input and the rule it breaks.
fn refused(what: &str, errors: &SpecErrors) -> ApiError {
    let each: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    ApiError::validation(format!(
        "The spec doesn't satisfy the schema of {what}: {}",
        each.join("; ")
    ))
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
    let Some(s) = schema(bundle, what)? else {
        return Ok(None);
    };
    s.validate_environment_spec(spec)
        .map(Some)
        .map_err(|e| refused(what, &e))
}

pub fn service_inputs(
    bundle: Option<&Bundle>,
    spec: &str,
    what: &str,
) -> Result<Option<ServiceInputs>, ApiError> {
    let Some(s) = schema(bundle, what)? else {
        return Ok(None);
    };
    s.validate_service_spec(spec)
        .map(Some)
        .map_err(|e| refused(what, &e))
}

pub fn instance_inputs(
    bundle: Option<&Bundle>,
    spec: &str,
    instance: &str,
    what: &str,
) -> Result<Option<Inputs>, ApiError> {
    let Some(s) = schema(bundle, what)? else {
        return Ok(None);
    };
    s.validate_instance_spec(spec, instance)
        .map(Some)
        .map_err(|e| refused(what, &e))
}

pub fn pipeline_inputs(
    bundle: Option<&Bundle>,
    spec: &str,
    what: &str,
) -> Result<Option<Inputs>, ApiError> {
    let Some(s) = schema(bundle, what)? else {
        return Ok(None);
    };
    s.validate_pipeline_spec(spec)
        .map(Some)
        .map_err(|e| refused(what, &e))
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
        // CodeBuild runs the author's commands, which proton-local does not:
        // the files are kept as they are and nothing is output.
        Some(RenderingEngine::Codebuild) | None => Ok((files, vec![])),
    };
    let (written, outputs) = match result {
        Ok(r) => r,
        Err(e) => {
            return Outcome {
                outputs: vec![],
                fail: Some(e.to_string()),
            };
        }
    };
    if let Some(root) = &folders.rendered {
        writes.push(PendingWrite {
            dir: root
                .join(d.account)
                .join(d.region)
                .join(&d.rendered_path)
                .join(d.id),
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
                };
            }
        }
    }
    Outcome {
        outputs,
        fail: None,
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
