//! `proton_service_template`: a named template that service template versions belong to.

use serde::{Deserialize, Serialize};

use crate::aws::types::ServiceTemplate as ApiTemplate;
use crate::aws::{NewServiceTemplate, timestamp};
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Validator};

use crate::shared::attributes;

pub struct ServiceTemplate;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub encryption_key: Option<String>,
    pub pipeline_provisioning: Option<String>,
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
            pipeline_provisioning: template
                .pipeline_provisioning()
                .map(|p| p.as_str().to_string()),
            arn: Some(template.arn().to_string()),
            created_at: Some(timestamp(template.created_at())),
            last_modified_at: Some(timestamp(template.last_modified_at())),
            recommended_version: template.recommended_version().map(str::to_string),
        }
    }
}

impl Resource for ServiceTemplate {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_service_template",
            description: "An AWS Proton service template: the named container that service template versions \
                are registered in. Services are deployed from one of its published versions.",
            version: 0,
            attributes: vec![
                attributes::resource_name("name")
                    .required()
                    .requires_replace()
                    .describe("Name of the service template."),
                attributes::display_name().optional_computed().describe(
                    "Name shown in the Proton console. Proton cannot clear a display name: removing it from \
                     the configuration keeps the current one.",
                ),
                attributes::description()
                    .optional()
                    .describe("Description of the service template."),
                attributes::encryption_key()
                    .optional()
                    .requires_replace()
                    .describe("ARN of a customer managed KMS key that encrypts the template's data."),
                Attribute::string("pipeline_provisioning")
                    .optional()
                    .requires_replace()
                    .validate(Validator::one_of(&["CUSTOMER_MANAGED"]))
                    .describe(
                        "`CUSTOMER_MANAGED` when the service pipeline's infrastructure is provisioned by you \
                         (self-managed provisioning); unset when Proton provisions pipelines, or for \
                         templates without a pipeline.",
                    ),
                attributes::arn("service template"),
                attributes::created_at("service template"),
                attributes::last_modified_at("service template"),
                Attribute::string("recommended_version")
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
            .create_service_template(NewServiceTemplate {
                name: &planned.name,
                display_name: planned.display_name.as_deref(),
                description: planned.description.as_deref(),
                encryption_key: planned.encryption_key.as_deref(),
                pipeline_provisioning: planned.pipeline_provisioning.as_deref(),
                tags: &ctx.tags,
            })
            .await?;
        Ok(created.into())
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_service_template(&current.name)
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
            .update_service_template(
                &planned.name,
                display_name,
                Some(planned.description.as_deref().unwrap_or_default()),
            )
            .await?;
        Ok(updated.into())
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        Ok(ctx.api.delete_service_template(&current.name).await?)
    }

    fn move_from(
        &self,
        source_type: &str,
        source: &serde_json::Value,
    ) -> Option<serde_json::Value> {
        (source_type == "awscc_proton_service_template")
            .then(|| crate::shared::awscc::moved_state(source))
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Every service template in the account and region.",
            filters: vec![],
        })
    }

    async fn list(&self, ctx: &Ctx, _filter: &Value) -> Result<Vec<Model>, Error> {
        Ok(ctx
            .api
            .list_service_templates()
            .await?
            .iter()
            .map(|t| Model {
                name: t.name().to_string(),
                ..Model::default()
            })
            .collect())
    }
}
