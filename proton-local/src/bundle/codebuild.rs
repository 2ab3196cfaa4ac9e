//! CodeBuild provisioning (`rendering_engine: codebuild`; UG ag-infrastructure-tmp-files-codebuild,
//! parameters-codebuild). Proton gives a CodeBuild job the infrastructure folder's files and an
//! inputs file, the job runs the manifest's `provision` commands, and the outputs come back in a
//! `proton-outputs.json` the commands leave behind, or through
//! NotifyResourceDeploymentStatusChange.
//!
//! proton-local writes that folder (the bundle's files and the inputs file) under `--rendered`
//! and leaves the deployment IN_PROGRESS until it is notified, as a self-managed one: the user
//! runs the commands in the folder, or not, and notifies as the job's last command would. It runs
//! no command itself: the commands are the template author's (CDK, Terraform, Pulumi...), they
//! usually reach real AWS accounts with the caller's credentials, and proton-local does no work
//! between requests (its deadlines are applied when the next request comes), so a job would need
//! a background runner it does not have.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::deploy::{RenderedTarget, rendered_folder};
use super::repository::{self, ResourceKind};
use super::{Bundle, InfraDir, RenderingEngine};
use crate::store::{AccountSettings, Deployment, Environment};

/// The inputs file with `input_type: JSON` (the default). The User Guide's bundle page calls it
/// `proton-input.json`; the AWS sample bundles, which ran on Proton, read `proton-inputs.json`.
pub const JSON_INPUTS_FILE: &str = "proton-inputs.json";
/// The inputs file with `input_type: HCL`: the User Guide gives only its `.tfvars` extension.
pub const HCL_INPUTS_FILE: &str = "proton-inputs.tfvars";
/// Outputs the commands leave behind, read when the deployment succeeds.
pub const OUTPUTS_FILE: &str = "proton-outputs.json";

/// How the inputs file is written (`input_type` of the manifest).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputType {
    Json,
    Hcl,
}

impl InputType {
    /// `JSON` or `HCL` (any case); None for other values.
    pub fn parse(s: &str) -> Option<InputType> {
        match s.to_ascii_uppercase().as_str() {
            "JSON" => Some(InputType::Json),
            "HCL" => Some(InputType::Hcl),
            _ => None,
        }
    }

    /// The manifest entry's, as `layout` keeps it in `settings.input_type`.
    fn of(settings: Option<&Value>) -> InputType {
        settings
            .and_then(|s| s.get("input_type"))
            .and_then(Value::as_str)
            .and_then(InputType::parse)
            .unwrap_or(InputType::Json)
    }
}

/// Checks a manifest entry's `settings`: `provision` (and `deprovision`, when given) is a list of
/// shell commands. The message names the field.
pub fn check_settings(settings: &Value) -> Result<(), String> {
    for (field, required) in [("provision", true), ("deprovision", false)] {
        match settings.get(field) {
            None if !required => {}
            None => {
                return Err(format!(
                    "settings.{field} is missing: the shell commands CodeBuild runs"
                ));
            }
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {}
            Some(_) => return Err(format!("settings.{field} is a list of shell commands")),
        }
    }
    Ok(())
}

/// What the inputs file holds (UG parameters-codebuild): an environment's
/// `environment.{name, inputs}`; a service instance's `service_instance.{name, inputs}`,
/// `service.name` and `environment.{account_id, name, outputs}`; a pipeline's (the User Guide
/// is silent) the parameters its CloudFormation would see. Inputs and outputs are strings.
pub fn inputs(kind: ResourceKind, params: &Value) -> Value {
    let picked = match kind {
        // Components never reach here: a CodeBuild component manifest fails its deployment.
        ResourceKind::Environment | ResourceKind::Pipeline | ResourceKind::Component => {
            params.clone()
        }
        ResourceKind::ServiceInstance => {
            let instance = &params["service_instance"];
            let env = &params["environment"];
            json!({
                "service_instance": {"name": instance["name"], "inputs": instance["inputs"]},
                "service": {"name": params["service"]["name"]},
                "environment": {
                    "account_id": env["account_id"],
                    "name": env["name"],
                    "outputs": env["outputs"],
                },
            })
        }
    };
    repository::terraform_values(&picked)
}

