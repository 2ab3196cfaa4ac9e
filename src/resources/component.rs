//! `proton_component`: directly defined infrastructure (its own template file) attached to an
//! environment or to a service instance.

use serde::{Deserialize, Serialize};

use crate::aws::types::{Component as ApiComponent, ComponentDeploymentUpdateType};
use crate::aws::{ComponentFilter, ComponentUpdate, NewComponent, timestamp};
use crate::engine::{Ctx, Error, Failure, ListSpec, PlanEdit, Resource, ResourceSpec};
use crate::tf::schema::{Attribute, Validator};
use crate::tf::{AttributePath, Diagnostics, Value};

use crate::shared::attributes;
use crate::shared::deployment::{
    self as deployment, Deployed, DeploymentFields, Unfinished, wait_deployed, wait_idle,
};
use crate::shared::list_filters;

pub struct Component;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub description: Option<String>,
    pub environment_name: Option<String>,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub template_file: Option<String>,
    pub manifest: Option<String>,
    pub service_spec: Option<String>,
    pub cancel_on_timeout: Option<bool>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    #[serde(flatten)]
    pub deployment: DeploymentFields,
    pub deployment_type: Option<String>,
}

/// Changing one of these redeploys the component.
const DEPLOYED_INPUTS: [&str; 4] = [
    "template_file",
    "service_spec",
    "service_name",
    "service_instance_name",
];

impl Model {
    /// The component as Proton reports it. GetComponent returns neither the template file nor the
    /// manifest: they come from `known`.
    fn reported(component: ApiComponent, known: &Model) -> Self {
        Self {
            name: component.name().to_string(),
            description: component
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            environment_name: Some(component.environment_name().to_string()),
            service_name: component
                .service_name()
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            service_instance_name: component
                .service_instance_name()
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            template_file: known.template_file.clone(),
            manifest: known.manifest.clone(),
            service_spec: component.service_spec().map(str::to_string),
            cancel_on_timeout: Some(known.cancel_on_timeout.unwrap_or(false)),
            arn: Some(component.arn().to_string()),
            created_at: Some(timestamp(component.created_at())),
            last_modified_at: Some(timestamp(component.last_modified_at())),
            deployment: component.fields(),
            // Proton does not report it: the last plan set it.
            deployment_type: known.deployment_type.clone(),
        }
    }
}

async fn wait(ctx: &Ctx, known: &Model) -> Result<Model, Failure<Model>> {
    let name = known.name.as_str();
    wait_deployed(
        ctx,
        &format!("deployment of component {name}"),
        known.cancel_on_timeout.unwrap_or(false),
        || ctx.api.get_component(name),
        || ctx.api.cancel_component_deployment(name),
    )
    .await
    .map(|component| Model::reported(component, known))
    .map_err(|unfinished| unfinished.failure(|component| Model::reported(component, known)))
}

/// Detaches the component from its service instance and waits for that deployment: Proton
/// neither deletes an attached component nor moves one straight to another instance.
async fn detach(ctx: &Ctx, name: &str) -> Result<ApiComponent, Unfinished<ApiComponent>> {
    ctx.api
        .update_component(ComponentUpdate {
            name,
            deployment_type: ComponentDeploymentUpdateType::CurrentVersion,
            description: None,
            service_name: Some(""),
            service_instance_name: Some(""),
            service_spec: None,
            template_file: None,
        })
        .await?;
    wait_deployed(
        ctx,
        &format!("detach of component {name}"),
        false,
        || ctx.api.get_component(name),
        || ctx.api.cancel_component_deployment(name),
    )
    .await
}

fn is_attached(component: &ApiComponent) -> bool {
    component
        .service_instance_name()
        .is_some_and(|i| !i.is_empty())
}

fn no_longer_exists(name: &str) -> Error {
    Error::Failed(format!("component {name} no longer exists"))
}

/// A change to the manifest replaces the component, except when the stored manifest is unknown
/// (after an import: Proton never returns it), where the configured one is simply recorded.
fn manifest_replaces(prior: &Value, _planned: &Value) -> bool {
    !prior.is_null()
}

