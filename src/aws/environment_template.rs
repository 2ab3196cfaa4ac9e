//! Environment templates.

use std::collections::BTreeMap;

use aws_sdk_proton::types::{EnvironmentTemplate, EnvironmentTemplateSummary, Provisioning};

use super::{ApiError, Proton, classify, found, gone, tag_list};

/// What a new environment template is made of.
#[derive(Clone, Debug)]
pub struct NewEnvironmentTemplate<'a> {
    pub name: &'a str,
    pub display_name: Option<&'a str>,
    pub description: Option<&'a str>,
    pub encryption_key: Option<&'a str>,
    pub provisioning: Option<&'a str>,
    pub tags: &'a BTreeMap<String, String>,
}

impl Proton {
    pub async fn create_environment_template(
        &self,
        template: NewEnvironmentTemplate<'_>,
    ) -> Result<EnvironmentTemplate, ApiError> {
        let output = self
            .client
            .create_environment_template()
            .name(template.name)
            .set_display_name(template.display_name.map(str::to_string))
            .set_description(template.description.map(str::to_string))
            .set_encryption_key(template.encryption_key.map(str::to_string))
            .set_provisioning(template.provisioning.map(Provisioning::from))
            .set_tags(tag_list(template.tags)?)
            .send()
            .await
            .map_err(classify)?;
        output
            .environment_template
            .ok_or_else(|| ApiError::Transport("the response holds no environment template".into()))
    }

    pub async fn get_environment_template(
        &self,
        name: &str,
    ) -> Result<Option<EnvironmentTemplate>, ApiError> {
        found(
            self.client
                .get_environment_template()
                .name(name)
                .send()
                .await
                .map_err(classify),
        )
        .map(|output| output.and_then(|o| o.environment_template))
    }

    /// `None` leaves a field as it is; Proton cannot clear a display name.
    pub async fn update_environment_template(
        &self,
        name: &str,
        display_name: Option<&str>,
        description: Option<&str>,
    ) -> Result<EnvironmentTemplate, ApiError> {
        let output = self
            .client
            .update_environment_template()
            .name(name)
            .set_display_name(display_name.map(str::to_string))
            .set_description(description.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        output
            .environment_template
            .ok_or_else(|| ApiError::Transport("the response holds no environment template".into()))
    }

    pub async fn delete_environment_template(&self, name: &str) -> Result<(), ApiError> {
        gone(
            self.client
                .delete_environment_template()
                .name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(classify),
        )
    }

    pub async fn list_environment_templates(
        &self,
    ) -> Result<Vec<EnvironmentTemplateSummary>, ApiError> {
        let mut templates = Vec::new();
        let mut next_token = None;
        loop {
            let page = self
                .client
                .list_environment_templates()
                .set_next_token(next_token)
                .send()
                .await
                .map_err(classify)?;
            templates.extend(page.templates().iter().cloned());
            next_token = page.next_token().map(str::to_string);
            if next_token.is_none() {
                return Ok(templates);
            }
        }
    }
}
