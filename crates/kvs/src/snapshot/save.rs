//! How a save produces its records: it captures every store at one instant
//! (`cow.rs`), then copies the shards, on several threads when the stores
//! are large, and hands their encodings to the caller in file order.
//!
//! The calling thread writes; helpers only copy (`crate::ordered`). Shards
//! are claimed in file order, and at most a window of them (two per thread)
//! may be copied ahead of the one being written, so a save holds a few
//! shards' encodings in memory, not the whole snapshot; the buffers are
//! reused. A save on one thread has no helper: the calling thread copies
//! each shard and writes it. A save on several starts that many helpers, at
//! the save's priority (`priority.rs`: lower than the application's by
//! default), and the calling thread, which keeps its own, only writes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use super::cow::{self, Capture, Chunk, ShardImage};
use super::format::{self, DbCounts};
use super::priority::SavePriority;
use super::stats::SaveStats;
use super::touch::touch;
use crate::clock::unix_nanos;
use crate::ordered::Ordered;
use crate::shard::{Shard, NEVER};
use crate::{Error, Key, Result, Store};

/// Most threads a save copies on (besides the calling thread, which writes), unless the
/// store's builder says otherwise.
const MAX_AUTO_THREADS: usize = 4;
/// Below this many entries in all, a save copies on the calling thread
/// alone unless told otherwise: starting threads would cost more than it
/// saves.
const PARALLEL_MIN_ENTRIES: usize = 1 << 16;

/// Values touched ahead of their encoding (`touch.rs`): enough misses in
/// flight to overlap, few enough to stay in the L1 cache.
const TOUCH_AHEAD: usize = 32;

/// Encodes the records one chunk of a shard had at the snapshot instant
/// (the save's [`cow::CopyFn`]): the live entries in the chunk's buckets,
/// except those whose key the shard's log for the save holds (they changed
/// after the instant); and, in the shard's last chunk, the state the log
/// recorded for each such key, unless an earlier chunk of the same pass had
/// copied it from the table before it changed. A batch at a time: each
/// batch's values are touched first, so that their cache misses overlap,
/// then encoded.
pub(super) fn copy_shard<V: Serialize>(shard: &Shard<V>, chunk: &Chunk, image: &mut ShardImage) {
    let live = |deadline: u64| deadline == NEVER || deadline > chunk.now;
    let undo = shard
        .undo()
        .filter(|u| u.epoch == chunk.epoch && !u.is_empty());
    let mut batch: Vec<(&Key, &V, u64)> = Vec::with_capacity(TOUCH_AHEAD);
    let mut push = |entry, batch: &mut Vec<_>| {
        batch.push(entry);
        if batch.len() == TOUCH_AHEAD {
            encode_batch(batch, image);
            batch.clear();
        }
    };
    for slot in chunk.buckets.clone().filter_map(|i| shard.bucket(i)) {
        if !live(slot.deadline)
            || undo.is_some_and(|u| u.contains(shard.hash_of(&slot.key), &slot.key))
        {
            continue;
        }
        push((&slot.key, &slot.value, slot.deadline), &mut batch);
    }
    if chunk.last {
        for entry in undo.iter().flat_map(|u| u.iter()) {
            if chunk.pass != 0 && entry.copied_in_pass == chunk.pass {
                continue;
            }
            if let Some((value, deadline)) = &entry.old {
                if live(*deadline) {
                    push((&entry.key, value, *deadline), &mut batch);
                }
            }
        }
    }
    encode_batch(&batch, image);
}

fn encode_batch<V: Serialize>(batch: &[(&Key, &V, u64)], image: &mut ShardImage) {
    for (_, value, _) in batch {
        touch(*value);
    }
    for &(key, value, deadline) in batch {
        let expiry = (deadline != NEVER).then(|| format::deadline_to_ms(deadline));
        match format::encode_record(&mut image.bytes, key, value, expiry) {
            Ok(()) => {
                image.records += 1;
                image.with_ttl += u64::from(expiry.is_some());
            }
            Err(e) if image.error.is_none() => {
                let message = match e {
                    format::EncodeError::KeyTooLong => "the key is over 4 GiB".to_string(),
                    format::EncodeError::ValueTooLong => {
                        "the encoded value is over 4 GiB".to_string()
                    }
                    format::EncodeError::Value(e) => e.to_string(),
                };
                image.error = Some((key.clone(), message));
            }
            Err(_) => {}
        }
    }
}

