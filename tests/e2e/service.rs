//! `proton_service`, `proton_service_instance` and `proton_service_pipeline` end to end with real
//! Terraform and proton-local: a service with a pipeline whose spec lists an instance, that instance
//! adopted by `proton_service_instance`, a second instance created by CreateServiceInstance, the
//! pipeline taken over by `proton_service_pipeline`; updates choosing their deployment type, no
//! perpetual diff either way instances are declared, failures, timeouts, import, disappears.

use std::time::Duration;

use proton_test_support::deploy::{
    assert_generated_config_imports, environment_template, import_all_ways, is_tainted, plan_line,
    provider, remote, remote_tags, service_template, str_attr, summary_has,
};
use proton_test_support::{ProtonLocal, Terraform, Workspace, hcl_string, poll_until};
use serde_json::{Map, Value, json};

const SERVICE: &str = "proton_service.svc";
const ONE: &str = "proton_service_instance.one";
const TWO: &str = "proton_service_instance.two";
const PIPELINE: &str = "proton_service_pipeline.svc";
const FAILURE: &str = "container never became healthy";

/// Environments env-a and env-b (deployed through the AWS CLI) and a service template with a
/// pipeline, versions 1.0, 1.1 and 2.0.
fn platform(proton: &ProtonLocal) {
    environment_template(proton, "env-tpl");
    for env in ["env-a", "env-b"] {
        proton.aws(&[
            "create-environment",
            "--name",
            env,
            "--template-name",
            "env-tpl",
            "--template-major-version",
            "1",
            "--spec",
            "proton: EnvironmentSpec\nspec:\n  size: small\n",
            "--proton-service-role-arn",
            proton_test_support::deploy::ROLE,
        ]);
    }
    for env in ["env-a", "env-b"] {
        poll_until("environment deployment", Duration::from_secs(120), || {
            let e = remote(proton, &["get-environment", "--name", env], "environment")?;
            (e["deploymentStatus"] == json!("SUCCEEDED")).then_some(())
        });
    }
    // No --pipeline-provisioning: Proton provides the pipeline, which needs the account's
    // pipeline role.
    service_template(proton, "svc-tpl", "env-tpl", &[], &[]);
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        proton_test_support::deploy::ROLE,
    ]);
}

fn instance_entry(name: &str, env: &str, port: u32) -> String {
    format!("  - name: {name}\n    environment: {env}\n    spec:\n      port: {port}\n")
}

fn service_spec(instances: &[(&str, &str, u32)]) -> String {
    let mut spec = "proton: ServiceSpec\npipeline:\n  stage: build\ninstances:\n".to_string();
    for (name, env, port) in instances {
        spec.push_str(&instance_entry(name, env, *port));
    }
    spec
}

fn instance_spec(name: &str, env: &str, port: u32, extra: &str) -> String {
    format!(
        "proton: ServiceSpec\ninstances:\n{}{extra}",
        instance_entry(name, env, port)
    )
}

fn failing_instance_spec(name: &str, env: &str) -> String {
    instance_spec(
        name,
        env,
        80,
        &format!("      proton_local_fail: \"{FAILURE}\"\n"),
    )
}

fn service_block(spec: &str, extra: &str) -> String {
    format!(
        "resource \"proton_service\" \"svc\" {{\n  name                   = \"svc\"\n  \
         template_name          = \"svc-tpl\"\n  template_major_version = \"1\"\n  \
         template_minor_version = \"0\"\n  spec                   = {}\n  \
         repository_connection_arn = \"arn:aws:codestar-connections:us-east-1:000000000000:connection/abc\"\n  \
         repository_id          = \"org/app\"\n  branch_name            = \"main\"\n{extra}}}\n\n",
        hcl_string(spec)
    )
}

fn instance_block(label: &str, spec: &str, extra: &str) -> String {
    format!(
        "resource \"proton_service_instance\" \"{label}\" {{\n  service_name = proton_service.svc.name\n  \
         name         = \"{label}\"\n  spec         = {}\n{extra}}}\n\n",
        hcl_string(spec)
    )
}

