//! `proton_component` end to end with real Terraform and proton-local: a component on an environment,
//! metadata and template updates (deploying only when needed, visible in the plan), attaching to and
//! detaching from a service instance, manifest replacement, tags, import (the manifest Proton never
//! returns is taken from configuration without a replacement), failures, timeouts, disappears.

use std::time::Duration;

use proton_test_support::deploy::{
    ROLE, assert_import_matches, environment_template, is_tainted, plan_line, provider, remote,
    remote_tags, service_template, str_attr, summary_has,
};
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string, poll_until};
use serde_json::{Map, Value, json};

const ADDR: &str = "proton_component.test";
const COMPONENT_ROLE: &str = "arn:aws:iam::000000000000:role/proton-components";
const TEMPLATE_A: &str = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";
const TEMPLATE_B: &str =
    "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Queue:\n    Type: AWS::SQS::Queue\n";
const MANIFEST_A: &str = "infrastructure:\n  templates:\n    - file: cloudformation.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n";
const MANIFEST_B: &str = "infrastructure:\n  templates:\n    - file: queue.yaml\n      rendering_engine: jinja\n      template_language: cloudformation\n";
const FAILURE: &str = "bucket name already taken";

/// env-a (with a component role), and service "svc" with instance "one" in env-a from a template
/// whose versions support directly defined components.
fn platform(proton: &ProtonLocal) {
    environment_template(proton, "env-tpl");
    proton.aws(&[
        "create-environment",
        "--name",
        "env-a",
        "--template-name",
        "env-tpl",
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
    // CUSTOMER_MANAGED pipeline provisioning: a service without a Proton pipeline.
    service_template(
        proton,
        "svc-tpl",
        "env-tpl",
        &["--pipeline-provisioning", "CUSTOMER_MANAGED"],
        &["--supported-component-sources", "DIRECTLY_DEFINED"],
    );
    proton.aws(&[
        "create-service",
        "--name",
        "svc",
        "--template-name",
        "svc-tpl",
        "--template-major-version",
        "1",
        "--spec",
        "proton: ServiceSpec\ninstances:\n  - name: one\n    environment: env-a\n    spec:\n      port: 80\n",
    ]);
    poll_until("service creation", Duration::from_secs(120), || {
        let s = remote(proton, &["get-service", "--name", "svc"], "service")?;
        (s["status"] == json!("ACTIVE")).then_some(())
    });
}

fn body(template: &str, manifest: &str, extra: &str) -> String {
    format!(
        "  name          = \"comp\"\n  template_file = {}\n  manifest      = {}\n{extra}",
        hcl_string(template),
        hcl_string(manifest)
    )
}

fn config(provider_extra: &str, body: &str) -> String {
    format!(
        "{}resource \"proton_component\" \"test\" {{\n{body}}}\n",
        provider(provider_extra)
    )
}

fn on_env(extra: &str) -> String {
    format!("  environment_name = \"env-a\"\n{extra}")
}

fn attached(extra: &str) -> String {
    format!(
        "  service_name          = \"svc\"\n  service_instance_name = \"one\"\n  service_spec          = {}\n{extra}",
        hcl_string(
            "proton: ServiceSpec\ninstances:\n  - name: one\n    environment: env-a\n    spec:\n      bucket_prefix: logs\n"
        )
    )
}

fn remote_component(proton: &ProtonLocal) -> Option<Map<String, Value>> {
    remote(proton, &["get-component", "--name", "comp"], "component")
}

fn assert_matches_remote(tf: &Terraform, proton: &ProtonLocal, attrs: &Map<String, Value>) {
    let c = remote_component(proton).unwrap_or_else(|| panic!("{tf}: no component"));
    for (state, api) in [
        ("arn", "arn"),
        ("environment_name", "environmentName"),
        ("service_name", "serviceName"),
        ("service_instance_name", "serviceInstanceName"),
        ("deployment_status", "deploymentStatus"),
        ("last_attempted_deployment_id", "lastAttemptedDeploymentId"),
    ] {
        let remote = match c.get(api) {
            Some(Value::String(s)) if s.is_empty() => Value::Null,
            Some(v) => v.clone(),
            None => Value::Null,
        };
        assert_eq!(
            attrs.get(state).unwrap_or(&Value::Null),
            &remote,
            "{tf}: {state} vs {api}"
        );
    }
}

/// The template file the component's last deployment used, from the deployment history.
fn deployed_template(proton: &ProtonLocal, attrs: &Map<String, Value>) -> Value {
    let id = str_attr(attrs, "last_succeeded_deployment_id");
    proton.aws(&["get-deployment", "--id", id])["deployment"]["targetState"]["component"]
        ["templateFile"]
        .clone()
}

fn lifecycle(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    platform(&proton);
    let ws = Workspace::new(tf, &proton);

    // A component on an environment.
    let described = "  description = \"logs bucket\"\n";
    ws.write_main(&config(
        "",
        &body(TEMPLATE_A, MANIFEST_A, &on_env(described)),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let created = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&created, "deployment_status"), "SUCCEEDED", "{tf}");
    assert_eq!(
        str_attr(&created, "arn"),
        "arn:aws:proton:us-east-1:000000000000:component/comp"
    );
    assert_eq!(created["template_file"], json!(TEMPLATE_A));
    assert_matches_remote(tf, &proton, &created);
    assert_eq!(deployed_template(&proton, &created), json!(TEMPLATE_A));

    // Description only: no deployment.
    let described = "  description = \"the logs bucket\"\n";
    ws.write_main(&config(
        "",
        &body(TEMPLATE_A, MANIFEST_A, &on_env(described)),
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan_line(&plan, "last_attempted_deployment_id").is_none(),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(
        ws.resource_attrs(ADDR)["last_attempted_deployment_id"],
        created["last_attempted_deployment_id"]
    );

    // A new template file deploys.
    ws.write_main(&config(
        "",
        &body(TEMPLATE_B, MANIFEST_A, &on_env(described)),
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    let line = plan_line(&plan, "last_attempted_deployment_id")
        .unwrap_or_else(|| panic!("{tf}: must deploy:\n{plan}"));
    assert!(line.contains("known after apply"), "{tf}: {line}");
    ws.apply();
    ws.assert_plan_empty();
    let updated = ws.resource_attrs(ADDR);
    assert_eq!(deployed_template(&proton, &updated), json!(TEMPLATE_B));

    // Attached to service instance svc/one, then detached again.
    ws.write_main(&config(
        "",
        &body(TEMPLATE_B, MANIFEST_A, &attached(described)),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let on_instance = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&on_instance, "service_instance_name"), "one");
    assert_eq!(str_attr(&on_instance, "environment_name"), "env-a");
    assert_matches_remote(tf, &proton, &on_instance);
    ws.write_main(&config(
        "",
        &body(TEMPLATE_B, MANIFEST_A, &on_env(described)),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let detached = ws.resource_attrs(ADDR);
    assert_eq!(detached["service_name"], Value::Null);
    assert_matches_remote(tf, &proton, &detached);

    // Tags with default_tags.
    let default_tags = "  default_tags {\n    tags = {\n      owner = \"team-a\"\n    }\n  }\n";
    let tagged = on_env(&format!(
        "{described}  tags = {{\n    purpose = \"logs\"\n  }}\n"
    ));
    ws.write_main(&config(
        default_tags,
        &body(TEMPLATE_B, MANIFEST_A, &tagged),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let attrs = ws.resource_attrs(ADDR);
    let all = json!({"owner": "team-a", "purpose": "logs"});
    assert_eq!(attrs["tags_all"], all);
    assert_eq!(remote_tags(&proton, str_attr(&attrs, "arn")), all);

    // Import: the template file comes from the deployment history; the manifest, which Proton never
    // returns, is recorded from the configuration by an in-place update that calls nothing.
    let applied = ws.resource_attrs(ADDR);
    ws.state_rm(ADDR);
    ws.import_cli(ADDR, "comp");
    let imported = ws.resource_attrs(ADDR);
    assert_import_matches(tf, &applied, &imported, &["manifest"], "terraform import");
    assert_eq!(imported["manifest"], Value::Null);
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        summary_has(&plan, "0 to add, 1 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    assert!(
        plan_line(&plan, "last_attempted_deployment_id").is_none(),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    assert_import_matches(
        tf,
        &applied,
        &ws.resource_attrs(ADDR),
        &[],
        "import + apply",
    );
    if tf.supports_identity() {
        ws.state_rm(ADDR);
        ws.write(
            "import.tf",
            &format!("import {{\n  to = {ADDR}\n  identity = {{\n    name = \"comp\"\n  }}\n}}\n"),
        );
        let (code, plan) = ws.plan_with(&[]);
        assert_eq!(code, 2, "{tf}:\n{plan}");
        assert!(
            summary_has(&plan, "1 to import, 0 to add, 1 to change, 0 to destroy"),
            "{tf}:\n{plan}"
        );
        ws.apply();
        ws.remove("import.tf");
        ws.assert_plan_empty();
        assert_import_matches(
            tf,
            &applied,
            &ws.resource_attrs(ADDR),
            &[],
            "identity import",
        );
    }

    // A new manifest replaces the component.
    ws.write_main(&config(
        default_tags,
        &body(TEMPLATE_B, MANIFEST_B, &tagged),
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(plan.contains("must be replaced"), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();
    assert_ne!(ws.resource_attrs(ADDR)["created_at"], applied["created_at"]);

    // Disappears.
    proton.aws(&["delete-component", "--name", "comp"]);
    poll_until("out-of-band delete", Duration::from_secs(120), || {
        remote_component(&proton).is_none().then_some(())
    });
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        summary_has(&plan, "1 to add, 0 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();

    ws.destroy();
    assert!(
        remote_component(&proton).is_none(),
        "{tf}: the component must be gone"
    );
}

fn failures(tf: &Terraform) {
    // Deployments outlast the 1 s timeouts below by 2 s, so a loaded machine still cancels or
    // times out while they run.
    let proton = ProtonLocal::start(&["--deploy-seconds", "3"]);
    platform(&proton);
    let ws = Workspace::new(tf, &proton);
    let failing = format!("{TEMPLATE_A}proton_local_fail: \"{FAILURE}\"\n");

    // A failed create: tainted, then replaced by the fixed one.
    ws.write_main(&config("", &body(&failing, MANIFEST_A, &on_env(""))));
    let text = ws.apply_err();
    assert!(text.contains(FAILURE), "{tf}:\n{text}");
    assert!(is_tainted(&ws, ADDR), "{tf}");
    ws.write_main(&config("", &body(TEMPLATE_A, MANIFEST_A, &on_env(""))));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan.contains("tainted, so must be replaced"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();

    // A failed update: recorded and retried.
    ws.write_main(&config("", &body(&failing, MANIFEST_A, &on_env(""))));
    let text = ws.apply_err();
    assert!(text.contains(FAILURE), "{tf}:\n{text}");
    assert_eq!(
        str_attr(&ws.resource_attrs(ADDR), "deployment_status"),
        "FAILED"
    );
    assert_eq!(ws.plan_exit_code(), 2);
    ws.write_main(&config("", &body(TEMPLATE_B, MANIFEST_A, &on_env(""))));
    ws.apply();
    ws.assert_plan_empty();

    // An update that times out, cancelled.
    let cancel = on_env("  cancel_on_timeout = true\n  timeouts {\n    update = \"1s\"\n  }\n");
    ws.write_main(&config("", &body(TEMPLATE_A, MANIFEST_A, &cancel)));
    let text = ws.apply_err();
    assert!(
        text.contains("timed out") && text.contains("CANCELLED"),
        "{tf}:\n{text}"
    );
    assert_eq!(
        remote_component(&proton).and_then(|c| c.get("deploymentStatus").cloned()),
        Some(json!("CANCELLED"))
    );
    ws.write_main(&config("", &body(TEMPLATE_A, MANIFEST_A, &on_env(""))));
    ws.apply();
    ws.assert_plan_empty();

    ws.destroy();
    assert!(remote_component(&proton).is_none());
}

/// Deployments of the component, newest first.
fn component_deployments(proton: &ProtonLocal) -> usize {
    proton.aws(&["list-deployments", "--component-name", "comp"])["deployments"]
        .as_array()
        .map_or(0, Vec::len)
}

/// Proton moves an attached component only through a detach and deletes only a detached one: the
/// provider's move is a detach plus an attach, and its delete detaches first.
fn moves_and_destroys_attached(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    platform(&proton);
    let both = "proton: ServiceSpec\ninstances:\n  - name: one\n    environment: env-a\n    spec:\n      port: 80\n  - name: two\n    environment: env-a\n    spec:\n      port: 81\n";
    proton.aws(&["update-service", "--name", "svc", "--spec", both]);
    poll_until("instance two", Duration::from_secs(120), || {
        let i = remote(
            &proton,
            &[
                "get-service-instance",
                "--service-name",
                "svc",
                "--name",
                "two",
            ],
            "serviceInstance",
        )?;
        (i["deploymentStatus"] == json!("SUCCEEDED")).then_some(())
    });
    let ws = Workspace::new(tf, &proton);
    ws.write_main(&config("", &body(TEMPLATE_A, MANIFEST_A, &attached(""))));
    ws.apply();
    ws.assert_plan_empty();
    let before = component_deployments(&proton);

    let to_two = attached("").replace("\"one\"", "\"two\"");
    ws.write_main(&config("", &body(TEMPLATE_A, MANIFEST_A, &to_two)));
    ws.apply();
    ws.assert_plan_empty();
    let moved = ws.resource_attrs(ADDR);
    assert_eq!(str_attr(&moved, "service_instance_name"), "two", "{tf}");
    assert_matches_remote(tf, &proton, &moved);
    assert_eq!(
        component_deployments(&proton),
        before + 2,
        "{tf}: a detach, then an attach"
    );

    ws.destroy();
    assert!(
        remote_component(&proton).is_none(),
        "{tf}: an attached component is destroyed after a detach"
    );
}

proton_test_support::terraform_tests!(lifecycle, failures, moves_and_destroys_attached);
