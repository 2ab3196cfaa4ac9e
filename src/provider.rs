//! The `provider "proton"` block: its schema and how it becomes a configured Proton client, the way
//! hashicorp/aws users know it (explicit settings first, then aws-config's standard chain).

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_sdk_proton::config::Region;
use aws_types::os_shim_internal::{Env, Fs};

use crate::aws::Proton;
use crate::aws::budget::{self, RequestBudget};
use crate::aws::http_client::{self, CaBundle};
use crate::engine::{
    BoxFuture, Configured, Engine, IgnoreTags, ProviderConfig, parse_duration, validate_tag_keys,
};
use crate::tf::schema::{Attribute, Block, NestedBlock, Schema, Validator};
use crate::tf::{AttributePath, Diagnostic, Diagnostics, Value};

pub struct AwsProvider;

/// The provider with everything it offers registered: what the binary serves and the docs describe.
pub fn engine() -> Engine {
    Engine::new(
        Box::new(AwsProvider),
        crate::resources::all(),
        crate::data_sources::all(),
    )
    .with_actions(crate::actions::all())
}

fn block() -> Block {
    Block::new(vec![
        Attribute::string("region").optional().describe(
            "AWS region of the Proton endpoint. Defaults to `AWS_REGION`, `AWS_DEFAULT_REGION` or the profile's region.",
        ),
        Attribute::string("profile")
            .optional()
            .describe("Named profile from the shared configuration files. Defaults to `AWS_PROFILE`."),
        Attribute::string("access_key")
            .optional()
            .sensitive()
            .describe("Access key ID. Set together with `secret_key`; defaults to the standard credential chain."),
        Attribute::string("secret_key")
            .optional()
            .sensitive()
            .describe("Secret access key. Set together with `access_key`."),
        Attribute::string("token")
            .optional()
            .sensitive()
            .describe("Session token for temporary credentials given in `access_key` and `secret_key`."),
        Attribute::string_list("shared_config_files")
            .optional()
            .describe("Paths of shared configuration files (default `~/.aws/config`)."),
        Attribute::string_list("shared_credentials_files")
            .optional()
            .describe("Paths of shared credentials files (default `~/.aws/credentials`)."),
        Attribute::string("custom_ca_bundle")
            .optional()
            .describe("Path of a PEM file of certificate authorities to trust besides the system's, for a private endpoint or a TLS-inspecting proxy. Defaults to `AWS_CA_BUNDLE`, then the profile's `ca_bundle`. The file is read when the provider is configured: a missing or unreadable file, or one without a usable PEM certificate, is an error."),
        Attribute::number("max_retries")
            .optional()
            .describe("How many times a failed or throttled API call is retried. Unset, the AWS SDK default applies: 3 attempts, that is 2 retries. Raise it for endpoints that throttle or fail often."),
        Attribute::number("max_requests_per_second")
            .optional()
            .describe("How many requests a second this provider sends to Proton at most, from every resource together: a hundred environments deploying at once share it, each of them polling for its deployment, and every SDK retry takes its share too. After a ThrottlingException answer every request not yet sent waits a second. Default 50 (AWS publishes no request rates for Proton); between 1 and 10000. Lower it when other clients share the account's limit and applies meet ThrottlingException."),
        Attribute::string("retry_mode")
            .optional()
            .validate(Validator::one_of(&["standard", "adaptive"]))
            .describe("`standard` (exponential backoff with jitter) or `adaptive` (also rate-limits the client when throttled)."),
        Attribute::bool("skip_credentials_validation").optional().describe(
            "Skip resolving credentials when the provider is configured. Errors then surface at the first API call.",
        ),
    ])
    .describe("Manages AWS Proton, or proton-local, its local stand-in.")
    .with_block(NestedBlock::single(
        "assume_role",
        Block::new(vec![
            Attribute::string("role_arn")
                .required()
                .validate(Validator::IamRoleArn)
                .describe("ARN of the role to assume."),
            Attribute::string("session_name")
                .optional()
                .describe("Session name (default `terraform-provider-proton`)."),
            Attribute::string("external_id")
                .optional()
                .describe("External ID the role's trust policy requires."),
            Attribute::string("duration")
                .optional()
                .describe("Session length as a duration such as `1h` (default `1h`)."),
        ])
        .describe("Assume an IAM role with the credentials found."),
    ))
    .with_block(NestedBlock::single(
        "endpoints",
        Block::new(vec![Attribute::string("proton").optional().describe(
            "Proton endpoint URL, e.g. proton-local's `http://127.0.0.1:4599`. Defaults to `AWS_ENDPOINT_URL_PROTON`, then AWS's endpoint.",
        )])
        .describe("Custom service endpoints."),
    ))
    .with_block(NestedBlock::single(
        "default_tags",
        Block::new(vec![Attribute::string_map("tags").optional().describe(
            "Tags set on every taggable resource; a resource's own `tags` win on the same key.",
        )])
        .describe("Tags for every resource this provider manages."),
    ))
    .with_block(NestedBlock::single(
        "ignore_tags",
        Block::new(vec![
            Attribute::string_set("keys")
                .optional()
                .describe("Tag keys to ignore."),
            Attribute::string_set("key_prefixes")
                .optional()
                .describe("Prefixes of tag keys to ignore."),
        ])
        .describe(
            "Tags the provider leaves alone on every resource and data source, as with hashicorp/aws: tags \
             with these keys, added outside Terraform (by a cost tool, a tagging policy, another team), are \
             neither shown in `tags` and `tags_all` (nor in a data source's `tags`) nor planned away; the \
             provider never sets or removes them. Keys starting with `aws:`, reserved by AWS (Proton's own \
             `aws:proton:*` tags among them), are always ignored.",
        ),
    ))
}

