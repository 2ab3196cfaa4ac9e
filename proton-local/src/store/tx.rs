//! Collections that remember what a request changed, so a failed request can
//! be undone without copying the store first. Reads go through `Deref`; every
//! way to change an entry is a method here that first records the entry's old
//! value. Undoing a request costs what the request touched, not the store size.
//!
//! Committed changes are also remembered (`unsaved`) until `forget_changes`,
//! so the journal can write what changed rather than the whole store.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::clock::Epoch;

/// When a stored value next changes by itself (a deadline), if ever.
pub trait Due {
    fn due(&self) -> Option<Epoch> {
        None
    }
}

/// The earlier of two optional times.
pub fn earliest(a: Option<Epoch>, b: Option<Epoch>) -> Option<Epoch> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// A `BTreeMap` with an undo log: each entry is (key, value before the change).
#[derive(Debug, Clone)]
pub struct TxMap<K: Ord + Clone, V: Clone> {
    map: BTreeMap<K, V>,
    undo: Vec<(K, Option<V>)>,
    /// Keys of committed changes not yet forgotten (not yet in the journal).
    dirty: BTreeSet<K>,
}

impl<K: Ord + Clone, V: Clone> Default for TxMap<K, V> {
    fn default() -> Self {
        TxMap {
            map: BTreeMap::new(),
            undo: Vec::new(),
            dirty: BTreeSet::new(),
        }
    }
}

impl<K: Ord + Clone, V: Clone> Deref for TxMap<K, V> {
    type Target = BTreeMap<K, V>;
    fn deref(&self) -> &BTreeMap<K, V> {
        &self.map
    }
}

impl<K: Ord + Clone, V: Clone> TxMap<K, V> {
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        let old = self.map.insert(k.clone(), v);
        self.undo.push((k, old.clone()));
        old
    }

    pub fn remove<Q>(&mut self, k: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (key, old) = self.map.remove_entry(k)?;
        self.undo.push((key, Some(old.clone())));
        Some(old)
    }

    /// Mutable access to one entry; its current value is kept for undo.
    pub fn get_mut<Q>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (key, v) = self.map.get_key_value(k)?;
        self.undo.push((key.clone(), Some(v.clone())));
        self.map.get_mut(k)
    }

    /// The entry for `k`, inserted with its default value if missing.
    pub fn get_or_default(&mut self, k: K) -> &mut V
    where
        V: Default,
    {
        let old = self.map.get(&k).cloned();
        self.undo.push((k.clone(), old));
        self.map.entry(k).or_default()
    }

    /// Keeps the entries `keep` accepts; the others are logged as removed.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let undo = &mut self.undo;
        self.map.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                undo.push((k.clone(), Some(v.clone())));
            }
            kept
        });
    }

    /// Whether anything changed since the last `commit` or `rollback`.
    #[cfg(test)]
    pub fn changed(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Forgets the log, keeping the changes. Returns the earliest deadline
    /// among the entries that changed and still exist.
    pub fn commit(&mut self) -> Option<Epoch>
    where
        V: Due,
    {
        let mut due = None;
        for (k, _) in self.undo.drain(..) {
            due = earliest(due, self.map.get(&k).and_then(Due::due));
            self.dirty.insert(k);
        }
        due
    }

    /// Every entry changed since the last `forget_changes`, committed or not,
    /// with its current value (None: removed).
    pub fn unsaved(&self) -> impl Iterator<Item = (&K, Option<&V>)> {
        let keys: BTreeSet<&K> = self
            .dirty
            .iter()
            .chain(self.undo.iter().map(|(k, _)| k))
            .collect();
        keys.into_iter().map(|k| (k, self.map.get(k)))
    }

    /// The journal has the committed changes: stop remembering them.
    pub fn forget_changes(&mut self) {
        self.dirty.clear();
    }

    /// Sets an entry as a journal record says, outside any transaction.
    pub fn apply(&mut self, k: K, v: Option<V>) {
        match v {
            Some(v) => self.map.insert(k, v),
            None => self.map.remove(&k),
        };
    }

    /// Puts every changed entry back as it was, newest change first.
    pub fn rollback(&mut self) {
        while let Some((k, old)) = self.undo.pop() {
            match old {
                Some(v) => self.map.insert(k, v),
                None => self.map.remove(&k),
            };
        }
    }

    /// The earliest deadline of all entries (a full scan).
    pub fn earliest_due(&self) -> Option<Epoch>
    where
        V: Due,
    {
        self.map
            .values()
            .fold(None, |acc, v| earliest(acc, v.due()))
    }
}

