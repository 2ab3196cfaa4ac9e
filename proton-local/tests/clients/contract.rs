//! Issue 13, work list items 1-5: proton-local meets the AWS CLI the way the Proton User Guide's
//! own CLI examples drive Proton (the commands a user copies from the docs, against
//! `--endpoint-url`). One test per rule; `docs/proton-contract.md` names them.

use std::path::Path;

use proton_test_support::{ProtonLocal, bundle_source};
use serde_json::{Value, json};

const CONN_ARN: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/x";
const SERVICE_ROLE: &str = "arn:aws:iam::000000000000:role/ProtonServiceRole";
const PIPELINE_ROLE: &str = "arn:aws:iam::000000000000:role/AWSProtonServiceRole";

const ENV_SPEC: &str = "proton: EnvironmentSpec\nspec:\n  my_sample_input: \"the first\"\n";

/// A `file://` argument holding `text`.
fn file(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write spec file");
    format!("file://{}", p.display())
}

fn text<'v>(v: &'v Value, path: &str) -> &'v str {
    path.split('.')
        .fold(v, |v, k| match k.parse::<usize>() {
            Ok(n) => &v[n],
            Err(_) => &v[k],
        })
        .as_str()
        .unwrap_or_else(|| panic!("{path} missing in {v}"))
}

/// A published environment template version 1.0.
fn env_template(proton: &ProtonLocal, name: &str, customer_managed: bool) {
    let mut create = vec!["create-environment-template", "--name", name];
    if customer_managed {
        create.extend(["--provisioning", "CUSTOMER_MANAGED"]);
    }
    proton.aws(&create);
    let bundle = bundle_source(if customer_managed {
        "imported-environment"
    } else {
        "vpc-environment"
    });
    proton.aws(&[
        "create-environment-template-version",
        "--template-name",
        name,
        "--source",
        &bundle,
    ]);
    proton.aws(&[
        "wait",
        "environment-template-version-registered",
        "--template-name",
        name,
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ]);
    proton.aws(&[
        "update-environment-template-version",
        "--template-name",
        name,
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    ]);
}

/// A published service template version 1.0 for environments of `env_template` 1.
fn svc_template(proton: &ProtonLocal, name: &str, no_pipeline: bool, env_template: &str) {
    let mut create = vec!["create-service-template", "--name", name];
    if no_pipeline {
        create.extend(["--pipeline-provisioning", "CUSTOMER_MANAGED"]);
    }
    proton.aws(&create);
    let compatible = format!("templateName={env_template},majorVersion=1");
    let bundle = bundle_source(if no_pipeline {
        "worker-service"
    } else {
        "web-service"
    });
    proton.aws(&[
        "create-service-template-version",
        "--template-name",
        name,
        "--source",
        &bundle,
        "--compatible-environment-templates",
        &compatible,
    ]);
    proton.aws(&[
        "wait",
        "service-template-version-registered",
        "--template-name",
        name,
        "--major-version",
        "1",
        "--minor-version",
        "0",
    ]);
    proton.aws(&[
        "update-service-template-version",
        "--template-name",
        name,
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--status",
        "PUBLISHED",
    ]);
}

/// An AWS-managed environment `MySimpleEnv`, deployed.
fn simple_env(proton: &ProtonLocal, dir: &Path) {
    env_template(proton, "simple-env", false);
    let spec = file(dir, "env-spec.yaml", ENV_SPEC);
    proton.aws(&[
        "create-environment",
        "--name",
        "MySimpleEnv",
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--proton-service-role-arn",
        SERVICE_ROLE,
        "--spec",
        &spec,
    ]);
    proton.aws(&["wait", "environment-deployed", "--name", "MySimpleEnv"]);
}

/// A service spec with one instance per environment named, and an optional `pipeline:` section.
fn service_spec(pipeline: bool, instances: &[(&str, &str)]) -> String {
    let mut s = "proton: ServiceSpec\n".to_string();
    if pipeline {
        s.push_str("pipeline:\n  my_sample_pipeline_required_input: \"hello\"\n");
    }
    s.push_str("instances:\n");
    for (name, env) in instances {
        s.push_str(&format!(
            "  - name: \"{name}\"\n    environment: \"{env}\"\n    spec:\n      my_sample_service_instance_required_input: \"hi\"\n"
        ));
    }
    s
}

