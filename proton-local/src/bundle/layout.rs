//! What a bundle must hold, per the AWS Proton User Guide (ag-wrap-up,
//! ag-template-authoring, ag-env-customer-managed): `schema/schema.yaml`,
//! and for each infrastructure folder the kind of template needs, a
//! `manifest.yaml` naming the IaC files beside it.

use std::collections::BTreeMap;

use proton_spec::{SchemaError, SchemaKind, TemplateSchema};
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use super::{
    Bundle, InfraDir, Manifest, ManifestTemplate, Registration, RenderingEngine, TemplateLanguage,
};

/// The kind of template a bundle is registered for, which decides its folders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// `customer_managed`: provisioning CUSTOMER_MANAGED, a schema and nothing else.
    Environment { customer_managed: bool },
    /// `pipeline`: false when pipelineProvisioning is CUSTOMER_MANAGED.
    Service { pipeline: bool },
}

impl Expect {
    /// Infrastructure folders the bundle must have; the others it must not.
    fn infra_dirs(self) -> &'static [InfraDir] {
        match self {
            Expect::Environment {
                customer_managed: true,
            } => &[],
            Expect::Environment {
                customer_managed: false,
            } => &[InfraDir::Infrastructure],
            Expect::Service { pipeline: false } => &[InfraDir::InstanceInfrastructure],
            Expect::Service { pipeline: true } => &[
                InfraDir::InstanceInfrastructure,
                InfraDir::PipelineInfrastructure,
            ],
        }
    }

    fn why_not(self, dir: InfraDir) -> &'static str {
        match (self, dir) {
            (
                Expect::Environment {
                    customer_managed: true,
                },
                _,
            ) => "a customer-managed environment template bundle holds only schema/schema.yaml",
            (Expect::Environment { .. }, _) => {
                "an environment template bundle has infrastructure/ only"
            }
            (Expect::Service { .. }, InfraDir::PipelineInfrastructure) => {
                "the service template has pipelineProvisioning CUSTOMER_MANAGED, so its bundle has no pipeline"
            }
            (Expect::Service { .. }, _) => {
                "a service template bundle has instance_infrastructure/ and pipeline_infrastructure/"
            }
        }
    }
}

/// A bundle file and what is wrong with it (or with its absence).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {why}")]
pub struct LayoutError {
    pub path: String,
    pub why: String,
}

fn err(path: impl Into<String>, why: impl Into<String>) -> LayoutError {
    LayoutError {
        path: path.into(),
        why: why.into(),
    }
}

/// Checks the files of an opened bundle and parses what deployments need.
pub fn check(files: BTreeMap<String, String>, expect: Expect) -> Result<Bundle, LayoutError> {
    let schema = files.get(Bundle::SCHEMA_PATH).ok_or_else(|| {
        err(
            Bundle::SCHEMA_PATH,
            "missing; every template bundle has its schema here",
        )
    })?;
    check_schema(schema, expect)?;
    let wanted = expect.infra_dirs();
    let mut manifests = BTreeMap::new();
    for dir in InfraDir::ALL {
        let prefix = format!("{}/", dir.dir());
        let present = files.keys().any(|p| p.starts_with(&prefix));
        if !wanted.contains(&dir) {
            if present {
                return Err(err(prefix, expect.why_not(dir)));
            }
            continue;
        }
        let manifest_path = dir.manifest_path();
        let text = files.get(&manifest_path).ok_or_else(|| {
            err(
                &manifest_path,
                "missing; it names the infrastructure files of the folder",
            )
        })?;
        manifests.insert(dir, parse_manifest(&files, dir, text)?);
    }
    let registration = parse_registration(&files)?;
    Ok(Bundle {
        files,
        manifests,
        registration,
    })
}

