//! Issue 13, work list items 8, 9 and 11: the failure paths a user must be able to rehearse,
//! driven the way the Proton User Guide's CLI examples are written. A delete that ends
//! DELETE_FAILED (`proton_local_fail_delete: <message>` in the spec; a second delete retries), the
//! three ways a cancel ends (`proton_local_cancel: fail | late`), and the recommended-version
//! delete rule. `docs/proton-contract.md` names each test.

use std::time::Duration;

use proton_test_support::deploy::{ROLE, environment_template, publish_version, service_template};
use proton_test_support::{AwsError, ProtonLocal, poll_until};
use serde_json::Value;

const COMPONENT_ROLE: &str = "arn:aws:iam::000000000000:role/ProtonComponentRole";
const MANIFEST: &str = "infrastructure:\n  templates:\n    - file: \"cloudformation.yaml\"\n      rendering_engine: jinja\n      template_language: cloudformation\n";

/// Writes `text` next to proton-local's files; answers the `file://` form the CLI reads.
fn file(proton: &ProtonLocal, name: &str, text: &str) -> String {
    let path = proton.dir().join(name);
    std::fs::write(&path, text).expect("write file");
    format!("file://{}", path.display())
}

fn env_spec(extra: &str) -> String {
    format!("proton: EnvironmentSpec\nspec:\n  my_sample_input: \"the first\"\n{extra}")
}

/// `aws proton create-environment --name NAME ...` from `simple-env` 1 with `spec`, not waited for.
fn create_environment(proton: &ProtonLocal, name: &str, spec: &str) {
    let spec = file(proton, &format!("{name}.yaml"), spec);
    proton.aws(&[
        "create-environment",
        "--name",
        name,
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--proton-service-role-arn",
        ROLE,
        "--component-role-arn",
        COMPONENT_ROLE,
        "--spec",
        &spec,
    ]);
}

fn get(proton: &ProtonLocal, args: &[&str], key: &str) -> Option<Value> {
    match proton.cli().run(args) {
        Ok(answer) => Some(answer[key].clone()),
        Err(e) if e.code == "ResourceNotFoundException" => None,
        Err(e) => panic!("aws proton {}: {} {}", args.join(" "), e.code, e.message),
    }
}

/// Waits until `get` shows `member` = `want`; the object then.
fn wait_for(proton: &ProtonLocal, args: &[&str], key: &str, member: &str, want: &str) -> Value {
    poll_until(
        &format!("{key} {member} {want}"),
        Duration::from_secs(60),
        || {
            let object = get(proton, args, key)?;
            (object[member] == want).then_some(object)
        },
    )
}

fn waiter_fails(result: Result<Value, AwsError>, why: &str) -> String {
    match result {
        Ok(answer) => panic!("{why}: the waiter succeeded: {answer}"),
        Err(e) => format!("{} {}", e.code, e.message),
    }
}

