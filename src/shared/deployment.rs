//! What every deployed resource (environment, service instance, service pipeline, component) shares:
//! its deployment attributes, when a plan deploys, which deployment type an update uses, and waiting
//! for a deployment (cancelling it on timeout when asked).

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::aws::deployment_status::{self as phase, Phase};
use crate::aws::types::{
    Component, ComponentSummary, DeploymentStatus, DeploymentUpdateType, Environment,
    EnvironmentSummary, ServiceInstance, ServiceInstanceSummary, ServicePipeline,
};
use crate::aws::{ApiError, Stamp};
use crate::engine::wait::{Poll, wait_for};
use crate::engine::{Ctx, Error, Failure, PlanEdit, Timeouts};
use crate::tf::schema::Attribute;
use crate::tf::{AttributePath, Diagnostics, Value};

pub const CANCEL_ON_TIMEOUT: &str = "cancel_on_timeout";
pub const TEMPLATE_MAJOR_VERSION: &str = "template_major_version";
pub const TEMPLATE_MINOR_VERSION: &str = "template_minor_version";
const DEPLOYMENT_STATUS: &str = "deployment_status";

/// The inputs whose change deploys a service instance or pipeline (see [`plan`]).
pub const SPEC_AND_VERSIONS: [&str; 3] = ["spec", TEMPLATE_MAJOR_VERSION, TEMPLATE_MINOR_VERSION];

/// Attributes that only change when a deployment happens.
const RESULTS: [&str; 6] = [
    DEPLOYMENT_STATUS,
    "deployment_status_message",
    "last_attempted_deployment_id",
    "last_succeeded_deployment_id",
    "last_deployment_attempted_at",
    "last_deployment_succeeded_at",
];

/// How long a deployment may take unless `timeouts` says otherwise.
const DEPLOYMENT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The `timeouts` of a resource whose create, update and delete each wait for Proton's work.
pub const TIMEOUTS: Timeouts = Timeouts {
    create: Some(DEPLOYMENT_TIMEOUT),
    update: Some(DEPLOYMENT_TIMEOUT),
    delete: Some(DEPLOYMENT_TIMEOUT),
};

/// The `timeouts` of a resource Proton deletes with its parent (a service's instances and pipeline).
pub const TIMEOUTS_WITHOUT_DELETE: Timeouts = Timeouts {
    delete: None,
    ..TIMEOUTS
};

/// However short the operation's timeout, a cancellation gets at least this long to finish.
const CANCEL_WAIT_MIN: Duration = Duration::from_secs(60);

/// The deployment attributes of a resource's or data source's model (flattened into it).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct DeploymentFields {
    pub deployment_status: Option<String>,
    pub deployment_status_message: Option<String>,
    pub last_attempted_deployment_id: Option<String>,
    pub last_succeeded_deployment_id: Option<String>,
    pub last_deployment_attempted_at: Option<String>,
    pub last_deployment_succeeded_at: Option<String>,
}

/// Every API shape with deployment fields, full or summary: their getters share names.
macro_rules! deployment_fields_from {
    ($($ty:ty),* $(,)?) => {$(
        impl From<&$ty> for DeploymentFields {
            fn from(object: &$ty) -> Self {
                Self {
                    deployment_status: Some(object.deployment_status().as_str().to_string()),
                    // Proton reports "no message" as "": null in Terraform.
                    deployment_status_message: object
                        .deployment_status_message()
                        .filter(|m| !m.is_empty())
                        .map(str::to_string),
                    last_attempted_deployment_id: object
                        .last_attempted_deployment_id()
                        .map(str::to_string),
                    last_succeeded_deployment_id: object
                        .last_succeeded_deployment_id()
                        .map(str::to_string),
                    last_deployment_attempted_at: object.last_deployment_attempted_at().stamp(),
                    last_deployment_succeeded_at: object.last_deployment_succeeded_at().stamp(),
                }
            }
        }
    )*};
}

deployment_fields_from!(
    Environment,
    EnvironmentSummary,
    ServiceInstance,
    ServiceInstanceSummary,
    ServicePipeline,
    Component,
    ComponentSummary,
);

