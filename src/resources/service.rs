//! `proton_service`: a service from a service template version, with the instances its spec lists and,
//! when the template has one, a pipeline.

use serde::{Deserialize, Serialize};

use crate::aws::deployment_status::{self as phase, Phase};
use crate::aws::types::{Service as ApiService, ServiceStatus};
use crate::aws::{NewService, TemplateKind, timestamp};
use crate::engine::wait::{Poll, wait_for};
use crate::engine::{Ctx, Error, Failure, ListSpec, PlanEdit, Resource, ResourceSpec};
use crate::tf::schema::{Attribute, Validator};
use crate::tf::{AttributePath, Diagnostics, Value};

use crate::shared::attributes;
use crate::shared::spec_check;

pub struct Service;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub template_name: Option<String>,
    pub template_major_version: Option<String>,
    pub template_minor_version: Option<String>,
    pub spec: Option<String>,
    pub description: Option<String>,
    pub repository_connection_arn: Option<String>,
    pub repository_id: Option<String>,
    pub branch_name: Option<String>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    pub status: Option<String>,
    pub status_message: Option<String>,
}

const ACTIVE: &str = "ACTIVE";

impl Model {
    /// The service as Proton reports it. GetService does not say which template version the service
    /// was created with: that comes from `known`, or for an import from `versions`.
    fn reported(service: ApiService, known: &Model, versions: Option<(String, String)>) -> Self {
        let (major, minor) = match (&known.template_major_version, versions) {
            (Some(_), _) | (None, None) => (
                known.template_major_version.clone(),
                known.template_minor_version.clone(),
            ),
            (None, Some((major, minor))) => (Some(major), Some(minor)),
        };
        Self {
            name: service.name().to_string(),
            template_name: Some(service.template_name().to_string()),
            template_major_version: major,
            template_minor_version: minor,
            spec: Some(service.spec().to_string()),
            description: service
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            repository_connection_arn: service.repository_connection_arn().map(str::to_string),
            repository_id: service.repository_id().map(str::to_string),
            branch_name: service.branch_name().map(str::to_string),
            arn: Some(service.arn().to_string()),
            created_at: Some(timestamp(service.created_at())),
            last_modified_at: Some(timestamp(service.last_modified_at())),
            status: Some(service.status().as_str().to_string()),
            status_message: service
                .status_message()
                .filter(|m| !m.is_empty())
                .map(str::to_string),
        }
    }
}

spec_check::template_spec!(Model, Service);

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, Error> {
    value
        .as_deref()
        .ok_or_else(|| Error::Invalid(format!("{name} must be known to create a service")))
}

/// The settings a Proton-provided pipeline builds from.
const REPOSITORY_FIELDS: [&str; 3] = ["repository_connection_arn", "repository_id", "branch_name"];

/// Most instances Proton allows in one service.
const MAX_INSTANCES: usize = 20;

/// What is wrong with the repository settings for a service of `template`: with a pipeline (no
/// `pipeline_provisioning`) all three are needed; without one (`CUSTOMER_MANAGED`) none is taken.
fn repository_problems(
    template: &str,
    has_pipeline: bool,
    is_set: impl Fn(&str) -> bool,
) -> Vec<(&'static str, String)> {
    REPOSITORY_FIELDS
        .into_iter()
        .filter(|field| is_set(field) != has_pipeline)
        .map(|field| {
            let why = if has_pipeline {
                format!(
                    "`{field}` is required: service template {template} provides a pipeline \
                     (it has no `pipeline_provisioning`), which builds from this repository."
                )
            } else {
                format!(
                    "`{field}` can't be set: service template {template} has \
                     `pipeline_provisioning = \"CUSTOMER_MANAGED\"`, so its services get no Proton \
                     pipeline."
                )
            };
            (field, why)
        })
        .collect()
}

