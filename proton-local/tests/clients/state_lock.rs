//! One proton-local per `--state` file: a second one on the same file exits with an error before it
//! listens and leaves the first one and the file alone; the lock dies with its process, even on
//! kill -9, so a new proton-local starts on the file and finds the data.
#![allow(deprecated)] // every aws-sdk-proton operation is marked deprecated

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use proton_test_support::{
    ProtonLocal, describe_output, proton_local_binary, run_bounded, stderr_str,
};

use crate::sdk::client;

fn files_of(state: &Path) -> Vec<(String, Vec<u8>)> {
    ["", ".journal"]
        .iter()
        .map(|suffix| {
            let path = format!("{}{suffix}", state.display());
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
            (path, bytes)
        })
        .collect()
}

async fn create_template(url: &str, name: &str) {
    client(url, "test", "test")
        .create_environment_template()
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create template {name}: {e:?}"));
}

async fn template_exists(url: &str, name: &str) -> bool {
    client(url, "test", "test")
        .get_environment_template()
        .name(name)
        .send()
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_proton_local_on_the_same_state_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().unwrap();
    let first = ProtonLocal::start(&["--state", state_arg]);
    create_template(first.endpoint(), "kept").await;
    let before = files_of(&state);

    let mut second = Command::new(proton_local_binary());
    second.args(["--listen", "127.0.0.1:0", "--state", state_arg]);
    let (out, timed_out) = run_bounded(second, Duration::from_secs(30));
    let shown = describe_output(&out);
    assert!(!timed_out, "the second proton-local kept running: {shown}");
    assert_eq!(out.status.code(), Some(1), "{shown}");
    let stderr = stderr_str(&out);
    let expected = format!(
        "proton-local: state file {} is in use by another proton-local (pid {}): stop it, or give \
         this one another --state file (lock file {}.lock)",
        state.display(),
        first.pid(),
        state.display()
    );
    assert!(stderr.contains(&expected), "{shown}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("listening"),
        "{shown}"
    );

    // The first one still serves and takes changes, and the refused start changed nothing on disk.
    assert_eq!(files_of(&state), before);
    assert!(template_exists(first.endpoint(), "kept").await);
    create_template(first.endpoint(), "after").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_dies_with_a_killed_proton_local() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().unwrap();
    let first = ProtonLocal::start(&["--state", state_arg]);
    create_template(first.endpoint(), "survivor").await;
    drop(first); // SIGKILL: no chance to flush or clean up
    assert!(
        Path::new(&format!("{state_arg}.lock")).exists(),
        "the lock file stays; only the lock goes"
    );

    let next = ProtonLocal::start(&["--state", state_arg]);
    assert!(template_exists(next.endpoint(), "survivor").await);
}
