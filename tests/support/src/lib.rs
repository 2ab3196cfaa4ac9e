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

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fmt;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

pub use aws::{AwsCli, AwsError};

pub mod aws;
pub mod bundles;
pub mod deploy;
#[cfg(feature = "plugin-client")]
pub mod plugin_client;
pub mod reliability;

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
// Running child processes under a deadline
// ------------------------------------------------------------------------------------------------

static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Variables that would let the host's configuration leak into a test.
fn scrub_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        let leaky = key.starts_with("AWS_")
            || key.starts_with("TF_CLI_ARGS")
            || matches!(
                key,
                "TF_CLI_CONFIG_FILE"
                    | "TF_DATA_DIR"
                    | "TF_WORKSPACE"
                    | "TF_PLUGIN_CACHE_DIR"
                    | "TF_REATTACH_PROVIDERS"
                    | "TF_IN_AUTOMATION"
                    | "TF_INPUT"
                    | "TF_APPEND_USER_AGENT"
            )
            || key.starts_with("TF_VAR_");
        if leaky {
            cmd.env_remove(key);
        }
    }
}

fn signal_group(pgid: u32, signal: &str) {
    // The child leads its own process group; signalling the group reaches the providers and
    // any other processes it started.
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs `cmd` to completion with stdout/stderr captured in files (no pipe can stall it), in its
/// own process group. When `timeout` passes: SIGTERM to the group, 10 s grace, then SIGKILL.
/// Returns the output and whether the deadline was hit.
pub fn run_bounded(mut cmd: Command, timeout: Duration) -> (Output, bool) {
    let n = RUN_COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = scratch_dir().join("run-output");
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir {}: {e}", dir.display()));
    let tag = format!("{}-{n}", std::process::id());
    let out_path = dir.join(format!("{tag}.stdout"));
    let err_path = dir.join(format!("{tag}.stderr"));
    let out = File::create(&out_path).unwrap_or_else(|e| panic!("create output file: {e}"));
    let err = File::create(&err_path).unwrap_or_else(|e| panic!("create output file: {e}"));
    cmd.stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0);
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd.get_program()));
    let pgid = child.id();
    let mut exited = || {
        child
            .try_wait()
            .unwrap_or_else(|e| panic!("wait for {:?}: {e}", cmd.get_program()))
    };
    let mut timed_out = false;
    let status = match poll(timeout, &mut exited) {
        Some(status) => status,
        None => {
            timed_out = true;
            signal_group(pgid, "TERM");
            match poll(Duration::from_secs(10), &mut exited) {
                Some(status) => status,
                None => {
                    signal_group(pgid, "KILL");
                    child.wait().unwrap_or_else(|e| panic!("wait: {e}"))
                }
            }
        }
    };
    // Providers and other helpers outlive Terraform only by mistake; don't let them linger.
    signal_group(pgid, "KILL");
    let stdout = fs::read(&out_path).unwrap_or_default();
    let stderr = fs::read(&err_path).unwrap_or_default();
    let _ = fs::remove_file(&out_path);
    let _ = fs::remove_file(&err_path);
    (
        Output {
            status,
            stdout,
            stderr,
        },
        timed_out,
    )
}

/// A printable exit status: `exit 2`, `signal 9`.
pub fn describe_status(status: &ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit {code}"),
        (None, Some(sig)) => format!("signal {sig}"),
        _ => "unknown status".to_string(),
    }
}

/// Formats a command's output for a panic message, without terminal colours.
pub fn describe_output(output: &Output) -> String {
    format!(
        "{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        describe_status(&output.status),
        strip_ansi(&String::from_utf8_lossy(&output.stdout)),
        strip_ansi(&String::from_utf8_lossy(&output.stderr)),
    )
}

/// Removes ANSI escape sequences (Terraform colours some output even with -no-color).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

pub fn stdout_str(output: &Output) -> String {
    strip_ansi(&String::from_utf8_lossy(&output.stdout))
}

