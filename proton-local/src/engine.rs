//! The service core: validates a request against the model, brings the state
//! up to date, runs the operation (undoing a failed mutation), persists, and
//! shapes the answer by the model. Knows nothing about HTTP.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::bundle::deploy::{self, Folders, PendingWrite};
use crate::bundle::source::Fetched;
use crate::clock::Clock;
use crate::error::ApiError;
use crate::model::{Model, ValidationFailure};
use crate::ops::{self, Ctx};
use crate::store::State;
use crate::store::persist::Persister;

struct Inner {
    state: State,
    rng: fastrand::Rng,
    persister: Option<Persister>,
}

pub struct Engine {
    model: Arc<Model>,
    clock: Arc<dyn Clock>,
    deploy_seconds: f64,
    /// Whether mutations write the state file (and may block on the disk).
    durable: bool,
    /// Where deployments write rendered infrastructure and repository files.
    folders: Folders,
    inner: Mutex<Inner>,
}

impl Engine {
    pub fn new(
        model: Arc<Model>,
        clock: Arc<dyn Clock>,
        deploy_seconds: f64,
        seed: Option<u64>,
        persister: Option<Persister>,
        mut state: State,
    ) -> Engine {
        state.format = State::FORMAT;
        let rng = match seed {
            // Ids differ from the fault sequence even with the same seed.
            Some(s) => fastrand::Rng::with_seed(s ^ 0x05ee_d1d5),
            None => fastrand::Rng::new(),
        };
        Engine {
            model,
            clock,
            deploy_seconds,
            durable: persister.is_some(),
            folders: Folders::default(),
            inner: Mutex::new(Inner {
                state,
                rng,
                persister,
            }),
        }
    }

    /// Sets where deployments write their files (`--rendered`, `--repositories`).
    pub fn with_folders(mut self, folders: Folders) -> Engine {
        self.folders = folders;
        self
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Whether calls may wait on the disk (then they belong off the async workers).
    pub fn durable(&self) -> bool {
        self.durable
    }

    /// Whether the model knows this operation.
    pub fn knows(&self, op: &str) -> bool {
        self.model.operations.contains_key(op)
    }

    /// Runs one call for a caller (account, region) with a raw JSON body.
    #[cfg(test)]
    pub fn call(
        &self,
        op: &str,
        account: &str,
        region: &str,
        body: &[u8],
    ) -> Result<Value, ApiError> {
        self.call_with_bundle(op, account, region, body, None)
    }

    /// Runs one call; `bundle` is what fetching the template bundle the
    /// request names gave (Create*TemplateVersion only).
    pub fn call_with_bundle(
        &self,
        op: &str,
        account: &str,
        region: &str,
        body: &[u8],
        bundle: Option<Fetched>,
    ) -> Result<Value, ApiError> {
        if !self.knows(op) {
            return Err(ApiError::UnknownOperation(format!(
                "Operation {op} is not supported."
            )));
        }
        let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
            json!({})
        } else {
            serde_json::from_slice(body).map_err(|e| {
                ApiError::Serialization(format!("The request body is not valid JSON: {e}"))
            })?
        };
        if !input.is_object() {
            return Err(ApiError::Serialization(
                "The request body must be a JSON object.".to_string(),
            ));
        }
        self.model.validate_input(op, &input).map_err(|f| match f {
            ValidationFailure::Invalid(_) => ApiError::Validation(f.message()),
            ValidationFailure::Serialization(m) => ApiError::Serialization(m),
        })?;

        let mut guard = self
            .inner
            .lock()
            .map_err(|_| ApiError::Internal("The service is unavailable.".to_string()))?;
        let inner = &mut *guard;
        let now = self.clock.now();
        ops::lifecycle::advance(&mut inner.state, now);
        let mutation = ops::is_mutation(op);
        // The operation runs on the live state, which logs what it changes; a
        // failed mutation is undone from that log, so it changes nothing.
        let mut writes: Vec<PendingWrite> = vec![];
        let result = {
            let mut ctx = Ctx {
                account: account.to_string(),
                region: region.to_string(),
                now,
                deploy_seconds: self.deploy_seconds,
                rng: &mut inner.rng,
                state: &mut inner.state,
                folders: &self.folders,
                writes: &mut writes,
                bundle,
            };
            ops::dispatch(op, &mut ctx, &input)
        };
        let output = match result {
            Ok(v) => v,
            Err(e) => {
                if mutation {
                    inner.state.rollback();
                } else {
                    inner.state.commit();
                }
                if inner.persister.is_none() {
                    inner.state.forget_changes();
                }
                if cfg!(debug_assertions) && !self.model.declares_error(op, e.type_name()) {
                    tracing::warn!(op, error = e.type_name(), "error not declared by the model");
                }
                return Err(e);
            }
        };
        // The journal gets what changed before the answer; reads leave their
        // transitions for the next mutation's record (they can be redone).
        let saved = match (&mut inner.persister, mutation) {
            (Some(p), true) => {
                if let Err(e) = p.save(&mut inner.state) {
                    tracing::error!(error = %e, "cannot persist state; the request is refused");
                    inner.state.rollback();
                    return Err(ApiError::Internal(
                        "The service could not store the change.".to_string(),
                    ));
                }
                true
            }
            (Some(_), false) => false,
            (None, _) => true,
        };
        inner.state.commit();
        if saved {
            inner.state.forget_changes();
        }
        drop(guard);
        // Files only for a change that was kept.
        deploy::write_all(writes);
        Ok(self.shape_output(op, &output))
    }

    /// Runs `f` on the state under the lock (tests look inside).
    #[cfg(test)]
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.inner.lock().unwrap();
        f(&mut guard.state)
    }

    /// The answer as the model shapes it: declared members only, no nulls.
    fn shape_output(&self, op: &str, output: &Value) -> Value {
        let Some(shape) = self
            .model
            .operations
            .get(op)
            .and_then(|o| o.output.as_deref())
        else {
            return json!({});
        };
        let shaped = self.model.project(output, shape);
        if cfg!(debug_assertions) {
            let problems = self.model.output_problems(op, &shaped);
            if !problems.is_empty() {
                tracing::warn!(op, ?problems, "response does not satisfy the model");
            }
        }
        if shaped.is_null() { json!({}) } else { shaped }
    }
}
