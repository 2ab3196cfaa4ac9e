//! The plugin side of go-plugin, tested as Terraform uses it: a separate process started with
//! Terraform's environment, the handshake line read from its stdout, a gRPC connection over the
//! announced unix socket with mutual TLS, then Shutdown or signals.
//!
//! Every case runs against two processes:
//! - `serve()` in a child process: this test binary re-executes itself into `child_process_entry`,
//!   which calls `serve()` with a minimal provider, like `main` does;
//! - the real `terraform-provider-proton` binary.
//!
//! Every wait is bounded; children are killed when a test ends early.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use base64::Engine as _;
use rustls::ClientConfig;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::UnixStream;
use tonic::transport::Channel;

use terraform_provider_proton::server::handshake::MAGIC_COOKIE_VALUE;
use terraform_provider_proton::server::proto::health::HealthCheckRequest;
use terraform_provider_proton::server::proto::health::health_check_response::ServingStatus;
use terraform_provider_proton::server::proto::health::health_client::HealthClient;
use terraform_provider_proton::server::proto::plugin::Empty;
use terraform_provider_proton::server::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_proton::server::proto::tfplugin6::get_provider_schema;
use terraform_provider_proton::server::proto::tfplugin6::provider_client::ProviderClient;

// Terraform's certificate and TLS client (shared with benches/protocol.rs).
use proton_test_support::plugin_client::{
    Address, ClientIdentity, TlsVersions, client_config, terraform_like_identity,
};

/// Upper bound for any single wait (process start, exit, a line of output, an RPC).
const WAIT: Duration = Duration::from_secs(30);
const CHILD_ENV: &str = "PROTON_PLUGIN_TEST_CHILD";
const CHILD_DEBUG_ENV: &str = "PROTON_PLUGIN_TEST_CHILD_DEBUG";
const PROVIDER_ADDRESS: &str = "registry.terraform.io/proton-community/proton";

// ---------------------------------------------------------------------------------------------------
// The child process side.

mod child {
    use terraform_provider_proton::server::proto::tfplugin6::get_provider_schema;
    use terraform_provider_proton::server::proto::tfplugin6::provider_server::Provider;
    use tonic::{Request, Response, Status};

    /// Answers GetProviderSchema with an empty schema; every other RPC is UNIMPLEMENTED.
    pub struct MinimalProvider;

    #[tonic::async_trait]
    impl Provider for MinimalProvider {
        async fn get_provider_schema(
            &self,
            _request: Request<get_provider_schema::Request>,
        ) -> Result<Response<get_provider_schema::Response>, Status> {
            Ok(Response::new(get_provider_schema::Response::default()))
        }
    }
}

/// `child_process_entry`'s name as libtest knows it: its module path without the binary's name.
fn child_entry_test_name() -> String {
    let module = module_path!().split_once("::").map_or("", |(_, rest)| rest);
    format!("{module}::child_process_entry")
}

/// Not a test: the entry point of the child process (see the module comment). Run normally it
/// returns at once. In the child it never returns: it exits with serve()'s outcome, the way `main`
/// does (message on stderr, exit code 1 on error).
#[test]
fn child_process_entry() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    terraform_provider_proton::server::logging::init_logging();
    let options = terraform_provider_proton::server::plugin::ServeOptions {
        debug: std::env::var_os(CHILD_DEBUG_ENV).is_some(),
        provider_address: PROVIDER_ADDRESS.to_owned(),
    };
    let code = match tokio::runtime::Runtime::new() {
        Ok(rt) => match rt.block_on(terraform_provider_proton::server::plugin::serve(
            child::MinimalProvider,
            options,
        )) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("{e}");
                1
            }
        },
        Err(e) => {
            eprintln!("{e}");
            1
        }
    };
    std::process::exit(code);
}

// ---------------------------------------------------------------------------------------------------
// Starting and watching the plugin process.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// This test binary re-executed into `child_process_entry`.
    ServeInChild,
    /// `terraform-provider-proton` itself.
    Binary,
}

/// What Terraform puts in the environment.
struct PluginEnv {
    cookie: bool,
    protocol_versions: Option<&'static str>,
    client_cert_pem: Option<String>,
    debug: bool,
    tf_log: Option<&'static str>,
    /// PLUGIN_UNIX_SOCKET_DIR; a directory that does not exist forces the TCP fallback.
    unix_socket_dir: Option<&'static str>,
}

