//! The service's data: one partition per (account, region) plus the
//! environment account connections, which span two accounts. Plain data with
//! serde: `persist` keeps a snapshot of it and `journal` the changes since.
//!
//! Every change goes through `tx` collections, so the engine can undo a failed
//! request (`rollback`) or keep it (`commit`) at the cost of what it touched.
//! Each partition also knows its earliest deadline (`next_due`), so the clock's
//! transitions only walk partitions when something is due.

pub mod journal;
pub mod lock;
pub mod persist;
pub mod tx;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Epoch;
use tx::{Due, TxCell, TxMap, earliest};

/// Everything proton-local knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Bumped when the file layout changes incompatibly.
    #[serde(default)]
    pub format: u32,
    /// The last journal record this state includes (0: none).
    #[serde(default)]
    pub journal_seq: u64,
    /// Keyed by `ACCOUNT:REGION`. Private: mutable access goes through
    /// `partition_mut`, which records the partition for commit/rollback.
    #[serde(default)]
    partitions: BTreeMap<String, Partition>,
    /// Environment account connections by id; visible to both accounts.
    #[serde(default)]
    pub connections: TxMap<String, Connection>,
    /// Partitions handed out mutably since the last commit/rollback.
    #[serde(skip)]
    touched: Vec<String>,
    /// Partitions created since the last commit/rollback.
    #[serde(skip)]
    created: Vec<String>,
    /// Partitions with committed changes the journal has not got yet.
    #[serde(skip)]
    dirty: BTreeSet<String>,
    /// No partition has a deadline before this. 0 (as loaded) = look at all.
    #[serde(skip)]
    next_due: Epoch,
    /// How many partitions the clock has walked (for tests).
    #[serde(skip)]
    walks: u64,
}

impl State {
    /// 2: a journal may follow the snapshot (format 1 readers would miss it).
    pub const FORMAT: u32 = 2;

    pub fn partition_key(account: &str, region: &str) -> String {
        format!("{account}:{region}")
    }

    pub fn partition_mut(&mut self, account: &str, region: &str) -> &mut Partition {
        let key = Self::partition_key(account, region);
        if !self.touched.contains(&key) {
            self.touched.push(key.clone());
        }
        if !self.partitions.contains_key(&key) {
            self.created.push(key.clone());
        }
        self.partitions.entry(key).or_insert_with(|| Partition {
            account: account.to_string(),
            region: region.to_string(),
            next_due: Epoch::INFINITY,
            ..Partition::default()
        })
    }

    pub fn partition(&self, account: &str, region: &str) -> Option<&Partition> {
        self.partitions.get(&Self::partition_key(account, region))
    }

    #[cfg(test)]
    pub fn partitions(&self) -> impl Iterator<Item = &Partition> {
        self.partitions.values()
    }

    /// Keeps what the current request changed, and notes the deadlines it set.
    pub fn commit(&mut self) {
        for key in self.touched.drain(..) {
            if let Some(p) = self.partitions.get_mut(&key) {
                if let Some(due) = p.commit() {
                    p.next_due = p.next_due.min(due);
                    self.next_due = self.next_due.min(p.next_due);
                }
                self.dirty.insert(key);
            }
        }
        self.created.clear();
        self.connections.commit();
    }

    /// The journal has every committed change: stop remembering them.
    pub fn forget_changes(&mut self) {
        for key in std::mem::take(&mut self.dirty) {
            if let Some(p) = self.partitions.get_mut(&key) {
                p.forget_changes();
            }
        }
        self.connections.forget_changes();
    }

    /// Undoes everything the current request changed.
    pub fn rollback(&mut self) {
        for key in self.touched.drain(..) {
            if let Some(p) = self.partitions.get_mut(&key) {
                p.rollback();
            }
        }
        for key in self.created.drain(..) {
            self.partitions.remove(&key);
        }
        self.connections.rollback();
    }

