//! Opens a bundle as Proton takes it: a gzip-compressed tar archive whose
//! files sit at its root or under one top-level folder (`tar -zcvf
//! bundle.tar.gz v1/`). Size limits are the fixed quotas of the AWS Proton
//! User Guide (ag-limits), checked from the tar headers before a file is read.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path};

use flate2::read::GzDecoder;

const KIB: u64 = 1024;
/// Largest bundle object.
pub const MAX_BUNDLE_BYTES: u64 = 5 * KIB * KIB;
/// Largest `manifest.yaml`.
pub const MAX_MANIFEST_BYTES: u64 = 50 * KIB;
/// Largest `schema/schema.yaml`.
pub const MAX_SCHEMA_BYTES: u64 = 50 * KIB;
/// Largest other file.
pub const MAX_FILE_BYTES: u64 = 200 * KIB;
/// Most files in one bundle.
pub const MAX_FILES: usize = 10;
/// Tar entries of any kind (folders included) read before giving up.
const MAX_ENTRIES: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("the bundle is {0} bytes; a bundle may be at most 5 MB")]
    TooLarge(u64),
    #[error("the bundle is not a gzip-compressed tar archive ({0})")]
    NotGzipTar(String),
    #[error("{path}: {why}")]
    BadEntry { path: String, why: String },
    #[error("{path} is {size} bytes; a {what} may be at most {limit} KB")]
    FileTooLarge {
        path: String,
        size: u64,
        what: &'static str,
        limit: u64,
    },
    #[error("the bundle holds more than {MAX_FILES} files")]
    TooManyFiles,
    #[error("the bundle holds no files")]
    Empty,
}

/// The limit and the name of the kind of file at `path` (a bundle-root path).
fn limit_for(path: &str) -> (u64, &'static str) {
    if path == super::Bundle::SCHEMA_PATH {
        (MAX_SCHEMA_BYTES, "schema file")
    } else if path.rsplit('/').next() == Some("manifest.yaml") {
        (MAX_MANIFEST_BYTES, "manifest file")
    } else {
        (MAX_FILE_BYTES, "file")
    }
}

fn bad(path: &str, why: impl Into<String>) -> ArchiveError {
    ArchiveError::BadEntry {
        path: path.to_string(),
        why: why.into(),
    }
}

/// A tar path as `a/b/c`, refusing absolute paths and `..`.
fn clean_path(raw: &Path) -> Result<String, ArchiveError> {
    let shown = raw.to_string_lossy();
    let mut parts = vec![];
    for c in raw.components() {
        match c {
            Component::Normal(p) => parts.push(
                p.to_str()
                    .ok_or_else(|| bad(&shown, "the file name is not UTF-8"))?,
            ),
            Component::CurDir => {}
            _ => {
                return Err(bad(
                    &shown,
                    "paths in a bundle must be relative, without ..",
                ));
            }
        }
    }
    Ok(parts.join("/"))
}

