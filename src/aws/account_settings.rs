//! Account settings: one set per account and region, always present.

use aws_sdk_proton::types::AccountSettings;

use super::{ApiError, Proton, RepositoryBranch, classify};

/// New account settings. Role ARNs: `Some("")` clears, `None` leaves as is. The provisioning repository:
/// `Some(Some(b))` sets, `Some(None)` removes, `None` leaves as is.
#[derive(Clone, Copy, Debug, Default)]
pub struct SettingsChanges<'a> {
    pub pipeline_service_role_arn: Option<&'a str>,
    pub pipeline_codebuild_role_arn: Option<&'a str>,
    pub pipeline_provisioning_repository: Option<Option<RepositoryBranch<'a>>>,
}

impl Proton {
    /// The region this client talks to (account settings are one per region).
    pub fn region(&self) -> Option<String> {
        self.client
            .config()
            .region()
            .map(|r| r.as_ref().to_string())
    }

    pub async fn get_account_settings(&self) -> Result<AccountSettings, ApiError> {
        Ok(self
            .client
            .get_account_settings()
            .send()
            .await
            .map_err(classify)?
            .account_settings
            .unwrap_or_else(|| AccountSettings::builder().build()))
    }

    pub async fn update_account_settings(
        &self,
        changes: SettingsChanges<'_>,
    ) -> Result<AccountSettings, ApiError> {
        let mut request = self
            .client
            .update_account_settings()
            .set_pipeline_service_role_arn(changes.pipeline_service_role_arn.map(str::to_string))
            .set_pipeline_codebuild_role_arn(
                changes.pipeline_codebuild_role_arn.map(str::to_string),
            );
        match changes.pipeline_provisioning_repository {
            Some(Some(branch)) => {
                request = request.pipeline_provisioning_repository(branch.input()?);
            }
            Some(None) => request = request.delete_pipeline_provisioning_repository(true),
            None => {}
        }
        Ok(request
            .send()
            .await
            .map_err(classify)?
            .account_settings
            .unwrap_or_else(|| AccountSettings::builder().build()))
    }
}
