//! `proton_environment_template`: a named template that environment template versions belong to.

use serde::{Deserialize, Serialize};

use crate::aws::types::{EnvironmentTemplate as ApiTemplate, EnvironmentTemplateSummary};
use crate::aws::{NewEnvironmentTemplate, timestamp};
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::tf::Value;
use crate::tf::schema::Validator;

use crate::shared::attributes;

pub struct EnvironmentTemplate;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub encryption_key: Option<String>,
    pub provisioning: Option<String>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    pub recommended_version: Option<String>,
}

impl From<ApiTemplate> for Model {
    fn from(template: ApiTemplate) -> Self {
        Self {
            name: template.name().to_string(),
            display_name: template.display_name().map(str::to_string),
            // Proton stores a cleared description as "": null in Terraform.
            description: template
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            encryption_key: template.encryption_key().map(str::to_string),
            provisioning: template.provisioning().map(|p| p.as_str().to_string()),
            arn: Some(template.arn().to_string()),
            created_at: Some(timestamp(template.created_at())),
            last_modified_at: Some(timestamp(template.last_modified_at())),
            recommended_version: template.recommended_version().map(str::to_string),
        }
    }
}

impl From<&EnvironmentTemplateSummary> for Model {
    fn from(summary: &EnvironmentTemplateSummary) -> Self {
        Self {
            name: summary.name().to_string(),
            display_name: summary.display_name().map(str::to_string),
            description: summary
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            encryption_key: None,
            provisioning: summary.provisioning().map(|p| p.as_str().to_string()),
            arn: Some(summary.arn().to_string()),
            created_at: Some(timestamp(summary.created_at())),
            last_modified_at: Some(timestamp(summary.last_modified_at())),
            recommended_version: summary.recommended_version().map(str::to_string),
        }
    }
}

impl Resource for EnvironmentTemplate {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_environment_template",
            description: "An AWS Proton environment template: the named container that environment template \
                versions are registered in. Environments are deployed from one of its published versions.",
            version: 0,
            attributes: vec![
                attributes::resource_name("name")
                    .required()
                    .requires_replace()
                    .describe("Name of the environment template."),
                attributes::display_name().optional_computed().describe(
                    "Name shown in the Proton console. Proton cannot clear a display name: removing it from \
                     the configuration keeps the current one.",
                ),
                attributes::description()
                    .optional()
                    .describe("Description of the environment template."),
                attributes::encryption_key()
                    .optional()
                    .requires_replace()
                    .describe("ARN of a customer managed KMS key that encrypts the template's data."),
                crate::tf::schema::Attribute::string("provisioning")
                    .optional()
                    .requires_replace()
                    .validate(Validator::one_of(&["CUSTOMER_MANAGED"]))
                    .describe(
                        "`CUSTOMER_MANAGED` for environments whose infrastructure you provision yourself \
                         (self-managed provisioning); unset for Proton-managed provisioning.",
                    ),
                attributes::arn("environment template"),
                attributes::created_at("environment template"),
                attributes::last_modified_at("environment template"),
                crate::tf::schema::Attribute::string("recommended_version")
                    .computed()
                    .describe("The recommended published version of the template (`MAJOR.MINOR`), if any."),
            ],
            blocks: vec![],
            identity: &["name"],
            tags: true,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let created = ctx
            .api
            .create_environment_template(NewEnvironmentTemplate {
                name: &planned.name,
                display_name: planned.display_name.as_deref(),
                description: planned.description.as_deref(),
                encryption_key: planned.encryption_key.as_deref(),
                provisioning: planned.provisioning.as_deref(),
                tags: &ctx.tags,
            })
            .await?;
        Ok(created.into())
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_environment_template(&current.name)
            .await?
            .map(Model::from))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let display_name = crate::shared::changed_value(&planned.display_name, &prior.display_name);
        let updated = ctx
            .api
            .update_environment_template(
                &planned.name,
                display_name,
                Some(planned.description.as_deref().unwrap_or_default()),
            )
            .await?;
        Ok(updated.into())
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        Ok(ctx.api.delete_environment_template(&current.name).await?)
    }

    fn move_from(
        &self,
        source_type: &str,
        source: &serde_json::Value,
    ) -> Option<serde_json::Value> {
        (source_type == "awscc_proton_environment_template")
            .then(|| crate::shared::awscc::moved_state(source))
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Every environment template in the account and region.",
            filters: vec![],
        })
    }

    async fn list(&self, ctx: &Ctx, _filter: &Value) -> Result<Vec<Model>, Error> {
        Ok(ctx
            .api
            .list_environment_templates()
            .await?
            .iter()
            .map(Model::from)
            .collect())
    }
}
