//! Running the provider as a Terraform plugin: checks the environment Terraform sets, listens, prints the
//! handshake line, serves gRPC (over mutual TLS when Terraform asks for it) and stops cleanly.

use std::io::{self, Write as _};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::Server;

use crate::engine::Engine;
use crate::server::catch_panic::CatchPanics;
use crate::server::controller::{Broker, Controller, HealthService, ShutdownSignal, Stage, Stdio};
use crate::server::handshake::{
    self, HandshakeLine, MAGIC_COOKIE_KEY, NOT_LAUNCHED_BY_TERRAFORM, UnsupportedProtocol,
};
use crate::server::listener::{Conn, PluginListener};
use crate::server::proto::health::health_server::HealthServer;
use crate::server::proto::plugin::grpc_broker_server::GrpcBrokerServer;
use crate::server::proto::plugin::grpc_controller_server::GrpcControllerServer;
use crate::server::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::server::proto::tfplugin6::provider_server::{Provider, ProviderServer};
use crate::server::provider_service::ProviderService;
use crate::server::tls::{PinnedClientCerts, ServerIdentity, TlsError};

/// Terraform's (and terraform-plugin-go's) gRPC message limit, both directions.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;
/// How long in-flight calls may run after shutdown starts before the server stops anyway. Terraform
/// kills the process 2 s after calling Shutdown, so this only matters for signals.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// A client that connects but never finishes the TLS handshake is dropped after this long.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The pause after a failed accept (typically EMFILE): long enough not to spin on the error, short
/// enough that Terraform's next connection is not noticeably late.
const ACCEPT_RETRY_DELAY: Duration = Duration::from_millis(50);
const CLIENT_CERT_ENV: &str = "PLUGIN_CLIENT_CERT";
const PROTOCOL_VERSIONS_ENV: &str = "PLUGIN_PROTOCOL_VERSIONS";