pub fn stderr_str(output: &Output) -> String {
    strip_ansi(&String::from_utf8_lossy(&output.stderr))
}

/// stdout and stderr together, colours removed: where to look for diagnostics.
pub fn combined_str(output: &Output) -> String {
    format!("{}\n{}", stdout_str(output), stderr_str(output))
}

// ------------------------------------------------------------------------------------------------
// Waiting for a condition
// ------------------------------------------------------------------------------------------------

/// How often [`poll`] and [`poll_until_async`] ask again.
pub const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Asks `check` every [`POLL_INTERVAL`] until it returns `Some`, and returns that; `None` once
/// `limit` has passed (`check` is always asked at least once). For a caller with its own cleanup
/// before it fails; [`poll_until`] panics instead.
pub fn poll<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if start.elapsed() > limit {
            return None;
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// [`poll`] that panics naming `what` when `limit` passes first.
pub fn poll_until<T>(what: &str, limit: Duration, check: impl FnMut() -> Option<T>) -> T {
    poll(limit, check).unwrap_or_else(|| panic!("{what}: not reached within {limit:?}"))
}

/// [`poll_until`] for async checks (the Rust SDK), sleeping on the tokio timer instead of the
/// thread.
pub async fn poll_until_async<T, F>(what: &str, limit: Duration, mut check: impl FnMut() -> F) -> T
where
    F: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if start.elapsed() > limit {
            panic!("{what}: not reached within {limit:?}");
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
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

// ------------------------------------------------------------------------------------------------
// proton-local
// ------------------------------------------------------------------------------------------------

/// A running proton-local, killed when dropped.
pub struct ProtonLocal {
    child: Child,
    endpoint: String,
    log_path: PathBuf,
    stdout_lines: Arc<Mutex<Vec<String>>>,
    dir: tempfile::TempDir,
}

impl ProtonLocal {
    /// Starts proton-local on a free loopback port with instant deployments, reading the example
    /// bundles ([`bundles_dir`]). `args` are added to the command line; `--listen`,
    /// `--deploy-seconds`, `--bundles` or `--s3-endpoint` in `args` replace the defaults.
    pub fn start(args: &[&str]) -> ProtonLocal {
        if args.contains(&"--bundles") || args.contains(&"--s3-endpoint") {
            return Self::start_without_bundles(args);
        }
        let bundles = bundles_dir();
        let mut with = args.to_vec();
        with.extend(["--bundles", bundles.to_str().unwrap_or_default()]);
        Self::start_without_bundles(&with)
    }

    /// As [`ProtonLocal::start`], but with no bundle source unless `args` give one.
    pub fn start_without_bundles(args: &[&str]) -> ProtonLocal {
        let dir = tempfile::Builder::new()
            .prefix("proton-local-")
            .tempdir_in(scratch_dir())
            .unwrap_or_else(|e| panic!("tempdir: {e}"));
        let log_path = dir.path().join("stderr.log");
        let log = File::create(&log_path).unwrap_or_else(|e| panic!("create log: {e}"));

        let mut cmd = Command::new(proton_local_binary());
        if !args.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        if !args.contains(&"--deploy-seconds") {
            cmd.args(["--deploy-seconds", "0"]);
        }
        cmd.args(args);
        scrub_env(&mut cmd);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(log);
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", proton_local_binary().display()));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));

        // The first line announces the address; keep draining the rest so the pipe never fills.
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        {
            let lines = Arc::clone(&lines);
            thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                let mut first = String::new();
                let _ = reader.read_line(&mut first);
                let _ = tx.send(first);
                for line in reader.lines() {
                    let Ok(line) = line else { break };
                    if let Ok(mut l) = lines.lock() {
                        l.push(line);
                    }
                }
            });
        }
        let first = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "proton-local printed nothing within 60 s; stderr:\n{}",
                    fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
        };
        let endpoint = match first.trim().strip_prefix("proton-local listening on ") {
            Some(url) if url.starts_with("http") => url.to_string(),
            _ => {
                let _ = child.kill();
                let status = child.wait().map(|s| describe_status(&s));
                panic!(
                    "unexpected first line from proton-local: {first:?} ({status:?}); stderr:\n{}",
                    fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
        };
        ProtonLocal {
            child,
            endpoint,
            log_path,
            stdout_lines: lines,
            dir,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The loopback address it listens on (for raw HTTP, or to restart on the same port).
    pub fn addr(&self) -> SocketAddr {
        self.endpoint
            .strip_prefix("http://")
            .and_then(|rest| rest.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("unexpected proton-local endpoint {}", self.endpoint))
    }

    /// Kills this proton-local (SIGKILL: no chance to flush) and starts another one on the same port
    /// with `args`; give it the same `--state` to find what the first one acknowledged.
    pub fn restart(self, args: &[&str]) -> ProtonLocal {
        let listen = self.addr().to_string();
        drop(self);
        let mut args = args.to_vec();
        args.extend(["--listen", listen.as_str()]);
        ProtonLocal::start(&args)
    }

    /// Its exit status once it has exited (after a signal, say), without waiting.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child
            .try_wait()
            .unwrap_or_else(|e| panic!("wait for proton-local: {e}"))
    }

    /// A scratch directory that lives as long as this proton-local (for `--state` files, ...).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// What proton-local wrote to stderr so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The request lines of its log (`request op=... status=...`): one per API call it answered.
    pub fn requests(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|line| line.contains(" request op="))
            .map(str::to_string)
            .collect()
    }

    /// Names of the environment templates it holds, asked through the AWS CLI.
    pub fn environment_template_names(&self) -> Vec<String> {
        let answer = self.aws(&["list-environment-templates"]);
        answer
            .get("templates")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("list-environment-templates: {answer}"))
            .iter()
            .filter_map(|t| t.get("name").and_then(Value::as_str).map(str::to_string))
            .collect()
    }

    /// stdout lines after the first one.
    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout_lines
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn env(&self) -> Vec<(String, String)> {
        aws_env(&self.endpoint)
    }

    /// The real AWS CLI against this proton-local, as `test`/`test`.
    pub fn cli(&self) -> AwsCli {
        AwsCli::new(&self.endpoint).log(self.log_path.clone())
    }

    /// `aws proton <args>` that must succeed: its JSON answer ([`AwsCli::json`]).
    pub fn aws(&self, args: &[&str]) -> Value {
        self.cli().json(args)
    }

    /// `aws proton <args>` that must fail: the error code and message ([`AwsCli::error`]).
    pub fn aws_err(&self, args: &[&str]) -> AwsError {
        self.cli().error(args)
    }
}

