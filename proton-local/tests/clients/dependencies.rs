//! proton-local stands alone: built by itself, with its default features, it compiles none of the
//! provider's stack (tonic, prost) and no AWS SDK; only its `s3` feature brings in aws-sdk-s3.
//! `cargo tree` reads the lock file and the registry cache, so this builds nothing.

use std::process::Command;

/// The packages `cargo tree` lists for proton-local's normal and build dependencies.
fn dependencies(features: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .args([
            "tree",
            "-p",
            "proton-local",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ])
        .args(["--locked", "--offline"])
        .args(features)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo tree");
    assert!(
        output.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

fn heavy(packages: &[String]) -> Vec<&str> {
    const HEAVY: &[&str] = &["aws-sdk-", "aws-config", "aws-smithy-", "tonic", "prost"];
    let mut found: Vec<&str> = packages
        .iter()
        .map(String::as_str)
        .filter(|p| HEAVY.iter().any(|h| p.starts_with(h)))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

#[test]
fn proton_local_alone_compiles_no_aws_sdk_tonic_or_prost() {
    let alone = dependencies(&[]);
    assert!(alone.iter().any(|p| p == "proton-local"), "{alone:?}");
    assert_eq!(heavy(&alone), Vec::<&str>::new());
    let with_s3 = dependencies(&["--features", "s3"]);
    assert!(heavy(&with_s3).contains(&"aws-sdk-s3"), "{with_s3:?}");
    assert!(
        !heavy(&with_s3)
            .iter()
            .any(|p| p.starts_with("tonic") || p.starts_with("prost"))
    );
}