/// The schema must be one Proton takes (proton-spec checks it) and be for this kind of template.
fn check_schema(text: &str, expect: Expect) -> Result<(), LayoutError> {
    let schema = TemplateSchema::parse(text).map_err(|e| {
        let why = match e {
            // Its message already starts with "schema.yaml: ".
            SchemaError::Yaml(yaml) => yaml.to_string(),
            other => other.to_string(),
        };
        err(Bundle::SCHEMA_PATH, why)
    })?;
    let wrong = match (expect, schema.kind()) {
        (Expect::Environment { .. }, SchemaKind::Environment) => None,
        (Expect::Environment { .. }, SchemaKind::Service { .. }) => Some(
            "schema: service_input_type is a service template's; an environment template's schema names environment_input_type",
        ),
        (Expect::Service { .. }, SchemaKind::Environment) => Some(
            "schema: environment_input_type is an environment template's; a service template's schema names service_input_type",
        ),
        (Expect::Service { pipeline: false }, SchemaKind::Service { has_pipeline: true }) => Some(
            "schema.pipeline_input_type: the service template has pipelineProvisioning CUSTOMER_MANAGED, so it has no pipeline inputs",
        ),
        (Expect::Service { .. }, SchemaKind::Service { .. }) => None,
    };
    if let Some(why) = wrong {
        return Err(err(Bundle::SCHEMA_PATH, why));
    }
    if expect
        == (Expect::Environment {
            customer_managed: true,
        })
    {
        check_customer_managed_schema(text, schema.input_type_name())?;
    }
    Ok(())
}

/// A customer-managed environment's spec carries the outputs of infrastructure built outside
/// Proton, so its input type holds strings only and no defaults (UG ag-env-customer-managed).
fn check_customer_managed_schema(text: &str, input_type: &str) -> Result<(), LayoutError> {
    let doc = load_yaml(Bundle::SCHEMA_PATH, text)?;
    let place = format!("schema.types.{input_type}");
    let properties = &doc["schema"]["types"][input_type]["properties"];
    let Yaml::Hash(properties) = properties else {
        return Ok(());
    };
    for (name, property) in properties {
        let name = match name {
            Yaml::String(s) => s.clone(),
            other => format!("{other:?}"),
        };
        let at = format!("{place}.properties.{name}");
        if !matches!(property["default"], Yaml::BadValue) {
            return Err(err(
                Bundle::SCHEMA_PATH,
                format!(
                    "{at}.default: a customer-managed environment template's schema has no defaults; \
                     the spec gives the value of every output of the infrastructure built outside Proton"
                ),
            ));
        }
        let ty = match &property["type"] {
            Yaml::String(t) => t.as_str(),
            Yaml::BadValue => "missing",
            _ => "not a string",
        };
        if ty != "string" {
            return Err(err(
                Bundle::SCHEMA_PATH,
                format!(
                    "{at}.type is {ty}; a customer-managed environment template's inputs are outputs \
                     of infrastructure built outside Proton, and only string inputs are allowed"
                ),
            ));
        }
    }
    Ok(())
}

fn load_yaml(path: &str, text: &str) -> Result<Yaml, LayoutError> {
    let mut docs =
        YamlLoader::load_from_str(text).map_err(|e| err(path, format!("not valid YAML: {e}")))?;
    if docs.len() > 1 {
        return Err(err(path, "holds more than one YAML document"));
    }
    Ok(docs.pop().unwrap_or(Yaml::Null))
}

fn parse_manifest(
    files: &BTreeMap<String, String>,
    dir: InfraDir,
    text: &str,
) -> Result<Manifest, LayoutError> {
    let path = dir.manifest_path();
    let doc = load_yaml(&path, text)?;
    let entries = doc["infrastructure"]["templates"].as_vec().ok_or_else(|| {
        err(
            &path,
            "expected infrastructure.templates, a list of {file, rendering_engine, template_language}",
        )
    })?;
    if entries.is_empty() {
        return Err(err(&path, "infrastructure.templates is empty"));
    }
    let mut templates = vec![];
    for (n, entry) in entries.iter().enumerate() {
        templates.push(parse_entry(files, dir, &path, n, entry)?);
    }
    let manifest = Manifest { templates };
    let languages: Vec<_> = manifest
        .templates
        .iter()
        .map(|t| t.template_language)
        .collect();
    if languages.windows(2).any(|w| w[0] != w[1]) {
        return Err(err(
            &path,
            "the templates of one folder are all in one language (CloudFormation, Terraform or CodeBuild)",
        ));
    }
    let iac_files: usize = manifest.templates.iter().map(|t| t.paths.len()).sum();
    if manifest.language() == Some(TemplateLanguage::Cloudformation) && iac_files > 1 {
        return Err(err(
            &path,
            "a CloudFormation folder has exactly one template file",
        ));
    }
    Ok(manifest)
}

