//! Service pipelines: created and deleted with their service; read from GetService.

use aws_sdk_proton::types::{DeploymentUpdateType, ServicePipeline};

use super::{
    ApiError, Asked, Proton, answer_unused, classify, object_in_answer, own_deployment_on_conflict,
    owned_text,
};

/// An UpdateServicePipeline call; `None` leaves a version as it is.
#[derive(Clone, Debug)]
pub struct ServicePipelineUpdate<'a> {
    pub service_name: &'a str,
    pub deployment_type: DeploymentUpdateType,
    pub spec: &'a str,
    pub template_major_version: Option<&'a str>,
    pub template_minor_version: Option<&'a str>,
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

    /// Like [`Proton::update_environment`]: a retried update returns its own deployment.
    pub async fn update_service_pipeline(
        &self,
        update: ServicePipelineUpdate<'_>,
    ) -> Result<ServicePipeline, ApiError> {
        let result = self.update_service_pipeline_once(&update).await;
        own_deployment_on_conflict(result, &update.deployment_type, update.asked(), || {
            self.get_service_pipeline(update.service_name)
        })
        .await
    }

    async fn update_service_pipeline_once(
        &self,
        update: &ServicePipelineUpdate<'_>,
    ) -> Result<ServicePipeline, ApiError> {
        let output = self
            .client
            .update_service_pipeline()
            .service_name(update.service_name)
            .deployment_type(update.deployment_type.clone())
            .spec(update.spec)
            .set_template_major_version(owned_text(update.template_major_version))
            .set_template_minor_version(owned_text(update.template_minor_version))
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.pipeline, "pipeline")
    }

    pub async fn cancel_service_pipeline_deployment(
        &self,
        service_name: &str,
    ) -> Result<(), ApiError> {
        answer_unused(
            self.client
                .cancel_service_pipeline_deployment()
                .service_name(service_name)
                .send()
                .await,
        )
    }
}

impl ServicePipelineUpdate<'_> {
    /// What this update asks of the pipeline's deployment (a pipeline has no description).
    fn asked(&self) -> Asked<'_> {
        Asked {
            spec: Some(self.spec),
            major: self.template_major_version,
            minor: self.template_minor_version,
            description: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::deploying_asked;
    use aws_sdk_proton::types::DeploymentStatus;
    use aws_smithy_types::DateTime;

    fn pipeline(status: DeploymentStatus, spec: &str) -> ServicePipeline {
        ServicePipeline::builder()
            .arn("arn:aws:proton:us-east-1:000000000000:service/s/pipeline/p")
            .created_at(DateTime::from_secs(0))
            .last_deployment_attempted_at(DateTime::from_secs(0))
            .last_deployment_succeeded_at(DateTime::from_secs(0))
            .template_name("t")
            .template_major_version("1")
            .template_minor_version("0")
            .deployment_status(status)
            .spec(spec)
            .build()
            .expect("a complete pipeline")
    }

    fn update(spec: &str) -> ServicePipelineUpdate<'_> {
        ServicePipelineUpdate {
            service_name: "s",
            deployment_type: DeploymentUpdateType::CurrentVersion,
            spec,
            template_major_version: None,
            template_minor_version: Some("0"),
        }
    }

    #[test]
    fn only_a_deployment_of_exactly_this_update_counts_as_its_own() {
        let running = pipeline(DeploymentStatus::InProgress, "pipeline:\n  stage: test\n");
        assert!(deploying_asked(
            &running,
            &update("pipeline:\n  stage: test\n").asked()
        ));
        assert!(deploying_asked(
            &running,
            &update("pipeline: {stage: test}").asked()
        ));
        assert!(!deploying_asked(
            &running,
            &update("pipeline:\n  stage: build\n").asked()
        ));
        let newer = ServicePipelineUpdate {
            template_minor_version: Some("1"),
            ..update("pipeline:\n  stage: test\n")
        };
        assert!(!deploying_asked(&running, &newer.asked()));
        let done = pipeline(DeploymentStatus::Succeeded, "pipeline:\n  stage: test\n");
        assert!(!deploying_asked(
            &done,
            &update("pipeline:\n  stage: test\n").asked()
        ));
    }
}
