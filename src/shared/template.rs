//! What `proton_environment_template` and `proton_service_template` share: the model, the schema and
//! the CRUD, driven by the kind (see [`crate::aws::templates`](crate::aws::TemplateKind)). Each
//! resource's file says only its kind and the words that differ.

use serde::{Deserialize, Serialize};

use crate::aws::{NewTemplate, Template, TemplateKind, timestamp};
use crate::engine::{Ctx, Error, Failure, ResourceSpec, Timeouts};
use crate::tf::schema::{Attribute, Validator};

use super::attributes;

/// Who provisions what, under each kind's own attribute name. The field must be there (null or not:
/// `deserialize_with` makes a missing one an error), so serde picks the kind the value has.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Provisioning {
    /// `provisioning`: an environment template's environments.
    Environment {
        #[serde(deserialize_with = "Option::deserialize")]
        provisioning: Option<String>,
    },
    /// `pipeline_provisioning`: a service template's pipelines.
    Service {
        #[serde(deserialize_with = "Option::deserialize")]
        pipeline_provisioning: Option<String>,
    },
}

impl Provisioning {
    pub fn new(kind: TemplateKind, value: Option<String>) -> Self {
        match kind {
            TemplateKind::Environment => Provisioning::Environment {
                provisioning: value,
            },
            TemplateKind::Service => Provisioning::Service {
                pipeline_provisioning: value,
            },
        }
    }

    pub fn value(&self) -> Option<&str> {
        match self {
            Provisioning::Environment { provisioning } => provisioning.as_deref(),
            Provisioning::Service {
                pipeline_provisioning,
            } => pipeline_provisioning.as_deref(),
        }
    }
}

/// A template resource's state, whichever its kind.
#[derive(Debug, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub encryption_key: Option<String>,
    #[serde(flatten)]
    pub provisioning: Provisioning,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    pub recommended_version: Option<String>,
}

impl Model {
    /// A template known by name only (as a listing without details gives it).
    pub fn named(kind: TemplateKind, name: String) -> Self {
        Self {
            name,
            display_name: None,
            description: None,
            encryption_key: None,
            provisioning: Provisioning::new(kind, None),
            arn: None,
            created_at: None,
            last_modified_at: None,
            recommended_version: None,
        }
    }

    pub fn from_api(kind: TemplateKind, template: Template) -> Self {
        Self {
            name: template.name,
            display_name: template.display_name,
            // Proton stores a cleared description as "": null in Terraform.
            description: template.description.filter(|d| !d.is_empty()),
            encryption_key: template.encryption_key,
            provisioning: Provisioning::new(kind, template.provisioning),
            arn: Some(template.arn),
            created_at: Some(timestamp(&template.created_at)),
            last_modified_at: Some(timestamp(&template.last_modified_at)),
            recommended_version: template.recommended_version,
        }
    }
}

/// What the two template resources say differently.
pub struct TemplateWords {
    pub type_name: &'static str,
    pub description: &'static str,
    /// The description of `provisioning` or `pipeline_provisioning`.
    pub provisioning: &'static str,
}

pub fn spec(kind: TemplateKind, words: TemplateWords) -> ResourceSpec {
    let what = format!("{} template", kind.word());
    let provisioning = match kind {
        TemplateKind::Environment => "provisioning",
        TemplateKind::Service => "pipeline_provisioning",
    };
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
                "Name shown in the Proton console. Proton cannot clear a display name: removing it from \
                 the configuration keeps the current one.",
            ),
            attributes::description()
                .optional()
                .describe(&format!("Description of the {what}.")),
            attributes::encryption_key()
                .optional()
                .requires_replace()
                .describe("ARN of a customer managed KMS key that encrypts the template's data."),
            Attribute::string(provisioning)
                .optional()
                .requires_replace()
                .validate(Validator::one_of(&["CUSTOMER_MANAGED"]))
                .describe(words.provisioning),
            attributes::arn(&what),
            attributes::created_at(&what),
            attributes::last_modified_at(&what),
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

pub async fn create(
    kind: TemplateKind,
    ctx: &Ctx,
    planned: Model,
) -> Result<Model, Failure<Model>> {
    let created = ctx
        .api
        .create_template(NewTemplate {
            kind,
            name: &planned.name,
            display_name: planned.display_name.as_deref(),
            description: planned.description.as_deref(),
            encryption_key: planned.encryption_key.as_deref(),
            provisioning: planned.provisioning.value(),
            tags: &ctx.tags,
        })
        .await?;
    Ok(Model::from_api(kind, created))
}

pub async fn read(kind: TemplateKind, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
    Ok(ctx
        .api
        .get_template(kind, &current.name)
        .await?
        .map(|template| Model::from_api(kind, template)))
}

pub async fn update(
    kind: TemplateKind,
    ctx: &Ctx,
    prior: Model,
    planned: Model,
) -> Result<Model, Failure<Model>> {
    let display_name = super::changed_value(&planned.display_name, &prior.display_name);
    let updated = ctx
        .api
        .update_template(
            kind,
            &planned.name,
            display_name,
            Some(planned.description.as_deref().unwrap_or_default()),
        )
        .await?;
    Ok(Model::from_api(kind, updated))
}

pub async fn delete(kind: TemplateKind, ctx: &Ctx, current: Model) -> Result<(), Error> {
    Ok(ctx.api.delete_template(kind, &current.name).await?)
}
