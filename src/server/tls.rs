//! go-plugin AutoMTLS, server side.
//!
//! Terraform generates a throw-away self-signed client certificate (P-521, marked as a CA) and passes it
//! in `PLUGIN_CLIENT_CERT`. The plugin generates its own throw-away certificate, announces it in the
//! handshake line, and must accept only connections that present Terraform's certificate. Terraform then
//! verifies our certificate with that certificate as its only root, so ours is self-signed, marked as a
//! CA and valid for "localhost".
//!
//! Client authentication is by pinning: the presented certificate must be byte-identical to one passed
//! by Terraform, and the handshake signature must verify with its key. Path building would be wrong
//! here (webpki refuses a CA certificate as an end entity), and pinning is the stronger check anyway.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256,
};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

use crate::server::logging::civil_from_days;

/// A day in the past (dates have day precision here) so a client whose clock is a little behind still
/// accepts the certificate.
const BACKDATE: Duration = Duration::from_secs(24 * 3600);
/// About 30 years: the process lives minutes, but this is what go-plugin's own certificates use and the
/// clocks of the two sides never matter.
const VALIDITY_YEARS: i32 = 30;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("PLUGIN_CLIENT_CERT does not contain a PEM certificate: {0}")]
    ClientCertPem(String),
    #[error("cannot generate the plugin's TLS certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot build the TLS server configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// The crypto provider used everywhere in this process. Two providers are compiled in through
/// dependencies; rustls panics when none is chosen, so we choose aws-lc-rs (which also verifies P-521).
pub fn crypto_provider() -> Arc<CryptoProvider> {
    // Already installed (by us or by another component) is fine: our own configs name the provider
    // explicitly and never rely on the process default.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// The UTC calendar day containing `at` (1970-01-01 if the clock is unusable), as rcgen wants it.
fn utc_date(at: Option<SystemTime>) -> (i32, u8, u8) {
    let secs = at
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    // Years of this clock fit i32; months and days fit u8 by construction.
    (i32::try_from(year).unwrap_or(1970), month as u8, day as u8)
}

/// The plugin's own certificate and key, generated at start.
pub struct ServerIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ServerIdentity {
    /// A fresh self-signed P-256 certificate for "localhost", shaped like go-plugin's: CA, key usages
    /// digitalSignature + keyEncipherment + keyCertSign, extended key usages serverAuth + clientAuth.
    pub fn generate() -> Result<Self, TlsError> {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::new(vec!["localhost".to_owned()])?;
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "terraform-provider-proton");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
            KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let (y, m, d) = utc_date(SystemTime::now().checked_sub(BACKDATE));
        params.not_before = rcgen::date_time_ymd(y, m, d);
        // Same calendar day, VALIDITY_YEARS later (29 February has no such day in most years).
        let (y, m, d) = utc_date(Some(SystemTime::now()));
        let d = if m == 2 { d.min(28) } else { d };
        params.not_after = rcgen::date_time_ymd(y + VALIDITY_YEARS, m, d);
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert
    }

    /// The handshake line's last field: DER in standard base64 without padding.
    pub fn announced(&self) -> String {
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.cert.as_ref())
    }

    /// rustls configuration: TLS 1.2 and 1.3, ALPN "h2" (gRPC clients insist on it), and a client
    /// certificate that must be one of `pinned`.
    pub fn server_config(&self, pinned: PinnedClientCerts) -> Result<Arc<ServerConfig>, TlsError> {
        let provider = crypto_provider();
        let verifier = Arc::new(PinnedClientVerifier::new(
            pinned,
            provider.signature_verification_algorithms,
        ));
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![self.cert.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Arc::new(config))
    }
}

/// The certificates Terraform allows as clients (it passes exactly one).
#[derive(Debug, Clone)]
pub struct PinnedClientCerts(Vec<CertificateDer<'static>>);

impl PinnedClientCerts {
    /// Parses every certificate in the PEM text of `PLUGIN_CLIENT_CERT`.
    pub fn from_pem(pem: &str) -> Result<Self, TlsError> {
        let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::ClientCertPem(e.to_string()))?;
        if certs.is_empty() {
            return Err(TlsError::ClientCertPem("no CERTIFICATE block".into()));
        }
        Ok(Self(certs))
    }

    fn contains(&self, cert: &CertificateDer<'_>) -> bool {
        self.0.iter().any(|pinned| pinned.as_ref() == cert.as_ref())
    }
}

