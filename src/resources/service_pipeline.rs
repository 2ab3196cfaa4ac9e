//! `proton_service_pipeline`: the spec and template version of a service's pipeline.
//!
//! Proton creates the pipeline with its service (when the template has one) and deletes it with the
//! service; the API can only update it. So creating this resource takes over the existing pipeline and
//! destroying it leaves the pipeline to its service.

use serde::{Deserialize, Serialize};

use crate::aws::ServicePipelineUpdate;
use crate::aws::deployment_status::is_running;
use crate::aws::types::ServicePipeline as ApiPipeline;
use crate::engine::{Ctx, Error, Failure, PlanEdit, Resource, ResourceSpec};
use crate::tf::schema::{Attribute, Validator};
use crate::tf::{Diagnostics, Value};

use crate::shared::attributes;
use crate::shared::deployment::{self as deployment, Running, wait_deployed, wait_idle};
use crate::shared::service_part::Part;
use crate::shared::spec_check::{self, SpecDocument};

pub struct ServicePipeline;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub service_name: String,
    #[serde(flatten)]
    pub part: Part,
}

impl Model {
    fn reported(pipeline: ApiPipeline, known: &Model) -> Self {
        Self {
            service_name: known.service_name.clone(),
            part: Part::reported(&pipeline, &known.part),
        }
    }
}

fn no_pipeline(service: &str) -> Error {
    Error::Failed(format!(
        "service {service} has no pipeline: it does not exist, or its template has no pipeline"
    ))
}

async fn idle(ctx: &Ctx, service: &str) -> Result<ApiPipeline, Error> {
    let what = format!("the running deployment of the pipeline of service {service}");
    wait_idle(ctx, &what, || ctx.api.get_service_pipeline(service))
        .await?
        .ok_or_else(|| no_pipeline(service))
}

async fn converge(ctx: &Ctx, now: Running<'_>, planned: &Model) -> Result<Model, Failure<Model>> {
    let service = planned.service_name.as_str();
    let spec = planned
        .part
        .spec
        .as_deref()
        .ok_or_else(|| Error::Invalid("spec must be known to deploy a pipeline".to_string()))?;
    let plan = planned.part.deploy_onto(&now);
    if !plan.deploys() {
        return ctx
            .api
            .get_service_pipeline(service)
            .await?
            .map(|pipeline| Model::reported(pipeline, planned))
            .ok_or_else(|| no_pipeline(service).into());
    }
    spec_check::check_deploy(ctx, &now, &plan, SpecDocument::Pipeline, spec).await?;
    ctx.api
        .update_service_pipeline(ServicePipelineUpdate {
            service_name: service,
            deployment_type: plan.update_type,
            spec,
            template_major_version: plan.versions.major,
            template_minor_version: plan.versions.minor,
        })
        .await?;
    wait_deployed(
        ctx,
        &format!("deployment of the pipeline of service {service}"),
        planned.part.cancels_on_timeout(),
        || ctx.api.get_service_pipeline(service),
        || ctx.api.cancel_service_pipeline_deployment(service),
    )
    .await
    .map(|pipeline| Model::reported(pipeline, planned))
    .map_err(|unfinished| unfinished.failure(|pipeline| Model::reported(pipeline, planned)))
}

impl Resource for ServicePipeline {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_service_pipeline",
            description: "The CI/CD pipeline of an AWS Proton service: its spec and template version. \
                Proton creates a service's pipeline with the service (when the service template has one) \
                and deletes it with the service; its API can only update a pipeline. So this resource's \
                create takes over the existing pipeline (deploying the configured spec and version if \
                they differ), its updates deploy and wait, and destroying it changes nothing in Proton \
                (the pipeline stays with its service).",
            version: 0,
            attributes: [
                attributes::resource_name("service_name")
                    .required()
                    .requires_replace()
                    .describe("Name of the service whose pipeline this is."),
                Attribute::string("spec")
                    .required()
                    .yaml()
                    .validate(Validator::length(1, 51200))
                    .describe(
                        "The pipeline's spec (YAML; its inputs under `pipeline:`). Compared by meaning. \
                         Changing it redeploys the pipeline (`CURRENT_VERSION`). Plans check it against the \
                         template version's schema.",
                    ),
                attributes::version_part(deployment::TEMPLATE_MAJOR_VERSION)
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe(
                        "Major version of the service template for the pipeline (unset: as it is). \
                         Raising it deploys with a `MAJOR_VERSION` update.",
                    ),
                attributes::version_part(deployment::TEMPLATE_MINOR_VERSION)
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe(
                        "Minor version (unset: as it is, or the recommended one of a new major version). \
                         Changing it deploys with a `MINOR_VERSION` update.",
                    ),
                deployment::cancel_on_timeout(),
                attributes::arn("pipeline"),
                attributes::created_at("pipeline"),
                Attribute::string("template_name")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The service template (the service's)."),
            ]
            .into_iter()
            .chain(deployment::attributes("pipeline"))
            .collect(),
            blocks: vec![],
            identity: &["service_name"],
            tags: false,
            timeouts: deployment::TIMEOUTS_WITHOUT_DELETE,
            rules: vec![],
        }
    }

    fn modify_plan(&self, plan: &mut PlanEdit<'_>) {
        deployment::plan(plan, &deployment::SPEC_AND_VERSIONS);
    }

    async fn check_plan(&self, ctx: &Ctx, prior: &Value, config: &Value) -> Diagnostics {
        let Some(service) = config.get("service_name").and_then(Value::as_str) else {
            return deployment::refuse_lower_major(prior, config);
        };
        // On create: the pipeline the service made.
        let existing = async { ctx.api.get_service_pipeline(service).await.ok().flatten() };
        let no_owner = async { None };
        spec_check::check_plan_of_part(
            ctx,
            prior,
            config,
            SpecDocument::Pipeline,
            existing,
            no_owner,
        )
        .await
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let service = planned.service_name.as_str();
        let mut pipeline = ctx
            .api
            .get_service_pipeline(service)
            .await?
            .ok_or_else(|| no_pipeline(service))?;
        if is_running(pipeline.deployment_status()) {
            pipeline = idle(ctx, service).await?;
        }
        converge(ctx, Running::reported(&pipeline), &planned).await
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_service_pipeline(&current.service_name)
            .await?
            .map(|pipeline| Model::reported(pipeline, &current)))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let succeeded = deployment::succeeded_once_idle(&prior.part.deployment, || {
            idle(ctx, &planned.service_name)
        })
        .await?;
        converge(ctx, prior.part.running(succeeded), &planned).await
    }

    /// The pipeline lives as long as its service; Proton has no call to delete it.
    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        ctx.warn(
            "Service pipeline left in Proton",
            format!(
                "Proton has no API to delete a service pipeline: the pipeline of service {} is only \
                 removed from the state. It stays until the service is deleted.",
                current.service_name
            ),
        );
        Ok(())
    }
}