fn create_service(
    proton: &ProtonLocal,
    name: &str,
    template: &str,
    spec: &str,
    repo: bool,
) -> Result<Value, proton_test_support::AwsError> {
    let mut args = vec![
        "create-service",
        "--name",
        name,
        "--template-name",
        template,
        "--template-major-version",
        "1",
    ];
    if repo {
        args.extend([
            "--repository-connection-arn",
            CONN_ARN,
            "--repository-id",
            "myorg/myapp",
            "--branch-name",
            "main",
        ]);
    }
    args.extend(["--spec", spec]);
    proton.cli().run(&args)
}

fn code(r: Result<Value, proton_test_support::AwsError>) -> String {
    match r {
        Ok(v) => panic!("succeeded: {v}"),
        Err(e) => e.code,
    }
}

/// Item 1: a service template without `--pipeline-provisioning` gives its services a Proton
/// pipeline (repository flags required); `CUSTOMER_MANAGED` gives none (repository flags and
/// `pipeline:` inputs refused).
#[test]
fn pipeline_provisioning_absent_means_a_proton_pipeline() {
    let proton = ProtonLocal::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    simple_env(&proton, dir.path());
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        PIPELINE_ROLE,
    ]);
    svc_template(&proton, "fargate-service", false, "simple-env");
    svc_template(&proton, "fargate-service-no-pipeline", true, "simple-env");
    let t = proton.aws(&["get-service-template", "--name", "fargate-service"]);
    assert!(
        t["serviceTemplate"].get("pipelineProvisioning").is_none(),
        "{t}"
    );

    let spec = file(
        dir.path(),
        "spec.yaml",
        &service_spec(true, &[("my-instance", "MySimpleEnv")]),
    );
    assert_eq!(
        code(create_service(
            &proton,
            "NoRepo",
            "fargate-service",
            &spec,
            false
        )),
        "ValidationException",
        "a pipeline needs the repository settings"
    );
    let s = create_service(&proton, "MySimpleService", "fargate-service", &spec, true)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(text(&s, "service.repositoryId"), "myorg/myapp");
    proton.aws(&["wait", "service-created", "--name", "MySimpleService"]);
    proton.aws(&[
        "wait",
        "service-pipeline-deployed",
        "--name",
        "MySimpleService",
    ]);
    let s = proton.aws(&["get-service", "--name", "MySimpleService"]);
    assert_eq!(text(&s, "service.pipeline.deploymentStatus"), "SUCCEEDED");
    let out = proton.aws(&[
        "list-service-pipeline-outputs",
        "--service-name",
        "MySimpleService",
    ]);
    // The pipeline reports the output its template declares (web-service's `BuildProject`).
    assert_eq!(out["outputs"][0]["key"], "BuildProject");
    assert_eq!(out["outputs"].as_array().map(Vec::len), Some(1));

    let no_pipe = file(
        dir.path(),
        "spec-no-pipeline.yaml",
        &service_spec(false, &[("my-instance", "MySimpleEnv")]),
    );
    assert_eq!(
        code(create_service(
            &proton,
            "MySimpleServiceNoPipeline",
            "fargate-service-no-pipeline",
            &no_pipe,
            true
        )),
        "ValidationException",
        "no pipeline: the repository flags are refused"
    );
    assert_eq!(
        code(create_service(
            &proton,
            "MySimpleServiceNoPipeline",
            "fargate-service-no-pipeline",
            &spec,
            false
        )),
        "ValidationException",
        "no pipeline: pipeline inputs are refused"
    );
    let s = create_service(
        &proton,
        "MySimpleServiceNoPipeline",
        "fargate-service-no-pipeline",
        &no_pipe,
        false,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(s["service"].get("pipeline").is_none(), "{s}");
    proton.aws(&[
        "wait",
        "service-created",
        "--name",
        "MySimpleServiceNoPipeline",
    ]);
}

