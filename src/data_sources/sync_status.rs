//! Where syncs from linked repositories stand: `proton_repository_sync_status`,
//! `proton_template_sync_status`, `proton_service_instance_sync_status` and
//! `proton_service_sync_blocker_summary`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aws::types::{
    RepositorySyncAttempt, ResourceSyncAttempt, Revision as ApiRevision, SyncBlocker,
};
use crate::aws::{RepositorySync, ResourceSyncStatus, timestamp};
use crate::engine::{Ctx, DataSource, DataSourceSpec, Error};
use crate::shared::attributes::{branch, version_part};
use crate::tf::schema::{Attribute, Validator};

use super::repositories::{repository_arguments, sync_type};
use super::shape::{self, computed, or_missing, text};

/// One event of a sync attempt.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Event {
    #[serde(rename = "type")]
    pub kind: String,
    pub event: String,
    pub time: String,
    pub external_id: Option<String>,
}

macro_rules! event_from {
    ($($ty:ty),*) => {$(
        impl From<&$ty> for Event {
            fn from(e: &$ty) -> Self {
                Self {
                    kind: e.r#type().to_string(),
                    event: e.event().to_string(),
                    time: timestamp(e.time()),
                    external_id: text(e.external_id()),
                }
            }
        }
    )*};
}

event_from!(
    crate::aws::types::RepositorySyncEvent,
    crate::aws::types::ResourceSyncEvent
);

fn events() -> Attribute {
    shape::list(
        "events",
        "What happened during the attempt.",
        vec![
            computed("type", "The kind of event."),
            computed("event", "What happened."),
            computed("time", "When it happened (RFC 3339)."),
            computed(
                "external_id",
                "An ID outside Proton the event refers to, if any.",
            ),
        ],
    )
}

/// A repository branch's latest sync attempt.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RepositoryAttempt {
    pub status: String,
    pub started_at: String,
    pub events: Vec<Event>,
}

impl From<&RepositorySyncAttempt> for RepositoryAttempt {
    fn from(a: &RepositorySyncAttempt) -> Self {
        Self {
            status: a.status().as_str().to_string(),
            started_at: timestamp(a.started_at()),
            events: a.events().iter().map(Event::from).collect(),
        }
    }
}

/// `data "proton_repository_sync_status"`.
pub struct RepositorySyncStatus;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct RepositoryStatus {
    pub repository_provider: String,
    pub repository_name: String,
    pub branch: String,
    pub sync_type: String,
    pub latest_sync: Option<RepositoryAttempt>,
}

impl DataSource for RepositorySyncStatus {
    type Model = RepositoryStatus;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = repository_arguments("repository_name");
        attributes.extend([
            branch("branch")
                .required()
                .describe("The branch whose sync is asked about."),
            sync_type(),
            shape::object(
                "latest_sync",
                "The latest sync attempt; null when the branch has not synced yet.",
                vec![
                    computed(
                        "status",
                        "`INITIATED`, `IN_PROGRESS`, `SUCCEEDED`, `FAILED` or `QUEUED`.",
                    ),
                    computed("started_at", "When the attempt started (RFC 3339)."),
                    events(),
                ],
            ),
        ]);
        DataSourceSpec {
            type_name: "proton_repository_sync_status",
            description: "Reads the latest sync of a linked repository branch into AWS Proton.",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: RepositoryStatus) -> Result<RepositoryStatus, Error> {
        let found = ctx
            .api
            .get_repository_sync_status(
                RepositorySync {
                    provider: &config.repository_provider,
                    name: &config.repository_name,
                    sync_type: &config.sync_type,
                },
                &config.branch,
            )
            .await;
        let found = or_missing(found, || {
            format!(
                "{} repository named {:?}",
                config.repository_provider, config.repository_name
            )
        })?;
        Ok(RepositoryStatus {
            latest_sync: found.as_ref().map(RepositoryAttempt::from),
            ..config
        })
    }
}

/// A commit of a repository directory.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Revision {
    pub repository_provider: String,
    pub repository_name: String,
    pub branch: String,
    pub directory: String,
    pub sha: String,
}

impl From<&ApiRevision> for Revision {
    fn from(r: &ApiRevision) -> Self {
        Self {
            repository_provider: r.repository_provider().as_str().to_string(),
            repository_name: r.repository_name().to_string(),
            branch: r.branch().to_string(),
            directory: r.directory().to_string(),
            sha: r.sha().to_string(),
        }
    }
}

