//! Template sync configurations and service sync configurations.

use aws_sdk_proton::types::{
    RepositoryProvider, ServiceSyncConfig, TemplateSyncConfig, TemplateType,
};

use super::{
    ApiError, Proton, classify, deleted_or_already_gone, object_from_get, object_in_answer,
    own_on_conflict,
};

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

/// Sets a template sync's fields on a create or an update request (each its own SDK builder type
/// with the same setters), sends it and answers the configuration it returns.
macro_rules! send_template_sync {
    ($request:expr, $sync:expr) => {{
        let sync: TemplateSync<'_> = $sync;
        let output = $request
            .template_name(sync.template_name)
            .template_type(TemplateType::from(sync.template_type))
            .repository_provider(RepositoryProvider::from(sync.repository_provider))
            .repository_name(sync.repository_name)
            .branch(sync.branch)
            .set_subdirectory(sync.subdirectory.map(str::to_string))
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.template_sync_config, "template sync configuration")
    }};
}

/// [`send_template_sync`] for a service sync.
macro_rules! send_service_sync {
    ($request:expr, $sync:expr) => {{
        let sync: ServiceSync<'_> = $sync;
        let output = $request
            .service_name(sync.service_name)
            .repository_provider(RepositoryProvider::from(sync.repository_provider))
            .repository_name(sync.repository_name)
            .branch(sync.branch)
            .file_path(sync.file_path)
            .send()
            .await
            .map_err(classify)?;
        object_in_answer(output.service_sync_config, "service sync configuration")
    }};
}

impl Proton {
    /// Like [`Proton::create_repository`]: a configuration that exists and is exactly the one asked
    /// for is this create's own (a retried or re-run create), returned as created.
    pub async fn create_template_sync_config(
        &self,
        sync: TemplateSync<'_>,
    ) -> Result<TemplateSyncConfig, ApiError> {
        let created = self.create_template_sync_config_once(sync).await;
        own_on_conflict(created, || async {
            let existing = self
                .get_template_sync_config(sync.template_name, sync.template_type)
                .await?;
            Ok(existing.filter(|existing| same_template_sync(existing, &sync)))
        })
        .await
    }

    async fn create_template_sync_config_once(
        &self,
        sync: TemplateSync<'_>,
    ) -> Result<TemplateSyncConfig, ApiError> {
        send_template_sync!(self.client.create_template_sync_config(), sync)
    }

    pub async fn get_template_sync_config(
        &self,
        template_name: &str,
        template_type: &str,
    ) -> Result<Option<TemplateSyncConfig>, ApiError> {
        object_from_get(
            self.client
                .get_template_sync_config()
                .template_name(template_name)
                .template_type(TemplateType::from(template_type))
                .send()
                .await,
            |o| o.template_sync_config,
        )
    }

    pub async fn update_template_sync_config(
        &self,
        sync: TemplateSync<'_>,
    ) -> Result<TemplateSyncConfig, ApiError> {
        send_template_sync!(self.client.update_template_sync_config(), sync)
    }

    pub async fn delete_template_sync_config(
        &self,
        template_name: &str,
        template_type: &str,
    ) -> Result<(), ApiError> {
        deleted_or_already_gone(
            self.client
                .delete_template_sync_config()
                .template_name(template_name)
                .template_type(TemplateType::from(template_type))
                .send()
                .await,
        )
    }

    /// Adopts an identical existing configuration, like [`Proton::create_template_sync_config`].
    pub async fn create_service_sync_config(
        &self,
        sync: ServiceSync<'_>,
    ) -> Result<ServiceSyncConfig, ApiError> {
        let created = self.create_service_sync_config_once(sync).await;
        own_on_conflict(created, || async {
            let existing = self.get_service_sync_config(sync.service_name).await?;
            Ok(existing.filter(|existing| same_service_sync(existing, &sync)))
        })
        .await
    }

    async fn create_service_sync_config_once(
        &self,
        sync: ServiceSync<'_>,
    ) -> Result<ServiceSyncConfig, ApiError> {
        send_service_sync!(self.client.create_service_sync_config(), sync)
    }

    pub async fn get_service_sync_config(
        &self,
        service_name: &str,
    ) -> Result<Option<ServiceSyncConfig>, ApiError> {
        object_from_get(
            self.client
                .get_service_sync_config()
                .service_name(service_name)
                .send()
                .await,
            |o| o.service_sync_config,
        )
    }

    pub async fn update_service_sync_config(
        &self,
        sync: ServiceSync<'_>,
    ) -> Result<ServiceSyncConfig, ApiError> {
        send_service_sync!(self.client.update_service_sync_config(), sync)
    }

    pub async fn delete_service_sync_config(&self, service_name: &str) -> Result<(), ApiError> {
        deleted_or_already_gone(
            self.client
                .delete_service_sync_config()
                .service_name(service_name)
                .send()
                .await,
        )
    }
}

fn same_template_sync(existing: &TemplateSyncConfig, wanted: &TemplateSync<'_>) -> bool {
    existing.template_name() == wanted.template_name
        && existing.template_type().as_str() == wanted.template_type
        && existing.repository_provider().as_str() == wanted.repository_provider
        && existing.repository_name() == wanted.repository_name
        && existing.branch() == wanted.branch
        && existing.subdirectory().filter(|s| !s.is_empty())
            == wanted.subdirectory.filter(|s| !s.is_empty())
}

fn same_service_sync(existing: &ServiceSyncConfig, wanted: &ServiceSync<'_>) -> bool {
    existing.service_name() == wanted.service_name
        && existing.repository_provider().as_str() == wanted.repository_provider
        && existing.repository_name() == wanted.repository_name
        && existing.branch() == wanted.branch
        && existing.file_path() == wanted.file_path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configuration_asked_for_is_adopted() {
        let wanted = TemplateSync {
            template_name: "web",
            template_type: "ENVIRONMENT",
            repository_provider: "GITHUB",
            repository_name: "org/templates",
            branch: "main",
            subdirectory: None,
        };
        let existing = |branch: &str, subdirectory: Option<&str>| {
            TemplateSyncConfig::builder()
                .template_name("web")
                .template_type(TemplateType::Environment)
                .repository_provider(RepositoryProvider::Github)
                .repository_name("org/templates")
                .branch(branch)
                .set_subdirectory(subdirectory.map(str::to_string))
                .build()
                .expect("a complete configuration")
        };
        assert!(same_template_sync(&existing("main", None), &wanted));
        assert!(same_template_sync(&existing("main", Some("")), &wanted));
        assert!(!same_template_sync(&existing("dev", None), &wanted));
        assert!(!same_template_sync(
            &existing("main", Some("envs")),
            &wanted
        ));

        let service = ServiceSync {
            service_name: "api",
            repository_provider: "GITHUB",
            repository_name: "org/api",
            branch: "main",
            file_path: "proton/spec.yaml",
        };
        let existing = |path: &str| {
            ServiceSyncConfig::builder()
                .service_name("api")
                .repository_provider(RepositoryProvider::Github)
                .repository_name("org/api")
                .branch("main")
                .file_path(path)
                .build()
                .expect("a complete configuration")
        };
        assert!(same_service_sync(&existing("proton/spec.yaml"), &service));
        assert!(!same_service_sync(&existing("other.yaml"), &service));
    }
}
