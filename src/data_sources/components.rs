//! `proton_component` (one component by name) and `proton_components` (every component, or those of
//! an environment, service or service instance).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::types::{Component as ApiComponent, ComponentSummary};
use crate::aws::{ComponentFilter, timestamp};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::tf::schema::Attribute;

use crate::shared::deployment::{self, DeploymentFields};

use super::shape::{self, computed, missing, text};

/// One component as a listing describes it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Item {
    pub name: String,
    pub arn: Option<String>,
    pub environment_name: Option<String>,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    #[serde(flatten)]
    pub deployment: DeploymentFields,
}

macro_rules! item_from {
    ($($ty:ty),*) => {$(
        impl From<&$ty> for Item {
            fn from(c: &$ty) -> Self {
                Self {
                    name: c.name().to_string(),
                    arn: Some(c.arn().to_string()),
                    environment_name: Some(c.environment_name().to_string()),
                    service_name: text(c.service_name()),
                    service_instance_name: text(c.service_instance_name()),
                    created_at: Some(timestamp(c.created_at())),
                    last_modified_at: Some(timestamp(c.last_modified_at())),
                    deployment: DeploymentFields::listed(c),
                }
            }
        }
    )*};
}

item_from!(ApiComponent, ComponentSummary);

fn item_attributes() -> Vec<Attribute> {
    [
        computed("name", "Name of the component."),
        shape::arn("component"),
        computed("environment_name", "The component's environment."),
        computed(
            "service_name",
            "Service of the instance the component is attached to, if any.",
        ),
        computed(
            "service_instance_name",
            "Service instance the component is attached to, if any.",
        ),
        shape::created_at("component"),
        shape::last_modified_at("component"),
    ]
    .into_iter()
    .chain(deployment::data_source_attributes("component"))
    .collect()
}

/// `data "proton_component"`.
pub struct Component;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct One {
    #[serde(flatten)]
    pub component: Item,
    pub description: Option<String>,
    pub service_spec: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

impl DataSource for Component {
    type Model = One;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = shape::keyed(
            vec![shape::name_argument("name", "Name of the component.")],
            item_attributes(),
        );
        attributes.extend([
            computed("description", "Description of the component."),
            computed(
                "service_spec",
                "The service spec (YAML) the component's template reads inputs from, if any.",
            ),
            shape::tags("component"),
        ]);
        DataSourceSpec {
            type_name: "proton_component",
            description: "Reads an AWS Proton component by name: where it is attached and its deployment \
                status. (Proton does not return a component's template file or manifest.)",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: One) -> Result<One, Error> {
        let name = config.component.name;
        let found = ctx
            .api
            .get_component(&name)
            .await?
            .ok_or_else(|| missing(format!("component named {name:?}")))?;
        let tags = ctx.api.list_tags(found.arn()).await?;
        Ok(One {
            component: Item::from(&found),
            description: text(found.description()),
            service_spec: found.service_spec().map(str::to_string),
            tags: Some(tags),
        })
    }
}

/// `data "proton_components"`.
pub struct Components;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Many {
    pub environment_name: Option<String>,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub components: Option<Vec<Item>>,
}

impl DataSource for Components {
    type Model = Many;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_components",
            description: "Lists AWS Proton components: every one, or those of an environment, a service or \
                a service instance.",
            attributes: vec![
                shape::name_filter("environment_name", "Only components of this environment."),
                shape::name_filter(
                    "service_name",
                    "Only components attached to instances of this service.",
                ),
                shape::name_filter(
                    "service_instance_name",
                    "Only components attached to this service instance (with `service_name`).",
                ),
                shape::list(
                    "components",
                    "The components, as ListComponents describes them.",
                    item_attributes(),
                ),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Many) -> Result<Many, Error> {
        let found = ctx
            .api
            .list_components(ComponentFilter {
                environment_name: config.environment_name.as_deref(),
                service_name: config.service_name.as_deref(),
                service_instance_name: config.service_instance_name.as_deref(),
            })
            .await?;
        Ok(Many {
            components: Some(found.iter().map(Item::from).collect()),
            ..config
        })
    }
}
