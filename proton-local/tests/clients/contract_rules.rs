//! The rows of docs/proton-contract.md that no other test checked: environments and their
//! provisioning inputs, services kept busy by a self-managed instance, component placement,
//! connections, quotas, tags and linked repositories. Each through the real AWS CLI written as the
//! User Guide's examples are; a self-managed environment (IN_PROGRESS until notified) holds a
//! deployment open without timing.

use proton_test_support::ProtonLocal;
use serde_json::Value;

use crate::contract_components::{
    COMPONENT_TEMPLATE, ENV_ACCOUNT, ENV_SPEC, MANIFEST, SERVICE_ROLE, assert_code, component,
    connect, connected_environment, environment, environment_account, file, platform, publish,
    text,
};

const CONN_ARN: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/x";
const UNLINKED_REPO: &str = "branch=main,name=myorg/unlinked,provider=GITHUB";
const REPO: &str = "branch=main,name=myrepos/env-repo,provider=GITHUB";

fn service_spec(instances: &[(&str, &str)]) -> String {
    let mut s = "proton: ServiceSpec\ninstances:\n".to_string();
    for (name, env) in instances {
        s.push_str(&format!(
            "  - name: {name}\n    environment: {env}\n    spec:\n      port: 80\n"
        ));
    }
    s
}

fn create_service(
    proton: &ProtonLocal,
    name: &str,
    instances: &[(&str, &str)],
) -> Result<Value, proton_test_support::AwsError> {
    let spec = file(
        proton,
        &format!("{name}-spec.yaml"),
        &service_spec(instances),
    );
    proton.cli().run(&[
        "create-service",
        "--name",
        name,
        "--template-name",
        "fargate-service",
        "--template-major-version",
        "1",
        "--spec",
        &spec,
    ])
}

/// `aws proton create-environment` from simple-env 1 with `extra` (the provisioning inputs).
fn create_environment(
    proton: &ProtonLocal,
    name: &str,
    extra: &[&str],
) -> Result<Value, proton_test_support::AwsError> {
    let spec = file(proton, "env-spec.yaml", ENV_SPEC);
    let mut args = vec![
        "create-environment",
        "--name",
        name,
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--spec",
        &spec,
    ];
    args.extend(extra);
    proton.cli().run(&args)
}