/// The number of instances a spec lists, when it is YAML with an `instances` list (or none).
fn instance_count(spec: &str) -> Option<usize> {
    let docs = yaml_rust2::YamlLoader::load_from_str(spec).ok()?;
    match docs.first().map(|d| &d["instances"]) {
        Some(yaml_rust2::Yaml::Array(list)) => Some(list.len()),
        None | Some(yaml_rust2::Yaml::BadValue | yaml_rust2::Yaml::Null) => Some(0),
        Some(_) => None,
    }
}

/// M CreateServiceInput.spec: a service whose template provides no pipeline takes no `pipeline:`
/// section (an empty one included, as Proton reads it).
fn pipeline_inputs_problem(template: &str, has_pipeline: bool, spec: &str) -> Option<String> {
    let docs = yaml_rust2::YamlLoader::load_from_str(spec).ok()?;
    let present = docs
        .first()
        .is_some_and(|d| !matches!(d["pipeline"], yaml_rust2::Yaml::BadValue));
    (present && !has_pipeline).then(|| {
        format!(
            "The spec has a `pipeline:` section, but service template {template} has \
             `pipeline_provisioning = \"CUSTOMER_MANAGED\"`: its services get no Proton pipeline, \
             so the spec takes no pipeline inputs."
        )
    })
}

/// Refuses repository settings (and `pipeline:` inputs) the service's template does not match,
/// before CreateService (for plans that could not read the template).
async fn check_repository_settings(ctx: &Ctx, planned: &Model) -> Result<(), Error> {
    let template = required(&planned.template_name, "template_name")?;
    let Some(found) = ctx
        .api
        .get_template(TemplateKind::Service, template)
        .await?
    else {
        return Ok(());
    };
    let set = |field: &str| match field {
        "repository_connection_arn" => planned.repository_connection_arn.is_some(),
        "repository_id" => planned.repository_id.is_some(),
        _ => planned.branch_name.is_some(),
    };
    let has_pipeline = found.provisioning.is_none();
    let problems: Vec<String> = repository_problems(template, has_pipeline, set)
        .into_iter()
        .map(|(_, why)| why)
        .chain(
            planned
                .spec
                .as_deref()
                .and_then(|spec| pipeline_inputs_problem(template, has_pipeline, spec)),
        )
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error::Invalid(problems.join(" ")))
}

/// The plan-time check of the repository settings and the spec's `pipeline:` section against the
/// template (see `repository_problems`, `pipeline_inputs_problem`).
async fn check_planned_repository(ctx: &Ctx, prior: &Value, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let watched = ["template_name"].into_iter().chain(REPOSITORY_FIELDS);
    let unchanged = !prior.is_null() && watched.clone().all(|n| config.get(n) == prior.get(n));
    let unknown = watched
        .clone()
        .any(|n| config.get(n).is_some_and(Value::is_unknown));
    let spec_changed = ["template_name", "spec"]
        .into_iter()
        .any(|n| config.get(n) != prior.get(n));
    let spec = config
        .get("spec")
        .and_then(Value::as_str)
        .filter(|_| spec_changed);
    if (unchanged || unknown) && spec.is_none() {
        return diags;
    }
    let Some(template) = config.get("template_name").and_then(Value::as_str) else {
        return diags;
    };
    // A template Proton does not hold yet (created in the same apply) is checked at apply.
    let Ok(Some(found)) = ctx.api.get_template(TemplateKind::Service, template).await else {
        return diags;
    };
    let set = |field: &str| config.get(field).is_some_and(|v| !v.is_null());
    let has_pipeline = found.provisioning.is_none();
    if !(unchanged || unknown) {
        for (field, why) in repository_problems(template, has_pipeline, set) {
            diags.attribute_error(
                AttributePath::attribute(field),
                "Repository settings don't match the service template",
                why,
            );
        }
    }
    if let Some(why) = spec.and_then(|spec| pipeline_inputs_problem(template, has_pipeline, spec)) {
        diags.attribute_error(
            AttributePath::attribute("spec"),
            "Pipeline inputs for a service without a pipeline",
            why,
        );
    }
    diags
}

