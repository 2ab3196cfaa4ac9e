//! Outputs and provisioned resources of deployed objects: `proton_environment_outputs`,
//! `proton_service_instance_outputs`, `proton_service_pipeline_outputs`, `proton_component_outputs`
//! and the matching `..._provisioned_resources`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::Deployed;
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::tf::schema::Attribute;

use super::shape::{self, computed, or_missing};

/// Which kind of deployed object.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Environment,
    ServiceInstance,
    ServicePipeline,
    Component,
}

/// The arguments naming the object: each kind's own, so the model holds exactly the arguments of the
/// target's schema (serde takes the first variant whose arguments are all there).
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Key {
    ServiceInstance {
        service_name: String,
        service_instance_name: String,
    },
    ServicePipeline {
        service_name: String,
    },
    Environment {
        environment_name: String,
    },
    Component {
        component_name: String,
    },
}

impl Key {
    /// The object the key names, and how to say it in an error.
    fn deployed(&self) -> (Deployed<'_>, String) {
        match self {
            Key::Environment { environment_name } => (
                Deployed::Environment(environment_name),
                format!("environment named {environment_name:?}"),
            ),
            Key::ServiceInstance {
                service_name: service,
                service_instance_name: instance,
            } => (
                Deployed::ServiceInstance { service, instance },
                format!("instance named {instance:?} of service {service:?}"),
            ),
            Key::ServicePipeline { service_name } => (
                Deployed::ServicePipeline(service_name),
                format!("pipeline of service {service_name:?}"),
            ),
            Key::Component { component_name } => (
                Deployed::Component(component_name),
                format!("component named {component_name:?}"),
            ),
        }
    }
}

impl Target {
    fn arguments(self) -> Vec<Attribute> {
        let name = shape::name_argument;
        match self {
            Target::Environment => vec![name("environment_name", "Name of the environment.")],
            Target::ServiceInstance => vec![
                name("service_name", "Name of the service."),
                name("service_instance_name", "Name of the service instance."),
            ],
            Target::ServicePipeline => vec![name(
                "service_name",
                "Name of the service whose pipeline this is.",
            )],
            Target::Component => vec![name("component_name", "Name of the component.")],
        }
    }

    fn what(self) -> &'static str {
        match self {
            Target::Environment => "environment",
            Target::ServiceInstance => "service instance",
            Target::ServicePipeline => "service pipeline",
            Target::Component => "component",
        }
    }
}

/// One output, as Proton lists it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Output {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// `data "proton_<kind>_outputs"`.
pub struct Outputs(pub Target);

#[derive(Debug, Serialize, Deserialize)]
pub struct OutputsData {
    #[serde(flatten)]
    pub key: Key,
    pub deployment_id: Option<String>,
    pub outputs: Option<BTreeMap<String, String>>,
    pub output_list: Option<Vec<Output>>,
}

impl DataSource for Outputs {
    type Model = OutputsData;

    fn spec(&self) -> DataSourceSpec {
        let what = self.0.what();
        let type_name = match self.0 {
            Target::Environment => "proton_environment_outputs",
            Target::ServiceInstance => "proton_service_instance_outputs",
            Target::ServicePipeline => "proton_service_pipeline_outputs",
            Target::Component => "proton_component_outputs",
        };
        let mut attributes = self.0.arguments();
        attributes.extend([
            shape::uuid("deployment_id").optional().describe(&format!(
                "A deployment of the {what} whose outputs to read. Unset: its last successful deployment."
            )),
            Attribute::string_map("outputs").computed().describe(
                "The outputs by key, e.g. `outputs[\"vpc_id\"]`. Outputs without a key are only in \
                 `output_list`.",
            ),
            shape::list(
                "output_list",
                "The outputs as Proton lists them.",
                vec![
                    computed("key", "The output's name."),
                    computed("value", "Its value (a string)."),
                ],
            ),
        ]);
        DataSourceSpec {
            type_name,
            description: match self.0 {
                Target::Environment => {
                    "Reads the outputs of an AWS Proton environment's deployment."
                }
                Target::ServiceInstance => {
                    "Reads the outputs of an AWS Proton service instance's deployment."
                }
                Target::ServicePipeline => {
                    "Reads the outputs of an AWS Proton service pipeline's deployment."
                }
                Target::Component => "Reads the outputs of an AWS Proton component's deployment.",
            },
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: OutputsData) -> Result<OutputsData, Error> {
        let (target, what) = config.key.deployed();
        let found = ctx
            .api
            .list_outputs(target, config.deployment_id.as_deref())
            .await;
        let found = or_missing(found, || match &config.deployment_id {
            Some(id) => format!("deployment {id:?} of the {what}"),
            None => what.clone(),
        })?;
        let list: Vec<Output> = found
            .iter()
            .map(|o| Output {
                key: o.key().map(str::to_string),
                value: o.value_string().map(str::to_string),
            })
            .collect();
        let outputs = list
            .iter()
            .filter_map(|o| Some((o.key.clone()?, o.value.clone().unwrap_or_default())))
            .collect();
        Ok(OutputsData {
            outputs: Some(outputs),
            output_list: Some(list),
            ..config
        })
    }
}

/// A resource a deployment provisioned.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Provisioned {
    pub name: Option<String>,
    pub identifier: Option<String>,
    pub provisioning_engine: Option<String>,
}

/// `data "proton_<kind>_provisioned_resources"`.
pub struct ProvisionedResources(pub Target);

#[derive(Debug, Serialize, Deserialize)]
pub struct ProvisionedData {
    #[serde(flatten)]
    pub key: Key,
    pub provisioned_resources: Option<Vec<Provisioned>>,
}

impl DataSource for ProvisionedResources {
    type Model = ProvisionedData;

    fn spec(&self) -> DataSourceSpec {
        let type_name = match self.0 {
            Target::Environment => "proton_environment_provisioned_resources",
            Target::ServiceInstance => "proton_service_instance_provisioned_resources",
            Target::ServicePipeline => "proton_service_pipeline_provisioned_resources",
            Target::Component => "proton_component_provisioned_resources",
        };
        let mut attributes = self.0.arguments();
        attributes.push(shape::list(
            "provisioned_resources",
            "The resources, as Proton lists them.",
            vec![
                computed("name", "Name of the resource."),
                computed(
                    "identifier",
                    "Its identifier in the engine that provisioned it (such as a stack ARN).",
                ),
                computed("provisioning_engine", "`CLOUDFORMATION` or `TERRAFORM`."),
            ],
        ));
        DataSourceSpec {
            type_name,
            description: match self.0 {
                Target::Environment => {
                    "Lists the resources the deployments of an AWS Proton environment provisioned."
                }
                Target::ServiceInstance => {
                    "Lists the resources the deployments of an AWS Proton service instance provisioned."
                }
                Target::ServicePipeline => {
                    "Lists the resources the deployments of an AWS Proton service pipeline provisioned."
                }
                Target::Component => {
                    "Lists the resources the deployments of an AWS Proton component provisioned."
                }
            },
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: ProvisionedData) -> Result<ProvisionedData, Error> {
        let (target, what) = config.key.deployed();
        let found = or_missing(ctx.api.list_provisioned_resources(target).await, || what)?;
        Ok(ProvisionedData {
            provisioned_resources: Some(
                found
                    .iter()
                    .map(|r| Provisioned {
                        name: r.name().map(str::to_string),
                        identifier: r.identifier().map(str::to_string),
                        provisioning_engine: r
                            .provisioning_engine()
                            .map(|e| e.as_str().to_string()),
                    })
                    .collect(),
            ),
            ..config
        })
    }
}
