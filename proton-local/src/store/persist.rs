//! Durable state: a snapshot plus a journal of the changes since.
//!
//! - `FILE`: the snapshot, the whole `State` as JSON (format 1 files, from
//!   before the journal, are snapshots too). Its `journal_seq` is the last
//!   journal record it includes.
//! - `FILE.journal`: records (see `journal`), one per acknowledged change,
//!   appended and flushed to disk before the answer. A torn last record (a
//!   crash mid-write, so never acknowledged) is cut off when loading.
//! - `FILE.tmp`: a snapshot being written; ignored when loading.
//! - `FILE.lock`: held by the one proton-local that uses the file (see `lock`).
//!
//! Loading reads the snapshot, then applies the records with a higher `seq`,
//! which must follow on one by one. Compaction, once the journal outgrows the
//! snapshot, writes a snapshot the atomic way (temporary file, fsync, rename,
//! directory fsync) and only then empties the journal: a crash between the
//! two leaves records the new snapshot already has, which loading skips.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::State;
use super::journal::{self, Frame, RecordError};

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
    #[error("cannot encode a journal record: {0}")]
    EncodeRecord(RecordError),
    #[error("journal {path} is damaged at byte {offset}: {reason}")]
    Corrupt {
        path: PathBuf,
        offset: usize,
        reason: String,
    },
    #[error("journal {path} skips from record {expected} to {found}: changes are missing")]
    Gap {
        path: PathBuf,
        expected: u64,
        found: u64,
    },
}

/// Compaction writes no snapshot while the journal is smaller than this.
const MIN_JOURNAL: u64 = 1 << 20;

pub struct Persister {
    path: PathBuf,
    tmp: PathBuf,
    journal_path: PathBuf,
    /// Opened for appending.
    journal: File,
    journal_len: u64,
    snapshot_len: u64,
    /// The last sequence number handed out; a failed write's is not reused.
    last_seq: u64,
    min_journal: u64,
    /// A failed append may have left part of a record: the next write is a
    /// snapshot and a fresh journal, so nothing is appended after garbage.
    broken: bool,
}

/// The steps of a compaction, in the order that is safe at every crash point.
#[derive(Debug, Clone, Copy)]
enum Step {
    WriteTmp,
    Rename,
    SyncDir,
    ResetJournal,
}
const COMPACTION: [Step; 4] = [
    Step::WriteTmp,
    Step::Rename,
    Step::SyncDir,
    Step::ResetJournal,
];

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PersistError + '_ {
    move |source| PersistError::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

impl Persister {
    /// Opens (or starts) a state file and returns what it holds.
    pub fn open(path: &Path) -> Result<(Persister, State), PersistError> {
        let (mut state, snapshot_len) = read_snapshot(path)?;
        let journal_path = with_suffix(path, ".journal");
        let found = read_if_present(&journal_path)?;
        let existed = found.is_some();
        let bytes = found.unwrap_or_default();
        let valid = replay(&journal_path, &bytes, &mut state)?;
        let journal = OpenOptions::new()
            .append(true)
            .create(true)
            .open(&journal_path)
            .map_err(io_err(&journal_path))?;
        let mut persister = Persister {
            path: path.to_path_buf(),
            tmp: with_suffix(path, ".tmp"),
            journal_path,
            journal,
            journal_len: valid as u64,
            snapshot_len,
            last_seq: state.journal_seq,
            min_journal: MIN_JOURNAL,
            broken: false,
        };
        if !existed {
            persister.sync_dir()?;
        }
        if valid < bytes.len() {
            tracing::warn!(
                bytes = bytes.len() - valid,
                "state journal ends with an unfinished record (never acknowledged); dropped"
            );
            let p = &persister.journal_path;
            persister.journal.set_len(valid as u64).map_err(io_err(p))?;
            persister.journal.sync_all().map_err(io_err(p))?;
        }
        // Older formats (and a new file) get a current snapshot right away, so
        // an older proton-local refuses the file instead of missing the journal.
        if state.format != State::FORMAT {
            state.format = State::FORMAT;
            persister.compact_until(&state, COMPACTION.len())?;
        }
        Ok((persister, state))
    }

