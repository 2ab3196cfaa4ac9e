//! `terraform-provider-proton`: started by Terraform, serves the provider over the plugin protocol.

use std::process::ExitCode;

use terraform_provider_proton::provider;
use terraform_provider_proton::server::logging::init_logging;
use terraform_provider_proton::server::plugin::{ServeOptions, run};

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
    let options = ServeOptions {
        debug,
        provider_address: PROVIDER_ADDRESS.to_string(),
    };
    run(provider::engine(), options, "terraform-provider-proton")
}
