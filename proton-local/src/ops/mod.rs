//! Operations: one module per resource family. Each handler gets a `Ctx`
//! (caller, time, state) and the validated request, and returns the response
//! body or an `ApiError`. Lazy state transitions live in `lifecycle`.

pub mod account;
pub mod components;
pub mod connections;
pub mod deployments;
pub mod environments;
pub mod lifecycle;
pub mod quotas;
pub mod repositories;
pub mod service_instances;
pub mod service_pipelines;
pub mod services;
pub mod spec;
pub mod tags;
pub mod templates;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::clock::Epoch;
use crate::error::ApiError;
use crate::store::{ClientTokenRecord, Partition, State};

/// Client tokens live this long.
pub const TOKEN_TTL_SECS: f64 = 8.0 * 3600.0;

pub struct Ctx<'a> {
    pub account: String,
    pub region: String,
    pub now: Epoch,
    pub deploy_seconds: f64,
    pub rng: &'a mut fastrand::Rng,
    pub state: &'a mut State,
    /// Where deployments write files (`--rendered`, `--repositories`).
    pub folders: &'a crate::bundle::deploy::Folders,
    /// Files to write once the request is kept.
    pub writes: &'a mut Vec<crate::bundle::deploy::PendingWrite>,
    /// The fetched template bundle of a Create*TemplateVersion request.
    pub bundle: Option<crate::bundle::source::Fetched>,
}

impl Ctx<'_> {
    pub fn part(&mut self) -> &mut Partition {
        let (a, r) = (self.account.clone(), self.region.clone());
        self.state.partition_mut(&a, &r)
    }

    pub fn arn(&self, resource: &str) -> String {
        arn(&self.region, &self.account, resource)
    }

    pub fn uuid(&mut self) -> String {
        uuid(self.rng)
    }

    /// A new deployment: its id and ARN, starting now and due when this request's deployments
    /// finish.
    pub fn new_deployment(&mut self) -> lifecycle::DeploymentStart {
        let id = self.uuid();
        let arn = self.arn(&format!("deployment/{id}"));
        lifecycle::DeploymentStart {
            id,
            arn,
            now: self.now,
            due: self.due(),
        }
    }

    /// When something started now finishes.
    pub fn due(&self) -> Epoch {
        crate::clock::round_ms(self.now + self.deploy_seconds)
    }
}

pub fn arn(region: &str, account: &str, resource: &str) -> String {
    format!("arn:aws:proton:{region}:{account}:{resource}")
}

/// A random version-4 UUID.
pub fn uuid(rng: &mut fastrand::Rng) -> String {
    let mut b = [0u8; 16];
    for x in b.iter_mut() {
        *x = rng.u8(..);
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// Read access to a validated request body.
#[derive(Clone, Copy)]
pub struct Input<'a>(pub &'a Value);

impl<'a> Input<'a> {
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn str(&self, name: &str) -> Option<&'a str> {
        self.get(name).and_then(Value::as_str)
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.str(name).map(str::to_string)
    }

    /// A member the model marks required (validation already checked it).
    pub fn req(&self, name: &str) -> Result<&'a str, ApiError> {
        self.str(name).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"
            ))
        })
    }

    pub fn bool(&self, name: &str) -> Option<bool> {
        self.get(name).and_then(Value::as_bool)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    pub fn array(&self, name: &str) -> &'a [Value] {
        self.get(name)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn child(&self, name: &str) -> Option<Input<'a>> {
        self.get(name).filter(|v| v.is_object()).map(Input)
    }
}

