//! Resource identities name the account and region (identity schema version 1): filled from the
//! object's ARN and the provider's region on apply, refresh and `terraform query`; an `import` block
//! naming another region or account is refused with the attribute named; an identity stored with
//! version 0 (before `account_id` and `region`) is upgraded on refresh. Terraform 1.0.3 has no
//! resource identities (1.12+), so this runs on the current Terraform only.

use proton_test_support::deploy::provider;
use proton_test_support::{ProtonLocal, Terraform, Workspace};
use serde_json::{Value, json};

const ADDR: &str = "proton_environment_template.t";
const TEMPLATE: &str = "resource \"proton_environment_template\" \"t\" {\n  name = \"idt\"\n}\n";
/// proton-local's default account (`--account test:test:000000000000`).
const ACCOUNT: &str = "000000000000";

fn state_file(ws: &Workspace) -> Value {
    let text = std::fs::read_to_string(ws.dir().join("terraform.tfstate")).expect("state file");
    serde_json::from_str(&text).expect("state JSON")
}

/// The identity schema version and identity Terraform stored for ADDR.
fn stored_identity(ws: &Workspace) -> (Value, Value) {
    let state = state_file(ws);
    let instance = state["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["type"] == "proton_environment_template")
        .map(|r| r["instances"][0].clone())
        .unwrap_or_else(|| panic!("no template in state: {state}"));
    (
        instance["identity_schema_version"].clone(),
        instance["identity"].clone(),
    )
}

/// Terraform's output with its line wrapping undone.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn import_block(identity: &str) -> String {
    format!("import {{\n  to = {ADDR}\n  identity = {{\n{identity}  }}\n}}\n")
}

fn identity_carries_account_and_region(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&format!("{}{TEMPLATE}", provider("")));
    ws.apply();
    let full = json!({"account_id": ACCOUNT, "name": "idt", "region": "us-east-1"});
    assert_eq!(
        stored_identity(&ws),
        (json!(1), full.clone()),
        "{tf}: apply"
    );

    // A state written before identity schema version 1: Terraform upgrades it through the
    // provider, and the refresh fills the account and region.
    let mut state = state_file(&ws);
    state["serial"] = json!(state["serial"].as_i64().unwrap_or(0) + 1);
    for resource in state["resources"].as_array_mut().expect("resources") {
        resource["instances"][0]["identity_schema_version"] = json!(0);
        resource["instances"][0]["identity"] = json!({"name": "idt"});
    }
    std::fs::write(
        ws.dir().join("terraform.tfstate"),
        serde_json::to_string_pretty(&state).expect("state JSON"),
    )
    .expect("write state");
    ws.assert_plan_empty();
    ws.apply_with(&["-refresh-only"]);
    assert_eq!(stored_identity(&ws), (json!(1), full), "{tf}: upgraded");

    // `terraform query` lists the template with the account and region in its identity.
    ws.write(
        "all.tfquery.hcl",
        "list \"proton_environment_template\" \"all\" {\n  provider         = proton\n  include_resource = true\n}\n",
    );
    ws.run_ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(ws.dir().join("generated.tf")).expect("generated.tf");
    for line in [
        format!("account_id = \"{ACCOUNT}\""),
        "region     = \"us-east-1\"".to_string(),
    ] {
        assert!(generated.contains(&line), "{tf}: {line} in:\n{generated}");
    }
    ws.remove("all.tfquery.hcl");
    ws.remove("generated.tf");

    // Import by identity: another region is refused at the import, another account at the read
    // that follows (a fresh provider process has not seen an ARN of its account yet).
    ws.state_rm(ADDR);
    for (name, value, what) in [
        ("region", "us-west-2", "region"),
        ("account_id", "111122223333", "account"),
    ] {
        ws.write(
            "import.tf",
            &import_block(&format!("    name = \"idt\"\n    {name} = \"{value}\"\n")),
        );
        let refused = one_line(&ws.plan_err());
        assert!(
            refused.contains(&format!("Identity names another {what}"))
                && refused.contains(&format!("{name} = \"{value}\"")),
            "{tf}: another {what} must be refused by name:\n{refused}"
        );
    }
    ws.write(
        "import.tf",
        &import_block(&format!(
            "    name       = \"idt\"\n    account_id = \"{ACCOUNT}\"\n    region     = \"us-east-1\"\n"
        )),
    );
    ws.apply();
    assert_eq!(
        stored_identity(&ws).1["account_id"],
        json!(ACCOUNT),
        "{tf}: imported"
    );
    ws.remove("import.tf");
    ws.assert_plan_empty();
}

proton_test_support::terraform_tests!(current: identity_carries_account_and_region);
