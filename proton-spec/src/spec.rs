//! Spec files checked against a template's schema: their shape (`proton:`, `spec:`,
//! `pipeline:`, `instances:`) and every input set, with defaults filled in.

use std::fmt;

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value};

use crate::schema::{InputType, TemplateSchema};
use crate::yaml::{self, join};
use crate::{Inputs, InstanceInputs, SchemaKind, ServiceInputs};

/// One broken rule of a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Where in the spec, e.g. `instances[0].spec.port` (empty for the whole document).
    pub path: String,
    /// The input concerned, relative to its input set (`port`, `network.cidr`); empty when
    /// the error is about the spec's shape rather than an input.
    pub input: String,
    /// The rule broken: a schema keyword (`maximum`, `required`, `pattern`, ...) or a
    /// shape rule (`yaml`, `proton`, `spec`, `pipeline`, `instances`).
    pub rule: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        if self.input.is_empty() {
            write!(f, "{} (rule `{}`)", self.message, self.rule)
        } else {
            write!(
                f,
                "input `{}` breaks rule `{}`: {}",
                self.input, self.rule, self.message
            )
        }
    }
}

/// Every broken rule of a spec, in document order. Display: one line per error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

fn shape(path: &str, rule: &str, message: impl Into<String>) -> SpecError {
    SpecError {
        path: path.to_string(),
        input: String::new(),
        rule: rule.to_string(),
        message: message.into(),
    }
}

/// Collects errors across the parts of one spec.
#[derive(Default)]
struct Collected(Vec<SpecError>);

impl Collected {
    fn finish<T>(self, value: T) -> Result<T, SpecErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(SpecErrors(self.0))
        }
    }
}

impl TemplateSchema {
    /// An environment spec: `proton: EnvironmentSpec` and the inputs under `spec:`.
    pub fn validate_environment_spec(&self, spec_yaml: &str) -> Result<Inputs, SpecErrors> {
        let doc = document(spec_yaml)?;
        let mut errors = Collected::default();
        if self.kind() != SchemaKind::Environment {
            errors.0.push(shape(
                "",
                "template",
                "this is a service template's schema; an environment needs an environment template",
            ));
            return errors.finish(Map::new());
        }
        check_proton(&doc, "EnvironmentSpec", &mut errors);
        let inputs = self.input_set(&doc, "spec", "spec", &self.main, &mut errors);
        errors.finish(inputs)
    }

    /// A service spec: `proton: ServiceSpec`, `pipeline:` (only when the schema has a pipeline
    /// input type) and `instances: [{name, environment, spec}]`, every instance validated.
    pub fn validate_service_spec(&self, spec_yaml: &str) -> Result<ServiceInputs, SpecErrors> {
        let doc = document(spec_yaml)?;
        let mut errors = Collected::default();
        let has_pipeline = match self.kind() {
            SchemaKind::Service { has_pipeline } => has_pipeline,
            SchemaKind::Environment => {
                errors.0.push(shape(
                    "",
                    "template",
                    "this is an environment template's schema; a service needs a service template",
                ));
                return errors.finish(ServiceInputs::default());
            }
        };
        check_proton(&doc, "ServiceSpec", &mut errors);
        let pipeline = match &self.pipeline {
            Some(pipeline) if has_pipeline => {
                Some(self.input_set(&doc, "pipeline", "pipeline", pipeline, &mut errors))
            }
            _ => {
                if doc.get("pipeline").is_some_and(|p| !p.is_null()) {
                    errors.0.push(shape(
                        "pipeline",
                        "pipeline",
                        "the service template has no pipeline_input_type, so the spec takes no `pipeline:` inputs",
                    ));
                }
                None
            }
        };
        let instances = self.instances(&doc, &mut errors);
        errors.finish(ServiceInputs {
            pipeline,
            instances,
        })
    }

