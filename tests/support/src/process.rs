//! Child processes under a deadline, and waiting for a condition.

use std::fs::{self, File};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::*;

pub(crate) static RUN_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Variables that would let the host's configuration leak into a test.
pub(crate) fn scrub_env(cmd: &mut Command) {
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

pub(crate) fn signal_group(pgid: u32, signal: &str) {
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
