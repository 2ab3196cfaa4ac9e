//! proton-local through the real Rust SDK (aws-sdk-proton), and durability:
//! kill -9 during a burst of mutations, restart on the same --state, and
//! everything that was acknowledged is there.
#![allow(deprecated)] // every aws-sdk-proton operation is marked deprecated

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_proton::Client;
use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_proton::types::{
    DeploymentStatus, DeploymentUpdateType, S3ObjectSource, TemplateVersionSourceInput,
    TemplateVersionStatus,
};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use proton_test_support::{ProtonLocal, poll_until_async};

pub(crate) fn client(url: &str, key: &str, secret: &str) -> Client {
    let conf = aws_sdk_proton::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(key, secret, None, None, "test"))
        .retry_config(RetryConfig::disabled())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .build();
    Client::from_conf(conf)
}

/// The example environment bundle (proton-local reads it from the harness's `--bundles`).
fn s3() -> TemplateVersionSourceInput {
    TemplateVersionSourceInput::S3(
        S3ObjectSource::builder()
            .bucket(proton_test_support::BUNDLE_BUCKET)
            .key("vpc-environment.tar.gz")
            .build()
            .expect("s3 source"),
    )
}

async fn all_env_templates(c: &Client) -> Vec<String> {
    let mut names = vec![];
    let mut token: Option<String> = None;
    loop {
        let page = c
            .list_environment_templates()
            .max_results(7)
            .set_next_token(token.clone())
            .send()
            .await
            .expect("list");
        names.extend(page.templates().iter().map(|t| t.name().to_string()));
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_parses_answers_and_errors() {
    let proton = ProtonLocal::start(&["--deploy-seconds", "0"]);
    let c = client(proton.endpoint(), "test", "test");

    let t = c
        .create_environment_template()
        .name("sdk-t")
        .display_name("SDK")
        .send()
        .await
        .expect("create template");
    let t = t.environment_template().expect("template");
    assert_eq!(
        t.arn(),
        "arn:aws:proton:us-east-1:000000000000:environment-template/sdk-t"
    );
    assert!(t.created_at().secs() > 1_600_000_000);

    // The SDK fills in clientToken: a retry of the same call is the same version.
    let v = c
        .create_environment_template_version()
        .template_name("sdk-t")
        .source(s3())
        .send()
        .await
        .expect("create version");
    let v = v.environment_template_version().expect("version");
    assert_eq!(v.status(), &TemplateVersionStatus::RegistrationInProgress);
    c.update_environment_template_version()
        .template_name("sdk-t")
        .major_version("1")
        .minor_version("0")
        .status(TemplateVersionStatus::Published)
        .send()
        .await
        .expect("publish");

    let e = c
        .create_environment()
        .name("sdk-e")
        .template_name("sdk-t")
        .template_major_version("1")
        .spec("proton: EnvironmentSpec\nspec:\n  x: 1\n")
        .proton_service_role_arn("arn:aws:iam::000000000000:role/r")
        .send()
        .await
        .expect("create environment");
    assert_eq!(
        e.environment().map(|e| e.deployment_status()),
        Some(&DeploymentStatus::InProgress)
    );
    let g = c.get_environment().name("sdk-e").send().await.expect("get");
    let env = g.environment().expect("environment");
    assert_eq!(env.deployment_status(), &DeploymentStatus::Succeeded);
    assert_eq!(env.template_minor_version(), "0");
    let outs = c
        .list_environment_outputs()
        .environment_name("sdk-e")
        .send()
        .await
        .expect("outputs");
    // The outputs the vpc-environment bundle declares; `Tier` is its input's default.
    assert_eq!(outs.outputs().len(), 4);
    assert_eq!(outs.outputs()[3].key(), Some("Tier"));
    assert_eq!(outs.outputs()[3].value_string(), Some("development"));

    // Errors arrive as the SDK's typed errors.
    let err = c
        .get_environment()
        .name("missing")
        .send()
        .await
        .expect_err("not found");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err:?}"
    );
    let err = c
        .delete_environment_template()
        .name("sdk-t")
        .send()
        .await
        .expect_err("has versions");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_conflict_exception()),
        "{err:?}"
    );
    let err = c
        .create_environment_template()
        .name("no spaces")
        .send()
        .await
        .expect_err("invalid");
    let svc = err.into_service_error();
    assert!(svc.is_validation_exception(), "{svc:?}");
    // Display redacts the (sensitive) message; the metadata keeps it.
    let msg = svc.meta().message().unwrap_or_default();
    assert!(msg.contains("at 'name'"), "{msg}");
    let err = c
        .update_environment()
        .name("sdk-e")
        .deployment_type(DeploymentUpdateType::MajorVersion)
        .send()
        .await
        .expect_err("no newer major");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_validation_exception())
    );

    // Signatures are checked: a wrong secret is refused.
    let bad = client(proton.endpoint(), "test", "not-the-secret");
    let err = bad
        .list_environments()
        .send()
        .await
        .expect_err("bad signature");
    let raw = err.raw_response().map(|r| r.status().as_u16());
    assert_eq!(raw, Some(403), "{err:?}");

    // Async delete: DELETE_IN_PROGRESS, then gone.
    let d = c
        .delete_environment()
        .name("sdk-e")
        .send()
        .await
        .expect("delete");
    assert_eq!(
        d.environment().map(|e| e.deployment_status()),
        Some(&DeploymentStatus::DeleteInProgress)
    );
    let d = c
        .delete_environment()
        .name("sdk-e")
        .send()
        .await
        .expect("delete again");
    assert!(d.environment().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().expect("utf-8 path").to_string();
    let proton = ProtonLocal::start(&[
        "--state",
        &state_arg,
        "--deploy-seconds",
        "2",
        "--quota",
        "templates=2000",
    ]);
    let url = proton.endpoint().to_string();

    // A registration in flight when the process dies.
    let c = client(&url, "test", "test");
    c.create_environment_template()
        .name("inflight")
        .send()
        .await
        .expect("template");
    c.create_environment_template_version()
        .template_name("inflight")
        .source(s3())
        .send()
        .await
        .expect("version");

    // A burst of creates from several workers; remember what was acknowledged.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let attempted = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut workers = vec![];
    for w in 0..6 {
        let (acked, attempted, url) = (Arc::clone(&acked), Arc::clone(&attempted), url.clone());
        workers.push(tokio::spawn(async move {
            let c = client(&url, "test", "test");
            for i in 0..200 {
                let name = format!("w{w}-{i}");
                attempted.lock().unwrap().push(name.clone());
                match c.create_environment_template().name(&name).send().await {
                    Ok(_) => acked.lock().unwrap().push(name),
                    Err(_) => break,
                }
            }
        }));
    }
    // Kill once a good number of mutations were acknowledged (bounded wait).
    poll_until_async(
        "60 acknowledged creates",
        Duration::from_secs(12),
        || async { (acked.lock().unwrap().len() >= 60).then_some(()) },
    )
    .await;
    drop(proton); // SIGKILL: no chance to flush or clean up
    for w in workers {
        let _ = tokio::time::timeout(Duration::from_secs(60), w).await;
    }
    let acked = acked.lock().unwrap().clone();
    let attempted = attempted.lock().unwrap().clone();
    assert!(
        acked.len() >= 60,
        "only {} acknowledged before the kill",
        acked.len()
    );
    assert!(!Path::new(&format!("{state_arg}.tmp")).exists() || state.exists());

    // Restart on the same state: everything acknowledged is there, nothing invented.
    let proton = ProtonLocal::start(&[
        "--state",
        &state_arg,
        "--deploy-seconds",
        "2",
        "--quota",
        "templates=2000",
    ]);
    let c = client(proton.endpoint(), "test", "test");
    let names = all_env_templates(&c).await;
    for a in &acked {
        assert!(names.contains(a), "acknowledged template {a} was lost");
    }
    for n in &names {
        assert!(
            n == "inflight" || attempted.contains(n),
            "unexpected template {n}"
        );
    }
    // The in-flight registration finishes after the restart (its deadline and bundle were stored).
    let version = poll_until_async(
        "the in-flight registration",
        Duration::from_secs(30),
        || async {
            let v = c
                .get_environment_template_version()
                .template_name("inflight")
                .major_version("1")
                .minor_version("0")
                .send()
                .await
                .expect("get version");
            v.environment_template_version()
                .filter(|v| *v.status() == TemplateVersionStatus::Draft)
                .cloned()
        },
    )
    .await;
    let schema = version.schema().unwrap_or_default();
    assert!(
        schema.contains("environment_input_type: \"VpcEnvironmentInput\""),
        "the schema of the bundle registered before the restart: {schema:?}"
    );
}
