//! Service pipelines: created and deleted with their service; read from GetService.

use aws_sdk_proton::types::{DeploymentUpdateType, ServicePipeline};

use super::{ApiError, Proton, classify};

/// An UpdateServicePipeline call; `None` leaves a version as it is.
#[derive(Clone, Debug)]
pub struct ServicePipelineUpdate<'a> {
    pub service_name: &'a str,
    pub deployment_type: DeploymentUpdateType,
    pub spec: &'a str,
    pub template_major_version: Option<&'a str>,
    pub template_minor_version: Option<&'a str>,
}

fn owned(text: Option<&str>) -> Option<String> {
    text.map(str::to_string)
}

impl Proton {
    /// The pipeline of a service: `None` when the service is gone or has no pipeline.
    pub async fn get_service_pipeline(
        &self,
        service_name: &str,
    ) -> Result<Option<ServicePipeline>, ApiError> {
        Ok(self
            .get_service(service_name)
            .await?
            .and_then(|service| service.pipeline))
    }

    pub async fn update_service_pipeline(
        &self,
        update: ServicePipelineUpdate<'_>,
    ) -> Result<ServicePipeline, ApiError> {
        let output = self
            .client
            .update_service_pipeline()
            .service_name(update.service_name)
            .deployment_type(update.deployment_type)
            .spec(update.spec)
            .set_template_major_version(owned(update.template_major_version))
            .set_template_minor_version(owned(update.template_minor_version))
            .send()
            .await
            .map_err(classify)?;
        output
            .pipeline
            .ok_or_else(|| ApiError::Transport("the response holds no pipeline".into()))
    }

    pub async fn cancel_service_pipeline_deployment(
        &self,
        service_name: &str,
    ) -> Result<(), ApiError> {
        self.client
            .cancel_service_pipeline_deployment()
            .service_name(service_name)
            .send()
            .await
            .map(|_| ())
            .map_err(classify)
    }
}
