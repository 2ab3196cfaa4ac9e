//! Waiting for Proton's asynchronous work (deployments, registrations, deletes): one poller for all.
//!
//! Intervals grow with the time already waited (a tenth of it, between 1 s and 30 s, jittered down), so
//! finished work is seen at most max(1 s, 10% of the wait) late and a long wait costs few calls. Terraform's
//! StopProvider and the operation's timeout both end the wait at once.

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
        let looked = check().await;
        let waited = format_duration(started.elapsed());
        let status = match looked {
            Ok(Poll::Done(value)) => {
                tracing::info!(what, waited = %waited, "{what}: finished after {waited}");
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
        let pause = next_interval(now - started).min(deadline - now);
        tracing::debug!(what, status = %status, pause_ms = pause.as_millis() as u64, "waiting");
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
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
