//! `proton_service_instance`: one instance of a service, its spec and template version.
//!
//! Proton has no call that deletes an instance: it goes when the service's spec stops listing it (or
//! with the service). So creating this resource adopts an instance the service's spec already made,
//! or calls CreateServiceInstance; destroying it leaves the instance as it is.

use serde::{Deserialize, Serialize};

use crate::aws::deployment_status::is_running;
use crate::aws::types::ServiceInstance as ApiInstance;
use crate::aws::{InstanceFilter, NewServiceInstance, ServiceInstanceUpdate, TemplateKind};
use crate::engine::{Ctx, Error, Failure, ListSpec, PlanEdit, Resource, ResourceSpec};
use crate::tf::schema::{Attribute, Validator};
use crate::tf::{Diagnostics, Value};

use crate::shared::attributes;
use crate::shared::deployment::{self as deployment, Running, wait_deployed, wait_idle};
use crate::shared::list_filters;
use crate::shared::service_part::Part;
use crate::shared::spec_check::{self, SpecDocument};

pub struct ServiceInstance;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub service_name: String,
    pub name: String,
    pub environment_name: Option<String>,
    #[serde(flatten)]
    pub part: Part,
}

impl Model {
    fn reported(instance: ApiInstance, known: &Model) -> Self {
        Self {
            service_name: instance.service_name().to_string(),
            name: instance.name().to_string(),
            environment_name: Some(instance.environment_name().to_string()),
            part: Part::reported(&instance, &known.part),
        }
    }
}

async fn wait(ctx: &Ctx, known: &Model) -> Result<Model, Failure<Model>> {
    let (service, name) = (known.service_name.as_str(), known.name.as_str());
    let what = format!("deployment of service instance {service}/{name}");
    wait_deployed(
        ctx,
        &what,
        known.part.cancels_on_timeout(),
        || ctx.api.get_service_instance(service, name),
        || ctx.api.cancel_service_instance_deployment(service, name),
    )
    .await
    .map(|instance| Model::reported(instance, known))
    .map_err(|unfinished| unfinished.failure(|instance| Model::reported(instance, known)))
}

fn no_longer_exists(service: &str, name: &str) -> Error {
    Error::Failed(format!(
        "service instance {service}/{name} no longer exists"
    ))
}

/// Deploys `planned` onto an instance running `now`, if anything differs.
async fn converge(ctx: &Ctx, now: Running<'_>, planned: &Model) -> Result<Model, Failure<Model>> {
    let (service, name) = (planned.service_name.as_str(), planned.name.as_str());
    let plan = planned.part.deploy_onto(&now);
    if !plan.deploys() {
        return ctx
            .api
            .get_service_instance(service, name)
            .await?
            .map(|instance| Model::reported(instance, planned))
            .ok_or_else(|| no_longer_exists(service, name).into());
    }
    if let Some(spec) = planned.part.spec.as_deref() {
        spec_check::check_deploy(ctx, &now, &plan, SpecDocument::Instance(name), spec).await?;
    }
    ctx.api
        .update_service_instance(ServiceInstanceUpdate {
            service_name: service,
            name,
            deployment_type: plan.update_type,
            spec: planned.part.spec.as_deref(),
            template_major_version: plan.versions.major,
            template_minor_version: plan.versions.minor,
        })
        .await?;
    wait(ctx, planned).await
}

/// Waits out a deployment already running on the instance; the instance as it then is.
async fn idle(ctx: &Ctx, service: &str, name: &str) -> Result<ApiInstance, Error> {
    let what = format!("the running deployment of service instance {service}/{name}");
    wait_idle(ctx, &what, || ctx.api.get_service_instance(service, name))
        .await?
        .ok_or_else(|| no_longer_exists(service, name))
}