impl DeploymentFields {
    /// The fields as the data sources report them: an empty deployment ID is null there too.
    pub fn listed<'a, T>(object: &'a T) -> Self
    where
        Self: From<&'a T>,
    {
        let mut fields = Self::from(object);
        let empty_as_null = |id: &mut Option<String>| {
            if id.as_deref() == Some("") {
                *id = None;
            }
        };
        empty_as_null(&mut fields.last_attempted_deployment_id);
        empty_as_null(&mut fields.last_succeeded_deployment_id);
        fields
    }

    /// Whether the last deployment ended well (a model without a status counts as settled).
    pub fn settled(&self) -> bool {
        self.deployment_status
            .as_deref()
            .is_none_or(|status| status == DeploymentStatus::Succeeded.as_str())
    }

    pub fn running(&self) -> bool {
        self.deployment_status
            .as_deref()
            .is_some_and(|status| phase::is_running(&DeploymentStatus::from(status)))
    }
}

/// What each of [`RESULTS`] says, for a `what` such as "environment": a resource's attributes say when
/// they change, a data source's what they may hold.
fn descriptions(what: &str, resource: bool) -> [String; 6] {
    let (status, message, attempted_id) = if resource {
        (
            format!(
                "Status of the {what}'s last deployment: `SUCCEEDED` after a successful apply; `FAILED`, \
                 `CANCELLED` or `IN_PROGRESS` when the last apply did not finish it (the next plan then \
                 deploys again)."
            ),
            format!("Why the {what}'s last deployment failed, if it did."),
            format!(
                "ID of the {what}'s last deployment. Unknown in a plan exactly when the apply will \
                 deploy; unchanged when the update only changes metadata."
            ),
        )
    } else {
        (
            format!(
                "Status of the {what}'s last deployment (`IN_PROGRESS`, `FAILED`, `SUCCEEDED`, \
                 `DELETE_IN_PROGRESS`, `DELETE_FAILED`, `DELETE_COMPLETE`, `CANCELLING`, `CANCELLED`)."
            ),
            format!("Why the {what}'s last deployment has its status, if Proton says."),
            format!("ID of the {what}'s last deployment."),
        )
    };
    [
        status,
        message,
        attempted_id,
        format!("ID of the {what}'s last successful deployment."),
        format!("When the {what}'s last deployment started (RFC 3339)."),
        format!("When the {what}'s last successful deployment finished (RFC 3339)."),
    ]
}

/// The deployment an update starts, planned as a known value so `terraform plan` shows it.
pub const DEPLOYMENT_TYPE: &str = "deployment_type";

/// A deployed resource's deployment attributes, for a `what` such as "environment": kept from state
/// until an apply deploys (see [`plan`]), and the deployment type the plan shows.
pub fn attributes(what: &str) -> Vec<Attribute> {
    RESULTS
        .into_iter()
        .zip(descriptions(what, true))
        .map(|(name, description)| {
            Attribute::string(name)
                .computed()
                .use_state_for_unknown()
                .describe(&description)
        })
        .chain([Attribute::string(DEPLOYMENT_TYPE).computed().describe(&format!(
            "The deployment the planned update of the {what} starts, as Proton names it: `MAJOR_VERSION` \
             (a new major template version), `MINOR_VERSION` (a new minor version), `CURRENT_VERSION` \
             (the same version again, for a changed spec or other deployed input, or after a failed \
             deployment) or `NONE` (a change that deploys nothing, such as the description). Shown in \
             `terraform plan` and kept in state until the next update; null after a create or an import."
        ))])
        .collect()
}

/// A data source's deployment attributes, for a `what` such as "environment".
pub fn data_source_attributes(what: &str) -> Vec<Attribute> {
    RESULTS
        .into_iter()
        .zip(descriptions(what, false))
        .map(|(name, description)| Attribute::string(name).computed().describe(&description))
        .collect()
}

pub fn cancel_on_timeout() -> Attribute {
    Attribute::bool(CANCEL_ON_TIMEOUT)
        .default_value(Value::Bool(false))
        .describe(
            "When a create or update times out (see `timeouts`), cancel the deployment and wait until it \
             is cancelled, instead of leaving it running. Either way the apply fails and the next plan \
             deploys again.",
        )
}

