//! What a resource is to the engine: a declarative spec plus async CRUD on a typed model.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::aws::{ApiError, Proton};
use crate::tf::schema::{Attribute, NestedBlock};
use crate::tf::{Diagnostic, Diagnostics, Type, Value};

use super::StopSignal;
use super::convert::{ENGINE_OWNED, check_model, model_from_value, value_from_model};
use super::plan_edit::PlanEdit;
use super::timeouts::TimeLimit;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Default durations for the `timeouts` block; a resource that waits on nothing has none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timeouts {
    pub create: Option<Duration>,
    pub update: Option<Duration>,
    pub delete: Option<Duration>,
}

impl Timeouts {
    pub const NONE: Timeouts = Timeouts {
        create: None,
        update: None,
        delete: None,
    };

    pub fn is_empty(&self) -> bool {
        self.create.is_none() && self.update.is_none() && self.delete.is_none()
    }
}

/// Rules across attributes, checked at validate time with attribute paths.
#[derive(Clone, Debug)]
pub enum ConfigRule {
    /// Exactly one of these top-level attributes must be set.
    ExactlyOneOf(&'static [&'static str]),
    /// At most one of these top-level attributes may be set.
    AtMostOneOf(&'static [&'static str]),
}

/// Everything the engine needs to know about a resource type, declared once.
#[derive(Clone, Debug)]
pub struct ResourceSpec {
    /// `proton_environment_template`.
    pub type_name: &'static str,
    /// Markdown, first sentence used as the summary in docs.
    pub description: &'static str,
    /// Bumped when the stored state layout changes.
    pub version: i64,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Attributes that identify the object, in import-ID order (joined with `:`).
    pub identity: &'static [&'static str],
    /// Adds `tags` and computed `tags_all` (merged with the provider's `default_tags`); needs an `arn`.
    pub tags: bool,
    pub timeouts: Timeouts,
    pub rules: Vec<ConfigRule>,
}

/// The per-call context handed to CRUD code.
#[derive(Clone)]
pub struct Ctx {
    pub api: Arc<Proton>,
    /// How long this operation may wait (from `timeouts`), as the user wrote it.
    pub timeout: TimeLimit,
    /// Raised when Terraform calls StopProvider: waits end early.
    pub stop: StopSignal,
    /// Tags to set on create: the resource's `tags` merged over the provider's `default_tags`.
    pub tags: BTreeMap<String, String>,
    /// Stable for the same planned object, so a retried create is recognised by Proton.
    pub client_token: String,
    /// Warnings Terraform shows with the operation's outcome, whatever the log level.
    pub warnings: Warnings,
}

impl Ctx {
    /// A warning diagnostic for Terraform to show, for what the operation could not do as asked.
    pub fn warn(&self, summary: impl Into<String>, detail: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(summary, detail));
    }
}

/// The warnings of one operation, shared by every clone of its context.
#[derive(Clone, Default)]
pub struct Warnings(Arc<std::sync::Mutex<Vec<Diagnostic>>>);

impl Warnings {
    fn push(&self, warning: Diagnostic) {
        if let Ok(mut warnings) = self.0.lock() {
            warnings.push(warning);
        }
    }

    /// Everything warned so far, leaving none.
    pub fn take(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Ok(mut warnings) = self.0.lock() {
            for warning in warnings.drain(..) {
                diags.push(warning);
            }
        }
        diags
    }
}