    /// Runs `step` on each partition that has a deadline at or before `now`,
    /// keeps its changes and recomputes its deadline. Does nothing, without
    /// looking at any partition, while nothing is due.
    pub fn advance_due(&mut self, now: Epoch, mut step: impl FnMut(&mut Partition, Epoch)) {
        if self.next_due > now {
            return;
        }
        let mut next = Epoch::INFINITY;
        for (key, p) in self.partitions.iter_mut() {
            if p.next_due <= now {
                step(p, now);
                p.commit();
                p.next_due = p.earliest_due().unwrap_or(Epoch::INFINITY);
                self.walks += 1;
                // Transitions are kept like requests, so the journal needs them too.
                if !self.dirty.contains(key) {
                    self.dirty.insert(key.clone());
                }
            }
            next = next.min(p.next_due);
        }
        self.next_due = next;
    }

    /// Forgets every deadline, so the next `advance_due` walks everything.
    #[cfg(test)]
    pub fn forget_deadlines(&mut self) {
        self.next_due = 0.0;
        for p in self.partitions.values_mut() {
            p.next_due = 0.0;
        }
    }

    /// How many partition walks the clock has done so far.
    #[cfg(test)]
    pub fn walks(&self) -> u64 {
        self.walks
    }
}

/// The collections of a partition, for commit/rollback/deadline scans and
/// the journal: `each_map!(p, m => ...)` borrows each mutably;
/// `each_map!(ref p, name, m => ...)` / `each_map!(mut p, name, m => ...)`
/// also bind the field's name, which names the collection in journal records.
macro_rules! each_map {
    (@borrow ref $e:expr) => {
        &$e
    };
    (@borrow mut $e:expr) => {
        &mut $e
    };
    (@fields $mode:tt $p:expr, $name:ident, $m:ident, $body:expr; $($f:ident)+) => {{
        $({
            let $name: &'static str = stringify!($f);
            let $m = each_map!(@borrow $mode $p.$f);
            $body;
        })+
    }};
    (@all $mode:tt $p:expr, $name:ident, $m:ident, $body:expr) => {
        each_map!(@fields $mode $p, $name, $m, $body;
            env_templates svc_templates environments services components deployments
            repositories template_syncs service_syncs blockers tags tokens tombstones)
    };
    (ref $p:expr, $name:ident, $m:ident => $body:expr) => {
        each_map!(@all ref $p, $name, $m, $body)
    };
    (mut $p:expr, $name:ident, $m:ident => $body:expr) => {
        each_map!(@all mut $p, $name, $m, $body)
    };
    ($p:expr, $m:ident => $body:expr) => {
        each_map!(@all mut $p, _name, $m, $body)
    };
}
pub(crate) use each_map;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Partition {
    pub account: String,
    pub region: String,
    #[serde(default)]
    pub env_templates: TxMap<String, Template>,
    #[serde(default)]
    pub svc_templates: TxMap<String, Template>,
    #[serde(default)]
    pub environments: TxMap<String, Environment>,
    #[serde(default)]
    pub services: TxMap<String, Service>,
    #[serde(default)]
    pub components: TxMap<String, Component>,
    #[serde(default)]
    pub deployments: TxMap<String, Deployment>,
    /// Keyed by `PROVIDER:name`.
    #[serde(default)]
    pub repositories: TxMap<String, Repository>,
    /// Keyed by `TEMPLATE_TYPE:name`.
    #[serde(default)]
    pub template_syncs: TxMap<String, TemplateSyncConfig>,
    #[serde(default)]
    pub service_syncs: TxMap<String, ServiceSyncConfig>,
    #[serde(default)]
    pub blockers: TxMap<String, SyncBlocker>,
    #[serde(default)]
    pub settings: TxCell<AccountSettings>,
    /// Tags by resource ARN.
    #[serde(default)]
    pub tags: TxMap<String, BTreeMap<String, String>>,
    /// Client tokens by `Operation:token`.
    #[serde(default)]
    pub tokens: TxMap<String, ClientTokenRecord>,
    /// Recently deleted resources, for idempotent delete retries, by `kind:key`.
    #[serde(default)]
    pub tombstones: TxMap<String, Tombstone>,
    /// No deadline in this partition is earlier (0 as loaded: unknown).
    #[serde(skip)]
    next_due: Epoch,
}

