//! Services (their instances and pipeline have their own modules).

use std::collections::BTreeMap;

use aws_sdk_proton::types::Service;

use super::{
    ApiError, Proton, classify, deleted_or_already_gone, object_from_get, object_in_answer,
    owned_text, tag_list,
};

/// What a new service is made of.
#[derive(Clone, Debug)]
pub struct NewService<'a> {
    pub name: &'a str,
    pub template_name: &'a str,
    pub template_major_version: &'a str,
    pub template_minor_version: Option<&'a str>,
    pub description: Option<&'a str>,
    pub spec: &'a str,
    pub repository_connection_arn: Option<&'a str>,
    pub repository_id: Option<&'a str>,
    pub branch_name: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
}

impl Proton {
    pub async fn create_service(&self, new: NewService<'_>) -> Result<Service, ApiError> {
        let output = self
            .client
            .create_service()
            .name(new.name)
            .template_name(new.template_name)
            .template_major_version(new.template_major_version)
            .set_template_minor_version(owned_text(new.template_minor_version))
            .set_description(owned_text(new.description))
            .spec(new.spec)
            .set_repository_connection_arn(owned_text(new.repository_connection_arn))
            .set_repository_id(owned_text(new.repository_id))
            .set_branch_name(owned_text(new.branch_name))
            .set_tags(tag_list(new.tags)?)
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.service, "service")
    }

    pub async fn get_service(&self, name: &str) -> Result<Option<Service>, ApiError> {
        object_from_get(self.client.get_service().name(name).send().await, |o| {
            o.service
        })
    }

    /// `None` leaves a field as it is. A new spec adds or removes instances.
    pub async fn update_service(
        &self,
        name: &str,
        description: Option<&str>,
        spec: Option<&str>,
    ) -> Result<Service, ApiError> {
        let output = self
            .client
            .update_service()
            .name(name)
            .set_description(owned_text(description))
            .set_spec(owned_text(spec))
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.service, "service")
    }

    /// Starts the delete; the service stays (DELETE_IN_PROGRESS) until Proton removes it.
    pub async fn delete_service(&self, name: &str) -> Result<(), ApiError> {
        deleted_or_already_gone(self.client.delete_service().name(name).send().await)
    }
}
