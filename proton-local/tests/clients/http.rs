//! proton-local's transport: authentication errors on the wire, the body
//! size bound, fault injection (a faulted mutation never happens), and
//! graceful shutdown on SIGTERM.
#![allow(deprecated)] // every aws-sdk-proton operation is marked deprecated

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use aws_sdk_proton::Client;
use aws_sdk_proton::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_types::retry::RetryConfig;
use proton_test_support::reliability::kill;
use proton_test_support::{ProtonLocal, poll_until};

/// One raw HTTP/1.1 exchange; returns (status, headers+body text).
fn raw(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    s.write_all(request).expect("write");
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn post(addr: SocketAddr, target: &str, extra_headers: &str, body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-amz-json-1.0\r\n\
         X-Amz-Target: AwsProton20200720.{target}\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(body);
    req
}

fn client(url: &str, retries: bool) -> Client {
    let retry = if retries {
        RetryConfig::standard().with_max_attempts(10)
    } else {
        RetryConfig::disabled()
    };
    Client::from_conf(
        aws_sdk_proton::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(url)
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .retry_config(retry)
            .build(),
    )
}

#[test]
fn unauthenticated_and_oversized_requests_are_refused() {
    let proton = ProtonLocal::start(&[]);
    let addr = proton.addr();
    let (status, text) = raw(addr, &post(addr, "ListEnvironments", "", b"{}"));
    assert_eq!(status, 403, "{text}");
    assert!(
        text.contains("MissingAuthenticationTokenException"),
        "{text}"
    );
    assert!(
        text.to_ascii_lowercase()
            .contains("x-amzn-errortype: missingauthenticationtokenexception"),
        "{text}"
    );
    assert!(
        text.to_ascii_lowercase().contains("x-amzn-requestid: "),
        "{text}"
    );

    let bogus = "Authorization: AWS4-HMAC-SHA256 Credential=AKIDX/20240101/us-east-1/proton/aws4_request, SignedHeaders=host, Signature=00\r\nX-Amz-Date: 20240101T000000Z\r\n";
    let (status, text) = raw(addr, &post(addr, "ListEnvironments", bogus, b"{}"));
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("UnrecognizedClientException"), "{text}");

    let big = vec![b' '; 2 * 1024 * 1024];
    let (status, text) = raw(addr, &post(addr, "ListEnvironments", "", &big));
    assert_eq!(status, 413, "{text}");
}

/// `--rate-limit N`: a burst beyond N is answered ThrottlingException, before anything happens, and
/// the limit refills at N a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_beyond_the_rate_limit_are_throttled() {
    let proton = ProtonLocal::start(&["--rate-limit", "5"]);
    let c = client(proton.endpoint(), false);
    let mut creates = tokio::task::JoinSet::new();
    for i in 0..20 {
        let c = c.clone();
        creates.spawn(async move {
            c.create_environment_template()
                .name(format!("t{i}"))
                .send()
                .await
        });
    }
    let answers = creates.join_all().await;
    let created = answers.iter().filter(|answer| answer.is_ok()).count();
    let throttled = answers
        .iter()
        .filter_map(|answer| answer.as_ref().err())
        .filter(|err| {
            err.as_service_error()
                .is_some_and(|e| e.is_throttling_exception())
        })
        .count();
    // The bucket refills while the burst is answered: a few more than 5 may pass on a slow machine.
    assert!((5..=8).contains(&created), "{created} of 20 created");
    assert_eq!(created + throttled, 20, "{answers:?}");
    assert_eq!(proton.environment_template_names().len(), created);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(c.list_environment_templates().send().await.is_ok());
    assert_eq!(
        proton
            .requests()
            .iter()
            .filter(|line| line.contains("status=429"))
            .count(),
        throttled
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_injected_before_anything_happens() {
    // Every request fails or is throttled; nothing is created.
    let proton = ProtonLocal::start(&["--fail-rate", "1"]);
    let c = client(proton.endpoint(), false);
    let err = c
        .create_environment_template()
        .name("x")
        .send()
        .await
        .expect_err("500");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_internal_server_exception())
    );
    drop(proton);
    let proton = ProtonLocal::start(&["--throttle-rate", "1"]);
    let c = client(proton.endpoint(), false);
    let err = c.list_environments().send().await.expect_err("429");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_throttling_exception()),
        "{err:?}"
    );
    drop(proton);
    let proton = ProtonLocal::start(&["--drop-rate", "1"]);
    let c = client(proton.endpoint(), false);
    let err = c.list_environments().send().await.expect_err("dropped");
    assert!(
        err.raw_response().is_none(),
        "a dropped request has no answer: {err:?}"
    );
    drop(proton);

    // Half the requests fail: exactly the acknowledged creates exist.
    let proton = ProtonLocal::start(&[
        "--fail-rate",
        "0.3",
        "--throttle-rate",
        "0.2",
        "--seed",
        "42",
    ]);
    let c = client(proton.endpoint(), false);
    let mut acked = BTreeSet::new();
    for i in 0..40 {
        let name = format!("t{i}");
        if c.create_environment_template()
            .name(&name)
            .send()
            .await
            .is_ok()
        {
            acked.insert(name);
        }
    }
    assert!(
        !acked.is_empty() && acked.len() < 40,
        "{} of 40 succeeded",
        acked.len()
    );
    let reader = client(proton.endpoint(), true);
    let mut found = BTreeSet::new();
    let mut token: Option<String> = None;
    loop {
        let page = reader
            .list_environment_templates()
            .set_next_token(token.clone())
            .send()
            .await
            .expect("list with retries");
        found.extend(page.templates().iter().map(|t| t.name().to_string()));
        match page.next_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(found, acked);
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let mut proton = ProtonLocal::start(&[]);
    kill(proton.pid(), "TERM");
    let exit = poll_until(
        "proton-local to stop after SIGTERM",
        Duration::from_secs(10),
        || proton.try_wait(),
    );
    assert!(exit.success(), "{exit:?}");
}
