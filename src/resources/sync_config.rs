//! `proton_template_sync_config` and `proton_service_sync_config`: keep a template's versions, or a
//! service's specification, in sync with a linked repository.

use serde::{Deserialize, Serialize};

use crate::aws::types::{
    ServiceSyncConfig as ApiServiceSync, TemplateSyncConfig as ApiTemplateSync,
};
use crate::aws::{ServiceSync, TemplateSync};
use crate::engine::{Ctx, Error, Failure, Resource, ResourceSpec, Timeouts};
use crate::tf::schema::{Attribute, Validator};

use crate::shared::attributes;

pub struct TemplateSyncConfig;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TemplateModel {
    pub template_name: String,
    pub template_type: String,
    // Options only in the model: an import starts from the key alone.
    pub repository_provider: Option<String>,
    pub repository_name: Option<String>,
    pub branch: Option<String>,
    pub subdirectory: Option<String>,
}

impl From<ApiTemplateSync> for TemplateModel {
    fn from(sync: ApiTemplateSync) -> Self {
        Self {
            template_name: sync.template_name().to_string(),
            template_type: sync.template_type().as_str().to_string(),
            repository_provider: Some(sync.repository_provider().as_str().to_string()),
            repository_name: Some(sync.repository_name().to_string()),
            branch: Some(sync.branch().to_string()),
            subdirectory: sync
                .subdirectory()
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        }
    }
}

impl TemplateModel {
    fn sync(&self) -> TemplateSync<'_> {
        TemplateSync {
            template_name: &self.template_name,
            template_type: &self.template_type,
            repository_provider: self.repository_provider.as_deref().unwrap_or_default(),
            repository_name: self.repository_name.as_deref().unwrap_or_default(),
            branch: self.branch.as_deref().unwrap_or_default(),
            subdirectory: self.subdirectory.as_deref(),
        }
    }
}

/// The repository arguments both sync configurations have.
fn repository_attributes() -> Vec<Attribute> {
    vec![
        attributes::repository_provider("repository_provider")
            .required()
            .describe("Where the linked repository is hosted."),
        attributes::repository_name("repository_name")
            .required()
            .describe("The linked repository as `owner/repository` (see `proton_repository`)."),
        attributes::branch("branch")
            .required()
            .describe("The branch to sync from."),
    ]
}

impl Resource for TemplateSyncConfig {
    type Model = TemplateModel;

    fn spec(&self) -> ResourceSpec {
        let mut attributes = vec![
            attributes::resource_name("template_name")
                .required()
                .requires_replace()
                .describe("Name of the template whose versions are synced."),
            Attribute::string("template_type")
                .required()
                .requires_replace()
                .validate(Validator::one_of(&["ENVIRONMENT", "SERVICE"]))
                .describe("`ENVIRONMENT` or `SERVICE`: which kind of template `template_name` is."),
        ];
        attributes.extend(repository_attributes());
        attributes.push(
            Attribute::string("subdirectory")
                .optional()
                .validate(Validator::length(1, 4096))
                .describe(
                    "Folder of the repository that holds the template bundles (default: the root).",
                ),
        );
        ResourceSpec {
            type_name: "proton_template_sync_config",
            description: "Registers new versions of an AWS Proton template from a linked repository whenever \
                its branch changes. The repository must be linked first (`proton_repository`).",
            version: 0,
            attributes,
            blocks: vec![],
            identity: &["template_name", "template_type"],
            tags: false,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: TemplateModel,
    ) -> Result<TemplateModel, Failure<TemplateModel>> {
        Ok(ctx
            .api
            .create_template_sync_config(planned.sync())
            .await?
            .into())
    }

    async fn read(
        &self,
        ctx: &Ctx,
        current: TemplateModel,
    ) -> Result<Option<TemplateModel>, Error> {
        Ok(ctx
            .api
            .get_template_sync_config(&current.template_name, &current.template_type)
            .await?
            .map(TemplateModel::from))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        _prior: TemplateModel,
        planned: TemplateModel,
    ) -> Result<TemplateModel, Failure<TemplateModel>> {
        Ok(ctx
            .api
            .update_template_sync_config(planned.sync())
            .await?
            .into())
    }

    async fn delete(&self, ctx: &Ctx, current: TemplateModel) -> Result<(), Error> {
        Ok(ctx
            .api
            .delete_template_sync_config(&current.template_name, &current.template_type)
            .await?)
    }
}

pub struct ServiceSyncConfig;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ServiceModel {
    pub service_name: String,
    // Options only in the model: an import starts from the key alone.
    pub repository_provider: Option<String>,
    pub repository_name: Option<String>,
    pub branch: Option<String>,
    pub file_path: Option<String>,
}

impl From<ApiServiceSync> for ServiceModel {
    fn from(sync: ApiServiceSync) -> Self {
        Self {
            service_name: sync.service_name().to_string(),
            repository_provider: Some(sync.repository_provider().as_str().to_string()),
            repository_name: Some(sync.repository_name().to_string()),
            branch: Some(sync.branch().to_string()),
            file_path: Some(sync.file_path().to_string()),
        }
    }
}

impl ServiceModel {
    fn sync(&self) -> ServiceSync<'_> {
        ServiceSync {
            service_name: &self.service_name,
            repository_provider: self.repository_provider.as_deref().unwrap_or_default(),
            repository_name: self.repository_name.as_deref().unwrap_or_default(),
            branch: self.branch.as_deref().unwrap_or_default(),
            file_path: self.file_path.as_deref().unwrap_or_default(),
        }
    }
}

impl Resource for ServiceSyncConfig {
    type Model = ServiceModel;

    fn spec(&self) -> ResourceSpec {
        let mut attributes = vec![
            attributes::resource_name("service_name")
                .required()
                .requires_replace()
                .describe("Name of the service whose specification is synced."),
        ];
        attributes.extend(repository_attributes());
        attributes.push(
            Attribute::string("file_path")
                .required()
                .validate(Validator::length(1, 4096))
                .describe(
                    "Path of the Proton ops file in the repository (e.g. `proton-ops.yaml`).",
                ),
        );
        ResourceSpec {
            type_name: "proton_service_sync_config",
            description: "Keeps an AWS Proton service's specification in sync with a file in a linked \
                repository (service sync). The repository must be linked first (`proton_repository`).",
            version: 0,
            attributes,
            blocks: vec![],
            identity: &["service_name"],
            tags: false,
            timeouts: Timeouts::NONE,
            rules: vec![],
        }
    }

    async fn create(
        &self,
        ctx: &Ctx,
        planned: ServiceModel,
    ) -> Result<ServiceModel, Failure<ServiceModel>> {
        Ok(ctx
            .api
            .create_service_sync_config(planned.sync())
            .await?
            .into())
    }

    async fn read(&self, ctx: &Ctx, current: ServiceModel) -> Result<Option<ServiceModel>, Error> {
        Ok(ctx
            .api
            .get_service_sync_config(&current.service_name)
            .await?
            .map(ServiceModel::from))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        _prior: ServiceModel,
        planned: ServiceModel,
    ) -> Result<ServiceModel, Failure<ServiceModel>> {
        Ok(ctx
            .api
            .update_service_sync_config(planned.sync())
            .await?
            .into())
    }

    async fn delete(&self, ctx: &Ctx, current: ServiceModel) -> Result<(), Error> {
        Ok(ctx
            .api
            .delete_service_sync_config(&current.service_name)
            .await?)
    }
}