impl Resource for ServiceInstance {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_service_instance",
            description: "One instance of an AWS Proton service: its spec and the template version it runs, \
                deployed into one environment. Create and update wait for the deployment to succeed.\n\n\
                There are two ways to declare instances. (1) List them in `proton_service.spec` \
                (`instances:` with `name` and `environment`): Proton creates them with the service, and \
                this resource, if you declare one for such an instance, adopts it and manages its spec and \
                version. (2) Declare only this resource: it calls CreateServiceInstance, whose `spec` \
                must list the instance under `instances:` with its environment. Proton has no API to \
                delete a single instance: destroying this resource leaves the instance running (it goes \
                when the service's spec drops it, or with the service), and Proton deletes instances an \
                updated service spec does not list, so with way (2) keep the instance in the service's \
                spec too.",
            version: 0,
            attributes: [
                attributes::resource_name("service_name")
                    .required()
                    .requires_replace()
                    .describe("Name of the service."),
                attributes::resource_name("name")
                    .required()
                    .requires_replace()
                    .describe("Name of the instance."),
                Attribute::string("spec")
                    .required()
                    .yaml()
                    .validate(Validator::length(1, 51200))
                    .describe(
                        "The instance's spec (YAML), with the instance under `instances:` (its `name`, \
                         `environment` and `spec:` inputs). Compared by meaning. Changing it redeploys \
                         the instance (`CURRENT_VERSION`). Plans check it against the template \
                         version's schema.",
                    ),
                attributes::version_part(deployment::TEMPLATE_MAJOR_VERSION)
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe(
                        "Major version of the service template (unset: the service's). Raising it deploys \
                         with a `MAJOR_VERSION` update.",
                    ),
                attributes::version_part(deployment::TEMPLATE_MINOR_VERSION)
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe(
                        "Minor version of the service template (unset: as it is, or the recommended one \
                         of a new major version). Changing it deploys with a `MINOR_VERSION` update.",
                    ),
                deployment::cancel_on_timeout(),
                attributes::arn("service instance"),
                attributes::created_at("service instance"),
                Attribute::string("environment_name")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The environment the instance is deployed into (from its spec)."),
                Attribute::string("template_name")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The service template (the service's)."),
            ]
            .into_iter()
            .chain(deployment::attributes("service instance"))
            .collect(),
            blocks: vec![],
            identity: &["service_name", "name"],
            tags: true,
            timeouts: deployment::TIMEOUTS_WITHOUT_DELETE,
            rules: vec![],
        }
    }

    fn modify_plan(&self, plan: &mut PlanEdit<'_>) {
        deployment::plan(plan, &deployment::SPEC_AND_VERSIONS);
    }

    async fn check_plan(&self, ctx: &Ctx, prior: &Value, config: &Value) -> Diagnostics {
        let (Some(service), Some(name)) = (
            config.get("service_name").and_then(Value::as_str),
            config.get("name").and_then(Value::as_str),
        ) else {
            return deployment::refuse_lower_major(prior, config);
        };
        // On create: the instance the service's spec made, or for a new one the service's template.
        let existing = async {
            let found = ctx.api.get_service_instance(service, name).await;
            found.ok().flatten()
        };
        let owner = async {
            let found = ctx.api.get_service(service).await.ok().flatten();
            found.map(|s| s.template_name().to_string())
        };
        let document = SpecDocument::Instance(name);
        spec_check::check_plan_of_part(ctx, prior, config, document, existing, owner).await
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let (service, name) = (planned.service_name.as_str(), planned.name.as_str());
        if let Some(existing) = ctx.api.get_service_instance(service, name).await? {
            // Made by the service's spec: adopt it, with this resource's tags.
            own_tags_only(ctx, existing.arn()).await?;
            let existing = if is_running(existing.deployment_status()) {
                idle(ctx, service, name).await?
            } else {
                existing
            };
            return converge(ctx, Running::reported(&existing), &planned).await;
        }
        let spec = planned.part.spec.as_deref().ok_or_else(|| {
            Error::Invalid("spec must be known to create a service instance".to_string())
        })?;
        // Without a configured version there is none to check against (Proton picks it).
        if planned.part.template_major_version.is_some() {
            let owner = ctx.api.get_service(service).await?;
            spec_check::check_apply(
                ctx,
                TemplateKind::Service,
                SpecDocument::Instance(name),
                owner.as_ref().map(|s| s.template_name()),
                None,
                spec_check::Deployed {
                    spec: Some(spec),
                    major: planned.part.template_major_version.as_deref(),
                    minor: planned.part.template_minor_version.as_deref(),
                },
            )
            .await?;
        }
        let created = ctx
            .api
            .create_service_instance(NewServiceInstance {
                service_name: service,
                name,
                spec,
                template_major_version: planned.part.template_major_version.as_deref(),
                template_minor_version: planned.part.template_minor_version.as_deref(),
                tags: &ctx.tags,
                client_token: &ctx.client_token,
            })
            .await?;
        // Proton starts an instance with its service's customer tags as well; this resource's
        // tags are the instance's, as planned.
        own_tags_only(ctx, created.arn()).await?;
        deployment::succeeded_or_wait(
            created,
            |instance| Model::reported(instance, &planned),
            wait(ctx, &planned),
        )
        .await
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_service_instance(&current.service_name, &current.name)
            .await?
            .map(|instance| Model::reported(instance, &current)))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let (service, name) = (planned.service_name.as_str(), planned.name.as_str());
        let succeeded =
            deployment::succeeded_once_idle(&prior.part.deployment, || idle(ctx, service, name))
                .await?;
        converge(ctx, prior.part.running(succeeded), &planned).await
    }

    /// Proton cannot delete one instance: it stays until the service's spec drops it.
    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        ctx.warn(
            "Service instance left in Proton",
            format!(
                "Proton has no API to delete a service instance: {} of service {} is only removed from \
                 the state. It stays until the service's spec no longer lists it or the service is \
                 deleted.",
                current.name, current.service_name
            ),
        );
        Ok(())
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Service instances in the account and region: of every service or of one, optionally \
                narrowed by ListServiceInstances filters (the same key given twice matches either value).",
            filters: vec![
                attributes::resource_name("service_name")
                    .optional()
                    .describe("Only instances of this service."),
                list_filters::service_instance_filters("ListServiceInstances filters."),
            ],
        })
    }

    async fn list(&self, ctx: &Ctx, filter: &Value) -> Result<Vec<Model>, Error> {
        #[derive(Default, Deserialize, serde::Serialize)]
        struct KeyValue {
            key: String,
            value: String,
        }
        #[derive(Default, Deserialize, serde::Serialize)]
        struct Filter {
            service_name: Option<String>,
            filters: Option<Vec<KeyValue>>,
        }
        let filter: Filter = list_filters::read(filter)?;
        let filters: Vec<InstanceFilter<'_>> = filter
            .filters
            .iter()
            .flatten()
            .map(|f| InstanceFilter {
                key: &f.key,
                value: &f.value,
            })
            .collect();
        Ok(ctx
            .api
            .list_service_instances_matching(filter.service_name.as_deref(), &filters)
            .await?
            .iter()
            .map(|i| Model {
                service_name: i.service_name().to_string(),
                name: i.name().to_string(),
                ..Model::default()
            })
            .collect())
    }
}

/// Leaves the instance at `arn` with this resource's tags only (`ctx.tags`): those it inherited
/// from its service, or that an adopted instance had, go.
async fn own_tags_only(ctx: &Ctx, arn: &str) -> Result<(), Error> {
    let found = ctx.api.list_tags(arn).await?;
    if found != ctx.tags {
        let remove: Vec<String> = found
            .keys()
            .filter(|key| !ctx.tags.contains_key(*key))
            .cloned()
            .collect();
        ctx.api.update_tags(arn, &ctx.tags, &remove).await?;
    }
    Ok(())
}
