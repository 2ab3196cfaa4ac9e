//! Template bundles: where proton-local gets them (`source`), how the gzip
//! tarball is opened (`archive`) and what a registered bundle must hold
//! (`layout`). A bundle that passes is kept, parsed, in its template version
//! record, so deployments render from it without fetching it again.

pub mod archive;
pub mod codebuild;
pub mod components;
pub mod deploy;
pub mod layout;
pub mod render;
pub mod repository;
pub mod source;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The folders of a bundle that hold infrastructure, each with its `manifest.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InfraDir {
    /// `infrastructure/`: an environment's.
    Infrastructure,
    /// `instance_infrastructure/`: a service instance's.
    InstanceInfrastructure,
    /// `pipeline_infrastructure/`: a service pipeline's.
    PipelineInfrastructure,
    /// A directly defined component's one file, named by its `manifest`
    /// (never in a template bundle, so not in `ALL`).
    Component,
}

impl InfraDir {
    pub const ALL: [InfraDir; 3] = [
        InfraDir::Infrastructure,
        InfraDir::InstanceInfrastructure,
        InfraDir::PipelineInfrastructure,
    ];

    /// The folder name inside the bundle (no trailing slash).
    pub fn dir(self) -> &'static str {
        match self {
            InfraDir::Infrastructure => "infrastructure",
            InfraDir::InstanceInfrastructure => "instance_infrastructure",
            InfraDir::PipelineInfrastructure => "pipeline_infrastructure",
            InfraDir::Component => "component",
        }
    }

    /// Where messages say the manifest is: a bundle path, or the
    /// CreateComponent member for a component's.
    pub fn manifest_path(self) -> String {
        match self {
            InfraDir::Component => "manifest".to_string(),
            _ => format!("{}/manifest.yaml", self.dir()),
        }
    }
}

/// `rendering_engine` of a manifest entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderingEngine {
    /// CloudFormation templates are Jinja.
    Jinja,
    /// Terraform files are copied, with Proton's variables files beside them.
    Hcl,
    /// A CodeBuild project runs the `settings` commands.
    Codebuild,
}

/// `template_language` of a manifest entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateLanguage {
    Cloudformation,
    Terraform,
}

/// One entry of `infrastructure.templates` in a manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestTemplate {
    /// As written: a file name in the manifest's folder, or `*` (every `.tf`
    /// file of the folder). None for CodeBuild, which names no file.
    pub file: Option<String>,
    pub rendering_engine: RenderingEngine,
    /// None for CodeBuild.
    pub template_language: Option<TemplateLanguage>,
    /// The bundle paths this entry stands for (`file: "*"` expanded), sorted.
    pub paths: Vec<String>,
    /// CodeBuild's `settings` (image, runtimes, provision, deprovision, ...), as JSON.
    #[serde(default)]
    pub settings: Option<serde_json::Value>,
}

/// A parsed `manifest.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub templates: Vec<ManifestTemplate>,
}

impl Manifest {
    /// The language of the folder's IaC (one per folder; None for CodeBuild).
    pub fn language(&self) -> Option<TemplateLanguage> {
        self.templates.iter().find_map(|t| t.template_language)
    }
}

/// What `.template-registration.yaml` (or the older `.compatible-envs`) says.
/// Proton reads these in template sync; proton-local checks and keeps them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Registration {
    /// `(template name, major version)` pairs.
    pub compatible_environments: Vec<(String, String)>,
    pub supported_component_sources: Vec<String>,
}

/// Opens and checks a fetched bundle for a template version: the bundle, or
/// the `statusMessage` its registration fails with (naming the file at fault).
pub fn register(
    fetched: Option<source::Fetched>,
    expect: layout::Expect,
    bucket: &str,
    key: &str,
) -> Result<Bundle, String> {
    let fetched = fetched.unwrap_or_else(|| {
        Err(source::SourceError::NotConfigured {
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    });
    let bytes = fetched.map_err(|e| capitalized(&e.to_string()))?;
    let in_bundle = |e: &dyn std::fmt::Display| format!("Template bundle s3://{bucket}/{key}: {e}");
    let files = archive::open(&bytes).map_err(|e| in_bundle(&e))?;
    layout::check(files, expect).map_err(|e| in_bundle(&e))
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A registered template bundle.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// Every file, by its path from the bundle root (`schema/schema.yaml`,
    /// `infrastructure/cloudformation.yaml`, ...), as text.
    pub files: BTreeMap<String, String>,
    /// The manifest of each infrastructure folder the bundle has.
    pub manifests: BTreeMap<InfraDir, Manifest>,
    #[serde(default)]
    pub registration: Option<Registration>,
}

impl Bundle {
    pub const SCHEMA_PATH: &'static str = "schema/schema.yaml";

    /// The schema as the author wrote it (`Get*TemplateVersion` returns it verbatim).
    pub fn schema(&self) -> Option<&str> {
        self.files.get(Self::SCHEMA_PATH).map(String::as_str)
    }

    /// The files one infrastructure folder renders, with their text, in manifest order.
    pub fn infrastructure_files(&self, dir: InfraDir) -> Vec<(&str, &str)> {
        let Some(manifest) = self.manifests.get(&dir) else {
            return vec![];
        };
        manifest
            .templates
            .iter()
            .flat_map(|t| t.paths.iter())
            .filter_map(|p| {
                self.files
                    .get_key_value(p)
                    .map(|(k, v)| (k.as_str(), v.as_str()))
            })
            .collect()
    }
}
