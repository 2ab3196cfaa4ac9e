//! Specs are YAML documents. proton-local reads them for what it simulates:
//! the service's `instances:` list, and for each deployment the scalar inputs
//! that become its outputs, plus the failure markers (`proton_local_fail`,
//! `proton_local_fail_delete`, `proton_local_cancel`) that let a user rehearse
//! the ways Proton's work can end.

use yaml_rust2::{Yaml, YamlLoader};

use crate::error::ApiError;

/// Key under a spec's inputs that makes the deployment fail with its value.
pub const FAIL_MARKER: &str = "proton_local_fail";

/// Key whose value makes the first delete of the resource end DELETE_FAILED with that message.
pub const FAIL_DELETE_MARKER: &str = "proton_local_fail_delete";

/// Key that says how a cancel of the deployment ends: `fail` (FAILED) or `late` (the deployment
/// finishes first); absent, it ends CANCELLED.
pub const CANCEL_MARKER: &str = "proton_local_cancel";

/// Output keys and values are at most 1024 characters.
const MAX_OUTPUT_LEN: usize = 1024;

pub fn parse(text: &str, member: &str) -> Result<Yaml, ApiError> {
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| ApiError::validation(format!("The {member} is not valid YAML: {e}")))?;
    let doc = docs.into_iter().next().unwrap_or(Yaml::Null);
    match doc {
        Yaml::Hash(_) | Yaml::Null => Ok(doc),
        _ => Err(ApiError::validation(format!(
            "The {member} must be a YAML mapping."
        ))),
    }
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(MAX_OUTPUT_LEN).collect()
}

/// What a deployment of one set of inputs does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    pub outputs: Vec<(String, String)>,
    pub fail: Option<String>,
    pub fail_delete: Option<String>,
    pub cancel: Option<CancelEnding>,
    /// CodeBuild provisioning: the deployment waits for NotifyResourceDeploymentStatusChange.
    pub codebuild: bool,
}

/// How a cancelled deployment ends (the three endings Cancel*Deployment documents).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CancelEnding {
    /// CANCELLED, the target back as it was.
    #[default]
    Cancelled,
    /// The cancellation fails: FAILED.
    Failed,
    /// The deployment finishes before the cancellation starts: it ends as it would have.
    Late,
}

impl CancelEnding {
    fn parse(value: &str) -> Option<Self> {
        match value {
            "fail" => Some(Self::Failed),
            "late" => Some(Self::Late),
            _ => None,
        }
    }
}

/// Inputs of a mapping: every scalar becomes an output (in document order),
/// except the markers, which are reported separately.
pub fn inputs_of(map: &Yaml) -> Inputs {
    let mut out = Inputs::default();
    let Yaml::Hash(h) = map else { return out };
    for (k, v) in h {
        let Some(key) = scalar(k) else { continue };
        if key == FAIL_MARKER {
            out.fail = Some(scalar(v).unwrap_or_else(|| "deployment failed".to_string()));
            continue;
        }
        if key == FAIL_DELETE_MARKER {
            out.fail_delete = Some(scalar(v).unwrap_or_else(|| "delete failed".to_string()));
            continue;
        }
        if key == CANCEL_MARKER {
            out.cancel = scalar(v).as_deref().and_then(CancelEnding::parse);
            continue;
        }
        if let Some(val) = scalar(v).filter(|s| !s.is_empty())
            && !key.is_empty()
        {
            out.outputs.push((truncate(&key), truncate(&val)));
        }
    }
    out
}

/// The `proton_local_fail_delete` message of a stored spec, where `pick` finds the target's inputs.
pub fn delete_failure(text: Option<&str>, pick: impl Fn(&Yaml) -> Inputs) -> Option<String> {
    pick(&parse(text?, "spec").ok()?).fail_delete
}

/// Environment (and component) specs: inputs under `spec:`.
pub fn top_level_inputs(doc: &Yaml) -> Inputs {
    inputs_of(&doc["spec"])
}

/// A service instance named in a service spec.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceEntry {
    pub name: String,
    pub environment: String,
    pub inputs: Inputs,
}

/// The `instances:` list of a service spec.
pub fn instances(doc: &Yaml) -> Result<Vec<InstanceEntry>, ApiError> {
    let list = match &doc["instances"] {
        Yaml::Array(a) => a.as_slice(),
        Yaml::BadValue | Yaml::Null => &[],
        _ => {
            return Err(ApiError::validation("The spec's instances must be a list."));
        }
    };
    let mut out: Vec<InstanceEntry> = vec![];
    for item in list {
        let name = scalar(&item["name"]).ok_or_else(|| {
            ApiError::validation("Every entry of the spec's instances needs a name.")
        })?;
        let environment = scalar(&item["environment"]).ok_or_else(|| {
            ApiError::validation(format!(
                "Service instance {name} in the spec needs an environment."
            ))
        })?;
        if out.iter().any(|e| e.name == name) {
            return Err(ApiError::validation(format!(
                "Service instance {name} appears twice in the spec."
            )));
        }
        out.push(InstanceEntry {
            name,
            environment,
            inputs: inputs_of(&item["spec"]),
        });
    }
    Ok(out)
}

/// Inputs for one instance: its entry in `instances:`, else the top-level `spec:`.
pub fn instance_inputs(doc: &Yaml, instance: &str) -> Inputs {
    if let Ok(list) = instances(doc)
        && let Some(e) = list.into_iter().find(|e| e.name == instance)
    {
        return e.inputs;
    }
    top_level_inputs(doc)
}

/// Pipeline inputs: the `pipeline:` mapping.
pub fn pipeline_inputs(doc: &Yaml) -> Inputs {
    inputs_of(&doc["pipeline"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_outputs_and_marker() {
        let doc = parse(
            "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n  size: 3\n  nested:\n    x: 1\n  proton_local_fail: \"boom\"\n",
            "spec",
        )
        .unwrap();
        let i = top_level_inputs(&doc);
        assert_eq!(
            i.outputs,
            vec![
                ("vpc_cidr".to_string(), "10.0.0.0/16".to_string()),
                ("size".to_string(), "3".to_string())
            ]
        );
        assert_eq!(i.fail.as_deref(), Some("boom"));
    }

    #[test]
    fn service_instances() {
        let doc = parse(
            "proton: ServiceSpec\npipeline:\n  a: b\ninstances:\n  - name: one\n    environment: env1\n    spec:\n      port: 80\n  - name: two\n    environment: env2\n",
            "spec",
        )
        .unwrap();
        let list = instances(&doc).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].environment, "env1");
        assert_eq!(
            list[0].inputs.outputs,
            vec![("port".to_string(), "80".to_string())]
        );
        assert_eq!(pipeline_inputs(&doc).outputs.len(), 1);
        assert_eq!(instance_inputs(&doc, "one").outputs.len(), 1);
    }

    #[test]
    fn bad_yaml_is_a_validation_error() {
        assert!(matches!(
            parse("a: [", "spec"),
            Err(ApiError::Validation(_))
        ));
        assert!(parse("- 1\n- 2\n", "spec").is_err());
        let dup = parse(
            "instances:\n  - name: a\n    environment: e\n  - name: a\n    environment: e\n",
            "spec",
        )
        .unwrap();
        assert!(instances(&dup).is_err());
    }
}