/// The plan of a deployed resource: its deployment results are unknown exactly when the apply will
/// deploy, that is when one of `inputs` changes or the last deployment did not succeed. A new major
/// version without a configured minor version leaves the minor version to Proton.
pub fn plan(plan: &mut PlanEdit<'_>, inputs: &[&str]) {
    if plan.creating() {
        return;
    }
    let unsettled = plan
        .prior(DEPLOYMENT_STATUS)
        .as_str()
        .is_some_and(|status| status != DeploymentStatus::Succeeded.as_str());
    if unsettled || inputs.iter().any(|name| plan.changes(name)) {
        for name in RESULTS {
            plan.set_unknown(name);
        }
    }
    if plan.changes(TEMPLATE_MAJOR_VERSION) {
        plan.set_unknown(TEMPLATE_MINOR_VERSION);
    }
    if plan.creating() {
        plan.set_known(DEPLOYMENT_TYPE, Value::Null);
    } else if plan.updates() {
        let current = Versions {
            major: plan.prior(TEMPLATE_MAJOR_VERSION).as_str(),
            minor: plan.prior(TEMPLATE_MINOR_VERSION).as_str(),
        };
        let wanted = Versions {
            major: plan.configured(TEMPLATE_MAJOR_VERSION).as_str(),
            minor: plan.configured(TEMPLATE_MINOR_VERSION).as_str(),
        };
        let redeploy = unsettled || inputs.iter().any(|name| plan.changes(name));
        let update_type = deploy(current, wanted, redeploy).update_type;
        plan.set_known(DEPLOYMENT_TYPE, Value::string(update_type.as_str()));
    }
}

/// Proton deploys a new major version only upward: a configured major below the one in use is
/// refused at plan, on `template_major_version`, rather than by Proton at apply.
pub fn refuse_lower_major(prior: &Value, config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let major = |object: &Value| {
        object
            .get(TEMPLATE_MAJOR_VERSION)
            .and_then(Value::as_str)
            .and_then(|text| text.parse::<u64>().ok())
    };
    if let (Some(current), Some(wanted)) = (major(prior), major(config))
        && wanted < current
    {
        diags.attribute_error(
            AttributePath::attribute(TEMPLATE_MAJOR_VERSION),
            "Lower major version",
            format!(
                "Major version {wanted} is below {current}, the one in use: Proton only deploys a \
                 higher major version. Replace the object to go back to major version {wanted}."
            ),
        );
    }
    diags
}

/// A template version as a model holds it (`None`: not configured, Proton chooses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Versions<'a> {
    pub major: Option<&'a str>,
    pub minor: Option<&'a str>,
}

/// How an update deploys, and which versions it names.
#[derive(Clone, Debug, PartialEq)]
pub struct Deploy<'a> {
    pub update_type: DeploymentUpdateType,
    pub versions: Versions<'a>,
}

impl Deploy<'_> {
    pub fn deploys(&self) -> bool {
        self.update_type != DeploymentUpdateType::None
    }
}

/// The deployment type for going from `current` to `wanted`: a new major version, a new minor version,
/// a redeploy of the same version (`redeploy`: the spec or another deployed input changed, or the
/// last deployment failed), or none (metadata only).
pub fn deploy<'a>(current: Versions<'_>, wanted: Versions<'a>, redeploy: bool) -> Deploy<'a> {
    let differs =
        |wanted: Option<&str>, current: Option<&str>| wanted.is_some() && wanted != current;
    let (update_type, versions) = if differs(wanted.major, current.major) {
        (DeploymentUpdateType::MajorVersion, wanted)
    } else if differs(wanted.minor, current.minor) {
        (DeploymentUpdateType::MinorVersion, wanted)
    } else if redeploy {
        (DeploymentUpdateType::CurrentVersion, Versions::default())
    } else {
        (DeploymentUpdateType::None, Versions::default())
    };
    Deploy {
        update_type,
        versions,
    }
}