fn parse_entry(
    files: &BTreeMap<String, String>,
    dir: InfraDir,
    path: &str,
    n: usize,
    entry: &Yaml,
) -> Result<ManifestTemplate, LayoutError> {
    let at = |field: &str| format!("infrastructure.templates[{n}].{field}");
    let field = |name: &str| -> Result<Option<&str>, LayoutError> {
        match &entry[name] {
            Yaml::BadValue | Yaml::Null => Ok(None),
            Yaml::String(s) => Ok(Some(s.as_str())),
            _ => Err(err(path, format!("{} must be a string", at(name)))),
        }
    };
    let engine = match field("rendering_engine")? {
        Some("jinja") => RenderingEngine::Jinja,
        Some("hcl") => RenderingEngine::Hcl,
        Some("codebuild") => RenderingEngine::Codebuild,
        Some(other) => {
            return Err(err(
                path,
                format!(
                    "{} is {other:?}; expected jinja (CloudFormation), hcl (Terraform) or codebuild",
                    at("rendering_engine")
                ),
            ));
        }
        None => return Err(err(path, format!("{} is missing", at("rendering_engine")))),
    };
    if engine == RenderingEngine::Codebuild {
        let mut settings = match &entry["settings"] {
            Yaml::Hash(_) => yaml_to_json(&entry["settings"]),
            _ => return Err(err(path, format!("{} is missing", at("settings")))),
        };
        super::codebuild::check_settings(&settings)
            .map_err(|why| err(path, format!("infrastructure.templates[{n}].{why}")))?;
        // `input_type` (JSON or HCL) is kept in the settings, where deployments read it.
        let input_type = match field("input_type")? {
            Some(t) => Some(t.to_string()),
            None => settings
                .get("input_type")
                .map(|t| t.as_str().unwrap_or("(not a string)").to_string()),
        };
        if let Some(t) = input_type {
            if super::codebuild::InputType::parse(&t).is_none() {
                return Err(err(
                    path,
                    format!("{} is {t:?}; expected JSON or HCL", at("input_type")),
                ));
            }
            if let Some(m) = settings.as_object_mut() {
                m.insert("input_type".into(), Value::String(t.to_ascii_uppercase()));
            }
        }
        let settings = Some(settings);
        return Ok(ManifestTemplate {
            file: field("file")?.map(str::to_string),
            rendering_engine: engine,
            template_language: None,
            paths: vec![],
            settings,
        });
    }
    let language = match (engine, field("template_language")?) {
        (RenderingEngine::Jinja, Some("cloudformation")) => TemplateLanguage::Cloudformation,
        (RenderingEngine::Hcl, Some("terraform")) => TemplateLanguage::Terraform,
        (_, None) => return Err(err(path, format!("{} is missing", at("template_language")))),
        (_, Some(other)) => {
            return Err(err(
                path,
                format!(
                    "{} is {other:?}; rendering_engine jinja goes with cloudformation, hcl with terraform",
                    at("template_language")
                ),
            ));
        }
    };
    let file = field("file")?.ok_or_else(|| err(path, format!("{} is missing", at("file"))))?;
    let folder = format!("{}/", dir.dir());
    let paths: Vec<String> = if file == "*" {
        if language != TemplateLanguage::Terraform {
            return Err(err(
                path,
                format!("{} \"*\" (every .tf file) is for Terraform", at("file")),
            ));
        }
        let tf: Vec<String> = files
            .keys()
            .filter(|p| p.starts_with(&folder) && p.ends_with(".tf"))
            .cloned()
            .collect();
        if tf.is_empty() {
            return Err(err(
                path,
                format!("{} is \"*\" but {folder} holds no .tf file", at("file")),
            ));
        }
        tf
    } else {
        let full = format!("{folder}{file}");
        if !files.contains_key(&full) {
            return Err(err(
                full,
                format!("missing; {path} names it in {}", at("file")),
            ));
        }
        vec![full]
    };
    Ok(ManifestTemplate {
        file: Some(file.to_string()),
        rendering_engine: engine,
        template_language: Some(language),
        paths,
        settings: None,
    })
}

