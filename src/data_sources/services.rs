//! `proton_service`, `proton_services` and `proton_service_pipeline`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::timestamp;
use crate::aws::types::{Service as ApiService, ServicePipeline as ApiPipeline, ServiceSummary};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::tf::schema::Attribute;

use crate::shared::deployment::{self, DeploymentFields};

use super::shape::{self, computed, missing, text};

/// One service as a listing describes it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Item {
    pub name: String,
    pub description: Option<String>,
    pub arn: Option<String>,
    pub template_name: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    pub status: Option<String>,
    pub status_message: Option<String>,
}

macro_rules! item_from {
    ($($ty:ty),*) => {$(
        impl From<&$ty> for Item {
            fn from(s: &$ty) -> Self {
                Self {
                    name: s.name().to_string(),
                    description: text(s.description()),
                    arn: Some(s.arn().to_string()),
                    template_name: Some(s.template_name().to_string()),
                    created_at: Some(timestamp(s.created_at())),
                    last_modified_at: Some(timestamp(s.last_modified_at())),
                    status: Some(s.status().as_str().to_string()),
                    status_message: text(s.status_message()),
                }
            }
        }
    )*};
}

item_from!(ApiService, ServiceSummary);

fn item_attributes() -> Vec<Attribute> {
    vec![
        computed("name", "Name of the service."),
        computed("description", "Description of the service."),
        shape::arn("service"),
        computed("template_name", "The service template."),
        shape::created_at("service"),
        shape::last_modified_at("service"),
        computed(
            "status",
            "`ACTIVE`, or where a create, update or delete stands (`CREATE_IN_PROGRESS`, \
             `UPDATE_FAILED`, ...).",
        ),
        computed(
            "status_message",
            "Why the service has its status, if Proton says.",
        ),
    ]
}

/// A service's pipeline.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Pipeline {
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub template_name: Option<String>,
    pub template_major_version: Option<String>,
    pub template_minor_version: Option<String>,
    pub spec: Option<String>,
    #[serde(flatten)]
    pub deployment: DeploymentFields,
}

impl From<&ApiPipeline> for Pipeline {
    fn from(p: &ApiPipeline) -> Self {
        Self {
            arn: Some(p.arn().to_string()),
            created_at: Some(timestamp(p.created_at())),
            template_name: Some(p.template_name().to_string()),
            template_major_version: Some(p.template_major_version().to_string()),
            template_minor_version: Some(p.template_minor_version().to_string()),
            spec: p.spec().map(str::to_string),
            deployment: DeploymentFields::listed(p),
        }
    }
}

fn pipeline_attributes() -> Vec<Attribute> {
    [
        shape::arn("pipeline"),
        shape::created_at("pipeline"),
        computed("template_name", "The service template (the service's)."),
        computed(
            "template_major_version",
            "Major version of the template the pipeline runs.",
        ),
        computed(
            "template_minor_version",
            "Minor version of the template the pipeline runs.",
        ),
        computed("spec", "The pipeline's spec (YAML) as last deployed."),
    ]
    .into_iter()
    .chain(deployment::data_source_attributes("pipeline"))
    .collect()
}

/// `data "proton_service"`.
pub struct Service;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct One {
    #[serde(flatten)]
    pub service: Item,
    pub spec: Option<String>,
    pub repository_connection_arn: Option<String>,
    pub repository_id: Option<String>,
    pub branch_name: Option<String>,
    pub pipeline: Option<Pipeline>,
    pub tags: Option<BTreeMap<String, String>>,
}

impl DataSource for Service {
    type Model = One;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = shape::keyed(
            vec![shape::name_argument("name", "Name of the service.")],
            item_attributes(),
        );
        attributes.extend([
            computed("spec", "The service's spec (YAML)."),
            computed(
                "repository_connection_arn",
                "CodeStar connection ARN of the source repository, if any.",
            ),
            computed(
                "repository_id",
                "The source repository (`owner/name`), if any.",
            ),
            computed("branch_name", "Branch of the source repository, if any."),
            shape::object(
                "pipeline",
                "The service's pipeline; null when its template has none.",
                pipeline_attributes(),
            ),
            shape::tags("service"),
        ]);
        DataSourceSpec {
            type_name: "proton_service",
            description: "Reads an AWS Proton service by name: its status, spec, source repository and \
                pipeline.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: One) -> Result<One, Error> {
        let name = config.service.name;
        let found = ctx
            .api
            .get_service(&name)
            .await?
            .ok_or_else(|| missing(format!("service named {name:?}")))?;
        let tags = ctx.api.list_tags(found.arn()).await?;
        Ok(One {
            service: Item::from(&found),
            spec: Some(found.spec().to_string()),
            repository_connection_arn: text(found.repository_connection_arn()),
            repository_id: text(found.repository_id()),
            branch_name: text(found.branch_name()),
            pipeline: found.pipeline().map(Pipeline::from),
            tags: Some(tags),
        })
    }
}

/// `data "proton_services"`.
pub struct Services;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Many {
    pub services: Option<Vec<Item>>,
}

impl DataSource for Services {
    type Model = Many;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_services",
            description: "Lists every AWS Proton service in the account and region.",
            attributes: vec![shape::list(
                "services",
                "The services, as ListServices describes them (no spec).",
                item_attributes(),
            )],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, _config: Many) -> Result<Many, Error> {
        let services = ctx.api.list_services().await?;
        Ok(Many {
            services: Some(services.iter().map(Item::from).collect()),
        })
    }
}

/// `data "proton_service_pipeline"`.
pub struct ServicePipeline;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct PipelineData {
    pub service_name: String,
    #[serde(flatten)]
    pub pipeline: Pipeline,
}

impl DataSource for ServicePipeline {
    type Model = PipelineData;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = vec![shape::name_argument(
            "service_name",
            "Name of the service whose pipeline this is.",
        )];
        attributes.extend(pipeline_attributes());
        DataSourceSpec {
            type_name: "proton_service_pipeline",
            description: "Reads the pipeline of an AWS Proton service: its template version, spec and \
                deployment status. Fails when the service does not exist or its template has no pipeline.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: PipelineData) -> Result<PipelineData, Error> {
        let name = config.service_name;
        let service = ctx
            .api
            .get_service(&name)
            .await?
            .ok_or_else(|| missing(format!("service named {name:?}")))?;
        let pipeline = service
            .pipeline()
            .map(Pipeline::from)
            .ok_or_else(|| missing(format!("pipeline of service {name:?}")))?;
        Ok(PipelineData {
            service_name: name,
            pipeline,
        })
    }
}
