//! `terraform-provider-proton`: started by Terraform, serves the provider over the plugin protocol.

use std::process::ExitCode;
use std::sync::Arc;

use terraform_provider_proton::provider;
use terraform_provider_proton::server::logging::init_logging;
use terraform_provider_proton::server::plugin::{ServeOptions, serve};
use terraform_provider_proton::server::provider_service::ProviderService;

/// The registry address users write in `required_providers` as `proton-community/proton`.
const PROVIDER_ADDRESS: &str = "registry.terraform.io/proton-community/proton";

fn main() -> ExitCode {
    let mut debug = false;
    for argument in std::env::args().skip(1) {
        match argument.as_str() {
            "--version" | "-v" => {
                println!("terraform-provider-proton {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--debug" => debug = true,
            other => {
                eprintln!(
                    "terraform-provider-proton: unknown argument {other:?} (accepted: --debug, --version)"
                );
                return ExitCode::from(2);
            }
        }
    }
    init_logging();
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
            eprintln!("terraform-provider-proton: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let engine = Arc::new(provider::engine());
    let options = ServeOptions {
        debug,
        provider_address: PROVIDER_ADDRESS.to_string(),
    };
    match runtime.block_on(serve(ProviderService::new(engine), options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