/// Item 2: a `--provisioning-repository` on a standard template makes the environment
/// self-managed: it stays IN_PROGRESS until the customer's automation notifies Proton. A role
/// with it is refused.
#[test]
fn provisioning_repository_makes_the_environment_self_managed() {
    let proton = ProtonLocal::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myrepos/env-repo",
        "--connection-arn",
        CONN_ARN,
    ]);
    env_template(&proton, "pr-env-template", false);
    let spec = file(dir.path(), "env-spec.yaml", ENV_SPEC);
    let create = |name: &'static str, role: bool| {
        let mut args = vec![
            "create-environment",
            "--name",
            name,
            "--template-name",
            "pr-env-template",
            "--template-major-version",
            "1",
            "--provisioning-repository",
            "branch=main,name=myrepos/env-repo,provider=GITHUB",
            "--spec",
            &spec,
        ];
        if role {
            args.extend(["--proton-service-role-arn", SERVICE_ROLE]);
        }
        proton.cli().run(&args)
    };
    assert_eq!(code(create("both", true)), "ValidationException");
    let e = create("pr-environment", false).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(e["environment"].get("provisioning").is_none(), "{e}");
    assert_eq!(text(&e, "environment.deploymentStatus"), "IN_PROGRESS");
    // Instant deployments elsewhere; this one waits for the pull request to be merged.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let g = proton.aws(&["get-environment", "--name", "pr-environment"]);
    assert_eq!(text(&g, "environment.deploymentStatus"), "IN_PROGRESS");
    let arn = text(&e, "environment.arn").to_string();
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        &arn,
        "--status",
        "SUCCEEDED",
        "--outputs",
        "key=vpc_id,valueString=vpc-1",
    ]);
    let g = proton.aws(&["get-environment", "--name", "pr-environment"]);
    assert_eq!(text(&g, "environment.deploymentStatus"), "SUCCEEDED");
    assert_eq!(
        text(&g, "environment.provisioningRepository.name"),
        "myrepos/env-repo"
    );
    let r = proton.aws(&[
        "list-environment-provisioned-resources",
        "--environment-name",
        "pr-environment",
    ]);
    assert_eq!(
        text(&r, "provisionedResources.0.provisioningEngine"),
        "TERRAFORM"
    );
}

/// Item 3: a CUSTOMER_MANAGED environment template imports infrastructure Proton does not
/// provision: a role and a spec holding the outputs; the deployment succeeds with them.
#[test]
fn customer_managed_environments_report_the_spec_as_outputs() {
    let proton = ProtonLocal::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myrepos/env-repo",
        "--connection-arn",
        CONN_ARN,
    ]);
    env_template(&proton, "imported-env", true);
    let outputs = file(
        dir.path(),
        "outputs.yaml",
        "proton: EnvironmentSpec\nspec:\n  vpc_id: vpc-0123\n  cluster_name: shared\n",
    );
    let e = proton
        .cli()
        .run(&[
            "create-environment",
            "--name",
            "imported-pr",
            "--template-name",
            "imported-env",
            "--template-major-version",
            "1",
            "--provisioning-repository",
            "branch=main,name=myrepos/env-repo,provider=GITHUB",
            "--spec",
            &outputs,
        ])
        .expect_err("a customer-managed environment takes no provisioning repository");
    assert_eq!(e.code, "ValidationException");
    let e = proton.aws(&[
        "create-environment",
        "--name",
        "imported",
        "--template-name",
        "imported-env",
        "--template-major-version",
        "1",
        "--proton-service-role-arn",
        SERVICE_ROLE,
        "--spec",
        &outputs,
    ]);
    assert_eq!(text(&e, "environment.provisioning"), "CUSTOMER_MANAGED");
    proton.aws(&["wait", "environment-deployed", "--name", "imported"]);
    let out = proton.aws(&["list-environment-outputs", "--environment-name", "imported"]);
    assert_eq!(
        out["outputs"],
        json!([{"key": "vpc_id", "valueString": "vpc-0123"}, {"key": "cluster_name", "valueString": "shared"}])
    );
}

