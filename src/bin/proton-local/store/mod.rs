//! The service's data: one partition per (account, region) plus the
//! environment account connections, which span two accounts. Plain data with
//! serde, persisted as a whole by `persist`.

pub mod persist;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Epoch;

/// Everything proton-local knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// Bumped when the file layout changes incompatibly.
    #[serde(default)]
    pub format: u32,
    /// Keyed by `ACCOUNT:REGION`.
    #[serde(default)]
    pub partitions: BTreeMap<String, Partition>,
    /// Environment account connections by id; visible to both accounts.
    #[serde(default)]
    pub connections: BTreeMap<String, Connection>,
}

impl State {
    pub const FORMAT: u32 = 1;

    pub fn partition_key(account: &str, region: &str) -> String {
        format!("{account}:{region}")
    }

    pub fn partition_mut(&mut self, account: &str, region: &str) -> &mut Partition {
        self.partitions
            .entry(Self::partition_key(account, region))
            .or_insert_with(|| Partition {
                account: account.to_string(),
                region: region.to_string(),
                ..Partition::default()
            })
    }

    pub fn partition(&self, account: &str, region: &str) -> Option<&Partition> {
        self.partitions.get(&Self::partition_key(account, region))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Partition {
    pub account: String,
    pub region: String,
    #[serde(default)]
    pub env_templates: BTreeMap<String, Template>,
    #[serde(default)]
    pub svc_templates: BTreeMap<String, Template>,
    #[serde(default)]
    pub environments: BTreeMap<String, Environment>,
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    #[serde(default)]
    pub components: BTreeMap<String, Component>,
    #[serde(default)]
    pub deployments: BTreeMap<String, Deployment>,
    /// Keyed by `PROVIDER:name`.
    #[serde(default)]
    pub repositories: BTreeMap<String, Repository>,
    /// Keyed by `TEMPLATE_TYPE:name`.
    #[serde(default)]
    pub template_syncs: BTreeMap<String, TemplateSyncConfig>,
    #[serde(default)]
    pub service_syncs: BTreeMap<String, ServiceSyncConfig>,
    #[serde(default)]
    pub blockers: BTreeMap<String, SyncBlocker>,
    #[serde(default)]
    pub settings: AccountSettings,
    /// Tags by resource ARN.
    #[serde(default)]
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    /// Client tokens by `Operation:token`.
    #[serde(default)]
    pub tokens: BTreeMap<String, ClientTokenRecord>,
    /// Recently deleted resources, for idempotent delete retries, by `kind:key`.
    #[serde(default)]
    pub tombstones: BTreeMap<String, Tombstone>,
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
    /// Outputs this deployment produces when it succeeds.
    #[serde(default)]
    pub outputs: Vec<(String, String)>,
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
