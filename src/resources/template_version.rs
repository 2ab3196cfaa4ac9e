//! `proton_environment_template_version` and `proton_service_template_version`: one registered version
//! of a template. The two kinds differ in names and in what a service template version adds
//! (compatible environment templates, supported component sources), so one resource takes the kind as
//! a value and is registered once per kind, as [`super::template`] is.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::aws::types::TemplateVersionStatus;
use crate::aws::{
    ApiError, CompatibleTemplate, NewTemplateVersion, TemplateKind, TemplateVersion as ApiVersion,
    VersionChanges, VersionId, VersionNumbers, timestamp,
};
use crate::engine::wait::{Poll, wait_for};
use crate::engine::{Ctx, Error, Failure, ListSpec, Resource, ResourceSpec, Timeouts};
use crate::tf::Value;
use crate::tf::schema::{Attribute, Nesting, Validator};

use crate::shared::attributes;
use crate::shared::list_filters::{self, VersionFilter};

/// A template version resource of one kind.
pub struct TemplateVersion(pub TemplateKind);

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

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Compatible {
    pub template_name: String,
    pub major_version: String,
}

/// What only a service template version has. The fields must be there (null or not:
/// `deserialize_with` makes a missing one an error), so an environment template version's state,
/// which lacks them, reads as `None`.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct ServiceFields {
    #[serde(deserialize_with = "Option::deserialize")]
    pub compatible_environment_templates: Option<Vec<Compatible>>,
    #[serde(deserialize_with = "Option::deserialize")]
    pub supported_component_sources: Option<Vec<String>>,
}

/// The state of a template version, whichever its kind.
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
    /// The bundle's `schema/schema.yaml`, as Proton returns it.
    pub schema: Option<String>,
    pub arn: Option<String>,
    pub created_at: Option<String>,
    pub last_modified_at: Option<String>,
    #[serde(flatten)]
    pub service: Option<ServiceFields>,
}

/// A service template version's fields for `kind`: there, but empty, for a service template version.
fn service_fields(kind: TemplateKind) -> Option<ServiceFields> {
    (kind == TemplateKind::Service).then(ServiceFields::default)
}

impl Model {
    /// The version as Proton reports it, with the source the configuration gave.
    pub fn reported(kind: TemplateKind, version: &ApiVersion, source: Option<Source>) -> Self {
        let compatible: Vec<Compatible> = version
            .compatible_environment_templates
            .iter()
            .map(|c| Compatible {
                template_name: c.template_name.clone(),
                major_version: c.major_version.clone(),
            })
            .collect();
        let sources = version.supported_component_sources.clone();
        Self {
            template_name: version.template_name.clone(),
            major_version: Some(version.major_version.clone()),
            minor_version: Some(version.minor_version.clone()),
            source,
            // Proton stores a cleared description as "": null in Terraform.
            description: version.description.clone().filter(|d| !d.is_empty()),
            status: Some(version.status.as_str().to_string()),
            status_message: version.status_message.clone().filter(|m| !m.is_empty()),
            recommended_minor_version: version.recommended_minor_version.clone(),
            schema: version.schema.clone().filter(|s| !s.is_empty()),
            arn: Some(version.arn.clone()),
            created_at: Some(timestamp(&version.created_at)),
            last_modified_at: Some(timestamp(&version.last_modified_at)),
            service: service_fields(kind).map(|_| ServiceFields {
                compatible_environment_templates: (!compatible.is_empty()).then_some(compatible),
                // No sources and an empty list mean the same; null keeps the plan clean when unset.
                supported_component_sources: (!sources.is_empty()).then_some(sources),
            }),
        }
    }

