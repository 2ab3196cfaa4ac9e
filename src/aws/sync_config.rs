//! Template sync configurations and service sync configurations.

use aws_sdk_proton::types::{
    RepositoryProvider, ServiceSyncConfig, TemplateSyncConfig, TemplateType,
};

use super::{ApiError, Proton, classify, found, gone};

/// Where a template is synced from.
#[derive(Clone, Copy, Debug)]
pub struct TemplateSync<'a> {
    pub template_name: &'a str,
    pub template_type: &'a str,
    pub repository_provider: &'a str,
    pub repository_name: &'a str,
    pub branch: &'a str,
    pub subdirectory: Option<&'a str>,
}

/// Where a service's specification is synced from.
#[derive(Clone, Copy, Debug)]
pub struct ServiceSync<'a> {
    pub service_name: &'a str,
    pub repository_provider: &'a str,
    pub repository_name: &'a str,
    pub branch: &'a str,
    pub file_path: &'a str,
}

fn no_config(what: &str) -> ApiError {
    ApiError::Transport(format!("the response holds no {what}"))
}

impl Proton {
    pub async fn create_template_sync_config(
        &self,
        sync: TemplateSync<'_>,
    ) -> Result<TemplateSyncConfig, ApiError> {
        self.client
            .create_template_sync_config()
            .template_name(sync.template_name)
            .template_type(TemplateType::from(sync.template_type))
            .repository_provider(RepositoryProvider::from(sync.repository_provider))
            .repository_name(sync.repository_name)
            .branch(sync.branch)
            .set_subdirectory(sync.subdirectory.map(str::to_string))
            .send()
            .await
            .map_err(classify)?
            .template_sync_config
            .ok_or_else(|| no_config("template sync configuration"))
    }

    pub async fn get_template_sync_config(
        &self,
        template_name: &str,
        template_type: &str,
    ) -> Result<Option<TemplateSyncConfig>, ApiError> {
        found(
            self.client
                .get_template_sync_config()
                .template_name(template_name)
                .template_type(TemplateType::from(template_type))
                .send()
                .await
                .map_err(classify),
        )
        .map(|output| output.and_then(|o| o.template_sync_config))
    }

    pub async fn update_template_sync_config(
        &self,
        sync: TemplateSync<'_>,
    ) -> Result<TemplateSyncConfig, ApiError> {
        self.client
            .update_template_sync_config()
            .template_name(sync.template_name)
            .template_type(TemplateType::from(sync.template_type))
            .repository_provider(RepositoryProvider::from(sync.repository_provider))
            .repository_name(sync.repository_name)
            .branch(sync.branch)
            .set_subdirectory(sync.subdirectory.map(str::to_string))
            .send()
            .await
            .map_err(classify)?
            .template_sync_config
            .ok_or_else(|| no_config("template sync configuration"))
    }

    pub async fn delete_template_sync_config(
        &self,
        template_name: &str,
        template_type: &str,
    ) -> Result<(), ApiError> {
        gone(
            self.client
                .delete_template_sync_config()
                .template_name(template_name)
                .template_type(TemplateType::from(template_type))
                .send()
                .await
                .map(|_| ())
                .map_err(classify),
        )
    }

    pub async fn create_service_sync_config(
        &self,
        sync: ServiceSync<'_>,
    ) -> Result<ServiceSyncConfig, ApiError> {
        self.client
            .create_service_sync_config()
            .service_name(sync.service_name)
            .repository_provider(RepositoryProvider::from(sync.repository_provider))
            .repository_name(sync.repository_name)
            .branch(sync.branch)
            .file_path(sync.file_path)
            .send()
            .await
            .map_err(classify)?
            .service_sync_config
            .ok_or_else(|| no_config("service sync configuration"))
    }

    pub async fn get_service_sync_config(
        &self,
        service_name: &str,
    ) -> Result<Option<ServiceSyncConfig>, ApiError> {
        found(
            self.client
                .get_service_sync_config()
                .service_name(service_name)
                .send()
                .await
                .map_err(classify),
        )
        .map(|output| output.and_then(|o| o.service_sync_config))
    }

    pub async fn update_service_sync_config(
        &self,
        sync: ServiceSync<'_>,
    ) -> Result<ServiceSyncConfig, ApiError> {
        self.client
            .update_service_sync_config()
            .service_name(sync.service_name)
            .repository_provider(RepositoryProvider::from(sync.repository_provider))
            .repository_name(sync.repository_name)
            .branch(sync.branch)
            .file_path(sync.file_path)
            .send()
            .await
            .map_err(classify)?
            .service_sync_config
            .ok_or_else(|| no_config("service sync configuration"))
    }

    pub async fn delete_service_sync_config(&self, service_name: &str) -> Result<(), ApiError> {
        gone(
            self.client
                .delete_service_sync_config()
                .service_name(service_name)
                .send()
                .await
                .map(|_| ())
                .map_err(classify),
        )
    }
}
