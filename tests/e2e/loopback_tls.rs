//! A throw-away certificate authority and a TLS server on loopback for the tests that serve HTTPS
//! (`https_endpoint`, `registry_protocol`): the client is told to trust the CA through
//! `SSL_CERT_FILE`.

use std::fs;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use proton_test_support::Workspace;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A throw-away certificate authority.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("CA key");
        TestCa {
            issuer: CertifiedIssuer::self_signed(params, key).expect("CA certificate"),
        }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `localhost` and 127.0.0.1 issued by this CA: chain and key.
    pub fn localhost(&self) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .expect("server params");
        let key = KeyPair::generate().expect("server key");
        let cert = params.signed_by(&key, &self.issuer).expect("server cert");
        (
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }

    /// A TLS acceptor presenting the `localhost` certificate, offering the `alpn` protocols.
    pub fn localhost_acceptor(&self, alpn: &[&[u8]]) -> TlsAcceptor {
        let (chain, key) = self.localhost();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server config");
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        TlsAcceptor::from(Arc::new(config))
    }
}

/// Terraform and the providers it starts trust the certificates in `ca_file` alone (an empty file:
/// none) and use no proxy for loopback.
pub fn trust_only(ws: &mut Workspace, ca_file: &Path) {
    ws.set_env("SSL_CERT_FILE", &ca_file.to_string_lossy());
    // The host may set SSL_CERT_DIR too (this one does); an empty directory adds no roots.
    let no_roots = ws.dir().join("no-roots");
    fs::create_dir_all(&no_roots).expect("mkdir no-roots");
    ws.set_env("SSL_CERT_DIR", &no_roots.to_string_lossy());
    for key in ["NO_PROXY", "no_proxy"] {
        ws.set_env(key, "localhost,127.0.0.1");
    }
}

/// `pem` in a file of `dir`, for `SSL_CERT_FILE`.
pub fn write_pem(dir: &Path, name: &str, pem: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, pem).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    path
}

/// Accepts TLS on a free loopback port and hands each connection (or why its handshake failed) to a
/// handler, on a runtime of its own. Stops, with the runtime, when dropped.
pub struct TlsServer {
    address: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl TlsServer {
    pub fn start<H, F>(acceptor: TlsAcceptor, handle: H) -> TlsServer
    where
        H: Fn(Result<TlsStream<TcpStream>, String>) -> F + Send + Sync + 'static,
        F: Future<Output = ()> + Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let handle = Arc::new(handle);
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let handle = Arc::clone(&handle);
                tokio::spawn(async move {
                    let accepted =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream))
                            .await;
                    let tls = match accepted {
                        Ok(Ok(tls)) => Ok(tls),
                        Ok(Err(error)) => Err(error.to_string()),
                        Err(_) => Err("handshake timed out".to_string()),
                    };
                    handle(tls).await;
                });
            }
        });
        TlsServer {
            address,
            runtime: Some(runtime),
        }
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(2));
        }
    }
}
