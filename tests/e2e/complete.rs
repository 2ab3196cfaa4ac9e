//! The complete platform of `examples/complete/` (templates and versions, account settings, two
//! environments, one through a cross-account connection with two provider aliases, a service with a
//! pipeline and two instances, an adopted instance, the pipeline, a component) applied with real
//! Terraform against proton-local, re-planned empty, updated (a spec change and a minor-version
//! upgrade), and destroyed leaving proton-local empty. The environment template and environments come
//! from the reusable modules in `examples/modules/`, copied next to the workspace.

use std::fs;

use proton_test_support::bundles::put_example;
use proton_test_support::deploy::{remote, str_attr};
use proton_test_support::{BUNDLE_BUCKET, ProtonLocal, Terraform, Workspace, repo_root};
use serde_json::{Value, json};

/// The example's providers, with the production account's static keys instead of a profile.
const TEST_PROVIDERS: &str = r#"terraform {
  required_providers {
    proton = {
      source = "proton-community/proton"
    }
  }
}

provider "proton" {
  region = var.region

  default_tags {
    tags = {
      platform = "complete-example"
    }
  }
}

provider "proton" {
  alias      = "production_account"
  region     = var.region
  access_key = "envkey"
  secret_key = "envsecret"
}
"#;

fn list(proton: &ProtonLocal, args: &[&str], key: &str) -> Vec<Value> {
    proton.aws(args)[key]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn env(proton: &ProtonLocal, name: &str) -> serde_json::Map<String, Value> {
    remote(proton, &["get-environment", "--name", name], "environment")
        .unwrap_or_else(|| panic!("no environment {name}"))
}

fn complete(tf: &Terraform) {
    let proton = ProtonLocal::start(&[
        "--deploy-seconds",
        "0.3",
        "--account",
        "test:test:000000000000",
        "--account",
        "envkey:envsecret:111111111111",
    ]);
    // The keys the example registers, holding the example bundles (see its main.tf).
    for (key, bundle) in [
        ("web/1.0.tar.gz", "vpc-environment"),
        ("web/1.1.tar.gz", "vpc-environment"),
        ("api/1.0.tar.gz", "web-service"),
        ("api/1.1.tar.gz", "web-service"),
    ] {
        put_example(BUNDLE_BUCKET, key, bundle);
    }
    let ws = Workspace::new(tf, &proton);
    let example = repo_root().join("examples/complete");
    for file in ["main.tf", "variables.tf"] {
        let text = fs::read_to_string(example.join(file))
            .unwrap_or_else(|e| panic!("examples/complete/{file}: {e}"));
        ws.write(file, &text);
    }
    ws.write("providers.tf", TEST_PROVIDERS);
    // The reusable modules, where the example's `../modules/...` sources find them; `get` installs them.
    copy_modules(&ws, &repo_root().join("examples/modules"), "../modules");
    ws.run_ok(&["get", "-no-color"]);

    // Apply, then nothing left to do.
    ws.apply();
    ws.assert_plan_empty();
    let staging = ws.resource_attrs("module.staging.proton_environment.this");
    assert_eq!(str_attr(&staging, "deployment_status"), "SUCCEEDED", "{tf}");
    let production = ws.resource_attrs("module.production.proton_environment.this");
    assert_eq!(
        str_attr(&production, "environment_account_id"),
        "111111111111"
    );
    let instance = ws.resource_attrs("proton_service_instance.api_production");
    assert_eq!(str_attr(&instance, "template_minor_version"), "1");
    assert_eq!(str_attr(&instance, "environment_name"), "production");
    let pipeline = ws.resource_attrs("proton_service_pipeline.api");
    assert_eq!(str_attr(&pipeline, "deployment_status"), "SUCCEEDED");
    let component = ws.resource_attrs("proton_component.cache");
    assert_eq!(str_attr(&component, "environment_name"), "staging");
    assert_eq!(str_attr(&component, "deployment_status"), "SUCCEEDED");
    let mut instances: Vec<String> = list(
        &proton,
        &["list-service-instances", "--service-name", "api"],
        "serviceInstances",
    )
    .iter()
    .filter_map(|i| i["name"].as_str().map(str::to_string))
    .collect();
    instances.sort();
    assert_eq!(instances, vec!["api-production", "api-staging"]);

    // Update: a spec input and the staging environment's minor version.
    ws.write(
        "terraform.auto.tfvars",
        "environment_tier = \"production\"\nenvironment_minor_version = \"1\"\n",
    );
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan.contains("0 to add, 2 to change, 0 to destroy"),
        "{tf}: only the two environments change:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let staging_now = env(&proton, "staging");
    assert_eq!(staging_now["templateMinorVersion"], json!("1"), "{tf}");
    assert!(
        staging_now["spec"]
            .as_str()
            .is_some_and(|s| s.contains("tier: production"))
    );
    assert!(
        env(&proton, "production")["spec"]
            .as_str()
            .is_some_and(|s| s.contains("tier: production"))
    );
    assert_ne!(
        ws.resource_attrs("module.staging.proton_environment.this")["last_attempted_deployment_id"],
        staging["last_attempted_deployment_id"]
    );

    // Destroy: nothing left in proton-local, in either account.
    ws.destroy();
    assert!(ws.state_addresses().is_empty(), "{tf}");
    for (args, key) in [
        (&["list-environments"][..], "environments"),
        (&["list-services"][..], "services"),
        (&["list-environment-templates"][..], "templates"),
        (&["list-service-templates"][..], "templates"),
        (
            &[
                "list-environment-account-connections",
                "--requested-by",
                "MANAGEMENT_ACCOUNT",
            ][..],
            "environmentAccountConnections",
        ),
        (&["list-components"][..], "components"),
    ] {
        let left = list(&proton, args, key);
        assert!(left.is_empty(), "{tf}: {} still lists {left:?}", args[0]);
    }
    let settings = proton.aws(&["get-account-settings"]);
    assert_eq!(
        settings["accountSettings"].get("pipelineServiceRoleArn"),
        None,
        "{tf}: account settings must be reset: {settings}"
    );
}

/// Writes every file under `dir` into the workspace at `to` (relative to its working directory).
fn copy_modules(ws: &Workspace, dir: &std::path::Path, to: &str) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let target = format!("{to}/{name}");
        if path.is_dir() {
            copy_modules(ws, &path, &target);
        } else {
            let text =
                fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            ws.write(&target, &text);
        }
    }
}

proton_test_support::terraform_tests!(complete);
