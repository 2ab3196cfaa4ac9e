//! The only code that calls aws-sdk-proton. Proton is closed to new customers and the SDK marks every
//! operation deprecated; that warning is acknowledged here, once, and nowhere else.
#![allow(deprecated)]

mod account_settings;
mod repository;
mod sync_config;
mod template_schemas;
mod template_versions;
mod templates;

pub use account_settings::SettingsChanges;
pub use repository::NewRepository;
pub use sync_config::{ServiceSync, TemplateSync};
pub use template_schemas::VersionSchema;
pub use template_versions::{
    CompatibleTemplate, NewTemplateVersion, TemplateVersion, VersionChanges, VersionId,
    VersionNumbers,
};
pub use templates::{NewTemplate, Template, TemplateKind};

mod component;
pub mod deployment_status;
mod environment;
mod environment_account_connection;
mod service;
mod service_instance;
mod service_pipeline;

pub use component::{ComponentUpdate, NewComponent};
pub use environment::{EnvironmentUpdate, NewEnvironment};
pub use environment_account_connection::NewEnvironmentAccountConnection;
pub use service::NewService;
pub use service_instance::{InstanceQuery, NewServiceInstance, ServiceInstanceUpdate};
pub use service_pipeline::ServicePipelineUpdate;

// Read-only calls behind the data sources.
mod deployments;
mod outputs;
mod resources_summary;
mod sync_status;

pub use deployments::DeploymentScope;
pub use outputs::Deployed;
pub use sync_status::{RepositorySync, ResourceSyncStatus};

pub mod budget;
pub mod http_client;
mod listing;
mod self_managed;

pub use listing::{ComponentFilter, InstanceFilter, ListedVersion, TemplateMajor};
pub use self_managed::DeploymentReport;

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_sdk_proton::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_proton::types::{
    DeploymentStatus, DeploymentUpdateType, RepositoryBranchInput, RepositoryProvider,
};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

pub use aws_sdk_proton::types;

/// A Proton client for one account and region.
#[derive(Clone, Debug)]
pub struct Proton {
    client: aws_sdk_proton::Client,
    /// Template version schemas already fetched (see `template_schemas`).
    memo: Arc<template_schemas::SchemaMemo>,
}

/// An API call that failed, classified by what callers do about it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid request: {0}")]
    Validation(String),
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("throttled: {0}")]
    Throttled(String),
    #[error("service quota exceeded: {0}")]
    QuotaExceeded(String),
    #[error("{code}: {message}")]
    Service { code: String, message: String },
    #[error("request failed: {0}")]
    Transport(String),
}

impl ApiError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ApiError::NotFound(_))
    }
}

fn classify<E, R>(error: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    let message = error.message().unwrap_or_default().to_string();
    match error.code() {
        Some("ResourceNotFoundException") => ApiError::NotFound(message),
        Some("ConflictException") => ApiError::Conflict(message),
        Some("ValidationException") => ApiError::Validation(message),
        Some("AccessDeniedException") => ApiError::AccessDenied(message),
        Some("ThrottlingException") => ApiError::Throttled(message),
        Some("ServiceQuotaExceededException") => ApiError::QuotaExceeded(message),
        Some(code) => ApiError::Service {
            code: code.to_string(),
            message,
        },
        None => ApiError::Transport(transport_failure(&error)),
    }
}

/// An error and its causes, each told once. (The SDK's own rendering appends a debug dump of the
/// whole chain, which buries the cause.)
fn causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(error) = cause {
        let line = error.to_string();
        if !line.is_empty() && !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        cause = error.source();
    }
    text
}

/// Whether `causes` tell of a TLS handshake that refused the endpoint's certificate (rustls's
/// wording: its error is boxed inside hyper's and the SDK's, out of reach of a downcast).
fn is_untrusted_certificate(causes: &str) -> bool {
    causes.contains("invalid peer certificate")
}

/// The SDK retries every connection failure; a refused certificate is refused again on every
/// attempt, so it fails the call at once instead of after the retries' back-off.
#[derive(Debug)]
struct CertificateRefusalIsFinal;

