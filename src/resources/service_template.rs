//! `proton_service_template`: a named template that service template versions belong to.
//! Shared with `proton_environment_template` in [`crate::shared::template`]; here only what differs.

use crate::aws::TemplateKind;
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec};
use crate::shared::template::{self, Model, TemplateWords};
use crate::tf::Value;

const KIND: TemplateKind = TemplateKind::Service;

pub struct ServiceTemplate;

impl Resource for ServiceTemplate {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        template::spec(
            KIND,
            TemplateWords {
                type_name: "proton_service_template",
                description: "An AWS Proton service template: the named container that service template \
                    versions are registered in. Services are deployed from one of its published versions.",
                provisioning: "Unset: services from this template get a pipeline that Proton provides \
                    (they then need `repository_connection_arn`, `repository_id` and `branch_name`). \
                    `CUSTOMER_MANAGED`: services from this template get no Proton pipeline (you run your \
                    own CI/CD) and take no repository settings. Proton cannot change it later.",
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
        (source_type == "awscc_proton_service_template")
            .then(|| crate::shared::awscc::moved_state(source))
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Every service template in the account and region.",
            filters: vec![],
        })
    }

    /// Listed by name only; the engine reads each one when the full object is asked for.
    async fn list(&self, ctx: &Ctx, _filter: &Value) -> Result<Vec<Model>, Error> {
        Ok(ctx
            .api
            .list_service_templates()
            .await?
            .iter()
            .map(|t| Model::named(KIND, t.name().to_string()))
            .collect())
    }
}
