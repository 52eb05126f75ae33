//! One shard: a hash table of entries plus the index of their deadlines.
//!
//! A shard is only ever touched under its lock (see `store.rs`); the two
//! atomics beside the lock publish its size and earliest deadline so that
//! `len` and the sweeper can read them without locking.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use std::hash::{BuildHasher, Hasher};

use foldhash::fast::RandomState;
use hashbrown::hash_table::Entry as TableEntry;
use hashbrown::HashTable;

use crate::expiry::ExpiryIndex;
use crate::snapshot::cow::CopyProgress;
use crate::sync::{RwLock, WriteGuard};
use crate::Key;

/// The hash a key has in its shard's table: the store's seeded foldhash of
/// the key's bytes. Written straight into the hasher, without the length
/// prefix that `Hash for [u8]` adds (a table compares the keys anyway, and
/// the prefix costs a second round of mixing on every operation). Everything
/// that hashes a key for a table goes through here, so they all agree.
#[inline]
pub(crate) fn table_hash(hasher: &RandomState, key: &[u8]) -> u64 {
    let mut h = hasher.build_hasher();
    h.write(key);
    h.finish()
}

/// Deadline value meaning "never expires". A real deadline is always below it.
pub(crate) const NEVER: u64 = u64::MAX;

/// One stored entry.
#[derive(Debug, Clone)]
pub(crate) struct Slot<V> {
    pub(crate) key: Key,
    pub(crate) value: V,
    /// Unix nanoseconds at which the key expires, or [`NEVER`].
    pub(crate) deadline: u64,
}

impl<V> Slot<V> {
    /// Whether the entry is still visible at `now`: a key is gone from the
    /// instant its deadline is reached.
    #[inline]
    pub(crate) fn is_live(&self, now: &mut Now<'_>) -> bool {
        self.deadline == NEVER || now.get() < self.deadline
    }
}

/// The time of one operation, read from the clock at most once and only if a
/// key with a TTL is involved: every key a batch touches sees the same reading.
pub(crate) struct Now<'c> {
    /// Kept as the `Arc`, not `&dyn Clock`: finding the trait object's data
    /// inside an `Arc<dyn _>` takes a few instructions that a `get` of a key
    /// without TTL, which never reads the clock, should not pay.
    clock: &'c std::sync::Arc<dyn crate::Clock>,
    nanos: Option<u64>,
}

impl<'c> Now<'c> {
    #[inline]
    pub(crate) fn new(clock: &'c std::sync::Arc<dyn crate::Clock>) -> Self {
        Now { clock, nanos: None }
    }

    #[inline]
    pub(crate) fn get(&mut self) -> u64 {
        match self.nanos {
            Some(n) => n,
            None => {
                let n = crate::clock::unix_nanos(self.clock.now());
                self.nanos = Some(n);
                n
            }
        }
    }
}

/// What a running save still needs of a shard it has not copied yet: for
/// each key changed since the snapshot instant, the entry it had at that
/// instant (`None`: the key was absent). Only a key's first change is
/// recorded; later ones find it there. See `snapshot/cow.rs`.
#[derive(Debug)]
pub(crate) struct Undo<V> {
    /// The save this log is for.
    pub(crate) epoch: crate::snapshot::cow::Epoch,
    /// How far that save's copy of this shard has got: a key whose bucket
    /// it has passed is already in its copy, as it was at the instant.
    progress: Arc<CopyProgress>,
    /// Counts the writes that may have moved entries to other buckets (the
    /// table grew or rehashed, or was cleared) while the log was kept: a
    /// save copying the shard a chunk at a time starts over when it sees
    /// the count change. Kept here, not in the shard (whose cell would
    /// outgrow its two cache lines), because after the instant every
    /// writer of a shard the save has not copied keeps a log.
    moves: u32,
    entries: HashTable<UndoEntry<V>>,
}

/// One key's state at the snapshot instant.
#[derive(Debug)]
pub(crate) struct UndoEntry<V> {
    hash: u64,
    pub(crate) key: Key,
    /// The value and deadline the key had, or `None` if it had none.
    pub(crate) old: Option<(V, u64)>,
    /// The pass of the save's copy that had already written this state from
    /// the table when the key first changed (its bucket was behind the
    /// copy), so that the copy does not write it twice; `0` if none had.
    pub(crate) copied_in_pass: u32,
}