/// A stable text form of a JSON value (object keys sorted), for comparing requests.
pub fn canonical(v: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    walk(&m[*k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    walk(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    walk(v, &mut s);
    s
}

/// The request without the given members and without nulls, canonical.
pub fn fingerprint(input: &Value, skip: &[&str]) -> String {
    let mut m = Map::new();
    if let Value::Object(obj) = input {
        for (k, v) in obj {
            if !v.is_null() && !skip.contains(&k.as_str()) {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    canonical(&Value::Object(m))
}

/// What a client token lookup found.
pub enum TokenLookup {
    /// First use (or expired): go ahead and remember the result with `remember_token`.
    Fresh,
    /// A retry of a request that made `resource`.
    Replay(String),
}

pub fn check_token(
    p: &Partition,
    op: &str,
    token: Option<&str>,
    fp: &str,
    now: Epoch,
) -> Result<TokenLookup, ApiError> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(TokenLookup::Fresh);
    };
    match p.tokens.get(&format!("{op}:{token}")) {
        Some(rec) if rec.expires_at > now => {
            if rec.fingerprint == fp {
                Ok(TokenLookup::Replay(rec.resource.clone()))
            } else {
                Err(ApiError::idempotent_mismatch())
            }
        }
        _ => Ok(TokenLookup::Fresh),
    }
}

pub fn remember_token(
    p: &mut Partition,
    op: &str,
    token: Option<&str>,
    fp: &str,
    resource: &str,
    now: Epoch,
) {
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        p.tokens.insert(
            format!("{op}:{token}"),
            ClientTokenRecord {
                fingerprint: fp.to_string(),
                resource: resource.to_string(),
                expires_at: now + TOKEN_TTL_SECS,
            },
        );
    }
}

/// ServiceQuotaExceededException once `count` items reach quota `name` (see `quotas`).
pub fn check_quota(count: usize, name: &str) -> Result<(), ApiError> {
    quotas::check(count, name)
}

/// Default and largest page size.
pub const MAX_PAGE: usize = 100;

/// Pages `items` (already in a stable order, each with its sort key). The token is
/// the base64 sort key of the first item of the next page, so inserts and deletes
/// between calls do not skip or repeat items.
pub fn paginate(
    items: Vec<(String, Value)>,
    next_token: Option<&str>,
    max_results: Option<i64>,
) -> Result<(Vec<Value>, Option<String>), ApiError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let start = match next_token.filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => {
            let bytes = engine
                .decode(t)
                .map_err(|_| ApiError::validation("The nextToken is not valid."))?;
            let key = String::from_utf8(bytes)
                .map_err(|_| ApiError::validation("The nextToken is not valid."))?;
            let key = key
                .strip_prefix("pl1:")
                .ok_or_else(|| ApiError::validation("The nextToken is not valid."))?
                .to_string();
            Some(key)
        }
    };
    let limit = max_results
        .map(|m| m.clamp(1, MAX_PAGE as i64) as usize)
        .unwrap_or(MAX_PAGE);
    let mut page = Vec::new();
    let mut next = None;
    for (key, v) in items {
        if let Some(s) = &start
            && key < *s
        {
            continue;
        }
        if page.len() == limit {
            next = Some(engine.encode(format!("pl1:{key}")));
            break;
        }
        page.push(v);
    }
    Ok((page, next))
}

/// Sort key that orders by time, newest first, then by id.
pub fn newest_first_key(t: Epoch, id: &str) -> String {
    let inv = 9_999_999_999_999i64 - (t * 1000.0) as i64;
    format!("{inv:013}:{id}")
}

/// Runs one operation.
pub fn dispatch(op: &str, ctx: &mut Ctx<'_>, body: &Value) -> Result<Value, ApiError> {
    let i = Input(body);
    use templates::Kind::{Environment as EnvT, Service as SvcT};
    match op {
        // Templates and versions.
        "CreateEnvironmentTemplate" => templates::create_template(ctx, EnvT, i),
        "GetEnvironmentTemplate" => templates::get_template(ctx, EnvT, i),
        "UpdateEnvironmentTemplate" => templates::update_template(ctx, EnvT, i),
        "DeleteEnvironmentTemplate" => templates::delete_template(ctx, EnvT, i),
        "ListEnvironmentTemplates" => templates::list_templates(ctx, EnvT, i),
        "CreateEnvironmentTemplateVersion" => templates::create_version(ctx, EnvT, i),
        "GetEnvironmentTemplateVersion" => templates::get_version(ctx, EnvT, i),
        "UpdateEnvironmentTemplateVersion" => templates::update_version(ctx, EnvT, i),
        "DeleteEnvironmentTemplateVersion" => templates::delete_version(ctx, EnvT, i),
        "ListEnvironmentTemplateVersions" => templates::list_versions(ctx, EnvT, i),
        "CreateServiceTemplate" => templates::create_template(ctx, SvcT, i),
        "GetServiceTemplate" => templates::get_template(ctx, SvcT, i),
        "UpdateServiceTemplate" => templates::update_template(ctx, SvcT, i),
        "DeleteServiceTemplate" => templates::delete_template(ctx, SvcT, i),
        "ListServiceTemplates" => templates::list_templates(ctx, SvcT, i),
        "CreateServiceTemplateVersion" => templates::create_version(ctx, SvcT, i),
        "GetServiceTemplateVersion" => templates::get_version(ctx, SvcT, i),
        "UpdateServiceTemplateVersion" => templates::update_version(ctx, SvcT, i),
        "DeleteServiceTemplateVersion" => templates::delete_version(ctx, SvcT, i),
        "ListServiceTemplateVersions" => templates::list_versions(ctx, SvcT, i),
        // Tags.
        "TagResource" => tags::tag_resource(ctx, i),
        "UntagResource" => tags::untag_resource(ctx, i),
        "ListTagsForResource" => tags::list_tags(ctx, i),
        // Environments.
        "CreateEnvironment" => environments::create(ctx, i),
        "GetEnvironment" => environments::get(ctx, i),
        "UpdateEnvironment" => environments::update(ctx, i),
        "DeleteEnvironment" => environments::delete(ctx, i),
        "ListEnvironments" => environments::list(ctx, i),
        "CancelEnvironmentDeployment" => environments::cancel(ctx, i),
        "ListEnvironmentOutputs" => environments::outputs(ctx, i),
        "ListEnvironmentProvisionedResources" => environments::provisioned(ctx, i),
        // Environment account connections.
        "CreateEnvironmentAccountConnection" => connections::create(ctx, i),
        "GetEnvironmentAccountConnection" => connections::get(ctx, i),
        "UpdateEnvironmentAccountConnection" => connections::update(ctx, i),
        "DeleteEnvironmentAccountConnection" => connections::delete(ctx, i),
        "ListEnvironmentAccountConnections" => connections::list(ctx, i),
        "AcceptEnvironmentAccountConnection" => connections::accept(ctx, i),
        "RejectEnvironmentAccountConnection" => connections::reject(ctx, i),
        // Services, instances, pipelines.
        "CreateService" => services::create(ctx, i),
        "GetService" => services::get(ctx, i),
        "UpdateService" => services::update(ctx, i),
        "DeleteService" => services::delete(ctx, i),
        "ListServices" => services::list(ctx, i),
        "CreateServiceInstance" => service_instances::create_instance(ctx, i),
        "GetServiceInstance" => service_instances::get_instance(ctx, i),
        "UpdateServiceInstance" => service_instances::update_instance(ctx, i),
        "ListServiceInstances" => service_instances::list_instances(ctx, i),
        "CancelServiceInstanceDeployment" => service_instances::cancel_instance(ctx, i),
        "ListServiceInstanceOutputs" => service_instances::instance_outputs(ctx, i),
        "ListServiceInstanceProvisionedResources" => {
            service_instances::instance_provisioned(ctx, i)
        }
        "UpdateServicePipeline" => service_pipelines::update_pipeline(ctx, i),
        "CancelServicePipelineDeployment" => service_pipelines::cancel_pipeline(ctx, i),
        "ListServicePipelineOutputs" => service_pipelines::pipeline_outputs(ctx, i),
        "ListServicePipelineProvisionedResources" => {
            service_pipelines::pipeline_provisioned(ctx, i)
        }
        // Components.
        "CreateComponent" => components::create(ctx, i),
        "GetComponent" => components::get(ctx, i),
        "UpdateComponent" => components::update(ctx, i),
        "DeleteComponent" => components::delete(ctx, i),
        "ListComponents" => components::list(ctx, i),
        "CancelComponentDeployment" => components::cancel(ctx, i),
        "ListComponentOutputs" => components::outputs(ctx, i),
        "ListComponentProvisionedResources" => components::provisioned(ctx, i),
        // Deployments.
        "GetDeployment" => deployments::get(ctx, i),
        "ListDeployments" => deployments::list(ctx, i),
        "DeleteDeployment" => deployments::delete(ctx, i),
        "NotifyResourceDeploymentStatusChange" => deployments::notify(ctx, i),
        // Repositories and sync.
        "CreateRepository" => repositories::create(ctx, i),
        "GetRepository" => repositories::get(ctx, i),
        "DeleteRepository" => repositories::delete(ctx, i),
        "ListRepositories" => repositories::list(ctx, i),
        "GetRepositorySyncStatus" => repositories::sync_status(ctx, i),
        "ListRepositorySyncDefinitions" => repositories::sync_definitions(ctx, i),
        "CreateTemplateSyncConfig" => repositories::create_template_sync(ctx, i),
        "GetTemplateSyncConfig" => repositories::get_template_sync(ctx, i),
        "UpdateTemplateSyncConfig" => repositories::update_template_sync(ctx, i),
        "DeleteTemplateSyncConfig" => repositories::delete_template_sync(ctx, i),
        "GetTemplateSyncStatus" => repositories::template_sync_status(ctx, i),
        "CreateServiceSyncConfig" => repositories::create_service_sync(ctx, i),
        "GetServiceSyncConfig" => repositories::get_service_sync(ctx, i),
        "UpdateServiceSyncConfig" => repositories::update_service_sync(ctx, i),
        "DeleteServiceSyncConfig" => repositories::delete_service_sync(ctx, i),
        "GetServiceInstanceSyncStatus" => repositories::instance_sync_status(ctx, i),
        "GetServiceSyncBlockerSummary" => repositories::blocker_summary(ctx, i),
        "UpdateServiceSyncBlocker" => repositories::update_blocker(ctx, i),
        // Account.
        "GetAccountSettings" => account::get_settings(ctx, i),
        "UpdateAccountSettings" => account::update_settings(ctx, i),
        "GetResourcesSummary" => account::resources_summary(ctx, i),
        other => Err(ApiError::UnknownOperation(format!(
            "Operation {other} is not supported."
        ))),
    }
}

/// Whether an operation can change state (it is then run on a copy that is
/// kept only if it succeeds, and persisted before the answer).
pub fn is_mutation(op: &str) -> bool {
    [
        "Create", "Update", "Delete", "Tag", "Untag", "Accept", "Reject", "Cancel", "Notify",
    ]
    .iter()
    .any(|p| op.starts_with(p))
}

/// `{ "key": k, "valueString": v }` list.
pub fn outputs_json(outputs: &[(String, String)]) -> Value {
    Value::Array(
        outputs
            .iter()
            .map(|(k, v)| json!({"key": k, "valueString": v}))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_look_like_uuids() {
        let mut rng = fastrand::Rng::with_seed(1);
        let u = uuid(&mut rng);
        let re = regex::Regex::new(
            "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        )
        .unwrap();
        assert!(re.is_match(&u), "{u}");
    }

    #[test]
    fn pagination_walks_all_items_once() {
        let items: Vec<(String, Value)> = (0..7).map(|i| (format!("k{i}"), json!(i))).collect();
        let (p1, t1) = paginate(items.clone(), None, Some(3)).unwrap();
        assert_eq!(p1, vec![json!(0), json!(1), json!(2)]);
        let (p2, t2) = paginate(items.clone(), t1.as_deref(), Some(3)).unwrap();
        assert_eq!(p2, vec![json!(3), json!(4), json!(5)]);
        let (p3, t3) = paginate(items.clone(), t2.as_deref(), Some(3)).unwrap();
        assert_eq!(p3, vec![json!(6)]);
        assert!(t3.is_none());
        assert!(paginate(items, Some("garbage!"), None).is_err());
        let re = regex::Regex::new("^[A-Za-z0-9+=/]+$").unwrap();
        assert!(re.is_match(t1.as_deref().unwrap()));
    }

    #[test]
    fn canonical_ignores_key_order() {
        let a: Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":2,"x":[1,{"q":1,"p":2}]}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":[1,{"p":2,"q":1}],"y":2},"b":1}"#).unwrap();
        assert_eq!(canonical(&a), canonical(&b));
        assert_eq!(fingerprint(&a, &["b"]), fingerprint(&b, &["b", "zz"]));
    }
}