/// An object as the API reports it, with a deployment.
pub trait Deployed: Send + Sync {
    fn status(&self) -> &DeploymentStatus;
    fn message(&self) -> Option<&str>;
    fn fields(&self) -> DeploymentFields;
}

/// The full API shapes of the deployed objects: their getters share names.
macro_rules! deployed {
    ($($ty:ty),*) => {$(
        impl Deployed for $ty {
            fn status(&self) -> &DeploymentStatus {
                self.deployment_status()
            }
            fn message(&self) -> Option<&str> {
                self.deployment_status_message()
            }
            fn fields(&self) -> DeploymentFields {
                DeploymentFields::from(self)
            }
        }
    )*};
}

deployed!(Environment, ServiceInstance, ServicePipeline, Component);

/// An object as the API reports it, deployed from a spec and a template version.
pub trait Versioned: Deployed {
    fn template(&self) -> &str;
    fn spec(&self) -> Option<&str>;
    fn versions(&self) -> Versions<'_>;
}

macro_rules! versioned {
    ($($ty:ty),*) => {$(
        impl Versioned for $ty {
            fn template(&self) -> &str {
                self.template_name()
            }
            fn spec(&self) -> Option<&str> {
                <$ty>::spec(self)
            }
            fn versions(&self) -> Versions<'_> {
                Versions {
                    major: Some(self.template_major_version()),
                    minor: Some(self.template_minor_version()),
                }
            }
        }
    )*};
}

versioned!(ServiceInstance, ServicePipeline);

/// What a deployed object runs now, as far as a decision to deploy goes.
pub struct Running<'a> {
    /// The service template (`None`: not known, e.g. state written before it was recorded).
    pub template: Option<&'a str>,
    pub spec: Option<&'a str>,
    pub versions: Versions<'a>,
    pub succeeded: bool,
}

impl<'a> Running<'a> {
    /// What `object`, as the API reports it, runs.
    pub fn reported(object: &'a impl Versioned) -> Self {
        Self {
            template: Some(object.template()),
            spec: object.spec(),
            versions: object.versions(),
            succeeded: *object.status() == DeploymentStatus::Succeeded,
        }
    }
}

/// Whether the last deployment `fields` records succeeded; when one is still running (an earlier apply
/// was interrupted), `idle` waits it out and the object then says.
pub async fn succeeded_once_idle<T, F>(
    fields: &DeploymentFields,
    idle: impl FnOnce() -> F,
) -> Result<bool, Error>
where
    T: Deployed,
    F: Future<Output = Result<T, Error>>,
{
    if !fields.running() {
        return Ok(fields.settled());
    }
    Ok(*idle().await?.status() == DeploymentStatus::Succeeded)
}

/// A wait that did not end in success, with the object as last seen (if it still exists).
#[derive(Debug)]
pub struct Unfinished<T> {
    pub error: Error,
    pub object: Option<T>,
}

impl<T> Unfinished<T> {
    /// The failed operation, with the object as last seen `report`ed as the resource's state.
    pub fn failure<M>(self, report: impl FnOnce(T) -> M) -> Failure<M> {
        Failure {
            error: self.error,
            state: self.object.map(report),
        }
    }
}

impl<T> From<ApiError> for Unfinished<T> {
    fn from(error: ApiError) -> Self {
        Self {
            error: error.into(),
            object: None,
        }
    }
}

fn ended<T: Deployed>(what: &str, object: &T) -> String {
    let status = object.status().as_str();
    match object.message().filter(|m| !m.is_empty()) {
        Some(message) => format!("{what} ended {status}: {message}"),
        None => format!("{what} ended {status}"),
    }
}

/// Polls `get` while `working` says the object is busy; `None` when the object disappeared.
async fn poll_until<T, G, F>(
    ctx: &Ctx,
    what: &str,
    get: &G,
    working: fn(&DeploymentStatus) -> bool,
    last: &Mutex<Option<T>>,
) -> Result<Option<T>, Error>
where
    T: Deployed,
    G: Fn() -> F,
    F: Future<Output = Result<Option<T>, ApiError>>,
{
    wait_for(ctx, what, || async {
        let Some(object) = get().await? else {
            return Ok(Poll::Done(None));
        };
        if working(object.status()) {
            let status = object.status().as_str().to_string();
            if let Ok(mut slot) = last.lock() {
                *slot = Some(object);
            }
            return Ok(Poll::Pending(status));
        }
        Ok(Poll::Done(Some(object)))
    })
    .await
}