/// Item 4: a service with a pipeline needs the account's pipeline role (AWS-managed
/// environments) or pipeline repository (self-managed ones).
#[test]
fn pipelines_need_the_account_pipeline_settings() {
    let proton = ProtonLocal::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    simple_env(&proton, dir.path());
    svc_template(&proton, "fargate-service", false, "simple-env");
    let spec = file(
        dir.path(),
        "spec.yaml",
        &service_spec(true, &[("my-instance", "MySimpleEnv")]),
    );
    let e = create_service(&proton, "MySimpleService", "fargate-service", &spec, true)
        .expect_err("no pipeline role yet");
    assert_eq!(e.code, "ValidationException");
    assert!(
        e.message.contains("pipelineServiceRoleArn"),
        "{}",
        e.message
    );
    proton.aws(&[
        "update-account-settings",
        "--pipeline-service-role-arn",
        PIPELINE_ROLE,
    ]);
    create_service(&proton, "MySimpleService", "fargate-service", &spec, true)
        .unwrap_or_else(|e| panic!("{e:?}"));

    // A self-managed environment: its services' pipelines need the pipeline repository.
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myrepos/env-repo",
        "--connection-arn",
        CONN_ARN,
    ]);
    let env_spec = file(dir.path(), "env-spec.yaml", ENV_SPEC);
    let env = proton.aws(&[
        "create-environment",
        "--name",
        "pr-environment",
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--provisioning-repository",
        "branch=main,name=myrepos/env-repo,provider=GITHUB",
        "--spec",
        &env_spec,
    ]);
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        text(&env, "environment.arn"),
        "--status",
        "SUCCEEDED",
    ]);
    let pr_spec = file(
        dir.path(),
        "pr-spec.yaml",
        &service_spec(true, &[("pr-instance", "pr-environment")]),
    );
    let e = create_service(&proton, "PrService", "fargate-service", &pr_spec, true)
        .expect_err("no pipeline repository yet");
    assert_eq!(e.code, "ValidationException");
    assert!(
        e.message.contains("pipelineProvisioningRepository"),
        "{}",
        e.message
    );
    proton.aws(&[
        "update-account-settings",
        "--pipeline-provisioning-repository",
        "branch=main,name=myrepos/env-repo,provider=GITHUB",
    ]);
    let s = create_service(&proton, "PrService", "fargate-service", &pr_spec, true)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(text(&s, "service.pipeline.deploymentStatus"), "IN_PROGRESS");
}

/// Item 5: a service has 1 to 20 instances.
#[test]
fn services_have_one_to_twenty_instances() {
    let proton = ProtonLocal::start(&[]);
    let dir = tempfile::tempdir().expect("tempdir");
    simple_env(&proton, dir.path());
    svc_template(&proton, "fargate-service", true, "simple-env");
    let names: Vec<String> = (1..=21).map(|n| format!("instance-{n}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "MySimpleEnv")).collect();
    let spec21 = file(
        dir.path(),
        "spec-21-instances.yaml",
        &service_spec(false, &many),
    );
    assert_eq!(
        code(create_service(
            &proton,
            "s",
            "fargate-service",
            &spec21,
            false
        )),
        "ServiceQuotaExceededException"
    );
    let spec20 = file(
        dir.path(),
        "spec-20.yaml",
        &service_spec(false, &many[..20]),
    );
    create_service(&proton, "s", "fargate-service", &spec20, false)
        .unwrap_or_else(|e| panic!("{e:?}"));
    proton.aws(&["wait", "service-created", "--name", "s"]);
    let none = file(
        dir.path(),
        "spec-no-instances.yaml",
        "proton: ServiceSpec\ninstances: []\n",
    );
    let e = proton.aws_err(&["update-service", "--name", "s", "--spec", &none]);
    assert_eq!(e.code, "ValidationException");
    let e = proton.aws_err(&["update-service", "--name", "s", "--spec", &spec21]);
    assert_eq!(e.code, "ServiceQuotaExceededException");
    let empty = file(dir.path(), "spec-empty.yaml", "proton: ServiceSpec\n");
    assert_eq!(
        code(create_service(
            &proton,
            "s0",
            "fargate-service",
            &empty,
            false
        )),
        "ValidationException"
    );
}
