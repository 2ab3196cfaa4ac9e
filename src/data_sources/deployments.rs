//! `proton_deployment` (one deployment by ID, with what it deployed) and `proton_deployments` (the
//! deployment history, newest first, of everything or of one object).

use serde::{Deserialize, Serialize};

use crate::aws::types::{Deployment as ApiDeployment, DeploymentState, DeploymentSummary};
use crate::aws::{DeploymentScope, timestamp};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::shared::attributes::resource_name;
use crate::tf::schema::Attribute;

use super::shape::{self, computed, missing, text};
use crate::aws::Stamp;

/// One deployment as a listing describes it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub arn: Option<String>,
    pub deployment_status: Option<String>,
    pub target_arn: Option<String>,
    pub target_resource_type: Option<String>,
    pub target_resource_created_at: Option<String>,
    pub environment_name: Option<String>,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub component_name: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    pub completed_at: Option<String>,
    pub last_attempted_deployment_id: Option<String>,
    pub last_succeeded_deployment_id: Option<String>,
}

macro_rules! item_from {
    ($($ty:ty),*) => {$(
        impl From<&$ty> for Item {
            fn from(d: &$ty) -> Self {
                Self {
                    id: d.id().to_string(),
                    arn: Some(d.arn().to_string()),
                    deployment_status: Some(d.deployment_status().as_str().to_string()),
                    target_arn: Some(d.target_arn().to_string()),
                    target_resource_type: Some(d.target_resource_type().as_str().to_string()),
                    target_resource_created_at: Some(timestamp(d.target_resource_created_at())),
                    environment_name: Some(d.environment_name().to_string()),
                    service_name: text(d.service_name()),
                    service_instance_name: text(d.service_instance_name()),
                    component_name: text(d.component_name()),
                    created_at: Some(timestamp(d.created_at())),
                    last_modified_at: Some(timestamp(d.last_modified_at())),
                    completed_at: d.completed_at().stamp(),
                    last_attempted_deployment_id: text(d.last_attempted_deployment_id()),
                    last_succeeded_deployment_id: text(d.last_succeeded_deployment_id()),
                }
            }
        }
    )*};
}

item_from!(ApiDeployment, DeploymentSummary);

/// The names a deployment is scoped to: arguments that narrow the lookup, else what it reports.
const SCOPE: [(&str, &str); 4] = [
    (
        "environment_name",
        "The environment deployed, or the one the target is in.",
    ),
    (
        "service_name",
        "The service of a deployed service instance or pipeline.",
    ),
    ("service_instance_name", "The deployed service instance."),
    ("component_name", "The deployed component."),
];

fn item_attributes() -> Vec<Attribute> {
    let mut attributes = vec![
        computed("id", "ID of the deployment."),
        shape::arn("deployment"),
        computed(
            "deployment_status",
            "`IN_PROGRESS`, `FAILED`, `SUCCEEDED`, `DELETE_IN_PROGRESS`, `DELETE_FAILED`, \
             `DELETE_COMPLETE`, `CANCELLING` or `CANCELLED`.",
        ),
        computed("target_arn", "ARN of the deployed object."),
        computed(
            "target_resource_type",
            "`ENVIRONMENT`, `SERVICE_PIPELINE`, `SERVICE_INSTANCE` or `COMPONENT`.",
        ),
        computed(
            "target_resource_created_at",
            "When the deployed object was created (RFC 3339).",
        ),
    ];
    attributes.extend(SCOPE.iter().map(|(name, what)| computed(name, what)));
    attributes.extend([
        shape::created_at("deployment"),
        shape::last_modified_at("deployment"),
        computed(
            "completed_at",
            "When the deployment finished (RFC 3339), once it has.",
        ),
        computed(
            "last_attempted_deployment_id",
            "The target's deployment attempted before this one.",
        ),
        computed(
            "last_succeeded_deployment_id",
            "The target's last successful deployment before this one.",
        ),
    ]);
    attributes
}

/// What a deployment deployed (or found), whatever kind of target it has.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct State {
    pub template_name: Option<String>,
    pub template_major_version: Option<String>,
    pub template_minor_version: Option<String>,
    pub spec: Option<String>,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub service_spec: Option<String>,
    pub template_file: Option<String>,
    pub last_successful_environment_deployment_id: Option<String>,
    pub last_successful_service_pipeline_deployment_id: Option<String>,
    pub last_successful_component_deployment_ids: Option<Vec<String>>,
}