/// The inputs file: its name and text.
fn inputs_file(input_type: InputType, inputs: &Value) -> (String, String) {
    match input_type {
        InputType::Json => (
            JSON_INPUTS_FILE.to_string(),
            serde_json::to_string_pretty(inputs).unwrap_or_default() + "\n",
        ),
        InputType::Hcl => (HCL_INPUTS_FILE.to_string(), hcl_tfvars(inputs)),
    }
}

/// `name = value` per top-level parameter, each value an HCL object of strings (its JSON
/// form is valid HCL object syntax, as Terraform reads `.tfvars`).
fn hcl_tfvars(inputs: &Value) -> String {
    let mut out = String::new();
    if let Value::Object(m) = inputs {
        for (name, value) in m {
            out.push_str(&format!("{name} = {value}\n"));
        }
    }
    out
}

/// The files of a CodeBuild deployment: every file of the infrastructure folder (the commands
/// may need any of them; `manifest.yaml` too, which holds the commands), paths relative to the
/// folder, then the inputs file.
pub fn files(
    bundle: &Bundle,
    dir: InfraDir,
    kind: ResourceKind,
    params: &Value,
) -> Vec<(String, String)> {
    let prefix = format!("{}/", dir.dir());
    let mut files: Vec<(String, String)> = bundle
        .files
        .iter()
        .filter_map(|(path, text)| {
            path.strip_prefix(&prefix)
                .map(|rel| (rel.to_string(), text.clone()))
        })
        .collect();
    let settings = bundle
        .manifests
        .get(&dir)
        .and_then(|m| m.templates.first())
        .and_then(|t| t.settings.as_ref());
    files.push(inputs_file(InputType::of(settings), &inputs(kind, params)));
    files
}

/// Why a deployment of `dir` can't start a CodeBuild job: there is no role for CodeBuild to
/// assume. Environments and their instances use the environment's `codebuildRoleArn` (an
/// environment account connection is taken to carry one: the connection is not looked at
/// here), pipelines the account's `pipelineCodebuildRoleArn`. None when the folder is not
/// CodeBuild's or a role is there.
pub fn missing_role(
    bundle: &Bundle,
    dir: InfraDir,
    environment: Option<&Environment>,
    settings: &AccountSettings,
) -> Option<String> {
    let engine = bundle
        .manifests
        .get(&dir)
        .and_then(|m| m.templates.first())
        .map(|t| t.rendering_engine);
    if engine != Some(RenderingEngine::Codebuild) {
        return None;
    }
    if dir == InfraDir::PipelineInfrastructure {
        return settings.pipeline_codebuild_role_arn.is_none().then(|| {
            "The pipeline is provisioned with CodeBuild (rendering_engine: codebuild) and the account settings have no pipelineCodebuildRoleArn; set it with UpdateAccountSettings.".to_string()
        });
    }
    let env = environment?;
    let has_role =
        env.codebuild_role_arn.is_some() || env.environment_account_connection_id.is_some();
    (!has_role).then(|| {
        format!(
            "The infrastructure is provisioned with CodeBuild (rendering_engine: codebuild) and the environment {} has no codebuildRoleArn; update the environment with one.",
            env.name
        )
    })
}

/// Where a deployment's rendered files are, under `--rendered` (the folder
/// `deploy::provision` writes).
pub fn rendered_dir(root: &Path, account: &str, region: &str, dep: &Deployment) -> Option<PathBuf> {
    let target = RenderedTarget::of(dep)?;
    Some(rendered_folder(
        root,
        account,
        region,
        &target.path(),
        &dep.id,
    ))
}

/// Why `proton-outputs.json` can't be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{OUTPUTS_FILE}: {0}")]
pub struct OutputsError(String);

/// The outputs in a `proton-outputs.json`: a mapping of output names to values, or the file
/// `cdk deploy --outputs-file` writes (a mapping of stack names to such mappings, flattened).
/// Values that are not strings are written as JSON. The User Guide does not give the format.
pub fn read_outputs(text: &str) -> Result<Vec<(String, String)>, OutputsError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| OutputsError(format!("not valid JSON: {e}")))?;
    let Value::Object(top) = doc else {
        return Err(OutputsError(
            "expected a JSON object of output names and values".to_string(),
        ));
    };
    let stacks = !top.is_empty() && top.values().all(Value::is_object);
    let mut out = vec![];
    let mut add = |m: &Map<String, Value>| {
        for (k, v) in m {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.push((k.clone(), text));
        }
    };
    if stacks {
        top.values().filter_map(Value::as_object).for_each(&mut add);
    } else {
        add(&top);
    }
    Ok(out)
}

