//! The provider's poller (`engine::wait::wait_for`) against a fixed 5-second poller.
//!
//! For each duration D (`--durations 3,30,300`, the default), a release proton-local with
//! `--deploy-seconds D` registers two environment template versions created at the same moment
//! (REGISTRATION_IN_PROGRESS, then DRAFT after D). One is waited for with `wait_for`, exactly as the
//! resources do, the other with a poller that looks at once and then every 5 s. For each: the number of
//! GetEnvironmentTemplateVersion calls, and the lateness: when the wait returned minus when the version
//! completed. The completion is taken as the moment the create response arrived plus D; proton-local
//! starts the clock slightly earlier, while handling the request, so lateness is understated by that
//! response's trip over loopback (well under a millisecond).
//!
//! All durations run at once, so the bench takes about the longest D. Prints a table and a last line
//! `BENCH_JSON {"<D>": {"ours_calls", "ours_lateness_s", "fixed_calls", "fixed_lateness_s"}, ...}`.
//! Other arguments (`--bench`) are ignored.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_proton::types::TemplateVersionStatus;
use futures_util::future::join_all;
use terraform_provider_proton::aws::{
    NewTemplate, NewTemplateVersion, Proton, TemplateKind, TemplateVersion, VersionId,
};
use terraform_provider_proton::engine::wait::{Poll, wait_for};
use terraform_provider_proton::engine::{Ctx, Error, StopSignal};
use tokio::time::Instant;

const FIXED_PERIOD: Duration = Duration::from_secs(5);
const TEMPLATE: &str = "polling-bench";

fn parse_durations() -> Vec<u64> {
    let mut durations = vec![3, 30, 300];
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        if arg == "--durations" {
            let list = it.next().expect("--durations needs a value such as 3,30");
            durations = list
                .split(',')
                .map(|d| {
                    d.trim()
                        .parse()
                        .expect("--durations: whole seconds, comma-separated")
                })
                .collect();
        }
    }
    assert!(
        durations.iter().all(|&d| d <= 3600),
        "--durations: at most 3600 s each"
    );
    durations.sort_unstable();
    durations.dedup();
    durations
}

/// How one wait went.
struct Waited {
    calls: u32,
    lateness: Duration,
}

struct Row {
    deploy_seconds: u64,
    ours: Waited,
    fixed: Waited,
}

fn api(endpoint: &str) -> Proton {
    // The provider's own client settings for proton-local, SDK retries and timeouts left at their
    // defaults as a provider block without max_retries leaves them.
    Proton::new(
        aws_sdk_proton::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
            .build(),
    )
}

/// One look at the version, as the environment template version resource makes it.
async fn look(api: &Proton, id: VersionId<'_>) -> Result<Poll<()>, Error> {
    let version: Option<TemplateVersion> = api
        .get_template_version(TemplateKind::Environment, id)
        .await?;
    Ok(match version {
        None => Poll::Failed("the version disappeared".into()),
        Some(v) if v.status == TemplateVersionStatus::RegistrationInProgress => {
            Poll::Pending(v.status.as_str().to_string())
        }
        Some(v) if v.status == TemplateVersionStatus::RegistrationFailed => {
            Poll::Failed(v.status_message.unwrap_or_default())
        }
        Some(_) => Poll::Done(()),
    })
}

/// Looks at once, then every `FIXED_PERIOD` on a fixed schedule; gives up after `limit`.
async fn fixed_poller(api: &Proton, id: VersionId<'_>, limit: Duration) -> Result<u32, String> {
    let started = Instant::now();
    let most = (limit.as_secs() / FIXED_PERIOD.as_secs()) as u32 + 1;
    for call in 1..=most {
        match look(api, id).await.map_err(|e| e.to_string())? {
            Poll::Done(()) => return Ok(call),
            Poll::Failed(why) => return Err(why),
            Poll::Pending(_) => {}
        }
        tokio::time::sleep_until(started + FIXED_PERIOD * call).await;
    }
    Err(format!("still registering after {limit:?}"))
}

