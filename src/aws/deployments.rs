//! Deployments: the history of every deployed object (read-only here).

use aws_sdk_proton::types::{Deployment, DeploymentSummary};

use super::{ApiError, Proton, all_items, classify, object_from_get, owned_text};

/// Whose deployments: every field narrows the set; all `None` means every deployment.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeploymentScope<'a> {
    pub environment_name: Option<&'a str>,
    pub service_name: Option<&'a str>,
    pub service_instance_name: Option<&'a str>,
    pub component_name: Option<&'a str>,
}

impl Proton {
    /// One deployment; `None` when there is none with this id in `scope`.
    pub async fn get_deployment(
        &self,
        id: &str,
        scope: DeploymentScope<'_>,
    ) -> Result<Option<Deployment>, ApiError> {
        object_from_get(
            self.client
                .get_deployment()
                .id(id)
                .set_environment_name(owned_text(scope.environment_name))
                .set_service_name(owned_text(scope.service_name))
                .set_service_instance_name(owned_text(scope.service_instance_name))
                .set_component_name(owned_text(scope.component_name))
                .send()
                .await,
            |o| o.deployment,
        )
    }

    /// Every deployment in `scope`, newest first.
    pub async fn list_deployments(
        &self,
        scope: DeploymentScope<'_>,
    ) -> Result<Vec<DeploymentSummary>, ApiError> {
        all_items!(
            self.client
                .list_deployments()
                .set_environment_name(owned_text(scope.environment_name))
                .set_service_name(owned_text(scope.service_name))
                .set_service_instance_name(owned_text(scope.service_instance_name))
                .set_component_name(owned_text(scope.component_name))
        )
    }
}
