//! Where repository syncs stand: repository and template sync status, service instance sync status,
//! sync definitions and service sync blockers (read-only).

use aws_sdk_proton::types::{
    RepositoryProvider, RepositorySyncAttempt, RepositorySyncDefinition, ResourceSyncAttempt,
    Revision, ServiceSyncBlockerSummary, SyncType, TemplateType,
};

use super::{ApiError, Proton, all_items, classify};

/// A repository branch's sync of one kind (`TEMPLATE_SYNC` or `SERVICE_SYNC`).
#[derive(Clone, Copy, Debug)]
pub struct RepositorySync<'a> {
    pub provider: &'a str,
    pub name: &'a str,
    pub sync_type: &'a str,
}

/// Where a template or service instance sync stands.
#[derive(Clone, Debug, Default)]
pub struct ResourceSyncStatus {
    pub latest_sync: Option<ResourceSyncAttempt>,
    pub latest_successful_sync: Option<ResourceSyncAttempt>,
    pub desired_state: Option<Revision>,
}

impl Proton {
    /// The latest sync of a repository branch; `None` when it has not synced yet.
    pub async fn get_repository_sync_status(
        &self,
        repository: RepositorySync<'_>,
        branch: &str,
    ) -> Result<Option<RepositorySyncAttempt>, ApiError> {
        Ok(self
            .client
            .get_repository_sync_status()
            .repository_provider(RepositoryProvider::from(repository.provider))
            .repository_name(repository.name)
            .sync_type(SyncType::from(repository.sync_type))
            .branch(branch)
            .send()
            .await
            .map_err(classify)?
            .latest_sync)
    }

    /// What a repository syncs of one kind: one definition per synced template or service.
    pub async fn list_repository_sync_definitions(
        &self,
        repository: RepositorySync<'_>,
    ) -> Result<Vec<RepositorySyncDefinition>, ApiError> {
        all_items!(
            self.client
                .list_repository_sync_definitions()
                .repository_provider(RepositoryProvider::from(repository.provider))
                .repository_name(repository.name)
                .sync_type(SyncType::from(repository.sync_type))
        )
    }

    /// The sync status of a template's major version (`ENVIRONMENT` or `SERVICE` template).
    pub async fn get_template_sync_status(
        &self,
        template_name: &str,
        template_type: &str,
        template_version: &str,
    ) -> Result<ResourceSyncStatus, ApiError> {
        let output = self
            .client
            .get_template_sync_status()
            .template_name(template_name)
            .template_type(TemplateType::from(template_type))
            .template_version(template_version)
            .send()
            .await
            .map_err(classify)?;
        Ok(ResourceSyncStatus {
            latest_sync: output.latest_sync,
            latest_successful_sync: output.latest_successful_sync,
            desired_state: output.desired_state,
        })
    }

    pub async fn get_service_instance_sync_status(
        &self,
        service_name: &str,
        service_instance_name: &str,
    ) -> Result<ResourceSyncStatus, ApiError> {
        let output = self
            .client
            .get_service_instance_sync_status()
            .service_name(service_name)
            .service_instance_name(service_instance_name)
            .send()
            .await
            .map_err(classify)?;
        Ok(ResourceSyncStatus {
            latest_sync: output.latest_sync,
            latest_successful_sync: output.latest_successful_sync,
            desired_state: output.desired_state,
        })
    }

    /// The latest sync blockers of a service, or of one of its instances.
    pub async fn get_service_sync_blocker_summary(
        &self,
        service_name: &str,
        service_instance_name: Option<&str>,
    ) -> Result<Option<ServiceSyncBlockerSummary>, ApiError> {
        Ok(self
            .client
            .get_service_sync_blocker_summary()
            .service_name(service_name)
            .set_service_instance_name(service_instance_name.map(str::to_string))
            .send()
            .await
            .map_err(classify)?
            .service_sync_blocker_summary)
    }
}