impl<V> Undo<V> {
    /// Whether the log holds `key` (of table hash `hash`).
    pub(crate) fn contains(&self, hash: u64, key: &[u8]) -> bool {
        self.entries
            .find(hash, |e| e.hash == hash && *e.key == *key)
            .is_some()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &UndoEntry<V>> {
        self.entries.iter()
    }
}

/// Records a key's state at the snapshot instant, if this is its first
/// change since: `entry` makes the owned key and the old state only then.
/// `bucket` is where the key's entry was in the table (any value when the
/// key was absent).
fn record<V>(
    undo: &mut Undo<V>,
    hash: u64,
    key: &[u8],
    bucket: usize,
    entry: impl FnOnce() -> (Key, Option<(V, u64)>),
) {
    if let TableEntry::Vacant(v) =
        undo.entries
            .entry(hash, |e| e.hash == hash && *e.key == *key, |e| e.hash)
    {
        let (key, old) = entry();
        let copied_in_pass = undo.progress.copied_in_pass(bucket);
        v.insert(UndoEntry {
            hash,
            key,
            old,
            copied_in_pass,
        });
    }
}

/// The contents of a shard.
#[derive(Debug)]
pub(crate) struct Shard<V> {
    table: HashTable<Slot<V>>,
    expiry: ExpiryIndex,
    hasher: RandomState,
    /// Set while a save that has not copied this shard yet needs its
    /// changes recorded (copy-on-write per key).
    undo: Option<Box<Undo<V>>>,
}

impl<V> Shard<V> {
    pub(crate) fn new(hasher: RandomState) -> Self {
        Shard {
            table: HashTable::new(),
            expiry: ExpiryIndex::default(),
            hasher,
            undo: None,
        }
    }

    /// The table hash of `key` in this shard.
    pub(crate) fn hash_of(&self, key: &[u8]) -> u64 {
        table_hash(&self.hasher, key)
    }

    /// Starts recording changes for the save of `epoch`, whose copy of this
    /// shard reports its progress in `progress`, unless it already does.
    /// Returns a log of an earlier save, to be dropped off the lock.
    pub(crate) fn record_for(
        &mut self,
        epoch: crate::snapshot::cow::Epoch,
        progress: &Arc<CopyProgress>,
    ) -> Option<Box<Undo<V>>> {
        if self.undo.as_ref().is_some_and(|u| u.epoch == epoch) {
            return None;
        }
        self.undo.replace(Box::new(Undo {
            epoch,
            progress: Arc::clone(progress),
            moves: 0,
            entries: HashTable::new(),
        }))
    }

    /// Whether changes are being recorded (or a finished save's log waits
    /// to be dropped).
    #[inline]
    pub(crate) fn has_undo(&self) -> bool {
        self.undo.is_some()
    }

    /// The log of changes, if any.
    pub(crate) fn undo(&self) -> Option<&Undo<V>> {
        self.undo.as_deref()
    }

