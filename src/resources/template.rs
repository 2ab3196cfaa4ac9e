//! `proton_environment_template` and `proton_service_template`: a named template that template versions
//! belong to. The two kinds differ only in names, words and who provisions what, so one resource takes
//! the kind as a value and is registered once per kind (as the template data sources are).

use crate::aws::{NewTemplate, TemplateKind};
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::shared::attributes;
use crate::shared::template::{Listed, Model, Provisioning};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Validator};

/// A template resource of one kind.
pub struct Template(pub TemplateKind);

/// What the two template resources say differently.
struct Words {
    type_name: &'static str,
    description: &'static str,
    /// The description of `provisioning` or `pipeline_provisioning`.
    provisioning: &'static str,
    list: &'static str,
    /// hashicorp/awscc's resource of the same kind, whose state moves in.
    awscc_type: &'static str,
}

impl Template {
    fn words(&self) -> Words {
        match self.0 {
            TemplateKind::Environment => Words {
                type_name: "proton_environment_template",
                description: "An AWS Proton environment template: the named container that environment \
                    template versions are registered in. Environments are deployed from one of its published \
                    versions.",
                provisioning: "`CUSTOMER_MANAGED` for environments whose infrastructure already exists \
                    outside Proton: an environment from it takes a role and a spec holding the \
                    infrastructure's outputs, and Proton provisions nothing. Unset for a standard \
                    template, which Proton provisions by the method each environment chooses \
                    (AWS-managed, CodeBuild, or self-managed with `provisioning_repository`).",
                list: "Every environment template in the account and region.",
                awscc_type: "awscc_proton_environment_template",
            },
            TemplateKind::Service => Words {
                type_name: "proton_service_template",
                description: "An AWS Proton service template: the named container that service template \
                    versions are registered in. Services are deployed from one of its published versions.",
                provisioning: "Unset: services from this template get a pipeline that Proton provides \
                    (they then need `repository_connection_arn`, `repository_id` and `branch_name`). \
                    `CUSTOMER_MANAGED`: services from this template get no Proton pipeline (you run your \
                    own CI/CD) and take no repository settings. Proton cannot change it later.",
                list: "Every service template in the account and region.",
                awscc_type: "awscc_proton_service_template",
            },
        }
    }
}

impl Resource for Template {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        let kind = self.0;
        let words = self.words();
        let what = format!("{} template", kind.word());
        ResourceSpec {
            type_name: words.type_name,
            description: words.description,
            version: 0,
            attributes: vec![
                attributes::resource_name("name")
                    .required()
                    .requires_replace()
                    .describe(&format!("Name of the {what}.")),
                attributes::display_name().optional_computed().describe(
                    "Name shown in the Proton console. Proton cannot clear a display name: removing it \
                     from the configuration keeps the current one.",
                ),
                attributes::description()
                    .optional()
                    .describe(&format!("Description of the {what}.")),
                attributes::encryption_key()
                    .optional()
                    .requires_replace()
                    .describe("ARN of a customer managed KMS key that encrypts the template's data."),
                Attribute::string(Provisioning::attribute(kind))
                    .optional()
                    .requires_replace()
                    .validate(Validator::one_of(&["CUSTOMER_MANAGED"]))
                    .describe(words.provisioning),
                attributes::arn(&what),
                attributes::created_at(&what),
                attributes::last_modified_at(&what),
                Attribute::string("recommended_version").computed().describe(
                    "The recommended published version of the template (`MAJOR.MINOR`), if any.",
                ),
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
            .create_template(NewTemplate {
                kind: self.0,
                name: &planned.listed.name,
                display_name: planned.listed.display_name.as_deref(),
                description: planned.listed.description.as_deref(),
                encryption_key: planned.encryption_key.as_deref(),
                provisioning: planned.listed.provisioning.value(),
                tags: &ctx.tags,
            })
            .await?;
        Ok(Model::from_api(self.0, created))
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_template(self.0, &current.listed.name)
            .await?
            .map(|template| Model::from_api(self.0, template)))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let display_name =
            crate::shared::changed_value(&planned.listed.display_name, &prior.listed.display_name);
        let updated = ctx
            .api
            .update_template(
                self.0,
                &planned.listed.name,
                display_name,
                Some(planned.listed.description.as_deref().unwrap_or_default()),
            )
            .await?;
        Ok(Model::from_api(self.0, updated))
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        Ok(ctx
            .api
            .delete_template(self.0, &current.listed.name)
            .await?)
    }

    fn move_from(
        &self,
        source_type: &str,
        source: &serde_json::Value,
    ) -> Option<serde_json::Value> {
        (source_type == self.words().awscc_type).then(|| crate::shared::awscc::moved_state(source))
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: self.words().list,
            filters: vec![],
        })
    }

    /// A listing describes environment templates in full but for their encryption key; service
    /// templates are listed by name only and the engine reads each one when the full object is asked
    /// for.
    async fn list(&self, ctx: &Ctx, _filter: &Value) -> Result<Vec<Model>, Error> {
        let kind = self.0;
        Ok(match kind {
            TemplateKind::Environment => ctx
                .api
                .list_environment_templates()
                .await?
                .iter()
                .map(|summary| Model {
                    listed: Listed::from(summary),
                    encryption_key: None,
                })
                .collect(),
            TemplateKind::Service => ctx
                .api
                .list_service_templates()
                .await?
                .iter()
                .map(|t| Model::named(kind, t.name().to_string()))
                .collect(),
        })
    }
}
