//! One request budget per configured provider (so per provider process: Terraform starts one per
//! provider configuration). Every request to Proton takes a slot from it, each SDK retry too, so a
//! hundred resources deploying at once, each of them polling on its own, together stay at one rate
//! instead of adding up to Proton's account-wide request limit.
//!
//! Slots are evenly spaced (a request may leave `1 / rate` seconds after the one before it), so no
//! half-open second ever holds more than `rate` requests, and a lone request never waits. Slots go out
//! in the order they are asked for. A ThrottlingException answer means the account's limit is spent
//! (by this provider or any other client of the account): every request not yet sent then waits
//! [`HOLD_AFTER_THROTTLING`] before it goes, instead of spending its retries against an empty bucket.
//!
//! Hand-written rather than `governor`'s limiter: the slots must follow tokio's clock (the waits'
//! lateness and StopProvider are tested in paused time) and the hold after throttling is ours.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use tokio::time::Instant;

/// Requests per second when the provider block does not say (`max_requests_per_second`).
///
/// AWS publishes no request rates for Proton's API. 50 a second keeps the waits of 100 deployments
/// running at once inside the budget from their 20th second on (each looks at most once a second for
/// its first 10 s, then every tenth of the time waited: 100 waits make 1000 / t looks a second at t
/// seconds), while a refresh of 1,000 resources, one call each, still takes only 20 s of budget.
pub const DEFAULT_RATE: f64 = 50.0;

/// The lowest rate a provider block may set. Requests are signed before they queue for a slot, and a
/// signature is good for 15 minutes: at 1 a second that takes a queue of 900 (each Terraform operation
/// waits for at most one request at a time, so the queue is at most `-parallelism` long).
pub const MIN_RATE: f64 = 1.0;

/// The highest rate a provider block may set; above it the budget would not limit anything.
pub const MAX_RATE: f64 = 10_000.0;

/// How long requests not yet sent wait after an answer was ThrottlingException: Proton's limits
/// refill by the second.
pub const HOLD_AFTER_THROTTLING: Duration = Duration::from_secs(1);

#[derive(Debug)]
struct Slots {
    /// The earliest time the next request may leave.
    next: Instant,
    /// No request leaves before this (set by a throttled answer).
    held_until: Instant,
}

/// The budget: shared by every clone of the Proton client built from one provider configuration.
#[derive(Debug)]
pub struct RequestBudget {
    spacing: Duration,
    slots: Mutex<Slots>,
}

impl RequestBudget {
    /// A budget of `rate` requests per second (`rate` is checked by the caller: finite, above 0).
    pub fn per_second(rate: f64) -> Arc<RequestBudget> {
        let now = Instant::now();
        Arc::new(RequestBudget {
            spacing: Duration::from_secs_f64(1.0 / rate.clamp(f64::MIN_POSITIVE, MAX_RATE)),
            slots: Mutex::new(Slots {
                next: now,
                held_until: now,
            }),
        })
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for this request's slot. A request whose slot falls inside a hold asks for a new one
    /// after the hold, so the requests held back leave evenly spaced rather than all at once.
    pub async fn take(&self) {
        loop {
            let slot = {
                let mut slots = self.slots();
                let slot = slots.next.max(Instant::now());
                slots.next = slot + self.spacing;
                slot
            };
            tokio::time::sleep_until(slot).await;
            if self.slots().held_until <= Instant::now() {
                return;
            }
        }
    }

    /// Holds back every request not yet sent for [`HOLD_AFTER_THROTTLING`].
    fn hold(&self) {
        let until = Instant::now() + HOLD_AFTER_THROTTLING;
        let mut slots = self.slots();
        slots.held_until = slots.held_until.max(until);
        slots.next = slots.next.max(until);
    }

    /// `client` with every request it sends taking a slot from this budget first.
    pub fn wrap(self: &Arc<Self>, client: SharedHttpClient) -> SharedHttpClient {
        SharedHttpClient::new(Budgeted {
            inner: client,
            budget: Arc::clone(self),
        })
    }
}

#[derive(Debug)]
struct Budgeted {
    inner: SharedHttpClient,
    budget: Arc<RequestBudget>,
}

impl HttpClient for Budgeted {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(BudgetedConnector {
            inner: self.inner.http_connector(settings, components),
            budget: Arc::clone(&self.budget),
        })
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct BudgetedConnector {
    inner: SharedHttpConnector,
    budget: Arc<RequestBudget>,
}

/// HTTP status of an awsJson ThrottlingException.
const TOO_MANY_REQUESTS: u16 = 429;

impl HttpConnector for BudgetedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let budget = Arc::clone(&self.budget);
        HttpConnectorFuture::new(async move {
            budget.take().await;
            let answer = inner.call(request).await;
            if let Ok(response) = &answer
                && response.status().as_u16() == TOO_MANY_REQUESTS
            {
                tracing::debug!("throttled by Proton: holding requests back");
                budget.hold();
            }
            answer
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The send times of `requests` requests all asked for at once.
    async fn sent_at(budget: &Arc<RequestBudget>, requests: usize) -> Vec<Duration> {
        let started = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..requests {
            let budget = Arc::clone(budget);
            tasks.spawn(async move {
                budget.take().await;
                started.elapsed()
            });
        }
        let mut times = tasks.join_all().await;
        times.sort();
        times
    }

    /// The most requests in any half-open second of `times` (sorted).
    pub(crate) fn busiest_second(times: &[Duration]) -> usize {
        (0..times.len())
            .map(|first| {
                let end = times[first] + Duration::from_secs(1);
                times[first..].iter().take_while(|t| **t < end).count()
            })
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn requests_leave_evenly_spaced_and_a_lone_one_at_once() {
        let budget = RequestBudget::per_second(20.0);
        let times = sent_at(&budget, 100).await;
        assert_eq!(times[0], Duration::ZERO);
        assert_eq!(busiest_second(&times), 20);
        // 100 requests at 20 a second: the last leaves after 99 spacings.
        assert!(times[99] >= Duration::from_millis(4950) - Duration::from_millis(1));
        assert!(times[99] <= Duration::from_millis(4950) + Duration::from_millis(1));
        // Idle again: the next request does not wait.
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(sent_at(&budget, 1).await, [Duration::ZERO]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_answer_holds_back_every_request_not_yet_sent() {
        let budget = RequestBudget::per_second(10.0);
        budget.hold();
        let times = sent_at(&budget, 10).await;
        assert!(times[0] >= HOLD_AFTER_THROTTLING, "{times:?}");
        assert_eq!(busiest_second(&times), 10);
    }
}
