//! `proton_service_instance` (one instance of a service) and `proton_service_instances` (instances
//! across services, with ListServiceInstances' filters and sort order).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::types::{ServiceInstance as ApiInstance, ServiceInstanceSummary};
use crate::aws::{InstanceQuery, timestamp};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::tf::schema::{Attribute, Validator};

use crate::shared::deployment::{self, DeploymentFields};

use crate::shared::list_filters;

use super::shape::{self, computed, missing};

/// One service instance as a listing describes it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Item {
    pub service_name: String,
    pub name: String,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub environment_name: Option<String>,
    pub template_name: Option<String>,
    pub template_major_version: Option<String>,
    pub template_minor_version: Option<String>,
    #[serde(flatten)]
    pub deployment: DeploymentFields,
}

macro_rules! item_from {
    ($($ty:ty),*) => {$(
        impl From<&$ty> for Item {
            fn from(i: &$ty) -> Self {
                Self {
                    service_name: i.service_name().to_string(),
                    name: i.name().to_string(),
                    arn: Some(i.arn().to_string()),
                    created_at: Some(timestamp(i.created_at())),
                    environment_name: Some(i.environment_name().to_string()),
                    template_name: Some(i.template_name().to_string()),
                    template_major_version: Some(i.template_major_version().to_string()),
                    template_minor_version: Some(i.template_minor_version().to_string()),
                    deployment: DeploymentFields::listed(i),
                }
            }
        }
    )*};
}

item_from!(ApiInstance, ServiceInstanceSummary);

fn item_attributes() -> Vec<Attribute> {
    [
        computed("service_name", "Name of the service."),
        computed("name", "Name of the instance."),
        shape::arn("service instance"),
        shape::created_at("service instance"),
        computed(
            "environment_name",
            "The environment the instance is deployed into.",
        ),
        computed("template_name", "The service template (the service's)."),
        computed(
            "template_major_version",
            "Major version of the template the instance runs.",
        ),
        computed(
            "template_minor_version",
            "Minor version of the template the instance runs.",
        ),
    ]
    .into_iter()
    .chain(deployment::data_source_attributes("service instance"))
    .collect()
}

/// `data "proton_service_instance"`.
pub struct ServiceInstance;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct One {
    #[serde(flatten)]
    pub instance: Item,
    pub spec: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

impl DataSource for ServiceInstance {
    type Model = One;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = shape::keyed(
            vec![
                shape::name_argument("service_name", "Name of the service."),
                shape::name_argument("name", "Name of the instance."),
            ],
            item_attributes(),
        );
        attributes.extend([
            computed("spec", "The instance's spec (YAML) as last deployed."),
            shape::tags("service instance"),
        ]);
        DataSourceSpec {
            type_name: "proton_service_instance",
            description: "Reads one instance of an AWS Proton service: its environment, template version, \
                deployment status and spec.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: One) -> Result<One, Error> {
        let (service, name) = (config.instance.service_name, config.instance.name);
        let found = ctx
            .api
            .get_service_instance(&service, &name)
            .await?
            .ok_or_else(|| missing(format!("instance named {name:?} of service {service:?}")))?;
        let tags = ctx.api.list_tags(found.arn()).await?;
        Ok(One {
            instance: Item::from(&found),
            spec: found.spec().map(str::to_string),
            tags: Some(tags),
        })
    }
}

/// `data "proton_service_instances"`.
pub struct ServiceInstances;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Filter {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Many {
    pub service_name: Option<String>,
    pub filters: Option<Vec<Filter>>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub service_instances: Option<Vec<Item>>,
}

const SORT_KEYS: &[&str] = &[
    "name",
    "deploymentStatus",
    "templateName",
    "serviceName",
    "environmentName",
    "lastDeploymentAttemptedAt",
    "createdAt",
];

impl DataSource for ServiceInstances {
    type Model = Many;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_service_instances",
            description: "Lists AWS Proton service instances: of every service or of one, narrowed by \
                ListServiceInstances' filters and in the order asked for.",
            attributes: vec![
                shape::name_filter("service_name", "Only instances of this service."),
                list_filters::service_instance_filters("Only instances that match every filter."),
                Attribute::string("sort_by")
                    .optional()
                    .validate(Validator::one_of(SORT_KEYS))
                    .describe(
                        "What to sort by (the API's names; Proton's default order otherwise).",
                    ),
                Attribute::string("sort_order")
                    .optional()
                    .validate(Validator::one_of(&["ASCENDING", "DESCENDING"]))
                    .describe("`ASCENDING` or `DESCENDING`."),
                shape::list(
                    "service_instances",
                    "The instances, as ListServiceInstances describes them (no spec).",
                    item_attributes(),
                ),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Many) -> Result<Many, Error> {
        let filters: Vec<(&str, &str)> = config
            .filters
            .iter()
            .flatten()
            .map(|f| (f.key.as_str(), f.value.as_str()))
            .collect();
        let found = ctx
            .api
            .query_service_instances(InstanceQuery {
                service_name: config.service_name.as_deref(),
                filters: &filters,
                sort_by: config.sort_by.as_deref(),
                sort_order: config.sort_order.as_deref(),
            })
            .await;
        let found = shape::or_missing(found, || {
            format!(
                "service named {:?}",
                config.service_name.as_deref().unwrap_or_default()
            )
        })?;
        Ok(Many {
            service_instances: Some(found.iter().map(Item::from).collect()),
            ..config
        })
    }
}