    /// Makes what `state` changed since its last `forget_changes` durable:
    /// one journal record, flushed to disk; sometimes a compaction after it.
    pub fn save(&mut self, state: &mut State) -> Result<(), PersistError> {
        let seq = self.last_seq + 1;
        if self.broken {
            self.last_seq = seq;
            let before = state.journal_seq;
            state.journal_seq = seq;
            return match self.compact_until(state, COMPACTION.len()) {
                Ok(()) => Ok(()),
                Err(e) => {
                    state.journal_seq = before;
                    Err(e)
                }
            };
        }
        let Some(record) = journal::encode(state, seq).map_err(PersistError::EncodeRecord)? else {
            return Ok(());
        };
        self.last_seq = seq;
        let written = self
            .journal
            .write_all(&record)
            .and_then(|()| self.journal.sync_data());
        if let Err(e) = written {
            self.broken = true;
            // Best effort; the next write replaces the journal anyway.
            let _ = self.journal.set_len(self.journal_len);
            return Err(io_err(&self.journal_path)(e));
        }
        self.journal_len += record.len() as u64;
        state.journal_seq = seq;
        if self.journal_len > self.snapshot_len.max(self.min_journal)
            && let Err(e) = self.compact_until(state, COMPACTION.len())
        {
            // The change is durable in the journal; compaction is retried on
            // the next write.
            tracing::warn!(error = %e, "cannot compact the state journal");
        }
        Ok(())
    }

    /// Runs the first `steps` steps of a compaction (all of them, except in
    /// tests that stop in between as a crash would).
    fn compact_until(&mut self, state: &State, steps: usize) -> Result<(), PersistError> {
        for step in COMPACTION.iter().take(steps) {
            let done = match step {
                Step::WriteTmp => self.write_tmp(state),
                Step::Rename => fs::rename(&self.tmp, &self.path).map_err(io_err(&self.path)),
                Step::SyncDir => self.sync_dir(),
                Step::ResetJournal => self.reset_journal(),
            };
            if let Err(e) = done {
                // Whatever is left, appending to the journal is no longer safe.
                if matches!(step, Step::ResetJournal) {
                    self.broken = true;
                }
                return Err(e);
            }
        }
        if steps >= COMPACTION.len() {
            self.broken = false;
        }
        Ok(())
    }

    fn write_tmp(&mut self, state: &State) -> Result<(), PersistError> {
        let mut bytes = serde_json::to_vec(state).map_err(PersistError::Encode)?;
        bytes.push(b'\n');
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&self.tmp)
            .map_err(io_err(&self.tmp))?;
        f.write_all(&bytes).map_err(io_err(&self.tmp))?;
        f.sync_all().map_err(io_err(&self.tmp))?;
        self.snapshot_len = bytes.len() as u64;
        Ok(())
    }

    /// A rename or a new file must reach the disk too.
    fn sync_dir(&self) -> Result<(), PersistError> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if let Ok(d) = File::open(&dir) {
            d.sync_all().map_err(io_err(&dir))?;
        }
        Ok(())
    }

    fn reset_journal(&mut self) -> Result<(), PersistError> {
        self.journal
            .set_len(0)
            .map_err(io_err(&self.journal_path))?;
        self.journal
            .sync_all()
            .map_err(io_err(&self.journal_path))?;
        self.journal_len = 0;
        Ok(())
    }
}

