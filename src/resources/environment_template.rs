//! `proton_environment_template`: a named template that environment template versions belong to.
//! Shared with `proton_service_template` in [`crate::shared::template`]; here only what differs.

use crate::aws::TemplateKind;
use crate::aws::timestamp;
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec};
use crate::shared::template::{self, Model, Provisioning, TemplateWords};
use crate::tf::Value;

const KIND: TemplateKind = TemplateKind::Environment;

pub struct EnvironmentTemplate;

impl Resource for EnvironmentTemplate {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        template::spec(
            KIND,
            TemplateWords {
                type_name: "proton_environment_template",
                description: "An AWS Proton environment template: the named container that environment \
                    template versions are registered in. Environments are deployed from one of its published \
                    versions.",
                provisioning: "`CUSTOMER_MANAGED` for environments whose infrastructure already exists \
                    outside Proton: an environment from it takes a role and a spec holding the \
                    infrastructure's outputs, and Proton provisions nothing. Unset for a standard \
                    template, which Proton provisions by the method each environment chooses \
                    (AWS-managed, CodeBuild, or self-managed with `provisioning_repository`).",
            },
        )
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        template::create(KIND, ctx, planned).await
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        template::read(KIND, ctx, current).await
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        template::update(KIND, ctx, prior, planned).await
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        template::delete(KIND, ctx, current).await
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

    /// A listing describes environment templates in full, but for their encryption key.
    async fn list(&self, ctx: &Ctx, _filter: &Value) -> Result<Vec<Model>, Error> {
        Ok(ctx
            .api
            .list_environment_templates()
            .await?
            .iter()
            .map(|summary| Model {
                name: summary.name().to_string(),
                display_name: summary.display_name().map(str::to_string),
                description: summary
                    .description()
                    .filter(|d| !d.is_empty())
                    .map(str::to_string),
                encryption_key: None,
                provisioning: Provisioning::new(
                    KIND,
                    summary.provisioning().map(|p| p.as_str().to_string()),
                ),
                arn: Some(summary.arn().to_string()),
                created_at: Some(timestamp(summary.created_at())),
                last_modified_at: Some(timestamp(summary.last_modified_at())),
                recommended_version: summary.recommended_version().map(str::to_string),
            })
            .collect())
    }
}
