//! Environments.

use std::collections::BTreeMap;

use aws_sdk_proton::types::{
    DeploymentUpdateType, Environment, RepositoryBranchInput, RepositoryProvider,
};

use super::{ApiError, Proton, classify, found, gone, tag_list};

/// A repository branch that self-managed provisioning opens pull requests on.
#[derive(Clone, Copy, Debug)]
pub struct RepositoryBranch<'a> {
    pub provider: &'a str,
    pub name: &'a str,
    pub branch: &'a str,
}

impl RepositoryBranch<'_> {
    fn input(self) -> Result<RepositoryBranchInput, ApiError> {
        RepositoryBranchInput::builder()
            .provider(RepositoryProvider::from(self.provider))
            .name(self.name)
            .branch(self.branch)
            .build()
            .map_err(|e| ApiError::Validation(e.to_string()))
    }
}

fn repository(
    repo: Option<RepositoryBranch<'_>>,
) -> Result<Option<RepositoryBranchInput>, ApiError> {
    repo.map(RepositoryBranch::input).transpose()
}

/// What a new environment is made of.
#[derive(Clone, Debug)]
pub struct NewEnvironment<'a> {
    pub name: &'a str,
    pub template_name: &'a str,
    pub template_major_version: &'a str,
    pub template_minor_version: Option<&'a str>,
    pub description: Option<&'a str>,
    pub spec: &'a str,
    pub proton_service_role_arn: Option<&'a str>,
    pub environment_account_connection_id: Option<&'a str>,
    pub codebuild_role_arn: Option<&'a str>,
    pub component_role_arn: Option<&'a str>,
    pub provisioning_repository: Option<RepositoryBranch<'a>>,
    pub tags: &'a BTreeMap<String, String>,
}

/// An UpdateEnvironment call; `None` leaves a field as it is.
#[derive(Clone, Debug)]
pub struct EnvironmentUpdate<'a> {
    pub name: &'a str,
    pub deployment_type: DeploymentUpdateType,
    pub description: Option<&'a str>,
    pub spec: Option<&'a str>,
    pub template_major_version: Option<&'a str>,
    pub template_minor_version: Option<&'a str>,
    pub proton_service_role_arn: Option<&'a str>,
    pub environment_account_connection_id: Option<&'a str>,
    pub codebuild_role_arn: Option<&'a str>,
    pub component_role_arn: Option<&'a str>,
    pub provisioning_repository: Option<RepositoryBranch<'a>>,
}

fn owned(text: Option<&str>) -> Option<String> {
    text.map(str::to_string)
}

fn environment(found: Option<Environment>) -> Result<Environment, ApiError> {
    found.ok_or_else(|| ApiError::Transport("the response holds no environment".into()))
}

impl Proton {
    pub async fn create_environment(
        &self,
        new: NewEnvironment<'_>,
    ) -> Result<Environment, ApiError> {
        let output = self
            .client
            .create_environment()
            .name(new.name)
            .template_name(new.template_name)
            .template_major_version(new.template_major_version)
            .set_template_minor_version(owned(new.template_minor_version))
            .set_description(owned(new.description))
            .spec(new.spec)
            .set_proton_service_role_arn(owned(new.proton_service_role_arn))
            .set_environment_account_connection_id(owned(new.environment_account_connection_id))
            .set_codebuild_role_arn(owned(new.codebuild_role_arn))
            .set_component_role_arn(owned(new.component_role_arn))
            .set_provisioning_repository(repository(new.provisioning_repository)?)
            .set_tags(tag_list(new.tags)?)
            .send()
            .await
            .map_err(classify)?;
        environment(output.environment)
    }

    pub async fn get_environment(&self, name: &str) -> Result<Option<Environment>, ApiError> {
        found(
            self.client
                .get_environment()
                .name(name)
                .send()
                .await
                .map_err(classify),
        )
        .map(|output| output.and_then(|o| o.environment))
    }

    pub async fn update_environment(
        &self,
        update: EnvironmentUpdate<'_>,
    ) -> Result<Environment, ApiError> {
        let output = self
            .client
            .update_environment()
            .name(update.name)
            .deployment_type(update.deployment_type)
            .set_description(owned(update.description))
            .set_spec(owned(update.spec))
            .set_template_major_version(owned(update.template_major_version))
            .set_template_minor_version(owned(update.template_minor_version))
            .set_proton_service_role_arn(owned(update.proton_service_role_arn))
            .set_environment_account_connection_id(owned(update.environment_account_connection_id))
            .set_codebuild_role_arn(owned(update.codebuild_role_arn))
            .set_component_role_arn(owned(update.component_role_arn))
            .set_provisioning_repository(repository(update.provisioning_repository)?)
            .send()
            .await
            .map_err(classify)?;
        environment(output.environment)
    }

    /// Starts the delete; the environment stays (DELETE_IN_PROGRESS) until Proton removes it.
    pub async fn delete_environment(&self, name: &str) -> Result<(), ApiError> {
        gone(
            self.client
                .delete_environment()
                .name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(classify),
        )
    }

    pub async fn cancel_environment_deployment(&self, name: &str) -> Result<(), ApiError> {
        self.client
            .cancel_environment_deployment()
            .environment_name(name)
            .send()
            .await
            .map(|_| ())
            .map_err(classify)
    }
}