/// The files of the archive, by path from the bundle root, as text.
pub fn open(bytes: &[u8]) -> Result<BTreeMap<String, String>, ArchiveError> {
    let size = bytes.len() as u64;
    if size > MAX_BUNDLE_BYTES {
        return Err(ArchiveError::TooLarge(size));
    }
    let mut tar = tar::Archive::new(GzDecoder::new(bytes));
    let entries = tar
        .entries()
        .map_err(|e| ArchiveError::NotGzipTar(e.to_string()))?;
    let mut raw: Vec<(String, Vec<u8>)> = vec![];
    for (n, entry) in entries.enumerate() {
        if n >= MAX_ENTRIES {
            return Err(ArchiveError::TooManyFiles);
        }
        let mut entry = entry.map_err(|e| ArchiveError::NotGzipTar(e.to_string()))?;
        let path = {
            let p = entry
                .path()
                .map_err(|e| ArchiveError::NotGzipTar(e.to_string()))?;
            clean_path(&p)?
        };
        let kind = entry.header().entry_type();
        if kind.is_dir() || path.is_empty() {
            continue;
        }
        // Metadata records some tar writers add (pax, GNU long names) are not files.
        if kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue;
        }
        if !kind.is_file() {
            return Err(bad(
                &path,
                "a bundle holds plain files only (no links or devices)",
            ));
        }
        if raw.len() == MAX_FILES {
            return Err(ArchiveError::TooManyFiles);
        }
        let size = entry.size();
        // Every limit is at most MAX_FILE_BYTES; the exact one needs the root, known at the end.
        if size > MAX_FILE_BYTES {
            return Err(ArchiveError::FileTooLarge {
                path,
                size,
                what: "file",
                limit: MAX_FILE_BYTES / KIB,
            });
        }
        let mut data = Vec::with_capacity(size as usize);
        entry
            .read_to_end(&mut data)
            .map_err(|e| ArchiveError::NotGzipTar(e.to_string()))?;
        raw.push((path, data));
    }
    if raw.is_empty() {
        return Err(ArchiveError::Empty);
    }
    let prefix = common_folder(&raw);
    let mut files = BTreeMap::new();
    for (path, data) in raw {
        let rel = match &prefix {
            Some(p) => path[p.len() + 1..].to_string(),
            None => path,
        };
        let (limit, what) = limit_for(&rel);
        if data.len() as u64 > limit {
            return Err(ArchiveError::FileTooLarge {
                path: rel,
                size: data.len() as u64,
                what,
                limit: limit / KIB,
            });
        }
        let text = String::from_utf8(data).map_err(|_| bad(&rel, "the file is not UTF-8 text"))?;
        files.insert(rel, text);
    }
    Ok(files)
}

/// The one top-level folder every file is under, unless that folder is
/// itself a bundle folder (then the files are at the root already).
fn common_folder(files: &[(String, Vec<u8>)]) -> Option<String> {
    let mut top: Option<&str> = None;
    for (path, _) in files {
        let (first, _) = path.split_once('/')?;
        match top {
            None => top = Some(first),
            Some(t) if t == first => {}
            Some(_) => return None,
        }
    }
    let top = top?;
    let is_bundle_folder = top == "schema" || super::InfraDir::ALL.iter().any(|d| d.dir() == top);
    (!is_bundle_folder).then(|| top.to_string())
}

/// Packs files into a gzip tarball (tests build their bundles with it).
#[cfg(test)]
pub fn pack(files: &[(&str, &str)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut b = tar::Builder::new(gz);
    for (path, text) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(text.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, path, text.as_bytes()).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_under_one_folder_are_at_the_root() {
        let tgz = pack(&[
            ("v1/schema/schema.yaml", "a"),
            ("v1/infrastructure/x.yaml", "b"),
        ]);
        let files = open(&tgz).unwrap();
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            ["infrastructure/x.yaml", "schema/schema.yaml"]
        );
    }

    #[test]
    fn files_at_the_root_stay() {
        let tgz = pack(&[("./schema/schema.yaml", "a")]);
        assert!(open(&tgz).unwrap().contains_key("schema/schema.yaml"));
    }

    #[test]
    fn not_gzip_is_refused() {
        assert!(matches!(
            open(b"plain text"),
            Err(ArchiveError::NotGzipTar(_))
        ));
    }

    #[test]
    fn limits() {
        let big = "x".repeat(51 * 1024);
        let err = open(&pack(&[("v1/schema/schema.yaml", &big)])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "schema/schema.yaml is 52224 bytes; a schema file may be at most 50 KB"
        );
        // Another file may be that large.
        assert!(open(&pack(&[("v1/infrastructure/cfn.yaml", &big)])).is_ok());
        let names: Vec<String> = (0..11).map(|i| format!("f{i}")).collect();
        let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "")).collect();
        assert_eq!(open(&pack(&many)), Err(ArchiveError::TooManyFiles));
    }
}
