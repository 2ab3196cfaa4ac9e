//! One proton-local per state file.
//!
//! `FILE.lock`, beside the state file, carries an exclusive advisory lock
//! (`flock` on Unix, `LockFileEx` on Windows, through std's `File::try_lock`)
//! for as long as the [`StateLock`] lives, which `main` keeps for the whole
//! run. A second proton-local on the same `--state` finds it taken and stops
//! before it reads the state or listens. The kernel drops the lock when the
//! process ends, however it ends (kill -9 too), so a dead process never leaves
//! a stale lock. The file itself stays: it holds the pid of the last holder,
//! for the error message, and removing it would let two processes lock two
//! different files of the same name.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::persist::with_suffix;

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "state file {state} is in use by another proton-local{}: stop it, or give this one another --state file (lock file {lock})",
        holder(*pid)
    )]
    Held {
        state: PathBuf,
        lock: PathBuf,
        pid: Option<u32>,
    },
    #[error("cannot lock state file {state} with {lock}: {source}")]
    Io {
        state: PathBuf,
        lock: PathBuf,
        source: std::io::Error,
    },
}

fn holder(pid: Option<u32>) -> String {
    pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
}

/// The exclusive lock on a state file; released when dropped or when the process ends.
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

impl StateLock {
    /// Takes the lock on `state` (through `state.lock`) without waiting, and records this
    /// process's id in it.
    pub fn acquire(state: &Path) -> Result<StateLock, LockError> {
        let lock = with_suffix(state, ".lock");
        let io = |source| LockError::Io {
            state: state.to_path_buf(),
            lock: lock.clone(),
            source,
        };
        // Not truncated on open: the holder's pid must survive a failed attempt.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                // Best effort: the pid only makes the message more helpful.
                let pid = file
                    .read_to_string(&mut text)
                    .ok()
                    .and_then(|_| text.trim().parse().ok());
                return Err(LockError::Held {
                    state: state.to_path_buf(),
                    lock,
                    pid,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0)
            .and_then(|()| writeln!(file, "{}", std::process::id()))
            .map_err(io)?;
        Ok(StateLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let first = StateLock::acquire(&state).unwrap();
        let lock_file = dir.path().join("state.json.lock");
        assert_eq!(
            std::fs::read_to_string(&lock_file).unwrap(),
            format!("{}\n", std::process::id())
        );

        // flock locks belong to the open file, so a second open in this process conflicts too.
        let e = StateLock::acquire(&state).unwrap_err();
        assert!(
            matches!(&e, LockError::Held { pid: Some(p), .. } if *p == std::process::id()),
            "{e:?}"
        );
        let message = e.to_string();
        assert!(message.contains("state.json is in use by another proton-local (pid "));
        assert!(message.contains("state.json.lock"), "{message}");
        // The refused attempt leaves the holder's pid in place.
        assert_eq!(
            std::fs::read_to_string(&lock_file).unwrap(),
            format!("{}\n", std::process::id())
        );

        drop(first);
        let _again = StateLock::acquire(&state).unwrap();
    }

    #[test]
    fn a_folder_that_cannot_hold_the_lock_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = StateLock::acquire(&dir.path().join("missing/state.json")).unwrap_err();
        assert!(matches!(e, LockError::Io { .. }), "{e:?}");
    }
}