fn pipeline_block(spec: &str, extra: &str) -> String {
    format!(
        "resource \"proton_service_pipeline\" \"svc\" {{\n  service_name = proton_service.svc.name\n  \
         spec         = {}\n{extra}}}\n\n",
        hcl_string(spec)
    )
}

fn remote_service(proton: &ProtonLocal) -> Option<Map<String, Value>> {
    remote(proton, &["get-service", "--name", "svc"], "service")
}

fn remote_instance(proton: &ProtonLocal, name: &str) -> Option<Map<String, Value>> {
    remote(
        proton,
        &[
            "get-service-instance",
            "--service-name",
            "svc",
            "--name",
            name,
        ],
        "serviceInstance",
    )
}

fn remote_instance_names(proton: &ProtonLocal) -> Vec<String> {
    let Ok(json) = proton
        .cli()
        .run(&["list-service-instances", "--service-name", "svc"])
    else {
        return vec![];
    };
    json["serviceInstances"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i["name"].as_str().map(str::to_string))
        .collect()
}

fn assert_instance_matches(tf: &Terraform, proton: &ProtonLocal, attrs: &Map<String, Value>) {
    let name = str_attr(attrs, "name");
    let remote =
        remote_instance(proton, name).unwrap_or_else(|| panic!("{tf}: no instance {name}"));
    for (state, api) in [
        ("arn", "arn"),
        ("environment_name", "environmentName"),
        ("template_major_version", "templateMajorVersion"),
        ("template_minor_version", "templateMinorVersion"),
        ("deployment_status", "deploymentStatus"),
        ("last_attempted_deployment_id", "lastAttemptedDeploymentId"),
        ("spec", "spec"),
    ] {
        assert_eq!(
            attrs.get(state).unwrap_or(&Value::Null),
            remote.get(api).unwrap_or(&Value::Null),
            "{tf}: instance {name}: {state} vs {api}"
        );
    }
}

