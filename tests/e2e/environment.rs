//! `proton_environment` end to end with real Terraform and proton-local: create and wait for the
//! deployment, spec compared by meaning, metadata-only updates that do not deploy, spec / minor /
//! major updates that do (visible in the plan), failed deployments (tainted on create, recorded and
//! retried on update), timeouts with and without cancel_on_timeout, tags, import, disappears.

use std::time::Duration;

use proton_test_support::deploy::{
    ROLE, environment_template, environment_template_from, import_all_ways, is_tainted, plan_line,
    provider, remote, remote_tags, str_attr, summary_has,
};
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string, poll_until};
use serde_json::{Map, Value, json};

const ADDR: &str = "proton_environment.test";
const TEMPLATE: &str = "env-tpl";

const SPEC_A: &str = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.0.0.0/16\n  subnets: 2\n";
const SPEC_A_REFORMATTED: &str = "# the same document, written differently\nspec: {subnets: 2, vpc_cidr: 10.0.0.0/16}\nproton: EnvironmentSpec\n";
const SPEC_B: &str = "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n  subnets: 3\n";
const FAILURE: &str = "stack rolled back: subnet overlaps";

fn failing_spec() -> String {
    format!(
        "proton: EnvironmentSpec\nspec:\n  vpc_cidr: 10.1.0.0/16\n  proton_local_fail: \"{FAILURE}\"\n"
    )
}

/// The resource body: name, versions, spec and any extra lines.
fn body(name: &str, major: &str, minor: Option<&str>, spec: &str, extra: &str) -> String {
    let minor = minor
        .map(|m| format!("  template_minor_version = \"{m}\"\n"))
        .unwrap_or_default();
    format!(
        "  name                    = \"{name}\"\n  template_name           = \"{TEMPLATE}\"\n  \
         template_major_version  = \"{major}\"\n{minor}  spec                    = {}\n  \
         proton_service_role_arn = \"{ROLE}\"\n{extra}",
        hcl_string(spec)
    )
}

fn config(provider_extra: &str, body: &str) -> String {
    format!(
        "{}resource \"proton_environment\" \"test\" {{\n{body}}}\n",
        provider(provider_extra)
    )
}

fn remote_env(proton: &ProtonLocal, name: &str) -> Option<Map<String, Value>> {
    remote(proton, &["get-environment", "--name", name], "environment")
}

fn remote_names(proton: &ProtonLocal) -> Vec<String> {
    proton.aws(&["list-environments"])["environments"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["name"].as_str().map(str::to_string))
        .collect()
}

/// State and proton-local agree.
fn assert_matches_remote(tf: &Terraform, proton: &ProtonLocal, attrs: &Map<String, Value>) {
    let name = str_attr(attrs, "name");
    let env =
        remote_env(proton, name).unwrap_or_else(|| panic!("{tf}: {name} is not in proton-local"));
    for (state, api) in [
        ("arn", "arn"),
        ("template_name", "templateName"),
        ("template_major_version", "templateMajorVersion"),
        ("template_minor_version", "templateMinorVersion"),
        ("deployment_status", "deploymentStatus"),
        ("last_attempted_deployment_id", "lastAttemptedDeploymentId"),
        ("last_succeeded_deployment_id", "lastSucceededDeploymentId"),
        ("proton_service_role_arn", "protonServiceRoleArn"),
    ] {
        assert_eq!(
            attrs.get(state).unwrap_or(&Value::Null),
            env.get(api).unwrap_or(&Value::Null),
            "{tf}: {state} vs {api}"
        );
    }
}

