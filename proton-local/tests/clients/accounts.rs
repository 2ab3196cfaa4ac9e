//! proton-local's side of issue 7, item 7, over the wire with the real AWS SDK: a correctly signed
//! request whose body was changed after signing is refused and changes nothing, and one account can
//! neither see nor change another account's resources (by name or by ARN).
//!
//! Unsigned requests and unknown keys: http.rs; a wrong secret: the AWS CLI in
//! aws_cli.rs; clock skew and malformed signatures: the unit tests of proton-local's
//! SigV4 verifier.
#![allow(deprecated)] // every aws-sdk-proton operation is marked deprecated

use aws_sdk_proton::Client;
use aws_sdk_proton::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_proton::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_proton::types::Tag;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use proton_test_support::ProtonLocal;

const A: (&str, &str, &str) = ("akid-a", "secret-a", "000000000000");
const B: (&str, &str, &str) = ("akid-b", "secret-b", "111111111111");

fn client(proton: &ProtonLocal, (key, secret, _): (&str, &str, &str)) -> Client {
    Client::from_conf(
        aws_sdk_proton::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(proton.endpoint())
            .credentials_provider(Credentials::new(key, secret, None, None, "test"))
            .retry_config(RetryConfig::disabled())
            .build(),
    )
}

fn start() -> ProtonLocal {
    let account = |(k, s, a): (&str, &str, &str)| format!("{k}:{s}:{a}");
    ProtonLocal::start(&["--account", &account(A), "--account", &account(B)])
}

/// Rewrites one byte string in the body after the request was signed (same length, so the
/// Content-Length header still fits).
#[derive(Debug)]
struct Tamper {
    from: &'static str,
    to: &'static str,
}

impl Intercept for Tamper {
    fn name(&self) -> &'static str {
        "Tamper"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        assert_eq!(self.from.len(), self.to.len());
        let body = context
            .request()
            .body()
            .bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default();
        assert!(body.contains(self.from), "{body}");
        *context.request_mut().body_mut() = SdkBody::from(body.replace(self.from, self.to));
        Ok(())
    }
}

fn code<E: aws_sdk_proton::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("(none)").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_changed_after_signing_is_refused() {
    let proton = start();
    let a = client(&proton, A);
    let err = a
        .create_environment_template()
        .name("signed-name")
        .customize()
        .interceptor(Tamper {
            from: "signed-name",
            to: "forged-name",
        })
        .send()
        .await
        .expect_err("a forged body must be refused");
    assert_eq!(
        err.raw_response().map(|r| r.status().as_u16()),
        Some(403),
        "{err:?}"
    );
    assert_eq!(
        err.as_service_error().map(code).as_deref(),
        Some("InvalidSignatureException"),
        "{err:?}"
    );
    let listed = a.list_environment_templates().send().await.expect("list");
    assert!(listed.templates().is_empty(), "{listed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_account_cannot_see_or_change_another_accounts_resources() {
    let proton = start();
    let (a, b) = (client(&proton, A), client(&proton, B));
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().expect("tag");
    let created = a
        .create_environment_template()
        .name("shared")
        .description("owned by A")
        .tags(tag("owner", "a"))
        .send()
        .await
        .expect("A creates");
    let arn = created
        .environment_template()
        .map(|t| t.arn().to_string())
        .expect("arn");
    assert!(arn.contains(A.2), "{arn}");

    // By name: B sees nothing and changes nothing.
    let e = b
        .get_environment_template()
        .name("shared")
        .send()
        .await
        .expect_err("B cannot read A's template");
    assert_eq!(
        e.as_service_error().map(code).as_deref(),
        Some("ResourceNotFoundException")
    );
    let listed = b
        .list_environment_templates()
        .send()
        .await
        .expect("B lists");
    assert!(
        listed.templates().is_empty(),
        "B lists A's templates: {listed:?}"
    );
    let e = b
        .update_environment_template()
        .name("shared")
        .description("B was here")
        .send()
        .await
        .expect_err("B cannot update A's template");
    assert_eq!(
        e.as_service_error().map(code).as_deref(),
        Some("ResourceNotFoundException")
    );
    let e = b
        .create_environment_template_version()
        .template_name("shared")
        .source(aws_sdk_proton::types::TemplateVersionSourceInput::S3(
            aws_sdk_proton::types::S3ObjectSource::builder()
                .bucket("proton-bundles")
                .key("vpc-environment.tar.gz")
                .build()
                .expect("source"),
        ))
        .send()
        .await
        .expect_err("B cannot add versions to A's template");
    assert_eq!(
        e.as_service_error().map(code).as_deref(),
        Some("ResourceNotFoundException")
    );
    // Deleting a name B does not have is the idempotent "already gone" answer, and A keeps it.
    let _ = b.delete_environment_template().name("shared").send().await;

    // By ARN: tags of A's template are neither readable nor writable from B.
    for attempt in ["list", "tag", "untag"] {
        let refused = match attempt {
            "list" => b
                .list_tags_for_resource()
                .resource_arn(&arn)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| e.as_service_error().map(code)),
            "tag" => b
                .tag_resource()
                .resource_arn(&arn)
                .tags(tag("owner", "b"))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| e.as_service_error().map(code)),
            _ => b
                .untag_resource()
                .resource_arn(&arn)
                .tag_keys("owner")
                .send()
                .await
                .map(|_| ())
                .map_err(|e| e.as_service_error().map(code)),
        };
        match refused {
            Err(Some(code))
                if code == "ResourceNotFoundException" || code == "AccessDeniedException" => {}
            other => panic!("B's {attempt} of A's tags: {other:?}"),
        }
    }

    // B's own template of the same name is B's alone.
    b.create_environment_template()
        .name("shared")
        .description("owned by B")
        .send()
        .await
        .expect("B creates its own");
    let own = a
        .get_environment_template()
        .name("shared")
        .send()
        .await
        .expect("A still has its template");
    assert_eq!(
        own.environment_template().and_then(|t| t.description()),
        Some("owned by A")
    );
    let tags = a
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .expect("A's tags");
    let tags: Vec<(String, String)> = tags
        .tags()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    // The customer's tags, plus the aws:proton:* tags Proton manages, in A's account.
    let (managed, customer): (Vec<_>, Vec<_>) =
        tags.into_iter().partition(|(k, _)| k.starts_with("aws:"));
    assert_eq!(customer, [("owner".to_string(), "a".to_string())]);
    assert!(
        managed.contains(&("aws:proton:account".to_string(), "000000000000".to_string())),
        "{managed:?}"
    );
    assert_eq!(
        a.list_environment_templates()
            .send()
            .await
            .expect("A lists")
            .templates()
            .len(),
        1
    );
}