impl<K: Ord + Clone + Serialize, V: Clone + Serialize> Serialize for TxMap<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(s)
    }
}

impl<'de, K, V> Deserialize<'de> for TxMap<K, V>
where
    K: Ord + Clone + Deserialize<'de>,
    V: Clone + Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(TxMap {
            map: BTreeMap::deserialize(d)?,
            undo: Vec::new(),
            dirty: BTreeSet::new(),
        })
    }
}

/// A single value with the same undo discipline as `TxMap`.
#[derive(Debug, Clone, Default)]
pub struct TxCell<T: Clone> {
    value: T,
    undo: Option<T>,
    /// Changed and committed since the last `forget_changes`.
    dirty: bool,
}

impl<T: Clone> Deref for TxCell<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: Clone> TxCell<T> {
    /// Mutable access; the value before the first change is kept for undo.
    pub fn get_mut(&mut self) -> &mut T {
        if self.undo.is_none() {
            self.undo = Some(self.value.clone());
        }
        &mut self.value
    }

    pub fn commit(&mut self) {
        if self.undo.take().is_some() {
            self.dirty = true;
        }
    }

    /// Whether the value changed since the last `forget_changes`, committed or not.
    pub fn unsaved(&self) -> bool {
        self.dirty || self.undo.is_some()
    }

    pub fn forget_changes(&mut self) {
        self.dirty = false;
    }

    /// Sets the value as a journal record says, outside any transaction.
    pub fn apply(&mut self, v: T) {
        self.value = v;
    }

    pub fn rollback(&mut self) {
        if let Some(v) = self.undo.take() {
            self.value = v;
        }
    }
}

impl<T: Clone + Serialize> Serialize for TxCell<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl<'de, T: Clone + Deserialize<'de>> Deserialize<'de> for TxCell<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(TxCell {
            value: T::deserialize(d)?,
            undo: None,
            dirty: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Due for u32 {}

    #[test]
    fn rollback_restores_every_kind_of_change() {
        let mut m: TxMap<String, u32> = TxMap::default();
        m.insert("a".into(), 1);
        m.insert("b".into(), 2);
        m.insert("c".into(), 3);
        m.commit();
        let before = (*m).clone();
        m.insert("a".into(), 10);
        m.insert("d".into(), 4);
        m.remove("b");
        if let Some(v) = m.get_mut("c") {
            *v = 30;
        }
        *m.get_or_default("e".into()) += 5;
        m.retain(|k, _| k != "a");
        m.insert("a".into(), 11);
        assert!(m.changed());
        m.rollback();
        assert_eq!(*m, before);
        assert!(!m.changed());
    }

    #[test]
    fn cell_rolls_back_to_the_first_value() {
        let mut c = TxCell::<u32>::default();
        *c.get_mut() = 1;
        *c.get_mut() = 2;
        c.rollback();
        assert_eq!(*c, 0);
        *c.get_mut() = 3;
        c.commit();
        c.rollback();
        assert_eq!(*c, 3);
        assert!(c.unsaved());
        c.forget_changes();
        assert!(!c.unsaved());
    }

    #[test]
    fn unsaved_lists_committed_and_pending_changes_until_forgotten() {
        let mut m: TxMap<String, u32> = TxMap::default();
        m.insert("a".into(), 1);
        m.insert("b".into(), 2);
        m.commit();
        m.remove("b");
        m.insert("c".into(), 3);
        let seen: Vec<_> = m.unsaved().map(|(k, v)| (k.clone(), v.copied())).collect();
        assert_eq!(
            seen,
            [
                ("a".into(), Some(1)),
                ("b".into(), None),
                ("c".into(), Some(3))
            ]
        );
        m.rollback();
        m.forget_changes();
        assert_eq!(m.unsaved().count(), 0);
        m.insert("d".into(), 4);
        m.rollback();
        assert_eq!(m.unsaved().count(), 0);
    }
}