fn ended(what: &str, service: &ApiService) -> String {
    let status = service.status().as_str();
    match service.status_message().filter(|m| !m.is_empty()) {
        Some(message) => format!("{what} ended {status}: {message}"),
        None => format!("{what} ended {status}"),
    }
}

/// Waits until the service is ACTIVE (its instances and pipeline deployed). A failure comes back with
/// the service as it then is.
async fn wait_active(ctx: &Ctx, name: &str, known: &Model) -> Result<Model, Failure<Model>> {
    let what = format!("service {name}");
    let last = std::sync::Mutex::new(None);
    let outcome = wait_for(ctx, &what, || async {
        let Some(service) = ctx.api.get_service(name).await? else {
            return Ok(Poll::Done(None));
        };
        if phase::service(service.status()) == Phase::Working {
            let status = service.status().as_str().to_string();
            if let Ok(mut slot) = last.lock() {
                *slot = Some(service);
            }
            return Ok(Poll::Pending(status));
        }
        Ok(Poll::Done(Some(service)))
    })
    .await;
    let reported = |service: ApiService| Model::reported(service, known, None);
    match outcome {
        Ok(Some(service)) if phase::service(service.status()) == Phase::Succeeded => {
            Ok(reported(service))
        }
        Ok(Some(service)) => Err(Failure::with_state(
            Error::Failed(ended(&what, &service)),
            reported(service),
        )),
        Ok(None) => Err(Error::Failed(format!("{what} disappeared while deploying")).into()),
        Err(error) => Err(Failure {
            error,
            state: last.into_inner().ok().flatten().map(reported),
        }),
    }
}

/// The template version of an imported service: its lowest deployed version (pipeline or instance),
/// as versions only ever go up from the one the service was created with.
async fn deployed_version(
    ctx: &Ctx,
    service: &ApiService,
) -> Result<Option<(String, String)>, Error> {
    let mut versions: Vec<(String, String)> = ctx
        .api
        .list_service_instances(service.name())
        .await?
        .iter()
        .map(|i| {
            (
                i.template_major_version().to_string(),
                i.template_minor_version().to_string(),
            )
        })
        .collect();
    if let Some(pipeline) = service.pipeline() {
        versions.push((
            pipeline.template_major_version().to_string(),
            pipeline.template_minor_version().to_string(),
        ));
    }
    let number = |part: &str| part.parse::<u64>().unwrap_or(u64::MAX);
    Ok(versions
        .into_iter()
        .min_by_key(|(major, minor)| (number(major), number(minor))))
}

