//! The HTTP client behind the Proton client and the credential providers.
//!
//! It is what the SDK builds by default (rustls with aws-lc, proxies from the environment, one
//! connector per timeout setting), with two differences:
//!
//! - a connector, and with it the system's root certificates, is made at the first request instead of
//!   when a client is built. The SDK's own client reads and parses every root certificate inside
//!   `aws_config::load` (tens of milliseconds, at every one of the several provider starts of a
//!   Terraform command); a start that answers without calling AWS never pays that, and one that talks
//!   only to plain-HTTP proton-local uses [`without_roots`];
//! - certificate authorities of a [`CaBundle`] (`custom_ca_bundle`, `AWS_CA_BUNDLE`, a profile's
//!   `ca_bundle`) are trusted besides the system's, as the AWS CLI and the Go SDK do. The Rust SDK
//!   reads neither setting, and its trust store would panic (in its debug builds) on an empty system
//!   store or (in every build) on a certificate it cannot use; so the system's roots are loaded here,
//!   with the same loader the SDK uses, and only certificates rustls accepts reach the SDK.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use aws_smithy_http_client::ConnectorBuilder;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use base64::Engine as _;
use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::ApiError;

/// Connect and read timeouts: what distinguishes one connector from another (as in the SDK).
type Timeouts = (Option<Duration>, Option<Duration>);

/// Certificate authorities to trust besides the system's: a PEM file, read and checked when the
/// provider is configured, so that a bad file is a diagnostic before any request rather than a
/// failure at the first connection.
#[derive(Clone, Debug)]
pub struct CaBundle {
    /// The usable certificates, re-encoded as PEM: exactly what the SDK's trust store parses.
    pem: Arc<[u8]>,
    certificates: usize,
}

impl CaBundle {
    /// Reads and checks the PEM file at `path`. The error completes a sentence that starts with the
    /// file's name ("... cannot be read: ...").
    pub fn read(path: &Path) -> Result<CaBundle, String> {
        let pem = std::fs::read(path).map_err(|error| format!("cannot be read: {error}"))?;
        CaBundle::from_pem(&pem)
    }

    /// Checks PEM text: at least one certificate, no malformed PEM, and every certificate usable as a
    /// trust anchor (the SDK would panic on one that is not).
    pub fn from_pem(pem: &[u8]) -> Result<CaBundle, String> {
        if pem.iter().all(u8::is_ascii_whitespace) {
            return Err("is empty; it must hold PEM certificates \
                        (-----BEGIN CERTIFICATE----- blocks)"
                .into());
        }
        let certificates = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| format!("is not valid PEM: {error}"))?;
        if certificates.is_empty() {
            return Err(
                "holds no PEM certificate (-----BEGIN CERTIFICATE----- block); \
                        a DER file must be converted to PEM first"
                    .into(),
            );
        }
        let mut scratch = RootCertStore::empty();
        let mut encoded = Vec::new();
        for (index, certificate) in certificates.iter().enumerate() {
            scratch.add(certificate.clone()).map_err(|error| {
                format!(
                    "holds a certificate that cannot be trusted as a certificate authority \
                     (certificate {} of {}): {error}",
                    index + 1,
                    certificates.len()
                )
            })?;
            push_pem(&mut encoded, certificate);
        }
        Ok(CaBundle {
            pem: encoded.into(),
            certificates: certificates.len(),
        })
    }

    /// How many certificates the bundle holds.
    pub fn certificates(&self) -> usize {
        self.certificates
    }
}

/// Appends `certificate` to `pem` as a PEM block.
fn push_pem(pem: &mut Vec<u8>, certificate: &CertificateDer<'_>) {
    let body = base64::engine::general_purpose::STANDARD.encode(certificate.as_ref());
    let mut block = String::with_capacity(body.len() + body.len() / 64 + 64);
    block.push_str("-----BEGIN CERTIFICATE-----\n");
    for line in body.as_bytes().chunks(64) {
        // Base64 is ASCII, so every chunk is valid UTF-8.
        let _ = writeln!(block, "{}", String::from_utf8_lossy(line));
    }
    block.push_str("-----END CERTIFICATE-----\n");
    pem.extend_from_slice(block.as_bytes());
}

/// The system's root certificates that rustls accepts, as PEM, loaded once per process by the loader
/// the SDK uses (`rustls-native-certs`: the platform's store, or `SSL_CERT_FILE` / `SSL_CERT_DIR`
/// when set). Empty when there are none: then only a [`CaBundle`] is trusted.
static SYSTEM_ROOTS: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let loaded = rustls_native_certs::load_native_certs();
    if !loaded.errors.is_empty() {
        tracing::warn!(errors = ?loaded.errors, "errors loading the system's root certificates");
    }
    let mut scratch = RootCertStore::empty();
    let mut pem = Vec::new();
    for certificate in &loaded.certs {
        if scratch.add(certificate.clone()).is_ok() {
            push_pem(&mut pem, certificate);
        }
    }
    if scratch.is_empty() {
        tracing::warn!("no usable system root certificates found");
    }
    pem
});

