//! Issue 13, work list item 14: the smaller validations, through the real AWS CLI written as the
//! User Guide's examples are. A component's `serviceSpec` goes only with an attachment; a service
//! whose template has no pipeline takes no `pipeline:` inputs, on update either; the creates the
//! model marks idempotent without a token (CreateRepository, Create*SyncConfig) answer a retry
//! with what the first call made.

use proton_test_support::ProtonLocal;

use crate::contract_components::{
    COMPONENT_TEMPLATE, MANIFEST, SERVICE_SPEC, assert_code, component, file, platform,
};

const CONN_ARN: &str = "arn:aws:codestar-connections:us-east-1:000000000000:connection/x";

fn assert_names_service_spec(e: proton_test_support::AwsError, why: &str) {
    assert!(e.message.contains("serviceSpec"), "{why}: {}", e.message);
    assert_code(e, "ValidationException", why);
}

/// M CreateComponentInput.serviceSpec / UpdateComponentInput.serviceSpec: "Set this only when
/// [the component is attached] to a service instance."
#[test]
fn service_spec_goes_only_with_an_attached_component() {
    let proton = ProtonLocal::start(&[]);
    platform(&proton);
    let template = file(&proton, "cloudformation.yaml", COMPONENT_TEMPLATE);
    let manifest = file(&proton, "manifest.yaml", MANIFEST);
    let spec = file(&proton, "service-spec.yaml", SERVICE_SPEC);

    let refused = proton.aws_err(&[
        "create-component",
        "--name",
        "MyComponent",
        "--environment-name",
        "MySimpleEnv",
        "--template-file",
        &template,
        "--manifest",
        &manifest,
        "--service-spec",
        &spec,
    ]);
    assert_names_service_spec(refused, "create on an environment with a service spec");
    component(&proton, "EnvComponent", None);
    let update = |extra: &[&str]| {
        let mut args = vec![
            "update-component",
            "--name",
            "EnvComponent",
            "--deployment-type",
            "CURRENT_VERSION",
        ];
        args.extend(extra);
        proton.cli().run(&args)
    };
    let refused = update(&["--service-spec", &spec]).expect_err("not attached");
    assert_names_service_spec(
        refused,
        "update of an environment component with a service spec",
    );

    // Attaching with a spec is what the spec is for; detaching with one is refused.
    let attached = update(&[
        "--service-name",
        "MySimpleService",
        "--service-instance-name",
        "instance-two",
        "--service-spec",
        &spec,
    ])
    .unwrap_or_else(|e| panic!("attach with a spec: {e:?}"));
    assert_eq!(
        attached["component"]["serviceInstanceName"], "instance-two",
        "{attached}"
    );
    proton.aws(&["wait", "component-deployed", "--name", "EnvComponent"]);
    let refused = update(&[
        "--service-name",
        "",
        "--service-instance-name",
        "",
        "--service-spec",
        &spec,
    ])
    .expect_err("a detach leaves nothing to read the spec");
    assert_names_service_spec(refused, "detach with a service spec");
    update(&["--service-name", "", "--service-instance-name", ""])
        .unwrap_or_else(|e| panic!("detach: {e:?}"));
}

/// M UpdateServiceInput.spec with M CreateServiceInput.spec: no `pipeline:` inputs for a service
/// whose template has no pipeline (`--pipeline-provisioning CUSTOMER_MANAGED`), on update too.
#[test]
fn update_service_refuses_pipeline_inputs_without_a_pipeline() {
    let proton = ProtonLocal::start(&[]);
    platform(&proton);
    let with_pipeline = SERVICE_SPEC.replace(
        "proton: ServiceSpec\n",
        "proton: ServiceSpec\npipeline:\n  my_sample_pipeline_required_input: \"hello\"\n",
    );
    let spec = file(&proton, "spec-with-pipeline.yaml", &with_pipeline);
    let refused = proton.aws_err(&[
        "update-service",
        "--name",
        "MySimpleService",
        "--spec",
        &spec,
    ]);
    assert!(refused.message.contains("pipeline"), "{}", refused.message);
    assert_code(
        refused,
        "ValidationException",
        "pipeline inputs, no pipeline",
    );
}