impl Resource for Service {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_service",
            description: "An AWS Proton service: an application deployed from a service template version \
                as service instances (listed in its spec, one per environment) and, when the template has \
                one, a CI/CD pipeline. Create and update wait until the service is `ACTIVE`.\n\n\
                Instances can be declared two ways: in this resource's `spec` (`instances:`), or with \
                `proton_service_instance`. Proton deletes instances that an updated `spec` no longer \
                lists, including ones created by `proton_service_instance`; list every instance in the \
                spec and use `proton_service_instance` to manage an instance's own spec and version. \
                Changing the spec of an instance that already exists here does not redeploy it: use \
                `proton_service_instance` for that.\n\n\
                A service has 1 to 20 instances. Its template decides whether it has a pipeline: a \
                template without `pipeline_provisioning` provides one, and the service then needs \
                `repository_connection_arn`, `repository_id` and `branch_name`; a template with \
                `pipeline_provisioning = \"CUSTOMER_MANAGED\"` provides none, and the service takes no \
                repository settings. Plans check this when the template already exists, applies before \
                creating. A pipeline also needs the account's pipeline settings \
                (`proton_account_settings`): `pipeline_service_role_arn` (or \
                `pipeline_codebuild_role_arn`), or `pipeline_provisioning_repository` when the service's \
                environments use self-managed provisioning.",
            version: 0,
            attributes: vec![
                attributes::resource_name("name")
                    .required()
                    .requires_replace()
                    .describe("Name of the service."),
                attributes::resource_name("template_name")
                    .required()
                    .requires_replace()
                    .describe("Name of the service template."),
                attributes::version_part("template_major_version")
                    .required()
                    .requires_replace()
                    .describe(
                        "Major version of the service template the service is created with. Proton \
                         cannot change it afterwards: a new value replaces the service. Upgrade running \
                         instances and the pipeline with `proton_service_instance` and \
                         `proton_service_pipeline`.",
                    ),
                attributes::version_part("template_minor_version")
                    .optional_computed()
                    .use_state_for_unknown()
                    .requires_replace()
                    .describe(
                        "Minor version the service is created with (unset: the recommended one). A new \
                         value replaces the service.",
                    ),
                Attribute::string("spec")
                    .required()
                    .yaml()
                    .validate(Validator::length(1, 51200))
                    .describe(
                        "The service's spec (YAML): `instances:` (1 to 20, each with a `name`, an \
                         `environment` and its `spec:` inputs) and, for templates that provide a pipeline, \
                         `pipeline:` inputs (refused for a template with `pipeline_provisioning = \
                         \"CUSTOMER_MANAGED\"`). Compared by meaning. An update adds the instances it newly \
                         lists and deletes those it no longer lists. Plans check the pipeline's and \
                         every instance's inputs against the template version's schema.",
                    ),
                attributes::description()
                    .optional()
                    .describe("Description of the service."),
                Attribute::string("repository_connection_arn")
                    .optional()
                    .requires_replace()
                    .validate(Validator::Arn)
                    .describe(
                        "CodeStar connection ARN of the source repository. Required when the template \
                         provides a pipeline (no `pipeline_provisioning`); refused otherwise.",
                    ),
                Attribute::string("repository_id")
                    .optional()
                    .requires_replace()
                    .validate(Validator::length(1, 200))
                    .describe(
                        "The source repository, as `owner/name`. Required when the template provides a \
                         pipeline; refused otherwise.",
                    ),
                attributes::branch("branch_name")
                    .optional()
                    .requires_replace()
                    .describe(
                        "Branch of the source repository. Required when the template provides a \
                         pipeline; refused otherwise.",
                    ),
                attributes::arn("service"),
                attributes::created_at("service"),
                attributes::last_modified_at("service"),
                Attribute::string("status")
                    .computed()
                    .use_state_for_unknown()
                    .describe(
                        "`ACTIVE` after a successful apply; a failure status (`CREATE_FAILED`, \
                         `UPDATE_FAILED`, ...) when the last apply failed, and the next plan updates the \
                         service again.",
                    ),
                Attribute::string("status_message")
                    .computed()
                    .use_state_for_unknown()
                    .describe("Why the service's last change failed, if it did."),
            ],
            blocks: vec![],
            identity: &["name"],
            tags: true,
            timeouts: crate::shared::deployment::TIMEOUTS,
            rules: vec![],
        }
    }

    fn modify_plan(&self, plan: &mut PlanEdit<'_>) {
        if plan.creating() {
            return;
        }
        let unsettled = plan.prior("status").as_str().is_some_and(|s| s != ACTIVE);
        if unsettled || plan.changes("spec") {
            plan.set_unknown("status");
            plan.set_unknown("status_message");
        }
    }

    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        let Some(count) = config
            .get("spec")
            .and_then(Value::as_str)
            .and_then(instance_count)
        else {
            return;
        };
        if count == 0 || count > MAX_INSTANCES {
            diags.attribute_error(
                AttributePath::attribute("spec"),
                "Invalid number of service instances",
                format!(
                    "A service has 1 to {MAX_INSTANCES} instances (listed under `instances:`); this \
                     spec lists {count}."
                ),
            );
        }
    }

    async fn check_plan(&self, ctx: &Ctx, prior: &Value, config: &Value) -> Diagnostics {
        let mut diags = check_planned_repository(ctx, prior, config).await;
        diags.extend(spec_check::check_plan::<Model>(ctx, prior, config).await);
        diags
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        check_repository_settings(ctx, &planned).await?;
        spec_check::check_model(ctx, &planned, None).await?;
        let created = ctx
            .api
            .create_service(NewService {
                name: &planned.name,
                template_name: required(&planned.template_name, "template_name")?,
                template_major_version: required(
                    &planned.template_major_version,
                    "template_major_version",
                )?,
                template_minor_version: planned.template_minor_version.as_deref(),
                description: planned.description.as_deref(),
                spec: required(&planned.spec, "spec")?,
                repository_connection_arn: planned.repository_connection_arn.as_deref(),
                repository_id: planned.repository_id.as_deref(),
                branch_name: planned.branch_name.as_deref(),
                tags: &ctx.tags,
            })
            .await?;
        let mut known = planned;
        if known.template_minor_version.is_none() {
            // Proton chose the recommended minor version; the first deployed part says which.
            known.template_minor_version = deployed_version(ctx, &created)
                .await?
                .map(|(_, minor)| minor);
        }
        wait_active(ctx, &known.name.clone(), &known).await
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        let Some(service) = ctx.api.get_service(&current.name).await? else {
            return Ok(None);
        };
        let versions = if current.template_major_version.is_none() {
            deployed_version(ctx, &service).await?
        } else {
            None
        };
        Ok(Some(Model::reported(service, &current, versions)))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let name = planned.name.as_str();
        let settled = prior.status.as_deref().is_none_or(|s| s == ACTIVE);
        let spec = planned
            .spec
            .as_deref()
            .filter(|_| planned.spec != prior.spec || !settled);
        let description = (planned.description != prior.description)
            .then(|| planned.description.as_deref().unwrap_or_default());
        if spec.is_none() && description.is_none() {
            return match ctx.api.get_service(name).await? {
                Some(service) => Ok(Model::reported(service, &planned, None)),
                None => Err(Error::Failed(format!("service {name} no longer exists")).into()),
            };
        }
        if spec.is_some() {
            spec_check::check_model(ctx, &planned, Some(&prior)).await?;
        }
        let updated = ctx.api.update_service(name, description, spec).await?;
        if phase::service(updated.status()) == Phase::Succeeded {
            return Ok(Model::reported(updated, &planned, None));
        }
        wait_active(ctx, name, &planned).await
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        let name = current.name.as_str();
        // A service still creating or updating refuses the delete: let it finish first.
        let settled = wait_for(
            ctx,
            &format!("service {name} to finish its change"),
            || async {
                Ok(match ctx.api.get_service(name).await? {
                    None => Poll::Done(false),
                    Some(service) if service_busy(&service) => {
                        Poll::Pending(service.status().as_str().to_string())
                    }
                    Some(_) => Poll::Done(true),
                })
            },
        )
        .await?;
        if !settled {
            return Ok(());
        }
        ctx.api.delete_service(name).await?;
        wait_for(ctx, &format!("deletion of service {name}"), || async {
            let Some(service) = ctx.api.get_service(name).await? else {
                return Ok(Poll::Done(()));
            };
            Ok(match phase::service_deletion(service.status()) {
                Phase::Failed => {
                    Poll::Failed(ended(&format!("deletion of service {name}"), &service))
                }
                _ => Poll::Pending(service.status().as_str().to_string()),
            })
        })
        .await
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Every service in the account and region.",
            filters: vec![],
        })
    }

    async fn list(&self, ctx: &Ctx, _filter: &Value) -> Result<Vec<Model>, Error> {
        Ok(ctx
            .api
            .list_services()
            .await?
            .iter()
            .map(|s| Model {
                name: s.name().to_string(),
                ..Model::default()
            })
            .collect())
    }
}

/// Whether the service, or one of its instances or its pipeline, is still deploying.
fn service_busy(service: &ApiService) -> bool {
    (phase::service_is_busy(service.status())
        && service.status() != &ServiceStatus::DeleteInProgress)
        || service
            .pipeline()
            .is_some_and(|p| phase::is_running(p.deployment_status()))
}
