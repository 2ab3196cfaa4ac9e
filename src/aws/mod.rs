//! The only code that calls aws-sdk-proton. Proton is closed to new customers and the SDK marks every
//! operation deprecated; that warning is acknowledged here, once, and nowhere else.
#![allow(deprecated)]

mod account_settings;
mod environment_template;
mod environment_template_version;
mod repository;
mod service_template;
mod service_template_version;
mod sync_config;

pub use account_settings::{Branch, SettingsChanges};
pub use environment_template::NewEnvironmentTemplate;
pub use environment_template_version::{NewTemplateVersion, VersionChanges, VersionId};
pub use repository::NewRepository;
pub use service_template::NewServiceTemplate;
pub use service_template_version::{CompatibleTemplate, ServiceVersionChanges};
pub use sync_config::{ServiceSync, TemplateSync};

mod component;
pub mod deployment_status;
mod environment;
mod environment_account_connection;
mod service;
mod service_instance;
mod service_pipeline;

pub use component::{ComponentUpdate, NewComponent};
pub use environment::{EnvironmentUpdate, NewEnvironment, RepositoryBranch};
pub use environment_account_connection::NewEnvironmentAccountConnection;
pub use service::NewService;
pub use service_instance::{InstanceQuery, NewServiceInstance, ServiceInstanceUpdate};
pub use service_pipeline::ServicePipelineUpdate;

// Read-only calls behind the data sources.
mod deployments;
mod outputs;
mod resources_summary;
mod sync_status;

pub use deployments::DeploymentScope;
pub use outputs::Deployed;
pub use sync_status::{RepositorySync, ResourceSyncStatus};

mod listing;
mod self_managed;

pub use listing::{ComponentFilter, InstanceFilter, TemplateMajor};
pub use self_managed::DeploymentReport;

use std::collections::BTreeMap;
use std::fmt;

use aws_sdk_proton::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

pub use aws_sdk_proton::types;

/// A Proton client for one account and region.
#[derive(Clone, Debug)]
pub struct Proton {
    client: aws_sdk_proton::Client,
}

/// An API call that failed, classified by what callers do about it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid request: {0}")]
    Validation(String),
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("throttled: {0}")]
    Throttled(String),
    #[error("service quota exceeded: {0}")]
    QuotaExceeded(String),
    #[error("{code}: {message}")]
    Service { code: String, message: String },
    #[error("request failed: {0}")]
    Transport(String),
}

impl ApiError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound(_))
    }
}

fn classify<E, R>(error: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    let message = error.message().unwrap_or_default().to_string();
    match error.code() {
        Some("ResourceNotFoundException") => ApiError::NotFound(message),
        Some("ConflictException") => ApiError::Conflict(message),
        Some("ValidationException") => ApiError::Validation(message),
        Some("AccessDeniedException") => ApiError::AccessDenied(message),
        Some("ThrottlingException") => ApiError::Throttled(message),
        Some("ServiceQuotaExceededException") => ApiError::QuotaExceeded(message),
        Some(code) => ApiError::Service {
            code: code.to_string(),
            message,
        },
        None => ApiError::Transport(
            aws_smithy_types::error::display::DisplayErrorContext(&error).to_string(),
        ),
    }
}

/// RFC 3339 text for a timestamp, as Terraform users expect in state.
pub fn timestamp(time: &DateTime) -> String {
    time.fmt(Format::DateTime)
        .unwrap_or_else(|_| time.secs().to_string())
}

/// `Ok(None)` for not found, so reads can tell "gone" from "failed".
fn found<T>(result: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Deleting what is already gone counts as deleted.
fn gone(result: Result<(), ApiError>) -> Result<(), ApiError> {
    match result {
        Err(ApiError::NotFound(_)) => Ok(()),
        other => other,
    }
}

fn tag_list(tags: &BTreeMap<String, String>) -> Result<Option<Vec<types::Tag>>, ApiError> {
    if tags.is_empty() {
        return Ok(None);
    }
    tags.iter()
        .map(|(key, value)| {
            types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| ApiError::Validation(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl Proton {
    pub fn new(config: aws_sdk_proton::Config) -> Self {
        Self {
            client: aws_sdk_proton::Client::from_conf(config),
        }
    }

    pub async fn list_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, ApiError> {
        let mut tags = BTreeMap::new();
        let mut next_token = None;
        loop {
            let page = self
                .client
                .list_tags_for_resource()
                .resource_arn(arn)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(classify)?;
            for tag in page.tags() {
                tags.insert(tag.key().to_string(), tag.value().to_string());
            }
            next_token = page.next_token().map(str::to_string);
            if next_token.is_none() {
                return Ok(tags);
            }
        }
    }

    /// Sets `upsert` and removes `remove` on the resource.
    pub async fn update_tags(
        &self,
        arn: &str,
        upsert: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), ApiError> {
        if !remove.is_empty() {
            self.client
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(classify)?;
        }
        if let Some(tags) = tag_list(upsert)? {
            self.client
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }
}