#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Serve without Terraform (no cookie, no TLS) and print the `TF_REATTACH_PROVIDERS` value.
    pub debug: bool,
    /// The provider's registry address, used as the key of the reattach value.
    pub provider_address: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Started by hand instead of by Terraform. Display is the message for the person who did that.
    #[error("{}", NOT_LAUNCHED_BY_TERRAFORM)]
    NotLaunchedByTerraform,
    #[error(
        "Terraform offered plugin protocol versions {offered:?}, but this provider only speaks \
         protocol 6 (Terraform 1.0 or later, or OpenTofu)"
    )]
    UnsupportedProtocol { offered: String },
    #[error("cannot listen for Terraform's connection: {0}")]
    Listen(#[source] io::Error),
    #[error("cannot write the plugin handshake: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("the gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

impl From<UnsupportedProtocol> for ServeError {
    fn from(e: UnsupportedProtocol) -> Self {
        Self::UnsupportedProtocol { offered: e.offered }
    }
}

/// What a provider binary's `main` does once its arguments are read: serves `engine` (see [`serve`])
/// on a runtime of its own and turns the outcome into the exit code. `name` prefixes start-up errors.
pub fn run(engine: Engine, options: ServeOptions, name: &str) -> ExitCode {
    // A crypto provider chosen explicitly: rustls panics when two are compiled in and none is chosen.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    // Terraform calls in parallel (ten at a time by default) but each call is mostly waiting on
    // Proton, and Terraform itself needs the CPU: two workers at most, one on a single core.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(2));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{name}: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(ProviderService::new(Arc::new(engine)), options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// Runs the plugin: handshake, TLS, gRPC services. Returns `Ok` when Terraform calls
/// GRPCController/Shutdown or the process gets SIGTERM (or, in debug mode, SIGINT), after in-flight
/// calls finish or [`SHUTDOWN_GRACE`] passes; returns an error when the plugin cannot start.
pub async fn serve<P>(provider: P, options: ServeOptions) -> Result<(), ServeError>
where
    P: Provider,
{
    let env = |key: &str| std::env::var(key).ok();
    let tls = if options.debug {
        // Reattached clients never use TLS.
        None
    } else {
        if !handshake::cookie_matches(env(MAGIC_COOKIE_KEY).as_deref()) {
            return Err(ServeError::NotLaunchedByTerraform);
        }
        handshake::negotiate(env(PROTOCOL_VERSIONS_ENV).as_deref())?;
        // Without a client certificate Terraform runs with TF_DISABLE_PLUGIN_TLS: plaintext h2.
        match env(CLIENT_CERT_ENV).filter(|v| !v.trim().is_empty()) {
            Some(pem) => {
                let pinned = PinnedClientCerts::from_pem(&pem)?;
                let identity = ServerIdentity::generate()?;
                let config = identity.server_config(pinned)?;
                Some((identity.announced(), TlsAcceptor::from(config)))
            }
            None => None,
        }
    };

    let shutdown = ShutdownSignal::new();
    // Before anything is announced, so a signal during start-up is already handled our way.
    watch_signals(shutdown.clone(), options.debug)?;

    let listener = Arc::new(PluginListener::bind().map_err(ServeError::Listen)?);
    let (conn_tx, conn_rx) = mpsc::channel::<io::Result<Conn>>(16);
    let acceptor = tls.as_ref().map(|(_, acceptor)| acceptor.clone());
    let accept_task = tokio::spawn(accept_loop(
        Arc::clone(&listener),
        acceptor,
        conn_tx,
        shutdown.clone(),
    ));

    let announced = {
        let mut out = io::stdout().lock();
        if options.debug {
            write_debug_banner(&mut out, &options.provider_address, &listener)?;
        } else {
            let line = HandshakeLine {
                network: listener.network(),
                address: listener.address(),
                server_cert: tls.as_ref().map(|(cert, _)| cert.clone()),
            };
            writeln!(out, "{line}")?;
        }
        out.flush()
    };
    if let Err(e) = announced {
        accept_task.abort();
        return Err(ServeError::Io(e));
    }
    tracing::debug!(
        network = listener.network(),
        address = %listener.address(),
        tls = tls.is_some(),
        debug = options.debug,
        "plugin server listening"
    );

    let provider = ProviderServer::new(provider)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let server = Server::builder()
        .add_service(CatchPanics::new(provider))
        .add_service(GrpcControllerServer::new(Controller::new(shutdown.clone())))
        .add_service(GrpcStdioServer::new(Stdio::new(shutdown.clone())))
        .add_service(GrpcBrokerServer::new(Broker::new(shutdown.clone())))
        .add_service(HealthServer::new(HealthService::new(shutdown.clone())))
        .serve_with_incoming_shutdown(ReceiverStream::new(conn_rx), shutdown.graceful());

    // Graceful shutdown waits for every connection to finish; bound that wait.
    let deadline = {
        let shutdown = shutdown.clone();
        async move {
            shutdown.graceful().await;
            tokio::select! {
                () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
                () = shutdown.reached(Stage::Immediate) => {}
            }
        }
    };
    let result = tokio::select! {
        r = server => r.map_err(ServeError::from),
        () = deadline => {
            tracing::warn!("in-flight calls did not finish in time; stopping anyway");
            Ok(())
        }
    };

    accept_task.abort();
    let _ = accept_task.await;
    // The last reference: dropping it removes the socket directory.
    drop(listener);
    tracing::debug!("plugin server stopped");
    result
}

fn write_debug_banner(
    out: &mut impl io::Write,
    provider_address: &str,
    listener: &PluginListener,
) -> io::Result<()> {
    let value = handshake::reattach_value(
        provider_address,
        std::process::id(),
        listener.network(),
        &listener.address(),
    );
    writeln!(
        out,
        "Provider {provider_address} started in debug mode (pid {}).\n\
         To use it, run this in the shell where you run terraform:\n\n\
         \texport TF_REATTACH_PROVIDERS={}\n\n\
         Terraform then talks to this process instead of starting the provider itself.\n\
         Press Ctrl-C to stop it.",
        std::process::id(),
        handshake::shell_quote(&value),
    )
}

/// Accepts connections until shutdown starts. TLS handshakes run in their own tasks so a slow or hostile
/// client cannot hold up the next one; a client refused by TLS never reaches the gRPC server.
async fn accept_loop(
    listener: Arc<PluginListener>,
    tls: Option<TlsAcceptor>,
    conns: mpsc::Sender<io::Result<Conn>>,
    shutdown: ShutdownSignal,
) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.graceful() => return,
            accepted = listener.accept() => accepted,
        };
        let conn = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "accepting a connection failed");
                tokio::time::sleep(ACCEPT_RETRY_DELAY).await;
                continue;
            }
        };
        match &tls {
            None => {
                if conns.send(Ok(conn)).await.is_err() {
                    return;
                }
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let conns = conns.clone();
                tokio::spawn(async move {
                    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(conn)).await {
                        Ok(Ok(stream)) => {
                            let _ = conns.send(Ok(Conn::new(stream))).await;
                        }
                        Ok(Err(e)) => {
                            tracing::warn!(error = %e, "refused a plugin connection: TLS handshake failed");
                        }
                        Err(_) => {
                            tracing::warn!("refused a plugin connection: TLS handshake timed out");
                        }
                    }
                });
            }
        }
    }
}

/// SIGINT: Ctrl-C in a terminal reaches the whole process group, and Terraform handles it by calling
/// StopProvider and then Shutdown, so the plugin ignores it (in debug mode it stops the server, since a
/// person pressed Ctrl-C at us). SIGTERM: graceful shutdown. A second signal that would stop us stops
/// immediately.
fn watch_signals(shutdown: ShutdownSignal, debug: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        tokio::spawn(async move {
            loop {
                let name = tokio::select! {
                    Some(()) = term.recv() => "SIGTERM",
                    Some(()) = int.recv() => {
                        if !debug {
                            tracing::debug!("ignoring SIGINT; Terraform stops work through StopProvider");
                            continue;
                        }
                        "SIGINT"
                    }
                    else => return,
                };
                if shutdown.request(Stage::Graceful) == Stage::Running {
                    tracing::info!(signal = name, "shutting down");
                } else {
                    tracing::info!(signal = name, "stopping now");
                    shutdown.request(Stage::Immediate);
                }
            }
        });
    }
    #[cfg(not(unix))]
    {
        let _ = (shutdown, debug);
    }
    Ok(())
}
