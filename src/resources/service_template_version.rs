//! `proton_service_template_version`: one registered version of a service template. Shares its schema,
//! registration wait and status rules with `proton_environment_template_version`.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::aws::types::ServiceTemplateVersion as ApiVersion;
use crate::aws::{
    ApiError, CompatibleTemplate, NewTemplateVersion, ServiceVersionChanges, VersionChanges,
};
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Nesting, Validator};

use super::environment_template_version::{
    self as version, PUBLISHED, REGISTRATION_TIMEOUT, Source, wait_for_registration,
};
use crate::shared::attributes;
use crate::shared::list_filters::{self, VersionFilter};

pub struct ServiceTemplateVersion;

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Compatible {
    pub template_name: String,
    pub major_version: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Model {
    #[serde(flatten)]
    pub version: version::Model,
    pub compatible_environment_templates: Option<Vec<Compatible>>,
    pub supported_component_sources: Option<Vec<String>>,
}

impl Model {
    fn reported(api: &ApiVersion, source: Option<Source>) -> Self {
        let compatible: Vec<Compatible> = api
            .compatible_environment_templates()
            .iter()
            .map(|c| Compatible {
                template_name: c.template_name().to_string(),
                major_version: c.major_version().to_string(),
            })
            .collect();
        let sources: Vec<String> = api
            .supported_component_sources()
            .iter()
            .map(|s| s.as_str().to_string())
            .collect();
        Self {
            version: version::Model::reported(api, source),
            compatible_environment_templates: (!compatible.is_empty()).then_some(compatible),
            // No sources and an empty list mean the same; null keeps the plan clean when unset.
            supported_component_sources: (!sources.is_empty()).then_some(sources),
        }
    }

    fn compatible(&self) -> Vec<CompatibleTemplate> {
        self.compatible_environment_templates
            .iter()
            .flatten()
            .map(|c| CompatibleTemplate {
                template_name: c.template_name.clone(),
                major_version: c.major_version.clone(),
            })
            .collect()
    }

    fn compatible_set(&self) -> BTreeSet<&Compatible> {
        self.compatible_environment_templates
            .iter()
            .flatten()
            .collect()
    }

    /// Keeps the stored order of the compatible templates when Proton reports the same ones in another.
    fn keep_order_of(&mut self, stored: &Model) {
        if self.compatible_set() == stored.compatible_set() {
            self.compatible_environment_templates = stored.compatible_environment_templates.clone();
        }
    }

    fn sources_set(&self) -> BTreeSet<&String> {
        self.supported_component_sources.iter().flatten().collect()
    }
}

impl Resource for ServiceTemplateVersion {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        let mut attributes = version::version_attributes("service");
        attributes.push(
            Attribute::nested(
                "compatible_environment_templates",
                // A list: Terraform 1.0 crashes rendering plans of sets of nested attributes. Order does
                // not matter to Proton, and reads keep the configured order.
                Nesting::List,
                vec![
                    attributes::resource_name("template_name")
                        .required()
                        .describe("Name of a compatible environment template."),
                    attributes::version_part("major_version")
                        .required()
                        .describe("Its compatible major version, as a string (`\"1\"`)."),
                ],
            )
            .required()
            .validate(Validator::size(1, 10))
            .describe(
                "Environment template major versions that services of this version can be deployed to. \
                 Each major version must exist. Changes are made in place.",
            ),
        );
        attributes.push(
            Attribute::string_set("supported_component_sources")
                .optional()
                .validate(Validator::size(1, 10))
                .validate(Validator::each(Validator::one_of(&["DIRECTLY_DEFINED"])))
                .describe(
                    "Component sources that service instances of this version accept: `DIRECTLY_DEFINED` \
                     allows directly defined components. Unset allows none.",
                ),
        );
        ResourceSpec {
            type_name: "proton_service_template_version",
            description: "A version of an AWS Proton service template, registered from a template bundle in \
                S3. Creating it waits until Proton has registered the bundle; a failed registration leaves the \
                version in state as tainted, with the reason in `status_message`. Set `status = \
                \"PUBLISHED\"` to make the version available to services. Proton refuses to delete a version \
                that deployed resources still use.",
            version: 0,
            attributes,
            blocks: vec![],
            identity: &["template_name", "major_version", "minor_version"],
            tags: true,
            timeouts: Timeouts {
                create: Some(REGISTRATION_TIMEOUT),
                update: None,
                delete: None,
            },
            rules: vec![],
        }
    }

    async fn create(&self, ctx: &Ctx, planned: Model) -> Result<Model, Failure<Model>> {
        let common = &planned.version;
        let s3 = common.s3()?;
        let created = ctx
            .api
            .create_service_template_version(
                NewTemplateVersion {
                    template_name: &common.template_name,
                    major_version: common.major_version.as_deref(),
                    description: common.description.as_deref(),
                    bucket: &s3.bucket,
                    key: &s3.key,
                    client_token: &ctx.client_token,
                    tags: &ctx.tags,
                },
                &planned.compatible(),
                planned.supported_component_sources.as_deref(),
            )
            .await?;
        let key = version::Model::reported(&created, None);
        let id = key.id()?;
        let (registered_version, registered) = wait_for_registration(
            ctx,
            "service template version registration",
            created,
            || ctx.api.get_service_template_version(id),
        )
        .await;
        let mut state = Model::reported(&registered_version, common.source.clone());
        if let Err(error) = registered {
            return Err(Failure::with_state(error, state));
        }
        if common.status.as_deref() == Some(PUBLISHED) {
            let publish = ServiceVersionChanges {
                common: VersionChanges {
                    description: None,
                    status: Some(PUBLISHED),
                },
                ..ServiceVersionChanges::default()
            };
            match ctx.api.update_service_template_version(id, publish).await {
                Ok(published) => state = Model::reported(&published, common.source.clone()),
                Err(error) => return Err(Failure::with_state(error.into(), state)),
            }
        }
        Ok(state)
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        let Some(found) = ctx
            .api
            .get_service_template_version(current.version.id()?)
            .await?
        else {
            return Ok(None);
        };
        let mut model = Model::reported(&found, current.version.source.clone());
        model.keep_order_of(&current);
        Ok(Some(model))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let id = prior.version.id()?;
        let get = || ctx.api.get_service_template_version(id);
        let Some(current) = get().await? else {
            return Err(Error::Api(ApiError::NotFound(format!(
                "version {}.{} of service template {} no longer exists",
                id.major_version, id.minor_version, id.template_name
            )))
            .into());
        };
        let (current, registered) =
            wait_for_registration(ctx, "service template version registration", current, get).await;
        if let Err(error) = registered {
            return Err(Failure::with_state(
                error,
                Model::reported(&current, prior.version.source),
            ));
        }
        let compatible = planned.compatible();
        let sources = planned
            .supported_component_sources
            .clone()
            .unwrap_or_default();
        let changes = ServiceVersionChanges {
            common: planned.version.changes_from(&prior.version),
            compatible_environment_templates: (planned.compatible_set() != prior.compatible_set())
                .then_some(compatible.as_slice()),
            supported_component_sources: (planned.sources_set() != prior.sources_set())
                .then_some(sources.as_slice()),
        };
        let nothing = changes.common.description.is_none()
            && changes.common.status.is_none()
            && changes.compatible_environment_templates.is_none()
            && changes.supported_component_sources.is_none();
        if nothing {
            return Ok(Model::reported(&current, planned.version.source));
        }
        match ctx.api.update_service_template_version(id, changes).await {
            Ok(updated) => Ok(Model::reported(&updated, planned.version.source)),
            Err(error) => Err(Failure::with_state(
                error.into(),
                Model::reported(&current, prior.version.source),
            )),
        }
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        Ok(ctx
            .api
            .delete_service_template_version(current.version.id()?)
            .await?)
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Versions of service templates: of one template (and major version), or of every \
                service template in the account and region. Proton does not report a version's `source`: \
                generated configuration leaves it for you to fill in before importing.",
            filters: list_filters::version_filters("service"),
        })
    }

    async fn list(&self, ctx: &Ctx, filter: &Value) -> Result<Vec<Model>, Error> {
        let filter: VersionFilter = list_filters::read(filter)?;
        let major_version = filter.major_version.as_deref();
        let versions = filter
            .versions(
                || ctx.api.list_service_templates(),
                |template| async move {
                    ctx.api
                        .list_service_template_versions(&template, major_version)
                        .await
                },
            )
            .await?;
        Ok(versions
            .iter()
            .map(|v| Model {
                version: version::Model::key(
                    v.template_name(),
                    v.major_version(),
                    v.minor_version(),
                ),
                ..Model::default()
            })
            .collect())
    }
}