/// The outputs a succeeding CodeBuild deployment reports: those of `proton-outputs.json` in its
/// rendered folder, if the commands left one there, with the notification's outputs over them.
pub fn outputs_at_success(
    dir: Option<&Path>,
    notified: Option<Vec<(String, String)>>,
) -> Result<Option<Vec<(String, String)>>, OutputsError> {
    let from_file = match dir.map(|d| d.join(OUTPUTS_FILE)) {
        Some(path) if path.is_file() => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| OutputsError(format!("can't be read: {e}")))?;
            Some(read_outputs(&text)?)
        }
        _ => None,
    };
    Ok(match (from_file, notified) {
        (None, notified) => notified,
        (Some(file), None) => Some(file),
        (Some(mut merged), Some(notified)) => {
            for (k, v) in notified {
                match merged.iter_mut().find(|(key, _)| *key == k) {
                    Some(entry) => entry.1 = v,
                    None => merged.push((k, v)),
                }
            }
            Some(merged)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_inputs_follow_the_user_guide_namespace() {
        let params = json!({
            "service": {"name": "svc", "branch_name": "main"},
            "service_instance": {"name": "a", "inputs": {"port": 8080}, "components": {"default": {"outputs": {}}}},
            "environment": {"name": "dev", "account_id": "111111111111", "outputs": {"VpcId": "vpc-1"}},
        });
        assert_eq!(
            inputs(ResourceKind::ServiceInstance, &params),
            json!({
                "service_instance": {"name": "a", "inputs": {"port": "8080"}},
                "service": {"name": "svc"},
                "environment": {"account_id": "111111111111", "name": "dev", "outputs": {"VpcId": "vpc-1"}},
            })
        );
        let env =
            json!({"environment": {"name": "dev", "inputs": {"zones": 2, "cidr": "10.0.0.0/16"}}});
        assert_eq!(
            inputs(ResourceKind::Environment, &env),
            json!({"environment": {"name": "dev", "inputs": {"zones": "2", "cidr": "10.0.0.0/16"}}})
        );
    }

    #[test]
    fn hcl_inputs_are_tfvars_terraform_reads() {
        let v = json!({"environment": {"name": "dev", "inputs": {"cidr": "10.0.0.0/16"}}});
        let (name, text) = inputs_file(InputType::Hcl, &v);
        assert_eq!(name, "proton-inputs.tfvars");
        let body = hcl::parse(&text).unwrap();
        let attr = body.attributes().next().unwrap();
        assert_eq!(attr.key(), "environment");
        assert_eq!(InputType::parse("hcl"), Some(InputType::Hcl));
        assert_eq!(InputType::parse("yaml"), None);
    }

    #[test]
    fn outputs_files_are_flat_or_cdk_shaped() {
        assert_eq!(
            read_outputs(r#"{"VpcId": "vpc-1", "Zones": 2}"#).unwrap(),
            [
                ("VpcId".into(), "vpc-1".into()),
                ("Zones".into(), "2".into())
            ]
        );
        assert_eq!(
            read_outputs(r#"{"MyStack": {"BucketName": "b"}}"#).unwrap(),
            [("BucketName".to_string(), "b".to_string())]
        );
        assert!(read_outputs("[1]").is_err());
        assert!(
            read_outputs("{")
                .unwrap_err()
                .to_string()
                .starts_with("proton-outputs.json: not valid JSON")
        );
    }

    #[test]
    fn settings_need_provision_commands() {
        assert!(check_settings(&json!({"provision": ["make"]})).is_ok());
        assert_eq!(
            check_settings(&json!({"image": "x"})).unwrap_err(),
            "settings.provision is missing: the shell commands CodeBuild runs"
        );
        assert!(check_settings(&json!({"provision": ["a"], "deprovision": "b"})).is_err());
    }
}