/// What a client trusts.
#[derive(Debug)]
enum Trust {
    /// The system's roots and a bundle's, assembled when the first connector is made.
    System {
        bundle: Option<CaBundle>,
        /// `None` if the context could not be built (the SDK's builder cannot fail today).
        context: OnceLock<Option<TlsContext>>,
    },
    /// A fixed context (trusting nothing, for plain HTTP).
    Fixed(TlsContext),
}

impl Trust {
    fn context(&self) -> Option<&TlsContext> {
        match self {
            Trust::Fixed(context) => Some(context),
            Trust::System { bundle, context } => context.get_or_init(|| {
                // Native roots stay off in the SDK's store: they arrive here, filtered, as PEM.
                let mut store = TrustStore::empty();
                if !SYSTEM_ROOTS.is_empty() {
                    store.add_pem_certificate(SYSTEM_ROOTS.as_slice());
                }
                if let Some(bundle) = bundle {
                    store.add_pem_certificate(&bundle.pem[..]);
                }
                TlsContext::builder()
                    .with_trust_store(store)
                    .build()
                    .inspect_err(|error| {
                        tracing::error!(%error, "cannot build the TLS context; using the SDK's default trust");
                    })
                    .ok()
            })
            .as_ref(),
        }
    }
}

#[derive(Debug)]
struct OnDemand {
    trust: Trust,
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
                if let Some(context) = self.trust.context() {
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
    trusting(None)
}

/// [`on_demand`], trusting `bundle`'s certificate authorities besides the system's.
pub fn trusting(bundle: Option<CaBundle>) -> SharedHttpClient {
    SharedHttpClient::new(OnDemand {
        trust: Trust::System {
            bundle,
            context: OnceLock::new(),
        },
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
        trust: Trust::Fixed(trust_nothing),
        connectors: Mutex::default(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_pem(name: &str) -> String {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().expect("key");
        params.self_signed(&key).expect("certificate").pem()
    }

    fn problem(pem: &[u8]) -> String {
        CaBundle::from_pem(pem).expect_err("a bad bundle")
    }

    #[test]
    fn a_bundle_keeps_every_certificate_and_whatever_else_is_skipped() {
        let key = rcgen::KeyPair::generate().expect("key").serialize_pem();
        let text = format!(
            "comment lines are ignored\n{}{key}{}",
            ca_pem("one"),
            ca_pem("two")
        );
        let bundle = CaBundle::from_pem(text.as_bytes()).expect("a good bundle");
        assert_eq!(bundle.certificates(), 2);
        // What reaches the SDK is the certificates alone, in a form its parser takes.
        let again = CertificateDer::pem_slice_iter(&bundle.pem)
            .collect::<Result<Vec<_>, _>>()
            .expect("re-encoded PEM parses");
        let original = CertificateDer::pem_slice_iter(text.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .expect("PEM");
        assert_eq!(again, original);
    }

    #[test]
    fn an_empty_or_certificate_free_bundle_is_refused() {
        assert!(problem(b"").starts_with("is empty"));
        assert!(problem(b" \n\t\n").starts_with("is empty"));
        assert!(problem(b"not a certificate\n").starts_with("holds no PEM certificate"));
        let key = rcgen::KeyPair::generate().expect("key");
        assert!(problem(key.serialize_pem().as_bytes()).starts_with("holds no PEM certificate"));
        // DER, not PEM.
        let der = CertificateDer::pem_slice_iter(ca_pem("der").as_bytes())
            .next()
            .expect("one")
            .expect("PEM");
        assert!(problem(der.as_ref()).starts_with("holds no PEM certificate"));
    }

    #[test]
    fn malformed_pem_and_unusable_certificates_are_refused() {
        let pem = ca_pem("truncated");
        let truncated = &pem[..pem.len() / 2];
        assert!(
            problem(truncated.as_bytes()).starts_with("is not valid PEM"),
            "{}",
            problem(truncated.as_bytes())
        );
        let bad_base64 = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(problem(bad_base64.as_bytes()).starts_with("is not valid PEM"));
        // Well-formed PEM around bytes that are no X.509 certificate: the SDK would panic on it.
        let garbage = format!(
            "{}{}",
            ca_pem("good"),
            "-----BEGIN CERTIFICATE-----\nAAECAwQF\n-----END CERTIFICATE-----\n"
        );
        let why = problem(garbage.as_bytes());
        assert!(
            why.starts_with("holds a certificate that cannot be trusted")
                && why.contains("certificate 2 of 2"),
            "{why}"
        );
    }

    #[test]
    fn a_missing_file_says_why() {
        let why = CaBundle::read(Path::new("/nonexistent/ca.pem")).expect_err("missing");
        assert!(why.starts_with("cannot be read: "), "{why}");
        let dir = std::env::temp_dir();
        let why = CaBundle::read(&dir).expect_err("a directory");
        assert!(why.starts_with("cannot be read: "), "{why}");
    }

    #[test]
    fn clients_build_without_reading_anything() {
        // Neither the system's roots nor anything else is read before the first connection.
        let bundle = CaBundle::from_pem(ca_pem("lazy").as_bytes()).expect("bundle");
        let _ = trusting(Some(bundle));
        let _ = on_demand();
        assert!(without_roots().is_ok());
    }
}