/// Item 8: an environment and a component whose spec carries `proton_local_fail_delete` end
/// DELETE_FAILED with that message (the ComponentDeleted waiter fails), stay listed, and a second
/// delete removes them.
#[test]
fn a_failed_delete_ends_delete_failed_and_a_retry_deletes() {
    let proton = ProtonLocal::start(&[]);
    environment_template(&proton, "simple-env");
    create_environment(
        &proton,
        "MySimpleEnv",
        &env_spec("  proton_local_fail_delete: \"The stack's bucket is not empty.\"\n"),
    );
    proton.aws(&["wait", "environment-deployed", "--name", "MySimpleEnv"]);

    let template = file(
        &proton,
        "cloudformation.yaml",
        "Resources: {}\nproton_local_fail_delete: \"Queue in use.\"\n",
    );
    let manifest = file(&proton, "manifest.yaml", MANIFEST);
    proton.aws(&[
        "create-component",
        "--name",
        "c1",
        "--environment-name",
        "MySimpleEnv",
        "--template-file",
        &template,
        "--manifest",
        &manifest,
    ]);
    proton.aws(&["wait", "component-deployed", "--name", "c1"]);

    let deleting = proton.aws(&["delete-component", "--name", "c1"]);
    assert_eq!(
        deleting["component"]["deploymentStatus"], "DELETE_IN_PROGRESS",
        "{deleting}"
    );
    let failed = waiter_fails(
        proton
            .cli()
            .run(&["wait", "component-deleted", "--name", "c1"]),
        "a component whose delete fails",
    );
    assert!(
        failed.contains("failure state") || failed.contains("DELETE_FAILED"),
        "{failed}"
    );
    let c1 = get(&proton, &["get-component", "--name", "c1"], "component").expect("c1 stays");
    assert_eq!(c1["deploymentStatus"], "DELETE_FAILED", "{c1}");
    assert_eq!(c1["deploymentStatusMessage"], "Queue in use.", "{c1}");
    proton.aws(&["delete-component", "--name", "c1"]);
    proton.aws(&["wait", "component-deleted", "--name", "c1"]);

    proton.aws(&["delete-environment", "--name", "MySimpleEnv"]);
    let env = wait_for(
        &proton,
        &["get-environment", "--name", "MySimpleEnv"],
        "environment",
        "deploymentStatus",
        "DELETE_FAILED",
    );
    assert_eq!(
        env["deploymentStatusMessage"], "The stack's bucket is not empty.",
        "{env}"
    );
    let listed = proton.aws(&["list-environments"]);
    assert_eq!(
        listed["environments"][0]["deploymentStatus"],
        "DELETE_FAILED"
    );
    proton.aws(&["delete-environment", "--name", "MySimpleEnv"]);
    poll_until("MySimpleEnv gone", Duration::from_secs(60), || {
        get(
            &proton,
            &["get-environment", "--name", "MySimpleEnv"],
            "environment",
        )
        .is_none()
        .then_some(())
    });
}

fn service_spec(instances: &[(&str, &str)]) -> String {
    let mut s = "proton: ServiceSpec\ninstances:\n".to_string();
    for (name, extra) in instances {
        s.push_str(&format!(
            "  - name: \"{name}\"\n    environment: \"MySimpleEnv\"\n    spec:\n      my_sample_service_instance_required_input: \"hi\"\n{extra}"
        ));
    }
    s
}

/// A deployed MySimpleEnv and the pipeline-less service template `fargate-service`.
fn platform(proton: &ProtonLocal) {
    environment_template(proton, "simple-env");
    create_environment(proton, "MySimpleEnv", &env_spec(""));
    proton.aws(&["wait", "environment-deployed", "--name", "MySimpleEnv"]);
    service_template(
        proton,
        "fargate-service",
        "simple-env",
        &["--pipeline-provisioning", "CUSTOMER_MANAGED"],
        &[],
    );
}