#[cfg(test)]
impl Ctx {
    /// A context for unit tests of waits: an API client that is never reached, and `timeout`.
    pub fn for_tests(timeout: Duration) -> Ctx {
        let config = aws_sdk_proton::Config::builder()
            .behavior_version(aws_sdk_proton::config::BehaviorVersion::latest())
            .build();
        Ctx {
            api: Arc::new(Proton::new(config)),
            timeout: timeout.into(),
            stop: StopSignal::default(),
            tags: BTreeMap::new(),
            client_token: String::new(),
            warnings: Warnings::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A deployment or registration ended in a failure state.
    #[error("{0}")]
    Failed(String),
    #[error("timed out after {after} waiting for {what}")]
    Timeout { after: TimeLimit, what: String },
    #[error("stopped while waiting for {0}: Terraform asked the provider to stop")]
    Stopped(String),
    #[error("{0}")]
    Invalid(String),
    #[error("internal error: {0}")]
    Internal(String),
}

/// A failed create or update, with the object's state if it exists (Terraform then keeps it, tainted).
#[derive(Debug)]
pub struct Failure<M> {
    pub error: Error,
    pub state: Option<M>,
}

impl<M> Failure<M> {
    pub fn with_state(error: Error, state: M) -> Self {
        Self {
            error,
            state: Some(state),
        }
    }
}

impl<M, E: Into<Error>> From<E> for Failure<M> {
    fn from(error: E) -> Self {
        Self {
            error: error.into(),
            state: None,
        }
    }
}

/// A Proton resource. Implementations are small: a model struct, a spec and four calls into `crate::aws`.
pub trait Resource: Send + Sync + 'static {
    /// The full state object; field names are attribute names.
    type Model: Serialize + DeserializeOwned + Send + Sync + 'static;

    fn spec(&self) -> ResourceSpec;

    fn create(
        &self,
        ctx: &Ctx,
        planned: Self::Model,
    ) -> impl Future<Output = Result<Self::Model, Failure<Self::Model>>> + Send;

    /// `Ok(None)` when the object no longer exists.
    fn read(
        &self,
        ctx: &Ctx,
        current: Self::Model,
    ) -> impl Future<Output = Result<Option<Self::Model>, Error>> + Send;

    fn update(
        &self,
        ctx: &Ctx,
        prior: Self::Model,
        planned: Self::Model,
    ) -> impl Future<Output = Result<Self::Model, Failure<Self::Model>>> + Send;

    /// Deleting an object that is already gone succeeds.
    fn delete(
        &self,
        ctx: &Ctx,
        current: Self::Model,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Adjusts a plan after the engine's rules, e.g. to make values unknown that only change when an
    /// update will do something the arguments alone do not show. Nothing by default.
    fn modify_plan(&self, _plan: &mut PlanEdit<'_>) {}

    /// Cross-attribute checks the declarative `rules` cannot express, made when Terraform validates
    /// the configuration (no API call; unknown values are skipped). Nothing by default.
    fn validate_config(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Checks a planned create or change against what Proton already holds (reads only), so a
    /// request Proton would refuse fails at plan rather than at apply. `prior` is null on create.
    /// Nothing by default.
    fn check_plan(
        &self,
        _ctx: &Ctx,
        _prior: &Value,
        _config: &Value,
    ) -> impl Future<Output = Diagnostics> + Send {
        async { Diagnostics::new() }
    }

    /// The state for a `moved` block from another provider's resource type (such as awscc's), as JSON
    /// attributes of this resource, or `None` when `source_type` cannot move here. Not by default.
    fn move_from(
        &self,
        _source_type: &str,
        _source: &serde_json::Value,
    ) -> Option<serde_json::Value> {
        None
    }

    /// Whether `terraform query` can list this resource, and with which filters. Not by default.
    fn list_spec(&self) -> Option<ListSpec> {
        None
    }

    /// Every object matching `filter` (the list block's `config`), as far as a List call describes
    /// them: at least the identity attributes. The engine reads each one when the full object is asked for.
    fn list(
        &self,
        _ctx: &Ctx,
        _filter: &Value,
    ) -> impl Future<Output = Result<Vec<Self::Model>, Error>> + Send {
        async { Ok(Vec::new()) }
    }
}

/// A list resource for `terraform query` (Terraform 1.14+): its description and filter arguments.
#[derive(Clone, Debug)]
pub struct ListSpec {
    pub description: &'static str,
    pub filters: Vec<Attribute>,
}

/// The type-erased form the engine stores; implemented for every [`Resource`].
pub trait DynResource: Send + Sync {
    fn spec(&self) -> ResourceSpec;
    fn create<'a>(
        &'a self,
        ctx: &'a Ctx,
        planned: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Value, Failure<Value>>>;
    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        current: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Option<Value>, Error>>;
    fn update<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: &'a Value,
        planned: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Value, Failure<Value>>>;
    fn delete<'a>(&'a self, ctx: &'a Ctx, current: &'a Value) -> BoxFuture<'a, Result<(), Error>>;
    fn modify_plan(&self, plan: &mut PlanEdit<'_>);
    fn validate_config(&self, config: &Value, diags: &mut Diagnostics);
    fn check_plan<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: &'a Value,
        config: &'a Value,
    ) -> BoxFuture<'a, Diagnostics>;
    fn move_from(&self, source_type: &str, source: &serde_json::Value)
    -> Option<serde_json::Value>;
    fn list_spec(&self) -> Option<ListSpec>;
    fn list<'a>(
        &'a self,
        ctx: &'a Ctx,
        filter: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Vec<Value>, Error>>;
    /// Whether the model and `ty` (the full schema's type) agree: see [`check_model`].
    fn check_model(&self, ty: &Type) -> Result<(), Error>;
}

/// Runs resource code so that a panic becomes an error for this one call. Without it a panic only
/// resets the gRPC stream: Terraform reports a cancelled call and forgets an object a create made.
pub(crate) async fn catch_panic<F: Future>(future: F) -> Result<F::Output, Error> {
    use futures_util::FutureExt as _;
    std::panic::AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .map_err(|payload| Error::Internal(panic_message(payload.as_ref())))
}

/// The text of a panic, for the diagnostic.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string());
    format!("the provider panicked ({text}). This is a bug in the provider; please report it")
}

fn failure_to_value<M: Serialize>(failure: Failure<M>, ty: &Type) -> Failure<Value> {
    Failure {
        state: failure
            .state
            .and_then(|state| value_from_model(&state, ty, ENGINE_OWNED).ok()),
        error: failure.error,
    }
}

impl<R: Resource> DynResource for R {
    fn spec(&self) -> ResourceSpec {
        Resource::spec(self)
    }

    fn create<'a>(
        &'a self,
        ctx: &'a Ctx,
        planned: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Value, Failure<Value>>> {
        Box::pin(async move {
            let model = model_from_value(planned, ENGINE_OWNED)?;
            match catch_panic(Resource::create(self, ctx, model)).await? {
                Ok(state) => Ok(value_from_model(&state, ty, ENGINE_OWNED)?),
                Err(failure) => Err(failure_to_value(failure, ty)),
            }
        })
    }

    fn read<'a>(
        &'a self,
        ctx: &'a Ctx,
        current: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Option<Value>, Error>> {
        Box::pin(async move {
            let model = model_from_value(current, ENGINE_OWNED)?;
            match catch_panic(Resource::read(self, ctx, model)).await?? {
                Some(state) => Ok(Some(value_from_model(&state, ty, ENGINE_OWNED)?)),
                None => Ok(None),
            }
        })
    }

    fn update<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: &'a Value,
        planned: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Value, Failure<Value>>> {
        Box::pin(async move {
            let prior = model_from_value(prior, ENGINE_OWNED)?;
            let planned = model_from_value(planned, ENGINE_OWNED)?;
            match catch_panic(Resource::update(self, ctx, prior, planned)).await? {
                Ok(state) => Ok(value_from_model(&state, ty, ENGINE_OWNED)?),
                Err(failure) => Err(failure_to_value(failure, ty)),
            }
        })
    }

    fn delete<'a>(&'a self, ctx: &'a Ctx, current: &'a Value) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let model = model_from_value(current, ENGINE_OWNED)?;
            catch_panic(Resource::delete(self, ctx, model)).await?
        })
    }

    fn modify_plan(&self, plan: &mut PlanEdit<'_>) {
        Resource::modify_plan(self, plan)
    }

    fn validate_config(&self, config: &Value, diags: &mut Diagnostics) {
        Resource::validate_config(self, config, diags)
    }

    fn check_plan<'a>(
        &'a self,
        ctx: &'a Ctx,
        prior: &'a Value,
        config: &'a Value,
    ) -> BoxFuture<'a, Diagnostics> {
        Box::pin(async move {
            catch_panic(Resource::check_plan(self, ctx, prior, config))
                .await
                .unwrap_or_else(|e| Diagnostic::error("Plan check failed", e.to_string()).into())
        })
    }

    fn move_from(
        &self,
        source_type: &str,
        source: &serde_json::Value,
    ) -> Option<serde_json::Value> {
        Resource::move_from(self, source_type, source)
    }

    fn list_spec(&self) -> Option<ListSpec> {
        Resource::list_spec(self)
    }

    fn list<'a>(
        &'a self,
        ctx: &'a Ctx,
        filter: &'a Value,
        ty: &'a Type,
    ) -> BoxFuture<'a, Result<Vec<Value>, Error>> {
        Box::pin(async move {
            catch_panic(Resource::list(self, ctx, filter))
                .await??
                .iter()
                .map(|model| value_from_model(model, ty, ENGINE_OWNED))
                .collect()
        })
    }

    fn check_model(&self, ty: &Type) -> Result<(), Error> {
        check_model::<R::Model>(ty, ENGINE_OWNED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn panics_in_resource_code_become_internal_errors() {
        let fine = catch_panic(async { 7 }).await;
        assert!(matches!(fine, Ok(7)));
        let text = catch_panic(async { panic!("broken {}", "create") }).await;
        match text {
            Err(Error::Internal(message)) => {
                assert!(
                    message.contains("broken create") && message.contains("bug"),
                    "{message}"
                )
            }
            other => panic!("expected an internal error, got {other:?}"),
        }
        let literal: Result<(), Error> = catch_panic(async { panic!("plain") }).await;
        assert!(matches!(literal, Err(Error::Internal(m)) if m.contains("(plain)")));
    }
}
