//! Bounded fuzzing in the normal suite (issue 7, item 8), next to codec_props.rs (the
//! DynamicValue decoder never panics, round trips) and proton-local's own body fuzzing
//! (proton-local/src/tests.rs):
//!
//! - the YAML spec comparison and validator: never panic on any text, reflexive, symmetric, blind to
//!   key order and flow/block style, sensitive to any changed value;
//! - proton-local's HTTP front end and SigV4 parser, over loopback: arbitrary methods, paths, headers,
//!   forged Authorization headers and bodies always get a 4xx answer (never 5xx, never accepted),
//!   and the server keeps serving signed requests.
//!
//! Longer runs: `PROTON_FUZZ_CASES=20000 cargo test --test protocol fuzz::` (and
//! `PROPTEST_CASES=20000 cargo test --test protocol codec_props::`).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use proptest::prelude::*;
use proton_test_support::ProtonLocal;
use terraform_provider_proton::tf::schema::{Validator, yaml_equal};
use terraform_provider_proton::tf::{AttributePath, Diagnostics, Value};

/// Cases per property: 256 in the suite, more with PROTON_FUZZ_CASES.
fn cases(default: u32) -> u32 {
    std::env::var("PROTON_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ------------------------------------------------------------------------------------------------
// YAML
// ------------------------------------------------------------------------------------------------

/// A YAML value tree: scalars, lists and maps, a few levels deep.
#[derive(Clone, Debug)]
enum Doc {
    Text(String),
    Int(i64),
    Bool(bool),
    List(Vec<Doc>),
    Map(BTreeMap<String, Doc>),
}

fn doc() -> impl Strategy<Value = Doc> {
    let leaf = prop_oneof![
        "[a-z][a-z0-9 ]{0,8}[a-z0-9]".prop_map(Doc::Text),
        any::<i32>().prop_map(|i| Doc::Int(i64::from(i))),
        any::<bool>().prop_map(Doc::Bool),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Doc::List),
            prop::collection::btree_map("[a-z][a-z_]{0,7}", inner, 1..5).prop_map(Doc::Map),
        ]
    })
}

fn scalar(doc: &Doc) -> String {
    match doc {
        // Quoted: a generated word such as "yes" or "null" must stay text.
        Doc::Text(t) => format!("{t:?}"),
        Doc::Int(i) => i.to_string(),
        Doc::Bool(b) => b.to_string(),
        _ => unreachable!("not a scalar"),
    }
}

/// Flow style, keys in reverse order.
fn flow(doc: &Doc) -> String {
    match doc {
        Doc::List(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Doc::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .rev()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => scalar(other),
    }
}

/// Block style, keys in order.
fn block(doc: &Doc, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match doc {
        Doc::Map(entries) => {
            for (k, v) in entries {
                match v {
                    Doc::Map(_) => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        block(v, indent + 2, out);
                    }
                    Doc::List(items) if !items.is_empty() => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        block(v, indent + 2, out);
                    }
                    _ => out.push_str(&format!("{pad}{k}: {}\n", flow(v))),
                }
            }
        }
        Doc::List(items) if !items.is_empty() => {
            for item in items {
                out.push_str(&format!("{pad}- {}\n", flow(item)));
            }
        }
        other => out.push_str(&format!("{pad}{}\n", flow(other))),
    }
}

/// The same tree with its first scalar changed.
fn changed(doc: &Doc) -> Option<Doc> {
    match doc {
        Doc::Text(t) => Some(Doc::Text(format!("{t}x"))),
        Doc::Int(i) => Some(Doc::Int(i.wrapping_add(1))),
        Doc::Bool(b) => Some(Doc::Bool(!b)),
        Doc::List(items) => items.iter().enumerate().find_map(|(n, item)| {
            changed(item).map(|c| {
                let mut items = items.clone();
                items[n] = c;
                Doc::List(items)
            })
        }),
        Doc::Map(entries) => entries.iter().find_map(|(k, v)| {
            changed(v).map(|c| {
                let mut entries = entries.clone();
                entries.insert(k.clone(), c);
                Doc::Map(entries)
            })
        }),
    }
}

/// Text that looks enough like YAML to reach deep into the parser.
fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just(": ".to_string()),
            Just("- ".to_string()),
            Just("\n".to_string()),
            Just("  ".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(", ".to_string()),
            Just("&a ".to_string()),
            Just("*a".to_string()),
            Just("!!str ".to_string()),
            Just("? ".to_string()),
            Just("|\n".to_string()),
            Just("'".to_string()),
            Just("\"".to_string()),
            Just("#".to_string()),
            Just("---\n".to_string()),
            "[a-z0-9]{1,4}",
            any::<char>().prop_map(String::from),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

fn yaml_errors(text: &str) -> bool {
    let mut diags = Diagnostics::new();
    Validator::Yaml.check(
        &Value::string(text),
        &AttributePath::attribute("spec"),
        &mut diags,
    );
    diags.has_errors()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn yaml_comparison_never_panics_is_reflexive_and_symmetric(a in yamlish(), b in yamlish()) {
        prop_assert!(yaml_equal(&a, &a));
        prop_assert_eq!(yaml_equal(&a, &b), yaml_equal(&b, &a));
        let _ = yaml_errors(&a);
    }

    #[test]
    fn yaml_comparison_of_arbitrary_text(a in any::<String>(), b in any::<String>()) {
        prop_assert!(yaml_equal(&a, &a));
        prop_assert_eq!(yaml_equal(&a, &b), yaml_equal(&b, &a));
        let _ = yaml_errors(&a);
    }

    #[test]
    fn yaml_comparison_follows_meaning_not_spelling(tree in doc()) {
        let as_flow = flow(&tree);
        let mut as_block = String::new();
        block(&tree, 0, &mut as_block);
        prop_assert!(!yaml_errors(&as_flow), "flow text must parse: {}", as_flow);
        prop_assert!(!yaml_errors(&as_block), "block text must parse: {}", as_block);
        prop_assert!(yaml_equal(&as_flow, &as_block), "{} vs\n{}", as_flow, as_block);
        if let Some(other) = changed(&tree) {
            prop_assert!(!yaml_equal(&as_block, &flow(&other)), "{} vs {}", as_block, flow(&other));
        }
    }
}

#[test]
fn deeply_nested_yaml_is_handled_without_crashing() {
    // Run on a small stack, like a runtime worker's: neither parsing nor comparing may overflow it.
    let worker = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            for depth in [1_000usize, 100_000] {
                let open = "[".repeat(depth);
                let closed = format!("{open}{}", "]".repeat(depth));
                let maps = format!("{}1{}", "{a: ".repeat(depth), "}".repeat(depth));
                for text in [&open, &closed, &maps] {
                    assert!(yaml_equal(text, text));
                    let _ = yaml_errors(text);
                }
            }
        })
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    assert!(worker.join().is_ok(), "deep YAML crashed the comparison");
}

