//! `proton_environment_template_version`: one registered version of an environment template, plus what
//! both kinds of template version share (schema, model, registration wait), which
//! `proton_service_template_version` builds on.

use std::future::Future;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::aws::types::{
    EnvironmentTemplateVersion as ApiVersion, ServiceTemplateVersion, TemplateVersionStatus,
};
use crate::aws::{ApiError, NewTemplateVersion, VersionChanges, VersionId, timestamp};
use crate::engine::wait::{Poll, wait_for};
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Nesting, Validator};

use crate::shared::attributes;
use crate::shared::list_filters::{self, VersionFilter};

pub struct EnvironmentTemplateVersion;

pub const DRAFT: &str = "DRAFT";
pub const PUBLISHED: &str = "PUBLISHED";

/// The bundle in S3 a version is registered from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct S3Object {
    pub bucket: String,
    pub key: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub s3: Option<S3Object>,
}

/// The state of a template version; service template versions add their own fields to it.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Model {
    pub template_name: String,
    pub major_version: Option<String>,
    pub minor_version: Option<String>,
    /// Proton never reports the source: it is kept from the configuration (null after an import).
    pub source: Option<Source>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub status_message: Option<String>,
    pub recommended_minor_version: Option<String>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
}

/// What both kinds of version the API returns have in common.
pub trait ApiTemplateVersion: Send + Sync {
    fn template_name(&self) -> &str;
    fn major_version(&self) -> &str;
    fn minor_version(&self) -> &str;
    fn status(&self) -> &TemplateVersionStatus;
    fn status_message(&self) -> Option<&str>;
    fn description(&self) -> Option<&str>;
    fn recommended_minor_version(&self) -> Option<&str>;
    fn arn(&self) -> &str;
    fn created_at(&self) -> String;
    fn last_modified_at(&self) -> String;
}

macro_rules! api_template_version {
    ($ty:ty) => {
        impl ApiTemplateVersion for $ty {
            fn template_name(&self) -> &str {
                <$ty>::template_name(self)
            }
            fn major_version(&self) -> &str {
                <$ty>::major_version(self)
            }
            fn minor_version(&self) -> &str {
                <$ty>::minor_version(self)
            }
            fn status(&self) -> &TemplateVersionStatus {
                <$ty>::status(self)
            }
            fn status_message(&self) -> Option<&str> {
                <$ty>::status_message(self)
            }
            fn description(&self) -> Option<&str> {
                <$ty>::description(self)
            }
            fn recommended_minor_version(&self) -> Option<&str> {
                <$ty>::recommended_minor_version(self)
            }
            fn arn(&self) -> &str {
                <$ty>::arn(self)
            }
            fn created_at(&self) -> String {
                timestamp(<$ty>::created_at(self))
            }
            fn last_modified_at(&self) -> String {
                timestamp(<$ty>::last_modified_at(self))
            }
        }
    };
}

api_template_version!(ApiVersion);
api_template_version!(ServiceTemplateVersion);

impl Model {
    /// The version as Proton reports it, with the source the configuration gave.
    pub fn reported(version: &impl ApiTemplateVersion, source: Option<Source>) -> Self {
        Self {
            template_name: version.template_name().to_string(),
            major_version: Some(version.major_version().to_string()),
            minor_version: Some(version.minor_version().to_string()),
            source,
            // Proton stores a cleared description as "": null in Terraform.
            description: version
                .description()
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            status: Some(version.status().as_str().to_string()),
            status_message: version
                .status_message()
                .filter(|m| !m.is_empty())
                .map(str::to_string),
            recommended_minor_version: version.recommended_minor_version().map(str::to_string),
            arn: Some(version.arn().to_string()),
            created_at: Some(version.created_at()),
            last_modified_at: Some(version.last_modified_at()),
        }
    }

    /// A version known only by its key, as a listing names it.
    pub fn key(template_name: &str, major_version: &str, minor_version: &str) -> Self {
        Self {
            template_name: template_name.to_string(),
            major_version: Some(major_version.to_string()),
            minor_version: Some(minor_version.to_string()),
            ..Self::default()
        }
    }

    /// The version's key; it is complete for every object in state.
    pub fn id(&self) -> Result<VersionId<'_>, Error> {
        match (&self.major_version, &self.minor_version) {
            (Some(major), Some(minor)) => Ok(VersionId {
                template_name: &self.template_name,
                major_version: major,
                minor_version: minor,
            }),
            _ => Err(Error::Internal(format!(
                "the state of a version of template {} lacks its version numbers",
                self.template_name
            ))),
        }
    }

    pub fn s3(&self) -> Result<&S3Object, Error> {
        self.source
            .as_ref()
            .and_then(|s| s.s3.as_ref())
            .ok_or_else(|| Error::Invalid("source.s3 must be set to create a version".into()))
    }

    /// What an update must send for the description and status (`None`: nothing to change).
    pub fn changes_from<'a>(&'a self, prior: &Model) -> VersionChanges<'a> {
        let description = (self.description != prior.description)
            .then(|| self.description.as_deref().unwrap_or_default());
        // Only publishing is an update; going back to DRAFT is planned as a replacement.
        let status = (self.status.as_deref() == Some(PUBLISHED)
            && prior.status.as_deref() != Some(PUBLISHED))
        .then_some(PUBLISHED);
        VersionChanges {
            description,
            status,
        }
    }
}

