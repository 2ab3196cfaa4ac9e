//! proton-local: a local AWS Proton endpoint.
//!
//! Layers, outermost first:
//! - `http`: transport (hyper), SigV4 (`http::sigv4`), faults (`http::faults`), logging
//! - `engine`: validation against the model, state lifecycle, persistence, response shaping
//! - `model`: the Proton API model extracted from botocore (`model.json`)
//! - `ops`: the operations, one module per resource family, and `ops::lifecycle`
//! - `store`: the state and its durable file; `clock`: time

mod bundle;
mod clock;
mod config;
mod engine;
mod error;
mod http;
mod model;
mod ops;
mod store;
#[cfg(test)]
mod tests;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clock::{Clock, SystemClock};
use config::{Command, Config};

#[derive(Debug, thiserror::Error)]
enum MainError {
    #[error(transparent)]
    Model(#[from] model::ModelError),
    #[error(transparent)]
    State(#[from] store::persist::PersistError),
    #[error(transparent)]
    Locked(#[from] store::lock::LockError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn init_logging(level: &str) {
    let level = match level {
        "off" => return,
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "debug" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .try_init();
}

/// Resolves on SIGTERM or SIGINT. The handlers are installed when this is called, not when it is first
/// polled, so a signal that arrives right after the "listening" line is not fatal.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let handlers = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (mut term, mut int) = handlers;
            let wait = |stream: Option<tokio::signal::unix::Signal>| async move {
                match stream {
                    Some(mut stream) => {
                        stream.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(term.take()) => {}
                _ = wait(int.take()) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down");
    }
}

async fn run(cfg: Config) -> Result<(), MainError> {
    ops::quotas::install(cfg.quotas.clone());
    let model = Arc::new(model::Model::load()?);
    // Taken before the state is read and kept until this returns: a second
    // proton-local on the same file stops here, before it reads or listens.
    let (_state_lock, persister, state) = match &cfg.state {
        Some(path) => {
            let lock = store::lock::StateLock::acquire(path)?;
            let (p, s) = store::persist::Persister::open(path)?;
            (Some(lock), Some(p), s)
        }
        None => (None, None, store::State::default()),
    };
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = engine::Engine::new(
        model,
        Arc::clone(&clock),
        cfg.deploy_seconds,
        cfg.seed,
        persister,
        state,
    )
    .with_folders(bundle::deploy::Folders {
        rendered: cfg.rendered.clone(),
        repositories: cfg.repositories.clone(),
    });
    let bundles = bundle::source::BundleSource::new(
        &cfg.bundle_source(|name| std::env::var(name).ok()),
        &cfg.region,
    );
    #[cfg(not(feature = "s3"))]
    if let bundle::source::BundleSource::S3Unsupported { endpoint } = &bundles {
        tracing::warn!(%endpoint, "built without the `s3` feature: template versions whose bundle \
            would come from this S3 endpoint fail to register (build with --features s3)");
    }
    let app = Arc::new(http::App {
        engine,
        bundles,
        accounts: cfg.accounts.clone(),
        faults: http::faults::Faults::new(
            cfg.seed,
            cfg.fail_rate,
            cfg.throttle_rate,
            cfg.drop_rate,
        ),
        rate_limit: cfg.rate_limit.map(http::faults::RateLimit::per_second),
        latency: Duration::from_millis(cfg.latency_ms),
        clock,
    });
    let shutdown = shutdown_signal();
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .map_err(|source| MainError::Listen {
            addr: cfg.listen,
            source,
        })?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "proton-local listening on http://{addr}")?;
        out.flush()?;
    }
    tracing::info!(%addr, region = %cfg.region, deploy_seconds = cfg.deploy_seconds,
        state = ?cfg.state, accounts = cfg.accounts.len(), "proton-local started");
    http::serve(listener, app, shutdown).await?;
    Ok(())
}

fn main() -> ExitCode {
    let cmd = match config::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("proton-local: {e}\n\n{}", config::USAGE);
            return ExitCode::from(2);
        }
    };
    let cfg = match cmd {
        Command::Help => {
            print!("{}", config::USAGE);
            return ExitCode::SUCCESS;
        }
        Command::Version => {
            println!("proton-local {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Command::Run(c) => *c,
    };
    init_logging(&cfg.log_level);
    // One worker per core it may run on (taskset is respected), at most four: requests are short and
    // the store is behind one lock, so more threads would only contend.
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("proton-local: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cfg)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("proton-local: {e}");
            ExitCode::FAILURE
        }
    }
}
