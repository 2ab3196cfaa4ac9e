//! Release archives: `scripts/package.py` lays out a filesystem mirror that Terraform installs from with
//! `terraform init` and no network (no dev_overrides), then the provider applies against proton-local.
//! The release and test workflows, which only GitHub runs, are checked for their shape: actions pinned
//! to commits, package.py called with options it has, darwin built on macOS, every platform expected and
//! no cross target in CI.

use std::process::Command;

use proton_test_support::{
    ProtonLocal, Workspace, combined_str, hcl_string, repo_root, terraform_versions,
};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn package_into(mirror: &std::path::Path, dist: &std::path::Path) {
    // The debug binary is what cargo built for this test; packaging logic is the same for release.
    let output = Command::new("python3")
        .arg(repo_root().join("scripts/package.py"))
        .args(["--profile", "debug", "--skip-build", "--out"])
        .arg(dist)
        .arg("--mirror")
        .arg(mirror)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "package.py failed: {}",
        combined_str(&output)
    );
}

#[test]
fn version_flag_prints_the_cargo_version() {
    let output = Command::new(proton_test_support::provider_binary())
        .arg("--version")
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("terraform-provider-proton {VERSION}")
    );
}

#[test]
fn archives_install_from_a_filesystem_mirror_and_apply() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let mirror = scratch.path().join("mirror");
    let dist = scratch.path().join("dist");
    package_into(&mirror, &dist);

    let sums = std::fs::read_to_string(
        dist.join(format!("terraform-provider-proton_{VERSION}_SHA256SUMS")),
    )
    .expect("SHA256SUMS written");
    assert_eq!(sums.lines().count(), 2, "{sums}");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            dist.join(format!("terraform-provider-proton_{VERSION}_manifest.json")),
        )
        .expect("manifest written"),
    )
    .expect("manifest is JSON");
    assert_eq!(manifest["metadata"]["protocol_versions"][0], "6.0");

    let proton = ProtonLocal::start(&[]);
    for tf in terraform_versions() {
        let mut ws = Workspace::new(&tf, &proton);
        let cli_config = ws.dir().join("mirror.tfrc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path = {}\n  }}\n}}\n",
                hcl_string(&mirror.to_string_lossy())
            ),
        )
        .expect("write cli config");
        ws.set_env("TF_CLI_CONFIG_FILE", &cli_config.to_string_lossy());
        let name = format!("packaged-{}", tf.version_string.replace('.', "-"));
        ws.write(
            "main.tf",
            &format!(
                "terraform {{\n  required_providers {{\n    proton = {{\n      source  = \"proton-community/proton\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n\n\
                 provider \"proton\" {{}}\n\n\
                 resource \"proton_environment_template\" \"t\" {{\n  name = \"{name}\"\n}}\n\n\
                 output \"arn\" {{\n  value = proton_environment_template.t.arn\n}}\n"
            ),
        );
        let init = ws.run(&["init", "-no-color"]);
        assert!(
            init.status.success(),
            "init failed: {}",
            combined_str(&init)
        );
        let lock =
            std::fs::read_to_string(ws.dir().join(".terraform.lock.hcl")).expect("lock file");
        assert!(
            lock.contains(&format!("version     = \"{VERSION}\"")),
            "{lock}"
        );
        ws.apply();
        let outputs = ws.outputs();
        assert_eq!(
            outputs["arn"]["value"],
            format!("arn:aws:proton:us-east-1:000000000000:environment-template/{name}")
        );
        ws.destroy();
    }
}

// ------------------------------------------------------------------------------------------------
// The workflows (GitHub Actions cannot run here: their shape is checked instead)
// ------------------------------------------------------------------------------------------------

fn workflow(name: &str) -> yaml_rust2::Yaml {
    let path = repo_root().join(".github/workflows").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut docs = yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap_or_else(|e| panic!("{name} is not YAML: {e}"));
    assert_eq!(docs.len(), 1, "{name}: one document");
    docs.remove(0)
}

/// Every step of every job: (job name, step).
fn steps(workflow: &yaml_rust2::Yaml) -> Vec<(String, yaml_rust2::Yaml)> {
    let jobs = workflow["jobs"].as_hash().expect("jobs");
    jobs.iter()
        .flat_map(|(job, body)| {
            let job = job.as_str().expect("job name").to_string();
            body["steps"]
                .as_vec()
                .unwrap_or_else(|| panic!("{job}: steps"))
                .iter()
                .map(move |step| (job.clone(), step.clone()))
        })
        .collect()
}