fn deploying(status: &DeploymentStatus) -> bool {
    phase::deployment(status) == Phase::Working
}

fn cancelling(status: &DeploymentStatus) -> bool {
    phase::cancellation(status) == Phase::Working
}

/// Waits for the deployment a create or update started. Success is the object with its deployment
/// SUCCEEDED; anything else comes with the object as it then is, so a failed create stays in state
/// (tainted) and a failed update records the real outcome. On timeout with `cancel_on_timeout`, the
/// deployment is cancelled (`cancel`) and the wait goes on until it has stopped.
pub async fn wait_deployed<T, G, F, C, CF>(
    ctx: &Ctx,
    what: &str,
    cancel_on_timeout: bool,
    get: G,
    cancel: C,
) -> Result<T, Unfinished<T>>
where
    T: Deployed,
    G: Fn() -> F,
    F: Future<Output = Result<Option<T>, ApiError>>,
    C: FnOnce() -> CF,
    CF: Future<Output = Result<(), ApiError>>,
{
    let last = Mutex::new(None);
    let outcome = poll_until(ctx, what, &get, deploying, &last).await;
    let last = last.into_inner().ok().flatten();
    match outcome {
        Ok(Some(object)) if phase::deployment(object.status()) == Phase::Succeeded => Ok(object),
        Ok(Some(object)) => Err(Unfinished {
            error: Error::Failed(ended(what, &object)),
            object: Some(object),
        }),
        Ok(None) => Err(Unfinished {
            error: Error::Failed(format!("{what}: the object disappeared while deploying")),
            object: None,
        }),
        Err(timeout @ Error::Timeout { .. }) if cancel_on_timeout => {
            cancel_after(ctx, what, timeout, &get, cancel, last).await
        }
        Err(error) => Err(Unfinished {
            error,
            object: last,
        }),
    }
}

async fn cancel_after<T, G, F, C, CF>(
    ctx: &Ctx,
    what: &str,
    timeout: Error,
    get: &G,
    cancel: C,
    last: Option<T>,
) -> Result<T, Unfinished<T>>
where
    T: Deployed,
    G: Fn() -> F,
    F: Future<Output = Result<Option<T>, ApiError>>,
    C: FnOnce() -> CF,
    CF: Future<Output = Result<(), ApiError>>,
{
    match cancel().await {
        // Conflict: nothing left to cancel, the deployment ended meanwhile.
        Ok(()) | Err(ApiError::Conflict(_)) => {}
        Err(error) => {
            return Err(Unfinished {
                error: Error::Failed(format!(
                    "{timeout}; cancelling the deployment failed: {error}"
                )),
                object: last,
            });
        }
    }
    tracing::info!(
        what,
        "timed out; deployment cancelled, waiting for it to stop"
    );
    let mut patient = ctx.clone();
    patient.timeout = ctx.timeout.at_least(CANCEL_WAIT_MIN);
    let seen = Mutex::new(None);
    let outcome = poll_until(
        &patient,
        &format!("cancellation of the {what}"),
        get,
        cancelling,
        &seen,
    )
    .await;
    match outcome {
        Ok(Some(object)) if phase::deployment(object.status()) == Phase::Succeeded => Ok(object),
        Ok(Some(object)) => Err(Unfinished {
            error: Error::Failed(format!(
                "{timeout}; the deployment was cancelled: {}",
                ended(what, &object)
            )),
            object: Some(object),
        }),
        Ok(None) => Err(Unfinished {
            error: timeout,
            object: None,
        }),
        Err(error) => Err(Unfinished {
            error: Error::Failed(format!("{timeout}; {error}")),
            object: seen.into_inner().ok().flatten().or(last),
        }),
    }
}