impl ClassifyRetry for CertificateRefusalIsFinal {
    fn classify_retry(&self, context: &InterceptorContext) -> RetryAction {
        let refused = context
            .output_or_error()
            .and_then(Result::err)
            .and_then(|error| error.as_connector_error())
            .is_some_and(|error| is_untrusted_certificate(&causes(error)));
        if refused {
            RetryAction::RetryForbidden
        } else {
            RetryAction::NoActionIndicated
        }
    }

    fn name(&self) -> &'static str {
        "certificate refusal is final"
    }
}

/// A failure that got no answer from Proton.
fn transport_failure(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = causes(error);
    if is_untrusted_certificate(&text) {
        text.push_str(
            " (the endpoint's certificate is not signed by a trusted authority: the provider \
             trusts the system's roots and custom_ca_bundle, or AWS_CA_BUNDLE)",
        );
    }
    text
}

/// RFC 3339 text for a timestamp, as Terraform users expect in state.
pub fn timestamp(time: &DateTime) -> String {
    time.fmt(Format::DateTime)
        .unwrap_or_else(|_| time.secs().to_string())
}

/// RFC 3339 text of a timestamp that may be absent (the API's shapes differ on which ones can be).
pub trait Stamp {
    fn stamp(self) -> Option<String>;
}

impl Stamp for &DateTime {
    fn stamp(self) -> Option<String> {
        Some(timestamp(self))
    }
}

impl Stamp for Option<&DateTime> {
    fn stamp(self) -> Option<String> {
        self.map(timestamp)
    }
}

/// `Ok(None)` for not found, so reads can tell "gone" from "failed".
fn none_if_not_found<T>(result: Result<T, ApiError>) -> Result<Option<T>, ApiError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Deleting what is already gone counts as deleted.
fn absent_counts_as_deleted(result: Result<(), ApiError>) -> Result<(), ApiError> {
    match result {
        Err(ApiError::NotFound(_)) => Ok(()),
        other => other,
    }
}

/// What a Get call answered with: `None` when Proton does not know the object (or sent none).
fn object_from_get<O, T, E, R>(
    sent: Result<O, SdkError<E, R>>,
    object: impl FnOnce(O) -> Option<T>,
) -> Result<Option<T>, ApiError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    Ok(none_if_not_found(sent.map_err(classify))?.and_then(object))
}

/// A call whose answer holds nothing the caller needs.
fn answer_unused<O, E, R>(sent: Result<O, SdkError<E, R>>) -> Result<(), ApiError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    sent.map(|_| ()).map_err(classify)
}

/// A Delete call; see [`absent_counts_as_deleted`].
fn deleted_or_already_gone<O, E, R>(sent: Result<O, SdkError<E, R>>) -> Result<(), ApiError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    absent_counts_as_deleted(answer_unused(sent))
}

/// The object a create or update answers with. Proton always sends it, so a missing one is a
/// broken answer, not a state of the object.
fn object_in_answer<T>(object: Option<T>, what: &str) -> Result<T, ApiError> {
    object.ok_or_else(|| ApiError::Transport(format!("the response holds no {what}")))
}

/// A request Proton refused with a conflict may be this request's own: the SDK retried one whose
/// answer was lost, or a re-run apply repeats a create. `adopt` reads what exists and keeps it only
/// when it is exactly what was asked for; then it is the result, otherwise the conflict stands.
async fn own_on_conflict<T, Fut>(
    result: Result<T, ApiError>,
    adopt: impl FnOnce() -> Fut,
) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    match result {
        Err(ApiError::Conflict(message)) => adopt().await?.ok_or(ApiError::Conflict(message)),
        other => other,
    }
}

/// What a deploying update asks for (`None`: as it is), to recognise the update's own deployment.
struct Asked<'a> {
    spec: Option<&'a str>,
    major: Option<&'a str>,
    minor: Option<&'a str>,
    description: Option<&'a str>,
}

/// An object that deploys a template, seen as a deploying update compares it with what it asked.
trait DeploysTemplate {
    fn status(&self) -> &DeploymentStatus;
    fn deployed_spec(&self) -> Option<&str>;
    fn versions(&self) -> (&str, &str);
    fn deployed_description(&self) -> Option<&str>;
}

