//! Waiting for Proton's asynchronous work (deployments, registrations, deletes): one poller for all.
//!
//! Intervals grow with the time already waited (a tenth of it, between 1 s and 30 s, jittered down), so
//! finished work is seen at most max(1 s, 10% of the wait) late and a long wait costs few calls. Terraform's
//! StopProvider and the operation's timeout both end the wait at once.
//!
//! Every look is a Proton request and takes its slot from the provider's request budget
//! (`crate::aws::budget`), shared with every other wait and call of the provider: the promise above
//! holds while the waits' looks fit the budget (N waits look at most N times a second in their
//! first 10 s, and 10·N / t times a second after t seconds); beyond that they share it evenly.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::resource::{Ctx, Error};
use super::timeouts::format_duration;
use crate::aws::ApiError;

/// What one look at the object found.
#[derive(Debug)]
pub enum Poll<T> {
    /// Still working; the text is the status, for logs and timeout messages.
    Pending(String),
    Done(T),
    /// Ended in a failure state; the text says why.
    Failed(String),
}

const MIN_INTERVAL: Duration = Duration::from_secs(1);
const MAX_INTERVAL: Duration = Duration::from_secs(30);

/// The pause before the next look, given how long the wait has lasted.
pub fn next_interval(waited: Duration) -> Duration {
    let base = (waited / 10).clamp(MIN_INTERVAL, MAX_INTERVAL);
    // Jitter (so resources waiting together do not poll in lockstep) only ever shortens the pause:
    // finished work is then seen at most max(1 s, a tenth of the wait) late.
    base.mul_f64(1.0 - fastrand::f64() * 0.1)
}