fn instance_status(proton: &ProtonLocal, name: &str) -> Option<String> {
    get(
        proton,
        &[
            "get-service-instance",
            "--service-name",
            "MySimpleService",
            "--name",
            name,
        ],
        "serviceInstance",
    )
    .map(|i| {
        i["deploymentStatus"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    })
}

/// Item 8: an instance that UpdateService removes and whose delete fails stays DELETE_FAILED (the
/// service UPDATE_COMPLETE_CLEANUP_FAILED), counts toward the 20, and the next UpdateService retries
/// the delete. A DeleteService whose instance fails to delete ends DELETE_FAILED (the
/// ServiceDeleted waiter fails); a second DeleteService removes it.
#[test]
fn update_service_retries_delete_failed_instances() {
    let proton = ProtonLocal::start(&[]);
    platform(&proton);
    let failing = "      proton_local_fail_delete: \"Instance stack stuck.\"\n";
    let two = file(
        &proton,
        "spec.yaml",
        &service_spec(&[("instance-one", ""), ("instance-two", failing)]),
    );
    proton.aws(&[
        "create-service",
        "--name",
        "MySimpleService",
        "--template-name",
        "fargate-service",
        "--template-major-version",
        "1",
        "--spec",
        &two,
    ]);
    proton.aws(&["wait", "service-created", "--name", "MySimpleService"]);

    let one = file(
        &proton,
        "spec-one.yaml",
        &service_spec(&[("instance-one", "")]),
    );
    proton.aws(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &one,
    ]);
    let service = wait_for(
        &proton,
        &["get-service", "--name", "MySimpleService"],
        "service",
        "status",
        "UPDATE_COMPLETE_CLEANUP_FAILED",
    );
    assert_eq!(
        service["statusMessage"], "Instance stack stuck.",
        "{service}"
    );
    assert_eq!(
        instance_status(&proton, "instance-two").as_deref(),
        Some("DELETE_FAILED")
    );
    // The DELETE_FAILED instance still counts toward the 20.
    let names: Vec<String> = (1..=20).map(|n| format!("i{n}")).collect();
    let twenty: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "")).collect();
    let twenty = file(&proton, "spec-20.yaml", &service_spec(&twenty));
    let over = proton.aws_err(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &twenty,
    ]);
    assert_eq!(
        over.code, "ServiceQuotaExceededException",
        "{}",
        over.message
    );

    // The next UpdateService retries the delete.
    proton.aws(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &one,
        "--description",
        "retry",
    ]);
    wait_for(
        &proton,
        &["get-service", "--name", "MySimpleService"],
        "service",
        "status",
        "ACTIVE",
    );
    assert_eq!(instance_status(&proton, "instance-two"), None);

    // DeleteService: the failing instance keeps the service DELETE_FAILED, the others go.
    let failing_one = file(
        &proton,
        "spec-failing.yaml",
        &service_spec(&[("instance-one", ""), ("instance-three", failing)]),
    );
    proton.aws(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &failing_one,
    ]);
    wait_for(
        &proton,
        &["get-service", "--name", "MySimpleService"],
        "service",
        "status",
        "ACTIVE",
    );
    proton.aws(&["delete-service", "--name", "MySimpleService"]);
    let failed = waiter_fails(
        proton
            .cli()
            .run(&["wait", "service-deleted", "--name", "MySimpleService"]),
        "a service whose instance fails to delete",
    );
    assert!(
        failed.contains("failure state") || failed.contains("DELETE_FAILED"),
        "{failed}"
    );
    let service = get(
        &proton,
        &["get-service", "--name", "MySimpleService"],
        "service",
    )
    .expect("the service stays");
    assert_eq!(service["status"], "DELETE_FAILED", "{service}");
    assert_eq!(
        service["statusMessage"], "Instance stack stuck.",
        "{service}"
    );
    assert_eq!(instance_status(&proton, "instance-one"), None);
    assert_eq!(
        instance_status(&proton, "instance-three").as_deref(),
        Some("DELETE_FAILED")
    );
    proton.aws(&["delete-service", "--name", "MySimpleService"]);
    proton.aws(&["wait", "service-deleted", "--name", "MySimpleService"]);
}

/// Item 8: Cancel*Deployment ends CANCELLED ("User initiated cancellation.", the update undone),
/// FAILED when the cancellation fails (`proton_local_cancel: fail`), or SUCCEEDED when the
/// deployment finished first (`proton_local_cancel: late`).
#[test]
fn a_cancel_ends_cancelled_failed_or_succeeded() {
    // Long enough for the CLI to cancel each deployment while it runs, on a loaded machine.
    let proton = ProtonLocal::start(&["--deploy-seconds", "15"]);
    environment_template(&proton, "simple-env");
    let endings = [
        (
            "MySimpleEnv",
            "",
            "CANCELLED",
            "User initiated cancellation.",
        ),
        (
            "EnvCancelFails",
            "  proton_local_cancel: fail\n",
            "FAILED",
            "The cancellation failed; the deployment stopped.",
        ),
        (
            "EnvFinishesFirst",
            "  proton_local_cancel: late\n",
            "SUCCEEDED",
            "",
        ),
    ];
    for (name, marker, _, _) in endings {
        create_environment(&proton, name, &env_spec(marker));
        let cancelling = proton.aws(&["cancel-environment-deployment", "--environment-name", name]);
        assert_eq!(
            cancelling["environment"]["deploymentStatus"], "CANCELLING",
            "{cancelling}"
        );
    }
    for (name, _, status, message) in endings {
        let args = ["get-environment", "--name", name];
        let env = poll_until(
            &format!("{name} cancel ends"),
            Duration::from_secs(60),
            || {
                let env = get(&proton, &args, "environment")?;
                (env["deploymentStatus"] != "CANCELLING").then_some(env)
            },
        );
        assert_eq!(env["deploymentStatus"], status, "{name}: {env}");
        let got = env["deploymentStatusMessage"].as_str().unwrap_or_default();
        assert_eq!(got, message, "{name}: {env}");
        let id = env["lastAttemptedDeploymentId"]
            .as_str()
            .expect("deployment id");
        let deployment = proton.aws(&["get-deployment", "--id", id]);
        assert_eq!(
            deployment["deployment"]["deploymentStatus"], status,
            "{name}: {deployment}"
        );
    }
    // Only the deployment that finished has outputs.
    let outputs = proton.aws(&[
        "list-environment-outputs",
        "--environment-name",
        "EnvFinishesFirst",
    ]);
    assert_eq!(outputs["outputs"][0]["key"], "VpcId", "{outputs}");
}