impl Drop for ProtonLocal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail(s: &str, lines: usize) -> String {
    let all: Vec<&str> = s.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

// ------------------------------------------------------------------------------------------------
// Terraform versions
// ------------------------------------------------------------------------------------------------

/// A Terraform (or OpenTofu) executable and its version.
#[derive(Clone, Debug)]
pub struct Terraform {
    pub path: PathBuf,
    /// (major, minor, patch)
    pub version: (u64, u64, u64),
    pub version_string: String,
    pub is_tofu: bool,
}

impl fmt::Display for Terraform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.is_tofu { "tofu" } else { "terraform" };
        write!(
            f,
            "{name} {} ({})",
            self.version_string,
            self.path.display()
        )
    }
}

impl Terraform {
    /// Asks the executable for its version (`version -json`, which 1.0.3 also has).
    pub fn probe(path: &Path) -> Option<Terraform> {
        let mut cmd = Command::new(path);
        cmd.args(["version", "-json"]);
        scrub_env(&mut cmd);
        cmd.env("CHECKPOINT_DISABLE", "1")
            .env("TF_CLI_CONFIG_FILE", empty_file("empty-terraformrc"));
        let (output, timed_out) = run_bounded(cmd, Duration::from_secs(60));
        if timed_out || !output.status.success() {
            return None;
        }
        let json: Value = serde_json::from_slice(&output.stdout).ok()?;
        let version_string = json.get("terraform_version")?.as_str()?.to_string();
        let version = parse_version(&version_string)?;
        let is_tofu = path
            .file_name()
            .and_then(OsStr::to_str)
            .is_some_and(|n| n.starts_with("tofu"));
        Some(Terraform {
            path: path.to_path_buf(),
            version,
            version_string,
            is_tofu,
        })
    }

