//! Environment and service template versions. The two kinds differ in names, and in what a service
//! template version adds (compatible environment templates, supported component sources), so one
//! implementation takes the kind as a value, as [`super::templates`] does.

use std::collections::BTreeMap;

use aws_sdk_proton::primitives::DateTime;
use aws_sdk_proton::types::{
    CompatibleEnvironmentTemplateInput, EnvironmentTemplateVersion, S3ObjectSource,
    ServiceTemplateSupportedComponentSourceType, ServiceTemplateVersion,
    TemplateVersionSourceInput, TemplateVersionStatus,
};

use super::{
    ApiError, Proton, TemplateKind, classify, deleted_or_already_gone, object_from_get,
    object_in_answer, tag_list,
};

/// What a new template version (of either kind) is made of.
#[derive(Clone, Debug)]
pub struct NewTemplateVersion<'a> {
    pub kind: TemplateKind,
    pub template_name: &'a str,
    /// `None` creates a new major version.
    pub major_version: Option<&'a str>,
    pub description: Option<&'a str>,
    pub bucket: &'a str,
    pub key: &'a str,
    /// Proton returns the first result for a retried request with the same token.
    pub client_token: &'a str,
    pub tags: &'a BTreeMap<String, String>,
    /// Only for a service template version.
    pub compatible_environment_templates: &'a [CompatibleTemplate],
    /// Only for a service template version.
    pub supported_component_sources: Option<&'a [String]>,
}

/// Which version of which template.
#[derive(Clone, Copy, Debug)]
pub struct VersionId<'a> {
    pub template_name: &'a str,
    pub major_version: &'a str,
    pub minor_version: &'a str,
}

/// Changes to a template version; `None` leaves a field as it is. The last two only apply to a
/// service template version.
#[derive(Clone, Copy, Debug, Default)]
pub struct VersionChanges<'a> {
    pub description: Option<&'a str>,
    pub status: Option<&'a str>,
    pub compatible_environment_templates: Option<&'a [CompatibleTemplate]>,
    /// An empty slice clears the list.
    pub supported_component_sources: Option<&'a [String]>,
}

impl VersionChanges<'_> {
    pub fn is_empty(&self) -> bool {
        self.description.is_none()
            && self.status.is_none()
            && self.compatible_environment_templates.is_none()
            && self.supported_component_sources.is_none()
    }
}

/// An environment template major version a service template version works with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompatibleTemplate {
    pub template_name: String,
    pub major_version: String,
}

/// A template version as Get, Create and Update answer, whichever its kind.
#[derive(Clone, Debug)]
pub struct TemplateVersion {
    pub template_name: String,
    pub major_version: String,
    pub minor_version: String,
    pub status: TemplateVersionStatus,
    pub status_message: Option<String>,
    pub description: Option<String>,
    pub recommended_minor_version: Option<String>,
    pub schema: Option<String>,
    pub arn: String,
    pub created_at: DateTime,
    pub last_modified_at: DateTime,
    /// Empty for an environment template version.
    pub compatible_environment_templates: Vec<CompatibleTemplate>,
    /// Empty for an environment template version.
    pub supported_component_sources: Vec<String>,
}

/// The fields both kinds of version have; their getters share names.
macro_rules! common_version_fields {
    ($v:expr) => {
        TemplateVersion {
            template_name: $v.template_name().to_string(),
            major_version: $v.major_version().to_string(),
            minor_version: $v.minor_version().to_string(),
            status: $v.status().clone(),
            status_message: $v.status_message().map(str::to_string),
            description: $v.description().map(str::to_string),
            recommended_minor_version: $v.recommended_minor_version().map(str::to_string),
            schema: $v.schema().map(str::to_string),
            arn: $v.arn().to_string(),
            created_at: *$v.created_at(),
            last_modified_at: *$v.last_modified_at(),
            compatible_environment_templates: Vec::new(),
            supported_component_sources: Vec::new(),
        }
    };
}

impl From<EnvironmentTemplateVersion> for TemplateVersion {
    fn from(v: EnvironmentTemplateVersion) -> Self {
        common_version_fields!(v)
    }
}

impl From<ServiceTemplateVersion> for TemplateVersion {
    fn from(v: ServiceTemplateVersion) -> Self {
        TemplateVersion {
            compatible_environment_templates: v
                .compatible_environment_templates()
                .iter()
                .map(|c| CompatibleTemplate {
                    template_name: c.template_name().to_string(),
                    major_version: c.major_version().to_string(),
                })
                .collect(),
            supported_component_sources: v
                .supported_component_sources()
                .iter()
                .map(|s| s.as_str().to_string())
                .collect(),
            ..common_version_fields!(v)
        }
    }
}

fn source(bucket: &str, key: &str) -> Result<TemplateVersionSourceInput, ApiError> {
    S3ObjectSource::builder()
        .bucket(bucket)
        .key(key)
        .build()
        .map(TemplateVersionSourceInput::S3)
        .map_err(|e| ApiError::Validation(e.to_string()))
}

fn token(client_token: &str) -> Option<String> {
    (!client_token.is_empty()).then(|| client_token.to_string())
}

fn compatible_inputs(
    templates: &[CompatibleTemplate],
) -> Result<Vec<CompatibleEnvironmentTemplateInput>, ApiError> {
    templates
        .iter()
        .map(|t| {
            CompatibleEnvironmentTemplateInput::builder()
                .template_name(&t.template_name)
                .major_version(&t.major_version)
                .build()
                .map_err(|e| ApiError::Validation(e.to_string()))
        })
        .collect()
}

fn component_sources(sources: &[String]) -> Vec<ServiceTemplateSupportedComponentSourceType> {
    sources
        .iter()
        .map(|s| ServiceTemplateSupportedComponentSourceType::from(s.as_str()))
        .collect()
}

