//! Environments.

use std::collections::BTreeMap;

use aws_sdk_proton::types::{DeploymentUpdateType, Environment};

use super::{
    ApiError, Asked, Proton, RepositoryBranch, answer_unused, classify, deleted_or_already_gone,
    object_from_get, object_in_answer, own_deployment_on_conflict, owned_text, repository,
    tag_list,
};

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
            .set_template_minor_version(owned_text(new.template_minor_version))
            .set_description(owned_text(new.description))
            .spec(new.spec)
            .set_proton_service_role_arn(owned_text(new.proton_service_role_arn))
            .set_environment_account_connection_id(owned_text(
                new.environment_account_connection_id,
            ))
            .set_codebuild_role_arn(owned_text(new.codebuild_role_arn))
            .set_component_role_arn(owned_text(new.component_role_arn))
            .set_provisioning_repository(repository(new.provisioning_repository)?)
            .set_tags(tag_list(new.tags)?)
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.environment, "environment")
    }

    pub async fn get_environment(&self, name: &str) -> Result<Option<Environment>, ApiError> {
        object_from_get(self.client.get_environment().name(name).send().await, |o| {
            o.environment
        })
    }

    /// See [`own_deployment_on_conflict`]: a retried update returns its own deployment.
    pub async fn update_environment(
        &self,
        update: EnvironmentUpdate<'_>,
    ) -> Result<Environment, ApiError> {
        let result = self.update_environment_once(&update).await;
        own_deployment_on_conflict(result, &update.deployment_type, update.asked(), || {
            self.get_environment(update.name)
        })
        .await
    }

    async fn update_environment_once(
        &self,
        update: &EnvironmentUpdate<'_>,
    ) -> Result<Environment, ApiError> {
        let output = self
            .client
            .update_environment()
            .name(update.name)
            .deployment_type(update.deployment_type.clone())
            .set_description(owned_text(update.description))
            .set_spec(owned_text(update.spec))
            .set_template_major_version(owned_text(update.template_major_version))
            .set_template_minor_version(owned_text(update.template_minor_version))
            .set_proton_service_role_arn(owned_text(update.proton_service_role_arn))
            .set_environment_account_connection_id(owned_text(
                update.environment_account_connection_id,
            ))
            .set_codebuild_role_arn(owned_text(update.codebuild_role_arn))
            .set_component_role_arn(owned_text(update.component_role_arn))
            .set_provisioning_repository(repository(update.provisioning_repository)?)
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.environment, "environment")
    }

    /// Starts the delete; the environment stays (DELETE_IN_PROGRESS) until Proton removes it.
    pub async fn delete_environment(&self, name: &str) -> Result<(), ApiError> {
        deleted_or_already_gone(self.client.delete_environment().name(name).send().await)
    }

    pub async fn cancel_environment_deployment(&self, name: &str) -> Result<(), ApiError> {
        answer_unused(
            self.client
                .cancel_environment_deployment()
                .environment_name(name)
                .send()
                .await,
        )
    }
}

impl EnvironmentUpdate<'_> {
    /// What this update asks of the environment's deployment.
    fn asked(&self) -> Asked<'_> {
        Asked {
            spec: self.spec,
            major: self.template_major_version,
            minor: self.template_minor_version,
            description: self.description,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::deploying_asked;
    use aws_sdk_proton::types::DeploymentStatus;
    use aws_smithy_types::DateTime;

    fn environment(status: DeploymentStatus, spec: &str, minor: &str) -> Environment {
        Environment::builder()
            .name("e")
            .arn("arn:aws:proton:us-east-1:000000000000:environment/e")
            .created_at(DateTime::from_secs(0))
            .last_deployment_attempted_at(DateTime::from_secs(0))
            .last_deployment_succeeded_at(DateTime::from_secs(0))
            .template_name("t")
            .template_major_version("1")
            .template_minor_version(minor)
            .deployment_status(status)
            .spec(spec)
            .description("d")
            .build()
            .expect("a complete environment")
    }

    fn update<'a>(spec: &'a str, minor: Option<&'a str>) -> EnvironmentUpdate<'a> {
        EnvironmentUpdate {
            name: "e",
            deployment_type: DeploymentUpdateType::MinorVersion,
            description: Some("d"),
            spec: Some(spec),
            template_major_version: Some("1"),
            template_minor_version: minor,
            proton_service_role_arn: None,
            environment_account_connection_id: None,
            codebuild_role_arn: None,
            component_role_arn: None,
            provisioning_repository: None,
        }
    }

    #[test]
    fn only_a_deployment_of_exactly_this_update_counts_as_its_own() {
        let running = environment(DeploymentStatus::InProgress, "a: 1\nb: 2\n", "1");
        assert!(deploying_asked(
            &running,
            &update("a: 1\nb: 2\n", Some("1")).asked()
        ));
        assert!(deploying_asked(
            &running,
            &update("{b: 2, a: 1}", None).asked()
        ));
        assert!(!deploying_asked(
            &running,
            &update("a: 2\n", Some("1")).asked()
        ));
        assert!(!deploying_asked(
            &running,
            &update("a: 1\nb: 2\n", Some("2")).asked()
        ));
        let other_description = EnvironmentUpdate {
            description: Some("other"),
            ..update("a: 1\nb: 2\n", None)
        };
        assert!(!deploying_asked(&running, &other_description.asked()));
        let done = environment(DeploymentStatus::Succeeded, "a: 1\nb: 2\n", "1");
        assert!(!deploying_asked(
            &done,
            &update("a: 1\nb: 2\n", None).asked()
        ));
        let no_spec = EnvironmentUpdate {
            spec: None,
            ..update("", None)
        };
        assert!(!deploying_asked(&running, &no_spec.asked()));
    }
}
