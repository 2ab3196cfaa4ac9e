//! The plugin protocol as Terraform drives it, against the release binary: start to handshake line,
//! the mutual-TLS connection, and the latency of GetMetadata, GetProviderSchema and
//! ValidateResourceConfig over it.
//!
//! `cargo build --release --bins && cargo bench --bench protocol [-- --runs 20 --calls 500]`
//!
//! Prints a table, then one `BENCH_JSON {...}` line for scripts/bench.py. Not criterion: a process
//! start is too slow and too noisy for its statistics, and the numbers wanted are medians and tails.

use std::io::{BufRead as _, BufReader, Read as _, Seek as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use prost::Message as _;
use rustls::pki_types::CertificateDer;
use tonic::transport::Channel;

use terraform_provider_proton::server::handshake::MAGIC_COOKIE_VALUE;
use terraform_provider_proton::server::proto::plugin::Empty;
use terraform_provider_proton::server::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_proton::server::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_proton::server::proto::tfplugin6::{
    DynamicValue, configure_provider, get_metadata, get_provider_schema, validate_resource_config,
};
use terraform_provider_proton::tf::codec::{decode_json, encode_msgpack};

use proton_test_support::plugin_client::{
    Address, ClientIdentity, GO_GRPC_INITIAL_WINDOW, TlsVersions, client_config,
    connect_with_window, terraform_like_identity,
};

/// Upper bound for any single wait, so a broken binary fails the bench instead of hanging it.
const WAIT: Duration = Duration::from_secs(30);
/// Calls made before measuring, so connection set-up and lazy initialisation are not counted.
const WARM_UP_CALLS: usize = 20;

struct Args {
    runs: usize,
    calls: usize,
}

/// `--runs N` and `--calls N` (or `--runs=N`); anything else, such as cargo's `--bench`, is ignored.
fn args() -> Args {
    let mut parsed = Args {
        runs: 20,
        calls: 500,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let slot = match name.as_str() {
            "--runs" => &mut parsed.runs,
            "--calls" => &mut parsed.calls,
            _ => continue,
        };
        let value = inline.or_else(|| args.next()).unwrap_or_default();
        match value.parse::<usize>() {
            Ok(n) if n > 0 => *slot = n,
            _ => fail(&format!("{name} wants a positive number, got {value:?}")),
        }
    }
    parsed
}

fn fail(message: &str) -> ! {
    eprintln!("protocol bench: {message}");
    std::process::exit(2);
}

fn binary() -> PathBuf {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/terraform-provider-proton");
    if !path.is_file() {
        fail(&format!(
            "{} is missing; run `cargo build --release --bins` first",
            path.display()
        ));
    }
    path
}

/// The provider started the way Terraform starts it, stderr kept in a file for error messages.
struct Plugin {
    child: Child,
    lines: mpsc::Receiver<(String, Instant)>,
    stderr: std::fs::File,
}

impl Plugin {
    fn start(binary: &Path, client_pem: &str) -> (Self, Instant) {
        let stderr = tempfile::tempfile().expect("a temporary file for stderr");
        let mut cmd = Command::new(binary);
        for key in [
            "TF_LOG",
            "TF_LOG_PROVIDER",
            "TF_REATTACH_PROVIDERS",
            "PLUGIN_UNIX_SOCKET_DIR",
        ] {
            cmd.env_remove(key);
        }
        cmd.env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env("PLUGIN_CLIENT_CERT", client_pem)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr.try_clone().expect("clone the stderr file"));
        let started = Instant::now();
        let mut child = cmd.spawn().expect("start the provider");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        // The reader stamps each line as it arrives; the main thread waits with a deadline.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send((line, Instant::now())).is_err() {
                    break;
                }
            }
        });
        (
            Self {
                child,
                lines,
                stderr,
            },
            started,
        )
    }

    fn handshake_line(&mut self) -> (String, Instant) {
        match self.lines.recv_timeout(WAIT) {
            Ok(received) => received,
            Err(e) => fail(&format!(
                "no handshake line ({e}); stderr:\n{}",
                self.stderr_text()
            )),
        }
    }

    fn stderr_text(&mut self) -> String {
        let mut text = String::new();
        let _ = self.stderr.rewind();
        let _ = self.stderr.read_to_string(&mut text);
        text
    }

    /// SIGTERM is a clean shutdown: the plugin removes its socket directory.
    fn terminate(mut self) {
        let _ = Command::new("kill")
            .args(["-s", "TERM", &self.child.id().to_string()])
            .status();
        self.wait_exit();
    }

    fn wait_exit(&mut self) {
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        eprintln!("protocol bench: the provider did not exit in time; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
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

/// `1|6|unix|/tmp/plugin.../plugin.sock|grpc|<base64 DER>`: where to connect and the cert to pin.
fn parse_handshake(line: &str) -> (Address, CertificateDer<'static>) {
    let parts: Vec<&str> = line.split('|').collect();
    if parts.len() != 6 || parts[0] != "1" || parts[1] != "6" || parts[4] != "grpc" {
        fail(&format!("unexpected handshake line {line:?}"));
    }
    let address = match parts[2] {
        "unix" => Address::Unix(PathBuf::from(parts[3])),
        "tcp" => Address::Tcp(
            parts[3]
                .parse()
                .unwrap_or_else(|e| fail(&format!("bad address {:?}: {e}", parts[3]))),
        ),
        other => fail(&format!("unknown network {other:?}")),
    };
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(parts[5])
        .unwrap_or_else(|e| fail(&format!("no AutoMTLS certificate in the handshake: {e}")));
    (address, CertificateDer::from(der))
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Microsecond resolution is all a process start or an RPC over a socket can show.
fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// Nearest-rank percentile of samples in milliseconds.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Summary {
    n: usize,
    median: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

fn summarize(mut samples: Vec<f64>) -> Summary {
    samples.sort_by(f64::total_cmp);
    Summary {
        n: samples.len(),
        median: percentile(&samples, 50.0),
        p90: percentile(&samples, 90.0),
        p99: percentile(&samples, 99.0),
        max: samples[samples.len() - 1],
    }
}

/// Measures (start → handshake line) `runs` times, after one unmeasured start that warms the page
/// cache; returns that first time and the samples.
fn measure_handshakes(binary: &Path, identity: &ClientIdentity, runs: usize) -> (f64, Vec<f64>) {
    let mut first = None;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..=runs {
        let (mut plugin, started) = Plugin::start(binary, &identity.pem);
        let (line, at) = plugin.handshake_line();
        let elapsed = millis(at - started);
        parse_handshake(&line);
        plugin.terminate();
        match first {
            None => first = Some(elapsed),
            Some(_) => samples.push(elapsed),
        }
    }
    (first.unwrap_or_default(), samples)
}

async fn timed<T, F, Fut>(what: &str, calls: usize, mut call: F) -> (Vec<f64>, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, tonic::Status>>,
{
    let mut last = None;
    let mut samples = Vec::with_capacity(calls);
    for i in 0..WARM_UP_CALLS + calls {
        let started = Instant::now();
        let answer = match tokio::time::timeout(WAIT, call()).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(status)) => fail(&format!("{what}: {status}")),
            Err(_) => fail(&format!("{what} timed out")),
        };
        if i >= WARM_UP_CALLS {
            samples.push(millis(started.elapsed()));
        }
        last = Some(answer);
    }
    (samples, last.expect("at least one call"))
}

/// `calls` timed GetProviderSchema calls through `client`, and the last answer.
async fn timed_schema(
    what: &str,
    client: &ProviderClient<Channel>,
    calls: usize,
) -> (Vec<f64>, tonic::Response<get_provider_schema::Response>) {
    timed(what, calls, || {
        let mut client = client.clone();
        async move {
            client
                .get_provider_schema(get_provider_schema::Request::default())
                .await
        }
    })
    .await
}

struct Rpcs {
    connect: Vec<f64>,
    metadata: Vec<f64>,
    schema: Vec<f64>,
    schema_go_window: Vec<f64>,
    schema_decode: Vec<f64>,
    schema_bytes: usize,
    validate: Vec<f64>,
    configure: Vec<f64>,
}

/// A `proton_environment_template` configuration as Terraform sends it: msgpack of the full object.
fn template_config() -> DynamicValue {
    let engine = terraform_provider_proton::provider::engine();
    let entry = engine
        .resource("proton_environment_template")
        .expect("proton_environment_template is registered");
    let json = br#"{"name": "web", "display_name": "Web environments",
        "description": "VPC, cluster and load balancer", "tags": {"cost-center": "1234"}}"#;
    let value = decode_json(json, &entry.ty).expect("the configuration fits the schema");
    DynamicValue {
        msgpack: encode_msgpack(&value, &entry.ty).expect("the configuration encodes"),
        json: Vec::new(),
    }
}

/// The provider block Terraform sends for proton-local: static keys, a region, a plain-HTTP endpoint.
fn provider_config() -> DynamicValue {
    let ty = terraform_provider_proton::provider::engine()
        .provider_schema()
        .block
        .value_type();
    let json = br#"{"region": "us-east-1", "access_key": "test", "secret_key": "test",
        "endpoints": {"proton": "http://127.0.0.1:9"}}"#;
    let value = decode_json(json, &ty).expect("the provider block fits the schema");
    DynamicValue {
        msgpack: encode_msgpack(&value, &ty).expect("the provider block encodes"),
        json: Vec::new(),
    }
}

