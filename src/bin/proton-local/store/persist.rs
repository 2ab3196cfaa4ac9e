//! Durable state: the whole state is written to a temporary file, flushed to
//! disk and renamed over the old one before a mutation is acknowledged, so a
//! crash at any point leaves either the old or the new state, never a mix.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::State;

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("state file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("state file {path} is not valid: {source}")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("state file {path} has format {found}, this proton-local reads {expected}")]
    Format {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("cannot encode state: {0}")]
    Encode(serde_json::Error),
}

pub struct Persister {
    path: PathBuf,
    tmp: PathBuf,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Persister {
    /// Opens (or starts) a state file and returns what it holds.
    pub fn open(path: &Path) -> Result<(Persister, State), PersistError> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let persister = Persister {
            path: path.to_path_buf(),
            tmp: PathBuf::from(tmp),
        };
        let state = match fs::read(path) {
            Ok(bytes) if bytes.is_empty() => State::default(),
            Ok(bytes) => {
                let state: State =
                    serde_json::from_slice(&bytes).map_err(|source| PersistError::Parse {
                        path: path.to_path_buf(),
                        source,
                    })?;
                if state.format > State::FORMAT {
                    return Err(PersistError::Format {
                        path: path.to_path_buf(),
                        found: state.format,
                        expected: State::FORMAT,
                    });
                }
                state
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(io_err(path)(e)),
        };
        Ok((persister, state))
    }

    /// Writes the state atomically and durably.
    pub fn save(&self, state: &State) -> Result<(), PersistError> {
        let mut bytes = serde_json::to_vec(state).map_err(PersistError::Encode)?;
        bytes.push(b'\n');
        {
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&self.tmp)
                .map_err(io_err(&self.tmp))?;
            f.write_all(&bytes).map_err(io_err(&self.tmp))?;
            f.sync_all().map_err(io_err(&self.tmp))?;
        }
        fs::rename(&self.tmp, &self.path).map_err(io_err(&self.path))?;
        // The rename itself must reach the disk too.
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if let Ok(d) = File::open(&dir) {
            d.sync_all().map_err(io_err(&dir))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let (p, mut state) = Persister::open(&path).unwrap();
        assert!(state.partitions().next().is_none());
        state.format = State::FORMAT;
        state.partition_mut("000000000000", "us-east-1");
        p.save(&state).unwrap();
        let (_, again) = Persister::open(&path).unwrap();
        assert!(again.partition("000000000000", "us-east-1").is_some());
        assert!(!dir.path().join("state.json.tmp").exists());
    }

    #[test]
    fn garbage_is_an_error_not_an_empty_state() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::write(&path, b"{not json").unwrap();
        assert!(matches!(
            Persister::open(&path),
            Err(PersistError::Parse { .. })
        ));
    }
}
