//! Journal records: what one acknowledged request changed, so a durable write
//! costs the size of the change instead of the size of the store.
//!
//! `FILE.journal` holds records back to back, each
//!
//! ```text
//! u32 LE payload length | u32 LE CRC-32 (IEEE) of the payload | payload
//! ```
//!
//! The payload is JSON:
//! `{"seq": N, "partitions": [{"account", "region", "settings"?, "maps"?: {COLLECTION: {KEY: VALUE|null}}}], "connections"?: {ID: VALUE|null}}`.
//! A value is the entry's whole new value (null: removed), so applying a
//! record twice gives the same state. `seq` counts up by one per record; the
//! snapshot's `journal_seq` is the last record it includes, and loading skips
//! records at or below it (see `persist`).

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::tx::TxMap;
use super::{Partition, State, each_map};

/// Length and checksum in front of each payload.
pub const HEADER: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("unknown collection {0:?}")]
    UnknownCollection(String),
    #[error("collection {0:?} is not an object")]
    NotAnObject(String),
    #[error("record of {0} bytes is too large")]
    TooLarge(usize),
}

#[derive(Serialize, Deserialize)]
pub struct Record {
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    partitions: Vec<PartitionDelta>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    connections: Map<String, Value>,
}

#[derive(Serialize, Deserialize)]
struct PartitionDelta {
    account: String,
    region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    settings: Option<Value>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    maps: Map<String, Value>,
}

/// The framed record of everything `state` changed since its last
/// `forget_changes` (committed transitions and the pending request alike),
/// or None when nothing changed.
pub fn encode(state: &State, seq: u64) -> Result<Option<Vec<u8>>, RecordError> {
    let keys: BTreeSet<&String> = state.dirty.iter().chain(state.touched.iter()).collect();
    let mut partitions = Vec::new();
    for key in keys {
        // Absent: created by the pending request and already rolled back.
        if let Some(p) = state.partitions.get(key) {
            partitions.push(partition_delta(p)?);
        }
    }
    let connections = map_delta(&state.connections)?;
    if partitions.is_empty() && connections.is_empty() {
        return Ok(None);
    }
    let payload = serde_json::to_vec(&Record {
        seq,
        partitions,
        connections,
    })?;
    let len = u32::try_from(payload.len()).map_err(|_| RecordError::TooLarge(payload.len()))?;
    let mut framed = Vec::with_capacity(HEADER + payload.len());
    framed.extend_from_slice(&len.to_le_bytes());
    framed.extend_from_slice(&crc32(&payload).to_le_bytes());
    framed.extend_from_slice(&payload);
    Ok(Some(framed))
}

// A partition is written even with nothing changed in it: it may be new.
fn partition_delta(p: &Partition) -> Result<PartitionDelta, RecordError> {
    let mut maps = Map::new();
    each_map!(ref p, name, m => {
        let delta = map_delta(m)?;
        if !delta.is_empty() {
            maps.insert(name.to_string(), Value::Object(delta));
        }
    });
    let settings = if p.settings.unsaved() {
        Some(serde_json::to_value(&*p.settings)?)
    } else {
        None
    };
    Ok(PartitionDelta {
        account: p.account.clone(),
        region: p.region.clone(),
        settings,
        maps,
    })
}

fn map_delta<V: Clone + Serialize>(
    m: &TxMap<String, V>,
) -> Result<Map<String, Value>, serde_json::Error> {
    m.unsaved()
        .map(|(k, v)| Ok((k.clone(), serde_json::to_value(v)?)))
        .collect()
}

pub fn decode(payload: &[u8]) -> Result<Record, RecordError> {
    Ok(serde_json::from_slice(payload)?)
}

/// Applies a record to a loaded state (no undo, nothing remembered as unsaved).
pub fn apply(state: &mut State, record: Record) -> Result<(), RecordError> {
    for d in record.partitions {
        let key = State::partition_key(&d.account, &d.region);
        // next_due stays 0 (unknown), as for a loaded partition.
        let p = state.partitions.entry(key).or_insert_with(|| Partition {
            account: d.account,
            region: d.region,
            ..Partition::default()
        });
        if let Some(s) = d.settings {
            p.settings.apply(serde_json::from_value(s)?);
        }
        for (collection, entries) in d.maps {
            let Value::Object(mut entries) = entries else {
                return Err(RecordError::NotAnObject(collection));
            };
            let mut found = false;
            each_map!(mut p, name, m => if name == collection {
                found = true;
                apply_map(m, std::mem::take(&mut entries))?;
            });
            if !found {
                return Err(RecordError::UnknownCollection(collection));
            }
        }
    }
    apply_map(&mut state.connections, record.connections)?;
    state.journal_seq = record.seq;
    Ok(())
}

fn apply_map<V: Clone + DeserializeOwned>(
    m: &mut TxMap<String, V>,
    entries: Map<String, Value>,
) -> Result<(), serde_json::Error> {
    for (k, v) in entries {
        m.apply(k, serde_json::from_value::<Option<V>>(v)?);
    }
    Ok(())
}

/// What the bytes at a position in the journal hold.
#[derive(Debug, PartialEq)]
pub enum Frame<'a> {
    End,
    /// An intact record and the bytes it takes, header included.
    Record(&'a [u8], usize),
    /// An unfinished last write: the crash came before it was acknowledged.
    Torn,
    /// Damage with intact-looking data after it: not a crash's torn tail.
    Corrupt(&'static str),
}

pub fn next_frame(rest: &[u8]) -> Frame<'_> {
    if rest.is_empty() {
        return Frame::End;
    }
    if rest.len() < HEADER {
        return Frame::Torn;
    }
    let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    // A crash can extend a file with zeros that were never written.
    let zeros = |from: usize| rest[from.min(rest.len())..].iter().all(|&b| b == 0);
    if len == 0 {
        return if zeros(0) {
            Frame::Torn
        } else {
            Frame::Corrupt("empty record")
        };
    }
    let end = HEADER.saturating_add(len);
    if end > rest.len() {
        return Frame::Torn;
    }
    let payload = &rest[HEADER..end];
    if crc32(payload) == crc {
        Frame::Record(payload, end)
    } else if zeros(end) {
        Frame::Torn
    } else {
        Frame::Corrupt("checksum mismatch")
    }
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE 802.3, as zlib and gzip use).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut f = (payload.len() as u32).to_le_bytes().to_vec();
        f.extend_from_slice(&crc32(payload).to_le_bytes());
        f.extend_from_slice(payload);
        f
    }

    #[test]
    fn frames_torn_and_corrupt() {
        let a = frame(b"{\"seq\":1}");
        assert_eq!(next_frame(&a), Frame::Record(&a[HEADER..], a.len()));
        assert_eq!(next_frame(&[]), Frame::End);
        // Every cut of the last record is a torn tail.
        for cut in 1..a.len() {
            assert_eq!(next_frame(&a[..cut]), Frame::Torn, "cut at {cut}");
        }
        // A flipped byte in the last record: torn; with a record after it: corrupt.
        let mut bad = a.clone();
        bad[HEADER + 2] ^= 1;
        assert_eq!(next_frame(&bad), Frame::Torn);
        let mut two = bad.clone();
        two.extend_from_slice(&a);
        assert!(matches!(next_frame(&two), Frame::Corrupt(_)));
        // Zeros the file was extended with.
        assert_eq!(next_frame(&[0; 64]), Frame::Torn);
        let mut zero_then_data = vec![0; 8];
        zero_then_data.extend_from_slice(&a);
        assert!(matches!(next_frame(&zero_then_data), Frame::Corrupt(_)));
    }
}
