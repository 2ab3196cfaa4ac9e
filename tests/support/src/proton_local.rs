//! proton-local started for a test, on a free loopback port.

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::*;

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

pub(crate) fn tail(s: &str, lines: usize) -> String {
    let all: Vec<&str> = s.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
