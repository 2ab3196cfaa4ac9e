//! Service template versions.

use aws_sdk_proton::types::{
    CompatibleEnvironmentTemplateInput, ServiceTemplateSupportedComponentSourceType,
    ServiceTemplateVersion, TemplateVersionStatus,
};

use super::environment_template_version::{source, token};
use super::{
    ApiError, NewTemplateVersion, Proton, VersionChanges, VersionId, classify,
    deleted_or_already_gone, object_from_get, object_in_answer, tag_list,
};

/// An environment template major version a service template version works with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompatibleTemplate {
    pub template_name: String,
    pub major_version: String,
}

/// Changes to a service template version; `None` leaves a field as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServiceVersionChanges<'a> {
    pub common: VersionChanges<'a>,
    pub compatible_environment_templates: Option<&'a [CompatibleTemplate]>,
    /// An empty slice clears the list.
    pub supported_component_sources: Option<&'a [String]>,
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

impl Proton {
    pub async fn create_service_template_version(
        &self,
        version: NewTemplateVersion<'_>,
        compatible: &[CompatibleTemplate],
        supported_component_sources: Option<&[String]>,
    ) -> Result<ServiceTemplateVersion, ApiError> {
        let output = self
            .client
            .create_service_template_version()
            .set_client_token(token(version.client_token))
            .template_name(version.template_name)
            .set_major_version(version.major_version.map(str::to_string))
            .set_description(version.description.map(str::to_string))
            .source(source(version.bucket, version.key)?)
            .set_compatible_environment_templates(Some(compatible_inputs(compatible)?))
            .set_supported_component_sources(supported_component_sources.map(component_sources))
            .set_tags(tag_list(version.tags)?)
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.service_template_version, "service template version")
    }

    pub async fn get_service_template_version(
        &self,
        id: VersionId<'_>,
    ) -> Result<Option<ServiceTemplateVersion>, ApiError> {
        object_from_get(
            self.client
                .get_service_template_version()
                .template_name(id.template_name)
                .major_version(id.major_version)
                .minor_version(id.minor_version)
                .send()
                .await,
            |o| o.service_template_version,
        )
    }

    pub async fn update_service_template_version(
        &self,
        id: VersionId<'_>,
        changes: ServiceVersionChanges<'_>,
    ) -> Result<ServiceTemplateVersion, ApiError> {
        let compatible = changes
            .compatible_environment_templates
            .map(compatible_inputs)
            .transpose()?;
        let output = self
            .client
            .update_service_template_version()
            .template_name(id.template_name)
            .major_version(id.major_version)
            .minor_version(id.minor_version)
            .set_description(changes.common.description.map(str::to_string))
            .set_status(changes.common.status.map(TemplateVersionStatus::from))
            .set_compatible_environment_templates(compatible)
            .set_supported_component_sources(
                changes.supported_component_sources.map(component_sources),
            )
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.service_template_version, "service template version")
    }

    pub async fn delete_service_template_version(&self, id: VersionId<'_>) -> Result<(), ApiError> {
        deleted_or_already_gone(
            self.client
                .delete_service_template_version()
                .template_name(id.template_name)
                .major_version(id.major_version)
                .minor_version(id.minor_version)
                .send()
                .await,
        )
    }
}