fn revision_attributes() -> Vec<Attribute> {
    vec![
        computed("repository_provider", "Where the repository is hosted."),
        computed("repository_name", "The repository, as `owner/repository`."),
        computed("branch", "The branch."),
        computed("directory", "The directory (or file) synced from."),
        computed("sha", "The commit."),
    ]
}

/// One sync attempt of a template or service instance.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Attempt {
    pub target: String,
    pub status: String,
    pub started_at: String,
    pub initial_revision: Option<Revision>,
    pub target_revision: Option<Revision>,
    pub events: Vec<Event>,
}

impl From<&ResourceSyncAttempt> for Attempt {
    fn from(a: &ResourceSyncAttempt) -> Self {
        Self {
            target: a.target().to_string(),
            status: a.status().as_str().to_string(),
            started_at: timestamp(a.started_at()),
            initial_revision: a.initial_revision().map(Revision::from),
            target_revision: a.target_revision().map(Revision::from),
            events: a.events().iter().map(Event::from).collect(),
        }
    }
}

fn attempt(name: &str, description: &str) -> Attribute {
    shape::object(
        name,
        description,
        vec![
            computed("target", "What was synced."),
            computed(
                "status",
                "`INITIATED`, `IN_PROGRESS`, `SUCCEEDED` or `FAILED`.",
            ),
            computed("started_at", "When the attempt started (RFC 3339)."),
            shape::object(
                "initial_revision",
                "The commit synced from before.",
                revision_attributes(),
            ),
            shape::object(
                "target_revision",
                "The commit being synced.",
                revision_attributes(),
            ),
            events(),
        ],
    )
}

/// The status attributes of a template or service instance sync.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Status {
    pub latest_sync: Option<Attempt>,
    pub latest_successful_sync: Option<Attempt>,
    pub desired_state: Option<Revision>,
}

impl From<ResourceSyncStatus> for Status {
    fn from(s: ResourceSyncStatus) -> Self {
        Self {
            latest_sync: s.latest_sync.as_ref().map(Attempt::from),
            latest_successful_sync: s.latest_successful_sync.as_ref().map(Attempt::from),
            desired_state: s.desired_state.as_ref().map(Revision::from),
        }
    }
}

fn status_attributes() -> Vec<Attribute> {
    vec![
        attempt(
            "latest_sync",
            "The latest sync attempt; null when there was none.",
        ),
        attempt(
            "latest_successful_sync",
            "The latest successful sync attempt; null when there was none.",
        ),
        shape::object(
            "desired_state",
            "The commit Proton wants to be synced.",
            revision_attributes(),
        ),
    ]
}

/// `data "proton_template_sync_status"`.
pub struct TemplateSyncStatus;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TemplateStatus {
    pub template_name: String,
    pub template_type: String,
    pub template_version: String,
    #[serde(flatten)]
    pub status: Status,
}

impl DataSource for TemplateSyncStatus {
    type Model = TemplateStatus;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = vec![
            shape::name_argument("template_name", "Name of the synced template."),
            Attribute::string("template_type")
                .required()
                .validate(Validator::one_of(&["ENVIRONMENT", "SERVICE"]))
                .describe("`ENVIRONMENT` or `SERVICE`."),
            version_part("template_version")
                .required()
                .describe("The template's major version whose sync is asked about (`\"1\"`)."),
        ];
        attributes.extend(status_attributes());
        DataSourceSpec {
            type_name: "proton_template_sync_status",
            description: "Reads where the sync of a template major version from its linked repository \
                stands (the template needs a template sync configuration).",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: TemplateStatus) -> Result<TemplateStatus, Error> {
        let found = ctx
            .api
            .get_template_sync_status(
                &config.template_name,
                &config.template_type,
                &config.template_version,
            )
            .await;
        let found = or_missing(found, || {
            format!(
                "template sync of {} template {:?}",
                config.template_type.to_lowercase(),
                config.template_name
            )
        })?;
        Ok(TemplateStatus {
            status: found.into(),
            ..config
        })
    }
}

/// `data "proton_service_instance_sync_status"`.
pub struct ServiceInstanceSyncStatus;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct InstanceStatus {
    pub service_name: String,
    pub service_instance_name: String,
    #[serde(flatten)]
    pub status: Status,
}

