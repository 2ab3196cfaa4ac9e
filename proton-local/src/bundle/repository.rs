//! Self-managed provisioning, written where a user can run it: with
//! `--repositories DIR`, the linked repository `org/infra` is the folder
//! `DIR/org/infra`, and a deployment through it writes what Proton's pull
//! request would hold (UG ag-infrastructure-tmp-files-terraform): the bundle's
//! Terraform files, `proton.<kind>.variables.tf` declaring Proton's parameters,
//! and `proton.auto.tfvars.json` holding their values and `proton_tags`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value, json};

/// What a self-managed deployment provisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Environment,
    ServiceInstance,
    Pipeline,
    Component,
}

impl ResourceKind {
    /// `proton.<kind>.variables.tf`: the User Guide names the environment and
    /// service instance files (and a component's); pipelines' is proton-local's choice.
    pub fn variables_file(self) -> &'static str {
        match self {
            ResourceKind::Environment => "proton.environment.variables.tf",
            ResourceKind::ServiceInstance => "proton.service_instance.variables.tf",
            ResourceKind::Pipeline => "proton.pipeline.variables.tf",
            ResourceKind::Component => "proton.component.variables.tf",
        }
    }
}

pub const TFVARS_FILE: &str = "proton.auto.tfvars.json";

const HEADER: &str = "# Written by proton-local, as AWS Proton's pull request would write it.\n# The next deployment of this resource writes it again.\n";

#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    #[error("The repository name {0:?} can't be a folder under --repositories.")]
    BadName(String),
    #[error("Writing {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// `DIR/<name>` for a repository `name` (`org/infra`); names that would leave DIR are refused.
pub fn repository_dir(root: &Path, name: &str) -> Result<PathBuf, RepositoryError> {
    let rel = Path::new(name);
    let plain = !name.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
    if !plain {
        return Err(RepositoryError::BadName(name.to_string()));
    }
    Ok(root.join(rel))
}

/// Where in the repository a deployment's files go (UG
/// ag-infrastructure-tmp-files-terraform): `environments/<env>/` when the
/// repository has an `environments` folder, else `<env>/`; a service instance
/// or a component in a folder of its own under its environment's. The User
/// Guide is silent on pipelines: proton-local uses `pipelines/<service>/`.
pub fn deployment_dir(repo: &Path, kind: ResourceKind, environment: &str, leaf: &str) -> PathBuf {
    let env_dir = if repo.join("environments").is_dir() {
        repo.join("environments").join(environment)
    } else {
        repo.join(environment)
    };
    match kind {
        ResourceKind::Environment => env_dir,
        ResourceKind::ServiceInstance | ResourceKind::Component => env_dir.join(leaf),
        ResourceKind::Pipeline => repo.join("pipelines").join(leaf),
    }
}

/// Terraform takes every input as a string (`map(string)`): numbers and
/// booleans as their text, lists and objects as JSON.
fn stringify(map: &Value) -> Value {
    let Value::Object(m) = map else {
        return Value::Object(Map::new());
    };
    Value::Object(
        m.iter()
            .map(|(k, v)| {
                let s = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), Value::String(s))
            })
            .collect(),
    )
}

/// The parameters as Terraform values: every `inputs` and `outputs` mapping
/// becomes a map of strings.
pub(super) fn terraform_values(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = if k == "inputs" || k == "outputs" {
                        stringify(x)
                    } else {
                        terraform_values(x)
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(terraform_values).collect()),
        other => other.clone(),
    }
}

/// The Terraform type of a parameter value, so the declared variables take
/// exactly the values `proton.auto.tfvars.json` holds.
fn terraform_type(key: &str, v: &Value, indent: usize) -> String {
    let pad = "  ".repeat(indent + 1);
    let end = "  ".repeat(indent);
    match v {
        _ if key == "inputs" || key == "outputs" => "map(string)".to_string(),
        Value::Object(m) => {
            let fields: Vec<String> = m
                .iter()
                .map(|(k, x)| format!("{pad}{k} = {}", terraform_type(k, x, indent + 1)))
                .collect();
            format!("object({{\n{}\n{end}}})", fields.join("\n"))
        }
        Value::Array(a) => match a.first() {
            Some(first) => format!("list({})", terraform_type("", first, indent)),
            None => "list(any)".to_string(),
        },
        Value::Bool(_) => "bool".to_string(),
        Value::Number(_) => "number".to_string(),
        _ => "string".to_string(),
    }
}