impl Partition {
    /// Keeps the changes; the earliest deadline among the changed entries.
    fn commit(&mut self) -> Option<Epoch> {
        let mut due = None;
        each_map!(self, m => due = earliest(due, m.commit()));
        self.settings.commit();
        due
    }

    fn rollback(&mut self) {
        each_map!(self, m => m.rollback());
        self.settings.rollback();
    }

    fn forget_changes(&mut self) {
        each_map!(self, m => m.forget_changes());
        self.settings.forget_changes();
    }

    /// The earliest deadline of everything in the partition (a full scan).
    fn earliest_due(&mut self) -> Option<Epoch> {
        let mut due = None;
        each_map!(self, m => due = earliest(due, m.earliest_due()));
        due
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ClientTokenRecord {
    pub fingerprint: String,
    /// Key of the resource the first request made (meaning depends on the operation).
    pub resource: String,
    pub expires_at: Epoch,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tombstone {
    /// The rendered resource as the delete returned it.
    pub body: Value,
    pub expires_at: Epoch,
}

/// An environment or service template.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Template {
    pub name: String,
    pub arn: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub encryption_key: Option<String>,
    /// `provisioning` (environment) or `pipelineProvisioning` (service).
    pub provisioning: Option<String>,
    pub created_at: Epoch,
    pub last_modified_at: Epoch,
    /// Canonical create request, for idempotent create retries.
    pub fingerprint: String,
    pub versions: Vec<TemplateVersion>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompatibleEnv {
    pub template_name: String,
    pub major_version: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateVersion {
    pub major: u64,
    pub minor: u64,
    pub status: String,
    pub status_message: Option<String>,
    pub description: Option<String>,
    pub created_at: Epoch,
    pub last_modified_at: Epoch,
    pub source_bucket: String,
    pub source_key: String,
    /// When registration finishes.
    pub registration_due: Option<Epoch>,
    #[serde(default)]
    pub compatible: Vec<CompatibleEnv>,
    #[serde(default)]
    pub supported_component_sources: Option<Vec<String>>,
    /// The bundle, parsed, once it passed the checks (None when it failed,
    /// and in state written before proton-local read bundles).
    #[serde(default)]
    pub bundle: Option<crate::bundle::Bundle>,
    /// Why the bundle cannot register; the version ends REGISTRATION_FAILED with it.
    #[serde(default)]
    pub registration_error: Option<String>,
}

/// Deployment bookkeeping shared by environments, instances, pipelines, components.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Deployable {
    pub deployment_status: String,
    pub deployment_status_message: Option<String>,
    pub last_attempted_deployment_id: Option<String>,
    pub last_succeeded_deployment_id: Option<String>,
    pub last_deployment_attempted_at: Epoch,
    pub last_deployment_succeeded_at: Epoch,
    /// Outputs of the last successful deployment.
    #[serde(default)]
    pub outputs: Vec<(String, String)>,
    /// Provisioned resources of the last successful deployment.
    #[serde(default)]
    pub provisioned: Vec<ProvisionedResource>,
    /// Self-managed: provisioning reports back with NotifyResourceDeploymentStatusChange.
    #[serde(default)]
    pub self_managed: bool,
    /// While a delete runs: the message it ends DELETE_FAILED with (`proton_local_fail_delete`).
    #[serde(default)]
    pub delete_failure: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProvisionedResource {
    pub name: String,
    pub identifier: String,
    pub engine: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RepoBranch {
    pub provider: String,
    pub name: String,
    pub branch: String,
    pub arn: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Environment {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub template_name: String,
    pub major: String,
    pub minor: String,
    pub spec: Option<String>,
    pub proton_service_role_arn: Option<String>,
    pub environment_account_connection_id: Option<String>,
    pub environment_account_id: Option<String>,
    pub codebuild_role_arn: Option<String>,
    pub component_role_arn: Option<String>,
    pub provisioning: Option<String>,
    pub provisioning_repository: Option<RepoBranch>,
    pub created_at: Epoch,
    pub fingerprint: String,
    /// Changed by an update since creation (idempotent create retries conflict).
    #[serde(default)]
    pub modified: bool,
    pub deploy: Deployable,
    pub delete_due: Option<Epoch>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Service {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub template_name: String,
    pub major: String,
    pub minor: String,
    pub spec: String,
    pub repository_connection_arn: Option<String>,
    pub repository_id: Option<String>,
    pub branch_name: Option<String>,
    pub status: String,
    pub status_message: Option<String>,
    pub created_at: Epoch,
    pub last_modified_at: Epoch,
    pub fingerprint: String,
    #[serde(default)]
    pub modified: bool,
    /// Earliest time the current create/update may finish.
    pub due_at: Option<Epoch>,
    pub delete_due: Option<Epoch>,
    pub instances: BTreeMap<String, ServiceInstance>,
    pub pipeline: Option<Pipeline>,
    /// While an UpdateService that changed the instances runs: the spec before it and the
    /// instances it added, so a failed addition can be cleaned up.
    #[serde(default)]
    pub update_undo: Option<UpdateUndo>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpdateUndo {
    pub spec: String,
    pub added: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceInstance {
    pub name: String,
    pub arn: String,
    pub service_name: String,
    pub environment_name: String,
    pub template_name: String,
    pub major: String,
    pub minor: String,
    pub spec: Option<String>,
    pub created_at: Epoch,
    pub last_client_request_token: Option<String>,
    pub deploy: Deployable,
    pub delete_due: Option<Epoch>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pipeline {
    pub arn: String,
    pub template_name: String,
    pub major: String,
    pub minor: String,
    pub spec: Option<String>,
    pub created_at: Epoch,
    pub deploy: Deployable,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Component {
    pub name: String,
    pub arn: String,
    pub description: Option<String>,
    pub environment_name: String,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub service_spec: Option<String>,
    pub template_file: String,
    pub manifest: String,
    pub created_at: Epoch,
    pub last_modified_at: Epoch,
    pub last_client_request_token: Option<String>,
    pub deploy: Deployable,
    pub delete_due: Option<Epoch>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetType {
    #[serde(rename = "ENVIRONMENT")]
    Environment,
    #[serde(rename = "SERVICE_PIPELINE")]
    ServicePipeline,
    #[serde(rename = "SERVICE_INSTANCE")]
    ServiceInstance,
    #[serde(rename = "COMPONENT")]
    Component,
}

impl TargetType {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetType::Environment => "ENVIRONMENT",
            TargetType::ServicePipeline => "SERVICE_PIPELINE",
            TargetType::ServiceInstance => "SERVICE_INSTANCE",
            TargetType::Component => "COMPONENT",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deployment {
    pub id: String,
    pub arn: String,
    pub target_type: TargetType,
    pub target_arn: String,
    pub target_created_at: Epoch,
    pub environment_name: String,
    pub service_name: Option<String>,
    pub service_instance_name: Option<String>,
    pub component_name: Option<String>,
    pub status: String,
    pub status_message: Option<String>,
    pub created_at: Epoch,
    pub last_modified_at: Epoch,
    pub completed_at: Option<Epoch>,
    /// DeploymentState unions (JSON as the API shows them).
    pub initial_state: Option<Value>,
    pub target_state: Value,
    pub previous_attempted_id: Option<String>,
    pub previous_succeeded_id: Option<String>,
    /// When the current phase (IN_PROGRESS or CANCELLING) ends; None = waits for a notification.
    pub due_at: Option<Epoch>,
    /// Set by the `proton_local_fail` marker.
    pub fail_message: Option<String>,
    /// How a cancel ends (`proton_local_cancel` marker).
    #[serde(default)]
    pub cancel_ending: crate::ops::spec::CancelEnding,
    /// Outputs this deployment produces when it succeeds.
    #[serde(default)]
    pub outputs: Vec<(String, String)>,
    /// Provisioned by CodeBuild (`rendering_engine: codebuild`): it waits for a notification,
    /// as a self-managed one does.
    #[serde(default)]
    pub codebuild: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub arn: String,
    pub region: String,
    pub environment_account_id: String,
    pub management_account_id: String,
    pub environment_name: String,
    pub role_arn: Option<String>,
    pub codebuild_role_arn: Option<String>,
    pub component_role_arn: Option<String>,
    pub status: String,
    pub requested_at: Epoch,
    pub last_modified_at: Epoch,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Repository {
    pub provider: String,
    pub name: String,
    pub arn: String,
    pub connection_arn: String,
    pub encryption_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TemplateSyncConfig {
    pub template_name: String,
    pub template_type: String,
    pub repository_provider: String,
    pub repository_name: String,
    pub branch: String,
    pub subdirectory: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceSyncConfig {
    pub service_name: String,
    pub repository_provider: String,
    pub repository_name: String,
    pub branch: String,
    pub file_path: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncBlocker {
    pub id: String,
    pub service_name: String,
    pub service_instance_name: Option<String>,
    pub status: String,
    pub created_at: Epoch,
    pub created_reason: String,
    pub resolved_at: Option<Epoch>,
    pub resolved_reason: Option<String>,
    pub contexts: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountSettings {
    pub pipeline_service_role_arn: Option<String>,
    pub pipeline_codebuild_role_arn: Option<String>,
    pub pipeline_provisioning_repository: Option<RepoBranch>,
}

impl Due for ClientTokenRecord {
    fn due(&self) -> Option<Epoch> {
        Some(self.expires_at)
    }
}

impl Due for Tombstone {
    fn due(&self) -> Option<Epoch> {
        Some(self.expires_at)
    }
}

impl Due for Template {
    fn due(&self) -> Option<Epoch> {
        self.versions
            .iter()
            .fold(None, |acc, v| earliest(acc, v.registration_due))
    }
}

impl Due for Environment {
    fn due(&self) -> Option<Epoch> {
        self.delete_due
    }
}

impl Due for Component {
    fn due(&self) -> Option<Epoch> {
        self.delete_due
    }
}

impl Due for Deployment {
    fn due(&self) -> Option<Epoch> {
        self.due_at
    }
}

impl Service {
    /// Whether a create/update cannot finish yet whatever the time: an instance
    /// or the pipeline is still deploying, or a removed instance is not gone.
    /// Only a change to this service (which is then re-examined) can end it.
    pub fn waits_on_parts(&self) -> bool {
        self.instances.values().any(|i| i.delete_due.is_some())
            || self
                .instances
                .values()
                .map(|i| &i.deploy)
                .chain(self.pipeline.iter().map(|pl| &pl.deploy))
                .any(|d| crate::ops::lifecycle::is_active(&d.deployment_status))
    }
}

impl Due for Service {
    fn due(&self) -> Option<Epoch> {
        let mut due = self.delete_due;
        for i in self.instances.values() {
            due = earliest(due, i.delete_due);
        }
        let changing = matches!(
            self.status.as_str(),
            "CREATE_IN_PROGRESS" | "UPDATE_IN_PROGRESS"
        );
        if changing && !self.waits_on_parts() {
            due = earliest(due, self.due_at);
        }
        due
    }
}

impl Due for Repository {}
impl Due for TemplateSyncConfig {}
impl Due for ServiceSyncConfig {}
impl Due for SyncBlocker {}
impl Due for Connection {}
impl Due for BTreeMap<String, String> {}
