//! The real AWS CLI against proton-local: `aws proton <args> --output json`, bounded in time, isolated
//! from the host's AWS configuration, its answer parsed as JSON and its errors as
//! `An error occurred (Code) ...: message`.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{aws_cli, aws_env, command_timeout, describe_output, run_bounded, scrub_env, tail};

/// An error answer: the service's error code and message (`CLI` and the whole stderr when the CLI
/// failed without one, e.g. a waiter that saw a failure state).
#[derive(Clone, Debug)]
pub struct AwsError {
    pub code: String,
    pub message: String,
}

/// `aws proton ...` against one endpoint, with one set of credentials and retry setting.
#[derive(Clone, Debug)]
pub struct AwsCli {
    endpoint: String,
    key: String,
    secret: String,
    max_attempts: Option<u32>,
    /// proton-local's log, whose tail goes into the panic message of a failed [`AwsCli::json`].
    log: Option<PathBuf>,
}

impl AwsCli {
    /// The CLI against `endpoint` as `test`/`test` (proton-local's default account), with the CLI's
    /// default retries.
    pub fn new(endpoint: &str) -> AwsCli {
        AwsCli {
            endpoint: endpoint.to_string(),
            key: "test".to_string(),
            secret: "test".to_string(),
            max_attempts: None,
            log: None,
        }
    }

    /// With 20 attempts in standard mode: for proton-local with faults switched on, which may fail
    /// the CLI's own requests too.
    pub fn retrying(endpoint: &str) -> AwsCli {
        AwsCli::new(endpoint).max_attempts(20)
    }

    /// The same CLI with other credentials.
    pub fn credentials(mut self, key: &str, secret: &str) -> AwsCli {
        self.key = key.to_string();
        self.secret = secret.to_string();
        self
    }

    /// At most `attempts` attempts per command, in standard retry mode (1: no retries).
    pub fn max_attempts(mut self, attempts: u32) -> AwsCli {
        self.max_attempts = Some(attempts);
        self
    }

    pub(crate) fn log(mut self, log: PathBuf) -> AwsCli {
        self.log = Some(log);
        self
    }

    /// Runs `aws proton <args> --output json`: the JSON answer (`{}` when the CLI prints nothing, as
    /// for an empty answer), or the error it reports. Panics only when the command times out.
    pub fn run(&self, args: &[&str]) -> Result<Value, AwsError> {
        let mut cmd = Command::new(aws_cli());
        cmd.arg("proton").args(args).args(["--output", "json"]);
        scrub_env(&mut cmd);
        cmd.envs(aws_env(&self.endpoint));
        cmd.env("AWS_ACCESS_KEY_ID", &self.key)
            .env("AWS_SECRET_ACCESS_KEY", &self.secret)
            .env("AWS_PAGER", "");
        if let Some(attempts) = self.max_attempts {
            cmd.env("AWS_RETRY_MODE", "standard")
                .env("AWS_MAX_ATTEMPTS", attempts.to_string());
        }
        let started = Instant::now();
        let (output, timed_out) = run_bounded(cmd, command_timeout());
        if timed_out {
            panic!(
                "aws proton {} timed out: {}",
                args.join(" "),
                describe_output(&output)
            );
        }
        if started.elapsed() > Duration::from_secs(8) {
            eprintln!(
                "slow: aws proton {} took {:?}",
                args.join(" "),
                started.elapsed()
            );
        }
        if output.status.success() {
            let text = String::from_utf8_lossy(&output.stdout);
            if text.trim().is_empty() {
                return Ok(json!({}));
            }
            return Ok(serde_json::from_str(&text).unwrap_or_else(|e| {
                panic!("aws proton {}: bad JSON ({e}): {text}", args.join(" "))
            }));
        }
        Err(parse_error(&String::from_utf8_lossy(&output.stderr)))
    }

    /// [`AwsCli::run`] that must succeed; panics with the error (and proton-local's log tail).
    pub fn json(&self, args: &[&str]) -> Value {
        self.run(args).unwrap_or_else(|e| {
            let log = self
                .log
                .as_ref()
                .map(|log| tail(&std::fs::read_to_string(log).unwrap_or_default(), 40))
                .unwrap_or_default();
            panic!(
                "aws proton {} failed: {}: {}\nproton-local stderr (tail):\n{log}",
                args.join(" "),
                e.code,
                e.message
            )
        })
    }

    /// [`AwsCli::run`] that must fail; returns the error.
    pub fn error(&self, args: &[&str]) -> AwsError {
        match self.run(args) {
            Ok(answer) => panic!(
                "aws proton {} unexpectedly succeeded: {answer}",
                args.join(" ")
            ),
            Err(e) => e,
        }
    }
}

/// "An error occurred (Code) when calling the Op operation: message", or "... operation (reached
/// max retries: 0): message".
fn parse_error(stderr: &str) -> AwsError {
    let Some(rest) = stderr.split("An error occurred (").nth(1) else {
        return AwsError {
            code: "CLI".to_string(),
            message: stderr.trim().to_string(),
        };
    };
    let code = rest.split(')').next().unwrap_or_default().to_string();
    let after_op = rest.split_once(" operation").map(|x| x.1).unwrap_or(rest);
    let message = match after_op.strip_prefix(" (") {
        Some(r) => r.split_once("): ").map(|x| x.1).unwrap_or(r),
        None => after_op.strip_prefix(": ").unwrap_or(after_op),
    };
    AwsError {
        code,
        message: message.trim().to_string(),
    }
}
