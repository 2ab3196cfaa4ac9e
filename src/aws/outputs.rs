//! Outputs and provisioned resources of deployed objects (environments, service instances, service
//! pipelines, components).

use aws_sdk_proton::types::{Output, ProvisionedResource};

use super::{ApiError, Proton, classify};

/// The deployed object whose outputs or provisioned resources are asked for.
#[derive(Clone, Copy, Debug)]
pub enum Deployed<'a> {
    Environment(&'a str),
    ServiceInstance { service: &'a str, instance: &'a str },
    ServicePipeline(&'a str),
    Component(&'a str),
}

fn owned(text: Option<&str>) -> Option<String> {
    text.map(str::to_string)
}

impl Proton {
    /// The outputs of `target`'s last successful deployment, or of deployment `deployment_id`.
    pub async fn list_outputs(
        &self,
        target: Deployed<'_>,
        deployment_id: Option<&str>,
    ) -> Result<Vec<Output>, ApiError> {
        let deployment_id = owned(deployment_id);
        match target {
            Deployed::Environment(name) => self
                .client
                .list_environment_outputs()
                .environment_name(name)
                .set_deployment_id(deployment_id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(classify),
            Deployed::ServiceInstance { service, instance } => self
                .client
                .list_service_instance_outputs()
                .service_name(service)
                .service_instance_name(instance)
                .set_deployment_id(deployment_id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(classify),
            Deployed::ServicePipeline(service) => self
                .client
                .list_service_pipeline_outputs()
                .service_name(service)
                .set_deployment_id(deployment_id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(classify),
            Deployed::Component(name) => self
                .client
                .list_component_outputs()
                .component_name(name)
                .set_deployment_id(deployment_id)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(classify),
        }
    }

    /// The resources `target`'s deployments provisioned.
    pub async fn list_provisioned_resources(
        &self,
        target: Deployed<'_>,
    ) -> Result<Vec<ProvisionedResource>, ApiError> {
        match target {
            Deployed::Environment(name) => self
                .client
                .list_environment_provisioned_resources()
                .environment_name(name)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(classify),
            Deployed::ServiceInstance { service, instance } => self
                .client
                .list_service_instance_provisioned_resources()
                .service_name(service)
                .service_instance_name(instance)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(classify),
            Deployed::ServicePipeline(service) => self
                .client
                .list_service_pipeline_provisioned_resources()
                .service_name(service)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(classify),
            Deployed::Component(name) => self
                .client
                .list_component_provisioned_resources()
                .component_name(name)
                .into_paginator()
                .items()
                .send()
                .try_collect()
                .await
                .map_err(classify),
        }
    }
}