async fn measure(endpoint: String, deploy_seconds: u64) -> Result<Row, String> {
    let api = Arc::new(api(&endpoint));
    let no_tags = BTreeMap::new();
    api.create_template(NewTemplate {
        kind: TemplateKind::Environment,
        name: TEMPLATE,
        display_name: None,
        description: None,
        encryption_key: None,
        provisioning: None,
        tags: &no_tags,
    })
    .await
    .map_err(|e| format!("create template: {e}"))?;

    // Both versions at the same moment; each completes D after its create response arrives.
    let register = || async {
        let version = api
            .create_template_version(NewTemplateVersion {
                kind: TemplateKind::Environment,
                template_name: TEMPLATE,
                major_version: None,
                description: None,
                // The example bundle (ProtonLocal::start gives proton-local the packed examples).
                bucket: proton_test_support::BUNDLE_BUCKET,
                key: "vpc-environment.tar.gz",
                client_token: "",
                tags: &no_tags,
                compatible_environment_templates: &[],
                supported_component_sources: None,
            })
            .await
            .map_err(|e| format!("create version: {e}"))?;
        let completes = Instant::now() + Duration::from_secs(deploy_seconds);
        if version.status != TemplateVersionStatus::RegistrationInProgress && deploy_seconds > 0 {
            return Err(format!(
                "a new version is {}, not registering",
                version.status
            ));
        }
        Ok::<_, String>((version.major_version, version.minor_version, completes))
    };
    let (first, second) = tokio::join!(register(), register());
    let (ours_major, ours_minor, ours_completes) = first?;
    let (fixed_major, fixed_minor, fixed_completes) = second?;
    let ours_id = VersionId {
        template_name: TEMPLATE,
        major_version: &ours_major,
        minor_version: &ours_minor,
    };
    let fixed_id = VersionId {
        template_name: TEMPLATE,
        major_version: &fixed_major,
        minor_version: &fixed_minor,
    };

    // The context the engine builds for a create: the resource's timeout (generous here), no stop.
    let limit = Duration::from_secs(deploy_seconds * 2 + 60);
    let ctx = Ctx {
        api: Arc::clone(&api),
        timeout: limit.into(),
        stop: StopSignal::default(),
        tags: BTreeMap::new(),
        client_token: String::new(),
        warnings: Default::default(),
    };
    let ours_calls = AtomicU32::new(0);
    let ours = async {
        let result = wait_for(&ctx, "environment template version registration", || {
            ours_calls.fetch_add(1, Ordering::Relaxed);
            look(&ctx.api, ours_id)
        })
        .await;
        result
            .map(|()| Instant::now())
            .map_err(|e| format!("wait_for: {e}"))
    };
    let fixed = async {
        let calls = fixed_poller(&api, fixed_id, limit).await?;
        Ok::<_, String>((calls, Instant::now()))
    };
    let (ours, fixed) = tokio::join!(ours, fixed);
    let (ours_done, (fixed_calls, fixed_done)) = (ours?, fixed?);
    Ok(Row {
        deploy_seconds,
        ours: Waited {
            calls: ours_calls.load(Ordering::Relaxed),
            lateness: ours_done.saturating_duration_since(ours_completes),
        },
        fixed: Waited {
            calls: fixed_calls,
            lateness: fixed_done.saturating_duration_since(fixed_completes),
        },
    })
}

fn main() {
    let durations = parse_durations();
    // One proton-local per duration, all started before any clock runs.
    let servers: Vec<proton_test_support::ProtonLocal> = durations
        .iter()
        .map(|d| {
            proton_test_support::ProtonLocal::start(&[
                "--deploy-seconds",
                &d.to_string(),
                "--log-level",
                "error",
            ])
        })
        .collect();
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let started = std::time::Instant::now();
    let rows = runtime.block_on(join_all(
        durations
            .iter()
            .zip(&servers)
            .map(|(&d, server)| measure(server.endpoint().to_string(), d)),
    ));
    let took = started.elapsed();
    drop(servers);

    println!(
        "polling: wait_for vs a fixed {}s poller, release proton-local, all durations at once ({:.1}s)",
        FIXED_PERIOD.as_secs(),
        took.as_secs_f64()
    );
    println!(
        "{:>10} {:>10} {:>14} {:>11} {:>15}",
        "deploy s", "ours calls", "ours late s", "fixed calls", "fixed late s"
    );
    let mut json = serde_json::Map::new();
    let mut failed = false;
    for (d, row) in durations.iter().zip(rows) {
        match row {
            Ok(row) => {
                println!(
                    "{:>10} {:>10} {:>14.2} {:>11} {:>15.2}",
                    row.deploy_seconds,
                    row.ours.calls,
                    row.ours.lateness.as_secs_f64(),
                    row.fixed.calls,
                    row.fixed.lateness.as_secs_f64()
                );
                json.insert(
                    row.deploy_seconds.to_string(),
                    serde_json::json!({
                        "ours_calls": row.ours.calls,
                        "ours_lateness_s": row.ours.lateness.as_secs_f64(),
                        "fixed_calls": row.fixed.calls,
                        "fixed_lateness_s": row.fixed.lateness.as_secs_f64(),
                    }),
                );
            }
            Err(error) => {
                failed = true;
                println!("{d:>10} failed: {error}");
            }
        }
    }
    // A D that is a multiple of 5 s is the fixed poller's best case: its schedule starts when the create
    // returns, so one look lands just after completion. Other D pay up to 5 s (2.5 s on average).
    if durations.iter().any(|d| d % FIXED_PERIOD.as_secs() == 0) {
        println!(
            "note: for D a multiple of {}s the fixed poller looks just after completion (its best case)",
            FIXED_PERIOD.as_secs()
        );
    }
    println!("BENCH_JSON {}", serde_json::Value::Object(json));
    if failed {
        std::process::exit(1);
    }
}
