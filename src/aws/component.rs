//! Components (directly defined infrastructure attached to an environment or a service instance).

use std::collections::BTreeMap;

use aws_sdk_proton::types::{
    Component, ComponentDeploymentUpdateType, DeploymentTargetResourceType,
};

use super::{
    ApiError, Proton, answer_unused, classify, deleted_or_already_gone, object_from_get,
    object_in_answer, owned_text, tag_list,
};

/// What a new component is made of.
#[derive(Clone, Debug)]
pub struct NewComponent<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub environment_name: Option<&'a str>,
    pub service_name: Option<&'a str>,
    pub service_instance_name: Option<&'a str>,
    pub template_file: &'a str,
    pub manifest: &'a str,
    pub service_spec: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
    /// Empty lets the SDK choose one.
    pub client_token: &'a str,
}

/// An UpdateComponent call; `None` leaves a field as it is, an empty service name detaches.
#[derive(Clone, Debug)]
pub struct ComponentUpdate<'a> {
    pub name: &'a str,
    pub deployment_type: ComponentDeploymentUpdateType,
    pub description: Option<&'a str>,
    pub service_name: Option<&'a str>,
    pub service_instance_name: Option<&'a str>,
    pub service_spec: Option<&'a str>,
    pub template_file: Option<&'a str>,
}

impl Proton {
    pub async fn create_component(&self, new: NewComponent<'_>) -> Result<Component, ApiError> {
        let output = self
            .client
            .create_component()
            .name(new.name)
            .set_description(owned_text(new.description))
            .set_environment_name(owned_text(new.environment_name))
            .set_service_name(owned_text(new.service_name))
            .set_service_instance_name(owned_text(new.service_instance_name))
            .template_file(new.template_file)
            .manifest(new.manifest)
            .set_service_spec(owned_text(new.service_spec))
            .set_tags(tag_list(new.tags)?)
            .set_client_token((!new.client_token.is_empty()).then(|| new.client_token.to_string()))
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.component, "component")
    }

    pub async fn get_component(&self, name: &str) -> Result<Option<Component>, ApiError> {
        object_from_get(self.client.get_component().name(name).send().await, |o| {
            o.component
        })
    }

    pub async fn update_component(
        &self,
        update: ComponentUpdate<'_>,
    ) -> Result<Component, ApiError> {
        let output = self
            .client
            .update_component()
            .name(update.name)
            .deployment_type(update.deployment_type)
            .set_description(owned_text(update.description))
            .set_service_name(owned_text(update.service_name))
            .set_service_instance_name(owned_text(update.service_instance_name))
            .set_service_spec(owned_text(update.service_spec))
            .set_template_file(owned_text(update.template_file))
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.component, "component")
    }

    /// Starts the delete; the component stays (DELETE_IN_PROGRESS) until Proton removes it.
    pub async fn delete_component(&self, name: &str) -> Result<(), ApiError> {
        deleted_or_already_gone(self.client.delete_component().name(name).send().await)
    }

    pub async fn cancel_component_deployment(&self, name: &str) -> Result<(), ApiError> {
        answer_unused(
            self.client
                .cancel_component_deployment()
                .component_name(name)
                .send()
                .await,
        )
    }

    /// The template file a component's deployment used, from the deployment's recorded target state
    /// (GetComponent does not return it).
    pub async fn component_template_file(
        &self,
        deployment_id: &str,
    ) -> Result<Option<String>, ApiError> {
        let sent = self.client.get_deployment().id(deployment_id).send().await;
        let deployment = object_from_get(sent, |output| output.deployment)?;
        Ok(deployment
            .filter(|d| d.target_resource_type() == &DeploymentTargetResourceType::Component)
            .and_then(|d| d.target_state)
            .and_then(|state| match state {
                aws_sdk_proton::types::DeploymentState::Component(component) => {
                    component.template_file
                }
                _ => None,
            }))
    }
}
