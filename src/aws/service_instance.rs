//! Service instances. Proton has no API to delete one: it goes when the service's spec drops it.

use std::collections::BTreeMap;

use aws_sdk_proton::types::{
    DeploymentUpdateType, ListServiceInstancesFilter, ListServiceInstancesFilterBy,
    ListServiceInstancesSortBy, ServiceInstance, ServiceInstanceSummary, SortOrder,
};

use super::{
    ApiError, Proton, all_items, answer_unused, classify, object_from_get, object_in_answer,
    owned_text, tag_list,
};

/// What a new service instance is made of.
#[derive(Clone, Debug)]
pub struct NewServiceInstance<'a> {
    pub service_name: &'a str,
    pub name: &'a str,
    pub spec: &'a str,
    pub template_major_version: Option<&'a str>,
    pub template_minor_version: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
    /// Empty lets the SDK choose one.
    pub client_token: &'a str,
}

/// An UpdateServiceInstance call; `None` leaves a field as it is.
#[derive(Clone, Debug)]
pub struct ServiceInstanceUpdate<'a> {
    pub service_name: &'a str,
    pub name: &'a str,
    pub deployment_type: DeploymentUpdateType,
    pub spec: Option<&'a str>,
    pub template_major_version: Option<&'a str>,
    pub template_minor_version: Option<&'a str>,
}

fn token(token: &str) -> Option<String> {
    (!token.is_empty()).then(|| token.to_string())
}

impl Proton {
    pub async fn create_service_instance(
        &self,
        new: NewServiceInstance<'_>,
    ) -> Result<ServiceInstance, ApiError> {
        let output = self
            .client
            .create_service_instance()
            .service_name(new.service_name)
            .name(new.name)
            .spec(new.spec)
            .set_template_major_version(owned_text(new.template_major_version))
            .set_template_minor_version(owned_text(new.template_minor_version))
            .set_tags(tag_list(new.tags)?)
            .set_client_token(token(new.client_token))
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.service_instance, "service instance")
    }

    pub async fn get_service_instance(
        &self,
        service_name: &str,
        name: &str,
    ) -> Result<Option<ServiceInstance>, ApiError> {
        object_from_get(
            self.client
                .get_service_instance()
                .service_name(service_name)
                .name(name)
                .send()
                .await,
            |o| o.service_instance,
        )
    }

    pub async fn update_service_instance(
        &self,
        update: ServiceInstanceUpdate<'_>,
    ) -> Result<ServiceInstance, ApiError> {
        let output = self
            .client
            .update_service_instance()
            .service_name(update.service_name)
            .name(update.name)
            .deployment_type(update.deployment_type)
            .set_spec(owned_text(update.spec))
            .set_template_major_version(owned_text(update.template_major_version))
            .set_template_minor_version(owned_text(update.template_minor_version))
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.service_instance, "service instance")
    }

    pub async fn cancel_service_instance_deployment(
        &self,
        service_name: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        answer_unused(
            self.client
                .cancel_service_instance_deployment()
                .service_name(service_name)
                .service_instance_name(name)
                .send()
                .await,
        )
    }

    /// Every instance of one service.
    pub async fn list_service_instances(
        &self,
        service_name: &str,
    ) -> Result<Vec<ServiceInstanceSummary>, ApiError> {
        let mut instances = Vec::new();
        let mut next_token = None;
        loop {
            let page = self
                .client
                .list_service_instances()
                .service_name(service_name)
                .set_next_token(next_token)
                .send()
                .await
                .map_err(classify)?;
            instances.extend(page.service_instances().iter().cloned());
            next_token = page.next_token().map(str::to_string);
            if next_token.is_none() {
                return Ok(instances);
            }
        }
    }
}

/// A ListServiceInstances query: `None` and empty filters ask for everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct InstanceQuery<'a> {
    pub service_name: Option<&'a str>,
    /// (key, value) pairs such as `("environmentName", "prod")`.
    pub filters: &'a [(&'a str, &'a str)],
    pub sort_by: Option<&'a str>,
    pub sort_order: Option<&'a str>,
}

impl Proton {
    /// Every service instance the query matches, in the order it asks for.
    pub async fn query_service_instances(
        &self,
        query: InstanceQuery<'_>,
    ) -> Result<Vec<ServiceInstanceSummary>, ApiError> {
        let filters: Vec<ListServiceInstancesFilter> = query
            .filters
            .iter()
            .map(|(key, value)| {
                ListServiceInstancesFilter::builder()
                    .key(ListServiceInstancesFilterBy::from(*key))
                    .value(*value)
                    .build()
            })
            .collect();
        all_items!(
            self.client
                .list_service_instances()
                .set_service_name(owned_text(query.service_name))
                .set_filters((!filters.is_empty()).then_some(filters))
                .set_sort_by(query.sort_by.map(ListServiceInstancesSortBy::from))
                .set_sort_order(query.sort_order.map(SortOrder::from))
        )
    }
}
