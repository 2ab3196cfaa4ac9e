//! Environment and service templates. The two kinds differ only in names and in who provisions what
//! (`provisioning` of environments, `pipeline_provisioning` of service pipelines), so one
//! implementation takes the kind as a value, as proton-local's `ops/templates.rs` does.

use std::collections::BTreeMap;

use aws_sdk_proton::primitives::DateTime;
use aws_sdk_proton::types::{EnvironmentTemplate, Provisioning, ServiceTemplate};

use super::{
    ApiError, Proton, classify, deleted_or_already_gone, object_from_get, object_in_answer,
    tag_list,
};

/// Which kind of template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplateKind {
    Environment,
    Service,
}

impl TemplateKind {
    /// `environment` or `service`, as in "environment template".
    pub fn word(self) -> &'static str {
        match self {
            TemplateKind::Environment => "environment",
            TemplateKind::Service => "service",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            TemplateKind::Environment => "environment template",
            TemplateKind::Service => "service template",
        }
    }
}

/// A template as Get, Create and Update answer, whichever its kind.
#[derive(Clone, Debug)]
pub struct Template {
    pub name: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub encryption_key: Option<String>,
    /// `provisioning` of an environment template, `pipeline_provisioning` of a service template.
    pub provisioning: Option<String>,
    pub arn: String,
    pub created_at: DateTime,
    pub last_modified_at: DateTime,
    pub recommended_version: Option<String>,
}

macro_rules! template_from {
    ($ty:ty, $provisioning:ident) => {
        impl From<$ty> for Template {
            fn from(t: $ty) -> Self {
                Self {
                    name: t.name().to_string(),
                    display_name: t.display_name().map(str::to_string),
                    description: t.description().map(str::to_string),
                    encryption_key: t.encryption_key().map(str::to_string),
                    provisioning: t.$provisioning().map(|p| p.as_str().to_string()),
                    arn: t.arn().to_string(),
                    created_at: *t.created_at(),
                    last_modified_at: *t.last_modified_at(),
                    recommended_version: t.recommended_version().map(str::to_string),
                }
            }
        }
    };
}

template_from!(EnvironmentTemplate, provisioning);
template_from!(ServiceTemplate, pipeline_provisioning);

/// What a new template is made of.
#[derive(Clone, Debug)]
pub struct NewTemplate<'a> {
    pub kind: TemplateKind,
    pub name: &'a str,
    pub display_name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub encryption_key: Option<&'a str>,
    pub provisioning: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
}

impl Proton {
    pub async fn create_template(&self, template: NewTemplate<'_>) -> Result<Template, ApiError> {
        let kind = template.kind;
        let display_name = template.display_name.map(str::to_string);
        let description = template.description.map(str::to_string);
        let encryption_key = template.encryption_key.map(str::to_string);
        let provisioning = template.provisioning.map(Provisioning::from);
        let tags = tag_list(template.tags)?;
        let created = match kind {
            TemplateKind::Environment => self
                .client
                .create_environment_template()
                .name(template.name)
                .set_display_name(display_name)
                .set_description(description)
                .set_encryption_key(encryption_key)
                .set_provisioning(provisioning)
                .set_tags(tags)
                .send()
                .await
                .map_err(classify)?
                .environment_template
                .map(Template::from),
            TemplateKind::Service => self
                .client
                .create_service_template()
                .name(template.name)
                .set_display_name(display_name)
                .set_description(description)
                .set_encryption_key(encryption_key)
                .set_pipeline_provisioning(provisioning)
                .set_tags(tags)
                .send()
                .await
                .map_err(classify)?
                .service_template
                .map(Template::from),
        };
        object_in_answer(created, kind.noun())
    }

    pub async fn get_template(
        &self,
        kind: TemplateKind,
        name: &str,
    ) -> Result<Option<Template>, ApiError> {
        match kind {
            TemplateKind::Environment => object_from_get(
                self.client
                    .get_environment_template()
                    .name(name)
                    .send()
                    .await,
                |o| o.environment_template.map(Template::from),
            ),
            TemplateKind::Service => object_from_get(
                self.client.get_service_template().name(name).send().await,
                |o| o.service_template.map(Template::from),
            ),
        }
    }

    /// `None` leaves a field as it is; Proton cannot clear a display name.
    pub async fn update_template(
        &self,
        kind: TemplateKind,
        name: &str,
        display_name: Option<&str>,
        description: Option<&str>,
    ) -> Result<Template, ApiError> {
        let display_name = display_name.map(str::to_string);
        let description = description.map(str::to_string);
        let updated = match kind {
            TemplateKind::Environment => self
                .client
                .update_environment_template()
                .name(name)
                .set_display_name(display_name)
                .set_description(description)
                .send()
                .await
                .map_err(classify)?
                .environment_template
                .map(Template::from),
            TemplateKind::Service => self
                .client
                .update_service_template()
                .name(name)
                .set_display_name(display_name)
                .set_description(description)
                .send()
                .await
                .map_err(classify)?
                .service_template
                .map(Template::from),
        };
        object_in_answer(updated, kind.noun())
    }

    pub async fn delete_template(&self, kind: TemplateKind, name: &str) -> Result<(), ApiError> {
        match kind {
            TemplateKind::Environment => deleted_or_already_gone(
                self.client
                    .delete_environment_template()
                    .name(name)
                    .send()
                    .await,
            ),
            TemplateKind::Service => deleted_or_already_gone(
                self.client
                    .delete_service_template()
                    .name(name)
                    .send()
                    .await,
            ),
        }
    }
}
