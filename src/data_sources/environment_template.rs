//! `data "proton_environment_template"`: an environment template by name.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::TemplateKind;
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::shared::attributes;
use crate::shared::template::Model as TemplateModel;
use crate::tf::schema::Attribute;

pub struct EnvironmentTemplate;

#[derive(Debug, Serialize, Deserialize)]
pub struct Model {
    #[serde(flatten)]
    pub template: TemplateModel,
    pub tags: Option<BTreeMap<String, String>>,
}

impl DataSource for EnvironmentTemplate {
    type Model = Model;

    fn spec(&self) -> DataSourceSpec {
        let computed = |name: &str, description: &str| {
            Attribute::string(name).computed().describe(description)
        };
        DataSourceSpec {
            type_name: "proton_environment_template",
            description: "Reads an AWS Proton environment template by name.",
            attributes: vec![
                attributes::resource_name("name")
                    .required()
                    .describe("Name of the environment template."),
                computed("display_name", "Name shown in the Proton console."),
                computed("description", "Description of the template."),
                computed(
                    "encryption_key",
                    "ARN of the customer managed KMS key, if any.",
                ),
                computed(
                    "provisioning",
                    "`CUSTOMER_MANAGED` for a customer-managed template (infrastructure provisioned outside Proton), else null.",
                ),
                computed("arn", "ARN of the environment template."),
                computed("created_at", "When the template was created (RFC 3339)."),
                computed(
                    "last_modified_at",
                    "When the template was last modified (RFC 3339).",
                ),
                computed(
                    "recommended_version",
                    "The recommended published version (`MAJOR.MINOR`), if any.",
                ),
                Attribute::string_map("tags")
                    .computed()
                    .describe("Tags on the template."),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Model) -> Result<Model, Error> {
        let name = config.template.name;
        let template = ctx
            .api
            .get_template(TemplateKind::Environment, &name)
            .await?
            .ok_or_else(|| Error::Invalid(format!("no environment template is named {name:?}")))?;
        let template = TemplateModel::from_api(TemplateKind::Environment, template);
        let tags = match template.arn.as_deref() {
            Some(arn) => Some(ctx.api.list_tags(arn).await?),
            None => None,
        };
        Ok(Model { template, tags })
    }
}