/// Polls `check` until it reports `Done` or `Failed`, the context's timeout passes, or Terraform asks
/// the provider to stop. `what` names the wait in errors ("environment deployment"). Each new status,
/// and the end, is logged at INFO with the time waited so far: a long deployment shows its progress
/// under `TF_LOG=INFO`.
pub async fn wait_for<T, F, Fut>(ctx: &Ctx, what: &str, mut check: F) -> Result<T, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, Error>>,
{
    let started = Instant::now();
    let deadline = started + ctx.timeout.duration;
    let mut last_status: Option<String> = None;
    loop {
        // A look may queue for its slot in the provider's request budget; a stop ends that too (a
        // look only reads, so dropping it changes nothing).
        let asked = Instant::now();
        let looked = tokio::select! {
            looked = check() => looked,
            _ = ctx.stop.raised() => return Err(Error::Stopped(what.to_string())),
        };
        let waited = format_duration(started.elapsed());
        let status = match looked {
            Ok(Poll::Done(value)) => {
                // `waited_ms` is what scripts/bench.py's concurrency row reads.
                let waited_ms = started.elapsed().as_millis() as u64;
                tracing::info!(what, waited = %waited, waited_ms, "{what}: finished after {waited}");
                return Ok(value);
            }
            Ok(Poll::Failed(reason)) => {
                tracing::info!(what, waited = %waited, "{what}: failed after {waited}");
                return Err(Error::Failed(reason));
            }
            Ok(Poll::Pending(status)) => {
                if last_status.as_ref() != Some(&status) {
                    tracing::info!(what, status = %status, waited = %waited, "{what}: {status} after {waited}");
                    last_status = Some(status.clone());
                }
                status
            }
            // Throttled even after the SDK's retries: a long wait slows down instead of failing.
            Err(Error::Api(ApiError::Throttled(message))) => format!("throttled: {message}"),
            Err(error) => return Err(error),
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(Error::Timeout {
                after: ctx.timeout.clone(),
                what: format!("{what} (last status {status})"),
            });
        }
        // The pause counts from when the look was asked for: its wait for a budget slot and its
        // round trip are part of it, not added to it.
        let pause = next_interval(asked - started).min(deadline - asked);
        tracing::debug!(what, status = %status, pause_ms = pause.as_millis() as u64, "waiting");
        tokio::select! {
            _ = tokio::time::sleep_until(asked + pause) => {}
            _ = ctx.stop.raised() => return Err(Error::Stopped(what.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn intervals_grow_with_the_wait_and_stay_bounded() {
        for _ in 0..100 {
            let first = next_interval(Duration::ZERO);
            assert!(first >= MIN_INTERVAL.mul_f64(0.9) && first <= MIN_INTERVAL);
            assert!(next_interval(Duration::from_secs(5)) <= MIN_INTERVAL);
            let later = next_interval(Duration::from_secs(100));
            assert!(later >= Duration::from_secs(9) && later <= Duration::from_secs(10));
            assert!(next_interval(Duration::from_secs(10_000)) <= MAX_INTERVAL);
        }
    }

    /// Waits (in paused time) for work that finishes after `finish_after`; returns the number of
    /// looks and how late the end was seen.
    async fn simulate(finish_after: Duration) -> (u32, Duration) {
        let calls = AtomicU32::new(0);
        let started = Instant::now();
        let result = wait_for(
            &Ctx::for_tests(Duration::from_secs(3600)),
            "deployment",
            || {
                calls.fetch_add(1, Ordering::SeqCst);
                let done = started.elapsed() >= finish_after;
                async move {
                    Ok(if done {
                        Poll::Done(())
                    } else {
                        Poll::Pending("IN_PROGRESS".into())
                    })
                }
            },
        )
        .await;
        assert!(result.is_ok());
        (
            calls.load(Ordering::SeqCst),
            started.elapsed() - finish_after,
        )
    }

    #[tokio::test(start_paused = true)]
    async fn finishes_at_most_a_tenth_late_and_long_waits_cost_few_calls() {
        for seconds in [3, 30, 60, 300, 1800] {
            let finish_after = Duration::from_secs(seconds);
            let (calls, lateness) = simulate(finish_after).await;
            let budget = (finish_after / 10).max(MIN_INTERVAL);
            assert!(lateness <= budget, "{seconds} s: late by {lateness:?}");
            // A fixed 5-second poller looks 1 + seconds / 5 times; from a few minutes on we look less.
            if seconds >= 300 {
                assert!(
                    calls <= 1 + seconds as u32 / 5,
                    "{seconds} s: {calls} calls"
                );
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failure_and_timeout_are_errors() {
        let failed: Result<(), Error> = wait_for(
            &Ctx::for_tests(Duration::from_secs(60)),
            "deployment",
            || async { Ok(Poll::Failed("stack failed".into())) },
        )
        .await;
        assert!(matches!(failed, Err(Error::Failed(reason)) if reason == "stack failed"));

        let timed_out: Result<(), Error> = wait_for(
            &Ctx::for_tests(Duration::from_secs(30)),
            "deployment",
            || async { Ok(Poll::Pending("IN_PROGRESS".into())) },
        )
        .await;
        let Err(error) = timed_out else {
            panic!("a pending wait ended")
        };
        assert!(
            error
                .to_string()
                .starts_with("timed out after 30s waiting for deployment"),
            "{error}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_slows_the_wait_down_instead_of_failing_it() {
        let calls = AtomicU32::new(0);
        let result = wait_for(
            &Ctx::for_tests(Duration::from_secs(600)),
            "deployment",
            || {
                let call = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    match call {
                        0 | 1 => Err(Error::Api(ApiError::Throttled("Rate exceeded".into()))),
                        2 => Ok(Poll::Pending("IN_PROGRESS".into())),
                        _ => Ok(Poll::Done(())),
                    }
                }
            },
        )
        .await;
        assert!(result.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 4);

        let denied: Result<(), Error> = wait_for(
            &Ctx::for_tests(Duration::from_secs(600)),
            "deployment",
            || async { Err(Error::Api(ApiError::AccessDenied("no".into()))) },
        )
        .await;
        assert!(matches!(denied, Err(Error::Api(ApiError::AccessDenied(_)))));
    }

    #[tokio::test(start_paused = true)]
    async fn stop_ends_the_wait() {
        let context = Ctx::for_tests(Duration::from_secs(3600));
        let stop = context.stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            stop.raise();
        });
        let started = Instant::now();
        let stopped: Result<(), Error> = wait_for(&context, "deployment", || async {
            Ok(Poll::Pending("IN_PROGRESS".into()))
        })
        .await;
        assert!(matches!(stopped, Err(Error::Stopped(_))));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

/// Many waits through one provider's request budget, as `-parallelism=100` makes them: the calls
/// they send together, the lateness of each, and StopProvider ending all of them.
#[cfg(test)]
mod shared_budget {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorFuture};
    use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use serde_json::{Value, json};

    use super::*;
    use crate::aws::Proton;
    use crate::aws::budget::tests::busiest_second;
    use crate::aws::budget::{HOLD_AFTER_THROTTLING, RequestBudget};
    use crate::aws::tests::{config_answered_by, json_answer};
    use crate::aws::types::DeploymentStatus;

    /// A Proton whose environments finish deploying at given times (tokio's clock), recording when
    /// each GetEnvironment arrives.
    #[derive(Clone, Debug, Default)]
    struct Deployments {
        finish: Arc<BTreeMap<String, Instant>>,
        calls: Arc<Mutex<Vec<Instant>>>,
        /// How many of the first calls are answered ThrottlingException.
        throttled: usize,
    }

    impl HttpConnector for Deployments {
        fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
            let now = Instant::now();
            let mut calls = self.calls.lock().expect("calls");
            calls.push(now);
            if calls.len() <= self.throttled {
                let mut response = HttpResponse::new(
                    StatusCode::try_from(429).expect("status"),
                    SdkBody::from(r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#),
                );
                response
                    .headers_mut()
                    .insert("content-type", "application/x-amz-json-1.0");
                return HttpConnectorFuture::ready(Ok(response));
            }
            drop(calls);
            let sent: Value = request
                .body()
                .bytes()
                .and_then(|body| serde_json::from_slice(body).ok())
                .unwrap_or_default();
            let name = sent["name"].as_str().unwrap_or_default();
            let done = self.finish.get(name).is_some_and(|at| now >= *at);
            let environment = json!({
                "arn": format!("arn:aws:proton:us-east-1:000000000000:environment/{name}"),
                "name": name,
                "createdAt": 0, "lastDeploymentAttemptedAt": 0, "lastDeploymentSucceededAt": 0,
                "templateName": "t", "templateMajorVersion": "1", "templateMinorVersion": "0",
                "deploymentStatus": if done { "SUCCEEDED" } else { "IN_PROGRESS" },
            });
            json_answer(200, &json!({ "environment": environment }))
        }
    }

    fn proton(endpoint: &Deployments, rate: f64) -> Proton {
        let config = config_answered_by(endpoint.clone());
        Proton::budgeted(config, &RequestBudget::per_second(rate))
    }

    /// Waits for the deployment of `name` as the environment resource does; returns when it saw the end.
    async fn deployed(ctx: Ctx, name: String) -> Result<Instant, Error> {
        wait_for(&ctx, "environment deployment", || async {
            let environment = ctx.api.get_environment(&name).await?;
            Ok(match environment.map(|e| e.deployment_status().clone()) {
                Some(DeploymentStatus::Succeeded) => Poll::Done(()),
                other => Poll::Pending(format!("{other:?}")),
            })
        })
        .await
        .map(|()| Instant::now())
    }

    /// Running waits: each ends with when its deployment finished and when the wait saw it.
    type Waits = tokio::task::JoinSet<(Instant, Result<Instant, Error>)>;

    /// `waits` environments, the i-th finishing `first + i * apart` after the start, under one budget
    /// of `rate`; the context of all of them (its stop signal is shared) and the running waits.
    fn start(
        waits: usize,
        first: Duration,
        apart: Duration,
        rate: f64,
        throttled: usize,
    ) -> (Deployments, Ctx, Waits) {
        let started = Instant::now();
        let finish: BTreeMap<String, Instant> = (0..waits)
            .map(|i| (format!("env-{i}"), started + first + apart * i as u32))
            .collect();
        let endpoint = Deployments {
            finish: Arc::new(finish.clone()),
            throttled,
            ..Deployments::default()
        };
        let mut ctx = Ctx::for_tests(Duration::from_secs(3600));
        ctx.api = Arc::new(proton(&endpoint, rate));
        let mut running = tokio::task::JoinSet::new();
        for (name, at) in finish {
            let ctx = ctx.clone();
            running.spawn(async move { (at, deployed(ctx, name).await) });
        }
        (endpoint, ctx, running)
    }

    #[tokio::test(start_paused = true)]
    async fn a_hundred_waits_stay_within_the_rate_and_see_their_end_in_time() {
        let rate = 50.0;
        let started = Instant::now();
        let (endpoint, _ctx, running) = start(
            100,
            Duration::from_secs(30),
            Duration::from_millis(300),
            rate,
            0,
        );
        let mut late = Vec::new();
        for (finished, seen) in running.join_all().await {
            let lateness = seen.expect("the deployment was seen to end") - finished;
            let promised = ((finished - started) / 10).max(MIN_INTERVAL);
            late.push((lateness, promised));
        }
        let calls: Vec<Duration> = (endpoint.calls.lock().expect("calls").iter())
            .map(|call| *call - started)
            .collect();
        assert_eq!(
            busiest_second(&calls),
            rate as usize,
            "{} calls",
            calls.len()
        );
        let broken: Vec<_> = late.iter().filter(|(l, p)| l > p).collect();
        assert!(broken.is_empty(), "late beyond the promise: {broken:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_answer_holds_back_the_other_waits_looks() {
        let started = Instant::now();
        let (endpoint, _ctx, running) = start(2, Duration::ZERO, Duration::ZERO, 50.0, 1);
        for (_, seen) in running.join_all().await {
            seen.expect("a throttled look only slows the wait down");
        }
        let calls = endpoint.calls.lock().expect("calls").clone();
        // The second wait's first look had its slot 20 ms after the first, which was throttled.
        assert!(calls[1] - started >= HOLD_AFTER_THROTTLING, "{calls:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn stop_ends_every_wait_at_once_even_those_queued_for_the_budget() {
        // 5 calls a second for 100 waits: most of them are queued for a slot when the stop comes.
        let (endpoint, ctx, running) =
            start(100, Duration::from_secs(3600), Duration::ZERO, 5.0, 0);
        tokio::time::sleep(Duration::from_secs(3)).await;
        let stopped_at = Instant::now();
        ctx.stop.raise();
        let ended = running.join_all().await;
        assert_eq!(
            stopped_at.elapsed(),
            Duration::ZERO,
            "the waits ended at once"
        );
        assert!(
            ended
                .iter()
                .all(|(_, r)| matches!(r, Err(Error::Stopped(_)))),
            "every wait was stopped"
        );
        let calls = endpoint.calls.lock().expect("calls").len();
        assert!(
            (15..=16).contains(&calls),
            "{calls} calls in 3 s at 5 a second"
        );
    }
}