/// A create's result: the object at once when its deployment already succeeded, else what `wait`
/// for that deployment ends with.
pub async fn succeeded_or_wait<T: Deployed, M>(
    created: T,
    report: impl FnOnce(T) -> M,
    wait: impl Future<Output = Result<M, Failure<M>>>,
) -> Result<M, Failure<M>> {
    if *created.status() == DeploymentStatus::Succeeded {
        return Ok(report(created));
    }
    wait.await
}

/// Waits while a deployment that is already running (started by an earlier, interrupted apply or by
/// someone else) goes on, so an update is not refused. `None` when the object disappeared.
pub async fn wait_idle<T, G, F>(ctx: &Ctx, what: &str, get: G) -> Result<Option<T>, Error>
where
    T: Deployed,
    G: Fn() -> F,
    F: Future<Output = Result<Option<T>, ApiError>>,
{
    let last = Mutex::new(None);
    poll_until(ctx, what, &get, phase::is_running, &last).await
}

/// Waits until a deleted object is gone; DELETE_FAILED is an error.
pub async fn wait_deleted<T, G, F>(ctx: &Ctx, what: &str, get: G) -> Result<(), Error>
where
    T: Deployed,
    G: Fn() -> F,
    F: Future<Output = Result<Option<T>, ApiError>>,
{
    wait_for(ctx, what, || async {
        let Some(object) = get().await? else {
            return Ok(Poll::Done(()));
        };
        Ok(match phase::deletion(object.status()) {
            Phase::Working => Poll::Pending(object.status().as_str().to_string()),
            Phase::Succeeded => Poll::Done(()),
            Phase::Failed => Poll::Failed(ended(what, &object)),
        })
    })
    .await
}

