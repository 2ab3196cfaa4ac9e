//! Shared helpers for the integration tests: proton-local, the real AWS CLI and real Terraform.
//!
//! Every test binary of the workspace uses this crate. Everything here is bounded in time: every child
//! process runs under a deadline and is killed (with its process group) when it expires.
//!
//! Environment knobs (all optional):
//! - `PROTON_TOOLS_DIR`: where scripts/install-tools.sh put the tools (default `<repo>/.tools`).
//! - `PROTON_TF_ONLY`: comma-separated version prefixes to test against (e.g. `1.15,1.0`).
//! - `PROTON_TF_NO_PATH=1`: ignore `terraform`/`tofu` found on PATH.
//! - `PROTON_CMD_TIMEOUT_SECS`: deadline for one terraform/aws command (default 300).
//! - `PROTON_KEEP_WORKSPACES=1`: keep Terraform working directories for inspection.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use aws::{AwsCli, AwsError};
pub use process::*;
pub use proton_local::*;
pub use terraform::*;
pub use workspace::*;

pub mod aws;
pub mod bundles;
pub mod deploy;
#[cfg(feature = "plugin-client")]
pub mod plugin_client;
mod process;
mod proton_local;
pub mod reliability;
mod terraform;
mod workspace;

pub use bundles::{BUNDLE_BUCKET, bundle_source, bundle_source_hcl, bundles_dir};

/// Provider source address used in every test configuration.
pub const PROVIDER_SOURCE: &str = "proton-community/proton";
/// Fully qualified form, as dev_overrides and state files spell it.
pub const PROVIDER_FQN: &str = "registry.terraform.io/proton-community/proton";

// ------------------------------------------------------------------------------------------------
// Paths and tools
// ------------------------------------------------------------------------------------------------

/// The repository's root (this crate lives in `tests/support` below it).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn tools_dir() -> PathBuf {
    match std::env::var_os("PROTON_TOOLS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => repo_root().join(".tools"),
    }
}

fn required_tool(name: &str) -> PathBuf {
    let path = tools_dir().join("bin").join(name);
    if !path.is_file() {
        panic!(
            "{} is missing: run scripts/install-tools.sh (or scripts/test.sh)",
            path.display()
        );
    }
    path
}

/// The AWS CLI installed by scripts/install-tools.sh.
pub fn aws_cli() -> PathBuf {
    required_tool("aws")
}

/// The Cargo profile folder the running test or bench was built into (`target/debug`,
/// `target/release`): its executable lives in `deps/` below it.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("current_exe: {e}"));
    let deps = exe
        .parent()
        .unwrap_or_else(|| panic!("{} has no folder", exe.display()));
    match deps.file_name() {
        Some(name) if name == "deps" => deps.parent().unwrap_or(deps).to_path_buf(),
        _ => deps.to_path_buf(),
    }
}

/// A binary of this workspace, built with the same profile as the running test. `cargo test` at the
/// root (or `--workspace`) builds every member's binaries before it runs any test.
fn workspace_binary(name: &str, package: &str) -> PathBuf {
    let path = profile_dir().join(name);
    if !path.is_file() {
        panic!(
            "{} is missing: build it first (`cargo build -p {package}`, with `--release` for the \
             benches, or run the tests from the repository root, which builds every member)",
            path.display()
        );
    }
    path
}

/// The freshly built provider binary.
pub fn provider_binary() -> PathBuf {
    workspace_binary("terraform-provider-proton", "terraform-provider-proton")
}

/// The freshly built proton-local binary.
pub fn proton_local_binary() -> PathBuf {
    workspace_binary("proton-local", "proton-local")
}

/// A scratch directory shared by the test binaries (`target/tmp`, as Cargo's CARGO_TARGET_TMPDIR).
pub fn scratch_dir() -> PathBuf {
    let dir = profile_dir()
        .parent()
        .map(|target| target.join("tmp"))
        .unwrap_or_else(std::env::temp_dir);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

fn empty_file(name: &str) -> PathBuf {
    let path = scratch_dir().join(name);
    if !path.is_file() {
        // Racing writers all write the same empty content.
        fs::write(&path, b"").unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }
    path
}

fn command_timeout() -> Duration {
    let secs = std::env::var("PROTON_CMD_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(300);
    Duration::from_secs(secs)
}

// ------------------------------------------------------------------------------------------------
// AWS environment
// ------------------------------------------------------------------------------------------------

/// Environment for any AWS client (the CLI, the provider) talking to proton-local at `endpoint`
/// with the default test credentials, isolated from the host's AWS configuration.
pub fn aws_env(endpoint: &str) -> Vec<(String, String)> {
    let config = empty_file("empty-aws-config");
    let credentials = empty_file("empty-aws-credentials");
    [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL_PROTON", endpoint),
        ("AWS_CONFIG_FILE", &config.to_string_lossy()),
        (
            "AWS_SHARED_CREDENTIALS_FILE",
            &credentials.to_string_lossy(),
        ),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}