fn delete_version(proton: &ProtonLocal, major: &str, minor: &str) -> Result<Value, AwsError> {
    proton.cli().run(&[
        "delete-environment-template-version",
        "--template-name",
        "simple-env",
        "--major-version",
        major,
        "--minor-version",
        minor,
    ])
}

/// Item 9: with 1.0, 1.1 and 2.0 published, the recommended minor 1.1 goes only after 1.0, and the
/// recommended major 2 only as the last version.
#[test]
fn recommended_versions_are_deleted_last() {
    let proton = ProtonLocal::start(&[]);
    environment_template(&proton, "simple-env");
    for (major, minor, why) in [
        (
            "1",
            "1",
            "1.1 is the recommended minor of major 1 and 1.0 exists",
        ),
        ("2", "0", "2 is the recommended major and major 1 exists"),
    ] {
        let refused = delete_version(&proton, major, minor).expect_err(why);
        assert_eq!(
            refused.code, "ConflictException",
            "{why}: {}",
            refused.message
        );
    }
    for (major, minor) in [("1", "0"), ("1", "1"), ("2", "0")] {
        let deleted = delete_version(&proton, major, minor)
            .unwrap_or_else(|e| panic!("{major}.{minor}: {} {}", e.code, e.message));
        assert_eq!(
            deleted["environmentTemplateVersion"]["minorVersion"], minor,
            "{deleted}"
        );
    }
    proton.aws(&["delete-environment-template", "--name", "simple-env"]);
}

/// `recommendedVersion` of get-environment-template after each delete: worked out from the
/// versions left (docs silent; proton-local's choice), so never a deleted version.
#[test]
fn recommended_version_is_recomputed_after_deletes() {
    let proton = ProtonLocal::start(&[]);
    environment_template(&proton, "simple-env");
    let recommended = || {
        proton.aws(&["get-environment-template", "--name", "simple-env"])["environmentTemplate"]
            ["recommendedVersion"]
            .clone()
    };
    assert_eq!(recommended(), "2.0");
    for (major, minor, left) in [("1", "0", "2.0"), ("1", "1", "2.0")] {
        delete_version(&proton, major, minor).expect("delete");
        assert_eq!(recommended(), left, "after deleting {major}.{minor}");
    }
    delete_version(&proton, "2", "0").expect("delete the recommended version");
    assert_eq!(
        recommended(),
        Value::Null,
        "no version left: no recommendedVersion"
    );
    // The next published version is the recommended one.
    let (major, minor) = publish_version(
        &proton,
        "environment",
        "simple-env",
        "vpc-environment",
        None,
        &[],
    );
    assert_eq!(recommended(), format!("{major}.{minor}").as_str());
}

