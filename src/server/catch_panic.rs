//! The last line of defence against bugs: a panic while answering one gRPC call becomes an `Internal`
//! status naming the panic (Terraform shows it as an error diagnostic) instead of a reset stream, and the
//! plugin keeps serving. Resource, data source and action code is caught earlier, in the engine, where
//! the state can still be reported correctly; this catches everything else (plan hooks, encoding).

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::FutureExt as _;
use tonic::Status;
use tonic::body::Body;
use tonic::codegen::Service;
use tonic::server::NamedService;

/// Wraps a generated gRPC server (such as `ProviderServer`).
#[derive(Clone, Debug)]
pub struct CatchPanics<S> {
    inner: S,
}

impl<S> CatchPanics<S> {
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
}

impl<S: NamedService> NamedService for CatchPanics<S> {
    const NAME: &'static str = S::NAME;
}

type Answer = Pin<Box<dyn Future<Output = Result<http::Response<Body>, Infallible>> + Send>>;

impl<S, B> Service<http::Request<B>> for CatchPanics<S>
where
    S: Service<http::Request<B>, Response = http::Response<Body>, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Answer {
        let method = request.uri().path().to_string();
        let inner = &mut self.inner;
        let future = match std::panic::catch_unwind(AssertUnwindSafe(|| inner.call(request))) {
            Ok(future) => future,
            Err(payload) => {
                let answer = panic_answer(&method, payload.as_ref());
                return Box::pin(async move { Ok(answer) });
            }
        };
        Box::pin(async move {
            match AssertUnwindSafe(future).catch_unwind().await {
                Ok(answer) => answer,
                Err(payload) => Ok(panic_answer(&method, payload.as_ref())),
            }
        })
    }
}

fn panic_answer(method: &str, payload: &(dyn std::any::Any + Send)) -> http::Response<Body> {
    let text = panic_text(payload);
    tracing::error!(method, panic = %text, "a call panicked; answering it with an error");
    Status::internal(format!(
        "The provider panicked in {method} ({text}). This is a bug in the provider; please report it."
    ))
    .into_http()
}

/// The message a panic was raised with.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service that panics in `call` or in its future, or answers OK.
    #[derive(Clone)]
    struct Flaky;

    impl NamedService for Flaky {
        const NAME: &'static str = "test.Flaky";
    }

    impl Service<http::Request<Body>> for Flaky {
        type Response = http::Response<Body>;
        type Error = Infallible;
        type Future = Answer;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: http::Request<Body>) -> Answer {
            match request.uri().path() {
                "/call" => panic!("in call"),
                "/future" => Box::pin(async { panic!("in the future {}", 42) }),
                _ => Box::pin(async { Ok(http::Response::new(Body::empty())) }),
            }
        }
    }

    async fn status_of(path: &str) -> Option<Status> {
        let request = http::Request::builder()
            .uri(path)
            .body(Body::empty())
            .expect("request");
        let response = CatchPanics::new(Flaky)
            .call(request)
            .await
            .unwrap_or_else(|never| match never {});
        Status::from_header_map(response.headers())
    }

    #[tokio::test]
    async fn panics_become_internal_statuses_naming_the_panic() {
        for (path, text) in [("/call", "in call"), ("/future", "in the future 42")] {
            let status = status_of(path).await.expect("a status");
            assert_eq!(status.code(), tonic::Code::Internal, "{path}");
            assert!(status.message().contains(text), "{path}: {status:?}");
            assert!(status.message().contains(path), "{path}: {status:?}");
            assert!(status.message().contains("bug"), "{path}: {status:?}");
        }
        assert!(status_of("/fine").await.is_none());
        assert_eq!(CatchPanics::<Flaky>::NAME, "test.Flaky");
    }
}
