//! The template data sources, one of each per kind: `proton_environment_template` /
//! `proton_service_template` (one template by name) and `proton_environment_templates` /
//! `proton_service_templates` (every template of the kind).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::aws::TemplateKind as Kind;
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::shared::template::{Listed, Model as TemplateModel};
use crate::tf::schema::Attribute;

use super::shape::{self, computed, missing};

/// One template as a listing describes it.
pub type Item = Listed;

fn item_attributes(kind: Kind) -> Vec<Attribute> {
    let what = format!("{} template", kind.word());
    let provisioning = match kind {
        Kind::Environment => computed(
            "provisioning",
            "`CUSTOMER_MANAGED` for a customer-managed template (infrastructure provisioned outside Proton), else null.",
        ),
        Kind::Service => computed(
            "pipeline_provisioning",
            "`CUSTOMER_MANAGED` when services from the template get no Proton pipeline; null when Proton provides one.",
        ),
    };
    vec![
        computed("name", &format!("Name of the {what}.")),
        computed("display_name", "Name shown in the Proton console."),
        computed("description", &format!("Description of the {what}.")),
        provisioning,
        shape::arn(&what),
        shape::created_at(&what),
        shape::last_modified_at(&what),
        computed(
            "recommended_version",
            "The recommended published version (`MAJOR.MINOR`), if any.",
        ),
    ]
}

/// Every template of one kind in the account and region.
pub struct Templates(pub Kind);

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct List {
    pub templates: Option<Vec<Item>>,
}

impl DataSource for Templates {
    type Model = List;

    fn spec(&self) -> DataSourceSpec {
        let (type_name, description) = match self.0 {
            Kind::Environment => (
                "proton_environment_templates",
                "Lists every AWS Proton environment template in the account and region.",
            ),
            Kind::Service => (
                "proton_service_templates",
                "Lists every AWS Proton service template in the account and region.",
            ),
        };
        DataSourceSpec {
            type_name,
            description,
            attributes: vec![shape::list(
                "templates",
                "The templates, as ListEnvironmentTemplates or ListServiceTemplates describe them.",
                item_attributes(self.0),
            )],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, _config: List) -> Result<List, Error> {
        let templates = match self.0 {
            Kind::Environment => ctx
                .api
                .list_environment_templates()
                .await?
                .iter()
                .map(Item::from)
                .collect(),
            Kind::Service => ctx
                .api
                .list_service_templates()
                .await?
                .iter()
                .map(Item::from)
                .collect(),
        };
        Ok(List {
            templates: Some(templates),
        })
    }
}

/// `data "proton_environment_template"` / `data "proton_service_template"`: a template by name.
pub struct Template(pub Kind);

#[derive(Debug, Serialize, Deserialize)]
pub struct TemplateData {
    #[serde(flatten)]
    pub template: TemplateModel,
    pub tags: Option<BTreeMap<String, String>>,
}

impl DataSource for Template {
    type Model = TemplateData;

    fn spec(&self) -> DataSourceSpec {
        let what = format!("{} template", self.0.word());
        let mut attributes = shape::keyed(
            vec![shape::name_argument(
                "name",
                &format!("Name of the {what}."),
            )],
            item_attributes(self.0),
        );
        attributes.insert(
            4,
            computed(
                "encryption_key",
                "ARN of the customer managed KMS key, if any.",
            ),
        );
        attributes.push(shape::tags("template"));
        let (type_name, description) = match self.0 {
            Kind::Environment => (
                "proton_environment_template",
                "Reads an AWS Proton environment template by name.",
            ),
            Kind::Service => (
                "proton_service_template",
                "Reads an AWS Proton service template by name.",
            ),
        };
        DataSourceSpec {
            type_name,
            description,
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: TemplateData) -> Result<TemplateData, Error> {
        let name = config.template.listed.name;
        let template = ctx
            .api
            .get_template(self.0, &name)
            .await?
            .ok_or_else(|| missing(format!("{} template named {name:?}", self.0.word())))?;
        let template = TemplateModel::from_api(self.0, template);
        let tags = match template.listed.arn.as_deref() {
            Some(arn) => Some(ctx.api.list_tags(arn).await?),
            None => None,
        };
        Ok(TemplateData { template, tags })
    }
}