/// How many threads a save of `stores` copies on.
fn threads<V>(stores: &[&Store<V>]) -> usize {
    let set = stores.iter().filter_map(|s| s.inner.save_threads).max();
    if let Some(n) = set {
        return n.get();
    }
    let entries: usize = stores.iter().map(|s| s.inner.len()).sum();
    if entries < PARALLEL_MIN_ENTRIES {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_AUTO_THREADS)
}

/// Captures every store at one instant (all their epochs are published
/// before any shard is walked) and hands each shard's encoded records to
/// `sink` in file order: database by database, shard by shard. Returns each
/// database's counts, for the header, and the save's statistics (all but
/// its size in bytes, which the caller knows).
///
/// Saves are serialised per store; the save locks are taken in address order
/// so that overlapping multi-store saves cannot deadlock. A store listed
/// twice is copied once and its images kept for the second listing.
pub(super) fn stream_images<V: Serialize + Clone + Send + Sync + 'static>(
    stores: &[&Store<V>],
    mut sink: impl FnMut(&[u8]) -> Result<()>,
) -> Result<(Vec<DbCounts>, SaveStats)> {
    let key = |s: &Store<V>| Arc::as_ptr(&s.inner) as usize;
    let mut unique: Vec<&Store<V>> = stores.to_vec();
    unique.sort_by_key(|s| key(s));
    unique.dedup_by_key(|s| key(s));
    for s in &unique {
        s.inner.check_open()?;
    }
    let threads = threads(&unique);
    let started = Arc::new(AtomicBool::new(false));
    let captures: Vec<Capture<'_, V>> = unique
        .iter()
        .map(|s| {
            let now = unix_nanos(s.inner.clock.now());
            cow::begin(
                &s.inner.shards,
                &s.inner.gate,
                now,
                copy_shard::<V>,
                &started,
            )
        })
        .collect();
    // The snapshot instant, for every store at once. Release: a writer that
    // sees it also sees every store's published epoch.
    started.store(true, Ordering::SeqCst);

    // File order: each store's shards at its first listing.
    let at: Vec<usize> = stores
        .iter()
        .map(|s| {
            unique
                .iter()
                .position(|u| key(u) == key(s))
                .expect("every store is in the unique list")
        })
        .collect();
    let mut jobs = Vec::new();
    let mut seen = vec![false; unique.len()];
    for &u in &at {
        if !std::mem::replace(&mut seen[u], true) {
            jobs.extend((0..captures[u].shards()).map(|i| (u, i)));
        }
    }
    let ordered: Ordered<ShardImage> = Ordered::new(jobs.len(), 2 * threads);
    let copy = |k: usize, image: &mut ShardImage| {
        let (capture, shard) = jobs[k];
        captures[capture].take(shard, image);
    };

    let priority = if unique
        .iter()
        .any(|s| s.inner.save_priority == SavePriority::Normal)
    {
        SavePriority::Normal
    } else {
        SavePriority::Low
    };
    let helpers = if threads > 1 { threads } else { 0 };

    let result = std::thread::scope(|scope| {
        for _ in 0..helpers {
            scope.spawn(|| {
                priority.apply_to_this_thread();
                ordered.help(copy)
            });
        }
        // Stops the helpers however this thread leaves: done, failed, or
        // panicking.
        let _stop = StopOnDrop(&ordered);
        let mut uses_left: Vec<usize> = unique
            .iter()
            .map(|u| stores.iter().filter(|s| key(s) == key(u)).count())
            .collect();
        let mut kept: Vec<Vec<ShardImage>> = unique.iter().map(|_| Vec::new()).collect();
        let mut counts = Vec::with_capacity(stores.len());
        let mut records = 0;
        let mut job = 0;
        let mut copied = vec![false; unique.len()];
        for &u in &at {
            uses_left[u] -= 1;
            let mut db = DbCounts {
                records: 0,
                with_ttl: 0,
            };
            if !std::mem::replace(&mut copied[u], true) {
                for _ in 0..captures[u].shards() {
                    let mut image = if helpers > 0 {
                        ordered.wait_for(job)
                    } else {
                        ordered.take(job, copy)
                    };
                    if let Some((key, message)) = image.error.take() {
                        return Err(Error::SnapshotEncode { key, message });
                    }
                    db.records += image.records;
                    db.with_ttl += image.with_ttl;
                    sink(&image.bytes)?;
                    if uses_left[u] > 0 {
                        kept[u].push(image);
                        ordered.consumed(job, None);
                    } else {
                        ordered.consumed(job, Some(image));
                    }
                    job += 1;
                }
            } else {
                for image in &kept[u] {
                    db.records += image.records;
                    db.with_ttl += image.with_ttl;
                    sink(&image.bytes)?;
                }
            }
            records += db.records;
            counts.push(db);
        }
        Ok((counts, records))
    });
    let (counts, records) = result?;
    let mut stats = SaveStats {
        records,
        ..SaveStats::default()
    };
    for capture in &captures {
        capture.add_to(&mut stats);
    }
    // Dropping the captures ends the save of each store.
    drop(captures);
    Ok((counts, stats))
}