/// Deletes a deployed object named by `what` (`component web`): first waits out a deployment still
/// running when `running` (Proton refuses to delete during one), then waits until the object is gone.
pub async fn delete_deployed<T, G, F, D, DF>(
    ctx: &Ctx,
    what: &str,
    running: bool,
    get: G,
    delete: D,
) -> Result<(), Error>
where
    T: Deployed,
    G: Fn() -> F,
    F: Future<Output = Result<Option<T>, ApiError>>,
    D: FnOnce() -> DF,
    DF: Future<Output = Result<(), ApiError>>,
{
    if running {
        let deployment = format!("the running deployment of {what}");
        if wait_idle(ctx, &deployment, &get).await?.is_none() {
            return Ok(());
        }
    }
    delete().await?;
    wait_deleted(ctx, &format!("deletion of {what}"), get).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v<'a>(major: Option<&'a str>, minor: Option<&'a str>) -> Versions<'a> {
        Versions { major, minor }
    }

    #[test]
    fn deployment_type_follows_what_changed() {
        let current = v(Some("1"), Some("2"));
        let major = deploy(current, v(Some("2"), None), false);
        assert_eq!(major.update_type, DeploymentUpdateType::MajorVersion);
        assert_eq!(major.versions, v(Some("2"), None));
        let minor = deploy(current, v(Some("1"), Some("3")), false);
        assert_eq!(minor.update_type, DeploymentUpdateType::MinorVersion);
        let spec = deploy(current, v(Some("1"), Some("2")), true);
        assert_eq!(spec.update_type, DeploymentUpdateType::CurrentVersion);
        assert_eq!(spec.versions, Versions::default());
        // Unset versions mean "as they are".
        let metadata = deploy(current, v(None, None), false);
        assert_eq!(metadata.update_type, DeploymentUpdateType::None);
        assert!(!metadata.deploys());
    }

    fn edit_plan(prior: &Value, config: &Value, inputs: &[&str]) -> Value {
        let mut planned = prior.clone();
        if let (Value::Object(fields), Value::Object(set)) = (&mut planned, config) {
            for (name, value) in set {
                if !value.is_null() {
                    fields.insert(name.clone(), value.clone());
                }
            }
        }
        plan(&mut PlanEdit::new(prior, config, &mut planned), inputs);
        planned
    }

    fn prior(status: &str) -> Value {
        Value::object([
            ("spec", Value::string("a: 1")),
            ("description", Value::string("d")),
            (TEMPLATE_MAJOR_VERSION, Value::string("1")),
            (TEMPLATE_MINOR_VERSION, Value::string("0")),
            (DEPLOYMENT_STATUS, Value::string(status)),
            ("last_attempted_deployment_id", Value::string("dep-1")),
        ])
    }

    #[test]
    fn results_are_unknown_only_when_the_apply_deploys() {
        let inputs = ["spec", TEMPLATE_MAJOR_VERSION, TEMPLATE_MINOR_VERSION];
        let description = Value::object([("description", Value::string("new"))]);
        let planned = edit_plan(&prior("SUCCEEDED"), &description, &inputs);
        assert_eq!(
            planned.get("last_attempted_deployment_id"),
            Some(&Value::string("dep-1"))
        );

        let spec = Value::object([("spec", Value::string("a: 2"))]);
        let planned = edit_plan(&prior("SUCCEEDED"), &spec, &inputs);
        assert_eq!(
            planned.get("last_attempted_deployment_id"),
            Some(&Value::Unknown)
        );
        assert_eq!(planned.get(DEPLOYMENT_STATUS), Some(&Value::Unknown));
        assert_eq!(
            planned.get(TEMPLATE_MINOR_VERSION),
            Some(&Value::string("0"))
        );

        // A failed deployment is deployed again even with nothing changed.
        let planned = edit_plan(
            &prior("FAILED"),
            &Value::Object(Default::default()),
            &inputs,
        );
        assert_eq!(planned.get(DEPLOYMENT_STATUS), Some(&Value::Unknown));
    }

    #[test]
    fn a_new_major_version_leaves_an_unset_minor_to_proton() {
        let inputs = [TEMPLATE_MAJOR_VERSION, TEMPLATE_MINOR_VERSION];
        let major = Value::object([(TEMPLATE_MAJOR_VERSION, Value::string("2"))]);
        let planned = edit_plan(&prior("SUCCEEDED"), &major, &inputs);
        assert_eq!(planned.get(TEMPLATE_MINOR_VERSION), Some(&Value::Unknown));
        let pinned = Value::object([
            (TEMPLATE_MAJOR_VERSION, Value::string("2")),
            (TEMPLATE_MINOR_VERSION, Value::string("0")),
        ]);
        let planned = edit_plan(&prior("SUCCEEDED"), &pinned, &inputs);
        assert_eq!(
            planned.get(TEMPLATE_MINOR_VERSION),
            Some(&Value::string("0"))
        );
    }

    #[test]
    fn settled_means_succeeded() {
        let mut fields = DeploymentFields::default();
        assert!(fields.settled() && !fields.running());
        fields.deployment_status = Some("FAILED".into());
        assert!(!fields.settled());
        fields.deployment_status = Some("CANCELLING".into());
        assert!(fields.running());
    }

    mod waiting {
        use super::super::*;
        use std::sync::atomic::{AtomicU32, Ordering};

        use aws_smithy_types::DateTime;

        fn env(status: &str, message: Option<&str>) -> Environment {
            let now = DateTime::from_secs(1_800_000_000);
            Environment::builder()
                .name("e")
                .arn("arn:aws:proton:us-east-1:000000000000:environment/e")
                .template_name("t")
                .template_major_version("1")
                .template_minor_version("0")
                .created_at(now)
                .last_deployment_attempted_at(now)
                .last_deployment_succeeded_at(now)
                .deployment_status(DeploymentStatus::from(status))
                .set_deployment_status_message(message.map(str::to_string))
                .build()
                .expect("environment")
        }

        /// A fake object whose status follows a script, one entry per look (the last one repeats).
        struct Script(Mutex<Vec<&'static str>>);

        impl Script {
            fn new(statuses: &[&'static str]) -> Self {
                Self(Mutex::new(statuses.iter().rev().copied().collect()))
            }
            async fn get(&self) -> Result<Option<Environment>, ApiError> {
                let mut left = self.0.lock().expect("script");
                let status = if left.len() > 1 {
                    left.pop().unwrap_or("IN_PROGRESS")
                } else {
                    left.last().copied().unwrap_or("IN_PROGRESS")
                };
                Ok(Some(env(
                    status,
                    (status == "FAILED").then_some("stack failed"),
                )))
            }
            fn then(&self, statuses: &[&'static str]) {
                *self.0.lock().expect("script") = statuses.iter().rev().copied().collect();
            }
        }

        #[tokio::test(start_paused = true)]
        async fn a_failed_deployment_comes_back_with_the_object() {
            let script = Script::new(&["IN_PROGRESS", "IN_PROGRESS", "FAILED"]);
            let result = wait_deployed(
                &Ctx::for_tests(Duration::from_secs(600)),
                "deployment of environment e",
                false,
                || script.get(),
                || async { Ok(()) },
            )
            .await;
            let Err(unfinished) = result else {
                panic!("expected a failure")
            };
            assert_eq!(
                unfinished.error.to_string(),
                "deployment of environment e ended FAILED: stack failed"
            );
            let object = unfinished.object.expect("the object");
            assert_eq!(object.deployment_status(), &DeploymentStatus::Failed);
        }

        #[tokio::test(start_paused = true)]
        async fn a_timeout_cancels_when_asked_and_waits_for_cancelled() {
            let script = Script::new(&["IN_PROGRESS"]);
            let cancels = AtomicU32::new(0);
            let result = wait_deployed(
                &Ctx::for_tests(Duration::from_secs(5)),
                "deployment of environment e",
                true,
                || script.get(),
                || {
                    cancels.fetch_add(1, Ordering::SeqCst);
                    script.then(&["CANCELLING", "CANCELLING", "CANCELLED"]);
                    async { Ok(()) }
                },
            )
            .await;
            assert_eq!(cancels.load(Ordering::SeqCst), 1);
            let Err(unfinished) = result else {
                panic!("expected a failure")
            };
            let text = unfinished.error.to_string();
            assert!(text.starts_with("timed out after 5s"), "{text}");
            assert!(text.contains("ended CANCELLED"), "{text}");
            let object = unfinished.object.expect("the object");
            assert_eq!(object.deployment_status(), &DeploymentStatus::Cancelled);
        }

        #[tokio::test(start_paused = true)]
        async fn a_timeout_without_cancel_leaves_it_running() {
            let script = Script::new(&["IN_PROGRESS"]);
            let result = wait_deployed(
                &Ctx::for_tests(Duration::from_secs(5)),
                "deployment of environment e",
                false,
                || script.get(),
                || async { panic!("must not cancel") },
            )
            .await;
            let Err(unfinished) = result else {
                panic!("expected a failure")
            };
            assert!(matches!(unfinished.error, Error::Timeout { .. }));
            let object = unfinished.object.expect("the last object seen");
            assert_eq!(object.deployment_status(), &DeploymentStatus::InProgress);
        }

        #[tokio::test(start_paused = true)]
        async fn a_deployment_that_finished_before_the_cancel_is_a_success() {
            let script = Script::new(&["IN_PROGRESS"]);
            let result = wait_deployed(
                &Ctx::for_tests(Duration::from_secs(5)),
                "deployment of environment e",
                true,
                || script.get(),
                || {
                    script.then(&["SUCCEEDED"]);
                    async { Err(ApiError::Conflict("nothing to cancel".into())) }
                },
            )
            .await;
            assert!(result.is_ok());
        }

        #[tokio::test(start_paused = true)]
        async fn deletes_fail_on_delete_failed_and_end_when_gone() {
            let failed = wait_deleted(
                &Ctx::for_tests(Duration::from_secs(60)),
                "deletion",
                || async { Ok(Some(env("DELETE_FAILED", Some("still in use")))) },
            )
            .await;
            assert!(matches!(failed, Err(Error::Failed(text)) if text.contains("DELETE_FAILED")));
            let gone = wait_deleted::<Environment, _, _>(
                &Ctx::for_tests(Duration::from_secs(60)),
                "deletion",
                || async { Ok(None) },
            )
            .await;
            assert!(gone.is_ok());
        }
    }
}
