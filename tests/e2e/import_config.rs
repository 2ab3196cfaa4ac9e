//! Arguments Proton never returns (a template version's `source`, a component's `manifest`) are
//! required to create, not to import: an import into a configuration without them plans clean, the
//! configuration `-generate-config-out` writes plans a pure import (Terraform 1.5+), a create without
//! them is refused at plan, and adding one to an imported object later only records it.

use std::time::Duration;

use proton_test_support::deploy::{
    ROLE, assert_generated_config_imports, environment_template, provider, remote,
};
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string, poll_until};
use serde_json::json;

const VERSION: &str = "proton_environment_template_version.v";
const COMPONENT: &str = "proton_component.c";
const COMPONENT_ROLE: &str = "arn:aws:iam::000000000000:role/proton-component";
const SOURCE: &str = "  source = {\n    s3 = {\n      bucket = \"proton-bundles\"\n      key    = \"vpc-environment.tar.gz\"\n    }\n  }\n";
const MANIFEST: &str = "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n";

fn version(extra: &str) -> String {
    format!(
        "resource \"proton_environment_template_version\" \"v\" {{\n  template_name = \"gen-tpl\"\n  \
         major_version = \"1\"\n  status        = \"PUBLISHED\"\n{extra}}}\n"
    )
}

fn component(extra: &str) -> String {
    format!(
        "resource \"proton_component\" \"c\" {{\n  name             = \"comp\"\n  \
         environment_name = \"env-a\"\n  template_file    = {}\n{extra}}}\n",
        hcl_string("Resources: {}\n")
    )
}

/// Version and component writes proton-local answered (creates, updates, deletes, deployments).
fn writes(proton: &ProtonLocal) -> Vec<String> {
    proton
        .requests()
        .into_iter()
        .filter(|line| {
            ["Create", "Update", "Delete"]
                .iter()
                .any(|verb| line.contains(&format!("op=\"{verb}")))
        })
        .collect()
}

/// An environment (with a component role) for the component to live in.
fn environment(proton: &ProtonLocal) {
    proton.aws(&[
        "create-environment",
        "--name",
        "env-a",
        "--template-name",
        "gen-tpl",
        "--template-major-version",
        "1",
        "--spec",
        "proton: EnvironmentSpec\nspec:\n  size: small\n",
        "--proton-service-role-arn",
        ROLE,
        "--component-role-arn",
        COMPONENT_ROLE,
    ]);
    poll_until("environment deployment", Duration::from_secs(120), || {
        let e = remote(
            proton,
            &["get-environment", "--name", "env-a"],
            "environment",
        )?;
        (e["deploymentStatus"] == json!("SUCCEEDED")).then_some(())
    });
}

fn imports_need_no_source_or_manifest(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    environment_template(&proton, "gen-tpl");
    environment(&proton);
    let ws = Workspace::new(tf, &proton);
    let main = |body: &str| format!("{}{body}", provider(""));

    // A create without them is refused at plan, naming the argument.
    ws.write_main(&main(&format!("{}{}", version(""), component(""))));
    let text = ws.plan_err();
    for argument in ["source", "manifest"] {
        assert!(
            text.contains("Missing required argument")
                && text.contains(&format!("needs `{argument}` to be created")),
            "{tf}: {argument}:\n{text}"
        );
    }

    // Imported into configurations without them: nothing to plan.
    ws.write_main(&main(&version("")));
    ws.import_cli(VERSION, "gen-tpl:1:0");
    ws.assert_plan_empty();
    ws.write_main(&format!(
        "{}{}",
        main(&version("")),
        component(&format!("  manifest = {}\n", hcl_string(MANIFEST)))
    ));
    ws.apply();
    ws.state_rm(COMPONENT);
    ws.write_main(&format!("{}{}", main(&version("")), component("")));
    ws.import_cli(COMPONENT, "comp");
    ws.assert_plan_empty();

    // Adding them later records them in state, with no call that changes anything in Proton.
    let before = writes(&proton);
    ws.write_main(&format!(
        "{}{}",
        main(&version(SOURCE)),
        component(&format!("  manifest = {}\n", hcl_string(MANIFEST)))
    ));
    let plan = ws.assert_plan_changes();
    assert!(
        plan.contains("0 to add, 2 to change, 0 to destroy"),
        "{tf}: recorded in place:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        writes(&proton),
        before,
        "{tf}: nothing may change in Proton"
    );
    let attrs = ws.resource_attrs(VERSION);
    assert_eq!(
        attrs["source"]["s3"]["key"],
        json!("vpc-environment.tar.gz"),
        "{tf}"
    );

    // `-generate-config-out` writes configurations that plan pure imports.
    if tf.supports_import_blocks() {
        let rest = main(&component(&format!(
            "  manifest = {}\n",
            hcl_string(MANIFEST)
        )));
        assert_generated_config_imports(tf, &ws, &rest, VERSION, "gen-tpl:1:0");
        // The version stays in state as the generated configuration left it (no source).
        let rest = main(&version(""));
        assert_generated_config_imports(tf, &ws, &rest, COMPONENT, "comp");
    }
}

proton_test_support::terraform_tests!(imports_need_no_source_or_manifest);