fn lifecycle(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    environment_template(&proton, TEMPLATE);
    let ws = Workspace::new(tf, &proton);
    eprintln!("== {tf}: proton-local at {}", proton.endpoint());

    // Create: the apply waits for the deployment.
    let describe = "  description = \"first\"\n";
    ws.write_main(&config(
        "",
        &body("e2e-env", "1", Some("0"), SPEC_A, describe),
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        summary_has(&plan, "1 to add, 0 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let created = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&created, "deployment_status"), "SUCCEEDED", "{tf}");
    assert_eq!(
        str_attr(&created, "arn"),
        "arn:aws:proton:us-east-1:000000000000:environment/e2e-env"
    );
    assert_eq!(created["spec"], json!(SPEC_A), "{tf}: the spec as written");
    assert_eq!(created["cancel_on_timeout"], json!(false));
    assert_eq!(
        created["last_attempted_deployment_id"], created["last_succeeded_deployment_id"],
        "{tf}"
    );
    assert_matches_remote(tf, &proton, &created);
    let first_deployment = str_attr(&created, "last_attempted_deployment_id").to_string();

    // The same spec written differently is not a change.
    ws.write_main(&config(
        "",
        &body("e2e-env", "1", Some("0"), SPEC_A_REFORMATTED, describe),
    ));
    ws.assert_plan_empty();

    // Proton doesn't switch an environment from its role to a connection: refused at plan.
    let switched = body("e2e-env", "1", Some("0"), SPEC_A, describe).replace(
        &format!("  proton_service_role_arn = \"{ROLE}\"\n"),
        "  environment_account_connection_id = \"0123abcd-0123-4567-89ab-0123456789ab\"\n",
    );
    ws.write_main(&config("", &switched));
    let text = ws.plan_err();
    assert!(
        text.contains("Provisioning can't switch")
            && text.contains("environment_account_connection_id"),
        "{tf}:\n{text}"
    );

    // Metadata only: updated in place without a deployment, and the plan says so.
    let describe = "  description = \"second\"\n";
    ws.write_main(&config(
        "",
        &body("e2e-env", "1", Some("0"), SPEC_A, describe),
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(plan.contains("will be updated in-place"), "{tf}:\n{plan}");
    assert!(
        plan_line(&plan, "last_attempted_deployment_id").is_none(),
        "{tf}: a description change must not plan a deployment:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let described = ws.resource_attrs(ADDR);
    assert_eq!(
        str_attr(&described, "last_attempted_deployment_id"),
        first_deployment
    );
    assert_eq!(
        remote_env(&proton, "e2e-env").and_then(|e| e.get("description").cloned()),
        Some(json!("second"))
    );

    // A spec change deploys (CURRENT_VERSION), visible in the plan.
    ws.write_main(&config(
        "",
        &body("e2e-env", "1", Some("0"), SPEC_B, describe),
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    let line = plan_line(&plan, "last_attempted_deployment_id")
        .unwrap_or_else(|| panic!("{tf}: a spec change must plan a deployment:\n{plan}"));
    assert!(line.contains("known after apply"), "{tf}: {line}");
    ws.apply();
    ws.assert_plan_empty();
    let respecced = ws.resource_attrs(ADDR);
    assert_ne!(
        str_attr(&respecced, "last_attempted_deployment_id"),
        first_deployment
    );
    assert_eq!(
        remote_env(&proton, "e2e-env").and_then(|e| e.get("spec").cloned()),
        Some(json!(SPEC_B))
    );
    assert_matches_remote(tf, &proton, &respecced);

    // A new minor version (MINOR_VERSION).
    ws.write_main(&config(
        "",
        &body("e2e-env", "1", Some("1"), SPEC_B, describe),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let minor = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&minor, "template_minor_version"), "1");
    assert_ne!(
        minor["last_attempted_deployment_id"],
        respecced["last_attempted_deployment_id"]
    );
    assert_matches_remote(tf, &proton, &minor);

    // A new major version without a minor: Proton picks the recommended minor.
    ws.write_main(&config("", &body("e2e-env", "2", None, SPEC_B, describe)));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    let line = plan_line(&plan, "template_minor_version")
        .unwrap_or_else(|| panic!("{tf}: the minor version must be unknown:\n{plan}"));
    assert!(line.contains("known after apply"), "{tf}: {line}");
    ws.apply();
    ws.assert_plan_empty();
    let major = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&major, "template_major_version"), "2");
    assert_eq!(str_attr(&major, "template_minor_version"), "0");
    assert_matches_remote(tf, &proton, &major);

    // A failed update: the apply fails with Proton's message, state records the outcome, and the next
    // plan deploys again even though nothing changed.
    let failing = failing_spec();
    ws.write_main(&config("", &body("e2e-env", "2", None, &failing, describe)));
    let text = ws.apply_err();
    assert!(
        text.contains(FAILURE),
        "{tf}: the error must carry Proton's message:\n{text}"
    );
    assert!(
        !is_tainted(&ws, ADDR),
        "{tf}: a failed update does not taint"
    );
    let failed = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&failed, "deployment_status"), "FAILED", "{tf}");
    assert!(
        str_attr(&failed, "deployment_status_message").contains(FAILURE),
        "{tf}: {failed:?}"
    );
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(
        code, 2,
        "{tf}: a failed deployment must plan a retry:\n{plan}"
    );
    assert!(
        plan_line(&plan, "deployment_status").is_some(),
        "{tf}:\n{plan}"
    );
    ws.write_main(&config("", &body("e2e-env", "2", None, SPEC_B, describe)));
    ws.apply();
    ws.assert_plan_empty();
    let recovered = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&recovered, "deployment_status"), "SUCCEEDED");
    assert_eq!(recovered["deployment_status_message"], Value::Null);
    assert_matches_remote(tf, &proton, &recovered);

    // Tags merged with default_tags.
    let default_tags = "  default_tags {\n    tags = {\n      owner = \"team-a\"\n    }\n  }\n";
    let tagged_body = body(
        "e2e-env",
        "2",
        None,
        SPEC_B,
        "  description = \"second\"\n  tags = {\n    app = \"proton\"\n  }\n",
    );
    ws.write_main(&config(default_tags, &tagged_body));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan_line(&plan, "last_attempted_deployment_id").is_none(),
        "{tf}: tags do not deploy:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let tagged = ws.resource_attrs(ADDR);
    let all = json!({"owner": "team-a", "app": "proton"});
    assert_eq!(tagged["tags"], json!({"app": "proton"}));
    assert_eq!(tagged["tags_all"], all);
    assert_eq!(remote_tags(&proton, str_attr(&tagged, "arn")), all);

    // Import: CLI, block and identity, attribute by attribute.
    import_all_ways(
        tf,
        &ws,
        ADDR,
        "e2e-env",
        "{\n    name = \"e2e-env\"\n  }",
        &[],
    );

    // Disappears: deleted behind Terraform's back, the plan creates it again.
    proton.aws(&["delete-environment", "--name", "e2e-env"]);
    poll_until("out-of-band delete", Duration::from_secs(120), || {
        remote_env(&proton, "e2e-env").is_none().then_some(())
    });
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        summary_has(&plan, "1 to add, 0 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();

    // Replacement: a new name deploys a new environment and deletes the old one (waiting for it).
    ws.write_main(&config(
        default_tags,
        &tagged_body.replace("\"e2e-env\"", "\"e2e-env-2\""),
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(plan.contains("must be replaced"), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(remote_names(&proton), vec!["e2e-env-2".to_string()], "{tf}");

    // Destroy waits until the environment is gone.
    ws.destroy();
    assert!(ws.state_addresses().is_empty());
    assert!(
        remote_names(&proton).is_empty(),
        "{tf}: {:?}",
        remote_names(&proton)
    );
}

/// Failed and interrupted deployments on create and update.
fn failures(tf: &Terraform) {
    // Deployments outlast the 1 s timeouts below by 2 s, so a loaded machine still cancels or
    // times out while they run.
    let proton = ProtonLocal::start(&["--deploy-seconds", "3"]);
    environment_template(&proton, TEMPLATE);
    let ws = Workspace::new(tf, &proton);

    // A failed create keeps the environment in state, tainted; fixing the spec replaces it.
    let failing = failing_spec();
    ws.write_main(&config("", &body("e2e-fail", "1", None, &failing, "")));
    let text = ws.apply_err();
    assert!(text.contains(FAILURE), "{tf}:\n{text}");
    assert!(
        is_tainted(&ws, ADDR),
        "{tf}: a failed create must be tainted"
    );
    assert_eq!(
        str_attr(&ws.resource_attrs(ADDR), "deployment_status"),
        "FAILED"
    );
    ws.write_main(&config("", &body("e2e-fail", "1", None, SPEC_A, "")));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan.contains("tainted, so must be replaced"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    assert!(!is_tainted(&ws, ADDR));
    ws.destroy();

    // Create times out and cancel_on_timeout cancels the deployment: tainted, CANCELLED in Proton.
    let cancel = "  cancel_on_timeout = true\n  timeouts {\n    create = \"1s\"\n  }\n";
    ws.write_main(&config("", &body("e2e-slow", "1", None, SPEC_A, cancel)));
    let text = ws.apply_err();
    assert!(text.contains("timed out"), "{tf}:\n{text}");
    assert!(
        text.contains("CANCELLED"),
        "{tf}: the error must say it was cancelled:\n{text}"
    );
    assert!(is_tainted(&ws, ADDR), "{tf}");
    assert_eq!(
        str_attr(&ws.resource_attrs(ADDR), "deployment_status"),
        "CANCELLED"
    );
    assert_eq!(
        remote_env(&proton, "e2e-slow").and_then(|e| e.get("deploymentStatus").cloned()),
        Some(json!("CANCELLED"))
    );
    ws.write_main(&config("", &body("e2e-slow", "1", None, SPEC_A, "")));
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        str_attr(&ws.resource_attrs(ADDR), "deployment_status"),
        "SUCCEEDED"
    );

    // An update that times out without cancelling leaves the deployment running; the next apply
    // waits for it and needs no new deployment.
    let short = "  timeouts {\n    update = \"1s\"\n  }\n";
    ws.write_main(&config("", &body("e2e-slow", "1", None, SPEC_B, short)));
    let text = ws.apply_err();
    assert!(text.contains("timed out"), "{tf}:\n{text}");
    assert!(!text.contains("CANCELLED"), "{tf}:\n{text}");
    assert_eq!(
        str_attr(&ws.resource_attrs(ADDR), "deployment_status"),
        "IN_PROGRESS"
    );
    let (code, plan) = ws.plan_with(&["-refresh=false"]);
    assert_eq!(
        code, 2,
        "{tf}: an unfinished deployment must plan work:\n{plan}"
    );
    ws.write_main(&config("", &body("e2e-slow", "1", None, SPEC_B, "")));
    ws.apply();
    ws.assert_plan_empty();
    let attrs = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&attrs, "deployment_status"), "SUCCEEDED");
    assert_eq!(
        remote_env(&proton, "e2e-slow").and_then(|e| e.get("spec").cloned()),
        Some(json!(SPEC_B))
    );

    ws.destroy();
    assert!(remote_names(&proton).is_empty());
}

fn bad_inputs(tf: &Terraform) {
    let proton = ProtonLocal::start(&[]);
    let ws = Workspace::new(tf, &proton);
    let both = "  environment_account_connection_id = \"0123abcd-0123-4567-89ab-0123456789ab\"\n";
    ws.write_main(&config("", &body("e2e-bad", "1", None, SPEC_A, both)));
    let text = ws.plan_err();
    assert!(text.contains("Conflicting attributes"), "{tf}:\n{text}");
    assert!(
        text.contains("environment_account_connection_id"),
        "{tf}:\n{text}"
    );
    ws.write_main(&config(
        "",
        &body("e2e-bad", "v1", None, "spec: [unclosed", ""),
    ));
    let text = ws.plan_err();
    assert!(text.contains("template_major_version"), "{tf}:\n{text}");
    assert!(text.contains("not valid YAML"), "{tf}:\n{text}");
    assert!(remote_names(&proton).is_empty());
}

/// `plan -generate-config-out` writes a configuration that plans as a pure import.
fn generated_config(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    environment_template(&proton, TEMPLATE);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&config(
        "",
        &body(
            "e2e-gen",
            "1",
            None,
            SPEC_A,
            "  description = \"made elsewhere\"\n",
        ),
    ));
    ws.apply();
    ws.state_rm(ADDR);
    ws.write_main(&format!(
        "{}import {{\n  to = {ADDR}\n  id = \"e2e-gen\"\n}}\n",
        provider("")
    ));
    let output = ws.run(&[
        "plan",
        "-input=false",
        "-no-color",
        "-generate-config-out=generated.tf",
    ]);
    let generated = std::fs::read_to_string(ws.dir().join("generated.tf")).unwrap_or_default();
    assert!(
        !generated.is_empty(),
        "{tf}: no configuration generated: {}",
        proton_test_support::describe_output(&output)
    );
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{generated}\n{plan}");
    assert!(
        summary_has(&plan, "1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{tf}: the generated configuration must plan a pure import:\n{generated}\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
}

/// Self-managed provisioning: a standard template, the provisioning repository nested attribute
/// (which makes the environment self-managed), and a deployment that ends when the customer's
/// pipeline reports back. A repository with a role is refused at plan.
fn self_managed(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    // Self-managed provisioning is Terraform's: the Terraform bundle.
    environment_template_from(&proton, "env-self", &[], "vpc-environment-tf");
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "example-org/infrastructure",
        "--connection-arn",
        "arn:aws:codestar-connections:us-east-1:000000000000:connection/abc",
    ]);
    let ws = Workspace::new(tf, &proton);
    let repository = |branch: &str| {
        format!(
            "  provisioning_repository = {{\n    provider = \"GITHUB\"\n    \
             name     = \"example-org/infrastructure\"\n    branch   = \"{branch}\"\n  }}\n"
        )
    };
    let body = |branch: &str| {
        format!(
            "  name                   = \"e2e-self\"\n  template_name          = \"env-self\"\n  \
             template_major_version = \"1\"\n  spec                   = {}\n{}",
            hcl_string(SPEC_A),
            repository(branch)
        )
    };
    // The customer's pipeline: reports the deployment done once Proton asks for it.
    let report = || {
        let arn = "arn:aws:proton:us-east-1:000000000000:environment/e2e-self";
        poll_until("the deployment request", Duration::from_secs(300), || {
            let env = remote_env(&proton, "e2e-self")?;
            (env["deploymentStatus"] == json!("IN_PROGRESS")).then_some(())
        });
        proton.aws(&[
            "notify-resource-deployment-status-change",
            "--resource-arn",
            arn,
            "--status",
            "SUCCEEDED",
        ]);
    };
    ws.write_main(&config(
        "",
        &format!("{}  proton_service_role_arn = \"{ROLE}\"\n", body("main")),
    ));
    let err = ws.plan_err();
    assert!(
        err.contains("Conflicting provisioning methods") && err.contains("provisioning_repository"),
        "{tf}:\n{err}"
    );
    ws.write_main(&config("", &body("main")));
    std::thread::scope(|scope| {
        scope.spawn(report);
        ws.apply();
    });
    ws.assert_plan_empty();
    let attrs = ws.resource_attrs(ADDR);
    assert!(attrs["provisioning"].is_null(), "{tf}: a standard template");
    assert_eq!(str_attr(&attrs, "deployment_status"), "SUCCEEDED");
    assert_eq!(
        attrs["provisioning_repository"],
        json!({"provider": "GITHUB", "name": "example-org/infrastructure", "branch": "main"})
    );
    let remote_repo = remote_env(&proton, "e2e-self")
        .and_then(|e| e.get("provisioningRepository").cloned())
        .unwrap_or(Value::Null);
    assert_eq!(remote_repo["branch"], json!("main"), "{tf}");

    // A new branch redeploys, through the pipeline again.
    ws.write_main(&config("", &body("release")));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan_line(&plan, "last_attempted_deployment_id").is_some(),
        "{tf}:\n{plan}"
    );
    std::thread::scope(|scope| {
        scope.spawn(report);
        ws.apply();
    });
    ws.assert_plan_empty();
    let remote_repo = remote_env(&proton, "e2e-self")
        .and_then(|e| e.get("provisioningRepository").cloned())
        .unwrap_or(Value::Null);
    assert_eq!(remote_repo["branch"], json!("release"), "{tf}");

    import_all_ways(
        tf,
        &ws,
        ADDR,
        "e2e-self",
        "{\n    name = \"e2e-self\"\n  }",
        &[],
    );
    ws.destroy();
    assert!(remote_names(&proton).is_empty());
}

/// A create whose result was lost (state not saved) runs again: Proton's idempotent CreateEnvironment
/// returns the environment the first run made, and the apply adopts it instead of failing.
fn rerun_create_adopts(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    environment_template(&proton, TEMPLATE);
    proton.aws(&[
        "create-environment",
        "--name",
        "e2e-again",
        "--template-name",
        TEMPLATE,
        "--template-major-version",
        "1",
        "--spec",
        SPEC_A,
        "--proton-service-role-arn",
        ROLE,
    ]);
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&config("", &body("e2e-again", "1", None, SPEC_A, "")));
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(remote_names(&proton), vec!["e2e-again".to_string()]);
    assert_eq!(
        str_attr(&ws.resource_attrs(ADDR), "deployment_status"),
        "SUCCEEDED"
    );
}

proton_test_support::terraform_tests!(lifecycle, failures, self_managed);
proton_test_support::terraform_tests!(current: bad_inputs, rerun_create_adopts, generated_config);