    pub fn at_least(&self, major: u64, minor: u64) -> bool {
        (self.version.0, self.version.1) >= (major, minor)
    }

    /// `import {}` blocks (Terraform 1.5, OpenTofu 1.6).
    pub fn supports_import_blocks(&self) -> bool {
        if self.is_tofu {
            self.at_least(1, 6)
        } else {
            self.at_least(1, 5)
        }
    }

    /// Resource identity, `import { identity = {...} }` (Terraform 1.12). Not OpenTofu: its client
    /// neither asks for identity schemas nor imports by identity (docs/index.md, versions section).
    pub fn supports_identity(&self) -> bool {
        !self.is_tofu && self.at_least(1, 12)
    }

    /// `terraform query` / list resources and actions (Terraform 1.14). Not OpenTofu: its client never
    /// calls ListResource, PlanAction or InvokeAction, and has no `query` command or `-invoke`.
    pub fn supports_query_and_actions(&self) -> bool {
        !self.is_tofu && self.at_least(1, 14)
    }
}

fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
    let core = s.trim_start_matches('v').split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    Some((
        parts.next()??,
        parts.next()??,
        parts.next().flatten().unwrap_or(0),
    ))
}

/// The current Terraform release, installed by scripts/install-tools.sh as `.tools/bin/terraform`.
pub const TERRAFORM_CURRENT: &str = "1.15.5";
/// The oldest supported Terraform, `.tools/bin/terraform-1.0.3`.
pub const TERRAFORM_OLD: &str = "1.0.3";

impl Terraform {
    /// One of the two Terraforms every run has ([`TERRAFORM_CURRENT`], [`TERRAFORM_OLD`]).
    pub fn is_pinned(&self) -> bool {
        !self.is_tofu && [TERRAFORM_CURRENT, TERRAFORM_OLD].contains(&self.version_string.as_str())
    }
}

/// The pinned Terraform `version` when this run tests it (`PROTON_TF_ONLY` may leave it out).
pub fn pinned_terraform(version: &str) -> Option<Terraform> {
    terraform_versions()
        .into_iter()
        .find(|tf| !tf.is_tofu && tf.version_string == version)
}

/// The pinned Terraforms this run tests, current first: for a test that shares one expensive setup
/// between them (otherwise [`terraform_tests!`] makes one test per version).
pub fn pinned_terraforms() -> Vec<Terraform> {
    [TERRAFORM_CURRENT, TERRAFORM_OLD]
        .into_iter()
        .filter_map(pinned_terraform)
        .collect()
}

/// Terraform [`TERRAFORM_CURRENT`], for a test that needs one current Terraform; panics when
/// `PROTON_TF_ONLY` leaves it out.
pub fn current_terraform() -> Terraform {
    pinned_terraform(TERRAFORM_CURRENT).unwrap_or_else(|| {
        panic!("this test needs Terraform {TERRAFORM_CURRENT}, which PROTON_TF_ONLY leaves out")
    })
}

