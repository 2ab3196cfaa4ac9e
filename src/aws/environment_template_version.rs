//! Environment template versions, and what both kinds of template version share.

use std::collections::BTreeMap;

use aws_sdk_proton::types::{
    EnvironmentTemplateVersion, S3ObjectSource, TemplateVersionSourceInput, TemplateVersionStatus,
};

use super::{
    ApiError, Proton, classify, deleted_or_already_gone, object_from_get, object_in_answer,
    tag_list,
};

/// What a new template version (of either kind) is made of.
#[derive(Clone, Debug)]
pub struct NewTemplateVersion<'a> {
    pub template_name: &'a str,
    /// `None` creates a new major version.
    pub major_version: Option<&'a str>,
    pub description: Option<&'a str>,
    pub bucket: &'a str,
    pub key: &'a str,
    /// Proton returns the first result for a retried request with the same token.
    pub client_token: &'a str,
    pub tags: &'a BTreeMap<String, String>,
}

/// Which version of which template.
#[derive(Clone, Copy, Debug)]
pub struct VersionId<'a> {
    pub template_name: &'a str,
    pub major_version: &'a str,
    pub minor_version: &'a str,
}

/// Changes to a template version; `None` leaves a field as it is.
#[derive(Clone, Copy, Debug, Default)]
pub struct VersionChanges<'a> {
    pub description: Option<&'a str>,
    pub status: Option<&'a str>,
}

pub(super) fn source(bucket: &str, key: &str) -> Result<TemplateVersionSourceInput, ApiError> {
    S3ObjectSource::builder()
        .bucket(bucket)
        .key(key)
        .build()
        .map(TemplateVersionSourceInput::S3)
        .map_err(|e| ApiError::Validation(e.to_string()))
}

pub(super) fn token(client_token: &str) -> Option<String> {
    (!client_token.is_empty()).then(|| client_token.to_string())
}

impl Proton {
    pub async fn create_environment_template_version(
        &self,
        version: NewTemplateVersion<'_>,
    ) -> Result<EnvironmentTemplateVersion, ApiError> {
        let output = self
            .client
            .create_environment_template_version()
            .set_client_token(token(version.client_token))
            .template_name(version.template_name)
            .set_major_version(version.major_version.map(str::to_string))
            .set_description(version.description.map(str::to_string))
            .source(source(version.bucket, version.key)?)
            .set_tags(tag_list(version.tags)?)
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(
            output.environment_template_version,
            "environment template version",
        )
    }

    pub async fn get_environment_template_version(
        &self,
        id: VersionId<'_>,
    ) -> Result<Option<EnvironmentTemplateVersion>, ApiError> {
        object_from_get(
            self.client
                .get_environment_template_version()
                .template_name(id.template_name)
                .major_version(id.major_version)
                .minor_version(id.minor_version)
                .send()
                .await,
            |o| o.environment_template_version,
        )
    }

    pub async fn update_environment_template_version(
        &self,
        id: VersionId<'_>,
        changes: VersionChanges<'_>,
    ) -> Result<EnvironmentTemplateVersion, ApiError> {
        let output = self
            .client
            .update_environment_template_version()
            .template_name(id.template_name)
            .major_version(id.major_version)
            .minor_version(id.minor_version)
            .set_description(changes.description.map(str::to_string))
            .set_status(changes.status.map(TemplateVersionStatus::from))
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(
            output.environment_template_version,
            "environment template version",
        )
    }

    pub async fn delete_environment_template_version(
        &self,
        id: VersionId<'_>,
    ) -> Result<(), ApiError> {
        deleted_or_already_gone(
            self.client
                .delete_environment_template_version()
                .template_name(id.template_name)
                .major_version(id.major_version)
                .minor_version(id.minor_version)
                .send()
                .await,
        )
    }
}