/// CreateRepository, CreateTemplateSyncConfig and CreateServiceSyncConfig are `idempotent` in the
/// model and take no client token: the same request again answers the same object; one with other
/// settings is a ConflictException (docs/proton-contract.md, Choices).
#[test]
fn retried_repository_and_sync_config_creates_answer_the_first_result() {
    let proton = ProtonLocal::start(&[]);
    platform(&proton);
    let repository = |connection: &str| {
        proton.cli().run(&[
            "create-repository",
            "--provider",
            "GITHUB",
            "--name",
            "myorg/myrepo",
            "--connection-arn",
            connection,
        ])
    };
    let first = repository(CONN_ARN).unwrap_or_else(|e| panic!("{e:?}"));
    let again = repository(CONN_ARN).unwrap_or_else(|e| panic!("retry: {e:?}"));
    assert_eq!(first, again);
    let other = repository("arn:aws:codestar-connections:us-east-1:000000000000:connection/y")
        .expect_err("another connection");
    assert_code(other, "ConflictException", "same name, other connection");
    let repos = proton.aws(&["list-repositories"]);
    assert_eq!(repos["repositories"].as_array().map(Vec::len), Some(1));

    let template_sync = |branch: &str| {
        proton.cli().run(&[
            "create-template-sync-config",
            "--template-name",
            "simple-env",
            "--template-type",
            "ENVIRONMENT",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "myorg/myrepo",
            "--branch",
            branch,
        ])
    };
    let first = template_sync("main").unwrap_or_else(|e| panic!("{e:?}"));
    let again = template_sync("main").unwrap_or_else(|e| panic!("retry: {e:?}"));
    assert_eq!(first, again);
    assert_code(
        template_sync("dev").expect_err("another branch"),
        "ConflictException",
        "template sync config with another branch",
    );

    let service_sync = |path: &str| {
        proton.cli().run(&[
            "create-service-sync-config",
            "--service-name",
            "MySimpleService",
            "--repository-provider",
            "GITHUB",
            "--repository-name",
            "myorg/myrepo",
            "--branch",
            "main",
            "--file-path",
            path,
        ])
    };
    let first = service_sync("proton-ops.yaml").unwrap_or_else(|e| panic!("{e:?}"));
    let again = service_sync("proton-ops.yaml").unwrap_or_else(|e| panic!("retry: {e:?}"));
    assert_eq!(first, again);
    assert_code(
        service_sync("ops/other.yaml").expect_err("another file"),
        "ConflictException",
        "service sync config with another file path",
    );
}

/// Template sync is simulated (docs/proton-contract.md: proton-local reaches no Git host): a sync
/// config answers a SUCCEEDED sync of its branch at once, and no template version is registered
/// from the repository (UG create-template-sync describes the real one, which does).
#[test]
fn template_sync_is_simulated_without_new_versions() {
    let proton = ProtonLocal::start(&[]);
    proton.aws(&["create-environment-template", "--name", "synced-env"]);
    proton.aws(&[
        "create-repository",
        "--provider",
        "GITHUB",
        "--name",
        "myorg/templates",
        "--connection-arn",
        CONN_ARN,
    ]);
    proton.aws(&[
        "create-template-sync-config",
        "--template-name",
        "synced-env",
        "--template-type",
        "ENVIRONMENT",
        "--repository-provider",
        "GITHUB",
        "--repository-name",
        "myorg/templates",
        "--branch",
        "main",
        "--subdirectory",
        "synced-env",
    ]);
    let status = proton.aws(&[
        "get-template-sync-status",
        "--template-name",
        "synced-env",
        "--template-type",
        "ENVIRONMENT",
        "--template-version",
        "1",
    ]);
    assert_eq!(status["latestSync"]["status"], "SUCCEEDED", "{status}");
    assert_eq!(status["desiredState"]["branch"], "main", "{status}");
    let repo = proton.aws(&[
        "get-repository-sync-status",
        "--repository-provider",
        "GITHUB",
        "--repository-name",
        "myorg/templates",
        "--branch",
        "main",
        "--sync-type",
        "TEMPLATE_SYNC",
    ]);
    assert_eq!(repo["latestSync"]["status"], "SUCCEEDED", "{repo}");
    let versions = proton.aws(&[
        "list-environment-template-versions",
        "--template-name",
        "synced-env",
    ]);
    assert_eq!(
        versions["templateVersions"],
        serde_json::json!([]),
        "no version comes from the repository: {versions}"
    );
}