/// Runs `test` with the pinned Terraform `version`, or says that it was not selected
/// (`PROTON_TF_ONLY`) and runs nothing. What [`terraform_tests!`] calls.
pub fn with_terraform(version: &str, test: impl FnOnce(&Terraform)) {
    match pinned_terraform(version) {
        Some(tf) => test(&tf),
        None => eprintln!("Terraform {version} not selected (PROTON_TF_ONLY), nothing to run"),
    }
}

/// One `#[test]` per pinned Terraform for each function `f(&Terraform)` named: a module `f` holding
/// `terraform_1_15` and `terraform_1_0_3` (so nextest runs and reports each version on its own).
/// `current: f, ...` makes only `f::terraform_1_15`.
///
/// ```ignore
/// proton_test_support::terraform_tests!(lifecycle, failures);
/// proton_test_support::terraform_tests!(current: bad_inputs);
/// ```
#[macro_export]
macro_rules! terraform_tests {
    (current: $($f:ident),+ $(,)?) => {$(
        mod $f {
            #[test]
            fn terraform_1_15() {
                $crate::with_terraform($crate::TERRAFORM_CURRENT, super::$f);
            }
        }
    )+};
    ($($f:ident),+ $(,)?) => {$(
        mod $f {
            #[test]
            fn terraform_1_15() {
                $crate::with_terraform($crate::TERRAFORM_CURRENT, super::$f);
            }

            #[test]
            fn terraform_1_0_3() {
                $crate::with_terraform($crate::TERRAFORM_OLD, super::$f);
            }
        }
    )+};
}

/// Every Terraform the tests run against: `.tools/bin/terraform` (1.15.5) and
/// `.tools/bin/terraform-1.0.3` (both required), then any other `terraform` or `tofu` on PATH.
/// `PROTON_TF_ONLY=1.15,1.0` keeps only versions with those prefixes; `PROTON_TF_NO_PATH=1`
/// skips PATH.
pub fn terraform_versions() -> Vec<Terraform> {
    static VERSIONS: OnceLock<Vec<Terraform>> = OnceLock::new();
    VERSIONS.get_or_init(discover_terraforms).clone()
}

fn discover_terraforms() -> Vec<Terraform> {
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, want) in [
        ("terraform", TERRAFORM_CURRENT),
        ("terraform-1.0.3", TERRAFORM_OLD),
    ] {
        let path = required_tool(name);
        let tf = Terraform::probe(&path).unwrap_or_else(|| {
            panic!(
                "{} does not run: re-run scripts/install-tools.sh",
                path.display()
            )
        });
        assert_eq!(
            tf.version_string,
            want,
            "{} reports {}, expected {want}",
            path.display(),
            tf.version_string
        );
        seen.insert(fs::canonicalize(&path).unwrap_or(path));
        found.push(tf);
    }
    if std::env::var("PROTON_TF_NO_PATH").as_deref() != Ok("1") {
        for name in ["terraform", "tofu"] {
            for path in on_path(name) {
                let canonical = fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
                if !seen.insert(canonical) {
                    continue;
                }
                match Terraform::probe(&path) {
                    Some(tf) => found.push(tf),
                    None => eprintln!("ignoring {}: `version -json` failed", path.display()),
                }
            }
        }
    }
    if let Ok(only) = std::env::var("PROTON_TF_ONLY") {
        let prefixes: Vec<&str> = only
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if !prefixes.is_empty() {
            found.retain(|tf| prefixes.iter().any(|p| tf.version_string.starts_with(p)));
            assert!(
                !found.is_empty(),
                "PROTON_TF_ONLY={only} matches no Terraform"
            );
        }
    }
    found
}