/// Stops an [`Ordered`] when dropped.
struct StopOnDrop<'a>(&'a Ordered<ShardImage>);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::sync::{Arc, Mutex};

    use serde::{Serialize, Serializer};

    use super::super::priority::{this_thread_nice, SavePriority, LOW_NICE};
    use crate::Store;

    /// A value that notes the nice value of every thread that encodes it.
    #[derive(Clone)]
    struct Probe(Arc<Mutex<Vec<i32>>>);

    impl Serialize for Probe {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            self.0.lock().unwrap().push(this_thread_nice());
            s.serialize_unit()
        }
    }

    /// The nice values that encoded a save of 64 entries on `threads`
    /// threads at `priority`, and whether the calling thread's changed.
    fn encoded_at(threads: usize, priority: SavePriority) -> (Vec<i32>, i32, bool) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let store: Store<Probe> = Store::builder()
            .save_threads(threads)
            .save_priority(priority)
            .build()
            .unwrap();
        for i in 0..64u32 {
            store
                .set(&i.to_le_bytes()[..], Probe(Arc::clone(&seen)))
                .unwrap();
        }
        let caller = this_thread_nice();
        store.save_to(std::io::sink()).unwrap();
        let unchanged = this_thread_nice() == caller;
        let seen = seen.lock().unwrap().clone();
        (seen, caller, unchanged)
    }

    #[test]
    fn helpers_copy_at_the_save_priority_and_the_caller_keeps_its_own() {
        // Each in a fresh thread, at the nice value the test harness gives.
        std::thread::spawn(|| {
            let (seen, caller, unchanged) = encoded_at(2, SavePriority::Low);
            assert!(unchanged);
            assert!(!seen.is_empty());
            let low = (caller + LOW_NICE).min(19);
            assert!(seen.iter().all(|&n| n == low), "{seen:?}, caller {caller}");

            let (seen, caller, unchanged) = encoded_at(2, SavePriority::Normal);
            assert!(unchanged);
            assert!(
                seen.iter().all(|&n| n == caller),
                "{seen:?}, caller {caller}"
            );

            // One thread: the caller copies, at its own priority.
            let (seen, caller, unchanged) = encoded_at(1, SavePriority::Low);
            assert!(unchanged);
            assert!(
                seen.iter().all(|&n| n == caller),
                "{seen:?}, caller {caller}"
            );
        })
        .join()
        .unwrap();
    }
}