/// A connection to the plugin, with hyper's HTTP/2 windows unless `window` is given.
async fn channel(
    address: &Address,
    tls: &std::sync::Arc<rustls::ClientConfig>,
    window: Option<u32>,
) -> Channel {
    let connecting = connect_with_window(address.clone(), Some(tls.clone()), window);
    match tokio::time::timeout(WAIT, connecting).await {
        Ok(Ok(channel)) => channel,
        Ok(Err(e)) => fail(&format!("connect: {e:?}")),
        Err(_) => fail("connect timed out"),
    }
}

async fn measure_rpcs(
    address: Address,
    server_cert: CertificateDer<'static>,
    identity: &ClientIdentity,
    runs: usize,
    calls: usize,
) -> Rpcs {
    let tls = client_config(&server_cert, Some(identity), TlsVersions::Both);

    // A fresh connection each time: the TLS handshake and HTTP/2 set-up Terraform pays once per
    // provider process, ended by one GetMetadata (tonic connects lazily on first use otherwise).
    let mut connect = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let mut client = ProviderClient::new(channel(&address, &tls, None).await);
        if let Err(status) = client.get_metadata(get_metadata::Request {}).await {
            fail(&format!("GetMetadata: {status}"));
        }
        connect.push(millis(started.elapsed()));
    }

    let ch = channel(&address, &tls, None).await;
    // Terraform's schema is large; lift tonic's 4 MB default like Terraform's 256 MB limit.
    let client = ProviderClient::new(ch.clone()).max_decoding_message_size(256 << 20);
    let (metadata, _) = timed("GetMetadata", calls, || {
        let mut client = client.clone();
        async move { client.get_metadata(get_metadata::Request {}).await }
    })
    .await;
    let (schema, response) = timed_schema("GetProviderSchema", &client, calls).await;
    let schema_response = response.into_inner();
    if !schema_response.diagnostics.is_empty() {
        fail(&format!(
            "GetProviderSchema: {:?}",
            schema_response.diagnostics
        ));
    }
    // The same call with Terraform's 64 KiB windows: the answer is larger, so it waits mid-way for
    // the client's window update.
    let go_like = channel(&address, &tls, Some(GO_GRPC_INITIAL_WINDOW)).await;
    let go_like = ProviderClient::new(go_like).max_decoding_message_size(256 << 20);
    let (schema_go_window, _) =
        timed_schema("GetProviderSchema (64 KiB window)", &go_like, calls).await;
    // The client's own share of each call: decoding the answer (Terraform decodes it too).
    let encoded = schema_response.encode_to_vec();
    let schema_decode = (0..calls)
        .map(|_| {
            let started = Instant::now();
            let decoded = get_provider_schema::Response::decode(encoded.as_slice());
            let elapsed = millis(started.elapsed());
            if decoded.is_err() {
                fail("the schema answer does not decode");
            }
            elapsed
        })
        .collect();
    let config = template_config();
    let (validate, response) = timed("ValidateResourceConfig", calls, || {
        let mut client = client.clone();
        let request = validate_resource_config::Request {
            type_name: "proton_environment_template".to_owned(),
            config: Some(config.clone()),
            client_capabilities: None,
        };
        async move { client.validate_resource_config(request).await }
    })
    .await;
    let diagnostics = response.into_inner().diagnostics;
    if !diagnostics.is_empty() {
        fail(&format!(
            "ValidateResourceConfig found problems: {diagnostics:?}"
        ));
    }

    // Once per provider process in a plan or apply: the AWS configuration and the Proton client.
    let provider = provider_config();
    let (configure, response) = timed("ConfigureProvider", calls.min(200), || {
        let mut client = client.clone();
        let request = configure_provider::Request {
            terraform_version: "1.15.5".to_owned(),
            config: Some(provider.clone()),
            client_capabilities: None,
        };
        async move { client.configure_provider(request).await }
    })
    .await;
    let diagnostics = response.into_inner().diagnostics;
    if !diagnostics.is_empty() {
        fail(&format!(
            "ConfigureProvider found problems: {diagnostics:?}"
        ));
    }

    let mut controller = GrpcControllerClient::new(ch);
    match tokio::time::timeout(WAIT, controller.shutdown(Empty {})).await {
        Ok(Ok(_)) => {}
        Ok(Err(status)) => fail(&format!("Shutdown: {status}")),
        Err(_) => fail("Shutdown timed out"),
    }
    Rpcs {
        connect,
        metadata,
        schema,
        schema_go_window,
        schema_decode,
        schema_bytes: encoded.len(),
        validate,
        configure,
    }
}

fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn main() {
    let args = args();
    let binary = binary();
    let identity = terraform_like_identity();

    let (first, handshakes) = measure_handshakes(&binary, &identity, args.runs);

    let (mut plugin, _) = Plugin::start(&binary, &identity.pem);
    let (line, _) = plugin.handshake_line();
    let (address, server_cert) = parse_handshake(&line);
    let network = match address {
        Address::Unix(_) => "unix socket",
        Address::Tcp(_) => "tcp",
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let rpcs = runtime.block_on(measure_rpcs(
        address,
        server_cert,
        &identity,
        args.runs,
        args.calls,
    ));
    // Closes our connections, so the plugin's graceful shutdown has nothing left to wait for.
    drop(runtime);
    plugin.wait_exit();

    let load = load_average();
    let rows = [
        ("start -> handshake line", summarize(handshakes)),
        ("connect (mTLS + HTTP/2 + 1 call)", summarize(rpcs.connect)),
        ("GetMetadata", summarize(rpcs.metadata)),
        ("GetProviderSchema", summarize(rpcs.schema)),
        (
            "GetProviderSchema, 64 KiB window",
            summarize(rpcs.schema_go_window),
        ),
        (
            "GetProviderSchema, client decode only",
            summarize(rpcs.schema_decode),
        ),
        ("ValidateResourceConfig", summarize(rpcs.validate)),
        ("ConfigureProvider", summarize(rpcs.configure)),
    ];
    println!(
        "protocol bench: {} (AutoMTLS, {network}), load average {}",
        binary.display(),
        load.map_or("unknown".to_owned(), |l| format!("{l:.2}"))
    );
    println!(
        "{:<38} {:>5} {:>10} {:>10} {:>10} {:>10}",
        "measure (ms)", "n", "median", "p90", "p99", "max"
    );
    for (name, s) in &rows {
        println!(
            "{name:<38} {:>5} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
            s.n, s.median, s.p90, s.p99, s.max
        );
    }
    println!("first start (page cache warming, not in the table): {first:.3} ms");
    println!(
        "GetProviderSchema response: {} bytes encoded",
        rpcs.schema_bytes
    );

    let [
        handshake,
        connect,
        metadata,
        schema,
        schema_go_window,
        schema_decode,
        validate,
        configure,
    ] = &rows.map(|(_, s)| s);
    let json = serde_json::json!({
        "runs": args.runs,
        "calls": args.calls,
        "load_avg_1m": load,
        "handshake_ms_first": round3(first),
        "handshake_ms_median": round3(handshake.median),
        "handshake_ms_p90": round3(handshake.p90),
        "connect_ms_median": round3(connect.median),
        "connect_ms_p90": round3(connect.p90),
        "metadata_ms_median": round3(metadata.median),
        "metadata_ms_p99": round3(metadata.p99),
        "schema_ms_median": round3(schema.median),
        "schema_ms_p99": round3(schema.p99),
        "schema_go_window_ms_median": round3(schema_go_window.median),
        "schema_go_window_ms_p99": round3(schema_go_window.p99),
        "schema_decode_ms_median": round3(schema_decode.median),
        "schema_bytes": rpcs.schema_bytes,
        "validate_ms_median": round3(validate.median),
        "validate_ms_p99": round3(validate.p99),
        "configure_ms_median": round3(configure.median),
        "configure_ms_p99": round3(configure.p99),
    });
    println!("BENCH_JSON {json}");
}
