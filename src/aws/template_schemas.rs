//! The parsed schema of a template version, fetched once per version for the life of the provider
//! process: a version's schema never changes, and a plan of many environments of one version should
//! cost one GetEnvironmentTemplateVersion, not one per environment.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use proton_spec::TemplateSchema;
use tokio::sync::Mutex as AsyncMutex;

use super::{ApiError, Proton, TemplateKind, VersionId};

/// What a template version offers to check specs against.
#[derive(Clone, Debug)]
pub enum VersionSchema {
    /// Proton holds no such version (yet: it may be created later in the same apply).
    Missing,
    /// The version has no schema, or one this provider cannot read (Proton checks specs itself).
    Unusable,
    Parsed(Arc<TemplateSchema>),
}

type VersionKey = (TemplateKind, String, String, String);
type MajorKey = (TemplateKind, String, String);

/// Answers by key. Each key has its own async lock, held while its answer is fetched, so that the
/// many resources a plan checks at once wait for one fetch instead of each making its own.
#[derive(Debug)]
struct Slots<K, V>(Mutex<HashMap<K, Arc<AsyncMutex<Option<V>>>>>);

impl<K, V> Default for Slots<K, V> {
    fn default() -> Self {
        Self(Mutex::default())
    }
}

impl<K: Hash + Eq, V> Slots<K, V> {
    fn slot(&self, key: K) -> Arc<AsyncMutex<Option<V>>> {
        Arc::clone(
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key)
                .or_default(),
        )
    }
}

/// Shared by every clone of a [`Proton`] client.
#[derive(Debug, Default)]
pub(super) struct SchemaMemo {
    schemas: Slots<VersionKey, VersionSchema>,
    recommended_minors: Slots<MajorKey, String>,
}

impl Proton {
    /// The schema of a version, from memory after the first fetch. A version not found is not
    /// remembered: it may be registered later in the same run.
    pub async fn template_schema(
        &self,
        kind: TemplateKind,
        id: VersionId<'_>,
    ) -> Result<VersionSchema, ApiError> {
        let key = (
            kind,
            id.template_name.to_string(),
            id.major_version.to_string(),
            id.minor_version.to_string(),
        );
        let slot = self.memo.schemas.slot(key);
        let mut known = slot.lock().await;
        if let Some(schema) = known.as_ref() {
            return Ok(schema.clone());
        }
        let Some(version) = self.get_template_version(kind, id).await? else {
            return Ok(VersionSchema::Missing);
        };
        let schema = match version.schema.as_deref().filter(|s| !s.trim().is_empty()) {
            None => VersionSchema::Unusable,
            Some(text) => match TemplateSchema::parse(text) {
                Ok(parsed) => VersionSchema::Parsed(Arc::new(parsed)),
                Err(error) => {
                    tracing::warn!(
                        template = id.template_name,
                        version = %format!("{}.{}", id.major_version, id.minor_version),
                        %error,
                        "the template version's schema could not be read; its specs are left to Proton to check"
                    );
                    VersionSchema::Unusable
                }
            },
        };
        *known = Some(schema.clone());
        Ok(schema)
    }

    /// The recommended (newest published) minor version of a major version, `None` when it has no
    /// published version. `remembered`: answer from memory when asked before in this process (for
    /// plans, during which no version is published); applies ask afresh.
    pub async fn recommended_minor(
        &self,
        kind: TemplateKind,
        template_name: &str,
        major_version: &str,
        remembered: bool,
    ) -> Result<Option<String>, ApiError> {
        let key = (kind, template_name.to_string(), major_version.to_string());
        let slot = self.memo.recommended_minors.slot(key);
        let mut known = slot.lock().await;
        if remembered && let Some(minor) = known.as_ref() {
            return Ok(Some(minor.clone()));
        }
        let found = match kind {
            TemplateKind::Environment => self
                .list_environment_template_versions(template_name, Some(major_version))
                .await?
                .iter()
                .find_map(|v| v.recommended_minor_version().map(str::to_string)),
            TemplateKind::Service => self
                .list_service_template_versions(template_name, Some(major_version))
                .await?
                .iter()
                .find_map(|v| v.recommended_minor_version().map(str::to_string)),
        };
        if found.is_some() {
            known.clone_from(&found);
        }
        Ok(found)
    }
}
