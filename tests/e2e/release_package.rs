//! Release archives: `scripts/package.py` lays out a filesystem mirror that Terraform installs from with
//! `terraform init` and no network (no dev_overrides), then the provider applies against proton-local.

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
