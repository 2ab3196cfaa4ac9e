//! proton-local's own throughput, through the real aws-sdk-proton client over loopback.
//!
//! Starts the release proton-local (`--deploy-seconds 0`, `--log-level error`) pinned to core 0 and
//! drives it from this process, pinned to core 1, with K requests in flight. Phases, each ending after
//! a request count or a time limit, whichever comes first:
//!   1. GetEnvironmentTemplate of one existing template;
//!   2. CreateEnvironmentTemplate with unique names;
//!   3. GetEnvironmentTemplate again, now that the creates have grown the state.
//!
//! proton-local is started with `--quota templates=1000` (1000 templates per account and region), so
//! creates rotate through 1000-template partitions (a different SigV4 region each: proton-local accepts any region name).
//!
//! Prints a table and a last line `BENCH_JSON {...}` for scripts/bench.py.
//! Options: `--seconds N` (time limit per phase, default 10), `--concurrency K` (default 16),
//! `--requests N` (count limit per phase, default 20000). Other arguments (`--bench`) are ignored.
#![allow(deprecated)] // every aws-sdk-proton operation is marked deprecated

use std::future::Future;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_proton::Client;
use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_proton::error::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use futures_util::future::join_all;

/// Templates per partition: the `--quota templates` given to proton-local.
const PER_PARTITION: usize = 1000;
const GET_TARGET: &str = "bench-get";

struct Args {
    seconds: f64,
    concurrency: usize,
    requests: usize,
}

fn parse_args() -> Args {
    let mut args = Args {
        seconds: 10.0,
        concurrency: 16,
        requests: 20_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match arg.as_str() {
            "--seconds" => args.seconds = value("--seconds").parse().expect("--seconds N"),
            "--concurrency" => {
                args.concurrency = value("--concurrency").parse().expect("--concurrency K")
            }
            "--requests" => args.requests = value("--requests").parse().expect("--requests N"),
            _ => {} // cargo bench passes --bench; nothing else matters here
        }
    }
    assert!(
        args.seconds > 0.0 && args.seconds <= 600.0,
        "--seconds between 0 and 600"
    );
    assert!(
        args.concurrency >= 1 && args.concurrency <= 1024,
        "--concurrency between 1 and 1024"
    );
    assert!(args.requests >= 1, "--requests at least 1");
    args
}

/// Pins every thread of `pid` to one core; false when taskset is missing or refuses.
fn pin(pid: u32, core: usize) -> bool {
    Command::new("taskset")
        .args(["-a", "-p", "-c", &core.to_string(), &pid.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// CPU seconds (user + system, all threads) used so far by `pid`, from /proc.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which sits in parentheses and may contain spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / clock_ticks())
}

fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100.0)
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

fn client(endpoint: &str, region: &str) -> Client {
    Client::from_conf(
        aws_sdk_proton::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_string()))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
            // Retries would hide errors and inflate the rate.
            .retry_config(RetryConfig::disabled())
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(Duration::from_secs(30))
                    .build(),
            )
            .build(),
    )
}

/// The region of the partition that holds create number `index` (the get target lives in us-east-1).
fn partition_region(index: usize) -> String {
    format!("bench-{}", index / PER_PARTITION)
}

struct Phase {
    name: &'static str,
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    elapsed: Duration,
    server_cpu: Option<f64>,
    client_cpu: Option<f64>,
}

impl Phase {
    fn rps(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile_ms(&self, p: usize) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let i = (self.latencies.len() * p / 100).min(self.latencies.len() - 1);
        self.latencies[i].as_secs_f64() * 1000.0
    }
}

/// Runs `op(index)` with `concurrency` calls in flight until `requests` were started or `limit`
/// passed; calls in flight at the limit still finish (each is bounded by the client's timeout).
async fn run_phase<F, Fut>(
    name: &'static str,
    server_pid: &str,
    concurrency: usize,
    requests: usize,
    limit: Duration,
    op: F,
) -> Phase
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let next = AtomicUsize::new(0);
    let (server_before, client_before) = (cpu_seconds(server_pid), cpu_seconds("self"));
    let started = Instant::now();
    let (next, op) = (&next, &op);
    let workers = (0..concurrency).map(move |_| async move {
        let mut latencies = Vec::new();
        let mut errors = Vec::new();
        while started.elapsed() < limit {
            let index = next.fetch_add(1, Ordering::Relaxed);
            if index >= requests {
                break;
            }
            let sent = Instant::now();
            match op(index).await {
                Ok(()) => latencies.push(sent.elapsed()),
                Err(error) => errors.push(error),
            }
        }
        (latencies, errors)
    });
    let results = join_all(workers).await;
    let elapsed = started.elapsed();
    let delta = |before: Option<f64>, pid: &str| Some(cpu_seconds(pid)? - before?);
    let mut phase = Phase {
        name,
        latencies: Vec::new(),
        errors: 0,
        first_error: None,
        elapsed,
        server_cpu: delta(server_before, server_pid),
        client_cpu: delta(client_before, "self"),
    };
    for (latencies, errors) in results {
        phase.latencies.extend(latencies);
        phase.errors += errors.len();
        if phase.first_error.is_none() {
            phase.first_error = errors.into_iter().next();
        }
    }
    phase.latencies.sort_unstable();
    phase
}

