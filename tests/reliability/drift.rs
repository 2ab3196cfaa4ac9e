//! Drift (issue 7, item 5): objects changed and deleted out of band through the AWS CLI show up in
//! the next plan exactly - the drifted objects and attributes, nothing else - and the apply after it
//! puts every object back as configured. Terraform 1.15.5 and 1.0.3.

use std::collections::BTreeMap;

use proton_test_support::reliability::{changed_attributes, plan_json, planned_actions};
use proton_test_support::{AwsCli, ProtonLocal, Terraform, Workspace};
use serde_json::Value;

const ROLE: &str = "arn:aws:iam::000000000000:role/proton-service";
const CONNECTION: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/drift";

const CONFIG: &str = r#"
provider "proton" {
  region = "us-east-1"
}

resource "proton_environment_template" "et" {
  name        = "drift-et"
  description = "as configured"
  tags        = { keep = "1", lose = "2" }
}

resource "proton_environment_template_version" "etv" {
  template_name = proton_environment_template.et.name
  description   = "version as configured"
  status        = "PUBLISHED"
  source = {
    s3 = {
      bucket = "proton-bundles"
      key    = "vpc-environment.tar.gz"
    }
  }
}

resource "proton_environment" "env" {
  name                    = "drift-env"
  template_name           = proton_environment_template_version.etv.template_name
  template_major_version  = proton_environment_template_version.etv.major_version
  proton_service_role_arn = "ROLE"
  description             = "environment as configured"
  spec                    = "proton: EnvironmentSpec\nspec:\n  size: 1\n"
}

resource "proton_service_template" "st" {
  name        = "drift-st"
  description = "as configured"
}

resource "proton_repository" "kept" {
  repository_provider = "GITHUB"
  name                = "org/kept"
  connection_arn      = "CONNECTION"
}

resource "proton_repository" "deleted" {
  repository_provider = "GITHUB"
  name                = "org/deleted"
  connection_arn      = "CONNECTION"
}

resource "proton_template_sync_config" "sync" {
  template_name       = proton_environment_template.et.name
  template_type       = "ENVIRONMENT"
  repository_provider = proton_repository.kept.repository_provider
  repository_name     = proton_repository.kept.name
  branch              = "main"
}

resource "proton_environment_template" "untouched" {
  name        = "drift-untouched"
  description = "never changed"
}
"#;

/// Attributes each drifted object shows as changed: the ones changed out of band, plus the
/// modification time the API moves with them (and for the environment, its new deployment).
fn expected_drift() -> BTreeMap<String, Vec<String>> {
    let list = |names: &[&str]| {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    BTreeMap::from([
        (
            "proton_environment_template.et".to_string(),
            list(&["description", "last_modified_at", "tags", "tags_all"]),
        ),
        (
            "proton_environment_template_version.etv".to_string(),
            list(&["description", "last_modified_at"]),
        ),
        (
            "proton_service_template.st".to_string(),
            list(&["description", "last_modified_at"]),
        ),
        (
            "proton_repository.deleted".to_string(),
            list(&["(deleted)"]),
        ),
        (
            "proton_template_sync_config.sync".to_string(),
            list(&["(deleted)"]),
        ),
    ])
}

/// `resource_drift` of a plan: address -> attributes whose refreshed value differs from the state
/// (or "(deleted)").
fn drift(plan: &Value) -> BTreeMap<String, Vec<String>> {
    let mut found = BTreeMap::new();
    for entry in plan
        .get("resource_drift")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let address = entry["address"].as_str().unwrap_or_default().to_string();
        let deleted = entry["change"]["actions"] == serde_json::json!(["delete"]);
        let changed = if deleted {
            vec!["(deleted)".to_string()]
        } else {
            let wrapped = serde_json::json!({"resource_changes": [entry]});
            changed_attributes(&wrapped, &address)
        };
        found.insert(address, changed);
    }
    found
}