impl State {
    fn of(state: &DeploymentState) -> Option<Self> {
        let version = |name: &str, major: &str, minor: &str, spec: Option<&str>| Self {
            template_name: Some(name.to_string()),
            template_major_version: Some(major.to_string()),
            template_minor_version: Some(minor.to_string()),
            spec: spec.map(str::to_string),
            ..Self::default()
        };
        Some(match state {
            DeploymentState::Environment(e) => version(
                e.template_name(),
                e.template_major_version(),
                e.template_minor_version(),
                e.spec(),
            ),
            DeploymentState::ServicePipeline(p) => version(
                p.template_name(),
                p.template_major_version(),
                p.template_minor_version(),
                p.spec(),
            ),
            DeploymentState::ServiceInstance(i) => Self {
                last_successful_environment_deployment_id: text(
                    i.last_successful_environment_deployment_id(),
                ),
                last_successful_service_pipeline_deployment_id: text(
                    i.last_successful_service_pipeline_deployment_id(),
                ),
                last_successful_component_deployment_ids: Some(
                    i.last_successful_component_deployment_ids().to_vec(),
                ),
                ..version(
                    i.template_name(),
                    i.template_major_version(),
                    i.template_minor_version(),
                    Some(i.spec()),
                )
            },
            DeploymentState::Component(c) => Self {
                service_name: text(c.service_name()),
                service_instance_name: text(c.service_instance_name()),
                service_spec: c.service_spec().map(str::to_string),
                template_file: c.template_file().map(str::to_string),
                ..Self::default()
            },
            _ => return None,
        })
    }
}

fn state(name: &str, description: &str) -> Attribute {
    shape::object(
        name,
        description,
        vec![
            computed(
                "template_name",
                "The template (environments, pipelines, service instances).",
            ),
            computed("template_major_version", "Its major version."),
            computed("template_minor_version", "Its minor version."),
            computed("spec", "The spec (YAML)."),
            computed(
                "service_name",
                "The service of the instance a component is attached to.",
            ),
            computed(
                "service_instance_name",
                "The instance a component is attached to.",
            ),
            computed("service_spec", "A component's service spec (YAML)."),
            computed("template_file", "A component's template file."),
            computed(
                "last_successful_environment_deployment_id",
                "A service instance's environment deployment it was deployed with.",
            ),
            computed(
                "last_successful_service_pipeline_deployment_id",
                "A service instance's pipeline deployment it was deployed with.",
            ),
            shape::strings(
                "last_successful_component_deployment_ids",
                "A service instance's component deployments it was deployed with.",
            ),
        ],
    )
}

/// `data "proton_deployment"`.
pub struct Deployment;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct One {
    #[serde(flatten)]
    pub deployment: Item,
    pub deployment_status_message: Option<String>,
    pub initial_state: Option<State>,
    pub target_state: Option<State>,
}

impl DataSource for Deployment {
    type Model = One;

    fn spec(&self) -> DataSourceSpec {
        let mut arguments = vec![
            shape::uuid("id")
                .required()
                .describe("ID of the deployment."),
        ];
        arguments.extend(SCOPE.iter().map(|(name, what)| {
            resource_name(name).optional_computed().describe(&format!(
                "{what} Set, it narrows the lookup: a deployment of something else is not found."
            ))
        }));
        let mut attributes = shape::keyed(arguments, item_attributes());
        attributes.extend([
            computed(
                "deployment_status_message",
                "Why the deployment has its status, if Proton says.",
            ),
            state(
                "initial_state",
                "What the target ran before the deployment (type-specific fields are null for other kinds).",
            ),
            state(
                "target_state",
                "What the deployment deploys (type-specific fields are null for other kinds).",
            ),
        ]);
        DataSourceSpec {
            type_name: "proton_deployment",
            description: "Reads an AWS Proton deployment by ID: its target, status and what it deployed.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: One) -> Result<One, Error> {
        let wanted = &config.deployment;
        let found = ctx
            .api
            .get_deployment(
                &wanted.id,
                DeploymentScope {
                    environment_name: wanted.environment_name.as_deref(),
                    service_name: wanted.service_name.as_deref(),
                    service_instance_name: wanted.service_instance_name.as_deref(),
                    component_name: wanted.component_name.as_deref(),
                },
            )
            .await?
            .ok_or_else(|| missing(format!("deployment with ID {:?}", wanted.id)))?;
        Ok(One {
            deployment: Item::from(&found),
            deployment_status_message: text(found.deployment_status_message()),
            initial_state: found.initial_state().and_then(State::of),
            target_state: found.target_state().and_then(State::of),
        })
    }
}

/// `data "proton_deployments"`.
pub struct Deployments;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Many {
    pub environment_name: Option<String>,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub component_name: Option<String>,
    pub deployments: Option<Vec<Item>>,
}

impl DataSource for Deployments {
    type Model = Many;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes: Vec<Attribute> = SCOPE
            .iter()
            .map(|(name, _)| {
                shape::name_filter(
                    name,
                    &format!(
                        "Only deployments with this `{name}`{}.",
                        if *name == "service_instance_name" {
                            " (with `service_name`)"
                        } else {
                            ""
                        }
                    ),
                )
            })
            .collect();
        attributes.push(shape::list(
            "deployments",
            "The deployments, newest first, as ListDeployments describes them.",
            item_attributes(),
        ));
        DataSourceSpec {
            type_name: "proton_deployments",
            description: "Lists AWS Proton deployments, newest first: every one, or those of an \
                environment, service, service instance or component.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Many) -> Result<Many, Error> {
        let found = ctx
            .api
            .list_deployments(DeploymentScope {
                environment_name: config.environment_name.as_deref(),
                service_name: config.service_name.as_deref(),
                service_instance_name: config.service_instance_name.as_deref(),
                component_name: config.component_name.as_deref(),
            })
            .await?;
        Ok(Many {
            deployments: Some(found.iter().map(Item::from).collect()),
            ..config
        })
    }
}