    /// A version known only by its key, as a listing names it.
    pub fn key(
        kind: TemplateKind,
        template_name: &str,
        major_version: &str,
        minor_version: &str,
    ) -> Self {
        Self {
            template_name: template_name.to_string(),
            major_version: Some(major_version.to_string()),
            minor_version: Some(minor_version.to_string()),
            service: service_fields(kind),
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

    /// The compatible templates in their configured order.
    fn compatible(&self) -> Vec<CompatibleTemplate> {
        self.compatible_list()
            .map(|c| CompatibleTemplate {
                template_name: c.template_name.clone(),
                major_version: c.major_version.clone(),
            })
            .collect()
    }

    fn compatible_list(&self) -> impl Iterator<Item = &Compatible> {
        self.service
            .iter()
            .flat_map(|s| s.compatible_environment_templates.iter().flatten())
    }

    fn compatible_set(&self) -> BTreeSet<&Compatible> {
        self.compatible_list().collect()
    }

    fn sources(&self) -> Option<&[String]> {
        self.service
            .as_ref()
            .and_then(|s| s.supported_component_sources.as_deref())
    }

    fn sources_set(&self) -> BTreeSet<&String> {
        self.sources().into_iter().flatten().collect()
    }

    /// Keeps the stored order of the compatible templates when Proton reports the same ones in another.
    fn keep_order_of(&mut self, stored: &Model) {
        if self.compatible_set() == stored.compatible_set()
            && let (Some(mine), Some(theirs)) = (self.service.as_mut(), stored.service.as_ref())
        {
            mine.compatible_environment_templates = theirs.compatible_environment_templates.clone();
        }
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
            ..VersionChanges::default()
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
fn version_attributes(kind: &str) -> Vec<Attribute> {
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
        .required_to_create()
        .requires_replace_if(
            "a recorded source changes (a new bundle registers a new version)",
            source_replaces,
        )
        .describe(
            "Where the template bundle is registered from. Proton does not report the source, so an \
             imported version (and the configuration `-generate-config-out` writes for it) needs none; \
             set later, it is recorded in place without touching the version.",
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
        Attribute::string("schema")
            .computed()
            .use_state_for_unknown()
            .describe(
                "The version's input schema (the bundle's `schema/schema.yaml`, as YAML text). Plans \
                 check the specs of environments, services, service instances and pipelines against \
                 it.",
            ),
        attributes::arn(&format!("{kind} template version")),
        attributes::created_at(&format!("{kind} template version")),
        attributes::last_modified_at(&format!("{kind} template version")),
    ]
}

/// Waits while `version` is REGISTRATION_IN_PROGRESS. Returns the last version seen and how the wait
/// ended: a failed registration is an error, as are a timeout and Terraform stopping.
async fn wait_for_registration(
    ctx: &Ctx,
    kind: TemplateKind,
    mut version: ApiVersion,
) -> (ApiVersion, Result<(), Error>) {
    let what = format!("{} template version registration", kind.word());
    if version.status == TemplateVersionStatus::RegistrationInProgress {
        let id = VersionId {
            template_name: &version.template_name,
            major_version: &version.major_version,
            minor_version: &version.minor_version,
        };
        let waited = wait_for(ctx, &what, || async {
            Ok(match ctx.api.get_template_version(kind, id).await? {
                None => Poll::Failed(format!("the {what} target disappeared while registering")),
                Some(found) if found.status == TemplateVersionStatus::RegistrationInProgress => {
                    Poll::Pending(found.status.as_str().to_string())
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
    let outcome = match version.status {
        TemplateVersionStatus::RegistrationFailed => Err(Error::Failed(format!(
            "registration of version {}.{} of template {} failed: {}",
            version.major_version,
            version.minor_version,
            version.template_name,
            version
                .status_message
                .as_deref()
                .unwrap_or("no reason given")
        ))),
        _ => Ok(()),
    };
    (version, outcome)
}

/// What the two template version resources say differently.
struct Words {
    type_name: &'static str,
    description: &'static str,
    list: &'static str,
}

impl TemplateVersion {
    fn words(&self) -> Words {
        match self.0 {
            TemplateKind::Environment => Words {
                type_name: "proton_environment_template_version",
                description: "A version of an AWS Proton environment template, registered from a template bundle \
                    in S3. Creating it waits until Proton has registered the bundle; a failed registration leaves \
                    the version in state as tainted, with the reason in `status_message`. Set `status = \
                    \"PUBLISHED\"` to make the version available to environments. Proton refuses to delete a version \
                    that deployed resources still use.\n\n\
                    Proton deletes the recommended version (the newest published minor of a major) only as the \
                    last minor of its major, and the recommended major only as the last version of the template, \
                    while Terraform destroys a minor version before the version whose `major_version` it names. \
                    So when Proton refuses to delete the recommended version because others remain, destroying it \
                    succeeds: the provider tags the version `terraform-provider-proton:deferred-delete` and \
                    deletes it as soon as Proton allows, at the next delete of a version of the same template or \
                    of the template itself. `terraform destroy` removes every version; replacing the recommended \
                    version leaves the old one (tagged) until then.",
                list: "Versions of environment templates: of one template (and major version), or of every \
                    environment template in the account and region. Proton does not report a version's `source`: \
                    generated configuration leaves it for you to fill in before importing.",
            },
            TemplateKind::Service => Words {
                type_name: "proton_service_template_version",
                description: "A version of an AWS Proton service template, registered from a template bundle in \
                    S3. Creating it waits until Proton has registered the bundle; a failed registration leaves the \
                    version in state as tainted, with the reason in `status_message`. Set `status = \
                    \"PUBLISHED\"` to make the version available to services. Proton refuses to delete a version \
                    that deployed resources still use.\n\n\
                    Proton deletes the recommended version (the newest published minor of a major) only as the \
                    last minor of its major, and the recommended major only as the last version of the template, \
                    while Terraform destroys a minor version before the version whose `major_version` it names. \
                    So when Proton refuses to delete the recommended version because others remain, destroying it \
                    succeeds: the provider tags the version `terraform-provider-proton:deferred-delete` and \
                    deletes it as soon as Proton allows, at the next delete of a version of the same template or \
                    of the template itself. `terraform destroy` removes every version; replacing the recommended \
                    version leaves the old one (tagged) until then.",
                list: "Versions of service templates: of one template (and major version), or of every \
                service template in the account and region. Proton does not report a version's `source`: \
                generated configuration leaves it for you to fill in before importing.",
            },
        }
    }
}

impl Resource for TemplateVersion {
    type Model = Model;

    fn spec(&self) -> ResourceSpec {
        let words = self.words();
        let mut attributes = version_attributes(self.0.word());
        if self.0 == TemplateKind::Service {
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
        }
        ResourceSpec {
            type_name: words.type_name,
            description: words.description,
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
        let kind = self.0;
        let s3 = planned.s3()?;
        let compatible = planned.compatible();
        let created = ctx
            .api
            .create_template_version(NewTemplateVersion {
                kind,
                template_name: &planned.template_name,
                major_version: planned.major_version.as_deref(),
                description: planned.description.as_deref(),
                bucket: &s3.bucket,
                key: &s3.key,
                client_token: &ctx.client_token,
                tags: &ctx.tags,
                compatible_environment_templates: &compatible,
                supported_component_sources: planned.sources(),
            })
            .await?;
        let (version, registered) = wait_for_registration(ctx, kind, created).await;
        let mut state = Model::reported(kind, &version, planned.source.clone());
        if let Err(error) = registered {
            return Err(Failure::with_state(error, state));
        }
        if planned.status.as_deref() == Some(PUBLISHED) {
            let publish = VersionChanges {
                status: Some(PUBLISHED),
                ..VersionChanges::default()
            };
            let id = state.id()?;
            match ctx.api.update_template_version(kind, id, publish).await {
                Ok(published) => state = Model::reported(kind, &published, planned.source.clone()),
                Err(error) => return Err(Failure::with_state(error.into(), state)),
            }
        }
        Ok(state)
    }

    async fn read(&self, ctx: &Ctx, current: Model) -> Result<Option<Model>, Error> {
        let Some(found) = ctx.api.get_template_version(self.0, current.id()?).await? else {
            return Ok(None);
        };
        let mut model = Model::reported(self.0, &found, current.source.clone());
        model.keep_order_of(&current);
        Ok(Some(model))
    }

    async fn update(
        &self,
        ctx: &Ctx,
        prior: Model,
        planned: Model,
    ) -> Result<Model, Failure<Model>> {
        let kind = self.0;
        let id = prior.id()?;
        let Some(current) = ctx.api.get_template_version(kind, id).await? else {
            return Err(Error::Api(ApiError::NotFound(format!(
                "version {}.{} of {} template {} no longer exists",
                id.major_version,
                id.minor_version,
                kind.word(),
                id.template_name
            )))
            .into());
        };
        // An imported version may still be registering: it can only be changed once registered.
        let (current, registered) = wait_for_registration(ctx, kind, current).await;
        if let Err(error) = registered {
            return Err(Failure::with_state(
                error,
                Model::reported(kind, &current, prior.source),
            ));
        }
        let compatible = planned.compatible();
        let sources = planned.sources().unwrap_or_default();
        let changes = VersionChanges {
            compatible_environment_templates: (planned.compatible_set() != prior.compatible_set())
                .then_some(compatible.as_slice()),
            supported_component_sources: (planned.sources_set() != prior.sources_set())
                .then_some(sources),
            ..planned.changes_from(&prior)
        };
        if changes.is_empty() {
            return Ok(Model::reported(kind, &current, planned.source));
        }
        match ctx.api.update_template_version(kind, id, changes).await {
            Ok(updated) => Ok(Model::reported(kind, &updated, planned.source)),
            Err(error) => Err(Failure::with_state(
                error.into(),
                Model::reported(kind, &current, prior.source),
            )),
        }
    }

    async fn delete(&self, ctx: &Ctx, current: Model) -> Result<(), Error> {
        delete_version(ctx, self.0, current.id()?).await
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Some(ListSpec {
            description: self.words().list,
            filters: list_filters::version_filters(self.0.word()),
        })
    }

    async fn list(&self, ctx: &Ctx, filter: &Value) -> Result<Vec<Model>, Error> {
        let kind = self.0;
        let filter: VersionFilter = list_filters::read(filter)?;
        let major_version = filter.major_version.as_deref();
        Ok(filter
            .versions(
                || ctx.api.list_template_names(kind),
                |template| async move {
                    ctx.api
                        .list_template_versions(kind, &template, major_version)
                        .await
                },
            )
            .await?
            .iter()
            .map(|v| Model::key(kind, &v.template_name, &v.major_version, &v.minor_version))
            .collect())
    }
}

/// Tag on a version whose delete waits until Proton allows it (see [`delete_version`]).
pub const DEFERRED_DELETE_TAG: &str = "terraform-provider-proton:deferred-delete";

/// Deletes a template version. Proton deletes the recommended minor version of a major only as the
/// last of that major, and the recommended major only as the last version of the template; but
/// Terraform destroys a minor version that names an older one's major first. So when Proton refuses
/// the recommended version while other versions remain, its delete is deferred: the version is
/// tagged [`DEFERRED_DELETE_TAG`], the delete succeeds for Terraform, and every later delete of a
/// version of the same template (and the template's own delete) deletes the tagged versions Proton
/// then allows.
pub async fn delete_version(ctx: &Ctx, kind: TemplateKind, id: VersionId<'_>) -> Result<(), Error> {
    match ctx.api.delete_template_version(kind, id).await {
        Ok(()) => finish_deferred_deletes(ctx, kind, id.template_name).await,
        Err(ApiError::Conflict(message)) => {
            let Some(arn) = held_as_recommended(ctx, kind, id).await? else {
                // The siblings that held it may have gone meanwhile (Terraform destroys versions
                // in parallel): one more try before the refusal stands.
                return match ctx.api.delete_template_version(kind, id).await {
                    Ok(()) => finish_deferred_deletes(ctx, kind, id.template_name).await,
                    Err(ApiError::Conflict(_)) => Err(ApiError::Conflict(message).into()),
                    Err(error) => Err(error.into()),
                };
            };
            tracing::info!(
                %arn,
                %message,
                "recommended version: deleted once the template's other versions are gone"
            );
            let mark = BTreeMap::from([(DEFERRED_DELETE_TAG.to_string(), "true".to_string())]);
            ctx.api.update_tags(&arn, &mark, &[]).await?;
            // A sibling deleted while the tag was being set has already looked for tagged versions.
            finish_deferred_deletes(ctx, kind, id.template_name).await
        }
        Err(error) => Err(error.into()),
    }
}

/// The ARN of `id` when it is the recommended (newest published) minor of its major while the
/// template has other versions: the only refusal a deferred delete can wait out.
async fn held_as_recommended(
    ctx: &Ctx,
    kind: TemplateKind,
    id: VersionId<'_>,
) -> Result<Option<String>, Error> {
    let versions = ctx
        .api
        .template_version_numbers(kind, id.template_name)
        .await?;
    let number = |text: &str| text.parse::<u64>().ok();
    let is_id = |v: &VersionNumbers| v.major == id.major_version && v.minor == id.minor_version;
    let recommended_minor = versions
        .iter()
        .filter(|v| v.published && v.major == id.major_version)
        .filter_map(|v| number(&v.minor))
        .max();
    let recommended = recommended_minor.is_some() && recommended_minor == number(id.minor_version);
    let others = versions.iter().any(|v| !is_id(v));
    Ok(versions
        .iter()
        .find(|v| is_id(v))
        .filter(|_| recommended && others)
        .map(|v| v.arn.clone()))
}

/// Deletes the template's versions tagged [`DEFERRED_DELETE_TAG`] that Proton now allows, until
/// none is left or none more goes.
pub async fn finish_deferred_deletes(
    ctx: &Ctx,
    kind: TemplateKind,
    template_name: &str,
) -> Result<(), Error> {
    loop {
        let mut progress = false;
        for version in ctx
            .api
            .template_version_numbers(kind, template_name)
            .await?
        {
            // A version listed a moment ago may be gone: a sibling's delete runs in parallel.
            let tags = match ctx.api.list_tags(&version.arn).await {
                Ok(tags) => tags,
                Err(ApiError::NotFound(_)) => continue,
                Err(error) => return Err(error.into()),
            };
            if !tags.contains_key(DEFERRED_DELETE_TAG) {
                continue;
            }
            let id = VersionId {
                template_name,
                major_version: &version.major,
                minor_version: &version.minor,
            };
            match ctx.api.delete_template_version(kind, id).await {
                Ok(()) => progress = true,
                Err(ApiError::Conflict(_) | ApiError::NotFound(_)) => {}
                Err(error) => return Err(error.into()),
            }
        }
        if !progress {
            return Ok(());
        }
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