    /// Stops recording and hands the log over (to be dropped off the lock).
    pub(crate) fn take_undo(&mut self) -> Option<Box<Undo<V>>> {
        self.undo.take()
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// How many keys carry a deadline.
    pub(crate) fn ttl_len(&self) -> usize {
        self.expiry.len()
    }

    /// How many buckets the table has; entries sit at indices below it.
    pub(crate) fn num_buckets(&self) -> usize {
        self.table.num_buckets()
    }

    /// The entry in bucket `index`, if the bucket holds one.
    #[inline]
    pub(crate) fn bucket(&self, index: usize) -> Option<&Slot<V>> {
        self.table.get_bucket(index)
    }

    /// Changes whenever entries may have moved between buckets while a
    /// save's log is kept (see [`Undo`]'s `moves`).
    pub(crate) fn layout(&self) -> u32 {
        self.undo.as_ref().map_or(0, |u| u.moves)
    }

    /// Notes, in the log if one is kept, that entries may move.
    fn note_move(&mut self) {
        if let Some(undo) = self.undo.as_deref_mut() {
            undo.moves = undo.moves.wrapping_add(1);
        }
    }

    /// The entry for `key`, live or not.
    #[inline]
    pub(crate) fn find(&self, hash: u64, key: &[u8]) -> Option<&Slot<V>> {
        self.table.find(hash, |s| *s.key == *key)
    }

    /// The entry for `key` (live or not), open for change in place. A
    /// running save that still needs the key's state at its instant gets it
    /// recorded first, as for any other write.
    pub(crate) fn find_mut(&mut self, hash: u64, key: &[u8]) -> Option<&mut Slot<V>>
    where
        V: Clone,
    {
        let entry = self.table.find_entry(hash, |s| *s.key == *key).ok()?;
        let bucket = entry.bucket_index();
        if let Some(undo) = self.undo.as_deref_mut() {
            let slot = entry.get();
            record(undo, hash, &slot.key, bucket, || {
                (slot.key.clone(), Some((slot.value.clone(), slot.deadline)))
            });
        }
        Some(entry.into_mut())
    }

    /// Stores `value` under `key` with `deadline`, returning the entry it
    /// replaced (which may have expired). `key` is turned into an owned
    /// [`Key`] only when it is new, so overwriting never allocates.
    pub(crate) fn upsert<K: AsRef<[u8]> + Into<Key>>(
        &mut self,
        hash: u64,
        key: K,
        value: V,
        deadline: u64,
    ) -> Option<(V, u64)>
    where
        V: Clone,
    {
        // `entry` makes room for one more key before it looks for this one,
        // growing or rehashing the table (moving entries) exactly when it
        // has no room left. Only a kept log counts it (no log: one check).
        if self.undo.is_some() && self.table.len() == self.table.capacity() {
            self.note_move();
        }
        let hasher = &self.hasher;
        let entry = self.table.entry(
            hash,
            |s| *s.key == *key.as_ref(),
            |s| table_hash(hasher, &s.key),
        );
        let (old, slot, bucket) = match entry {
            TableEntry::Occupied(mut e) => {
                let bucket = e.bucket_index();
                let slot = e.get_mut();
                let old_deadline = std::mem::replace(&mut slot.deadline, deadline);
                let old_value = std::mem::replace(&mut slot.value, value);
                (Some((old_value, old_deadline)), e.into_mut(), bucket)
            }
            TableEntry::Vacant(e) => {
                let slot = e.insert(Slot {
                    key: key.into(),
                    value,
                    deadline,
                });
                // Absent at the instant: where it lands does not matter.
                (None, slot.into_mut(), usize::MAX)
            }
        };
        if let Some(undo) = self.undo.as_deref_mut() {
            let key = &slot.key;
            record(undo, hash, &slot.key, bucket, || (key.clone(), old.clone()));
        }
        let old_deadline = old.as_ref().map_or(NEVER, |o| o.1);
        self.reindex(hash, old_deadline, deadline);
        old
    }

    /// Removes `key`, returning its entry (which may have expired).
    pub(crate) fn remove(&mut self, hash: u64, key: &[u8]) -> Option<Slot<V>>
    where
        V: Clone,
    {
        let entry = self.table.find_entry(hash, |s| *s.key == *key).ok()?;
        let bucket = entry.bucket_index();
        let (slot, _) = entry.remove();
        if let Some(undo) = self.undo.as_deref_mut() {
            record(undo, hash, &slot.key, bucket, || {
                (slot.key.clone(), Some((slot.value.clone(), slot.deadline)))
            });
        }
        self.reindex(hash, slot.deadline, NEVER);
        Some(slot)
    }

    /// Changes the deadline of `key`; returns false if the key is absent.
    pub(crate) fn set_deadline(&mut self, hash: u64, key: &[u8], deadline: u64) -> bool
    where
        V: Clone,
    {
        let Ok(mut entry) = self.table.find_entry(hash, |s| *s.key == *key) else {
            return false;
        };
        let bucket = entry.bucket_index();
        let slot = entry.get_mut();
        let old = std::mem::replace(&mut slot.deadline, deadline);
        if let Some(undo) = self.undo.as_deref_mut() {
            record(undo, hash, &slot.key, bucket, || {
                (slot.key.clone(), Some((slot.value.clone(), old)))
            });
        }
        self.reindex(hash, old, deadline);
        true
    }

    fn reindex(&mut self, hash: u64, old: u64, new: u64) {
        if old == new {
            return;
        }
        if old != NEVER {
            self.expiry.remove(old, hash);
        }
        if new != NEVER {
            self.expiry.insert(new, hash);
        }
    }

    /// Removes up to `budget` index entries that are due at `now` (and the
    /// expired keys they point at). Returns the number of keys removed and
    /// whether due entries remain.
    pub(crate) fn sweep(&mut self, now: u64, budget: usize) -> (usize, bool) {
        let mut removed = 0;
        for _ in 0..budget {
            let Some((deadline, hash)) = self.expiry.pop_due(now) else {
                return (removed, false);
            };
            // Usually one key; more only if two keys share hash and deadline.
            // The table may offer entries whose hash differs (it compares only
            // 7 bits before calling us), so the full hash is checked too.
            let hasher = &self.hasher;
            while let Ok(entry) = self.table.find_entry(hash, |s| {
                s.deadline == deadline && table_hash(hasher, &s.key) == hash
            }) {
                let bucket = entry.bucket_index();
                let (slot, _) = entry.remove();
                if let Some(undo) = self.undo.as_deref_mut() {
                    let key = slot.key.clone();
                    record(undo, hash, &key, bucket, || {
                        (slot.key, Some((slot.value, slot.deadline)))
                    });
                }
                removed += 1;
            }
        }
        (removed, self.expiry.next_deadline() <= now)
    }

    /// Empties the shard. Not recorded in a running save's log: callers go
    /// through `Inner::write_shards`, which has the save copy the shard
    /// whole first (as for a load, which swaps the shard out).
    pub(crate) fn clear(&mut self) {
        self.note_move();
        self.table.clear();
        self.expiry.clear();
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Slot<V>> {
        self.table.iter()
    }

    pub(crate) fn next_deadline(&self) -> u64 {
        self.expiry.next_deadline()
    }
}

/// A shard, its lock, and what it publishes without the lock. Aligned to 128
/// bytes (two cache lines, as adjacent-line prefetch pairs them) so that
/// threads working on neighbouring shards do not share a line.
#[derive(Debug)]
#[repr(align(128))]
pub(crate) struct ShardCell<V> {
    pub(crate) lock: RwLock<Shard<V>>,
    /// The store's snapshot gate, checked on every write lock (copy-before-write).
    pub(crate) gate: std::sync::Arc<crate::snapshot::cow::Gate<V>>,
    /// This shard's position in the store, naming its slot in a save.
    pub(crate) index: u32,
    /// Epoch of the save that last copied this shard. Only changed under the
    /// shard's lock (see `snapshot/cow.rs`).
    pub(crate) copied_epoch: AtomicU32,
    /// Number of entries, expired ones not yet removed included.
    len: AtomicUsize,
    /// Number of entries with a deadline.
    ttl_len: AtomicUsize,
    /// Earliest deadline in the shard, `NEVER` if none.
    next_deadline: AtomicU64,
}

impl<V> ShardCell<V> {
    pub(crate) fn new(
        hasher: RandomState,
        gate: std::sync::Arc<crate::snapshot::cow::Gate<V>>,
        index: u32,
    ) -> Self {
        ShardCell {
            lock: RwLock::new(Shard::new(hasher)),
            gate,
            index,
            copied_epoch: AtomicU32::new(0),
            len: AtomicUsize::new(0),
            ttl_len: AtomicUsize::new(0),
            next_deadline: AtomicU64::new(NEVER),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    pub(crate) fn ttl_len(&self) -> usize {
        self.ttl_len.load(Ordering::Relaxed)
    }

    pub(crate) fn next_deadline(&self) -> u64 {
        self.next_deadline.load(Ordering::Relaxed)
    }

    /// Write access to the shard. Every change to a shard goes through here,
    /// so the published length and deadline are refreshed on every unlock.
    /// It is also where a running save learns of the write: if the save has
    /// not copied this shard yet, the shard records each key's state at the
    /// snapshot instant before its first change (`Gate::before_write`), so
    /// the writer neither copies the shard nor waits for a copy, unless the
    /// save is copying a chunk of this very shard right now.
    ///
    /// While a save runs, a writer that finds the lock held parks at once
    /// instead of spinning: the holder may be the save copying a chunk, and
    /// on a machine with few cores the spinning would take the CPU the copy
    /// needs.
    pub(crate) fn write(&self) -> ShardWrite<'_, V> {
        let mut guard = self.lock.write_unless_long(|| self.gate.is_saving());
        let stale = self.gate.before_write(self, &mut guard);
        ShardWrite {
            cell: self,
            guard,
            stale,
        }
    }

    /// Gives a running save this shard's contents under an upgradable read
    /// lock, for a writer about to lock several shards: writers wait (at
    /// most this one copy), readers do not, because a writer parked behind an
    /// upgradable lock does not hold readers back.
    #[cold]
    pub(crate) fn copy_for_save(&self, epoch: crate::snapshot::cow::Epoch) {
        let guard = self.lock.upgradable_read();
        self.gate.copy_before_write(epoch, self, &guard);
    }

    /// Wraps a guard taken by `lock_order::write_in_order`. The caller
    /// (`Inner::write_shards`) runs the snapshot check once for all the
    /// shards it locked, so that a multi-shard write falls wholly before or
    /// wholly after a snapshot.
    pub(crate) fn wrap<'a>(&'a self, guard: WriteGuard<'a, Shard<V>>) -> ShardWrite<'a, V> {
        ShardWrite {
            cell: self,
            guard,
            stale: None,
        }
    }
}

/// A write lock on one shard that republishes the shard's length and earliest
/// deadline when it is released.
pub(crate) struct ShardWrite<'a, V> {
    cell: &'a ShardCell<V>,
    guard: WriteGuard<'a, Shard<V>>,
    /// A finished save's log, taken out under the lock and dropped after
    /// it (fields drop in order: the guard first), so that freeing it never
    /// holds the shard's readers up.
    stale: Option<Box<Undo<V>>>,
}

impl<V> ShardWrite<'_, V> {
    /// Keeps `log` to be dropped once the lock is released.
    pub(crate) fn drop_after_unlock(&mut self, log: Option<Box<Undo<V>>>) {
        if log.is_some() {
            self.stale = log;
        }
    }
}

impl<V> std::ops::Deref for ShardWrite<'_, V> {
    type Target = Shard<V>;
    fn deref(&self) -> &Shard<V> {
        &self.guard
    }
}

impl<V> std::ops::DerefMut for ShardWrite<'_, V> {
    fn deref_mut(&mut self) -> &mut Shard<V> {
        &mut self.guard
    }
}

