//! Calls for work done outside Proton's own provisioning: reporting a self-managed deployment's outcome,
//! and resolving the sync blocker a failed service sync leaves behind.

use aws_sdk_proton::types::{Output, ResourceDeploymentStatus, SyncBlocker};

use super::{ApiError, Proton, answer_unused, classify, object_in_answer};

/// What NotifyResourceDeploymentStatusChange reports about one deployment.
#[derive(Clone, Copy, Debug)]
pub struct DeploymentReport<'a> {
    pub resource_arn: &'a str,
    /// `IN_PROGRESS`, `FAILED` or `SUCCEEDED`.
    pub status: &'a str,
    /// `None`: the resource's last attempted deployment.
    pub deployment_id: Option<&'a str>,
    pub status_message: Option<&'a str>,
    /// Output key/value pairs the provisioning produced; `None` sends no outputs.
    pub outputs: Option<&'a [(String, String)]>,
}

impl Proton {
    pub async fn notify_resource_deployment_status_change(
        &self,
        report: DeploymentReport<'_>,
    ) -> Result<(), ApiError> {
        let outputs = report.outputs.map(|outputs| {
            outputs
                .iter()
                .map(|(key, value)| Output::builder().key(key).value_string(value).build())
                .collect::<Vec<_>>()
        });
        answer_unused(
            self.client
                .notify_resource_deployment_status_change()
                .resource_arn(report.resource_arn)
                .status(ResourceDeploymentStatus::from(report.status))
                .set_deployment_id(report.deployment_id.map(str::to_string))
                .set_status_message(report.status_message.map(str::to_string))
                .set_outputs(outputs)
                .send()
                .await,
        )
    }

    /// Resolves a service sync blocker; returns the blocker as it now is.
    pub async fn resolve_service_sync_blocker(
        &self,
        id: &str,
        resolved_reason: &str,
    ) -> Result<SyncBlocker, ApiError> {
        let output = self
            .client
            .update_service_sync_blocker()
            .id(id)
            .resolved_reason(resolved_reason)
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.service_sync_blocker, "service sync blocker")
    }
}