/// Requires a client certificate and accepts only a pinned one.
#[derive(Debug)]
struct PinnedClientVerifier {
    pinned: PinnedClientCerts,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientVerifier {
    fn new(pinned: PinnedClientCerts, algorithms: WebPkiSupportedAlgorithms) -> Self {
        Self { pinned, algorithms }
    }
}

impl ClientCertVerifier for PinnedClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: Go's client sends its only certificate regardless.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if self.pinned.contains(end_entity) {
            Ok(ClientCertVerified::assertion())
        } else {
            tracing::debug!(
                "refused a plugin client whose certificate is not the one Terraform passed"
            );
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PKCS_ECDSA_P521_SHA512;

    fn terraform_like_cert() -> rcgen::Certificate {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.self_signed(&key).unwrap()
    }

    #[test]
    fn announced_cert_is_unpadded_standard_base64_of_der() {
        let id = ServerIdentity::generate().unwrap();
        let text = id.announced();
        assert!(!text.ends_with('='));
        assert!(
            text.len() > 50,
            "go-plugin ignores a cert field of 50 chars or less"
        );
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(&text)
            .unwrap();
        assert_eq!(der, id.cert_der().as_ref());
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Go verifies our certificate with itself as the only root: it must be a CA, valid for
    /// "localhost", usable for serverAuth, and valid now. Checked on the DER encoding.
    #[test]
    fn server_certificate_has_the_shape_go_verifies() {
        let id = ServerIdentity::generate().unwrap();
        let der = id.cert_der().as_ref();
        // P-256 key.
        assert!(contains(
            der,
            &[0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        ));
        // SAN dNSName "localhost".
        let mut san = vec![0x82, 0x09];
        san.extend_from_slice(b"localhost");
        assert!(contains(der, &san));
        // basicConstraints present, cA TRUE.
        assert!(contains(der, &[0x06, 0x03, 0x55, 0x1D, 0x13]));
        assert!(contains(der, &[0x30, 0x03, 0x01, 0x01, 0xFF]));
        // keyUsage: digitalSignature (bit 0), keyEncipherment (2), keyCertSign (5).
        assert!(contains(der, &[0x06, 0x03, 0x55, 0x1D, 0x0F]));
        assert!(contains(der, &[0x03, 0x02, 0x02, 0xA4]));
        // extKeyUsage serverAuth and clientAuth.
        let eku = [0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03];
        assert!(contains(der, &[&eku[..], &[0x01]].concat()));
        assert!(contains(der, &[&eku[..], &[0x02]].concat()));
        // Not after: about 30 years ahead (GeneralizedTime, years from 2050 on).
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let (year, _, _) = civil_from_days((secs / 86_400) as i64);
        let mut not_after = vec![0x18, 0x0F];
        not_after.extend_from_slice((year + i64::from(VALIDITY_YEARS)).to_string().as_bytes());
        assert!(contains(der, &not_after));
    }

    #[test]
    fn pem_parsing_accepts_certificates_only() {
        let cert = terraform_like_cert();
        let pinned = PinnedClientCerts::from_pem(&cert.pem()).unwrap();
        assert!(pinned.contains(cert.der()));
        assert!(!pinned.contains(terraform_like_cert().der()));
        assert!(PinnedClientCerts::from_pem("").is_err());
        assert!(PinnedClientCerts::from_pem("not pem at all").is_err());
    }

    #[test]
    fn verifier_requires_and_pins() {
        let cert = terraform_like_cert();
        let provider = crypto_provider();
        let v = PinnedClientVerifier::new(
            PinnedClientCerts::from_pem(&cert.pem()).unwrap(),
            provider.signature_verification_algorithms,
        );
        assert!(v.client_auth_mandatory());
        assert!(v.root_hint_subjects().is_empty());
        assert!(
            v.verify_client_cert(cert.der(), &[], UnixTime::now())
                .is_ok()
        );
        let other = terraform_like_cert();
        assert!(
            v.verify_client_cert(other.der(), &[], UnixTime::now())
                .is_err()
        );
        assert!(
            v.supported_verify_schemes()
                .contains(&SignatureScheme::ECDSA_NISTP521_SHA512)
        );
    }

    #[test]
    fn server_config_builds_with_h2() {
        let id = ServerIdentity::generate().unwrap();
        let pinned = PinnedClientCerts::from_pem(&terraform_like_cert().pem()).unwrap();
        let config = id.server_config(pinned).unwrap();
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }
}
