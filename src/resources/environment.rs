//! `proton_environment`: shared infrastructure deployed from an environment template version.

use serde::{Deserialize, Serialize};

use crate::aws::types::Environment as ApiEnvironment;
use crate::aws::{EnvironmentUpdate, NewEnvironment, RepositoryBranch, TemplateMajor, timestamp};
use crate::engine::{ConfigRule, Ctx, Error, Failure, ListSpec, PlanEdit, Resource, ResourceSpec};
use crate::tf::schema::{Attribute, Nesting, Validator};
use crate::tf::{AttributePath, Diagnostics, Value};

use crate::shared::attributes;
use crate::shared::changed_value;
use crate::shared::deployment::{
    self as deployment, DeploymentFields, Versions, wait_deployed, wait_idle,
};
use crate::shared::list_filters;
use crate::shared::repository_branch::Repository;
use crate::shared::spec_check;

pub struct Environment;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub template_name: Option<String>,
    pub template_major_version: Option<String>,
    pub template_minor_version: Option<String>,
    pub spec: Option<String>,
    pub description: Option<String>,
    pub proton_service_role_arn: Option<String>,
    pub environment_account_connection_id: Option<String>,
    pub codebuild_role_arn: Option<String>,
    pub component_role_arn: Option<String>,
    pub provisioning_repository: Option<Repository>,
    pub cancel_on_timeout: Option<bool>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub provisioning: Option<String>,
    pub environment_account_id: Option<String>,
    #[serde(flatten)]
    pub deployment: DeploymentFields,
    pub deployment_type: Option<String>,
}

/// Changing one of these deploys the environment again (same template version).
const DEPLOYED_INPUTS: &[&str] = &[
    "spec",
    "proton_service_role_arn",
    "environment_account_connection_id",
    "provisioning_repository",
];

impl Model {
    /// The environment as Proton reports it, with what only Terraform knows taken from `known`.
    fn reported(environment: ApiEnvironment, known: &Model) -> Self {
        Self {
            name: environment.name().to_string(),
            template_name: Some(environment.template_name().to_string()),
            template_major_version: Some(environment.template_major_version().to_string()),
            template_minor_version: Some(environment.template_minor_version().to_string()),
            spec: environment.spec().map(str::to_string),
            // Proton stores a cleared description as "".
            description: environment
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            proton_service_role_arn: environment.proton_service_role_arn().map(str::to_string),
            environment_account_connection_id: environment
                .environment_account_connection_id()
                .map(str::to_string),
            codebuild_role_arn: environment.codebuild_role_arn().map(str::to_string),
            component_role_arn: environment.component_role_arn().map(str::to_string),
            provisioning_repository: environment.provisioning_repository().map(Repository::from),
            cancel_on_timeout: Some(known.cancel_on_timeout.unwrap_or(false)),
            arn: Some(environment.arn().to_string()),
            created_at: Some(timestamp(environment.created_at())),
            provisioning: environment.provisioning().map(|p| p.as_str().to_string()),
            environment_account_id: environment.environment_account_id().map(str::to_string),
            deployment: deployment::Deployed::fields(&environment),
            // Proton does not report it: the last plan set it.
            deployment_type: known.deployment_type.clone(),
        }
    }

    fn versions(&self) -> Versions<'_> {
        Versions {
            major: self.template_major_version.as_deref(),
            minor: self.template_minor_version.as_deref(),
        }
    }

    fn repository(&self) -> Option<RepositoryBranch<'_>> {
        self.provisioning_repository
            .as_ref()
            .map(Repository::to_send)
    }
}

spec_check::template_spec!(Model, Environment);

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, Error> {
    value
        .as_deref()
        .ok_or_else(|| Error::Invalid(format!("{name} must be known to create an environment")))
}

/// A failed wait as the engine wants it: the environment, if it exists, goes to state.
async fn wait(ctx: &Ctx, name: &str, known: &Model) -> Result<Model, Failure<Model>> {
    let what = format!("deployment of environment {name}");
    wait_deployed(
        ctx,
        &what,
        known.cancel_on_timeout.unwrap_or(false),
        || ctx.api.get_environment(name),
        || ctx.api.cancel_environment_deployment(name),
    )
    .await
    .map(|environment| Model::reported(environment, known))
    .map_err(|unfinished| unfinished.failure(|environment| Model::reported(environment, known)))
}

