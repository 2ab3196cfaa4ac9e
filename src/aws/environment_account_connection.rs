//! Environment account connections: requested from an environment account, accepted (or rejected)
//! from the management account.

use std::collections::BTreeMap;

use aws_sdk_proton::types::EnvironmentAccountConnection;

use super::{
    ApiError, Proton, classify, deleted_or_already_gone, object_from_get, owned_text, tag_list,
};

/// What a connection request is made of.
#[derive(Clone, Debug)]
pub struct NewEnvironmentAccountConnection<'a> {
    pub management_account_id: &'a str,
    pub environment_name: &'a str,
    pub role_arn: Option<&'a str>,
    pub codebuild_role_arn: Option<&'a str>,
    pub component_role_arn: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
    /// Empty lets the SDK choose one.
    pub client_token: &'a str,
}

fn connection(
    found: Option<EnvironmentAccountConnection>,
) -> Result<EnvironmentAccountConnection, ApiError> {
    found.ok_or_else(|| {
        ApiError::Transport("the response holds no environment account connection".into())
    })
}

impl Proton {
    pub async fn create_environment_account_connection(
        &self,
        new: NewEnvironmentAccountConnection<'_>,
    ) -> Result<EnvironmentAccountConnection, ApiError> {
        let output = self
            .client
            .create_environment_account_connection()
            .management_account_id(new.management_account_id)
            .environment_name(new.environment_name)
            .set_role_arn(owned_text(new.role_arn))
            .set_codebuild_role_arn(owned_text(new.codebuild_role_arn))
            .set_component_role_arn(owned_text(new.component_role_arn))
            .set_tags(tag_list(new.tags)?)
            .set_client_token((!new.client_token.is_empty()).then(|| new.client_token.to_string()))
            .send()
            .await
            .map_err(classify)?;
        connection(output.environment_account_connection)
    }

    pub async fn get_environment_account_connection(
        &self,
        id: &str,
    ) -> Result<Option<EnvironmentAccountConnection>, ApiError> {
        object_from_get(
            self.client
                .get_environment_account_connection()
                .id(id)
                .send()
                .await,
            |o| o.environment_account_connection,
        )
    }

    /// `None` leaves a role as it is.
    pub async fn update_environment_account_connection(
        &self,
        id: &str,
        role_arn: Option<&str>,
        codebuild_role_arn: Option<&str>,
        component_role_arn: Option<&str>,
    ) -> Result<EnvironmentAccountConnection, ApiError> {
        let output = self
            .client
            .update_environment_account_connection()
            .id(id)
            .set_role_arn(owned_text(role_arn))
            .set_codebuild_role_arn(owned_text(codebuild_role_arn))
            .set_component_role_arn(owned_text(component_role_arn))
            .send()
            .await
            .map_err(classify)?;
        connection(output.environment_account_connection)
    }

    pub async fn delete_environment_account_connection(&self, id: &str) -> Result<(), ApiError> {
        deleted_or_already_gone(
            self.client
                .delete_environment_account_connection()
                .id(id)
                .send()
                .await,
        )
    }

    /// From the management account.
    pub async fn accept_environment_account_connection(
        &self,
        id: &str,
    ) -> Result<EnvironmentAccountConnection, ApiError> {
        let output = self
            .client
            .accept_environment_account_connection()
            .id(id)
            .send()
            .await
            .map_err(classify)?;
        connection(output.environment_account_connection)
    }

    /// From the management account.
    pub async fn reject_environment_account_connection(
        &self,
        id: &str,
    ) -> Result<EnvironmentAccountConnection, ApiError> {
        let output = self
            .client
            .reject_environment_account_connection()
            .id(id)
            .send()
            .await
            .map_err(classify)?;
        connection(output.environment_account_connection)
    }
}