/// The `ignore_tags` block: keys and key prefixes (unknown or absent values count as none).
fn ignore_tags(config: &Value) -> IgnoreTags {
    let Some(block) = config.get("ignore_tags").filter(|block| !block.is_null()) else {
        return IgnoreTags::default();
    };
    IgnoreTags {
        keys: texts(block, "keys").into_iter().collect(),
        key_prefixes: texts(block, "key_prefixes").into_iter().collect(),
    }
}

/// A known string setting; unknown values (allowed at configure time) count as unset.
fn text<'a>(config: &'a Value, name: &str) -> Option<&'a str> {
    config.get(name).and_then(Value::as_str)
}

fn texts(config: &Value, name: &str) -> Vec<String> {
    config
        .get(name)
        .and_then(Value::elements)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn profile_files(config: &Value) -> Option<EnvConfigFiles> {
    let config_files = texts(config, "shared_config_files");
    let credentials_files = texts(config, "shared_credentials_files");
    if config_files.is_empty() && credentials_files.is_empty() {
        return None;
    }
    let mut builder = EnvConfigFiles::builder();
    for path in config_files {
        builder = builder.with_file(EnvConfigFileKind::Config, path);
    }
    for path in credentials_files {
        builder = builder.with_file(EnvConfigFileKind::Credentials, path);
    }
    Some(builder.build())
}

fn retry_config(config: &Value, diags: &mut Diagnostics) -> Option<RetryConfig> {
    let mode = text(config, "retry_mode");
    let max_retries = config.get("max_retries").and_then(Value::as_i64);
    if mode.is_none() && max_retries.is_none() {
        return None;
    }
    let mut retry = match mode {
        Some("adaptive") => RetryConfig::adaptive(),
        _ => RetryConfig::standard(),
    };
    if let Some(retries) = max_retries {
        match u32::try_from(retries) {
            Ok(retries) if retries < 100 => retry = retry.with_max_attempts(retries + 1),
            _ => diags.attribute_error(
                AttributePath::attribute("max_retries"),
                "Invalid attribute value",
                format!("max_retries must be between 0 and 99, got {retries}."),
            ),
        }
    }
    Some(retry)
}

/// `max_requests_per_second`: the provider's request budget.
fn request_rate(config: &Value, diags: &mut Diagnostics) -> f64 {
    let Some(rate) = config
        .get("max_requests_per_second")
        .and_then(Value::as_number)
    else {
        return budget::DEFAULT_RATE;
    };
    let rate = rate.as_f64();
    if (budget::MIN_RATE..=budget::MAX_RATE).contains(&rate) {
        return rate;
    }
    diags.attribute_error(
        AttributePath::attribute("max_requests_per_second"),
        "Invalid attribute value",
        format!(
            "max_requests_per_second must be between {} and {}, got {rate}.",
            budget::MIN_RATE,
            budget::MAX_RATE
        ),
    );
    budget::DEFAULT_RATE
}

/// Where the CA bundle was named, in hashicorp/aws's order.
#[derive(Debug, PartialEq)]
enum CaBundleSetting {
    Argument(String),
    Environment(String),
    Profile { profile: String, path: String },
}

impl CaBundleSetting {
    fn path(&self) -> &str {
        match self {
            CaBundleSetting::Argument(path)
            | CaBundleSetting::Environment(path)
            | CaBundleSetting::Profile { path, .. } => path,
        }
    }

    /// The diagnostic for a bundle that `problem`s ("cannot be read: ...").
    fn diagnostic(&self, problem: &str) -> Diagnostic {
        let path = self.path();
        match self {
            CaBundleSetting::Argument(_) => Diagnostic::error(
                "Invalid custom_ca_bundle",
                format!("The CA bundle {path:?} {problem}."),
            )
            .at(AttributePath::attribute("custom_ca_bundle")),
            CaBundleSetting::Environment(_) => Diagnostic::error(
                "Invalid AWS_CA_BUNDLE",
                format!(
                    "The CA bundle {path:?} named by the environment variable AWS_CA_BUNDLE {problem}. \
                     Fix the file or unset AWS_CA_BUNDLE (custom_ca_bundle in the provider block takes precedence)."
                ),
            ),
            CaBundleSetting::Profile { profile, .. } => Diagnostic::error(
                "Invalid ca_bundle in the AWS profile",
                format!(
                    "The CA bundle {path:?} named by ca_bundle in profile {profile:?} of the shared \
                     configuration {problem}. Fix the file or the profile (custom_ca_bundle in the \
                     provider block and AWS_CA_BUNDLE take precedence)."
                ),
            ),
        }
    }
}

/// The CA bundle setting: `custom_ca_bundle`, else `aws_ca_bundle` (`AWS_CA_BUNDLE`'s value, passed
/// in so that tests do not depend on the environment), else `ca_bundle` of the selected profile in
/// the shared configuration (empty values count as unset). The profile files are parsed only when
/// neither of the first two is set; a profile the SDK cannot load is left for the SDK to report.
async fn ca_bundle_setting(
    config: &Value,
    aws_ca_bundle: Option<String>,
) -> Option<CaBundleSetting> {
    if let Some(path) = text(config, "custom_ca_bundle").filter(|path| !path.is_empty()) {
        return Some(CaBundleSetting::Argument(path.to_string()));
    }
    if let Some(path) = aws_ca_bundle.filter(|path| !path.is_empty()) {
        return Some(CaBundleSetting::Environment(path));
    }
    let files = profile_files(config).unwrap_or_default();
    let selected = text(config, "profile").map(|name| Cow::Owned(name.to_string()));
    let profiles = aws_config::profile::load(&Fs::real(), &Env::real(), &files, selected)
        .await
        .ok()?;
    let path = profiles.get("ca_bundle").filter(|path| !path.is_empty())?;
    Some(CaBundleSetting::Profile {
        profile: profiles.selected_profile().to_string(),
        path: path.to_string(),
    })
}

/// The CA bundle to trust besides the system's roots, read and checked now, so that a bad one is an
/// error before any request. Reading it here rather than at the first connection costs a small file
/// per configured provider, and it is what lets the error name the setting: at the first connection
/// it could only fail a request (and a changed file could not be re-checked).
async fn ca_bundle(config: &Value, diags: &mut Diagnostics) -> Option<CaBundle> {
    let setting = ca_bundle_setting(config, std::env::var("AWS_CA_BUNDLE").ok()).await?;
    match CaBundle::read(Path::new(setting.path())) {
        Ok(bundle) => {
            tracing::debug!(
                ?setting,
                certificates = bundle.certificates(),
                "trusting a CA bundle besides the system's roots"
            );
            Some(bundle)
        }
        Err(problem) => {
            diags.push(setting.diagnostic(&problem));
            None
        }
    }
}

async fn configure(config: &Value) -> Result<Configured, Diagnostics> {
    let mut diags = Diagnostics::new();
    if let Some(tags) = config
        .get("default_tags")
        .and_then(|block| block.get("tags"))
    {
        validate_tag_keys(
            tags,
            AttributePath::attribute("default_tags").attr("tags"),
            &mut diags,
        );
    }
    let bundle = ca_bundle(config, &mut diags).await;
    // Request bodies are small JSON documents that fit in the socket's buffer, so the upload half of
    // stalled-stream protection only costs a timer per call; downloads keep it.
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http_client::trusting(bundle))
        .stalled_stream_protection(
            StalledStreamProtectionConfig::enabled()
                .upload_enabled(false)
                .build(),
        );
    if let Some(region) = text(config, "region") {
        loader = loader.region(Region::new(region.to_string()));
    }
    if let Some(profile) = text(config, "profile") {
        loader = loader.profile_name(profile);
    }
    if let Some(files) = profile_files(config) {
        loader = loader.profile_files(files);
    }
    match (text(config, "access_key"), text(config, "secret_key")) {
        (Some(access_key), Some(secret_key)) => {
            let token = text(config, "token").map(str::to_string);
            loader = loader.credentials_provider(Credentials::new(
                access_key,
                secret_key,
                token,
                None,
                "provider-block",
            ));
        }
        (Some(_), None) | (None, Some(_)) => diags.attribute_error(
            AttributePath::attribute(if text(config, "access_key").is_some() {
                "secret_key"
            } else {
                "access_key"
            }),
            "Incomplete credentials",
            "access_key and secret_key must be set together.",
        ),
        (None, None) => {}
    }
    if let Some(retry) = retry_config(config, &mut diags) {
        loader = loader.retry_config(retry);
    }
    let budget = RequestBudget::per_second(request_rate(config, &mut diags));
    if diags.has_errors() {
        return Err(diags);
    }
    let sdk = loader.load().await;
    if sdk.region().is_none() {
        return Err(Diagnostic::error(
            "No AWS region",
            "Set `region` in the provider block, or AWS_REGION in the environment, or a region in the AWS profile.",
        )
        .at(AttributePath::attribute("region"))
        .into());
    }
    let mut proton = aws_sdk_proton::config::Builder::from(&sdk);
    let mut credentials = sdk.credentials_provider();
    if let Some(role) = config.get("assume_role").filter(|v| !v.is_null())
        && let Some(role_arn) = text(role, "role_arn")
    {
        let mut builder = AssumeRoleProvider::builder(role_arn)
            .session_name(text(role, "session_name").unwrap_or("terraform-provider-proton"));
        if let Some(external_id) = text(role, "external_id") {
            builder = builder.external_id(external_id);
        }
        if let Some(duration) = text(role, "duration") {
            match parse_duration(duration) {
                Ok(length) => builder = builder.session_length(length),
                Err(problem) => {
                    return Err(Diagnostic::error(
                        "Invalid duration",
                        format!("{duration:?} is not a duration such as \"1h\": {problem}."),
                    )
                    .at(AttributePath::attribute("assume_role").attr("duration"))
                    .into());
                }
            }
        }
        let provider = builder.configure(&sdk).build().await;
        let shared = SharedCredentialsProvider::new(provider);
        proton = proton.credentials_provider(shared.clone());
        credentials = Some(shared);
    }
    let endpoint = config.get("endpoints").and_then(|e| text(e, "proton"));
    if let Some(endpoint) = endpoint {
        proton = proton.endpoint_url(endpoint);
    }
    if plain_http(endpoint) {
        let client = http_client::without_roots().map_err(|error| {
            Diagnostics::from(Diagnostic::error(
                "Cannot build the HTTP client",
                error.to_string(),
            ))
        })?;
        proton = proton.http_client(client);
    }
    let skip_validation = config
        .get("skip_credentials_validation")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !skip_validation {
        let resolved = match &credentials {
            Some(provider) => provider
                .provide_credentials()
                .await
                .map_err(|e| aws_smithy_types::error::display::DisplayErrorContext(e).to_string()),
            None => Err("no credentials provider is configured".to_string()),
        };
        if let Err(problem) = resolved {
            return Err(Diagnostic::error(
                "No valid AWS credentials",
                format!(
                    "The provider found no credentials: {problem}. Set access_key and secret_key, a profile, \
                     or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (proton-local accepts test/test)."
                ),
            )
            .into());
        }
    }
    let default_tags = config
        .get("default_tags")
        .and_then(|block| block.get("tags"))
        .map(crate::engine::tags_from_value)
        .unwrap_or_default();
    Ok(Configured {
        api: Arc::new(Proton::budgeted(proton.build(), &budget)),
        default_tags,
        ignore_tags: ignore_tags(config),
    })
}