impl PluginEnv {
    fn terraform(client_cert_pem: Option<String>) -> Self {
        Self {
            cookie: true,
            protocol_versions: Some("5,6"),
            client_cert_pem,
            debug: false,
            tf_log: Some("TRACE"),
            unix_socket_dir: None,
        }
    }
}

/// A running plugin process with its output collected by reader threads. Killed on drop.
struct Plugin {
    child: Child,
    target: Target,
    stdout_lines: mpsc::Receiver<String>,
    stdout_all: Arc<Mutex<Vec<String>>>,
    stderr_all: Arc<Mutex<Vec<String>>>,
    stderr_done: mpsc::Receiver<()>,
}

impl Plugin {
    fn start(target: Target, env: &PluginEnv) -> Self {
        let mut cmd = match target {
            Target::ServeInChild => {
                let exe = std::env::current_exe().expect("test executable path");
                let mut c = Command::new(exe);
                c.args([
                    "--exact",
                    &child_entry_test_name(),
                    "--nocapture",
                    "--test-threads=1",
                    "-q",
                ]);
                c.env(CHILD_ENV, "1");
                if env.debug {
                    c.env(CHILD_DEBUG_ENV, "1");
                }
                c
            }
            Target::Binary => {
                let mut c = Command::new(proton_test_support::provider_binary());
                if env.debug {
                    c.arg("--debug");
                }
                c
            }
        };
        for key in [
            "TF_PLUGIN_MAGIC_COOKIE",
            "PLUGIN_PROTOCOL_VERSIONS",
            "PLUGIN_CLIENT_CERT",
            "PLUGIN_MIN_PORT",
            "PLUGIN_MAX_PORT",
            "PLUGIN_UNIX_SOCKET_DIR",
            "TF_LOG",
            "TF_LOG_PROVIDER",
            "TF_REATTACH_PROVIDERS",
        ] {
            cmd.env_remove(key);
        }
        if env.cookie {
            cmd.env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE_VALUE);
            cmd.env("PLUGIN_MIN_PORT", "10000");
            cmd.env("PLUGIN_MAX_PORT", "25000");
        }
        if let Some(v) = env.protocol_versions {
            cmd.env("PLUGIN_PROTOCOL_VERSIONS", v);
        }
        if let Some(pem) = &env.client_cert_pem {
            cmd.env("PLUGIN_CLIENT_CERT", pem);
        }
        if let Some(level) = env.tf_log {
            cmd.env("TF_LOG", level);
        }
        if let Some(dir) = env.unix_socket_dir {
            cmd.env("PLUGIN_UNIX_SOCKET_DIR", dir);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start the plugin process");

        let stdout = child.stdout.take().expect("piped stdout");
        let (line_tx, stdout_lines) = mpsc::channel();
        let stdout_all = Arc::new(Mutex::new(Vec::new()));
        let all = Arc::clone(&stdout_all);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                all.lock().unwrap().push(line.clone());
                let _ = line_tx.send(line);
            }
        });

        let stderr = child.stderr.take().expect("piped stderr");
        let stderr_all = Arc::new(Mutex::new(Vec::new()));
        let all = Arc::clone(&stderr_all);
        let (done_tx, stderr_done) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => all
                        .lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&buf).trim_end().to_owned()),
                }
            }
            let _ = done_tx.send(());
        });

        Self {
            child,
            target,
            stdout_lines,
            stdout_all,
            stderr_all,
            stderr_done,
        }
    }

    /// The handshake line: the first stdout line. The re-executed test binary prints libtest's own
    /// preamble ("running 1 test") first; only those lines may be skipped, and only for that target.
    fn handshake_line(&self) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.stdout_lines.recv_timeout(left).unwrap_or_else(|e| {
                panic!(
                    "no handshake line ({e}); stderr:\n{}",
                    self.stderr_all.lock().unwrap().join("\n")
                )
            });
            let libtest_preamble = line.is_empty() || line.starts_with("running 1 test");
            if self.target == Target::ServeInChild && libtest_preamble {
                continue;
            }
            return line;
        }
    }

    /// Lines until one contains `needle` (debug mode prints several).
    fn stdout_line_containing(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self
                .stdout_lines
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("no stdout line containing {needle:?} ({e})"));
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Async so the test's own gRPC connections keep being served (answering the server's HTTP/2
    /// shutdown handshake) while we wait.
    async fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the plugin process") {
                // Let the reader finish so all of stderr is collected.
                let _ = self.stderr_done.recv_timeout(WAIT);
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the plugin did not exit within {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("poll the plugin").is_none()
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args(["-s", name, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -s {name} failed");
    }

    fn output(&self) -> String {
        let out = self.stdout_all.lock().unwrap().join("\n");
        let err = self.stderr_all.lock().unwrap().join("\n");
        format!("{out}\n{err}")
    }

    fn stderr_lines(&self) -> Vec<String> {
        self.stderr_all.lock().unwrap().clone()
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The handshake line taken apart.
struct Announced {
    socket: PathBuf,
    server_cert: Option<CertificateDer<'static>>,
}

fn parse_handshake(line: &str, expect_tls: bool) -> Announced {
    let parts: Vec<&str> = line.split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line {line:?}");
    assert_eq!(parts[0], "1", "core protocol version");
    assert_eq!(parts[1], "6", "app protocol version");
    assert_eq!(parts[2], "unix", "network");
    assert_eq!(parts[4], "grpc", "protocol");
    let socket = PathBuf::from(parts[3]);
    assert!(socket.is_absolute(), "socket path {socket:?}");
    let server_cert = if expect_tls {
        let text = parts[5];
        assert!(text.len() > 50, "go-plugin ignores a short cert field");
        assert!(
            !text.contains('='),
            "the cert must be base64 without padding"
        );
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text)
            .expect("standard base64 alphabet");
        Some(CertificateDer::from(der))
    } else {
        assert_eq!(parts[5], "", "no certificate without TLS");
        None
    };
    Announced {
        socket,
        server_cert,
    }
}

#[cfg(unix)]
fn assert_private_socket_dir(socket: &Path) {
    use std::os::unix::fs::{FileTypeExt as _, MetadataExt as _, PermissionsExt as _};
    let meta = std::fs::metadata(socket).expect("socket exists");
    assert!(meta.file_type().is_socket());
    let dir = socket.parent().expect("socket directory");
    let dir_meta = std::fs::metadata(dir).expect("socket directory exists");
    assert_eq!(
        dir_meta.permissions().mode() & 0o777,
        0o700,
        "socket dir mode"
    );
    assert_eq!(dir_meta.uid(), meta.uid());
}

async fn channel(socket: &Path, tls: Option<Arc<ClientConfig>>) -> Result<Channel, String> {
    channel_to(Address::Unix(socket.to_path_buf()), tls).await
}

async fn channel_to(address: Address, tls: Option<Arc<ClientConfig>>) -> Result<Channel, String> {
    match tokio::time::timeout(
        WAIT,
        proton_test_support::plugin_client::connect(address, tls),
    )
    .await
    {
        Ok(Ok(ch)) => Ok(ch),
        Ok(Err(e)) => Err(format!("connect: {e:?}")),
        Err(_) => Err("connect timed out".into()),
    }
}

async fn health(ch: Channel, service: &str) -> Result<i32, String> {
    let mut client = HealthClient::new(ch);
    let call = client.check(HealthCheckRequest {
        service: service.into(),
    });
    match tokio::time::timeout(WAIT, call).await {
        Ok(Ok(r)) => Ok(r.into_inner().status),
        Ok(Err(status)) => Err(format!("{status:?}")),
        Err(_) => Err("health check timed out".into()),
    }
}

async fn shutdown(ch: Channel) {
    let mut client = GrpcControllerClient::new(ch);
    tokio::time::timeout(WAIT, client.shutdown(Empty {}))
        .await
        .expect("Shutdown answered in time")
        .expect("Shutdown succeeded");
}

/// A raw TLS connection: the handshake, then one read. A refused client sees an error (the server's
/// alert) instead of the server's HTTP/2 settings frame.
async fn raw_tls_first_read(
    socket: &Path,
    config: Arc<ClientConfig>,
) -> Result<(Option<Vec<u8>>, Vec<u8>), String> {
    let attempt = async {
        let stream = UnixStream::connect(socket)
            .await
            .map_err(|e| e.to_string())?;
        let mut tls = tokio_rustls::TlsConnector::from(config)
            .connect(ServerName::try_from("localhost").unwrap(), stream)
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        let alpn = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
        // The HTTP/2 client preface makes the server answer with its SETTINGS frame.
        tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .await
            .map_err(|e| format!("write: {e}"))?;
        tls.flush().await.map_err(|e| format!("flush: {e}"))?;
        let mut buf = vec![0u8; 9];
        let n = tls.read(&mut buf).await.map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("closed without an answer".to_owned());
        }
        buf.truncate(n);
        Ok((alpn, buf))
    };
    tokio::time::timeout(WAIT, attempt)
        .await
        .unwrap_or_else(|_| Err("timed out".into()))
}

/// Every stderr line is a JSON object go-plugin turns into a log entry.
fn assert_stderr_is_terraform_json(lines: &[String]) {
    let timestamp = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$").unwrap();
    let levels = ["trace", "debug", "info", "warn", "error"];
    let mut count = 0;
    for line in lines.iter().filter(|l| !l.is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("stderr line is not JSON ({e}): {line}"));
        let level = v["@level"].as_str().unwrap_or_default();
        assert!(levels.contains(&level), "@level in {line}");
        assert!(v["@message"].is_string(), "@message in {line}");
        let ts = v["@timestamp"].as_str().unwrap_or_default();
        assert!(timestamp.is_match(ts), "@timestamp in {line}");
        count += 1;
    }
    assert!(count > 0, "TF_LOG=TRACE produced no log lines");
}

