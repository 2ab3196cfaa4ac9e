//! Helpers for the reliability and security tests: Terraform in the background (to signal or kill
//! things mid-apply), the provider process it started, proton-local's request log and plan JSON.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{ProtonLocal, Workspace, describe_output, poll, strip_ansi};

/// Upper bound for one background Terraform command.
pub const TERRAFORM_DEADLINE: Duration = Duration::from_secs(300);

/// `terraform <args>` started in the background in its own process group (as a shell does for a
/// foreground job), with the workspace's environment plus `extra_env`. Killed with its group when
/// dropped.
pub struct Background {
    child: Option<Child>,
    pub pid: u32,
    stdout: PathBuf,
    stderr: PathBuf,
    started: Instant,
}

impl Background {
    pub fn start(
        ws: &Workspace,
        aws: &[(String, String)],
        args: &[&str],
        extra_env: &[(&str, &str)],
    ) -> Background {
        let stdout = ws.dir().join(format!("bg-{}.stdout", args[0]));
        let stderr = ws.dir().join(format!("bg-{}.stderr", args[0]));
        let mut cmd = Command::new(&ws.terraform().path);
        cmd.args(args)
            .current_dir(ws.dir())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).unwrap_or_else(|e| panic!("create: {e}")))
            .stderr(File::create(&stderr).unwrap_or_else(|e| panic!("create: {e}")))
            .process_group(0);
        for key in [
            "TF_CLI_CONFIG_FILE",
            "TF_IN_AUTOMATION",
            "TF_INPUT",
            "CHECKPOINT_DISABLE",
            "HOME",
        ] {
            if let Some(value) = ws.env_value(key) {
                cmd.env(key, value);
            }
        }
        cmd.envs(aws.iter().map(|(k, v)| (k, v)));
        cmd.envs(extra_env.iter().copied());
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn terraform: {e}"));
        Background {
            pid: child.id(),
            child: Some(child),
            stdout,
            stderr,
            started: Instant::now(),
        }
    }

    /// Sends `signal` (e.g. "INT") to the whole process group, as a terminal does on Ctrl-C.
    pub fn signal_group(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), "--", &format!("-{}", self.pid)])
            .status()
            .unwrap_or_else(|e| panic!("kill: {e}"));
        assert!(status.success(), "kill -{signal} -{}", self.pid);
    }

    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().unwrap_or_else(|e| panic!("wait: {e}")))
    }

    /// Waits for Terraform to exit (bounded) and returns its output.
    pub fn wait(mut self, limit: Duration) -> Output {
        let Some(status) = poll(limit, || self.try_wait()) else {
            let text = self.output_text();
            self.kill_group();
            panic!("terraform did not finish within {limit:?}:\n{text}");
        };
        // Providers outliving Terraform would only be a bug; make sure none lingers.
        self.kill_group();
        self.child = None;
        Output {
            status,
            stdout: fs::read(&self.stdout).unwrap_or_default(),
            stderr: fs::read(&self.stderr).unwrap_or_default(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn output_text(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            strip_ansi(&fs::read_to_string(&self.stdout).unwrap_or_default()),
            strip_ansi(&fs::read_to_string(&self.stderr).unwrap_or_default())
        )
    }

    fn kill_group(&self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.pid)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            self.kill_group();
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// (pid, parent pid, name) of every process (Linux /proc).
fn processes() -> Vec<(u32, u32, String)> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces, so split at the last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            found.push((pid, ppid, stat[open + 1..close].to_string()));
        }
    }
    found
}

/// Descendants of `ancestor` whose name starts with `name` (/proc truncates names to 15 bytes).
/// Terraform 1.0 runs itself under a crash-catching parent, so providers are grandchildren there.
pub fn descendants_named(ancestor: u32, name: &str) -> Vec<u32> {
    let all = processes();
    let wanted = &name[..name.len().min(15)];
    let mut family = vec![ancestor];
    let mut found = Vec::new();
    while let Some(parent) = family.pop() {
        for (pid, ppid, comm) in &all {
            if *ppid == parent {
                family.push(*pid);
                if comm.starts_with(wanted) {
                    found.push(*pid);
                }
            }
        }
    }
    found
}

pub fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap_or_else(|e| panic!("kill: {e}"));
    assert!(status.success(), "kill -{signal} {pid}");
}

/// The values of `field` in each element of `answer[list]`, sorted (duplicates kept).
pub fn field_values(answer: &Value, list: &str, field: &str) -> Vec<String> {
    let mut values: Vec<String> = answer
        .get(list)
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("no {list} in {answer}"))
        .iter()
        .filter_map(|item| item.get(field).and_then(Value::as_str).map(str::to_string))
        .collect();
    values.sort();
    values
}

/// Requests per operation name in proton-local's log.
pub fn request_counts(proton: &ProtonLocal) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for line in proton.requests() {
        if let Some(op) = log_field(&line, "op") {
            *counts.entry(op.to_string()).or_default() += 1;
        }
    }
    counts
}

/// `key=value` from a log line.
pub fn log_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {key}="))? + key.len() + 2;
    line[start..]
        .split_whitespace()
        .next()
        .map(|v| v.trim_matches('"'))
}

/// `terraform plan -out` then `show -json`: the plan as JSON, and the plan's exit code (0 or 2).
pub fn plan_json(ws: &Workspace) -> (i32, Value) {
    let output = ws.run(&[
        "plan",
        "-detailed-exitcode",
        "-input=false",
        "-no-color",
        "-out=reliability.tfplan",
    ]);
    let code = match output.status.code() {
        Some(code @ (0 | 2)) => code,
        _ => panic!("plan failed: {}", describe_output(&output)),
    };
    let shown = ws.run_ok(&["show", "-json", "reliability.tfplan"]);
    let json = serde_json::from_slice(&shown.stdout)
        .unwrap_or_else(|e| panic!("show -json: {e}: {}", describe_output(&shown)));
    ws.remove("reliability.tfplan");
    (code, json)
}

/// Every planned change that is not a no-op, as address -> actions ("update", "create", ...).
pub fn planned_actions(plan: &Value) -> BTreeMap<String, Vec<String>> {
    plan.get("resource_changes")
        .and_then(Value::as_array)
        .map(|changes| {
            changes
                .iter()
                .filter_map(|rc| {
                    let address = rc.get("address")?.as_str()?.to_string();
                    let actions: Vec<String> = rc
                        .pointer("/change/actions")?
                        .as_array()?
                        .iter()
                        .filter_map(|a| a.as_str().map(str::to_string))
                        .collect();
                    (actions != ["no-op"] && actions != ["read"]).then_some((address, actions))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Top-level attributes whose planned value differs from the prior one in the change for `address`
/// (unknown-after-apply values count as different).
pub fn changed_attributes(plan: &Value, address: &str) -> Vec<String> {
    let Some(change) = plan
        .get("resource_changes")
        .and_then(Value::as_array)
        .and_then(|changes| {
            changes
                .iter()
                .find(|rc| rc.get("address").and_then(Value::as_str) == Some(address))
        })
        .and_then(|rc| rc.get("change"))
    else {
        panic!("no change for {address} in the plan");
    };
    let empty = serde_json::Map::new();
    let before = change
        .get("before")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let after = change
        .get("after")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let unknown = change
        .get("after_unknown")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut names: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| {
            let is_unknown = unknown.get(*k).is_some_and(|u| u == &Value::Bool(true));
            is_unknown || before.get(*k) != after.get(*k)
        })
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Reads a file that may not exist yet.
pub fn read_lossy(path: &Path) -> String {
    fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}
