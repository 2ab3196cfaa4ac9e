//! The services go-plugin expects next to the provider: controller (Shutdown), stdio, broker and gRPC
//! health; plus the shutdown signal they share with the server loop.

use std::sync::Arc;

use futures_util::StreamExt as _;
use tokio::sync::watch;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status, Streaming};

use crate::server::proto::health::health_check_response::ServingStatus;
use crate::server::proto::health::health_server::Health;
use crate::server::proto::health::{HealthCheckRequest, HealthCheckResponse};
use crate::server::proto::plugin::grpc_broker_server::GrpcBroker;
use crate::server::proto::plugin::grpc_controller_server::GrpcController;
use crate::server::proto::plugin::grpc_stdio_server::GrpcStdio;
use crate::server::proto::plugin::{ConnInfo, Empty, StdioData};

/// How far the process is on its way out. Ordered: each stage includes the previous ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Running,
    /// Stop accepting, let in-flight calls finish, close the long-lived streams.
    Graceful,
    /// Stop now (a second signal, or the grace period ran out).
    Immediate,
}

/// Shared, cloneable shutdown state. Every clone sees every request.
#[derive(Clone, Debug)]
pub struct ShutdownSignal {
    tx: Arc<watch::Sender<Stage>>,
}

impl Default for ShutdownSignal {
    fn default() -> Self {
        Self::new()
    }
}

impl ShutdownSignal {
    pub fn new() -> Self {
        Self {
            tx: Arc::new(watch::Sender::new(Stage::Running)),
        }
    }

    /// Moves to at least `stage` (never backwards). Returns the stage before the call.
    pub fn request(&self, stage: Stage) -> Stage {
        let mut before = Stage::Running;
        self.tx.send_if_modified(|current| {
            before = *current;
            if stage > *current {
                *current = stage;
                true
            } else {
                false
            }
        });
        before
    }

    pub fn stage(&self) -> Stage {
        *self.tx.borrow()
    }

    /// Resolves once the stage is at least `stage`.
    pub async fn reached(&self, stage: Stage) {
        let mut rx = self.tx.subscribe();
        // The sender lives in `self`, so the channel cannot close while we wait.
        let _ = rx.wait_for(|current| *current >= stage).await;
    }

    /// Resolves when a graceful (or harder) shutdown was requested.
    pub async fn graceful(&self) {
        self.reached(Stage::Graceful).await;
    }
}

/// A response stream that sends nothing and ends when shutdown starts. Ending it lets the HTTP/2
/// connection drain instead of holding the graceful shutdown open.
fn idle_until_shutdown<T: Send + 'static>(shutdown: ShutdownSignal) -> BoxStream<T> {
    Box::pin(
        futures_util::stream::once(async move { shutdown.graceful().await })
            .filter_map(|()| std::future::ready(None)),
    )
}

/// `plugin.GRPCController`: Terraform calls Shutdown when it is done with the provider.
#[derive(Clone, Debug)]
pub struct Controller {
    shutdown: ShutdownSignal,
}

impl Controller {
    pub fn new(shutdown: ShutdownSignal) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("Terraform asked the plugin to shut down");
        self.shutdown.request(Stage::Graceful);
        // The reply still goes out: the server drains in-flight calls before stopping.
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: go-plugin forwards a plugin's stdout/stderr through this stream. Our logs go to
/// stderr directly (Terraform reads that pipe), so the stream stays open and silent.
#[derive(Clone, Debug)]
pub struct Stdio {
    shutdown: ShutdownSignal,
}

impl Stdio {
    pub fn new(shutdown: ShutdownSignal) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        Ok(Response::new(idle_until_shutdown(self.shutdown.clone())))
    }
}

/// `plugin.GRPCBroker`: only used by plugins that dial back into the host, which tfplugin6 never does.
/// The stream is accepted and whatever the client sends is read and dropped.
#[derive(Clone, Debug)]
pub struct Broker {
    shutdown: ShutdownSignal,
}

impl Broker {
    pub fn new(shutdown: ShutdownSignal) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        let mut inbound = request.into_inner();
        let shutdown = self.shutdown.clone();
        // Polled as the response body: it drains the client's messages and ends when the client closes
        // its side or shutdown starts.
        let drained = async move {
            tokio::select! {
                () = async { while let Ok(Some(_)) = inbound.message().await {} } => {}
                () = shutdown.graceful() => {}
            }
        };
        Ok(Response::new(Box::pin(
            futures_util::stream::once(drained).filter_map(|()| std::future::ready(None)),
        )))
    }
}