/// §1 and §12: the provisioning inputs of CreateEnvironment/UpdateEnvironment, linked
/// repositories, and an environment whose self-managed deployment is still open.
#[test]
fn environments_follow_their_provisioning_inputs() {
    let proton = ProtonLocal::start(&[]);
    environment(&proton);

    let both = create_environment(
        &proton,
        "both",
        &[
            "--proton-service-role-arn",
            SERVICE_ROLE,
            "--environment-account-connection-id",
            "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        ],
    );
    assert_code(
        both.expect_err("role and connection"),
        "ValidationException",
        "a role and a connection together",
    );
    let both = proton.aws_err(&[
        "update-environment",
        "--name",
        "MySimpleEnv",
        "--deployment-type",
        "NONE",
        "--proton-service-role-arn",
        SERVICE_ROLE,
        "--environment-account-connection-id",
        "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
    ]);
    assert_code(
        both,
        "ValidationException",
        "update with a role and a connection",
    );
    let unlinked = create_environment(
        &proton,
        "unlinked",
        &["--provisioning-repository", UNLINKED_REPO],
    );
    assert_code(
        unlinked.expect_err("the repository isn't linked"),
        "ResourceNotFoundException",
        "a provisioning repository that isn't linked",
    );
    let settings = proton.aws_err(&[
        "update-account-settings",
        "--pipeline-provisioning-repository",
        UNLINKED_REPO,
    ]);
    assert_code(
        settings,
        "ValidationException",
        "a pipeline repository that isn't linked",
    );

    // The model's 51200 characters for a spec (the UG's "200 KB" is the bundle's limit).
    let big = file(
        &proton,
        "big-spec.yaml",
        &format!("{ENV_SPEC}# {}\n", "x".repeat(51200)),
    );
    let refused = proton.aws_err(&[
        "create-environment",
        "--name",
        "big",
        "--template-name",
        "simple-env",
        "--template-major-version",
        "1",
        "--proton-service-role-arn",
        SERVICE_ROLE,
        "--spec",
        &big,
    ]);
    assert_code(
        refused,
        "ValidationException",
        "a spec over 51200 characters",
    );

    // CodeBuild provisioning: the CodeBuild role alone is a provisioning method.
    create_environment(
        &proton,
        "MyCodeBuildEnv",
        &[
            "--codebuild-role-arn",
            "arn:aws:iam::000000000000:role/ProtonCodeBuildRole",
        ],
    )
    .unwrap_or_else(|e| panic!("CodeBuild provisioning: {e:?}"));
    proton.aws(&["wait", "environment-deployed", "--name", "MyCodeBuildEnv"]);

    // A self-managed environment stays IN_PROGRESS until its pull request is reported.
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myrepos/env-repo",
        "--connection-arn",
        CONN_ARN,
    ]);
    let pr = create_environment(
        &proton,
        "pr-environment",
        &["--provisioning-repository", REPO],
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let refused = proton.aws_err(&["delete-environment", "--name", "pr-environment"]);
    assert_code(
        refused,
        "ConflictException",
        "delete while the deployment runs",
    );
    proton.aws(&[
        "create-service-template",
        "--name",
        "fargate-service",
        "--pipeline-provisioning",
        "CUSTOMER_MANAGED",
    ]);
    publish(
        &proton,
        "service",
        "fargate-service",
        &[
            "--compatible-environment-templates",
            r#"[{"templateName":"simple-env","majorVersion":"1"}]"#,
        ],
    );
    let never_deployed = create_service(&proton, "early", &[("one", "pr-environment")]);
    assert_code(
        never_deployed.expect_err("the environment has no deployment yet"),
        "ValidationException",
        "an instance in an environment never deployed",
    );
    let env_arn = text(&pr, "environment", "arn").to_string();
    let notified = proton.aws_err(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        "arn:aws:proton:us-east-1:000000000000:environment/MySimpleEnv",
        "--status",
        "SUCCEEDED",
    ]);
    assert_code(
        notified,
        "ValidationException",
        "notify for an AWS-managed environment",
    );
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        &env_arn,
        "--status",
        "SUCCEEDED",
    ]);
    proton.aws(&["delete-environment", "--name", "MyCodeBuildEnv"]);
}