fn out_of_band_changes_show_up_exactly(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(
        &CONFIG
            .replace("\"ROLE\"", &format!("\"{ROLE}\""))
            .replace("\"CONNECTION\"", &format!("\"{CONNECTION}\"")),
    );
    ws.apply();
    ws.assert_plan_empty();
    // The baseline: state as the API now reports it (publishing the version moved the template's
    // recommended version after the template itself was recorded).
    ws.apply_with(&["-refresh-only"]);
    let et_arn = ws.resource_attrs("proton_environment_template.et")["arn"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // Out of band, side by side (each CLI call starts an interpreter).
    let endpoint = proton.endpoint();
    let changes: Vec<Vec<&str>> = vec![
        vec![
            "update-environment-template",
            "--name",
            "drift-et",
            "--description",
            "changed out of band",
        ],
        vec![
            "tag-resource",
            "--resource-arn",
            &et_arn,
            "--tags",
            "key=added,value=3",
        ],
        vec![
            "untag-resource",
            "--resource-arn",
            &et_arn,
            "--tag-keys",
            "lose",
        ],
        vec![
            "update-environment-template-version",
            "--template-name",
            "drift-et",
            "--major-version",
            "1",
            "--minor-version",
            "0",
            "--description",
            "changed out of band",
        ],
        vec![
            "update-service-template",
            "--name",
            "drift-st",
            "--description",
            "changed out of band",
        ],
        vec![
            "delete-repository",
            "--provider",
            "GITHUB",
            "--name",
            "org/deleted",
        ],
        vec![
            "delete-template-sync-config",
            "--template-name",
            "drift-et",
            "--template-type",
            "ENVIRONMENT",
        ],
    ];
    std::thread::scope(|scope| {
        for args in &changes {
            scope.spawn(move || AwsCli::retrying(endpoint).json(args));
        }
    });
    // The environment's spec changes with a redeployment (instant here).
    AwsCli::retrying(endpoint).json(&[
        "update-environment",
        "--name",
        "drift-env",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        "proton: EnvironmentSpec\nspec:\n  size: 9\n",
    ]);

    let (code, plan) = plan_json(&ws);
    assert_eq!(code, 2, "{tf}: drift is a change");
    let mut want = expected_drift();
    // The spec and the deployment the update made (ids, times) drift together.
    let env_drift = drift(&plan)
        .remove("proton_environment.env")
        .unwrap_or_default();
    assert!(
        env_drift.contains(&"spec".to_string())
            && !env_drift.contains(&"description".to_string())
            && !env_drift.contains(&"name".to_string()),
        "{tf}: environment drift: {env_drift:?}"
    );
    want.insert("proton_environment.env".to_string(), env_drift);
    assert_eq!(
        drift(&plan),
        want,
        "{tf}: exactly the out-of-band changes drift"
    );

    let actions = planned_actions(&plan);
    let expected_actions: BTreeMap<String, Vec<String>> = [
        ("proton_environment_template.et", "update"),
        ("proton_environment_template_version.etv", "update"),
        ("proton_service_template.st", "update"),
        ("proton_environment.env", "update"),
        ("proton_repository.deleted", "create"),
        ("proton_template_sync_config.sync", "create"),
    ]
    .into_iter()
    .map(|(a, action)| (a.to_string(), vec![action.to_string()]))
    .collect();
    assert_eq!(
        actions, expected_actions,
        "{tf}: the plan puts back exactly those"
    );
    // In place, only what drifted is planned back (computed values follow).
    for (address, configured) in [
        (
            "proton_environment_template.et",
            vec!["description", "tags"],
        ),
        (
            "proton_environment_template_version.etv",
            vec!["description"],
        ),
        ("proton_service_template.st", vec!["description"]),
        ("proton_environment.env", vec!["spec"]),
    ] {
        let changed = changed_attributes(&plan, address);
        for name in &configured {
            assert!(
                changed.contains(&name.to_string()),
                "{tf}: {address} plans {name} back: {changed:?}"
            );
        }
        for name in ["name", "template_name", "arn", "created_at"] {
            assert!(
                !changed.contains(&name.to_string()),
                "{tf}: {address} must not change {name}: {changed:?}"
            );
        }
    }

    ws.apply();
    ws.assert_plan_empty();
    let et = AwsCli::retrying(endpoint).json(&["get-environment-template", "--name", "drift-et"]);
    assert_eq!(
        et.pointer("/environmentTemplate/description"),
        Some(&Value::from("as configured"))
    );
    let tags =
        AwsCli::retrying(endpoint).json(&["list-tags-for-resource", "--resource-arn", &et_arn]);
    let mut keys: Vec<&str> = tags["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["key"].as_str()).collect())
        .unwrap_or_default();
    keys.retain(|k| !k.starts_with("aws:"));
    keys.sort();
    assert_eq!(keys, ["keep", "lose"], "{tf}: tags as configured");
}

proton_test_support::terraform_tests!(out_of_band_changes_show_up_exactly);