const REGISTRATION_FILE: &str = ".template-registration.yaml";
const COMPATIBLE_ENVS_FILE: &str = ".compatible-envs";

/// `.template-registration.yaml`, or the older `.compatible-envs`, if the bundle has one.
fn parse_registration(
    files: &BTreeMap<String, String>,
) -> Result<Option<Registration>, LayoutError> {
    if let Some(text) = files.get(REGISTRATION_FILE) {
        let doc = load_yaml(REGISTRATION_FILE, text)?;
        let list = |name: &str| -> Result<Vec<String>, LayoutError> {
            match &doc[name] {
                Yaml::BadValue | Yaml::Null => Ok(vec![]),
                Yaml::Array(items) => items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_string).ok_or_else(|| {
                            err(REGISTRATION_FILE, format!("{name} is a list of strings"))
                        })
                    })
                    .collect(),
                _ => Err(err(
                    REGISTRATION_FILE,
                    format!("{name} is a list of strings"),
                )),
            }
        };
        let compatible = list("compatible_environments")?
            .iter()
            .map(|c| template_major(REGISTRATION_FILE, c))
            .collect::<Result<_, _>>()?;
        return Ok(Some(Registration {
            compatible_environments: compatible,
            supported_component_sources: list("supported_component_sources")?,
        }));
    }
    if let Some(text) = files.get(COMPATIBLE_ENVS_FILE) {
        let compatible = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| template_major(COMPATIBLE_ENVS_FILE, l))
            .collect::<Result<_, _>>()?;
        return Ok(Some(Registration {
            compatible_environments: compatible,
            supported_component_sources: vec![],
        }));
    }
    Ok(None)
}

/// `name:major`, as both registration files write a compatible environment template.
fn template_major(path: &str, s: &str) -> Result<(String, String), LayoutError> {
    match s.split_once(':') {
        Some((name, major))
            if !name.is_empty()
                && !major.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok((name.to_string(), major.to_string()))
        }
        _ => Err(err(
            path,
            format!("{s:?} is not TEMPLATE_NAME:MAJOR_VERSION (for example my-env:1)"),
        )),
    }
}