impl Resource for Component {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_component",
            description: "An AWS Proton component: infrastructure defined directly by its own template file \
                (rather than by a template version), attached to an environment or to one service \
                instance. The environment needs a `component_role_arn`; a service instance's template \
                version must support `DIRECTLY_DEFINED` components. Create and update wait for the \
                deployment; delete waits until the component is gone. In an environment with \
                self-managed provisioning, Proton assumes no component role: the component's Terraform \
                goes to the environment's repository, and create and update wait until your automation \
                reports the deployment (`proton_notify_resource_deployment_status_change`).\n\n\
                Proton refuses to delete a component attached to a service instance, or to move one \
                straight to another instance: delete first detaches it (a deployment) and then \
                deletes it, and a change of `service_name`/`service_instance_name` from one instance \
                to another is a detach followed by an attach (two deployments). A component can't be \
                updated while its service instance deploys.\n\n\
                Proton never returns a component's template file or manifest: state keeps the configured \
                ones. An import reads the template file from the component's last deployment; the \
                manifest is required to create, not to import: an imported component (and the \
                configuration `-generate-config-out` writes for it) needs none, and one set later is \
                recorded at the next apply, without a replacement.",
            version: 0,
            attributes: [
                attributes::resource_name("name")
                    .required()
                    .requires_replace()
                    .describe("Name of the component."),
                attributes::description()
                    .optional()
                    .describe("Description of the component. Changing it does not deploy."),
                attributes::resource_name("environment_name")
                    .optional_computed()
                    .use_state_for_unknown()
                    .requires_replace()
                    .describe(
                        "Environment of the component. Required without a service instance; with one, it \
                         is the instance's environment.",
                    ),
                attributes::resource_name("service_name")
                    .optional()
                    .describe(
                        "Service of the instance the component is attached to (with \
                         `service_instance_name`). Removing both detaches the component; changes \
                         redeploy it (a move to another instance detaches it first).",
                    ),
                attributes::resource_name("service_instance_name")
                    .optional()
                    .describe("Service instance the component is attached to (with `service_name`)."),
                Attribute::string("template_file")
                    .required()
                    .validate(Validator::length(1, 51200))
                    .describe(
                        "The component's infrastructure as code template (CloudFormation YAML or JSON, or \
                         Terraform). Changing it redeploys the component.",
                    ),
                Attribute::string("manifest")
                    .required_to_create()
                    .yaml()
                    .validate(Validator::length(1, 1024))
                    .requires_replace_if(
                        "the stored manifest is known (not right after an import)",
                        manifest_replaces,
                    )
                    .describe(
                        "The manifest (YAML) saying how to render and deploy `template_file`. Proton \
                         cannot change it: a new manifest replaces the component.",
                    ),
                Attribute::string("service_spec")
                    .optional_computed()
                    .use_state_for_unknown()
                    .yaml()
                    .validate(Validator::length(1, 51200))
                    .describe(
                        "The service spec (YAML) the component's template reads inputs from, only for a \
                         component attached to a service instance (with `service_name`). Changing it redeploys the component; Proton \
                         cannot remove it, so removing it from the configuration keeps the current one.",
                    ),
                deployment::cancel_on_timeout(),
                attributes::arn("component"),
                attributes::created_at("component"),
                attributes::last_modified_at("component"),
            ]
            .into_iter()
            .chain(deployment::attributes("component"))
            .collect(),
            blocks: vec![],
            identity: &["name"],
            tags: true,
            timeouts: deployment::TIMEOUTS,
            rules: vec![],
        }
    }

    fn modify_plan(&self, plan: &mut PlanEdit<'_>) {
        deployment::plan(plan, &DEPLOYED_INPUTS);
    }

    /// M CreateComponentInput.serviceSpec: set only when the component is attached.
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        let value = |name: &str| config.get(name).unwrap_or(&Value::Null);
        let spec = value("service_spec");
        if !spec.is_null() && !spec.is_unknown() && value("service_name").is_null() {
            diags.attribute_error(
                AttributePath::attribute("service_spec"),
                "Service spec without a service instance",
                "`service_spec` is only for a component attached to a service instance: set \
                 `service_name` and `service_instance_name`, or remove `service_spec`.",
            );
        }
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let missing =
            |name: &str| Error::Invalid(format!("{name} must be known to create a component"));
        let created = ctx
            .api
            .create_component(NewComponent {
                name: &planned.name,
                description: planned.description.as_deref(),
                environment_name: planned.environment_name.as_deref(),
                service_name: planned.service_name.as_deref(),
                service_instance_name: planned.service_instance_name.as_deref(),
                template_file: planned
                    .template_file
                    .as_deref()
                    .ok_or_else(|| missing("template_file"))?,
                manifest: planned
                    .manifest
                    .as_deref()
                    .ok_or_else(|| missing("manifest"))?,
                service_spec: planned.service_spec.as_deref(),
                tags: &ctx.tags,
                client_token: &ctx.client_token,
            })
            .await?;
        deployment::succeeded_or_wait(
            created,
            |component| Model::reported(component, &planned),
            wait(ctx, &planned),
        )
        .await
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        let Some(component) = ctx.api.get_component(&current.name).await? else {
            return Ok(None);
        };
        let mut known = current;
        if known.template_file.is_none() {
            // An import: the template file is recorded with the component's deployments.
            let deployment = component
                .last_succeeded_deployment_id()
                .or(component.last_attempted_deployment_id());
            if let Some(id) = deployment {
                known.template_file = ctx.api.component_template_file(id).await?;
            }
        }
        Ok(Some(Model::reported(component, &known)))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let name = planned.name.as_str();
        let settled = deployment::succeeded_once_idle(&prior.deployment, || async {
            let what = format!("the running deployment of component {name}");
            let idle = wait_idle(ctx, &what, || ctx.api.get_component(name)).await?;
            idle.ok_or_else(|| no_longer_exists(name))
        })
        .await?;
        let attachment_changed = planned.service_name != prior.service_name
            || planned.service_instance_name != prior.service_instance_name;
        let redeploy = !settled
            || attachment_changed
            || planned.template_file != prior.template_file
            || planned.service_spec != prior.service_spec;
        let description_changed = planned.description != prior.description;
        if attachment_changed
            && prior.service_instance_name.is_some()
            && planned.service_instance_name.is_some()
        {
            // A move to another instance: detach, then attach below.
            detach(ctx, name).await.map_err(|unfinished| {
                unfinished.failure(|component| Model::reported(component, &prior))
            })?;
        }
        if !redeploy && !description_changed {
            // Only what Terraform alone keeps changed (manifest after an import, cancel_on_timeout).
            return ctx
                .api
                .get_component(name)
                .await?
                .map(|component| Model::reported(component, &planned))
                .ok_or_else(|| no_longer_exists(name).into());
        }
        let update_type = if redeploy {
            ComponentDeploymentUpdateType::CurrentVersion
        } else {
            ComponentDeploymentUpdateType::None
        };
        let updated = ctx
            .api
            .update_component(ComponentUpdate {
                name,
                deployment_type: update_type,
                description: Some(planned.description.as_deref().unwrap_or_default()),
                // An empty service name and instance name detach the component.
                service_name: attachment_changed
                    .then(|| planned.service_name.as_deref().unwrap_or_default()),
                service_instance_name: attachment_changed
                    .then(|| planned.service_instance_name.as_deref().unwrap_or_default()),
                service_spec: planned
                    .service_spec
                    .as_deref()
                    .filter(|_| planned.service_spec != prior.service_spec),
                template_file: planned.template_file.as_deref().filter(|_| redeploy),
            })
            .await?;
        if !redeploy {
            return Ok(Model::reported(updated, &planned));
        }
        wait(ctx, &planned).await
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        let name = current.name.as_str();
        let component = if current.deployment.running() {
            let what = format!("the running deployment of component {name}");
            wait_idle(ctx, &what, || ctx.api.get_component(name)).await?
        } else {
            ctx.api.get_component(name).await?
        };
        let Some(component) = component else {
            return Ok(());
        };
        if is_attached(&component) {
            detach(ctx, name)
                .await
                .map_err(|unfinished| unfinished.error)?;
        }
        deployment::delete_deployed(
            ctx,
            &format!("component {name}"),
            false,
            || ctx.api.get_component(name),
            || ctx.api.delete_component(name),
        )
        .await
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Components in the account and region, optionally only those of an environment, a \
                service or a service instance. Proton never returns a component's manifest: generated \
                configuration leaves it for you to fill in before importing.",
            filters: vec![
                attributes::resource_name("environment_name")
                    .optional()
                    .describe("Only components in this environment."),
                attributes::resource_name("service_name")
                    .optional()
                    .describe("Only components attached to instances of this service."),
                attributes::resource_name("service_instance_name")
                    .optional()
                    .describe(
                        "Only components attached to this service instance (with `service_name`).",
                    ),
            ],
        })
    }

    async fn list(&self, ctx: &Ctx, filter: &Value) -> Result<Vec<Model>, Error> {
        #[derive(Default, Deserialize, serde::Serialize)]
        struct Filter {
            environment_name: Option<String>,
            service_name: Option<String>,
            service_instance_name: Option<String>,
        }
        let filter: Filter = list_filters::read(filter)?;
        Ok(ctx
            .api
            .list_components(ComponentFilter {
                environment_name: filter.environment_name.as_deref(),
                service_name: filter.service_name.as_deref(),
                service_instance_name: filter.service_instance_name.as_deref(),
            })
            .await?
            .iter()
            .map(|c| Model {
                name: c.name().to_string(),
                ..Model::default()
            })
            .collect())
    }
}