impl<V> Drop for ShardWrite<'_, V> {
    fn drop(&mut self) {
        self.cell.len.store(self.guard.len(), Ordering::Relaxed);
        self.cell
            .ttl_len
            .store(self.guard.ttl_len(), Ordering::Relaxed);
        self.cell
            .next_deadline
            .store(self.guard.next_deadline(), Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard() -> (Shard<u32>, RandomState) {
        let h = RandomState::default();
        (Shard::new(h.clone()), h)
    }

    #[test]
    fn upsert_reports_replaced_entry_and_keeps_index_in_step() {
        let (mut s, h) = shard();
        let k: &[u8] = b"k";
        let hash = table_hash(&h, k);
        assert!(s.upsert(hash, k, 1, 100).is_none());
        assert_eq!(s.ttl_len(), 1);
        assert_eq!(s.upsert(hash, k, 2, NEVER), Some((1, 100)));
        assert_eq!(s.ttl_len(), 0);
        assert_eq!(s.find(hash, k).unwrap().value, 2);
    }

    /// A save copying a shard in chunks relies on this: no write moves an
    /// entry to another bucket without changing `layout` (while a log is
    /// kept). Inserts and removes grow the table several times; every
    /// entry's bucket is checked after every write that left `layout` as it
    /// was. (A rehash in place, when tombstones fill the table, happens in
    /// the same call as growing, `reserve`, under the same condition.)
    #[test]
    fn entries_never_move_without_the_layout_changing() {
        let (mut s, h) = shard();
        let progress = Arc::new(CopyProgress::new());
        assert!(s.record_for(1, &progress).is_none());
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut live: Vec<u32> = Vec::new();
        let mut fresh = 0u32;
        let mut grown = 0;
        for step in 0..20_000 {
            let before: Vec<(u32, usize)> = live
                .iter()
                .map(|&k| {
                    let key = k.to_le_bytes();
                    let hash = table_hash(&h, &key);
                    let at = s.table.find_bucket_index(hash, |e| *e.key == key).unwrap();
                    (k, at)
                })
                .collect();
            let (layout, buckets) = (s.layout(), s.num_buckets());
            // Grow first, then churn around a steady size.
            if live.len() < 200 || next() % 2 == 0 {
                fresh += 1;
                let key = fresh.to_le_bytes();
                s.upsert(table_hash(&h, &key), &key[..], fresh, NEVER);
                live.push(fresh);
            } else {
                let k = live.swap_remove((next() % live.len() as u64) as usize);
                let key = k.to_le_bytes();
                s.remove(table_hash(&h, &key), &key);
            }
            if s.layout() != layout {
                grown += usize::from(s.num_buckets() != buckets);
                continue;
            }
            for &(k, at) in &before {
                let key = k.to_le_bytes();
                let hash = table_hash(&h, &key);
                let now = s.table.find_bucket_index(hash, |e| *e.key == key);
                assert!(
                    now.is_none_or(|now| now == at),
                    "entries moved at step {step}"
                );
            }
        }
        assert!(grown > 3, "the table grew {grown} times");
    }

    #[test]
    fn sweep_respects_budget_and_due_time() {
        let (mut s, h) = shard();
        for i in 0..10u32 {
            let k = i.to_le_bytes();
            let hash = table_hash(&h, &k[..]);
            s.upsert(hash, &k[..], i, 10 + u64::from(i));
        }
        assert_eq!(s.sweep(14, 3), (3, true));
        assert_eq!(s.sweep(14, 100), (2, false));
        assert_eq!(s.len(), 5);
        assert_eq!(s.next_deadline(), 15);
    }
}