fn noun(kind: TemplateKind) -> &'static str {
    match kind {
        TemplateKind::Environment => "environment template version",
        TemplateKind::Service => "service template version",
    }
}

impl Proton {
    pub async fn create_template_version(
        &self,
        version: NewTemplateVersion<'_>,
    ) -> Result<TemplateVersion, ApiError> {
        let kind = version.kind;
        let client_token = token(version.client_token);
        let major_version = version.major_version.map(str::to_string);
        let description = version.description.map(str::to_string);
        let source = source(version.bucket, version.key)?;
        let tags = tag_list(version.tags)?;
        let created = match kind {
            TemplateKind::Environment => self
                .client
                .create_environment_template_version()
                .set_client_token(client_token)
                .template_name(version.template_name)
                .set_major_version(major_version)
                .set_description(description)
                .source(source)
                .set_tags(tags)
                .send()
                .await
                .map_err(classify)?
                .environment_template_version
                .map(TemplateVersion::from),
            TemplateKind::Service => self
                .client
                .create_service_template_version()
                .set_client_token(client_token)
                .template_name(version.template_name)
                .set_major_version(major_version)
                .set_description(description)
                .source(source)
                .set_compatible_environment_templates(Some(compatible_inputs(
                    version.compatible_environment_templates,
                )?))
                .set_supported_component_sources(
                    version.supported_component_sources.map(component_sources),
                )
                .set_tags(tags)
                .send()
                .await
                .map_err(classify)?
                .service_template_version
                .map(TemplateVersion::from),
        };
        object_in_answer(created, noun(kind))
    }

    pub async fn get_template_version(
        &self,
        kind: TemplateKind,
        id: VersionId<'_>,
    ) -> Result<Option<TemplateVersion>, ApiError> {
        match kind {
            TemplateKind::Environment => object_from_get(
                self.client
                    .get_environment_template_version()
                    .template_name(id.template_name)
                    .major_version(id.major_version)
                    .minor_version(id.minor_version)
                    .send()
                    .await,
                |o| o.environment_template_version.map(TemplateVersion::from),
            ),
            TemplateKind::Service => object_from_get(
                self.client
                    .get_service_template_version()
                    .template_name(id.template_name)
                    .major_version(id.major_version)
                    .minor_version(id.minor_version)
                    .send()
                    .await,
                |o| o.service_template_version.map(TemplateVersion::from),
            ),
        }
    }

    pub async fn update_template_version(
        &self,
        kind: TemplateKind,
        id: VersionId<'_>,
        changes: VersionChanges<'_>,
    ) -> Result<TemplateVersion, ApiError> {
        let description = changes.description.map(str::to_string);
        let status = changes.status.map(TemplateVersionStatus::from);
        let updated = match kind {
            TemplateKind::Environment => self
                .client
                .update_environment_template_version()
                .template_name(id.template_name)
                .major_version(id.major_version)
                .minor_version(id.minor_version)
                .set_description(description)
                .set_status(status)
                .send()
                .await
                .map_err(classify)?
                .environment_template_version
                .map(TemplateVersion::from),
            TemplateKind::Service => self
                .client
                .update_service_template_version()
                .template_name(id.template_name)
                .major_version(id.major_version)
                .minor_version(id.minor_version)
                .set_description(description)
                .set_status(status)
                .set_compatible_environment_templates(
                    changes
                        .compatible_environment_templates
                        .map(compatible_inputs)
                        .transpose()?,
                )
                .set_supported_component_sources(
                    changes.supported_component_sources.map(component_sources),
                )
                .send()
                .await
                .map_err(classify)?
                .service_template_version
                .map(TemplateVersion::from),
        };
        object_in_answer(updated, noun(kind))
    }

    pub async fn delete_template_version(
        &self,
        kind: TemplateKind,
        id: VersionId<'_>,
    ) -> Result<(), ApiError> {
        match kind {
            TemplateKind::Environment => deleted_or_already_gone(
                self.client
                    .delete_environment_template_version()
                    .template_name(id.template_name)
                    .major_version(id.major_version)
                    .minor_version(id.minor_version)
                    .send()
                    .await,
            ),
            TemplateKind::Service => deleted_or_already_gone(
                self.client
                    .delete_service_template_version()
                    .template_name(id.template_name)
                    .major_version(id.major_version)
                    .minor_version(id.minor_version)
                    .send()
                    .await,
            ),
        }
    }
}

/// A version of a template as a listing shows it, whichever the kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionNumbers {
    pub arn: String,
    pub major: String,
    pub minor: String,
    pub published: bool,
}

impl Proton {
    /// Every version of a template: numbers and whether it is published.
    pub async fn template_version_numbers(
        &self,
        kind: TemplateKind,
        template_name: &str,
    ) -> Result<Vec<VersionNumbers>, ApiError> {
        let published =
            |status: &TemplateVersionStatus| *status == TemplateVersionStatus::Published;
        Ok(match kind {
            TemplateKind::Environment => self
                .list_environment_template_versions(template_name, None)
                .await?
                .iter()
                .map(|v| VersionNumbers {
                    arn: v.arn().to_string(),
                    major: v.major_version().to_string(),
                    minor: v.minor_version().to_string(),
                    published: published(v.status()),
                })
                .collect(),
            TemplateKind::Service => self
                .list_service_template_versions(template_name, None)
                .await?
                .iter()
                .map(|v| VersionNumbers {
                    arn: v.arn().to_string(),
                    major: v.major_version().to_string(),
                    minor: v.minor_version().to_string(),
                    published: published(v.status()),
                })
                .collect(),
        })
    }
}