fn on_path(name: &str) -> Vec<PathBuf> {
    let Some(path) = std::env::var_os("PATH") else {
        return Vec::new();
    };
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .filter(|p| {
            fs::metadata(p)
                .map(|m| {
                    use std::os::unix::fs::PermissionsExt;
                    m.is_file() && m.permissions().mode() & 0o111 != 0
                })
                .unwrap_or(false)
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Terraform working directories
// ------------------------------------------------------------------------------------------------

/// The `terraform { required_providers { proton = ... } }` block every configuration needs.
pub fn required_providers_block() -> String {
    format!(
        "terraform {{\n  required_providers {{\n    proton = {{\n      source = \"{PROVIDER_SOURCE}\"\n    }}\n  }}\n}}\n"
    )
}

/// `body` with the required_providers block in front.
pub fn with_required_providers(body: &str) -> String {
    format!("{}\n{body}", required_providers_block())
}

/// A Terraform working directory wired to the freshly built provider (dev_overrides) and to one
/// proton-local. Removed when dropped unless PROTON_KEEP_WORKSPACES=1.
pub struct Workspace {
    tf: Terraform,
    dir: Option<tempfile::TempDir>,
    work: PathBuf,
    env: Vec<(String, String)>,
    timeout: Duration,
}

impl Workspace {
    /// A workspace whose AWS environment points at `proton`.
    pub fn new(tf: &Terraform, proton: &ProtonLocal) -> Workspace {
        Workspace::with_env(tf, proton.env())
    }

    /// A workspace with an explicit AWS environment (or none at all).
    pub fn with_env(tf: &Terraform, aws_env: Vec<(String, String)>) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("tf-workspace-")
            .tempdir_in(scratch_dir())
            .unwrap_or_else(|e| panic!("tempdir: {e}"));
        let work = dir.path().join("work");
        fs::create_dir_all(&work).unwrap_or_else(|e| panic!("mkdir: {e}"));

        let provider_dir = provider_binary()
            .parent()
            .unwrap_or_else(|| panic!("provider binary has no parent directory"))
            .to_path_buf();
        let cli_config = dir.path().join("cli.tfrc");
        let config = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{PROVIDER_FQN}\" = {}\n  }}\n  direct {{}}\n}}\n",
            hcl_string(&provider_dir.to_string_lossy())
        );
        fs::write(&cli_config, config).unwrap_or_else(|e| panic!("write cli config: {e}"));

        let mut env: Vec<(String, String)> = vec![
            (
                "TF_CLI_CONFIG_FILE".into(),
                cli_config.to_string_lossy().into_owned(),
            ),
            ("TF_IN_AUTOMATION".into(), "1".into()),
            ("TF_INPUT".into(), "0".into()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            // Terraform's own home-dir lookups (credentials helpers, ...) stay inside the workspace.
            ("HOME".into(), dir.path().to_string_lossy().into_owned()),
        ];
        env.extend(aws_env);

        Workspace {
            tf: tf.clone(),
            dir: Some(dir),
            work,
            env,
            timeout: command_timeout(),
        }
    }

    pub fn terraform(&self) -> &Terraform {
        &self.tf
    }

    /// The working directory (where .tf files and terraform.tfstate live).
    pub fn dir(&self) -> &Path {
        &self.work
    }

    /// Sets (or replaces) an environment variable for every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    /// Removes an environment variable for every later command.
    pub fn remove_env(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
    }

    pub fn env_value(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Writes a file in the working directory.
    pub fn write(&self, name: &str, contents: &str) {
        let path = self.work.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
        }
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Writes main.tf as `body` preceded by the required_providers block.
    pub fn write_main(&self, body: &str) {
        self.write("main.tf", &with_required_providers(body));
    }

    pub fn remove(&self, name: &str) {
        let _ = fs::remove_file(self.work.join(name));
    }

    /// Runs terraform with `args` in the working directory, bounded by the workspace timeout.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(&self.tf.path);
        cmd.args(args).current_dir(&self.work);
        scrub_env(&mut cmd);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        let start = Instant::now();
        let (output, timed_out) = run_bounded(cmd, self.timeout);
        eprintln!(
            "[{} {}] terraform {} -> {} in {:.1}s",
            if self.tf.is_tofu { "tofu" } else { "tf" },
            self.tf.version_string,
            args.join(" "),
            describe_status(&output.status),
            start.elapsed().as_secs_f64()
        );
        if timed_out {
            panic!(
                "{}: terraform {} timed out after {:?}: {}",
                self.tf,
                args.join(" "),
                self.timeout,
                describe_output(&output)
            );
        }
        output
    }

    /// Runs terraform and panics (with its output) unless it exits 0.
    pub fn run_ok(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        if !output.status.success() {
            panic!(
                "{}: terraform {} failed: {}",
                self.tf,
                args.join(" "),
                describe_output(&output)
            );
        }
        output
    }

    /// Runs terraform expecting failure; returns stdout+stderr without colours.
    pub fn run_err(&self, args: &[&str]) -> String {
        let output = self.run(args);
        if output.status.success() {
            panic!(
                "{}: terraform {} unexpectedly succeeded: {}",
                self.tf,
                args.join(" "),
                describe_output(&output)
            );
        }
        combined_str(&output)
    }

    /// `terraform init`. Not needed for the dev-overridden provider (nor for builtins such as
    /// `terraform_data`). Terraform 1.0.3 fails here offline: it asks the registry about
    /// overridden providers too; 1.15 skips them.
    pub fn init(&self) -> Output {
        self.run_ok(&["init", "-input=false", "-no-color"])
    }

    pub fn validate(&self) -> Output {
        self.run_ok(&["validate", "-no-color"])
    }

    pub fn apply(&self) -> Output {
        self.run_ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    pub fn apply_with(&self, extra: &[&str]) -> Output {
        let mut args = vec!["apply", "-auto-approve", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        self.run_ok(&args)
    }

    /// `apply` that must fail; returns the diagnostics text.
    pub fn apply_err(&self) -> String {
        self.run_err(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    pub fn destroy(&self) -> Output {
        self.run_ok(&["destroy", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `plan` that must fail; returns the diagnostics text.
    pub fn plan_err(&self) -> String {
        self.run_err(&["plan", "-input=false", "-no-color"])
    }

    /// `plan -detailed-exitcode`: 0 = no changes, 2 = changes. Panics on errors (exit 1).
    pub fn plan_exit_code(&self) -> i32 {
        self.plan_exit_code_with(&[])
    }

    pub fn plan_exit_code_with(&self, extra: &[&str]) -> i32 {
        self.plan_with(extra).0
    }

    /// `plan -detailed-exitcode` plus `extra`; returns (exit code, plan text). Panics on errors.
    pub fn plan_with(&self, extra: &[&str]) -> (i32, String) {
        let mut args = vec!["plan", "-detailed-exitcode", "-input=false", "-no-color"];
        args.extend_from_slice(extra);
        let output = self.run(&args);
        match output.status.code() {
            Some(code @ (0 | 2)) => (code, stdout_str(&output)),
            _ => panic!(
                "{}: terraform {} failed: {}",
                self.tf,
                args.join(" "),
                describe_output(&output)
            ),
        }
    }

    /// Plans with and without refresh; both must report no changes (terraform-plugin-testing's
    /// post-apply check).
    pub fn assert_plan_empty(&self) {
        for extra in [&["-refresh=false"][..], &[][..]] {
            let (code, text) = self.plan_with(extra);
            assert_eq!(
                code,
                0,
                "{}: expected an empty plan (plan {}), got:\n{text}",
                self.tf,
                extra.join(" ")
            );
        }
    }

    /// Asserts the plan has changes and returns its text.
    pub fn assert_plan_changes(&self) -> String {
        let (code, text) = self.plan_with(&[]);
        assert_eq!(code, 2, "{}: expected changes, got:\n{text}", self.tf);
        text
    }

    /// The state as `terraform show -json` prints it.
    pub fn show_json(&self) -> Value {
        let output = self.run_ok(&["show", "-json"]);
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "{}: show -json printed invalid JSON ({e}): {}",
                self.tf,
                describe_output(&output)
            )
        })
    }

    /// `terraform output -json` as an object of name -> {value, type, sensitive}.
    pub fn outputs(&self) -> Map<String, Value> {
        let output = self.run_ok(&["output", "-json"]);
        match serde_json::from_slice(&output.stdout) {
            Ok(Value::Object(map)) => map,
            other => panic!("{}: output -json: {other:?}", self.tf),
        }
    }

    /// Addresses of every resource in state (root and child modules).
    pub fn state_addresses(&self) -> Vec<String> {
        let state = self.show_json();
        let mut out = Vec::new();
        if let Some(root) = state.pointer("/values/root_module") {
            collect_resources(root, &mut |r| {
                if let Some(a) = r.get("address").and_then(Value::as_str) {
                    out.push(a.to_string());
                }
            });
        }
        out
    }

    /// The resource at `address` in state, as `show -json` prints it (address, values,
    /// sensitive_values, ...), or None.
    pub fn resource(&self, address: &str) -> Option<Value> {
        let state = self.show_json();
        let mut found = None;
        if let Some(root) = state.pointer("/values/root_module") {
            collect_resources(root, &mut |r| {
                if r.get("address").and_then(Value::as_str) == Some(address) {
                    found = Some(r.clone());
                }
            });
        }
        found
    }

    /// The attribute values of the resource at `address`; panics if it is not in state.
    pub fn resource_attrs(&self, address: &str) -> Map<String, Value> {
        match self.resource(address) {
            Some(r) => match r.get("values") {
                Some(Value::Object(values)) => values.clone(),
                other => panic!("{}: {address} has no values: {other:?}", self.tf),
            },
            None => panic!(
                "{}: {address} is not in state; state has {:?}",
                self.tf,
                self.state_addresses()
            ),
        }
    }

    /// `terraform import ADDRESS ID`.
    pub fn import_cli(&self, address: &str, id: &str) -> Output {
        self.run_ok(&["import", "-input=false", "-no-color", address, id])
    }

    /// `terraform state rm ADDRESS`.
    pub fn state_rm(&self, address: &str) -> Output {
        self.run_ok(&["state", "rm", address])
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if std::env::var("PROTON_KEEP_WORKSPACES").as_deref() == Ok("1")
            && let Some(dir) = self.dir.take()
        {
            eprintln!("keeping workspace {}", dir.keep().display());
        }
    }
}

fn collect_resources(module: &Value, f: &mut dyn FnMut(&Value)) {
    if let Some(Value::Array(resources)) = module.get("resources") {
        for r in resources {
            f(r);
        }
    }
    if let Some(Value::Array(children)) = module.get("child_modules") {
        for c in children {
            collect_resources(c, f);
        }
    }
}

/// An HCL string literal (quotes and escapes) for `s`.
pub fn hcl_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Compares two attribute maps the way ImportStateVerify does: every key, except `ignore`.
/// Returns the differences as readable lines (empty when equal).
/// Attributes only a plan sets (`deployment_type`): they describe the last update, not the object,
/// so an import never has them.
const PLAN_ONLY: &[&str] = &["deployment_type"];

pub fn diff_attrs(
    expected: &Map<String, Value>,
    actual: &Map<String, Value>,
    ignore: &[&str],
) -> Vec<String> {
    let keys: BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    let mut diffs = Vec::new();
    for key in keys {
        if ignore.contains(&key.as_str()) || PLAN_ONLY.contains(&key.as_str()) {
            continue;
        }
        let a = expected.get(key).unwrap_or(&Value::Null);
        let b = actual.get(key).unwrap_or(&Value::Null);
        if a != b {
            diffs.push(format!("{key}: applied {a} != imported {b}"));
        }
    }
    diffs
}

/// Reads a whole file to a string, panicking with its path.
pub fn read_to_string(path: &Path) -> String {
    let mut s = String::new();
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut s))
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    s
}
