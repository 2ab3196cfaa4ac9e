//! A bundle's `schema/schema.yaml`: parsed, checked, translated from OpenAPI 3.0's schema
//! object to JSON Schema draft 4 (its closest draft) and compiled once.

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value, json};

use crate::yaml::{self, join};
use crate::{Inputs, SchemaKind};

/// Why a schema file is refused. Display starts with the place in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("schema.yaml: {0}")]
    Yaml(#[from] yaml::YamlError),
    #[error("{place}: {problem}")]
    Invalid { place: String, problem: String },
}

fn invalid(place: impl Into<String>, problem: impl Into<String>) -> SchemaError {
    SchemaError::Invalid {
        place: place.into(),
        problem: problem.into(),
    }
}

/// Keywords of an OpenAPI 3.0 schema object. `x-` extensions are allowed too.
const OPENAPI_KEYWORDS: &[&str] = &[
    "title",
    "description",
    "type",
    "format",
    "default",
    "nullable",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "$ref",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

/// Annotations OpenAPI has and JSON Schema draft 4 does not: dropped from the compiled form.
const OPENAPI_ONLY_ANNOTATIONS: &[&str] = &[
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

const TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// References between types are written `#/types/<Name>`.
const REF_PREFIX: &str = "#/types/";

/// Guards default filling against types that refer to themselves with defaults.
const MAX_DEPTH: usize = 64;

/// One input type, compiled.
#[derive(Debug, Clone)]
pub(crate) struct InputType {
    pub(crate) name: String,
    validator: Validator,
}

/// The parsed `schema/schema.yaml` of a template bundle.
#[derive(Debug, Clone)]
pub struct TemplateSchema {
    /// Environment input type, or the service instances' input type.
    pub(crate) main: InputType,
    pub(crate) pipeline: Option<InputType>,
    kind: SchemaKind,
    /// Every type, in JSON Schema form, for filling defaults.
    definitions: Map<String, Value>,
}

impl TemplateSchema {
    /// Parses and checks a schema file. The error names the place, e.g.
    /// `schema.types.MyInput.properties.port.maximum: ...`.
    pub fn parse(yaml_text: &str) -> Result<TemplateSchema, SchemaError> {
        let root = yaml::to_json(yaml_text)?;
        let schema = root
            .get("schema")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("schema", "the file needs a top-level `schema:` mapping"))?;
        check_format(schema)?;
        let types = schema
            .get("types")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid("schema.types", "a mapping of input types is required"))?;
        let env = type_name(schema, "environment_input_type")?;
        let service = type_name(schema, "service_input_type")?;
        let pipeline = type_name(schema, "pipeline_input_type")?;
        let (main_name, kind) = match (env, service) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "schema",
                    "names both environment_input_type and service_input_type; a template is one or the other",
                ));
            }
            (None, None) => {
                return Err(invalid(
                    "schema",
                    "needs environment_input_type (environment template) or service_input_type (service template)",
                ));
            }
            (Some(env), None) => {
                if pipeline.is_some() {
                    return Err(invalid(
                        "schema.pipeline_input_type",
                        "only a service template has pipeline inputs",
                    ));
                }
                (env, SchemaKind::Environment)
            }
            (None, Some(service)) => (
                service,
                SchemaKind::Service {
                    has_pipeline: pipeline.is_some(),
                },
            ),
        };

        let mut definitions = Map::new();
        for (name, node) in types {
            let place = format!("schema.types.{name}");
            definitions.insert(name.clone(), translate(node, &place, types)?);
        }
        let main = compile(&main_name, kind_key(kind), types, &definitions)?;
        let pipeline = pipeline
            .map(|name| compile(&name, "pipeline_input_type", types, &definitions))
            .transpose()?;
        let parsed = TemplateSchema {
            main,
            pipeline,
            kind,
            definitions,
        };
        parsed.check_defaults(&parsed.main)?;
        if let Some(p) = &parsed.pipeline {
            parsed.check_defaults(p)?;
        }
        Ok(parsed)
    }

    /// Environment template or service template (with or without pipeline inputs).
    pub fn kind(&self) -> SchemaKind {
        self.kind
    }

    /// Name of the environment or service instance input type.
    pub fn input_type_name(&self) -> &str {
        &self.main.name
    }

    /// Name of the pipeline input type, when the schema has one.
    pub fn pipeline_input_type_name(&self) -> Option<&str> {
        self.pipeline.as_ref().map(|p| p.name.as_str())
    }

    /// Inputs with the defaults of absent properties filled in, at every level.
    pub(crate) fn with_defaults(&self, input_type: &InputType, inputs: &Inputs) -> Value {
        let mut value = Value::Object(inputs.clone());
        if let Some(node) = self.definitions.get(&input_type.name) {
            self.fill_defaults(node, &mut value, 0);
        }
        value
    }

    pub(crate) fn validator<'a>(&self, input_type: &'a InputType) -> &'a Validator {
        &input_type.validator
    }

    fn resolve<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..MAX_DEPTH {
            match node
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
                .and_then(|name| self.definitions.get(name))
            {
                Some(target) => node = target,
                None => break,
            }
        }
        node
    }

    fn fill_defaults(&self, node: &Value, value: &mut Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let node = self.resolve(node);
        if let Some(parts) = node.get("allOf").and_then(Value::as_array) {
            for part in parts {
                self.fill_defaults(part, value, depth + 1);
            }
        }
        match value {
            Value::Object(map) => {
                let Some(properties) = node.get("properties").and_then(Value::as_object) else {
                    return;
                };
                for (name, property) in properties {
                    if !map.contains_key(name)
                        && let Some(default) = self.resolve(property).get("default")
                    {
                        map.insert(name.clone(), default.clone());
                    }
                    if let Some(child) = map.get_mut(name) {
                        self.fill_defaults(property, child, depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = node.get("items") {
                    for element in items {
                        self.fill_defaults(item, element, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// A default that breaks its own property's rules is a schema mistake: every spec that
    /// leaves the input out would fail. Checked by validating the defaults alone.
    fn check_defaults(&self, input_type: &InputType) -> Result<(), SchemaError> {
        let defaults = self.with_defaults(input_type, &Map::new());
        let Some(error) = input_type
            .validator
            .iter_errors(&defaults)
            .find(|e| e.kind().keyword() != "required")
        else {
            return Ok(());
        };
        let mut place = format!("schema.types.{}", input_type.name);
        for segment in error.instance_path().as_str().split('/').skip(1) {
            place = join(&place, &format!("properties.{}", unescape(segment)));
        }
        Err(invalid(
            join(&place, "default"),
            format!(
                "the default breaks rule `{}`: {}",
                error.kind().keyword(),
                error
            ),
        ))
    }
}

fn kind_key(kind: SchemaKind) -> &'static str {
    match kind {
        SchemaKind::Environment => "environment_input_type",
        SchemaKind::Service { .. } => "service_input_type",
    }
}

fn check_format(schema: &Map<String, Value>) -> Result<(), SchemaError> {
    match schema.get("format").and_then(|f| f.get("openapi")) {
        Some(Value::String(v)) if v.starts_with("3.0") => Ok(()),
        Some(other) => Err(invalid(
            "schema.format.openapi",
            format!("{other} is not an OpenAPI 3.0 version; write \"3.0.0\""),
        )),
        None => Err(invalid(
            "schema.format.openapi",
            "required; write `format: {openapi: \"3.0.0\"}`",
        )),
    }
}

fn type_name(schema: &Map<String, Value>, key: &str) -> Result<Option<String>, SchemaError> {
    match schema.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(_) => Err(invalid(
            format!("schema.{key}"),
            "must be the name of a type under schema.types",
        )),
    }
}

/// Compiles one input type: a document whose root refers to the type, with every type as
/// a definition so `$ref`s between types resolve.
fn compile(
    name: &str,
    key: &str,
    types: &Map<String, Value>,
    definitions: &Map<String, Value>,
) -> Result<InputType, SchemaError> {
    let place = format!("schema.{key}");
    let Some(original) = types.get(name) else {
        return Err(invalid(
            place,
            format!("names type {name}, which schema.types does not define"),
        ));
    };
    let type_place = format!("schema.types.{name}");
    match original.get("type").and_then(Value::as_str) {
        Some("object") => {}
        None if original.get("properties").is_some() => {}
        _ => {
            return Err(invalid(
                join(&type_place, "type"),
                "an input type must be `type: object` with `properties`",
            ));
        }
    }
    let document = json!({
        "definitions": definitions,
        "$ref": format!("#/definitions/{name}"),
    });
    let validator = jsonschema::options()
        .with_draft(Draft::Draft4)
        // OpenAPI's `format` is an open annotation (int32, password, ...): not asserted.
        .should_validate_formats(false)
        .build(&document)
        .map_err(|e| {
            let mut place = "schema".to_string();
            for segment in e.instance_path().as_str().split('/').skip(1) {
                let segment = unescape(segment);
                place = join(
                    &place,
                    if segment == "definitions" {
                        "types"
                    } else {
                        &segment
                    },
                );
            }
            invalid(place, e.to_string())
        })?;
    Ok(InputType {
        name: name.to_string(),
        validator,
    })
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// Checks one OpenAPI schema object and returns its JSON Schema draft 4 form.
fn translate(node: &Value, place: &str, types: &Map<String, Value>) -> Result<Value, SchemaError> {
    let Some(object) = node.as_object() else {
        return Err(invalid(place, "must be a schema object (a mapping)"));
    };
    let mut out = Map::new();
    for (key, value) in object {
        let here = join(place, key);
        if key.starts_with("x-") {
            continue;
        }
        if !OPENAPI_KEYWORDS.contains(&key.as_str()) {
            return Err(invalid(here, "is not an OpenAPI 3.0 schema keyword"));
        }
        if OPENAPI_ONLY_ANNOTATIONS.contains(&key.as_str()) {
            continue;
        }
        let translated = match key.as_str() {
            "type" => match value.as_str() {
                Some(t) if TYPES.contains(&t) => value.clone(),
                _ => {
                    return Err(invalid(
                        here,
                        format!("must be one of {}", TYPES.join(", ")),
                    ));
                }
            },
            "properties" => {
                let Some(properties) = value.as_object() else {
                    return Err(invalid(here, "must map input names to schema objects"));
                };
                let mut translated = Map::new();
                for (name, property) in properties {
                    translated.insert(
                        name.clone(),
                        translate(property, &join(&here, name), types)?,
                    );
                }
                Value::Object(translated)
            }
            "items" | "not" => translate(value, &here, types)?,
            "additionalProperties" if value.is_boolean() => value.clone(),
            "additionalProperties" => translate(value, &here, types)?,
            "allOf" | "oneOf" | "anyOf" => {
                let Some(parts) = value.as_array() else {
                    return Err(invalid(here, "must be a list of schema objects"));
                };
                Value::Array(
                    parts
                        .iter()
                        .enumerate()
                        .map(|(i, part)| translate(part, &format!("{here}[{i}]"), types))
                        .collect::<Result<_, _>>()?,
                )
            }
            "$ref" => {
                let target = value.as_str().and_then(|r| r.strip_prefix(REF_PREFIX));
                match target {
                    Some(name) if types.contains_key(name) => {
                        Value::String(format!("#/definitions/{name}"))
                    }
                    _ => {
                        return Err(invalid(
                            here,
                            format!("must refer to a type of this schema as `{REF_PREFIX}<Name>`"),
                        ));
                    }
                }
            }
            _ => value.clone(),
        };
        out.insert(key.clone(), translated);
    }
    if out.get("type").and_then(Value::as_str) == Some("array") && !out.contains_key("items") {
        return Err(invalid(
            join(place, "items"),
            "an array type needs `items` (OpenAPI 3.0)",
        ));
    }
    // OpenAPI's `nullable: true` is draft 4's `type: [T, "null"]` (and `null` among the enum).
    if object.get("nullable") == Some(&Value::Bool(true))
        && let Some(Value::String(t)) = out.get("type").cloned()
    {
        out.insert("type".into(), json!([t, "null"]));
        if let Some(Value::Array(options)) = out.get_mut("enum")
            && !options.contains(&Value::Null)
        {
            options.push(Value::Null);
        }
    }
    Ok(Value::Object(out))
}