/// The options `scripts/package.py --help` lists.
fn package_options() -> Vec<String> {
    let output = Command::new("python3")
        .arg(repo_root().join("scripts/package.py"))
        .arg("--help")
        .output()
        .expect("python3 runs");
    assert!(output.status.success(), "{}", combined_str(&output));
    let help = String::from_utf8_lossy(&output.stdout);
    let options = regex::Regex::new(r"--[a-z][a-z-]+").expect("regex");
    options
        .find_iter(&help)
        .map(|m| m.as_str().to_string())
        .collect()
}

/// The package.py options a step's `run` passes.
fn package_calls(run: &str) -> Vec<Vec<String>> {
    let options = regex::Regex::new(r"--[a-z][a-z-]+").expect("regex");
    let joined = run.replace("\\\n", " ");
    joined
        .split("scripts/package.py")
        .skip(1)
        .map(|call| {
            let line = call.split('\n').next().unwrap_or_default();
            options
                .find_iter(line)
                .map(|m| m.as_str().to_string())
                .collect()
        })
        .collect()
}

#[test]
fn workflows_pin_actions_and_call_package_py_as_it_is() {
    let known = package_options();
    let pinned = regex::Regex::new(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$").expect("regex");
    for name in ["release.yml", "test.yml"] {
        let workflow = workflow(name);
        assert!(workflow["name"].as_str().is_some(), "{name}: a name");
        assert_eq!(
            workflow["permissions"]["contents"].as_str(),
            Some(if name == "release.yml" {
                "write"
            } else {
                "read"
            }),
            "{name}: least permissions"
        );
        for (job, step) in steps(&workflow) {
            if let Some(action) = step["uses"].as_str() {
                assert!(
                    pinned.is_match(action),
                    "{name} {job}: {action} is not pinned to a commit"
                );
            }
            let run = step["run"].as_str().unwrap_or_default();
            for call in package_calls(run) {
                for option in &call {
                    assert!(
                        known.contains(option),
                        "{name} {job}: package.py has no {option}"
                    );
                }
                if name == "test.yml" {
                    assert!(
                        !call
                            .iter()
                            .any(|o| ["--targets", "--release"].contains(&o.as_str())),
                        "{name} {job}: CI builds no cross target"
                    );
                }
            }
        }
    }
}

#[test]
fn the_release_workflow_builds_every_platform_and_signs_once() {
    let release = workflow("release.yml");
    assert_eq!(release["on"]["push"]["tags"][0].as_str(), Some("v*"));
    let darwin = &release["jobs"]["darwin"];
    assert!(
        darwin["runs-on"]
            .as_str()
            .is_some_and(|r| r.starts_with("macos")),
        "darwin archives are built on a macOS runner"
    );
    let runs: Vec<(String, String)> = steps(&release)
        .into_iter()
        .filter_map(|(job, step)| step["run"].as_str().map(|run| (job, run.to_string())))
        .collect();
    let darwin_build = runs
        .iter()
        .find(|(job, run)| job == "darwin" && run.contains("scripts/package.py"))
        .expect("the darwin job runs package.py");
    assert!(
        darwin_build
            .1
            .contains("--targets darwin_amd64,darwin_arm64")
            && darwin_build.1.contains("--no-sums"),
        "{}",
        darwin_build.1
    );
    let final_build = runs
        .iter()
        .find(|(job, run)| job == "release" && run.contains("scripts/package.py --release"))
        .expect("the release job runs package.py --release");
    for platform in [
        "linux_amd64",
        "linux_arm64",
        "windows_amd64",
        "darwin_amd64",
        "darwin_arm64",
    ] {
        assert!(final_build.1.contains(platform), "--expect {platform}");
    }
    let publish = runs
        .iter()
        .find(|(_, run)| run.contains("gh release create"))
        .expect("a release is published");
    for file in [
        "*.zip",
        "*_SHA256SUMS",
        "*_SHA256SUMS.sig",
        "*_manifest.json",
    ] {
        assert!(publish.1.contains(file), "{file} is published");
    }
    // The key comes from the repository's secrets, as in the scaffolding.
    let text = std::fs::read_to_string(repo_root().join(".github/workflows/release.yml"))
        .expect("release.yml");
    assert!(text.contains("secrets.GPG_PRIVATE_KEY") && text.contains("GPG_FINGERPRINT"));
}
