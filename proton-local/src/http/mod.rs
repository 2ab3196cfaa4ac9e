//! Transport: HTTP/1.1 and HTTP/2 (hyper), the awsJson1_0 envelope, SigV4,
//! fault injection, request logging and graceful shutdown.

pub mod faults;
pub mod sigv4;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::clock::Clock;
use crate::config::Account;
use crate::engine::Engine;
use crate::error::ApiError;
use faults::{Fault, Faults};

/// Largest request body accepted. Proton's largest inputs (specs, template
/// files) are 50 KiB each; a request can carry a few of them.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

pub struct App {
    pub engine: Engine,
    /// Where Create*TemplateVersion reads the bundle it names.
    pub bundles: crate::bundle::source::BundleSource,
    pub accounts: Vec<Account>,
    pub faults: Faults,
    /// `--rate-limit`.
    pub rate_limit: Option<faults::RateLimit>,
    pub latency: Duration,
    pub clock: Arc<dyn Clock>,
}

/// Error that makes hyper close the connection without answering (drop fault).
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by fault injection")]
pub struct Dropped;

fn request_id() -> String {
    let mut rng = fastrand::Rng::new();
    crate::ops::uuid(&mut rng)
}

fn respond(
    status: u16,
    body: Vec<u8>,
    request_id: &str,
    error_type: Option<&str>,
) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let h = resp.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.0"),
    );
    if let Ok(v) = HeaderValue::from_str(request_id) {
        h.insert("x-amzn-requestid", v);
    }
    if let Some(t) = error_type.and_then(|t| HeaderValue::from_str(t).ok()) {
        h.insert("x-amzn-errortype", t);
    }
    resp
}

fn error_response(e: &ApiError, request_id: &str) -> Response<Full<Bytes>> {
    let body = json!({"__type": e.type_name(), "message": e.message()});
    respond(
        e.status(),
        body.to_string().into_bytes(),
        request_id,
        Some(e.type_name()),
    )
}

/// Handles one request end to end; `Err` drops the connection.
async fn handle(app: Arc<App>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
    let started = Instant::now();
    let rid = request_id();
    let (parts, body) = req.into_parts();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let op = target
        .strip_prefix(&format!("{}.", app.engine.model().metadata.target_prefix))
        .unwrap_or("")
        .to_string();
    let log_op = if op.is_empty() { "-" } else { op.as_str() };

    let outcome = process(&app, &parts, body, &op).await;
    let (resp, status, error) = match outcome {
        Ok(Outcome::Answer(body)) => (respond(200, body, &rid, None), 200, None),
        Ok(Outcome::Drop) => {
            tracing::info!(
                op = log_op,
                status = "dropped",
                latency_ms = started.elapsed().as_millis() as u64,
                "request"
            );
            return Err(Dropped);
        }
        Err(e) => {
            let status = e.status();
            (error_response(&e, &rid), status, Some(e.type_name()))
        }
    };
    tracing::info!(
        op = log_op,
        status,
        error = error.unwrap_or("-"),
        latency_ms = started.elapsed().as_millis() as u64,
        request_id = %rid,
        "request"
    );
    Ok(resp)
}

enum Outcome {
    Answer(Vec<u8>),
    Drop,
}

async fn process(
    app: &Arc<App>,
    parts: &http::request::Parts,
    body: Incoming,
    op: &str,
) -> Result<Outcome, ApiError> {
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e)
            if e.downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Err(ApiError::PayloadTooLarge(format!(
                "The request body is larger than {MAX_BODY_BYTES} bytes."
            )));
        }
        Err(_) => {
            return Err(ApiError::Serialization(
                "The request body could not be read.".to_string(),
            ));
        }
    };
    let signed = sigv4::SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        authority: parts.uri.authority().map(|a| a.as_str()),
        body: &body,
    };
    let now = app.clock.now() as i64;
    let signing_name = app.engine.model().metadata.signing_name.clone();
    let identity = sigv4::verify(&signed, &app.accounts, &signing_name, now)?;
    if parts.method != http::Method::POST || parts.uri.path() != "/" {
        return Err(ApiError::UnknownOperation(
            "Requests are POST / with an X-Amz-Target header.".to_string(),
        ));
    }
    if op.is_empty() || !app.engine.knows(op) {
        return Err(ApiError::UnknownOperation(format!(
            "The operation named by X-Amz-Target is not supported: {op:?}."
        )));
    }
    if let Some(limit) = &app.rate_limit
        && !limit.admit()
    {
        return Err(ApiError::Throttling("Rate exceeded".to_string()));
    }
    match app.faults.decide() {
        Fault::None => {}
        Fault::Drop => return Ok(Outcome::Drop),
        Fault::Fail => {
            return Err(ApiError::Internal(
                "Injected failure (--fail-rate).".to_string(),
            ));
        }
        Fault::Throttle => {
            return Err(ApiError::Throttling("Rate exceeded".to_string()));
        }
    }
    if !app.latency.is_zero() {
        tokio::time::sleep(app.latency).await;
    }
    // A new template version's bundle is fetched now, before the state lock;
    // registration takes it from there.
    let fetched = if crate::ops::templates::reads_bundle(op) {
        app.bundles.fetch_for_request(&body).await
    } else {
        None
    };
    // With a state file the engine writes and fsyncs; keep that off the async
    // workers. In memory a call is microseconds: a thread hand-off costs more.
    let result = if app.engine.durable() {
        let app2 = Arc::clone(app);
        let op2 = op.to_string();
        tokio::task::spawn_blocking(move || {
            app2.engine.call_with_bundle(
                &op2,
                &identity.account_id,
                &identity.region,
                &body,
                fetched,
            )
        })
        .await
        .map_err(|_| ApiError::Internal("The request could not be completed.".to_string()))??
    } else {
        // A panic answers 500, as a failed blocking task does.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            app.engine
                .call_with_bundle(op, &identity.account_id, &identity.region, &body, fetched)
        }))
        .map_err(|_| ApiError::Internal("The request could not be completed.".to_string()))??
    };
    Ok(Outcome::Answer(result.to_string().into_bytes()))
}

/// Serves until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve<F>(listener: TcpListener, app: Arc<App>, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()>,
{
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _peer) = match accepted {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = Arc::clone(&app);
                let mut stop = stop_rx.clone();
                conns.spawn(async move {
                    let svc = service_fn(move |req| handle(Arc::clone(&app), req));
                    let builder = auto::Builder::new(TokioExecutor::new());
                    let conn = builder.serve_connection(TokioIo::new(stream), svc);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stop.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = &mut shutdown => break,
        }
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drain = async { while conns.join_next().await.is_some() {} };
    if tokio::time::timeout(DRAIN_TIMEOUT, drain).await.is_err() {
        tracing::warn!("some connections did not finish in time");
        conns.abort_all();
    }
    Ok::<(), std::io::Error>(())
}
