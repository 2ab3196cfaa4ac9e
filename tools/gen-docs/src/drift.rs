//! How `docs/` differs from the generated pages, and bringing it in line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::path::Path;

use crate::DocsError;

/// Folders and files under `docs/` that are written by hand and never touched or checked by the
/// generator (the contract table is the team's record of Proton's rules, not a generated page).
const HAND_WRITTEN: &[&str] = &["guides/", "proton-contract.md"];

/// How the files under `docs/` differ from the generated pages.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Generated pages that have no file.
    pub missing: Vec<String>,
    /// Files whose content differs from the generated page.
    pub changed: Vec<String>,
    /// Files the generator owns that no page corresponds to (a removed type, a renamed page).
    pub stale: Vec<String>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty() && self.stale.is_empty()
    }
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let groups = [
            ("missing", &self.missing),
            ("out of date", &self.changed),
            ("stale (no such type any more)", &self.stale),
        ];
        for (what, paths) in groups {
            for path in paths {
                writeln!(f, "  docs/{path}: {what}")?;
            }
        }
        Ok(())
    }
}

/// Compares the pages with the files under `docs`.
pub fn drift(pages: &BTreeMap<String, String>, docs: &Path) -> Result<Drift, DocsError> {
    let existing = owned_files(docs)?;
    let mut result = Drift::default();
    for (path, content) in pages {
        let file = docs.join(path);
        match std::fs::read(&file) {
            Ok(bytes) if bytes == content.as_bytes() => {}
            Ok(_) => result.changed.push(path.clone()),
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                result.missing.push(path.clone())
            }
            Err(source) => return Err(DocsError::Read { path: file, source }),
        }
    }
    result.stale = existing
        .into_iter()
        .filter(|path| !pages.contains_key(path))
        .collect();
    Ok(result)
}

/// Brings `docs` in line with the pages: writes missing and changed ones, removes stale ones.
/// Returns what it did.
pub fn write(pages: &BTreeMap<String, String>, docs: &Path) -> Result<Drift, DocsError> {
    let result = drift(pages, docs)?;
    for path in result.missing.iter().chain(&result.changed) {
        let file = docs.join(path);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent).map_err(|source| DocsError::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let content = pages.get(path).map(String::as_str).unwrap_or_default();
        std::fs::write(&file, content).map_err(|source| DocsError::Write { path: file, source })?;
    }
    for path in &result.stale {
        let file = docs.join(path);
        std::fs::remove_file(&file).map_err(|source| DocsError::Remove { path: file, source })?;
    }
    Ok(result)
}

/// Files under `docs` that the generator owns (everything but the hand-written folders), as relative
/// paths with `/` separators. A missing `docs` folder owns nothing.
fn owned_files(docs: &Path) -> Result<BTreeSet<String>, DocsError> {
    let mut found = BTreeSet::new();
    let mut pending = vec![(docs.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == io::ErrorKind::NotFound => continue,
            Err(source) => return Err(DocsError::Read { path: dir, source }),
        };
        for entry in entries {
            let entry = entry.map_err(|source| DocsError::Read {
                path: dir.clone(),
                source,
            })?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!("{prefix}{name}");
            let kind = entry.file_type().map_err(|source| DocsError::Read {
                path: entry.path(),
                source,
            })?;
            if kind.is_dir() {
                let folder = format!("{relative}/");
                if !HAND_WRITTEN.contains(&folder.as_str()) {
                    pending.push((entry.path(), folder));
                }
            } else if !HAND_WRITTEN.contains(&relative.as_str()) {
                found.insert(relative);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn drift_finds_missing_changed_and_stale_pages() -> Result<(), DocsError> {
        let dir = tempfile::tempdir().map_err(|source| DocsError::Read {
            path: PathBuf::from("tempdir"),
            source,
        })?;
        let docs = dir.path().join("docs");
        let pages: BTreeMap<String, String> = [
            ("index.md".to_string(), "index\n".to_string()),
            ("resources/a.md".to_string(), "a\n".to_string()),
        ]
        .into();
        let first = write(&pages, &docs)?;
        assert_eq!(first.missing, vec!["index.md", "resources/a.md"]);
        assert!(drift(&pages, &docs)?.is_empty());

        let write_file = |path: &str, text: &str| {
            std::fs::create_dir_all(docs.join(path).parent().unwrap_or(&docs))
                .and_then(|()| std::fs::write(docs.join(path), text))
                .map_err(|source| DocsError::Write {
                    path: docs.join(path),
                    source,
                })
        };
        write_file("resources/a.md", "edited by hand\n")?;
        write_file("resources/gone.md", "old\n")?;
        write_file("guides/hand-written.md", "kept\n")?;
        std::fs::remove_file(docs.join("index.md")).map_err(|source| DocsError::Remove {
            path: docs.join("index.md"),
            source,
        })?;
        let found = drift(&pages, &docs)?;
        assert_eq!(
            found,
            Drift {
                missing: vec!["index.md".to_string()],
                changed: vec!["resources/a.md".to_string()],
                stale: vec!["resources/gone.md".to_string()],
            }
        );
        assert!(found.to_string().contains("docs/resources/gone.md: stale"));

        write(&pages, &docs)?;
        assert!(drift(&pages, &docs)?.is_empty());
        assert!(docs.join("guides/hand-written.md").exists());
        assert!(!docs.join("resources/gone.md").exists());
        Ok(())
    }
}
