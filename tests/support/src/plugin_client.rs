//! Terraform's side of a plugin connection: its client certificate and a TLS client shaped like
//! Terraform's (Go's crypto/tls), connecting over the unix socket or TCP address the plugin announced.
//!
//! Shared by tests/plugin_handshake.rs and benches/protocol.rs (`mod plugin_client;` or
//! `#[path = "../tests/plugin_client/mod.rs"] mod plugin_client;`).

use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, PKCS_ECDSA_P521_SHA512};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::net::UnixStream;
use tonic::codegen::Service;
use tonic::transport::{Channel, Endpoint, Uri};

/// Terraform's client certificate: the PEM goes to the plugin in PLUGIN_CLIENT_CERT.
pub struct ClientIdentity {
    pub pem: String,
    pub der: CertificateDer<'static>,
    pub key: PrivatePkcs8KeyDer<'static>,
}

/// Like Terraform's: self-signed P-521, marked as a CA, for "localhost".
pub fn terraform_like_identity() -> ClientIdentity {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P521_SHA512).expect("generate a P-521 key");
    let mut params =
        CertificateParams::new(vec!["localhost".to_owned()]).expect("certificate parameters");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let cert = params.self_signed(&key).expect("self-sign the certificate");
    ClientIdentity {
        pem: cert.pem(),
        der: cert.der().clone(),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
    }
}

/// Go trusts exactly the announced certificate as root and leaf; pinning its bytes is the equivalent.
#[derive(Debug)]
struct TrustAnnounced {
    cert: CertificateDer<'static>,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for TrustAnnounced {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(server_name.to_str(), "localhost");
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[derive(Clone, Copy)]
pub enum TlsVersions {
    Both,
    Only12,
}

/// The TLS client config: the announced certificate pinned, `client` presented when given, ALPN h2.
pub fn client_config(
    server_cert: &CertificateDer<'static>,
    client: Option<&ClientIdentity>,
    versions: TlsVersions,
) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(TrustAnnounced {
        cert: server_cert.clone(),
        provider: Arc::clone(&provider),
    });
    let versions: &[&'static rustls::SupportedProtocolVersion] = match versions {
        TlsVersions::Both => &[&rustls::version::TLS13, &rustls::version::TLS12],
        TlsVersions::Only12 => &[&rustls::version::TLS12],
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)
        .expect("aws-lc-rs supports TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match client {
        Some(id) => builder
            .with_client_auth_cert(
                vec![id.der.clone()],
                PrivateKeyDer::Pkcs8(id.key.clone_key()),
            )
            .expect("the client key matches its certificate"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

/// Where the plugin listens.
#[derive(Clone, Debug)]
pub enum Address {
    Unix(PathBuf),
    Tcp(std::net::SocketAddr),
}

/// Connects to the plugin, TLS when `tls` is given.
#[derive(Clone)]
struct Connector {
    address: Address,
    tls: Option<Arc<ClientConfig>>,
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Io for T {}

impl Service<Uri> for Connector {
    type Response = TokioIo<Box<dyn Io>>;
    type Error = std::io::Error;
    type Future =
        Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let stream: Box<dyn Io> = match &this.address {
                Address::Unix(path) => Box::new(UnixStream::connect(path).await?),
                Address::Tcp(addr) => Box::new(tokio::net::TcpStream::connect(addr).await?),
            };
            let io: Box<dyn Io> = match this.tls {
                None => stream,
                Some(config) => {
                    let name = ServerName::try_from("localhost").expect("a valid server name");
                    let tls = tokio_rustls::TlsConnector::from(config)
                        .connect(name, stream)
                        .await?;
                    Box::new(tls)
                }
            };
            Ok(TokioIo::new(io))
        })
    }
}

/// A gRPC channel to the plugin (unbounded in time: callers add their own deadline).
pub async fn connect(
    address: Address,
    tls: Option<Arc<ClientConfig>>,
) -> Result<Channel, tonic::transport::Error> {
    connect_with_window(address, tls, None).await
}

/// Go's gRPC client (Terraform's) opens each stream and the connection with a 64 KiB HTTP/2
/// receive window; hyper's client, behind `connect`, opens them at 2 MiB and 5 MiB.
pub const GO_GRPC_INITIAL_WINDOW: u32 = 65_535;

/// `connect`, with HTTP/2 receive windows of `window` bytes for each stream and the connection
/// (hyper's defaults when `None`).
pub async fn connect_with_window(
    address: Address,
    tls: Option<Arc<ClientConfig>>,
    window: Option<u32>,
) -> Result<Channel, tonic::transport::Error> {
    let connector = Connector { address, tls };
    Endpoint::from_static("http://localhost")
        .initial_stream_window_size(window)
        .initial_connection_window_size(window)
        .connect_with_connector(connector)
        .await
}