/// UG ag-env-update: Proton doesn't switch an environment between a role and a connection.
fn refuse_method_switch(prior: &Value, config: &Value) -> Diagnostics {
    const ROLE: &str = "proton_service_role_arn";
    const CONNECTION: &str = "environment_account_connection_id";
    let mut diags = Diagnostics::new();
    let set = |object: &Value, name: &str| object.get(name).is_some_and(|v| !v.is_null());
    for (from, to) in [(ROLE, CONNECTION), (CONNECTION, ROLE)] {
        if set(prior, from) && set(config, to) && !set(prior, to) {
            diags.attribute_error(
                AttributePath::attribute(to),
                "Provisioning can't switch",
                format!(
                    "The environment is provisioned with `{from}`; Proton doesn't switch it to \
                     `{to}`. Replace the environment (`terraform apply -replace`) to change how it is \
                     provisioned."
                ),
            );
        }
    }
    diags
}

impl Resource for Environment {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_environment",
            description: "An AWS Proton environment: shared infrastructure (networks, clusters, roles) deployed \
                from a published environment template version, that service instances are deployed into. \
                Create and update wait for the deployment to succeed; a failed deployment fails the apply \
                and is deployed again by the next one.\n\n\
                The environment's inputs choose how Proton provisions it and its service instances: \
                `proton_service_role_arn` or `environment_account_connection_id` (AWS-managed, \
                CloudFormation), `codebuild_role_arn` alone (CodeBuild), or `provisioning_repository` \
                with none of those (self-managed: Proton opens pull requests in that repository and \
                waits for `proton_notify_resource_deployment_status_change`). Plans refuse a \
                configuration with no method or with a repository and a role together. From a template \
                with `provisioning = \"CUSTOMER_MANAGED\"` the infrastructure already exists outside \
                Proton: give a role and a `spec` holding its outputs; nothing is provisioned.",
            version: 0,
            attributes: vec![
                attributes::resource_name("name")
                    .required()
                    .requires_replace()
                    .describe("Name of the environment."),
                attributes::resource_name("template_name")
                    .required()
                    .requires_replace()
                    .describe("Name of the environment template the environment is deployed from."),
                attributes::version_part(deployment::TEMPLATE_MAJOR_VERSION)
                    .required()
                    .describe(
                        "Major version of the template. Raising it deploys the environment with a \
                         `MAJOR_VERSION` update; Proton cannot go back to a lower major version.",
                    ),
                attributes::version_part(deployment::TEMPLATE_MINOR_VERSION)
                    .optional_computed()
                    .use_state_for_unknown()
                    .describe(
                        "Minor version of the template. Unset: the recommended minor version when the \
                         environment is created or moves to a new major version. Changing it deploys with \
                         a `MINOR_VERSION` update.",
                    ),
                Attribute::string("spec")
                    .required()
                    .yaml()
                    .validate(Validator::length(1, 51200))
                    .describe(
                        "The environment's spec: a YAML document with the template's input values. \
                         Compared by meaning (formatting, key order and comments are not changes). \
                         Changing it redeploys the environment (`CURRENT_VERSION`). Plans check it \
                         against the template version's schema.",
                    ),
                attributes::description()
                    .optional()
                    .describe("Description of the environment. Changing it does not deploy."),
                Attribute::string("proton_service_role_arn")
                    .optional()
                    .validate(Validator::length(1, 200))
                    .validate(Validator::Arn)
                    .describe(
                        "IAM role Proton uses to provision the environment in this account (AWS-managed \
                         provisioning). Conflicts with `environment_account_connection_id`. Proton neither \
                         removes it nor switches the environment to a connection (refused at plan): both \
                         take a replacement. Changing it redeploys the environment.",
                    ),
                Attribute::string("environment_account_connection_id")
                    .optional()
                    .validate(Validator::pattern(
                        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                        "must be an environment account connection ID (a lowercase UUID)",
                    ))
                    .describe(
                        "ID of an accepted environment account connection: the environment is provisioned \
                         in that connection's environment account. Conflicts with \
                         `proton_service_role_arn`. Changing it redeploys the environment; a new connection \
                         must come from the same environment account, and Proton doesn't switch an \
                         environment from a connection to a role (refused at plan).",
                    ),
                Attribute::string("codebuild_role_arn")
                    .optional_computed()
                    .use_state_for_unknown()
                    .validate(Validator::length(1, 2048))
                    .validate(Validator::IamRoleArn)
                    .describe(
                        "IAM role for CodeBuild-based provisioning. Proton cannot remove it: removing it \
                         from the configuration keeps the current one.",
                    ),
                Attribute::string("component_role_arn")
                    .optional_computed()
                    .use_state_for_unknown()
                    .validate(Validator::length(1, 2048))
                    .validate(Validator::IamRoleArn)
                    .describe(
                        "IAM role Proton uses for directly defined components in this environment (needed \
                         to attach components). Proton cannot remove it: removing it from the configuration \
                         keeps the current one.",
                    ),
                Attribute::nested(
                    "provisioning_repository",
                    Nesting::Single,
                    vec![
                        attributes::repository_provider("provider")
                            .required()
                            .describe("`GITHUB`, `GITHUB_ENTERPRISE` or `BITBUCKET`."),
                        attributes::repository_name("name")
                            .required()
                            .describe("The repository, as `owner/name`."),
                        attributes::branch("branch")
                            .required()
                            .describe("The branch Proton opens pull requests against."),
                    ],
                )
                .optional_computed()
                .use_state_for_unknown()
                .describe(
                    "Self-managed provisioning: the linked repository where Proton opens pull requests \
                     with the rendered infrastructure code (any standard template). Takes no \
                     `proton_service_role_arn`, `environment_account_connection_id` or \
                     `codebuild_role_arn`; not for `CUSTOMER_MANAGED` templates. Proton cannot remove it \
                     once set.",
                ),
                deployment::cancel_on_timeout(),
                attributes::arn("environment"),
                attributes::created_at("environment"),
                Attribute::string("provisioning")
                    .computed()
                    .use_state_for_unknown()
                    .describe(
                        "`CUSTOMER_MANAGED` when the environment's template is customer-managed (its \
                         infrastructure is provisioned outside Proton).",
                    ),
                Attribute::string("environment_account_id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The account the environment is provisioned in, when it uses a connection."),
            ]
            .into_iter()
            .chain(deployment::attributes("environment"))
            .collect(),
            blocks: vec![],
            identity: &["name"],
            tags: true,
            timeouts: deployment::TIMEOUTS,
            rules: vec![ConfigRule::AtMostOneOf(&[
                "proton_service_role_arn",
                "environment_account_connection_id",
            ])],
        }
    }

    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        const ROLES: [&str; 3] = [
            "proton_service_role_arn",
            "environment_account_connection_id",
            "codebuild_role_arn",
        ];
        let value = |name: &str| config.get(name).unwrap_or(&Value::Null);
        if ROLES
            .iter()
            .chain(&["provisioning_repository"])
            .any(|n| value(n).is_unknown())
        {
            return;
        }
        let roles: Vec<&str> = ROLES.into_iter().filter(|n| !value(n).is_null()).collect();
        let repository = !value("provisioning_repository").is_null();
        if repository && !roles.is_empty() {
            diags.attribute_error(
                AttributePath::attribute("provisioning_repository"),
                "Conflicting provisioning methods",
                format!(
                    "`provisioning_repository` makes the environment self-managed, which takes no \
                     role or connection; remove it or `{}`.",
                    roles.join("` and `")
                ),
            );
        } else if !repository && roles.is_empty() {
            diags.attribute_error(
                AttributePath::attribute("proton_service_role_arn"),
                "Missing provisioning method",
                "Set `proton_service_role_arn` or `environment_account_connection_id` \
                 (AWS-managed), `codebuild_role_arn` (CodeBuild) or `provisioning_repository` \
                 (self-managed).",
            );
        }
    }

    fn modify_plan(&self, plan: &mut PlanEdit<'_>) {
        let mut inputs = DEPLOYED_INPUTS.to_vec();
        inputs.extend([
            deployment::TEMPLATE_MAJOR_VERSION,
            deployment::TEMPLATE_MINOR_VERSION,
        ]);
        deployment::plan(plan, &inputs);
        if plan.changes("environment_account_connection_id") {
            plan.set_unknown("environment_account_id");
        }
    }

    async fn check_plan(&self, ctx: &Ctx, prior: &Value, config: &Value) -> Diagnostics {
        // A lower major is refused before the spec is checked against any version.
        let mut refused = deployment::refuse_lower_major(prior, config);
        refused.extend(refuse_method_switch(prior, config));
        if refused.has_errors() {
            return refused;
        }
        spec_check::check_plan::<Model>(ctx, prior, config).await
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        spec_check::check_model(ctx, &planned, None).await?;
        let created = ctx
            .api
            .create_environment(NewEnvironment {
                name: &planned.name,
                template_name: required(&planned.template_name, "template_name")?,
                template_major_version: required(
                    &planned.template_major_version,
                    "template_major_version",
                )?,
                template_minor_version: planned.template_minor_version.as_deref(),
                description: planned.description.as_deref(),
                spec: required(&planned.spec, "spec")?,
                proton_service_role_arn: planned.proton_service_role_arn.as_deref(),
                environment_account_connection_id: planned
                    .environment_account_connection_id
                    .as_deref(),
                codebuild_role_arn: planned.codebuild_role_arn.as_deref(),
                component_role_arn: planned.component_role_arn.as_deref(),
                provisioning_repository: planned.repository(),
                tags: &ctx.tags,
            })
            .await?;
        if deployment::Deployed::status(&created) == &crate::aws::types::DeploymentStatus::Succeeded
        {
            return Ok(Model::reported(created, &planned));
        }
        wait(ctx, &planned.name, &planned).await
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_environment(&current.name)
            .await?
            .map(|environment| Model::reported(environment, &current)))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let name = planned.name.as_str();
        let settled = deployment::succeeded_once_idle(&prior.deployment, || async {
            let what = format!("the running deployment of environment {name}");
            let idle = wait_idle(ctx, &what, || ctx.api.get_environment(name)).await?;
            idle.ok_or_else(|| Error::Failed(format!("environment {name} no longer exists")))
        })
        .await?;
        let role_changed = planned.proton_service_role_arn != prior.proton_service_role_arn;
        let connection_changed =
            planned.environment_account_connection_id != prior.environment_account_connection_id;
        if (role_changed || connection_changed)
            && planned.proton_service_role_arn.is_none()
            && planned.environment_account_connection_id.is_none()
        {
            return Err(Error::Invalid(
                "Proton cannot remove an environment's role or connection without a replacement: set \
                 proton_service_role_arn or environment_account_connection_id"
                    .to_string(),
            )
            .into());
        }
        let repository_changed = planned.provisioning_repository != prior.provisioning_repository;
        let redeploy = !settled
            || planned.spec != prior.spec
            || role_changed
            || connection_changed
            || repository_changed;
        let plan = deployment::deploy(prior.versions(), planned.versions(), redeploy);
        let metadata_changed = planned.description != prior.description
            || planned.codebuild_role_arn != prior.codebuild_role_arn
            || planned.component_role_arn != prior.component_role_arn;
        if !plan.deploys() && !metadata_changed {
            // Only Terraform's own settings changed (cancel_on_timeout).
            return match ctx.api.get_environment(name).await? {
                Some(environment) => Ok(Model::reported(environment, &planned)),
                None => Err(Error::Failed(format!("environment {name} no longer exists")).into()),
            };
        }
        if plan.deploys() {
            spec_check::check_model(ctx, &planned, Some(&prior)).await?;
        }
        let updated = ctx
            .api
            .update_environment(EnvironmentUpdate {
                name,
                deployment_type: plan.update_type.clone(),
                description: Some(planned.description.as_deref().unwrap_or_default()),
                spec: planned.spec.as_deref().filter(|_| plan.deploys()),
                template_major_version: plan.versions.major,
                template_minor_version: plan.versions.minor,
                proton_service_role_arn: changed_value(
                    &planned.proton_service_role_arn,
                    &prior.proton_service_role_arn,
                ),
                environment_account_connection_id: changed_value(
                    &planned.environment_account_connection_id,
                    &prior.environment_account_connection_id,
                ),
                codebuild_role_arn: changed_value(
                    &planned.codebuild_role_arn,
                    &prior.codebuild_role_arn,
                ),
                component_role_arn: changed_value(
                    &planned.component_role_arn,
                    &prior.component_role_arn,
                ),
                provisioning_repository: planned.repository().filter(|_| repository_changed),
            })
            .await?;
        if !plan.deploys() {
            return Ok(Model::reported(updated, &planned));
        }
        wait(ctx, name, &planned).await
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        let name = current.name.as_str();
        deployment::delete_deployed(
            ctx,
            &format!("environment {name}"),
            current.deployment.running(),
            || ctx.api.get_environment(name),
            || ctx.api.delete_environment(name),
        )
        .await
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Environments in the account and region, optionally only those deployed from some \
                template major versions.",
            filters: vec![
                Attribute::nested(
                    "environment_templates",
                    Nesting::List,
                    vec![
                        attributes::resource_name("template_name")
                            .required()
                            .describe("Name of the environment template."),
                        attributes::version_part("major_version")
                            .required()
                            .describe("Major version of the template (`\"1\"`)."),
                    ],
                )
                .optional()
                .describe("Only environments deployed from one of these template major versions."),
            ],
        })
    }

    async fn list(&self, ctx: &Ctx, filter: &Value) -> Result<Vec<Model>, Error> {
        #[derive(Default, Deserialize, serde::Serialize)]
        struct Template {
            template_name: String,
            major_version: String,
        }
        #[derive(Default, Deserialize, serde::Serialize)]
        struct Filter {
            environment_templates: Option<Vec<Template>>,
        }
        let filter: Filter = list_filters::read(filter)?;
        let templates: Vec<TemplateMajor<'_>> = filter
            .environment_templates
            .iter()
            .flatten()
            .map(|t| TemplateMajor {
                template_name: &t.template_name,
                major_version: &t.major_version,
            })
            .collect();
        Ok(ctx
            .api
            .list_environments(&templates)
            .await?
            .iter()
            .map(|e| Model {
                name: e.name().to_string(),
                ..Model::default()
            })
            .collect())
    }
}