/// Whether Proton is reached over plain HTTP (proton-local): the block's endpoint, else the SDK's
/// environment variables for it (unless the SDK is told to ignore them).
fn plain_http(endpoint: Option<&str>) -> bool {
    let from_env = || {
        let ignored = std::env::var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_ok_and(|value| value.eq_ignore_ascii_case("true"));
        ["AWS_ENDPOINT_URL_PROTON", "AWS_ENDPOINT_URL"]
            .iter()
            .filter(|_| !ignored)
            .find_map(|name| std::env::var(name).ok().filter(|url| !url.is_empty()))
    };
    endpoint
        .map(str::to_string)
        .or_else(from_env)
        .is_some_and(|url| url.to_ascii_lowercase().starts_with("http://"))
}

impl ProviderConfig for AwsProvider {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: block(),
        }
    }

    fn configure<'a>(
        &'a self,
        config: &'a Value,
    ) -> BoxFuture<'a, Result<Configured, Diagnostics>> {
        Box::pin(configure(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The attributes the engine adds to a resource's schema and handles itself, so models lack them.
    const ENGINE_OWNED: [&str; 3] = ["tags", "tags_all", "timeouts"];

    fn attribute_names(ty: &crate::tf::Type) -> std::collections::BTreeSet<&str> {
        match ty {
            crate::tf::Type::Object { attributes, .. } => {
                attributes.keys().map(String::as_str).collect()
            }
            other => panic!("a schema's type is an object, not {other:?}"),
        }
    }

    /// Every resource, data source and action `engine()` registers: its model's fields are its schema's
    /// attributes (nested ones too), apart from the engine's own, so no attribute silently reads as null.
    #[test]
    fn every_model_matches_its_schema() {
        assert_eq!(ENGINE_OWNED.as_slice(), crate::engine::ENGINE_OWNED);
        let engine = engine();
        let mut failures = Vec::new();
        let mut resources = crate::resources::all();
        for entry in engine.resources() {
            let name = entry.spec.type_name;
            let position = resources.iter().position(|r| r.spec().type_name == name);
            let resource = resources.remove(position.expect("registered"));
            let declared: std::collections::BTreeSet<&str> = (entry.spec.attributes.iter())
                .map(|a| a.name.as_str())
                .chain(entry.spec.blocks.iter().map(|b| b.name.as_str()))
                .collect();
            for added in attribute_names(&entry.ty).difference(&declared) {
                assert!(
                    ENGINE_OWNED.contains(added),
                    "{name}: {added} is not declared"
                );
            }
            if let Err(error) = resource.check_model(&entry.ty) {
                failures.push(format!("{name}: {error}"));
            }
        }
        assert!(
            resources.is_empty(),
            "not in the engine: {}",
            resources.len()
        );
        let mut data_sources = crate::data_sources::all();
        for entry in engine.data_sources() {
            let name = entry.spec.type_name;
            let position = data_sources.iter().position(|d| d.spec().type_name == name);
            let data_source = data_sources.remove(position.expect("registered"));
            if let Err(error) = data_source.check_model(&entry.ty) {
                failures.push(format!("data {name}: {error}"));
            }
        }
        assert!(
            data_sources.is_empty(),
            "not in the engine: {}",
            data_sources.len()
        );
        let mut actions = crate::actions::all();
        for entry in engine.actions() {
            let name = entry.spec.type_name;
            let position = actions.iter().position(|a| a.spec().type_name == name);
            let action = actions.remove(position.expect("registered"));
            if let Err(error) = action.check_model(&entry.ty) {
                failures.push(format!("action {name}: {error}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn only_an_http_endpoint_gets_the_client_without_roots() {
        assert!(plain_http(Some("http://127.0.0.1:4599")));
        assert!(plain_http(Some("HTTP://localhost:4599")));
        assert!(!plain_http(Some("https://proton.us-east-1.amazonaws.com")));
        assert!(http_client::without_roots().is_ok());
    }

    fn config(settings: &[(&str, Value)]) -> Value {
        Value::object(settings.iter().cloned())
    }

    #[test]
    fn the_request_budget_defaults_to_50_a_second_and_refuses_a_rate_out_of_bounds() {
        let mut diags = Diagnostics::new();
        assert_eq!(request_rate(&config(&[]), &mut diags), budget::DEFAULT_RATE);
        let five = config(&[("max_requests_per_second", Value::number(5))]);
        assert_eq!(request_rate(&five, &mut diags), 5.0);
        assert!(!diags.has_errors());
        for bad in [0, 20_000] {
            let mut diags = Diagnostics::new();
            let settings = config(&[("max_requests_per_second", Value::number(bad))]);
            request_rate(&settings, &mut diags);
            let diags = diags.into_vec();
            assert_eq!(diags.len(), 1, "{bad}: {diags:?}");
            assert_eq!(
                diags[0].path,
                Some(AttributePath::attribute("max_requests_per_second"))
            );
            assert!(
                diags[0].detail.contains("between 1 and 10000"),
                "{}",
                diags[0].detail
            );
        }
    }

    #[tokio::test]
    async fn custom_ca_bundle_comes_first_and_an_empty_one_counts_as_unset() {
        let set = config(&[("custom_ca_bundle", Value::string("/etc/corp-ca.pem"))]);
        assert_eq!(
            ca_bundle_setting(&set, None).await,
            Some(CaBundleSetting::Argument("/etc/corp-ca.pem".into()))
        );
        let empty = config(&[
            ("custom_ca_bundle", Value::string("")),
            ("shared_config_files", Value::List(vec![])),
        ]);
        assert!(!matches!(
            ca_bundle_setting(&empty, None).await,
            Some(CaBundleSetting::Argument(_))
        ));
    }

    #[tokio::test]
    async fn the_selected_profiles_ca_bundle_is_the_last_resort() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("config");
        std::fs::write(
            &file,
            "[default]\nca_bundle = /default.pem\n\n[profile corp]\nca_bundle = /corp.pem\n\n[profile plain]\nregion = us-east-1\n",
        )
        .expect("write config");
        let files = Value::List(vec![Value::string(file.to_string_lossy())]);
        let with_profile = |name: &str| {
            config(&[
                ("shared_config_files", files.clone()),
                ("profile", Value::string(name)),
            ])
        };
        assert_eq!(
            ca_bundle_setting(&with_profile("corp"), None).await,
            Some(CaBundleSetting::Profile {
                profile: "corp".into(),
                path: "/corp.pem".into()
            })
        );
        assert_eq!(ca_bundle_setting(&with_profile("plain"), None).await, None);
        assert_eq!(ca_bundle_setting(&with_profile("absent"), None).await, None);
        // The argument wins over the profile.
        let both = config(&[
            ("shared_config_files", files.clone()),
            ("profile", Value::string("corp")),
            ("custom_ca_bundle", Value::string("/arg.pem")),
        ]);
        assert_eq!(
            ca_bundle_setting(&both, None).await,
            Some(CaBundleSetting::Argument("/arg.pem".into()))
        );
    }

    #[tokio::test]
    async fn a_bad_bundle_is_a_configure_error_on_its_attribute() {
        let dir = tempfile::tempdir().expect("tempdir");
        let not_pem = dir.path().join("ca.der");
        std::fs::write(&not_pem, [0x30, 0x82, 0x01, 0x0a]).expect("write");
        for (path, problem) in [
            (dir.path().join("missing.pem"), "cannot be read"),
            (not_pem, "holds no PEM certificate"),
        ] {
            let settings = config(&[
                ("region", Value::string("us-east-1")),
                ("access_key", Value::string("test")),
                ("secret_key", Value::string("test")),
                ("custom_ca_bundle", Value::string(path.to_string_lossy())),
            ]);
            let Err(diags) = configure(&settings).await else {
                panic!("{} was accepted", path.display());
            };
            let diags = diags.into_vec();
            assert_eq!(diags.len(), 1, "{diags:?}");
            assert_eq!(diags[0].summary, "Invalid custom_ca_bundle");
            assert_eq!(
                diags[0].path,
                Some(AttributePath::attribute("custom_ca_bundle"))
            );
            assert!(
                diags[0].detail.contains(&*path.to_string_lossy())
                    && diags[0].detail.contains(problem),
                "{}",
                diags[0].detail
            );
        }
    }
}