/// §2 and §3: where instances may go, names in the spec, and a service kept busy by its
/// self-managed instance.
#[test]
fn services_wait_for_their_instances_and_compatible_environments() {
    let proton = ProtonLocal::start(&[]);
    platform(&proton);

    let twice = create_service(
        &proton,
        "twice",
        &[("one", "MySimpleEnv"), ("one", "MySimpleEnv")],
    );
    assert_code(
        twice.expect_err("the same instance name twice"),
        "ValidationException",
        "instance names repeat",
    );

    // An environment of another template: not compatible until the version lists it.
    proton.aws(&["create-environment-template", "--name", "other-env"]);
    publish(&proton, "environment", "other-env", &[]);
    let spec = file(&proton, "other-env-spec.yaml", ENV_SPEC);
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myrepos/env-repo",
        "--connection-arn",
        CONN_ARN,
    ]);
    let other = proton.aws(&[
        "create-environment",
        "--name",
        "OtherEnv",
        "--template-name",
        "other-env",
        "--template-major-version",
        "1",
        "--provisioning-repository",
        REPO,
        "--spec",
        &spec,
    ]);
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        text(&other, "environment", "arn"),
        "--status",
        "SUCCEEDED",
    ]);
    let incompatible = create_service(&proton, "MyOtherService", &[("mine", "OtherEnv")]);
    assert_code(
        incompatible.expect_err("other-env isn't listed"),
        "ValidationException",
        "an environment the version doesn't list",
    );
    proton.aws(&[
        "update-service-template-version",
        "--template-name",
        "fargate-service",
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--compatible-environment-templates",
        r#"[{"templateName":"simple-env","majorVersion":"1"},{"templateName":"other-env","majorVersion":"1"}]"#,
    ]);
    create_service(&proton, "MyOtherService", &[("mine", "OtherEnv")])
        .unwrap_or_else(|e| panic!("listed now: {e:?}"));

    // OtherEnv is self-managed: the instance deploys until notified, and the service waits.
    let more = file(
        &proton,
        "more-spec.yaml",
        &service_spec(&[("mine", "OtherEnv"), ("more", "OtherEnv")]),
    );
    let refused = proton.aws_err(&[
        "update-service",
        "--name",
        "MyOtherService",
        "--spec",
        &more,
    ]);
    assert_code(
        refused,
        "ConflictException",
        "update while an instance deploys",
    );
    let refused = proton.aws_err(&["delete-service", "--name", "MyOtherService"]);
    assert_code(
        refused,
        "ConflictException",
        "delete while an instance deploys",
    );
    let instance_spec = file(
        &proton,
        "instance-spec.yaml",
        &service_spec(&[("mine", "OtherEnv")]),
    );
    let refused = proton.aws_err(&[
        "update-service-instance",
        "--name",
        "mine",
        "--service-name",
        "MyOtherService",
        "--deployment-type",
        "CURRENT_VERSION",
        "--spec",
        &instance_spec,
    ]);
    assert_code(
        refused,
        "ConflictException",
        "instance update while it deploys",
    );
    proton.aws(&[
        "notify-resource-deployment-status-change",
        "--resource-arn",
        "arn:aws:proton:us-east-1:000000000000:service/MyOtherService/service-instance/mine",
        "--status",
        "SUCCEEDED",
    ]);
    proton.aws(&["wait", "service-created", "--name", "MyOtherService"]);

    // UpdateService doesn't move a kept instance to another environment.
    let moved = file(
        &proton,
        "moved-spec.yaml",
        &service_spec(&[("mine", "MySimpleEnv")]),
    );
    let refused = proton.aws_err(&[
        "update-service",
        "--name",
        "MyOtherService",
        "--spec",
        &moved,
    ]);
    assert_code(refused, "ValidationException", "moving a kept instance");
    // An instance added later takes the service's version (1.0), not the newer 1.1.
    publish(
        &proton,
        "service",
        "fargate-service",
        &[
            "--major-version",
            "1",
            "--compatible-environment-templates",
            r#"[{"templateName":"simple-env","majorVersion":"1"},{"templateName":"other-env","majorVersion":"1"}]"#,
        ],
    );
    proton.aws(&[
        "update-service",
        "--name",
        "MyOtherService",
        "--spec",
        &more,
    ]);
    let added = proton.aws(&[
        "get-service-instance",
        "--name",
        "more",
        "--service-name",
        "MyOtherService",
    ]);
    assert_eq!(
        text(&added, "serviceInstance", "templateMinorVersion"),
        "0",
        "{added}"
    );
}

