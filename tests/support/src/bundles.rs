//! Template bundles for proton-local: the examples under `examples/bundles/`, packed by
//! `scripts/pack-bundles.py` once per test process into `target/tmp/bundles` (the folder every
//! [`crate::ProtonLocal`] gets as `--bundles`), and variants a test writes beside them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::{combined_str, repo_root, scratch_dir};

/// The bucket the example bundles are packed under.
pub const BUNDLE_BUCKET: &str = "proton-bundles";

/// The packed example bundles: `BUNDLE_BUCKET/NAME.tar.gz` for each `examples/bundles/NAME`.
pub fn bundles_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = scratch_dir().join("bundles");
        let script = repo_root().join("scripts/pack-bundles.py");
        let output = Command::new("python3")
            .arg(&script)
            .arg(&out)
            .output()
            .unwrap_or_else(|e| panic!("python3 {}: {e}", script.display()));
        assert!(
            output.status.success(),
            "scripts/pack-bundles.py failed:\n{}",
            combined_str(&output)
        );
        out
    })
    .clone()
}

/// `source` registering the example bundle `name`, as the AWS CLI's JSON.
pub fn bundle_source(name: &str) -> String {
    format!(r#"{{"s3":{{"bucket":"{BUNDLE_BUCKET}","key":"{name}.tar.gz"}}}}"#)
}

/// The same `source` as an HCL object, for a Terraform configuration.
pub fn bundle_source_hcl(name: &str) -> String {
    format!(r#"{{ s3 = {{ bucket = "{BUNDLE_BUCKET}", key = "{name}.tar.gz" }} }}"#)
}

/// The files of the example bundle `name` by path from the bundle root (`schema/schema.yaml`, ...).
pub fn example_files(name: &str) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let text =
                    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.insert(rel, text);
            }
        }
    }
    let root = repo_root().join("examples/bundles").join(name).join("v1");
    let mut files = BTreeMap::new();
    walk(&root, &root, &mut files);
    assert!(!files.is_empty(), "no example bundle {}", root.display());
    files
}

/// A gzip tarball of `files`, under a `v1/` top-level folder as `tar -zcf NAME.tar.gz v1/` makes.
pub fn pack(files: &BTreeMap<String, String>) -> Vec<u8> {
    let bytes: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_bytes()))
        .collect();
    pack_bytes(&bytes)
}

/// As [`pack`], for files that need not be text.
pub fn pack_bytes(files: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, format!("v1/{path}"), *data)
            .unwrap_or_else(|e| panic!("tar {path}: {e}"));
    }
    tar.into_inner()
        .and_then(|gz| gz.finish())
        .unwrap_or_else(|e| panic!("gzip: {e}"))
}

/// Writes `bytes` as the bundle `s3://BUCKET/KEY` in [`bundles_dir`] (write and rename: test
/// processes writing the same key at once each leave a whole file).
pub fn put_bundle(bucket: &str, key: &str, bytes: &[u8]) {
    let path = bundles_dir().join(bucket).join(key);
    let dir = path
        .parent()
        .unwrap_or_else(|| panic!("{}", path.display()));
    fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let tmp = tempfile::NamedTempFile::new_in(dir).unwrap_or_else(|e| panic!("tempfile: {e}"));
    fs::write(tmp.path(), bytes).unwrap_or_else(|e| panic!("{}: {e}", tmp.path().display()));
    tmp.persist(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// The example bundle `name`, also registered as `s3://BUCKET/KEY` (tests that need several keys
/// for one bundle, say to change a version's source).
pub fn put_example(bucket: &str, key: &str, name: &str) {
    put_bundle(bucket, key, &pack(&example_files(name)));
}