/// YAML (as manifests write CodeBuild settings) to JSON, for storing.
fn yaml_to_json(y: &Yaml) -> Value {
    match y {
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::String(r.clone()), Value::Number),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        Yaml::Integer(i) => i.to_string(),
                        other => format!("{other:?}"),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

const CODEBUILD_COMPONENT: &str = "rendering_engine codebuild: components are provisioned with CloudFormation (jinja) or Terraform (hcl), not CodeBuild";

/// A directly defined component as a one-folder bundle: its `manifest` names
/// one IaC file, for CloudFormation and Terraform alike (UG ag-wrap-up), whose
/// text is the component's `templateFile`. Components are provisioned with
/// CloudFormation or Terraform, never CodeBuild (UG ag-components).
pub fn component(manifest: &str, template_file: &str) -> Result<Bundle, LayoutError> {
    let dir = InfraDir::Component;
    let path = dir.manifest_path();
    let doc = load_yaml(&path, manifest)?;
    let entries = doc["infrastructure"]["templates"].as_vec();
    let file = match entries.map(Vec::as_slice) {
        // Refused before parse_manifest, which would ask for CodeBuild's settings first.
        Some([entry]) if entry["rendering_engine"].as_str() == Some("codebuild") => {
            return Err(err(&path, CODEBUILD_COMPONENT));
        }
        Some([entry]) => entry["file"].as_str(),
        Some([_, _, ..]) => {
            return Err(err(
                &path,
                "a component's manifest names exactly one template file in infrastructure.templates",
            ));
        }
        // parse_manifest says what is missing.
        _ => None,
    };
    let mut files = BTreeMap::new();
    match file {
        Some("*") => {
            return Err(err(
                &path,
                "infrastructure.templates[0].file is \"*\"; a component's manifest names its one template file",
            ));
        }
        Some(name) => {
            files.insert(format!("{}/{name}", dir.dir()), template_file.to_string());
        }
        None => {}
    }
    let parsed = parse_manifest(&files, dir, manifest)?;
    if parsed
        .templates
        .iter()
        .any(|t| t.rendering_engine == RenderingEngine::Codebuild)
    {
        return Err(err(&path, CODEBUILD_COMPONENT));
    }
    Ok(Bundle {
        files,
        manifests: BTreeMap::from([(dir, parsed)]),
        registration: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "schema:\n  format:\n    openapi: \"3.0.0\"\n  environment_input_type: \"E\"\n  types:\n    E:\n      type: object\n      properties: {}\n";
    const CFN_MANIFEST: &str = "infrastructure:\n  templates:\n    - file: \"cloudformation.yaml\"\n      rendering_engine: jinja\n      template_language: cloudformation\n";

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, String> {
        list.iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect()
    }

    const ENV: Expect = Expect::Environment {
        customer_managed: false,
    };

    #[test]
    fn a_cloudformation_environment() {
        let b = check(
            files(&[
                ("schema/schema.yaml", SCHEMA),
                ("infrastructure/manifest.yaml", CFN_MANIFEST),
                ("infrastructure/cloudformation.yaml", "Resources: {}\n"),
            ]),
            ENV,
        )
        .unwrap();
        assert_eq!(b.schema(), Some(SCHEMA));
        assert_eq!(
            b.infrastructure_files(InfraDir::Infrastructure),
            [("infrastructure/cloudformation.yaml", "Resources: {}\n")]
        );
    }

    #[test]
    fn terraform_star_takes_every_tf_file() {
        let manifest = "infrastructure:\n  templates:\n    - file: \"*\"\n      rendering_engine: hcl\n      template_language: terraform\n";
        let b = check(
            files(&[
                ("schema/schema.yaml", SCHEMA),
                ("infrastructure/manifest.yaml", manifest),
                ("infrastructure/main.tf", ""),
                ("infrastructure/outputs.tf", ""),
            ]),
            ENV,
        )
        .unwrap();
        let paths = &b.manifests[&InfraDir::Infrastructure].templates[0].paths;
        assert_eq!(
            paths,
            &["infrastructure/main.tf", "infrastructure/outputs.tf"]
        );
    }

    #[test]
    fn errors_name_the_file() {
        let e = check(files(&[("schema/schema.yaml", SCHEMA)]), ENV).unwrap_err();
        assert_eq!(e.path, "infrastructure/manifest.yaml");
        let e = check(
            files(&[
                ("schema/schema.yaml", SCHEMA),
                ("infrastructure/manifest.yaml", CFN_MANIFEST),
            ]),
            ENV,
        )
        .unwrap_err();
        assert_eq!(e.path, "infrastructure/cloudformation.yaml");
        let e = check(
            files(&[("schema/schema.yaml", SCHEMA), ("infrastructure/x", "")]),
            Expect::Environment {
                customer_managed: true,
            },
        )
        .unwrap_err();
        assert_eq!(e.path, "infrastructure/");
        let e = check(files(&[("schema/schema.yaml", "a: [")]), ENV).unwrap_err();
        assert_eq!(e.path, "schema/schema.yaml");
    }

    #[test]
    fn the_schema_is_checked_and_fits_the_template() {
        let check_schema_only = |schema: &str, expect| {
            check(files(&[("schema/schema.yaml", schema)]), expect).map(|_| ())
        };
        let cm = Expect::Environment {
            customer_managed: true,
        };
        assert_eq!(check_schema_only(SCHEMA, cm), Ok(()));
        let service = SCHEMA.replace("environment_input_type", "service_input_type");
        let e = check_schema_only(&service, cm).unwrap_err();
        assert_eq!(e.path, "schema/schema.yaml");
        assert!(e.why.starts_with("schema: service_input_type"), "{e}");
        let with_pipeline = format!("{service}  pipeline_input_type: \"E\"\n");
        let no_pipeline = Expect::Service { pipeline: false };
        let e = check(
            files(&[
                ("schema/schema.yaml", &with_pipeline),
                ("instance_infrastructure/manifest.yaml", CFN_MANIFEST),
                ("instance_infrastructure/cloudformation.yaml", ""),
            ]),
            no_pipeline,
        )
        .unwrap_err();
        assert!(e.why.starts_with("schema.pipeline_input_type:"), "{e}");
        let e = check_schema_only("schema:\n  format: {openapi: \"3.0.0\"}\n", cm).unwrap_err();
        assert_eq!(e.path, "schema/schema.yaml");
        let e = check_schema_only("a: [", cm).unwrap_err();
        assert!(e.why.starts_with("not valid YAML"), "{e}");
    }

    #[test]
    fn customer_managed_schemas_hold_strings_without_defaults() {
        let cm = Expect::Environment {
            customer_managed: true,
        };
        let schema = |property: &str| {
            SCHEMA.replace(
                "properties: {}",
                &format!("properties:\n        {property}"),
            )
        };
        let ok = schema("vpc_id: {type: string, description: \"the VPC\"}");
        assert!(check(files(&[("schema/schema.yaml", &ok)]), cm).is_ok());
        let cases = [
            (
                "vpc_id: {type: string, default: vpc-1}",
                "schema.types.E.properties.vpc_id.default: ",
            ),
            (
                "zones: {type: number}",
                "schema.types.E.properties.zones.type is number; ",
            ),
            (
                "tags: {description: any}",
                "schema.types.E.properties.tags.type is missing; ",
            ),
        ];
        for (property, want) in cases {
            let text = schema(property);
            let e = check(files(&[("schema/schema.yaml", &text)]), cm).unwrap_err();
            assert_eq!(e.path, "schema/schema.yaml");
            assert!(e.why.starts_with(want), "{property}: {e}");
            // A standard environment template takes the same schema.
            let standard = [
                ("schema/schema.yaml", text.as_str()),
                ("infrastructure/manifest.yaml", CFN_MANIFEST),
                ("infrastructure/cloudformation.yaml", "Resources: {}\n"),
            ];
            assert!(check(files(&standard), ENV).is_ok(), "{property}");
        }
    }

    #[test]
    fn registration_files() {
        let mut f = files(&[("schema/schema.yaml", SCHEMA)]);
        f.insert(".compatible-envs".into(), "env-a:1\n\n".into());
        let b = check(
            f.clone(),
            Expect::Environment {
                customer_managed: true,
            },
        )
        .unwrap();
        assert_eq!(
            b.registration.unwrap().compatible_environments,
            [("env-a".to_string(), "1".to_string())]
        );
        f.insert(".compatible-envs".into(), "env-a\n".into());
        let e = check(
            f,
            Expect::Environment {
                customer_managed: true,
            },
        )
        .unwrap_err();
        assert_eq!(e.path, ".compatible-envs");
    }

    #[test]
    fn a_component_is_a_bundle_of_its_one_file() {
        let b = component(CFN_MANIFEST, "Resources: {}\n").unwrap();
        assert_eq!(
            b.infrastructure_files(InfraDir::Component),
            [("component/cloudformation.yaml", "Resources: {}\n")]
        );
        let tf = "infrastructure:\n  templates:\n    - file: main.tf\n      rendering_engine: hcl\n      template_language: terraform\n";
        let b = component(tf, "locals {}\n").unwrap();
        assert_eq!(
            b.manifests[&InfraDir::Component].templates[0].rendering_engine,
            RenderingEngine::Hcl
        );
        for (manifest, says) in [
            ("m", "manifest: expected infrastructure.templates"),
            (
                "infrastructure:\n  templates:\n    - file: c.yaml\n",
                "manifest: infrastructure.templates[0].rendering_engine is missing",
            ),
            (
                "infrastructure:\n  templates:\n    - file: \"*\"\n      rendering_engine: hcl\n      template_language: terraform\n",
                "names its one template file",
            ),
            (
                "infrastructure:\n  templates:\n    - file: c.yaml\n      rendering_engine: codebuild\n      template_language: cloudformation\n      settings: {}\n",
                "not CodeBuild",
            ),
            (
                "infrastructure:\n  templates:\n    - file: a.tf\n      rendering_engine: hcl\n      template_language: terraform\n    - file: b.tf\n      rendering_engine: hcl\n      template_language: terraform\n",
                "exactly one template file",
            ),
        ] {
            let e = component(manifest, "x").unwrap_err().to_string();
            assert!(e.contains(says), "{manifest}: {e}");
        }
    }
}
