//! The HTTP client behind the Proton client and the credential providers.
//!
//! It is what the SDK builds by default (rustls with aws-lc, proxies from the environment, one
//! connector per timeout setting), with one difference: a connector, and with it the system's root
//! certificates, is made at the first request instead of when a client is built. The SDK's own client
//! reads and parses every root certificate inside `aws_config::load` (tens of milliseconds, at every
//! one of the several provider starts of a Terraform command); a start that answers without calling
//! AWS never pays that, and one that talks only to plain-HTTP proton-local uses [`without_roots`].

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use aws_smithy_http_client::ConnectorBuilder;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

use super::ApiError;

/// Connect and read timeouts: what distinguishes one connector from another (as in the SDK).
type Timeouts = (Option<Duration>, Option<Duration>);

#[derive(Debug)]
struct OnDemand {
    /// `None`: the system's root certificates, read when the first connector is made.
    tls: Option<TlsContext>,
    connectors: Mutex<HashMap<Timeouts, SharedHttpConnector>>,
}

impl HttpClient for OnDemand {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self
            .connectors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        connectors
            .entry(key)
            .or_insert_with(|| {
                let mut builder = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::AwsLc,
                ));
                if let Some(context) = &self.tls {
                    builder = builder.tls_context(context.clone());
                }
                builder.set_connector_settings(Some(settings.clone()));
                builder.set_sleep_impl(components.sleep_impl());
                builder.set_proxy_config(Some(ProxyConfig::from_env()));
                SharedHttpConnector::new(builder.build())
            })
            .clone()
    }

    // `validate_base_client_config` keeps its default (nothing): that is where the SDK's client
    // makes its connector eagerly.

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        Some(ConnectorMetadata::new("hyper", Some("1.x".into())))
    }
}

/// The SDK's default HTTPS client, making its connectors (and reading root certificates) on demand.
pub fn on_demand() -> SharedHttpClient {
    SharedHttpClient::new(OnDemand {
        tls: None,
        connectors: Mutex::default(),
    })
}

/// For a plain-HTTP endpoint such as proton-local: no certificate authority is trusted, so no root
/// certificate is ever read for a TLS that never happens.
pub fn without_roots() -> Result<SharedHttpClient, ApiError> {
    let trust_nothing = TlsContext::builder()
        .with_trust_store(TrustStore::empty())
        .build()
        .map_err(|error| ApiError::Transport(format!("cannot build the HTTP client: {error}")))?;
    Ok(SharedHttpClient::new(OnDemand {
        tls: Some(trust_nothing),
        connectors: Mutex::default(),
    }))
}