// ---------------------------------------------------------------------------------------------------
// The cases, each run against both targets.

async fn case_no_cookie(target: Target) {
    let mut plugin = Plugin::start(
        target,
        &PluginEnv {
            cookie: false,
            protocol_versions: None,
            client_cert_pem: None,
            debug: false,
            tf_log: None,
            unix_socket_dir: None,
        },
    );
    let status = plugin.wait_exit().await;
    assert!(!status.success(), "must fail without the cookie");
    let out = plugin.output();
    for needle in [
        "plugin for Terraform",
        "not meant to be run directly",
        "required_providers",
        "dev_overrides",
        "--debug",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

async fn case_unsupported_protocol(target: Target) {
    let mut env = PluginEnv::terraform(None);
    env.protocol_versions = Some("5");
    let mut plugin = Plugin::start(target, &env);
    let status = plugin.wait_exit().await;
    assert!(!status.success(), "must fail when 6 is not offered");
    let out = plugin.output();
    assert!(out.contains("protocol"), "message: {out}");
    assert!(
        !out.contains("|grpc|"),
        "no handshake line may be printed: {out}"
    );
}

async fn case_mtls_health_schema_shutdown(target: Target, versions: TlsVersions) {
    let terraform = terraform_like_identity();
    let mut plugin = Plugin::start(target, &PluginEnv::terraform(Some(terraform.pem.clone())));
    let line = plugin.handshake_line();
    let announced = parse_handshake(&line, true);
    let server_cert = announced.server_cert.clone().unwrap();
    #[cfg(unix)]
    assert_private_socket_dir(&announced.socket);

    let config = client_config(&server_cert, Some(&terraform), versions);
    let (alpn, first) = raw_tls_first_read(&announced.socket, Arc::clone(&config))
        .await
        .expect("Terraform's certificate is accepted");
    assert_eq!(alpn.as_deref(), Some(&b"h2"[..]), "ALPN h2");
    assert_eq!(
        first.get(3),
        Some(&4),
        "server answers with an HTTP/2 SETTINGS frame"
    );

    let ch = channel(&announced.socket, Some(config)).await.unwrap();
    assert_eq!(
        health(ch.clone(), "plugin").await.unwrap(),
        ServingStatus::Serving as i32
    );
    let mut provider = ProviderClient::new(ch.clone());
    let schema = tokio::time::timeout(
        WAIT,
        provider.get_provider_schema(get_provider_schema::Request::default()),
    )
    .await
    .expect("GetProviderSchema answered in time");
    assert!(schema.is_ok(), "GetProviderSchema: {schema:?}");

    shutdown(ch).await;
    let status = plugin.wait_exit().await;
    assert!(status.success(), "exit after Shutdown: {status:?}");
    assert!(
        !announced.socket.parent().unwrap().exists(),
        "socket directory removed on exit"
    );
    assert_stderr_is_terraform_json(&plugin.stderr_lines());
}

/// Starts a plugin with Terraform's certificate pinned, tries `intruder`, then proves the server still
/// serves Terraform and shuts down cleanly.
async fn case_refused(target: Target, intruder: Option<&ClientIdentity>) {
    let terraform = terraform_like_identity();
    let mut plugin = Plugin::start(target, &PluginEnv::terraform(Some(terraform.pem.clone())));
    let announced = parse_handshake(&plugin.handshake_line(), true);
    let server_cert = announced.server_cert.clone().unwrap();

    for versions in [TlsVersions::Both, TlsVersions::Only12] {
        let bad = client_config(&server_cert, intruder, versions);
        let raw = raw_tls_first_read(&announced.socket, Arc::clone(&bad)).await;
        assert!(raw.is_err(), "an intruder got an HTTP/2 answer: {raw:?}");
        let rpc = match channel(&announced.socket, Some(bad)).await {
            Ok(ch) => health(ch, "plugin").await,
            Err(e) => Err(e),
        };
        assert!(rpc.is_err(), "an intruder made a gRPC call: {rpc:?}");
    }

    let good = client_config(&server_cert, Some(&terraform), TlsVersions::Both);
    let ch = channel(&announced.socket, Some(good)).await.unwrap();
    assert_eq!(
        health(ch.clone(), "plugin").await.unwrap(),
        ServingStatus::Serving as i32
    );
    shutdown(ch).await;
    assert!(plugin.wait_exit().await.success());
    let refusals = plugin
        .stderr_lines()
        .iter()
        .filter(|l| l.contains("refused a plugin connection"))
        .count();
    assert!(
        refusals >= 2,
        "refusals are logged: {:?}",
        plugin.stderr_lines()
    );
}

async fn case_plaintext_when_tls_disabled(target: Target) {
    let mut plugin = Plugin::start(target, &PluginEnv::terraform(None));
    let announced = parse_handshake(&plugin.handshake_line(), false);
    let ch = channel(&announced.socket, None).await.unwrap();
    assert_eq!(
        health(ch.clone(), "").await.unwrap(),
        ServingStatus::Serving as i32
    );
    shutdown(ch).await;
    assert!(plugin.wait_exit().await.success());
}

async fn case_signals(target: Target) {
    let mut plugin = Plugin::start(target, &PluginEnv::terraform(None));
    let announced = parse_handshake(&plugin.handshake_line(), false);
    let ch = channel(&announced.socket, None).await.unwrap();
    assert!(health(ch.clone(), "plugin").await.is_ok());

    // SIGINT is pending in the plugin once `kill` returns; the default action would end the process
    // before it could answer anything else. It must keep serving, on old and new connections.
    plugin.signal("INT");
    assert!(health(ch.clone(), "plugin").await.is_ok());
    let fresh = channel(&announced.socket, None).await.unwrap();
    assert!(health(fresh, "plugin").await.is_ok());
    assert!(plugin.is_running(), "SIGINT must not stop the plugin");

    plugin.signal("TERM");
    let status = plugin.wait_exit().await;
    assert!(status.success(), "SIGTERM is a clean shutdown: {status:?}");
    assert!(!announced.socket.parent().unwrap().exists());
}

async fn case_debug_mode(target: Target) {
    let env = PluginEnv {
        cookie: false,
        protocol_versions: None,
        client_cert_pem: None,
        debug: true,
        tf_log: None,
        unix_socket_dir: None,
    };
    let mut plugin = Plugin::start(target, &env);
    let line = plugin.stdout_line_containing("TF_REATTACH_PROVIDERS=");
    let quoted = line
        .split_once("TF_REATTACH_PROVIDERS=")
        .map(|(_, v)| v.trim())
        .unwrap();
    let json = quoted
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .expect("single-quoted for the shell");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let p = &v[PROVIDER_ADDRESS];
    assert_eq!(p["Protocol"], "grpc");
    assert_eq!(p["ProtocolVersion"], 6);
    assert_eq!(p["Pid"], u64::from(plugin.child.id()));
    assert_eq!(p["Test"], true);
    assert_eq!(p["Addr"]["Network"], "unix");
    let socket = PathBuf::from(p["Addr"]["String"].as_str().unwrap());

    let ch = channel(&socket, None).await.unwrap();
    assert_eq!(
        health(ch, "plugin").await.unwrap(),
        ServingStatus::Serving as i32
    );
    // A person pressed Ctrl-C: in debug mode that stops the server.
    plugin.signal("INT");
    assert!(plugin.wait_exit().await.success());
    assert!(!socket.parent().unwrap().exists());
}

async fn case_tcp_fallback(target: Target) {
    let terraform = terraform_like_identity();
    let mut env = PluginEnv::terraform(Some(terraform.pem.clone()));
    env.unix_socket_dir = Some("/nonexistent/proton-plugin-test");
    let mut plugin = Plugin::start(target, &env);
    let line = plugin.handshake_line();
    let parts: Vec<&str> = line.split('|').collect();
    assert_eq!(parts.len(), 6, "handshake line {line:?}");
    assert_eq!(&parts[..3], &["1", "6", "tcp"]);
    assert_eq!(parts[4], "grpc");
    let addr: std::net::SocketAddr = parts[3].parse().expect("IP:PORT");
    assert_eq!(addr.ip(), std::net::Ipv4Addr::LOCALHOST, "loopback only");
    assert!(
        (10000..=25000).contains(&addr.port()),
        "within PLUGIN_MIN_PORT..PLUGIN_MAX_PORT"
    );
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .expect("certificate");
    let config = client_config(
        &CertificateDer::from(der),
        Some(&terraform),
        TlsVersions::Both,
    );
    let ch = channel_to(Address::Tcp(addr), Some(config)).await.unwrap();
    assert_eq!(
        health(ch.clone(), "plugin").await.unwrap(),
        ServingStatus::Serving as i32
    );
    shutdown(ch).await;
    assert!(plugin.wait_exit().await.success());
}

// ---------------------------------------------------------------------------------------------------
// serve() in a child process.

#[tokio::test]
async fn serve_refuses_to_run_without_the_cookie() {
    case_no_cookie(Target::ServeInChild).await;
}

#[tokio::test]
async fn serve_refuses_protocol_5_only() {
    case_unsupported_protocol(Target::ServeInChild).await;
}

#[tokio::test]
async fn serve_mtls_handshake_health_schema_and_shutdown() {
    case_mtls_health_schema_shutdown(Target::ServeInChild, TlsVersions::Both).await;
}

#[tokio::test]
async fn serve_mtls_over_tls12() {
    case_mtls_health_schema_shutdown(Target::ServeInChild, TlsVersions::Only12).await;
}

#[tokio::test]
async fn serve_refuses_a_client_without_certificate() {
    case_refused(Target::ServeInChild, None).await;
}

#[tokio::test]
async fn serve_refuses_a_client_with_another_certificate() {
    let intruder = terraform_like_identity();
    case_refused(Target::ServeInChild, Some(&intruder)).await;
}

#[tokio::test]
async fn serve_plaintext_when_terraform_disables_tls() {
    case_plaintext_when_tls_disabled(Target::ServeInChild).await;
}

#[tokio::test]
async fn serve_ignores_sigint_and_stops_on_sigterm() {
    case_signals(Target::ServeInChild).await;
}

#[tokio::test]
async fn serve_falls_back_to_loopback_tcp() {
    case_tcp_fallback(Target::ServeInChild).await;
}

#[tokio::test]
async fn serve_debug_mode_prints_reattach_and_serves() {
    case_debug_mode(Target::ServeInChild).await;
}

// ---------------------------------------------------------------------------------------------------
// The real binary.

#[tokio::test]
async fn binary_refuses_to_run_without_the_cookie() {
    case_no_cookie(Target::Binary).await;
}

#[tokio::test]
async fn binary_refuses_protocol_5_only() {
    case_unsupported_protocol(Target::Binary).await;
}

#[tokio::test]
async fn binary_mtls_handshake_health_schema_and_shutdown() {
    case_mtls_health_schema_shutdown(Target::Binary, TlsVersions::Both).await;
}

#[tokio::test]
async fn binary_refuses_a_client_without_certificate() {
    case_refused(Target::Binary, None).await;
}

#[tokio::test]
async fn binary_refuses_a_client_with_another_certificate() {
    let intruder = terraform_like_identity();
    case_refused(Target::Binary, Some(&intruder)).await;
}

#[tokio::test]
async fn binary_ignores_sigint_and_stops_on_sigterm() {
    case_signals(Target::Binary).await;
}

#[tokio::test]
async fn binary_falls_back_to_loopback_tcp() {
    case_tcp_fallback(Target::Binary).await;
}

#[tokio::test]
async fn binary_debug_mode_prints_reattach_and_serves() {
    case_debug_mode(Target::Binary).await;
}
