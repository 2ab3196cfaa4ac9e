//! Terraform working directories: configuration, commands and state.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use crate::*;

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

pub(crate) fn collect_resources(module: &Value, f: &mut dyn FnMut(&Value)) {
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
pub(crate) const PLAN_ONLY: &[&str] = &["deployment_type"];

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
