//! Template bundles. Stand-in until the bundle intake (h-bundles) lands: the
//! registered bundle's shape, as deployments read it. Replaced at merge.

pub mod deploy;
pub mod render;
pub mod repository;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The folders of a bundle that hold infrastructure, each with its `manifest.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InfraDir {
    Infrastructure,
    InstanceInfrastructure,
    PipelineInfrastructure,
}

impl InfraDir {
    pub fn dir(self) -> &'static str {
        match self {
            InfraDir::Infrastructure => "infrastructure",
            InfraDir::InstanceInfrastructure => "instance_infrastructure",
            InfraDir::PipelineInfrastructure => "pipeline_infrastructure",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenderingEngine {
    Jinja,
    Hcl,
    Codebuild,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateLanguage {
    Cloudformation,
    Terraform,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestTemplate {
    pub file: Option<String>,
    pub rendering_engine: RenderingEngine,
    pub template_language: Option<TemplateLanguage>,
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub templates: Vec<ManifestTemplate>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    pub files: BTreeMap<String, String>,
    pub manifests: BTreeMap<InfraDir, Manifest>,
}

impl Bundle {
    pub const SCHEMA_PATH: &'static str = "schema/schema.yaml";

    pub fn schema(&self) -> Option<&str> {
        self.files.get(Self::SCHEMA_PATH).map(String::as_str)
    }

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