fn describe<E: ProvideErrorMetadata + std::fmt::Debug>(error: E) -> String {
    match (error.code(), error.message()) {
        (Some(code), message) => format!("{code}: {}", message.unwrap_or_default()),
        _ => format!("{error:?}"),
    }
}

fn main() {
    let args = parse_args();

    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2);
    let server = proton_test_support::ProtonLocal::start(&[
        "--deploy-seconds",
        "0",
        "--log-level",
        "error",
        "--quota",
        "templates=1000",
    ]);
    let server_pid = server.pid().to_string();
    // Server and client on separate cores, so neither steals the other's time slices.
    let pinned = two_cores && pin(server.pid(), 0) && pin(std::process::id(), 1);
    if !pinned {
        eprintln!(
            "bench: could not pin proton-local and the client to separate cores; numbers are noisier"
        );
    }

    // One thread: the client has one core to itself.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let limit = Duration::from_secs_f64(args.seconds);
    let (k, n) = (args.concurrency, args.requests);
    let load_before = load_average();

    let phases = runtime.block_on(async {
        let endpoint = server.endpoint();
        let home = client(endpoint, "us-east-1");
        home.create_environment_template()
            .name(GET_TARGET)
            .description("benchmark target")
            .send()
            .await
            .expect("create the template to get");
        let home = &home;
        let get = move |_: usize| async move {
            home.get_environment_template()
                .name(GET_TARGET)
                .send()
                .await
                .map(drop)
                .map_err(describe)
        };
        // Warm-up: opens the connections and fills caches; not measured.
        run_phase("warm-up", &server_pid, k, 1000, limit, get).await;
        let gets = run_phase("GetEnvironmentTemplate", &server_pid, k, n, limit, get).await;

        let partitions: Vec<Client> = (0..n.div_ceil(PER_PARTITION))
            .map(|p| client(endpoint, &partition_region(p * PER_PARTITION)))
            .collect();
        let partitions = &partitions;
        let create = move |index: usize| {
            let api = &partitions[index / PER_PARTITION];
            async move {
                api.create_environment_template()
                    .name(format!("bench-{index}"))
                    .description("benchmark template")
                    .send()
                    .await
                    .map(drop)
                    .map_err(describe)
            }
        };
        let creates = run_phase(
            "CreateEnvironmentTemplate",
            &server_pid,
            k,
            n,
            limit,
            create,
        )
        .await;
        let gets_after = run_phase(
            "GetEnvironmentTemplate, after",
            &server_pid,
            k,
            n,
            limit,
            get,
        )
        .await;
        [gets, creates, gets_after]
    });
    let load_after = load_average();
    drop(server);

    let created = phases[1].latencies.len();
    println!(
        "proton-local throughput: release build, --deploy-seconds 0, {k} requests in flight, \
         at most {n} requests or {}s per phase; {}; load average {load_before:.2} before, {load_after:.2} after",
        args.seconds,
        if pinned {
            "server pinned to core 0, client to core 1"
        } else {
            "not pinned"
        }
    );
    println!(
        "{:<32} {:>8} {:>7} {:>8} {:>9} {:>8} {:>8} {:>11} {:>11}",
        "phase",
        "requests",
        "errors",
        "seconds",
        "req/s",
        "p50 ms",
        "p99 ms",
        "server CPU",
        "client CPU"
    );
    let share = |cpu: Option<f64>, elapsed: Duration| match cpu {
        Some(cpu) => format!("{:.0}%", 100.0 * cpu / elapsed.as_secs_f64()),
        None => "?".to_string(),
    };
    for phase in &phases {
        println!(
            "{:<32} {:>8} {:>7} {:>8.2} {:>9.0} {:>8.2} {:>8.2} {:>11} {:>11}",
            phase.name,
            phase.latencies.len(),
            phase.errors,
            phase.elapsed.as_secs_f64(),
            phase.rps(),
            phase.percentile_ms(50),
            phase.percentile_ms(99),
            share(phase.server_cpu, phase.elapsed),
            share(phase.client_cpu, phase.elapsed),
        );
        if let Some(error) = &phase.first_error {
            println!("  first error: {error}");
        }
    }
    println!(
        "(the last phase gets the same template once the state holds {created} more templates)"
    );

    let json = serde_json::json!({
        "concurrency": k,
        "get_rps": phases[0].rps(),
        "get_p50_ms": phases[0].percentile_ms(50),
        "get_p99_ms": phases[0].percentile_ms(99),
        "create_rps": phases[1].rps(),
        "create_p50_ms": phases[1].percentile_ms(50),
        "create_p99_ms": phases[1].percentile_ms(99),
        "create_count": created,
        "get_after_create_rps": phases[2].rps(),
        "get_after_create_p50_ms": phases[2].percentile_ms(50),
        "get_after_create_p99_ms": phases[2].percentile_ms(99),
        "errors": phases.iter().map(|p| p.errors).sum::<usize>(),
        "pinned": pinned,
        "load_average": load_before,
    });
    println!("BENCH_JSON {json}");
}