/// The SDK's object types name these accessors alike but share no trait; `$description` reads the
/// description of a type that has one.
macro_rules! deploys_template {
    ($object:ty, $description:expr) => {
        impl DeploysTemplate for $object {
            fn status(&self) -> &DeploymentStatus {
                self.deployment_status()
            }
            fn deployed_spec(&self) -> Option<&str> {
                self.spec()
            }
            fn versions(&self) -> (&str, &str) {
                (self.template_major_version(), self.template_minor_version())
            }
            fn deployed_description(&self) -> Option<&str> {
                $description(self)
            }
        }
    };
}

deploys_template!(
    aws_sdk_proton::types::Environment,
    aws_sdk_proton::types::Environment::description
);
deploys_template!(aws_sdk_proton::types::ServicePipeline, |_| None);

/// Whether `current` is deploying exactly what was `asked`: in progress, the same spec (as YAML), the
/// versions and description asked for.
fn deploying_asked(current: &impl DeploysTemplate, asked: &Asked<'_>) -> bool {
    let spec_matches = match (current.deployed_spec(), asked.spec) {
        (Some(have), Some(want)) => have == want || crate::tf::schema::yaml_equal(have, want),
        _ => false,
    };
    let (major, minor) = current.versions();
    current.status() == &DeploymentStatus::InProgress
        && spec_matches
        && asked.major.is_none_or(|v| major == v)
        && asked.minor.is_none_or(|v| minor == v)
        && asked
            .description
            .is_none_or(|d| current.deployed_description().unwrap_or_default() == d)
}

/// A deploying update refused with a conflict because the object already deploys exactly what was
/// `asked` is this update's own deployment: the SDK retried a request whose answer was lost. That
/// deployment is the update's result, so the caller waits for it instead of failing.
async fn own_deployment_on_conflict<T, Fut>(
    result: Result<T, ApiError>,
    deployment_type: &DeploymentUpdateType,
    asked: Asked<'_>,
    current: impl FnOnce() -> Fut,
) -> Result<T, ApiError>
where
    T: DeploysTemplate,
    Fut: Future<Output = Result<Option<T>, ApiError>>,
{
    if deployment_type == &DeploymentUpdateType::None {
        return result;
    }
    own_on_conflict(result, || async {
        Ok(current()
            .await?
            .filter(|object| deploying_asked(object, &asked)))
    })
    .await
}

/// A repository branch Proton opens pull requests on: an environment's provisioning repository or
/// the account's pipeline provisioning repository.
#[derive(Clone, Copy, Debug)]
pub struct RepositoryBranch<'a> {
    pub provider: &'a str,
    pub name: &'a str,
    pub branch: &'a str,
}

impl RepositoryBranch<'_> {
    fn input(self) -> Result<RepositoryBranchInput, ApiError> {
        RepositoryBranchInput::builder()
            .provider(RepositoryProvider::from(self.provider))
            .name(self.name)
            .branch(self.branch)
            .build()
            .map_err(|e| ApiError::Validation(e.to_string()))
    }
}

/// An optional branch as the SDK's setters take it.
fn repository(
    repo: Option<RepositoryBranch<'_>>,
) -> Result<Option<RepositoryBranchInput>, ApiError> {
    repo.map(RepositoryBranch::input).transpose()
}

/// Optional text as the SDK's setters take it.
fn owned_text(text: Option<&str>) -> Option<String> {
    text.map(str::to_string)
}

/// Every item of a paginated request, following the SDK's paginator: it ends at a missing or empty
/// token, and at one equal to the token just sent (a service repeating itself would loop forever).
/// A macro because each operation's paginator is its own type and the stream type they share is
/// not nameable here.
macro_rules! all_items {
    ($request:expr) => {
        $request
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(classify)
    };
}
use all_items;

