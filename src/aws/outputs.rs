//! Outputs and provisioned resources of deployed objects (environments, service instances, service
//! pipelines, components).

use aws_sdk_proton::types::{Output, ProvisionedResource};

use super::{ApiError, Proton, all_items, classify, owned_text};

/// The deployed object whose outputs or provisioned resources are asked for.
#[derive(Clone, Copy, Debug)]
pub enum Deployed<'a> {
    Environment(&'a str),
    ServiceInstance { service: &'a str, instance: &'a str },
    ServicePipeline(&'a str),
    Component(&'a str),
}

impl Proton {
    /// The outputs of `target`'s last successful deployment, or of deployment `deployment_id`.
    pub async fn list_outputs(
        &self,
        target: Deployed<'_>,
        deployment_id: Option<&str>,
    ) -> Result<Vec<Output>, ApiError> {
        let deployment_id = owned_text(deployment_id);
        match target {
            Deployed::Environment(name) => all_items!(
                self.client
                    .list_environment_outputs()
                    .environment_name(name)
                    .set_deployment_id(deployment_id)
            ),
            Deployed::ServiceInstance { service, instance } => all_items!(
                self.client
                    .list_service_instance_outputs()
                    .service_name(service)
                    .service_instance_name(instance)
                    .set_deployment_id(deployment_id)
            ),
            Deployed::ServicePipeline(service) => all_items!(
                self.client
                    .list_service_pipeline_outputs()
                    .service_name(service)
                    .set_deployment_id(deployment_id)
            ),
            Deployed::Component(name) => all_items!(
                self.client
                    .list_component_outputs()
                    .component_name(name)
                    .set_deployment_id(deployment_id)
            ),
        }
    }

    /// The resources `target`'s deployments provisioned.
    pub async fn list_provisioned_resources(
        &self,
        target: Deployed<'_>,
    ) -> Result<Vec<ProvisionedResource>, ApiError> {
        match target {
            Deployed::Environment(name) => all_items!(
                self.client
                    .list_environment_provisioned_resources()
                    .environment_name(name)
            ),
            Deployed::ServiceInstance { service, instance } => all_items!(
                self.client
                    .list_service_instance_provisioned_resources()
                    .service_name(service)
                    .service_instance_name(instance)
            ),
            Deployed::ServicePipeline(service) => all_items!(
                self.client
                    .list_service_pipeline_provisioned_resources()
                    .service_name(service)
            ),
            Deployed::Component(name) => all_items!(
                self.client
                    .list_component_provisioned_resources()
                    .component_name(name)
            ),
        }
    }
}