    /// One service instance's inputs (already taken out of their spec), checked against the
    /// service input type. Error paths are relative to the inputs (`port`).
    pub fn validate_instance_inputs(&self, inputs: &Inputs) -> Result<Inputs, SpecErrors> {
        let mut errors = Collected::default();
        if self.kind() == SchemaKind::Environment {
            errors.0.push(shape(
                "",
                "template",
                "this is an environment template's schema; a service instance needs a service template",
            ));
            return errors.finish(Map::new());
        }
        let validated = self.validate_inputs(&self.main, inputs, "", &mut errors);
        errors.finish(validated)
    }

    /// A pipeline's inputs, checked against the pipeline input type. With no pipeline input
    /// type only an empty set passes. Error paths are relative to the inputs.
    pub fn validate_pipeline_inputs(&self, inputs: &Inputs) -> Result<Inputs, SpecErrors> {
        let mut errors = Collected::default();
        let validated = match &self.pipeline {
            Some(pipeline) => self.validate_inputs(pipeline, inputs, "", &mut errors),
            None if inputs.is_empty() => Map::new(),
            None => {
                errors.0.push(shape(
                    "",
                    "pipeline",
                    "the template has no pipeline_input_type, so a pipeline takes no inputs",
                ));
                Map::new()
            }
        };
        errors.finish(validated)
    }

    /// The `spec` of one service instance, in either form Proton shows: a service spec whose
    /// `instances:` has an entry named `instance` (its `spec:` is used), or a document with
    /// the inputs under a top-level `spec:`.
    pub fn validate_instance_spec(
        &self,
        spec_yaml: &str,
        instance: &str,
    ) -> Result<Inputs, SpecErrors> {
        let doc = document(spec_yaml)?;
        let mut errors = Collected::default();
        let entry = doc
            .get("instances")
            .and_then(Value::as_array)
            .and_then(|list| {
                list.iter()
                    .position(|e| e.get("name").and_then(Value::as_str) == Some(instance))
            });
        let inputs = match entry {
            Some(i) => {
                let entry = &doc["instances"][i];
                self.input_set(
                    entry,
                    "spec",
                    &format!("instances[{i}].spec"),
                    &self.main,
                    &mut errors,
                )
            }
            None => self.input_set(&doc, "spec", "spec", &self.main, &mut errors),
        };
        errors.finish(inputs)
    }

    /// The `spec` of a service pipeline: its inputs under `pipeline:`.
    pub fn validate_pipeline_spec(&self, spec_yaml: &str) -> Result<Inputs, SpecErrors> {
        let doc = document(spec_yaml)?;
        let mut errors = Collected::default();
        let inputs = match &self.pipeline {
            Some(pipeline) => self.input_set(&doc, "pipeline", "pipeline", pipeline, &mut errors),
            None => {
                errors.0.push(shape(
                    "",
                    "pipeline",
                    "the service template has no pipeline_input_type, so it has no pipeline",
                ));
                Map::new()
            }
        };
        errors.finish(inputs)
    }

    fn instances(&self, doc: &Value, errors: &mut Collected) -> Vec<InstanceInputs> {
        let list = match doc.get("instances") {
            None | Some(Value::Null) => return vec![],
            Some(Value::Array(list)) => list,
            Some(_) => {
                errors.0.push(shape(
                    "instances",
                    "instances",
                    "must be a list of {name, environment, spec}",
                ));
                return vec![];
            }
        };
        let mut out: Vec<InstanceInputs> = Vec::with_capacity(list.len());
        for (i, entry) in list.iter().enumerate() {
            let here = format!("instances[{i}]");
            if !entry.is_object() {
                errors.0.push(shape(
                    &here,
                    "instances",
                    "must be a mapping with name, environment and spec",
                ));
                continue;
            }
            let name = required_string(entry, &here, "name", errors);
            let environment = required_string(entry, &here, "environment", errors);
            if let Some(name) = &name
                && out.iter().any(|seen| &seen.name == name)
            {
                errors.0.push(shape(
                    &join(&here, "name"),
                    "instances",
                    format!("service instance {name} appears twice"),
                ));
            }
            let inputs = self.input_set(entry, "spec", &join(&here, "spec"), &self.main, errors);
            if let (Some(name), Some(environment)) = (name, environment) {
                out.push(InstanceInputs {
                    name,
                    environment,
                    inputs,
                });
            }
        }
        out
    }