fn lifecycle(tf: &Terraform) {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0.3"]);
    platform(&proton);
    let ws = Workspace::new(tf, &proton);
    eprintln!("== {tf}: proton-local at {}", proton.endpoint());

    // A service whose spec lists instance "one"; Proton also creates its pipeline.
    let spec_one = service_spec(&[("one", "env-a", 80)]);
    let head = provider("");
    ws.write_main(&format!("{head}{}", service_block(&spec_one, "")));
    ws.apply();
    ws.assert_plan_empty();
    let service = ws.resource_attrs(SERVICE);
    assert_eq!(str_attr(&service, "status"), "ACTIVE", "{tf}");
    assert_eq!(
        str_attr(&service, "arn"),
        "arn:aws:proton:us-east-1:000000000000:service/svc"
    );
    assert_eq!(remote_instance_names(&proton), vec!["one".to_string()]);
    let pipeline = remote_service(&proton)
        .and_then(|s| s.get("pipeline").cloned())
        .unwrap_or_else(|| panic!("{tf}: the service has no pipeline"));
    assert_eq!(pipeline["deploymentStatus"], json!("SUCCEEDED"));

    // Way 1: the service's instance adopted by proton_service_instance, with its own spec and a
    // newer minor version: deployed once, then nothing to do, for the instance and the service.
    let one_spec = instance_spec("one", "env-a", 8080, "");
    let one_block = |spec: &str, extra: &str| instance_block("one", spec, extra);
    let minor = "  template_minor_version = \"1\"\n";
    ws.write_main(&format!(
        "{head}{}{}",
        service_block(&spec_one, ""),
        one_block(&one_spec, minor)
    ));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        summary_has(&plan, "1 to add, 0 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    let one = ws.resource_attrs(ONE);
    assert_eq!(str_attr(&one, "template_minor_version"), "1");
    assert_eq!(str_attr(&one, "environment_name"), "env-a");
    assert_eq!(one["spec"], json!(one_spec));
    assert_instance_matches(tf, &proton, &one);
    assert_eq!(
        remote_service(&proton).and_then(|s| s.get("spec").cloned()),
        Some(json!(spec_one)),
        "{tf}: the service's spec stays as configured"
    );

    // Way 2: an instance the service's spec does not list, made by CreateServiceInstance.
    let two_spec = instance_spec("two", "env-b", 81, "");
    let two_block = |spec: &str, extra: &str| instance_block("two", spec, extra);
    // The service is tagged from here on: Proton starts instance "two" with the service's tags,
    // and the instance's own tags stay the ones configured.
    let config = |service_spec: &str, one: &str, two: &str, pipeline: &str| {
        format!(
            "{head}{}{}{}{}",
            service_block(service_spec, "  tags = {\n    team = \"platform\"\n  }\n"),
            one_block(one, minor),
            two_block(two, "  tags = {\n    tier = \"web\"\n  }\n"),
            pipeline
        )
    };
    ws.write_main(&config(&spec_one, &one_spec, &two_spec, ""));
    ws.apply();
    ws.assert_plan_empty();
    let two = ws.resource_attrs(TWO);
    assert_eq!(str_attr(&two, "environment_name"), "env-b");
    assert_eq!(
        str_attr(&two, "template_minor_version"),
        "0",
        "{tf}: the service's version"
    );
    assert_instance_matches(tf, &proton, &two);
    assert_eq!(two["tags_all"], json!({"tier": "web"}));
    assert_eq!(
        remote_tags(&proton, str_attr(&two, "arn")),
        json!({"tier": "web"})
    );
    let mut names = remote_instance_names(&proton);
    names.sort();
    assert_eq!(names, vec!["one".to_string(), "two".to_string()]);

    // An instance spec change deploys only that instance, visible in the plan.
    let one_spec_b = instance_spec("one", "env-a", 9090, "");
    ws.write_main(&config(&spec_one, &one_spec_b, &two_spec, ""));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        summary_has(&plan, "0 to add, 1 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );
    let line = plan_line(&plan, "last_attempted_deployment_id")
        .unwrap_or_else(|| panic!("{tf}: a spec change must plan a deployment:\n{plan}"));
    assert!(line.contains("known after apply"), "{tf}: {line}");
    ws.apply();
    ws.assert_plan_empty();
    let one_b = ws.resource_attrs(ONE);
    assert_ne!(
        one_b["last_attempted_deployment_id"],
        one["last_attempted_deployment_id"]
    );
    assert_instance_matches(tf, &proton, &one_b);

    // A new major version for instance "one" (MAJOR_VERSION; Proton picks the minor).
    let major = "  template_major_version = \"2\"\n";
    ws.write_main(&format!(
        "{head}{}{}{}",
        service_block(&spec_one, ""),
        one_block(&one_spec_b, major),
        two_block(&two_spec, "  tags = {\n    tier = \"web\"\n  }\n"),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let one_c = ws.resource_attrs(ONE);
    assert_eq!(str_attr(&one_c, "template_major_version"), "2");
    assert_eq!(str_attr(&one_c, "template_minor_version"), "0");
    assert_instance_matches(tf, &proton, &one_c);
    let config = |service_spec: &str, two: &str, pipeline: &str| {
        format!(
            "{head}{}{}{}{}",
            service_block(service_spec, ""),
            one_block(&one_spec_b, major),
            two_block(two, "  tags = {\n    tier = \"web\"\n  }\n"),
            pipeline
        )
    };

    // The pipeline taken over by proton_service_pipeline, then updated.
    let pipeline_spec = "proton: ServiceSpec\npipeline:\n  stage: test\n";
    ws.write_main(&config(
        &spec_one,
        &two_spec,
        &pipeline_block(pipeline_spec, ""),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let pipe = ws.resource_attrs(PIPELINE);
    assert_eq!(pipe["spec"], json!(pipeline_spec));
    assert_eq!(str_attr(&pipe, "deployment_status"), "SUCCEEDED");
    let pipeline = remote_service(&proton)
        .and_then(|s| s.get("pipeline").cloned())
        .unwrap_or(Value::Null);
    assert_eq!(pipeline["spec"], json!(pipeline_spec));
    assert_eq!(
        pipeline["lastAttemptedDeploymentId"],
        pipe["last_attempted_deployment_id"]
    );
    let pipeline_minor = "  template_minor_version = \"1\"\n";
    ws.write_main(&config(
        &spec_one,
        &two_spec,
        &pipeline_block(pipeline_spec, pipeline_minor),
    ));
    ws.apply();
    ws.assert_plan_empty();
    let pipe_b = ws.resource_attrs(PIPELINE);
    assert_eq!(str_attr(&pipe_b, "template_minor_version"), "1");
    assert_ne!(
        pipe_b["last_attempted_deployment_id"],
        pipe["last_attempted_deployment_id"]
    );
    let full = |service_spec: &str, extra: &str| {
        format!(
            "{head}{}{}{}{}",
            service_block(service_spec, extra),
            one_block(&one_spec_b, major),
            two_block(&two_spec, "  tags = {\n    tier = \"web\"\n  }\n"),
            pipeline_block(pipeline_spec, pipeline_minor)
        )
    };

    // Service metadata: no status change planned.
    ws.write_main(&full(&spec_one, "  description = \"the app\"\n"));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(plan_line(&plan, "status").is_none(), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();

    // A service spec that adds an instance (and keeps listing "two", so Proton keeps it).
    let spec_three = service_spec(&[
        ("one", "env-a", 80),
        ("two", "env-b", 81),
        ("three", "env-b", 82),
    ]);
    ws.write_main(&full(&spec_three, "  description = \"the app\"\n"));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(plan_line(&plan, "status").is_some(), "{tf}:\n{plan}");
    ws.apply();
    ws.assert_plan_empty();
    let mut names = remote_instance_names(&proton);
    names.sort();
    assert_eq!(names, ["one", "three", "two"].map(String::from).to_vec());
    assert_eq!(str_attr(&ws.resource_attrs(SERVICE), "status"), "ACTIVE");

    // Adding the instance re-provisioned the pipeline (a deployment of its own, as Proton does):
    // refresh, so the state compared with each import holds that deployment.
    ws.apply_with(&["-refresh-only"]);
    // Import each of the three.
    import_all_ways(tf, &ws, SERVICE, "svc", "{\n    name = \"svc\"\n  }", &[]);
    import_all_ways(
        tf,
        &ws,
        ONE,
        "svc:one",
        "{\n    service_name = \"svc\"\n    name = \"one\"\n  }",
        &[],
    );
    import_all_ways(
        tf,
        &ws,
        PIPELINE,
        "svc",
        "{\n    service_name = \"svc\"\n  }",
        &[],
    );

    // Configuration generated from an import (Terraform 1.5+) plans as a pure import.
    if tf.supports_import_blocks() {
        let final_config = full(&spec_three, "  description = \"the app\"\n");
        let without = |block: &str| final_config.replace(block, "");
        let one_block_text = one_block(&one_spec_b, major);
        assert_generated_config_imports(tf, &ws, &without(&one_block_text), ONE, "svc:one");
        ws.write_main(&final_config);
        ws.assert_plan_empty();
        let pipeline_text = pipeline_block(pipeline_spec, pipeline_minor);
        assert_generated_config_imports(tf, &ws, &without(&pipeline_text), PIPELINE, "svc");
        ws.write_main(&final_config);
        ws.assert_plan_empty();
    }

    // Destroy: the service goes with its instances and pipeline.
    ws.destroy();
    assert!(ws.state_addresses().is_empty());
    assert!(
        remote_service(&proton).is_none(),
        "{tf}: the service must be gone"
    );
}

fn failures(tf: &Terraform) {
    // Deployments outlast the 1 s timeouts below by 2 s, so a loaded machine still cancels or
    // times out while they run.
    let proton = ProtonLocal::start(&["--deploy-seconds", "3"]);
    platform(&proton);
    let ws = Workspace::new(tf, &proton);
    let head = provider("");
    let spec_one = service_spec(&[("one", "env-a", 80)]);

    // A service whose instance fails to deploy: CREATE_FAILED, kept in state and tainted.
    let failing = format!(
        "{}      proton_local_fail: \"{FAILURE}\"\n",
        service_spec(&[("one", "env-a", 80)])
    );
    ws.write_main(&format!("{head}{}", service_block(&failing, "")));
    let text = ws.apply_err();
    assert!(text.contains(FAILURE), "{tf}:\n{text}");
    assert!(text.contains("CREATE_FAILED"), "{tf}:\n{text}");
    assert!(is_tainted(&ws, SERVICE), "{tf}");
    ws.write_main(&format!("{head}{}", service_block(&spec_one, "")));
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        plan.contains("tainted, so must be replaced"),
        "{tf}:\n{plan}"
    );
    ws.apply();
    ws.assert_plan_empty();
    assert_eq!(str_attr(&ws.resource_attrs(SERVICE), "status"), "ACTIVE");

    // A failed instance update: recorded, retried by the next plan, fixed.
    let one_ok = instance_spec("one", "env-a", 8080, "");
    let with_one = |spec: &str, extra: &str| {
        format!(
            "{head}{}{}",
            service_block(&spec_one, ""),
            instance_block("one", spec, extra)
        )
    };
    ws.write_main(&with_one(&one_ok, ""));
    ws.apply();
    ws.write_main(&with_one(&failing_instance_spec("one", "env-a"), ""));
    let text = ws.apply_err();
    assert!(text.contains(FAILURE), "{tf}:\n{text}");
    assert!(!is_tainted(&ws, ONE));
    let failed = ws.resource_attrs(ONE);
    assert_eq!(str_attr(&failed, "deployment_status"), "FAILED");
    assert!(str_attr(&failed, "deployment_status_message").contains(FAILURE));
    assert_eq!(
        ws.plan_exit_code(),
        2,
        "{tf}: a failed deployment is retried"
    );
    ws.write_main(&with_one(&one_ok, ""));
    ws.apply();
    ws.assert_plan_empty();

    // A failed CreateServiceInstance: tainted; the fix re-adopts the instance (no delete API).
    let two_block = |spec: &str| instance_block("two", spec, "");
    ws.write_main(&format!(
        "{}{}",
        with_one(&one_ok, ""),
        two_block(&failing_instance_spec("two", "env-b"))
    ));
    let text = ws.apply_err();
    assert!(text.contains(FAILURE), "{tf}:\n{text}");
    assert!(is_tainted(&ws, TWO), "{tf}");
    ws.write_main(&format!(
        "{}{}",
        with_one(&one_ok, ""),
        two_block(&instance_spec("two", "env-b", 81, ""))
    ));
    ws.apply();
    ws.assert_plan_empty();
    let two = ws.resource_attrs(TWO);
    assert_eq!(str_attr(&two, "deployment_status"), "SUCCEEDED");

    // An instance update that times out is cancelled when asked.
    let cancel = "  cancel_on_timeout = true\n  timeouts {\n    update = \"1s\"\n  }\n";
    ws.write_main(&format!(
        "{}{}",
        with_one(&instance_spec("one", "env-a", 7070, ""), cancel),
        two_block(&instance_spec("two", "env-b", 81, ""))
    ));
    let text = ws.apply_err();
    assert!(
        text.contains("timed out") && text.contains("CANCELLED"),
        "{tf}:\n{text}"
    );
    assert_eq!(
        str_attr(&ws.resource_attrs(ONE), "deployment_status"),
        "CANCELLED"
    );
    assert_eq!(
        remote_instance(&proton, "one").and_then(|i| i.get("spec").cloned()),
        Some(json!(one_ok)),
        "{tf}: a cancelled deployment leaves the instance as it was"
    );
    ws.write_main(&format!(
        "{}{}",
        with_one(&instance_spec("one", "env-a", 7070, ""), ""),
        two_block(&instance_spec("two", "env-b", 81, ""))
    ));
    ws.apply();
    ws.assert_plan_empty();

    // Disappears: the service deleted behind Terraform's back; everything is planned again.
    proton.aws(&["delete-service", "--name", "svc"]);
    poll_until("out-of-band delete", Duration::from_secs(120), || {
        remote_service(&proton).is_none().then_some(())
    });
    let (code, plan) = ws.plan_with(&[]);
    assert_eq!(code, 2, "{tf}:\n{plan}");
    assert!(
        summary_has(&plan, "3 to add, 0 to change, 0 to destroy"),
        "{tf}:\n{plan}"
    );

    ws.destroy();
    assert!(remote_service(&proton).is_none());
}

proton_test_support::terraform_tests!(lifecycle, failures);