/// `proton.<kind>.variables.tf`: one variable per top-level parameter
/// (`environment`, `service`, `service_instance`...), plus `proton_tags`.
pub fn variables_tf(params: &Value) -> String {
    let mut out = HEADER.to_string();
    if let Value::Object(m) = params {
        for (name, v) in m {
            let ty = terraform_type(name, &terraform_values(v), 1);
            out.push_str(&format!(
                "\nvariable \"{name}\" {{\n  type = {ty}\n  default = null\n}}\n"
            ));
        }
    }
    out.push_str("\nvariable \"proton_tags\" {\n  type = map(string)\n  default = null\n}\n");
    out
}

/// `proton.auto.tfvars.json`: the parameters and `proton_tags`.
pub fn tfvars_json(params: &Value, tags: &BTreeMap<String, String>) -> String {
    let mut m = match terraform_values(params) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    m.insert("proton_tags".to_string(), json!(tags));
    serde_json::to_string_pretty(&Value::Object(m)).unwrap_or_default() + "\n"
}

/// The files of one self-managed deployment: the bundle's infrastructure
/// files, then the two generated ones.
pub fn compiled_files(
    kind: ResourceKind,
    bundle_files: &[(String, String)],
    params: &Value,
    tags: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let mut files = bundle_files.to_vec();
    files.push((kind.variables_file().to_string(), variables_tf(params)));
    files.push((TFVARS_FILE.to_string(), tfvars_json(params, tags)));
    files
}

/// Writes files (relative paths) under `dir`, creating folders. Other files
/// there (Terraform's state, `.terraform/`) are left alone.
pub fn write_files(dir: &Path, files: &[(String, String)]) -> Result<(), RepositoryError> {
    let io = |path: &Path, source| RepositoryError::Io {
        path: path.display().to_string(),
        source,
    };
    for (rel, text) in files {
        let safe = Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            return Err(RepositoryError::BadName(rel.clone()));
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, text).map_err(|e| io(&path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::render::params;

    #[test]
    fn repository_names_stay_inside_the_root() {
        let root = Path::new("/r");
        assert_eq!(
            repository_dir(root, "org/infra").unwrap(),
            PathBuf::from("/r/org/infra")
        );
        for bad in ["", "../x", "/etc", "org/../../x"] {
            assert!(repository_dir(root, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn layout_follows_the_environments_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path();
        let inst = deployment_dir(repo, ResourceKind::ServiceInstance, "dev", "one");
        assert_eq!(inst, repo.join("dev/one"));
        assert_eq!(
            deployment_dir(repo, ResourceKind::Environment, "dev", "dev"),
            repo.join("dev")
        );
        std::fs::create_dir(repo.join("environments")).unwrap();
        assert_eq!(
            deployment_dir(repo, ResourceKind::ServiceInstance, "dev", "c1"),
            repo.join("environments/dev/c1")
        );
        assert_eq!(
            deployment_dir(repo, ResourceKind::Component, "dev", "queue"),
            repo.join("environments/dev/queue")
        );
        assert_eq!(
            deployment_dir(repo, ResourceKind::Pipeline, "dev", "api"),
            repo.join("pipelines/api")
        );
    }

    #[test]
    fn environment_variables_match_the_user_guide() {
        let inputs = serde_json::json!({"cidr": "10.0.0.0/16", "size": 3, "flags": ["a"]});
        let p = params::environment("dev", inputs.as_object().unwrap());
        let vars = variables_tf(&p);
        assert!(vars.contains("variable \"environment\" {\n  type = object({\n    name = string\n    inputs = map(string)\n  })\n  default = null\n}"), "{vars}");
        assert!(
            vars.contains("variable \"proton_tags\" {\n  type = map(string)\n  default = null\n}")
        );
        let tags = BTreeMap::from([("proton:environment".to_string(), "arn:env".to_string())]);
        let tfvars: Value = serde_json::from_str(&tfvars_json(&p, &tags)).unwrap();
        assert_eq!(
            tfvars,
            serde_json::json!({
                "environment": {"name": "dev", "inputs": {"cidr": "10.0.0.0/16", "size": "3", "flags": "[\"a\"]"}},
                "proton_tags": {"proton:environment": "arn:env"}
            })
        );
        let files = compiled_files(
            ResourceKind::Environment,
            &[("main.tf".into(), "locals {}\n".into())],
            &p,
            &tags,
        );
        let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "main.tf",
                "proton.environment.variables.tf",
                "proton.auto.tfvars.json"
            ]
        );
    }

    #[test]
    fn writing_keeps_other_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("org/infra/dev");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("terraform.tfstate"), "{}").unwrap();
        write_files(
            &dir,
            &[
                ("main.tf".into(), "x".into()),
                ("sub/a.tf".into(), "y".into()),
            ],
        )
        .unwrap();
        assert_eq!(std::fs::read_to_string(dir.join("sub/a.tf")).unwrap(), "y");
        assert!(dir.join("terraform.tfstate").exists());
        assert!(write_files(&dir, &[("../escape.tf".into(), "z".into())]).is_err());
    }
}