// ------------------------------------------------------------------------------------------------
// proton-local's request parser, over loopback
// ------------------------------------------------------------------------------------------------

/// Sends `request` and returns the status code of the answer (0 when the connection closed first).
fn exchange(address: &str, request: &[u8]) -> u16 {
    let Ok(mut stream) = TcpStream::connect(address) else {
        panic!("proton-local stopped accepting connections");
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let _ = stream.write_all(request);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{0,40}",
        Just(String::new()),
        Just("AwsProton20200720.CreateEnvironmentTemplate".to_string()),
        Just("AwsProton20200720.ListEnvironments".to_string()),
        Just("20260101T000000Z".to_string()),
    ]
}

/// Authorization headers built from plausible and broken pieces.
fn authorization() -> impl Strategy<Value = String> {
    let credential = prop_oneof![
        Just("test/20260101/us-east-1/proton/aws4_request".to_string()),
        Just("test/2026/us-east-1/proton".to_string()),
        Just("nobody/20260101/us-east-1/proton/aws4_request".to_string()),
        Just(String::new()),
        "[ -~]{0,30}",
    ];
    let signed = prop_oneof![
        Just("host;x-amz-date".to_string()),
        Just(String::new()),
        Just(";;;".to_string()),
        "[a-z;-]{0,30}",
    ];
    let signature = prop_oneof![Just("0".repeat(64)), "[0-9a-f]{0,70}", "[ -~]{0,20}"];
    let scheme = prop_oneof![
        Just("AWS4-HMAC-SHA256".to_string()),
        Just("AWS4-HMAC-SHA512".to_string()),
        Just(String::new()),
    ];
    (scheme, credential, signed, signature, any::<bool>()).prop_map(
        |(scheme, credential, signed, signature, commas)| {
            let sep = if commas { ", " } else { " " };
            format!("{scheme} Credential={credential}{sep}SignedHeaders={signed}{sep}Signature={signature}")
        },
    )
}

fn request() -> impl Strategy<Value = Vec<u8>> {
    let method = prop_oneof![
        Just("POST"),
        Just("GET"),
        Just("PUT"),
        Just("DELETE"),
        Just("BREW")
    ];
    let path = prop_oneof![Just("/".to_string()), "/[a-z%?=&]{0,12}"];
    let headers = prop::collection::vec(
        (
            prop_oneof![
                Just("X-Amz-Target"),
                Just("X-Amz-Date"),
                Just("X-Amz-Security-Token"),
                Just("Content-Type"),
                Just("X-Amz-Content-Sha256"),
                Just("Host"),
            ],
            header_value(),
        ),
        0..5,
    );
    let body = prop::collection::vec(any::<u8>(), 0..300);
    (
        method,
        path,
        headers,
        prop::option::of(authorization()),
        body,
    )
        .prop_map(|(method, path, headers, auth, body)| {
            let mut text = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (name, value) in headers {
                text.push_str(&format!("{name}: {value}\r\n"));
            }
            if let Some(auth) = auth {
                text.push_str(&format!("Authorization: {auth}\r\n"));
            }
            text.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let mut bytes = text.into_bytes();
            bytes.extend_from_slice(&body);
            bytes
        })
}

#[test]
fn proton_local_answers_every_malformed_or_forged_request_with_a_client_error() {
    let proton = ProtonLocal::start(&["--log-level", "warn"]);
    let address = proton.endpoint().trim_start_matches("http://").to_string();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases(64)));
    let result = runner.run(
        &prop_oneof![
            3 => request(),
            1 => prop::collection::vec(any::<u8>(), 0..400),
        ],
        |bytes| {
            let status = exchange(&address, &bytes);
            // 0: hyper closed a connection whose bytes were not HTTP at all.
            prop_assert!(
                status == 0 || (400..500).contains(&status),
                "status {} for {:?}",
                status,
                String::from_utf8_lossy(&bytes)
            );
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}\nproton-local log:\n{}", proton.log());
    }
    // Still serving: a properly signed request goes through.
    let listed = proton.aws(&["list-environment-templates"]);
    assert!(listed.get("templates").is_some(), "{listed}");
}