fn tag_list(tags: &BTreeMap<String, String>) -> Result<Option<Vec<types::Tag>>, ApiError> {
    if tags.is_empty() {
        return Ok(None);
    }
    tags.iter()
        .map(|(key, value)| {
            types::Tag::builder()
                .key(key)
                .value(value)
                .build()
                .map_err(|e| ApiError::Validation(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

impl Proton {
    pub fn new(config: aws_sdk_proton::Config) -> Self {
        let config = config
            .to_builder()
            .retry_classifier(CertificateRefusalIsFinal)
            .build();
        Self {
            client: aws_sdk_proton::Client::from_conf(config),
            memo: Arc::default(),
        }
    }

    /// A client whose requests all take their slot from `budget` first (the credential providers'
    /// requests, to STS or SSO, do not).
    pub fn budgeted(config: aws_sdk_proton::Config, budget: &Arc<budget::RequestBudget>) -> Self {
        let mut builder = config.to_builder();
        if let Some(client) = config.http_client() {
            builder = builder.http_client(budget.wrap(client));
        }
        Self::new(builder.build())
    }

    /// The resource's own tags. The `aws:` tags Proton adds (`aws:proton:*`) are read-only and never
    /// part of a configuration, so they are left out.
    pub async fn list_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, ApiError> {
        let tags = all_items!(self.client.list_tags_for_resource().resource_arn(arn))?;
        Ok(tags
            .iter()
            .filter(|tag| !tag.key().starts_with("aws:"))
            .map(|tag| (tag.key().to_string(), tag.value().to_string()))
            .collect())
    }

    /// Sets `upsert` and removes `remove` on the resource.
    pub async fn update_tags(
        &self,
        arn: &str,
        upsert: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), ApiError> {
        if !remove.is_empty() {
            self.client
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(classify)?;
        }
        if let Some(tags) = tag_list(upsert)? {
            self.client
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use aws_sdk_proton::config::retry::RetryConfig;
    use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
    use aws_smithy_runtime_api::client::http::{
        HttpConnector, HttpConnectorFuture, SharedHttpConnector, http_client_fn,
    };
    use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use serde_json::{Value, json};

    use super::*;

    /// An awsJson answer with this status and body, as Proton's endpoint sends it.
    pub(crate) fn json_answer(status: u16, body: &Value) -> HttpConnectorFuture {
        let mut response = HttpResponse::new(
            StatusCode::try_from(status).expect("status"),
            SdkBody::from(body.to_string()),
        );
        response
            .headers_mut()
            .insert("content-type", "application/x-amz-json-1.0");
        HttpConnectorFuture::ready(Ok(response))
    }

    /// A client configuration whose every request `endpoint` answers, with no retries.
    pub(crate) fn config_answered_by(
        endpoint: impl HttpConnector + 'static,
    ) -> aws_sdk_proton::Config {
        let connector = SharedHttpConnector::new(endpoint);
        aws_sdk_proton::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .endpoint_url("http://proton.test")
            .retry_config(RetryConfig::disabled())
            .http_client(http_client_fn(move |_, _| connector.clone()))
            .build()
    }

    /// A Proton endpoint that answers from a script (status, awsJson body) and records the
    /// `nextToken` of each request. proton-local never repeats a token, so this stands in for it.
    #[derive(Clone, Debug, Default)]
    struct Scripted {
        answers: Arc<Mutex<VecDeque<(u16, Value)>>>,
        tokens: Arc<Mutex<Vec<Option<String>>>>,
    }

    impl HttpConnector for Scripted {
        fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
            let sent: Value = request
                .body()
                .bytes()
                .and_then(|body| serde_json::from_slice(body).ok())
                .unwrap_or_default();
            let token = sent["nextToken"].as_str().map(str::to_string);
            self.tokens.lock().expect("tokens").push(token);
            let (status, body) = self
                .answers
                .lock()
                .expect("answers")
                .pop_front()
                .unwrap_or((
                    400,
                    json!({"__type": "ValidationException", "message": "unscripted"}),
                ));
            json_answer(status, &body)
        }
    }

    fn scripted(answers: Vec<(u16, Value)>) -> (Proton, Scripted) {
        let endpoint = Scripted::default();
        endpoint.answers.lock().expect("answers").extend(answers);
        let config = config_answered_by(endpoint.clone());
        (Proton::new(config), endpoint)
    }

    /// A ListTagsForResource page with one tag, `k<n>`.
    fn tag_page(n: u32, next: Option<&str>) -> (u16, Value) {
        let tags = json!([{"key": format!("k{n}"), "value": "v"}]);
        (200, json!({"tags": tags, "nextToken": next}))
    }

    async fn listed(
        answers: Vec<(u16, Value)>,
    ) -> (Result<Vec<String>, ApiError>, Vec<Option<String>>) {
        let (proton, endpoint) = scripted(answers);
        let tags = proton
            .list_tags("arn:aws:proton:us-east-1:000000000000:environment/e")
            .await
            .map(|tags| tags.into_keys().collect());
        let tokens = endpoint.tokens.lock().expect("tokens").clone();
        (tags, tokens)
    }

    #[tokio::test]
    async fn pages_are_followed_until_the_token_ends_or_repeats() {
        // The `nextToken` of each scripted page, and how many pages the listing reads.
        let cases: [(&[Option<&str>], usize, &str); 3] = [
            (
                &[Some("a"), Some("b"), None],
                3,
                "the last page has no token",
            ),
            (
                &[Some("a"), Some("a"), Some("a"), None],
                2,
                "a repeated token ends it",
            ),
            (&[Some("a"), Some(""), None], 2, "an empty token ends it"),
        ];
        for (next, pages, why) in cases {
            let answers = (1..).zip(next).map(|(n, t)| tag_page(n, *t)).collect();
            let (tags, tokens) = listed(answers).await;
            let keys: Vec<String> = (1..=pages).map(|n| format!("k{n}")).collect();
            assert_eq!(tags.expect("tags"), keys, "{why}");
            let asked =
                std::iter::once(None).chain(next[..pages - 1].iter().map(|t| owned_text(*t)));
            assert_eq!(tokens, asked.collect::<Vec<_>>(), "{why}");
        }
    }

    /// An endpoint whose connections fail (a TLS refusal or a reset), counting the attempts.
    #[derive(Debug)]
    struct Unreachable {
        certificate_refused: bool,
        attempts: Arc<Mutex<usize>>,
    }

    impl HttpConnector for Unreachable {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            *self.attempts.lock().expect("attempts") += 1;
            let io = if self.certificate_refused {
                std::io::Error::other(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::UnknownIssuer,
                ))
            } else {
                std::io::Error::from(std::io::ErrorKind::ConnectionReset)
            };
            HttpConnectorFuture::ready(Err(
                aws_smithy_runtime_api::client::result::ConnectorError::io(Box::new(io)),
            ))
        }
    }

    /// One call through `Proton` (3 attempts, 1 ms back-off) to an unreachable endpoint: its
    /// error, and how many connections were tried.
    async fn unreachable(certificate_refused: bool) -> (ApiError, usize) {
        let attempts = Arc::new(Mutex::new(0));
        let connector = SharedHttpConnector::new(Unreachable {
            certificate_refused,
            attempts: Arc::clone(&attempts),
        });
        let retries = RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(std::time::Duration::from_millis(1));
        let config = aws_sdk_proton::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
            .endpoint_url("https://proton.test")
            .retry_config(retries)
            .http_client(http_client_fn(move |_, _| connector.clone()))
            .build();
        let proton = Proton::new(config);
        let failed = proton.list_tags("arn:aws:proton:us-east-1:000000000000:environment/e");
        let error = failed.await.expect_err("nothing answers");
        let tried = *attempts.lock().expect("attempts");
        (error, tried)
    }

    #[tokio::test]
    async fn a_refused_certificate_is_not_retried_and_a_reset_is() {
        assert_eq!(unreachable(true).await.1, 1);
        assert_eq!(unreachable(false).await.1, 3);
    }

    #[tokio::test]
    async fn a_transport_failure_names_its_causes_once_and_no_debug_dump() {
        let (error, _) = unreachable(true).await;
        let ApiError::Transport(text) = error else {
            panic!("expected a transport failure: {error:?}");
        };
        assert!(
            text.contains("invalid peer certificate: UnknownIssuer"),
            "{text}"
        );
        assert_eq!(text.matches("UnknownIssuer").count(), 1, "{text}");
        assert!(text.contains("custom_ca_bundle"), "{text}");
        assert!(!text.contains("ConnectorError"), "{text}");
    }

    #[tokio::test]
    async fn a_failed_page_fails_the_listing_as_classified() {
        let gone = json!({"__type": "ResourceNotFoundException", "message": "gone"});
        let (tags, tokens) = listed(vec![tag_page(1, Some("a")), (404, gone)]).await;
        assert!(matches!(tags, Err(ApiError::NotFound(m)) if m == "gone"));
        assert_eq!(tokens, [None, owned_text(Some("a"))]);
    }
}