/// A file's bytes, or `None` when there is no such file.
fn read_if_present(path: &Path) -> Result<Option<Vec<u8>>, PersistError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// The snapshot and its size (an absent or empty file is an empty state).
fn read_snapshot(path: &Path) -> Result<(State, u64), PersistError> {
    let bytes = read_if_present(path)?.unwrap_or_default();
    if bytes.is_empty() {
        return Ok((State::default(), 0));
    }
    let state: State = serde_json::from_slice(&bytes).map_err(|source| PersistError::Parse {
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
    Ok((state, bytes.len() as u64))
}

/// Applies the journal's records that follow the snapshot; returns how many
/// bytes are intact (the rest is a torn last record).
fn replay(path: &Path, bytes: &[u8], state: &mut State) -> Result<usize, PersistError> {
    let corrupt = |offset: usize, reason: String| PersistError::Corrupt {
        path: path.to_path_buf(),
        offset,
        reason,
    };
    let mut offset = 0;
    loop {
        match journal::next_frame(&bytes[offset..]) {
            Frame::End | Frame::Torn => return Ok(offset),
            Frame::Corrupt(reason) => return Err(corrupt(offset, reason.to_string())),
            Frame::Record(payload, len) => {
                let record =
                    journal::decode(payload).map_err(|e| corrupt(offset, e.to_string()))?;
                // At or below: the snapshot has it already (a compaction that
                // crashed before emptying the journal).
                if record.seq > state.journal_seq {
                    if record.seq != state.journal_seq + 1 {
                        return Err(PersistError::Gap {
                            path: path.to_path_buf(),
                            expected: state.journal_seq + 1,
                            found: record.seq,
                        });
                    }
                    journal::apply(state, record).map_err(|e| corrupt(offset, e.to_string()))?;
                }
                offset += len;
            }
        }
    }
}

#[cfg(test)]
impl Persister {
    /// Compaction thresholds small enough for tests to reach.
    pub fn set_min_journal(&mut self, bytes: u64) {
        self.min_journal = bytes;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;
    use crate::store::{AccountSettings, ClientTokenRecord, Connection};

    const ACCOUNT: &str = "000000000000";

    fn json(state: &State) -> Value {
        serde_json::to_value(state).unwrap()
    }

    fn reopen(path: &Path) -> State {
        Persister::open(path).unwrap().1
    }

    /// One change inside a request, or the end of a request.
    #[derive(Debug, Clone)]
    enum Op {
        Tag {
            part: u8,
            key: u8,
            val: u8,
        },
        Untag {
            part: u8,
            key: u8,
        },
        Token {
            part: u8,
            key: u8,
            expires: u8,
        },
        Settings {
            part: u8,
            val: u8,
        },
        Connect {
            key: u8,
            val: u8,
        },
        Disconnect {
            key: u8,
        },
        /// The clock: expired tokens go, committed without a journal record.
        Advance {
            now: u8,
        },
        /// A mutation is acknowledged: journal, commit.
        Save,
        /// A mutation fails.
        Rollback,
        /// A read: its changes are kept but not journaled until the next save.
        Read,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..3u8, 0..6u8, any::<u8>()).prop_map(|(part, key, val)| Op::Tag { part, key, val }),
            (0..3u8, 0..6u8).prop_map(|(part, key)| Op::Untag { part, key }),
            (0..3u8, 0..6u8, any::<u8>()).prop_map(|(part, key, expires)| Op::Token {
                part,
                key,
                expires
            }),
            (0..3u8, any::<u8>()).prop_map(|(part, val)| Op::Settings { part, val }),
            (0..4u8, any::<u8>()).prop_map(|(key, val)| Op::Connect { key, val }),
            (0..4u8).prop_map(|key| Op::Disconnect { key }),
            any::<u8>().prop_map(|now| Op::Advance { now }),
            Just(Op::Save),
            Just(Op::Save),
            Just(Op::Rollback),
            Just(Op::Read),
        ]
    }

    fn region(part: u8) -> String {
        format!("r{part}")
    }

    fn connection(key: u8, val: u8) -> Connection {
        Connection {
            id: format!("c{key}"),
            arn: format!("arn:c{key}"),
            region: "r0".into(),
            environment_account_id: "111111111111".into(),
            management_account_id: ACCOUNT.into(),
            environment_name: format!("e{val}"),
            role_arn: None,
            codebuild_role_arn: None,
            component_role_arn: None,
            status: "PENDING".into(),
            requested_at: 1.0,
            last_modified_at: f64::from(val),
        }
    }

    fn run(p: &mut Persister, state: &mut State, op: &Op) {
        match *op {
            Op::Tag { part, key, val } => {
                let tags = BTreeMap::from([("k".to_string(), val.to_string())]);
                state
                    .partition_mut(ACCOUNT, &region(part))
                    .tags
                    .insert(format!("arn{key}"), tags);
            }
            Op::Untag { part, key } => {
                state
                    .partition_mut(ACCOUNT, &region(part))
                    .tags
                    .remove(&format!("arn{key}"));
            }
            Op::Token { part, key, expires } => {
                let t = ClientTokenRecord {
                    fingerprint: "f".into(),
                    resource: format!("res{key}"),
                    expires_at: f64::from(expires),
                };
                state
                    .partition_mut(ACCOUNT, &region(part))
                    .tokens
                    .insert(format!("t{key}"), t);
            }
            Op::Settings { part, val } => {
                *state
                    .partition_mut(ACCOUNT, &region(part))
                    .settings
                    .get_mut() = AccountSettings {
                    pipeline_service_role_arn: Some(format!("role{val}")),
                    ..AccountSettings::default()
                };
            }
            Op::Connect { key, val } => {
                state
                    .connections
                    .insert(format!("c{key}"), connection(key, val));
            }
            Op::Disconnect { key } => {
                state.connections.remove(&format!("c{key}"));
            }
            Op::Advance { now } => {
                // As the engine does: the clock runs before a request.
                state.commit();
                state.advance_due(f64::from(now), |p, now| {
                    p.tokens.retain(|_, t| t.expires_at > now);
                });
            }
            Op::Save => {
                p.save(state).unwrap();
                state.commit();
                state.forget_changes();
            }
            Op::Rollback => state.rollback(),
            Op::Read => state.commit(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the requests, reopening gives the state in memory after
        /// the last acknowledged one, with compaction anywhere in between.
        #[test]
        fn replay_equals_the_state_in_memory(
            ops in proptest::collection::vec(op(), 1..60),
            min_journal in prop_oneof![Just(0u64), 0..3000u64, Just(MIN_JOURNAL)],
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("state.json");
            let (mut p, mut state) = Persister::open(&path).unwrap();
            p.set_min_journal(min_journal);
            for op in &ops {
                run(&mut p, &mut state, op);
            }
            run(&mut p, &mut state, &Op::Save);
            let (mut p2, mut again) = Persister::open(&path).unwrap();
            prop_assert_eq!(json(&again), json(&state));
            // And after more writes on the reopened files.
            p2.set_min_journal(min_journal);
            for op in ops.iter().rev() {
                run(&mut p2, &mut again, op);
            }
            run(&mut p2, &mut again, &Op::Save);
            prop_assert_eq!(json(&reopen(&path)), json(&again));
        }
    }

    /// A state with some history in its journal (no compaction yet).
    fn with_journal(path: &Path, writes: u8) -> (Persister, State) {
        let (mut p, mut state) = Persister::open(path).unwrap();
        for i in 0..writes {
            run(
                &mut p,
                &mut state,
                &Op::Tag {
                    part: i % 2,
                    key: i % 3,
                    val: i,
                },
            );
            run(&mut p, &mut state, &Op::Connect { key: i % 2, val: i });
            if i % 4 == 3 {
                run(&mut p, &mut state, &Op::Untag { part: 0, key: 0 });
            }
            run(&mut p, &mut state, &Op::Save);
        }
        (p, state)
    }

    #[test]
    fn a_torn_last_record_is_dropped_and_writing_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let journal_path = with_suffix(&path, ".journal");
        let (_, before_last) = with_journal(&path, 5);
        let good = fs::read(&journal_path).unwrap();
        let (mut p, mut state) = Persister::open(&path).unwrap();
        run(
            &mut p,
            &mut state,
            &Op::Tag {
                part: 2,
                key: 5,
                val: 9,
            },
        );
        run(&mut p, &mut state, &Op::Save);
        drop(p);
        let full = fs::read(&journal_path).unwrap();
        assert!(full.len() > good.len());
        // Every cut inside the last record, and zeros after a cut.
        for cut in good.len()..full.len() {
            for zeros in [0, 100] {
                let mut torn = full[..cut].to_vec();
                torn.resize(cut + zeros, 0);
                fs::write(&journal_path, &torn).unwrap();
                let (mut p, mut loaded) = Persister::open(&path).unwrap();
                assert_eq!(json(&loaded), json(&before_last), "cut at {cut} + {zeros}");
                assert_eq!(fs::read(&journal_path).unwrap(), good, "torn tail cut off");
                // The next record follows the intact ones.
                run(
                    &mut p,
                    &mut loaded,
                    &Op::Tag {
                        part: 1,
                        key: 1,
                        val: 1,
                    },
                );
                run(&mut p, &mut loaded, &Op::Save);
                assert_eq!(json(&reopen(&path)), json(&loaded));
            }
        }
        // A bad record with intact ones after it is damage, not a crash.
        let mut damaged = full.clone();
        damaged[journal::HEADER + 3] ^= 0x20;
        fs::write(&journal_path, &damaged).unwrap();
        assert!(matches!(
            Persister::open(&path),
            Err(PersistError::Corrupt { offset: 0, .. })
        ));
    }

    #[test]
    fn compaction_is_safe_at_every_crash_point() {
        for steps in 0..=COMPACTION.len() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("state.json");
            let (mut p, mut state) = with_journal(&path, 6);
            p.compact_until(&state, steps).unwrap();
            // The crash: the process is gone, the files are as they are.
            drop(p);
            let (mut p, mut loaded) = Persister::open(&path).unwrap();
            assert_eq!(json(&loaded), json(&state), "crash after {steps} steps");
            // Records the new snapshot already has are skipped, new ones applied,
            // also when they follow the old ones in the journal.
            for i in 0..3 {
                run(
                    &mut p,
                    &mut loaded,
                    &Op::Tag {
                        part: 0,
                        key: 0,
                        val: 50 + i,
                    },
                );
                run(&mut p, &mut loaded, &Op::Untag { part: 1, key: 1 });
                run(&mut p, &mut loaded, &Op::Save);
                run(
                    &mut p,
                    &mut state,
                    &Op::Tag {
                        part: 0,
                        key: 0,
                        val: 50 + i,
                    },
                );
                run(&mut p, &mut state, &Op::Untag { part: 1, key: 1 });
                state.commit();
                state.forget_changes();
            }
            assert_eq!(json(&reopen(&path)), json(&loaded), "after {steps} steps");
            assert_eq!(
                loaded.partition(ACCOUNT, "r0").unwrap().tags["arn0"]["k"],
                "52"
            );
        }
    }

    #[test]
    fn compaction_starts_when_the_journal_outgrows_the_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let journal_path = with_suffix(&path, ".journal");
        let (mut p, mut state) = Persister::open(&path).unwrap();
        p.set_min_journal(2000);
        let mut compactions = 0;
        for i in 0..200u8 {
            let before = p.journal_len;
            run(
                &mut p,
                &mut state,
                &Op::Tag {
                    part: i % 3,
                    key: i % 6,
                    val: i,
                },
            );
            run(&mut p, &mut state, &Op::Save);
            if p.journal_len < before {
                compactions += 1;
            }
            assert!(p.journal_len <= p.snapshot_len.max(2000));
            assert_eq!(fs::metadata(&journal_path).unwrap().len(), p.journal_len);
        }
        assert!(compactions > 0);
        assert_eq!(json(&reopen(&path)), json(&state));
    }

    #[test]
    fn a_journal_that_skips_records_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let journal_path = with_suffix(&path, ".journal");
        with_journal(&path, 3);
        // Drop the first record: the second does not follow the snapshot.
        let bytes = fs::read(&journal_path).unwrap();
        let Frame::Record(_, first) = journal::next_frame(&bytes) else {
            panic!("no record");
        };
        fs::write(&journal_path, &bytes[first..]).unwrap();
        assert!(matches!(
            Persister::open(&path),
            Err(PersistError::Gap {
                expected: 1,
                found: 2,
                ..
            })
        ));
    }

    #[test]
    fn a_format_1_file_loads_and_is_upgraded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        // As the snapshot-only proton-local wrote it (no journal_seq, no journal).
        let old = r#"{"format":1,"partitions":{"000000000000:us-east-1":{"account":"000000000000","region":"us-east-1","env_templates":{"t":{"name":"t","arn":"arn:aws:proton:us-east-1:000000000000:environment-template/t","display_name":null,"description":null,"encryption_key":null,"provisioning":null,"created_at":1.5,"last_modified_at":1.5,"fingerprint":"{}","versions":[]}},"settings":{"pipeline_service_role_arn":null,"pipeline_codebuild_role_arn":null,"pipeline_provisioning_repository":null},"tags":{"arn:aws:proton:us-east-1:000000000000:environment-template/t":{"team":"a"}}}},"connections":{}}"#;
        fs::write(&path, old).unwrap();
        let (mut p, mut state) = Persister::open(&path).unwrap();
        let part = state.partition(ACCOUNT, "us-east-1").unwrap();
        assert_eq!(part.env_templates["t"].created_at, 1.5);
        assert_eq!(part.tags.len(), 1);
        // Rewritten at once, so an older proton-local refuses it rather than
        // missing the journal.
        let on_disk: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        assert_eq!(on_disk["format"], State::FORMAT);
        run(
            &mut p,
            &mut state,
            &Op::Tag {
                part: 0,
                key: 0,
                val: 1,
            },
        );
        run(&mut p, &mut state, &Op::Save);
        assert_eq!(json(&reopen(&path)), json(&state));
    }

    #[test]
    fn save_and_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let (mut p, mut state) = Persister::open(&path).unwrap();
        assert!(state.partitions().next().is_none());
        state.format = State::FORMAT;
        state.partition_mut("000000000000", "us-east-1");
        p.save(&mut state).unwrap();
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