    /// The input set at `parent[key]` (absent = empty), validated; errors under `path`.
    fn input_set(
        &self,
        parent: &Value,
        key: &str,
        path: &str,
        input_type: &InputType,
        errors: &mut Collected,
    ) -> Inputs {
        let empty = Map::new();
        let inputs = match parent.get(key) {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(map)) => map,
            Some(_) => {
                errors.0.push(shape(
                    path,
                    key,
                    "must be a mapping of input names to values",
                ));
                return Map::new();
            }
        };
        self.validate_inputs(input_type, inputs, path, errors)
    }

    /// Fills defaults, then validates; errors get `prefix` on their paths.
    fn validate_inputs(
        &self,
        input_type: &InputType,
        inputs: &Inputs,
        prefix: &str,
        errors: &mut Collected,
    ) -> Inputs {
        let value = self.with_defaults(input_type, inputs);
        for error in self.validator(input_type).iter_errors(&value) {
            let input = input_path(&value, error.instance_path().as_str());
            let input = match error.kind() {
                ValidationErrorKind::Required { property } => {
                    join(&input, property.as_str().unwrap_or_default())
                }
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    join(&input, &unexpected.join(", "))
                }
                _ => input,
            };
            let message = match error.kind() {
                // The library shortens long option lists; a user needs them all.
                ValidationErrorKind::Enum { options } => {
                    format!("{} is not one of {options}", error.instance())
                }
                _ => error.to_string(),
            };
            errors.0.push(SpecError {
                path: join(prefix, &input),
                input,
                rule: error.kind().keyword().to_string(),
                message,
            });
        }
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

/// A JSON pointer into `value` as `a.b[2].c`: a segment is an index only where the value
/// there is a list (an input may well be named `0`).
fn input_path(value: &Value, pointer: &str) -> String {
    let mut out = String::new();
    let mut here = value;
    for raw in pointer.split('/').skip(1) {
        let segment = raw.replace("~1", "/").replace("~0", "~");
        match here {
            Value::Array(items) => {
                let index = segment.parse::<usize>().ok();
                out.push_str(&format!("[{segment}]"));
                here = index.and_then(|i| items.get(i)).unwrap_or(&Value::Null);
            }
            _ => {
                out = join(&out, &segment);
                here = here.get(&segment).unwrap_or(&Value::Null);
            }
        }
    }
    out
}

/// The spec text as a mapping (an empty text is an empty mapping).
fn document(spec_yaml: &str) -> Result<Value, SpecErrors> {
    let doc =
        yaml::to_json(spec_yaml).map_err(|e| SpecErrors(vec![shape("", "yaml", e.to_string())]))?;
    match doc {
        Value::Object(_) => Ok(doc),
        Value::Null => Ok(Value::Object(Map::new())),
        _ => Err(SpecErrors(vec![shape(
            "",
            "yaml",
            "a spec is a YAML mapping (proton:, spec: ...)",
        )])),
    }
}

fn check_proton(doc: &Value, expected: &str, errors: &mut Collected) {
    match doc.get("proton") {
        Some(Value::String(found)) if found == expected => {}
        None | Some(Value::Null) => errors.0.push(shape(
            "proton",
            "proton",
            format!("the spec needs `proton: {expected}`"),
        )),
        Some(found) => errors.0.push(shape(
            "proton",
            "proton",
            format!("is {found}; this spec must say `proton: {expected}`"),
        )),
    }
}

fn required_string(entry: &Value, here: &str, key: &str, errors: &mut Collected) -> Option<String> {
    match entry.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => {
            errors.0.push(shape(
                &join(here, key),
                "instances",
                format!("every instance needs a non-empty `{key}`"),
            ));
            None
        }
    }
}