/// Item 11: an UpdateService that adds an instance re-provisions the pipeline (IN_PROGRESS at
/// once); one whose added instance fails removes it again, restores the spec and ends
/// UPDATE_FAILED_CLEANUP_COMPLETE.
#[test]
fn update_service_reprovisions_the_pipeline_and_cleans_up_failed_additions() {
    // Deployments last long enough to see the pipeline IN_PROGRESS after update-service.
    let proton = ProtonLocal::start(&["--deploy-seconds", "3"]);
    environment_template(&proton, "simple-env");
    create_environment(&proton, "MySimpleEnv", &env_spec(""));
    proton.aws(&["wait", "environment-deployed", "--name", "MySimpleEnv"]);
    service_template(&proton, "fargate-service", "simple-env", &[], &[]);
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        "arn:aws:iam::000000000000:role/AWSProtonServiceRole",
    ]);
    let with_pipeline = |instances: &[(&str, &str)]| {
        format!(
            "proton: ServiceSpec\npipeline:\n  my_sample_pipeline_required_input: \"hello\"\n{}",
            service_spec(instances).trim_start_matches("proton: ServiceSpec\n")
        )
    };
    let one = with_pipeline(&[("instance-one", "")]);
    let one_file = file(&proton, "spec.yaml", &one);
    proton.aws(&[
        "create-service",
        "--name",
        "MySimpleService",
        "--template-name",
        "fargate-service",
        "--template-major-version",
        "1",
        "--repository-connection-arn",
        "arn:aws:codestar-connections:us-east-1:000000000000:connection/x",
        "--repository-id",
        "myorg/myapp",
        "--branch-name",
        "main",
        "--spec",
        &one_file,
    ]);
    proton.aws(&["wait", "service-created", "--name", "MySimpleService"]);
    let first = proton.aws(&["get-service", "--name", "MySimpleService"]);
    let first_deployment = text_of(
        &first,
        &["service", "pipeline", "lastAttemptedDeploymentId"],
    );

    let two = with_pipeline(&[("instance-one", ""), ("instance-two", "")]);
    let two_file = file(&proton, "spec-two.yaml", &two);
    let updating = proton.aws(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &two_file,
    ]);
    assert_eq!(updating["service"]["status"], "UPDATE_IN_PROGRESS");
    // The answer itself, not a later get: a loaded machine may take longer than a deployment
    // between two CLI calls.
    assert_eq!(
        updating["service"]["pipeline"]["deploymentStatus"], "IN_PROGRESS",
        "{updating}"
    );
    assert_ne!(
        text_of(
            &updating,
            &["service", "pipeline", "lastAttemptedDeploymentId"]
        ),
        first_deployment
    );
    proton.aws(&["wait", "service-updated", "--name", "MySimpleService"]);
    let updated = proton.aws(&["get-service", "--name", "MySimpleService"]);
    assert_eq!(updated["service"]["status"], "ACTIVE", "{updated}");
    assert_eq!(
        updated["service"]["pipeline"]["deploymentStatus"], "SUCCEEDED",
        "{updated}"
    );

    let failing = "      proton_local_fail: \"Health check failed.\"\n";
    let three = with_pipeline(&[
        ("instance-one", ""),
        ("instance-two", ""),
        ("instance-three", failing),
    ]);
    let three_file = file(&proton, "spec-three.yaml", &three);
    proton.aws(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &three_file,
    ]);
    let failed = waiter_fails(
        proton
            .cli()
            .run(&["wait", "service-updated", "--name", "MySimpleService"]),
        "an update whose added instance fails",
    );
    assert!(failed.contains("failure state"), "{failed}");
    let service = proton.aws(&["get-service", "--name", "MySimpleService"]);
    assert_eq!(
        service["service"]["status"], "UPDATE_FAILED_CLEANUP_COMPLETE",
        "{service}"
    );
    assert_eq!(service["service"]["statusMessage"], "Health check failed.");
    assert_eq!(
        service["service"]["spec"],
        two.as_str(),
        "the spec is restored"
    );
    assert_eq!(instance_status(&proton, "instance-three"), None);
    assert_eq!(
        instance_status(&proton, "instance-two").as_deref(),
        Some("SUCCEEDED")
    );
}

fn text_of(v: &Value, path: &[&str]) -> String {
    path.iter()
        .fold(v, |v, k| &v[k])
        .as_str()
        .unwrap_or_else(|| panic!("{} missing in {v}", path.join(".")))
        .to_string()
}