/// `grpc.health.v1.Health`: go-plugin checks service "plugin"; "" means the server as a whole.
#[derive(Clone, Debug)]
pub struct HealthService {
    shutdown: ShutdownSignal,
}

impl HealthService {
    pub fn new(shutdown: ShutdownSignal) -> Self {
        Self { shutdown }
    }

    fn knows(service: &str) -> bool {
        service.is_empty() || service == "plugin"
    }

    fn current(&self) -> ServingStatus {
        if self.shutdown.stage() == Stage::Running {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        }
    }
}

fn response(status: ServingStatus) -> HealthCheckResponse {
    HealthCheckResponse {
        status: status as i32,
    }
}

#[tonic::async_trait]
impl Health for HealthService {
    async fn check(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<HealthCheckResponse>, Status> {
        let service = request.into_inner().service;
        if Self::knows(&service) {
            Ok(Response::new(response(self.current())))
        } else {
            Err(Status::not_found(format!("unknown service {service:?}")))
        }
    }

    async fn watch(
        &self,
        request: Request<HealthCheckRequest>,
    ) -> Result<Response<BoxStream<HealthCheckResponse>>, Status> {
        let service = request.into_inner().service;
        let first = if Self::knows(&service) {
            self.current()
        } else {
            ServingStatus::ServiceUnknown
        };
        let shutdown = self.shutdown.clone();
        // Current status now; NOT_SERVING when shutdown starts; then the stream ends.
        let stream = futures_util::stream::iter([Ok(response(first))]).chain(
            futures_util::stream::once(async move {
                shutdown.graceful().await;
                Ok(response(ServingStatus::NotServing))
            }),
        );
        Ok(Response::new(Box::pin(stream)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Only bounds a hang: each of these resolves at once when the code is right.
    const DEADLINE: Duration = Duration::from_secs(5);
    /// How long "nothing is sent" is watched for.
    const QUIET: Duration = Duration::from_millis(50);

    #[tokio::test]
    async fn stages_only_move_forward() {
        let s = ShutdownSignal::new();
        assert_eq!(s.stage(), Stage::Running);
        assert_eq!(s.request(Stage::Immediate), Stage::Running);
        assert_eq!(s.request(Stage::Graceful), Stage::Immediate);
        assert_eq!(s.stage(), Stage::Immediate);
        // Already past graceful: resolves at once.
        tokio::time::timeout(DEADLINE, s.graceful()).await.unwrap();
    }

    #[tokio::test]
    async fn controller_shutdown_ends_stdio_stream() {
        let s = ShutdownSignal::new();
        let mut stdio = Stdio::new(s.clone())
            .stream_stdio(Request::new(()))
            .await
            .unwrap()
            .into_inner();
        // Nothing is sent while running.
        let early = tokio::time::timeout(QUIET, stdio.next()).await;
        assert!(early.is_err());
        Controller::new(s.clone())
            .shutdown(Request::new(Empty {}))
            .await
            .unwrap();
        assert_eq!(s.stage(), Stage::Graceful);
        let end = tokio::time::timeout(DEADLINE, stdio.next()).await.unwrap();
        assert!(end.is_none());
    }

    #[tokio::test]
    async fn health_check_answers_plugin_and_empty() {
        let s = ShutdownSignal::new();
        let h = HealthService::new(s.clone());
        for name in ["plugin", ""] {
            let r = h
                .check(Request::new(HealthCheckRequest {
                    service: name.into(),
                }))
                .await
                .unwrap()
                .into_inner();
            assert_eq!(r.status, ServingStatus::Serving as i32);
        }
        let unknown = h
            .check(Request::new(HealthCheckRequest {
                service: "other".into(),
            }))
            .await
            .unwrap_err();
        assert_eq!(unknown.code(), tonic::Code::NotFound);

        let mut watch = h
            .watch(Request::new(HealthCheckRequest {
                service: "plugin".into(),
            }))
            .await
            .unwrap()
            .into_inner();
        let first = watch.next().await.unwrap().unwrap();
        assert_eq!(first.status, ServingStatus::Serving as i32);
        s.request(Stage::Graceful);
        let last = tokio::time::timeout(DEADLINE, watch.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(last.status, ServingStatus::NotServing as i32);
        assert!(watch.next().await.is_none());
    }
}