impl DataSource for ServiceInstanceSyncStatus {
    type Model = InstanceStatus;

    fn spec(&self) -> DataSourceSpec {
        let mut attributes = vec![
            shape::name_argument("service_name", "Name of the service."),
            shape::name_argument("service_instance_name", "Name of the instance."),
        ];
        attributes.extend(status_attributes());
        DataSourceSpec {
            type_name: "proton_service_instance_sync_status",
            description: "Reads where the sync of a service instance from its service's linked repository \
                stands (the service needs a service sync configuration; otherwise every attribute is null).",
            attributes,
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: InstanceStatus) -> Result<InstanceStatus, Error> {
        let found = ctx
            .api
            .get_service_instance_sync_status(&config.service_name, &config.service_instance_name)
            .await;
        let found = or_missing(found, || {
            format!(
                "instance named {:?} of service {:?}",
                config.service_instance_name, config.service_name
            )
        })?;
        Ok(InstanceStatus {
            status: found.into(),
            ..config
        })
    }
}

/// A sync blocker: what stops a service from syncing until it is resolved.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Blocker {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: String,
    pub created_reason: String,
    pub created_at: String,
    pub contexts: BTreeMap<String, String>,
    pub resolved_reason: Option<String>,
    pub resolved_at: Option<String>,
}

impl From<&SyncBlocker> for Blocker {
    fn from(b: &SyncBlocker) -> Self {
        Self {
            id: b.id().to_string(),
            kind: b.r#type().as_str().to_string(),
            status: b.status().as_str().to_string(),
            created_reason: b.created_reason().to_string(),
            created_at: timestamp(b.created_at()),
            contexts: b
                .contexts()
                .iter()
                .map(|c| (c.key().to_string(), c.value().to_string()))
                .collect(),
            resolved_reason: text(b.resolved_reason()),
            resolved_at: b.resolved_at().map(timestamp),
        }
    }
}

/// `data "proton_service_sync_blocker_summary"`.
pub struct ServiceSyncBlockerSummary;

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Blockers {
    pub service_name: String,
    pub service_instance_name: Option<String>,
    pub latest_blockers: Option<Vec<Blocker>>,
}

impl DataSource for ServiceSyncBlockerSummary {
    type Model = Blockers;

    fn spec(&self) -> DataSourceSpec {
        DataSourceSpec {
            type_name: "proton_service_sync_blocker_summary",
            description: "Reads the latest sync blockers of an AWS Proton service (or of one of its \
                instances): failed deployments that stop service sync until they are resolved.",
            attributes: vec![
                shape::name_argument("service_name", "Name of the service."),
                shape::name_filter(
                    "service_instance_name",
                    "Only the blockers of this instance of the service.",
                ),
                shape::list(
                    "latest_blockers",
                    "The latest blockers, active and resolved.",
                    vec![
                        computed("id", "ID of the blocker (what resolving it takes)."),
                        computed("type", "The kind of blocker (`AUTOMATED`)."),
                        computed("status", "`ACTIVE` or `RESOLVED`."),
                        computed("created_reason", "Why the blocker was created."),
                        computed("created_at", "When the blocker was created (RFC 3339)."),
                        Attribute::string_map("contexts").computed().describe(
                            "What the blocker is about, as key/value pairs (`serviceName`, ...).",
                        ),
                        computed(
                            "resolved_reason",
                            "Why the blocker was resolved, once it is.",
                        ),
                        computed(
                            "resolved_at",
                            "When the blocker was resolved (RFC 3339), once it is.",
                        ),
                    ],
                ),
            ],
            rules: vec![],
        }
    }

    async fn read(&self, ctx: &Ctx, config: Blockers) -> Result<Blockers, Error> {
        let found = ctx
            .api
            .get_service_sync_blocker_summary(
                &config.service_name,
                config.service_instance_name.as_deref(),
            )
            .await;
        let found = or_missing(found, || match &config.service_instance_name {
            Some(instance) => format!(
                "instance named {instance:?} of service {:?}",
                config.service_name
            ),
            None => format!("service named {:?}", config.service_name),
        })?;
        Ok(Blockers {
            latest_blockers: Some(
                found
                    .map(|s| s.latest_blockers().iter().map(Blocker::from).collect())
                    .unwrap_or_default(),
            ),
            ..config
        })
    }
}