/// A published version cannot return to DRAFT and a failed registration cannot be retried: both need a
/// new version.
fn status_replaces(prior: &Value, planned: &Value) -> bool {
    matches!(
        (prior.as_str(), planned.as_str()),
        (Some("REGISTRATION_FAILED"), _) | (Some(PUBLISHED), Some(DRAFT))
    )
}

/// The source cannot be read back, so after an import it is recorded from the configuration in place.
fn source_replaces(prior: &Value, _planned: &Value) -> bool {
    !prior.is_null()
}

/// How long a registration may take unless `timeouts.create` says otherwise.
pub const REGISTRATION_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The attributes every template version has, in schema order.
pub fn version_attributes(kind: &str) -> Vec<Attribute> {
    vec![
        attributes::resource_name("template_name")
            .required()
            .requires_replace()
            .describe(&format!("Name of the {kind} template the version belongs to.")),
        attributes::version_part("major_version")
            .optional_computed()
            .requires_replace()
            .use_state_for_unknown()
            .describe(
                "Major version to add a minor version to, as a string (`\"1\"`). Leave it unset to create a \
                 new major version; Proton then numbers it. To add a minor version to an existing major \
                 version, set it, typically from another version resource's `major_version`. Proton only adds \
                 minor versions to a major version that exists: when replacing the only version of a major \
                 version, use `lifecycle { create_before_destroy = true }`.",
            ),
        Attribute::string("minor_version")
            .computed()
            .use_state_for_unknown()
            .describe("Minor version Proton assigned, as a string (`\"0\"`)."),
        Attribute::nested(
            "source",
            Nesting::Single,
            vec![
                Attribute::nested(
                    "s3",
                    Nesting::Single,
                    vec![
                        Attribute::string("bucket")
                            .required()
                            .validate(Validator::length(3, 63))
                            .validate(Validator::pattern(
                                r"[a-z0-9]+[a-z0-9-\.]+[a-z0-9]+",
                                "must be an S3 bucket name",
                            ))
                            .describe("S3 bucket holding the template bundle."),
                        Attribute::string("key")
                            .required()
                            .validate(Validator::length(1, 1024))
                            .describe("S3 key of the template bundle (a `.tar.gz`)."),
                    ],
                )
                .required()
                .describe("The template bundle in S3."),
            ],
        )
        .required()
        .requires_replace_if(
            "a recorded source changes (a new bundle registers a new version)",
            source_replaces,
        )
        .describe(
            "Where the template bundle is registered from. Proton does not report the source: after an \
             import, the configured value is recorded in place without touching the version.",
        ),
        attributes::description()
            .optional()
            .describe("Description of the version."),
        Attribute::string("status")
            .default_value(Value::string(DRAFT))
            .validate(Validator::one_of(&[DRAFT, PUBLISHED]))
            .requires_replace_if(
                "a published version is set back to `DRAFT`, or the registration failed",
                status_replaces,
            )
            .describe(
                "`DRAFT` (default) or `PUBLISHED`. Changing `DRAFT` to `PUBLISHED` publishes the version in \
                 place. Proton cannot turn a published version back into a draft, so setting `DRAFT` on a \
                 published version replaces it with a new draft version; a version whose registration failed \
                 is likewise replaced.",
            ),
        Attribute::string("status_message")
            .computed()
            .describe("Why the version has its status, e.g. why registration failed."),
        Attribute::string("recommended_minor_version")
            .computed()
            .describe("The recommended (newest published) minor version of this major version."),
        attributes::arn(&format!("{kind} template version")),
        attributes::created_at(&format!("{kind} template version")),
        attributes::last_modified_at(&format!("{kind} template version")),
    ]
}

/// Waits while `version` is REGISTRATION_IN_PROGRESS. Returns the last version seen and how the wait
/// ended: a failed registration is an error, as are a timeout and Terraform stopping.
pub async fn wait_for_registration<T, F, Fut>(
    ctx: &Ctx,
    what: &str,
    mut version: T,
    get: F,
) -> (T, Result<(), Error>)
where
    T: ApiTemplateVersion,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    if *version.status() == TemplateVersionStatus::RegistrationInProgress {
        let waited = wait_for(ctx, what, || async {
            Ok(match get().await? {
                None => Poll::Failed(format!("the {what} target disappeared while registering")),
                Some(found) if *found.status() == TemplateVersionStatus::RegistrationInProgress => {
                    Poll::Pending(found.status().as_str().to_string())
                }
                Some(found) => Poll::Done(found),
            })
        })
        .await;
        match waited {
            Ok(found) => version = found,
            Err(error) => return (version, Err(error)),
        }
    }
    let outcome = match version.status() {
        TemplateVersionStatus::RegistrationFailed => Err(Error::Failed(format!(
            "registration of version {}.{} of template {} failed: {}",
            version.major_version(),
            version.minor_version(),
            version.template_name(),
            version.status_message().unwrap_or("no reason given")
        ))),
        _ => Ok(()),
    };
    (version, outcome)
}