/// §4 and §8: where a component may go, its manifest's size, a retried delete; the services quota.
#[test]
fn components_need_a_place_and_a_component_role() {
    let proton = ProtonLocal::start(&["--quota", "services=1"]);
    platform(&proton);
    let template = file(&proton, "cloudformation.yaml", COMPONENT_TEMPLATE);
    let manifest = file(&proton, "manifest.yaml", MANIFEST);
    let create = |extra: &[&str]| {
        let mut args = vec![
            "create-component",
            "--name",
            "MyComponent",
            "--template-file",
            &template,
            "--manifest",
            &manifest,
        ];
        args.extend(extra);
        proton.cli().run(&args)
    };
    assert_code(
        create(&["--service-name", "MySimpleService"]).expect_err("no instance"),
        "ValidationException",
        "serviceName without serviceInstanceName",
    );
    assert_code(
        create(&[]).expect_err("nowhere"),
        "ValidationException",
        "neither an instance nor an environment",
    );
    let long_manifest = file(&proton, "long-manifest.yaml", &"#".repeat(1025));
    assert_code(
        proton
            .cli()
            .run(&[
                "create-component",
                "--name",
                "MyComponent",
                "--environment-name",
                "MySimpleEnv",
                "--template-file",
                &template,
                "--manifest",
                &long_manifest,
            ])
            .expect_err("1025 characters"),
        "ValidationException",
        "a manifest over 1024 characters",
    );
    create_environment(
        &proton,
        "NoComponentsEnv",
        &["--proton-service-role-arn", SERVICE_ROLE],
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    proton.aws(&["wait", "environment-deployed", "--name", "NoComponentsEnv"]);
    let refused = create(&["--environment-name", "NoComponentsEnv"]).expect_err("no role");
    assert!(
        refused.message.contains("componentRoleArn"),
        "{}",
        refused.message
    );
    assert_code(
        refused,
        "ValidationException",
        "an environment without a component role",
    );

    // supportedComponentSources changed later: the attached component stays, new attachments fail.
    component(&proton, "Attached", Some("instance-one"));
    proton.aws(&[
        "update-service-template-version",
        "--template-name",
        "fargate-service",
        "--major-version",
        "1",
        "--minor-version",
        "0",
        "--supported-component-sources",
        "[]",
    ]);
    let still = proton.aws(&["get-component", "--name", "Attached"]);
    assert_eq!(
        text(&still, "component", "serviceInstanceName"),
        "instance-one"
    );
    let refused = create(&[
        "--service-name",
        "MySimpleService",
        "--service-instance-name",
        "instance-two",
    ])
    .expect_err("no longer supported");
    assert_code(
        refused,
        "ValidationException",
        "attaching after the version dropped DIRECTLY_DEFINED",
    );

    component(&proton, "MyComponent", None);
    proton.aws(&["delete-component", "--name", "MyComponent"]);
    proton.aws(&["wait", "component-deleted", "--name", "MyComponent"]);
    let again = proton.aws_err(&["delete-component", "--name", "MyComponent"]);
    assert_code(again, "ResourceNotFoundException", "a retried delete");

    let second = create_service(&proton, "SecondService", &[("one", "MySimpleEnv")]);
    assert_code(
        second.expect_err("--quota services=1"),
        "ServiceQuotaExceededException",
        "the services quota",
    );
}

/// §5, §8 and §9: connections between the management and an environment account, the
/// repositories quota, tag key and value lengths.
#[test]
fn connections_are_one_per_environment_and_rejection_is_final() {
    let proton = ProtonLocal::start(&[
        "--account",
        "test:test:000000000000",
        "--account",
        &format!("envkey:envsecret:{ENV_ACCOUNT}"),
        "--account",
        "thirdkey:thirdsecret:222222222222",
        "--quota",
        "repositories=1",
    ]);
    let env_account = environment_account(&proton);
    let request_from =
        |cli: &proton_test_support::AwsCli, environment: &str, management: &str, role: bool| {
            let mut args = vec![
                "create-environment-account-connection",
                "--environment-name",
                environment,
                "--management-account-id",
                management,
            ];
            if role {
                args.extend([
                    "--role-arn",
                    "arn:aws:iam::111111111111:role/ProtonEnvAccountRole",
                ]);
            }
            cli.run(&args)
        };
    let request = |environment: &str, management: &str, role: bool| {
        request_from(&env_account, environment, management, role)
    };
    assert_code(
        request("self", ENV_ACCOUNT, true).expect_err("to itself"),
        "ValidationException",
        "management account = environment account",
    );
    assert_code(
        request("no-role", "000000000000", false).expect_err("no role"),
        "ValidationException",
        "neither roleArn nor codebuildRoleArn",
    );
    let id = connect(&proton);
    assert_code(
        request("simple-env-connected", "000000000000", true).expect_err("a second one"),
        "ConflictException",
        "a second connection for the same environment",
    );
    let elsewhere = proton.aws_err(&[
        "get-environment-account-connection",
        "--id",
        &id,
        "--region",
        "us-west-2",
    ]);
    assert_code(elsewhere, "ResourceNotFoundException", "another Region");

    let rejected =
        request("rejected-env", "000000000000", true).unwrap_or_else(|e| panic!("{e:?}"));
    let rejected = text(&rejected, "environmentAccountConnection", "id").to_string();
    proton.aws(&["reject-environment-account-connection", "--id", &rejected]);
    assert_code(
        proton.aws_err(&["accept-environment-account-connection", "--id", &rejected]),
        "ConflictException",
        "accepting a rejected connection",
    );
    assert_code(
        env_account
            .run(&[
                "update-environment-account-connection",
                "--id",
                &rejected,
                "--role-arn",
                "arn:aws:iam::111111111111:role/OtherRole",
            ])
            .expect_err("rejected"),
        "ConflictException",
        "updating a rejected connection",
    );
    // UpdateEnvironment keeps the method: no switch between a role and a connection, and a new
    // connection comes from the same environment account.
    connected_environment(&proton, &id);
    let switch = proton.aws_err(&[
        "update-environment",
        "--name",
        "simple-env-connected",
        "--deployment-type",
        "NONE",
        "--proton-service-role-arn",
        SERVICE_ROLE,
    ]);
    assert!(switch.message.contains("switch"), "{}", switch.message);
    assert_code(switch, "ValidationException", "connection to role");
    create_environment(
        &proton,
        "role-env",
        &["--proton-service-role-arn", SERVICE_ROLE],
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    proton.aws(&["wait", "environment-deployed", "--name", "role-env"]);
    let for_role_env =
        request("role-env", "000000000000", true).unwrap_or_else(|e| panic!("{e:?}"));
    let for_role_env = text(&for_role_env, "environmentAccountConnection", "id").to_string();
    proton.aws(&[
        "accept-environment-account-connection",
        "--id",
        &for_role_env,
    ]);
    let switch = proton.aws_err(&[
        "update-environment",
        "--name",
        "role-env",
        "--deployment-type",
        "NONE",
        "--environment-account-connection-id",
        &for_role_env,
    ]);
    assert!(switch.message.contains("switch"), "{}", switch.message);
    assert_code(switch, "ValidationException", "role to connection");
    let third = proton.cli().credentials("thirdkey", "thirdsecret");
    let elsewhere = request_from(&third, "simple-env-connected", "000000000000", true)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let elsewhere = text(&elsewhere, "environmentAccountConnection", "id").to_string();
    proton.aws(&["accept-environment-account-connection", "--id", &elsewhere]);
    let moved = proton.aws_err(&[
        "update-environment",
        "--name",
        "simple-env-connected",
        "--deployment-type",
        "NONE",
        "--environment-account-connection-id",
        &elsewhere,
    ]);
    assert!(
        moved.message.contains("environment account"),
        "{}",
        moved.message
    );
    assert_code(
        moved,
        "ValidationException",
        "a connection of another account",
    );

    let used = create_environment(
        &proton,
        "rejected-env",
        &["--environment-account-connection-id", &rejected],
    );
    assert_code(
        used.expect_err("rejected"),
        "ValidationException",
        "using a rejected connection",
    );
    // No AWS-managed tags on a connection.
    let conn_arn = text(
        &proton.aws(&["get-environment-account-connection", "--id", &id]),
        "environmentAccountConnection",
        "arn",
    )
    .to_string();
    let tags = proton.aws(&["list-tags-for-resource", "--resource-arn", &conn_arn]);
    assert_eq!(tags["tags"], serde_json::json!([]), "{tags}");

    // Repositories: --quota repositories=1; tags: value 0..256 characters, key 1..128.
    let repo = proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myorg/myrepo",
        "--connection-arn",
        CONN_ARN,
    ]);
    let refused = proton.aws_err(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myorg/second",
        "--connection-arn",
        CONN_ARN,
    ]);
    assert_code(
        refused,
        "ServiceQuotaExceededException",
        "the repositories quota",
    );
    let repo_arn = text(&repo, "repository", "arn").to_string();
    proton.aws(&[
        "tag-resource",
        "--resource-arn",
        &repo_arn,
        "--tags",
        "key=team,value=",
    ]);
    let long_key = format!("key={},value=x", "k".repeat(129));
    assert_code(
        proton.aws_err(&[
            "tag-resource",
            "--resource-arn",
            &repo_arn,
            "--tags",
            &long_key,
        ]),
        "ValidationException",
        "a tag key over 128 characters",
    );
}
