//! The Terraform versions the tests run against.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::fmt;
use std::fs::{self};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use crate::*;

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

pub(crate) fn parse_version(s: &str) -> Option<(u64, u64, u64)> {
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

pub(crate) fn discover_terraforms() -> Vec<Terraform> {
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

pub(crate) fn on_path(name: &str) -> Vec<PathBuf> {
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