impl Resource for EnvironmentTemplateVersion {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "proton_environment_template_version",
            description: "A version of an AWS Proton environment template, registered from a template bundle \
                in S3. Creating it waits until Proton has registered the bundle; a failed registration leaves \
                the version in state as tainted, with the reason in `status_message`. Set `status = \
                \"PUBLISHED\"` to make the version available to environments. Proton refuses to delete a version \
                that deployed resources still use.",
            version: 0,
            attributes: version_attributes("environment"),
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
        let s3 = planned.s3()?;
        let created = ctx
            .api
            .create_environment_template_version(NewTemplateVersion {
                template_name: &planned.template_name,
                major_version: planned.major_version.as_deref(),
                description: planned.description.as_deref(),
                bucket: &s3.bucket,
                key: &s3.key,
                client_token: &ctx.client_token,
                tags: &ctx.tags,
            })
            .await?;
        let key = Model::reported(&created, None);
        let id = key.id()?;
        let (version, registered) = wait_for_registration(
            ctx,
            "environment template version registration",
            created,
            || ctx.api.get_environment_template_version(id),
        )
        .await;
        let mut state = Model::reported(&version, planned.source.clone());
        if let Err(error) = registered {
            return Err(Failure::with_state(error, state));
        }
        if planned.status.as_deref() == Some(PUBLISHED) {
            let publish = VersionChanges {
                description: None,
                status: Some(PUBLISHED),
            };
            match ctx
                .api
                .update_environment_template_version(id, publish)
                .await
            {
                Ok(published) => state = Model::reported(&published, planned.source.clone()),
                Err(error) => return Err(Failure::with_state(error.into(), state)),
            }
        }
        Ok(state)
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        Ok(ctx
            .api
            .get_environment_template_version(current.id()?)
            .await?
            .map(|version| Model::reported(&version, current.source.clone())))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let id = prior.id()?;
        let get = || ctx.api.get_environment_template_version(id);
        let Some(current) = get().await? else {
            return Err(Error::Api(ApiError::NotFound(format!(
                "version {}.{} of environment template {} no longer exists",
                id.major_version, id.minor_version, id.template_name
            )))
            .into());
        };
        // An imported version may still be registering: it can only be changed once registered.
        let (current, registered) = wait_for_registration(
            ctx,
            "environment template version registration",
            current,
            get,
        )
        .await;
        if let Err(error) = registered {
            return Err(Failure::with_state(
                error,
                Model::reported(&current, prior.source),
            ));
        }
        let changes = planned.changes_from(&prior);
        if changes.description.is_none() && changes.status.is_none() {
            return Ok(Model::reported(&current, planned.source));
        }
        match ctx
            .api
            .update_environment_template_version(id, changes)
            .await
        {
            Ok(updated) => Ok(Model::reported(&updated, planned.source)),
            Err(error) => Err(Failure::with_state(
                error.into(),
                Model::reported(&current, prior.source),
            )),
        }
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        Ok(ctx
            .api
            .delete_environment_template_version(current.id()?)
            .await?)
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: "Versions of environment templates: of one template (and major version), or of every \
                environment template in the account and region. Proton does not report a version's `source`: \
                generated configuration leaves it for you to fill in before importing.",
            filters: list_filters::version_filters("environment"),
        })
    }

    async fn list(&self, ctx: &Ctx, filter: &Value) -> Result<Vec<Model>, Error> {
        let filter: VersionFilter = list_filters::read(filter)?;
        let major_version = filter.major_version.as_deref();
        let versions = filter
            .versions(
                || ctx.api.list_environment_templates(),
                |template| async move {
                    ctx.api
                        .list_environment_template_versions(&template, major_version)
                        .await
                },
            )
            .await?;
        Ok(versions
            .iter()
            .map(|v| Model::key(v.template_name(), v.major_version(), v.minor_version()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_changes_that_replace() {
        let s = Value::string;
        assert!(status_replaces(&s(PUBLISHED), &s(DRAFT)));
        assert!(status_replaces(&s("REGISTRATION_FAILED"), &s(DRAFT)));
        assert!(!status_replaces(&s(DRAFT), &s(PUBLISHED)));
        assert!(!status_replaces(&Value::Null, &s(DRAFT)));
    }

    #[test]
    fn updates_send_only_what_changed() {
        let prior = Model {
            description: Some("a".into()),
            status: Some(DRAFT.into()),
            ..Model::default()
        };
        let same = Model {
            description: Some("a".into()),
            status: Some(DRAFT.into()),
            ..Model::default()
        };
        let changes = same.changes_from(&prior);
        assert!(changes.description.is_none() && changes.status.is_none());
        let publish_and_clear = Model {
            description: None,
            status: Some(PUBLISHED.into()),
            ..Model::default()
        };
        let changes = publish_and_clear.changes_from(&prior);
        assert_eq!(changes.description, Some(""));
        assert_eq!(changes.status, Some(PUBLISHED));
    }
}
