//! How a save produces its records: it captures every store at one instant
//! (`cow.rs`), then copies the shards, on several threads when the stores
//! are large, and hands their encodings to the caller in file order.
//!
//! The calling thread writes; helpers only copy (`crate::ordered`). Shards
//! are claimed in file order, and at most a window of them (two per thread)
//! may be copied ahead of the one being written, so a save holds a few
//! shards' encodings in memory, not the whole snapshot; the buffers are
//! reused. The calling thread copies too while it is not writing, so a save
//! with no helper is the same loop.
//!
//! Until the application writes during the save, every thread copies at
//! the caller's priority: a save beside idle cores runs as fast as it can.
//! From the first write on (`Capture::writers_wrote`), the save yields the
//! processors to the application (`priority.rs`): each helper lowers its
//! priority before its next shard, and the calling thread, which cannot
//! lower its own and raise it again, stops copying and starts one more
//! helper, at the lower priority, to take its place.

use std::cell::Cell;
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

/// Most threads a save copies on, the calling thread included, unless the
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
    let writers_wrote = || captures.iter().any(Capture::writers_wrote);
    // A helper: lowers its priority before its first shard after a write.
    let helper = || {
        let lowered = Cell::new(false);
        ordered.help(|k, image: &mut ShardImage| {
            if !lowered.get() && writers_wrote() {
                priority.apply_to_this_thread();
                lowered.set(true);
            }
            copy(k, image);
        });
    };

    let result = std::thread::scope(|scope| {
        // A helper the system refuses to start is done without: the save
        // copies on the threads it has.
        let spawn = || helper_thread().spawn_scoped(scope, helper).is_ok();
        let helpers = (1..threads).filter(|_| spawn()).count();
        // The calling thread copies while it waits, until the application
        // writes; alone (no helper started), it copies every shard.
        let caller_helps = || helpers == 0 || !writers_wrote();
        // Whether the caller has yet to start a helper in its place.
        let mut stand_in_unasked = true;
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
                    if stand_in_unasked && !caller_helps() {
                        // Once; if the system refuses it, the helpers
                        // already started copy without it.
                        stand_in_unasked = false;
                        spawn();
                    }
                    let mut image = ordered.take(job, copy, caller_helps);
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

#[cfg(test)]
thread_local! {
    /// How many more helper threads the system lets saves called from this
    /// thread start (tests only).
    static HELPERS_ALLOWED: Cell<usize> = const { Cell::new(usize::MAX) };
    /// How many helper threads those saves have tried to start.
    static HELPERS_TRIED: Cell<usize> = const { Cell::new(0) };
}

/// The builder of a save helper's thread. Tests can make the system refuse
/// it.
fn helper_thread() -> std::thread::Builder {
    #[cfg(test)]
    HELPERS_TRIED.with(|n| n.set(n.get() + 1));
    #[cfg(test)]
    if HELPERS_ALLOWED.with(|n| {
        let left = n.get();
        n.set(left.saturating_sub(1));
        left == 0
    }) {
        return super::refused_thread();
    }
    std::thread::Builder::new().name("kvs-save".into())
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
    use std::cell::Cell;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::thread::ThreadId;

    use serde::{Serialize, Serializer};

    use super::super::priority::{this_thread_nice, SavePriority, LOW_NICE};
    use crate::Store;

    const SHARDS: u8 = 16;

    /// What the probes saw: for each encoding, the nice value of the thread
    /// and whether it was the thread that called the save.
    #[derive(Default)]
    struct Seen {
        encodes: Mutex<Vec<(i32, bool)>>,
        caller: Mutex<Option<ThreadId>>,
        /// Run by the first encoding, once (then dropped, which also breaks
        /// the cycle store → probe → trigger → store).
        trigger: Mutex<Option<Box<dyn FnOnce() + Send>>>,
    }

    /// A value that notes who encodes it.
    #[derive(Clone)]
    struct Probe {
        seen: Arc<Seen>,
    }

    impl Serialize for Probe {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let trigger = self.seen.trigger.lock().unwrap().take();
            if let Some(trigger) = trigger {
                trigger();
            }
            let caller = *self.seen.caller.lock().unwrap() == Some(std::thread::current().id());
            self.seen
                .encodes
                .lock()
                .unwrap()
                .push((this_thread_nice(), caller));
            s.serialize_unit()
        }
    }

    /// A save of 64 entries over 16 shards (a key's first byte is its
    /// shard) on 2 threads at `priority`; with `write`, the first value
    /// encoded writes a key of the last shard. Returns the encodings, the
    /// caller's nice value, and whether the save left it unchanged.
    fn save(priority: SavePriority, write: bool) -> (Vec<(i32, bool)>, i32, bool) {
        save_with_helpers(priority, write, usize::MAX)
    }

    /// [`save`] where the system starts at most `allowed` helper threads;
    /// checks that the snapshot holds the 64 entries.
    fn save_with_helpers(
        priority: SavePriority,
        write: bool,
        allowed: usize,
    ) -> (Vec<(i32, bool)>, i32, bool) {
        let seen = Arc::new(Seen::default());
        let store: Store<Probe> = Store::builder()
            .shards(usize::from(SHARDS))
            .shard_fn(Arc::new(|key: &[u8], n: usize| usize::from(key[0]) % n))
            .without_sweeper()
            .save_threads(2)
            .save_priority(priority)
            .build()
            .unwrap();
        for i in 0..64u8 {
            let probe = Probe {
                seen: Arc::clone(&seen),
            };
            store.set(&[i % SHARDS, i][..], probe).unwrap();
        }
        let wrote = Arc::new(AtomicBool::new(false));
        if write {
            // Into the last shard, which no copier can hold yet (shards are
            // claimed in order, a few ahead), so the write goes through at
            // once, on the copying thread.
            let (theirs, probe, done) = (store.clone(), seen.clone(), Arc::clone(&wrote));
            *seen.trigger.lock().unwrap() = Some(Box::new(move || {
                let value = Probe { seen: probe };
                theirs.set(&[SHARDS - 1, 0xff][..], value).unwrap();
                done.store(true, Ordering::SeqCst);
            }));
        }
        *seen.caller.lock().unwrap() = Some(std::thread::current().id());
        let caller = this_thread_nice();
        super::HELPERS_ALLOWED.with(|n| n.set(allowed));
        let mut file = Vec::new();
        let saved = store.save_to(&mut file);
        super::HELPERS_ALLOWED.with(|n| n.set(usize::MAX));
        saved.unwrap();
        assert_eq!(wrote.load(Ordering::SeqCst), write);
        // A probe is saved as a unit: load the file as units.
        let loaded: Store<()> = Store::builder().without_sweeper().build().unwrap();
        loaded.load_from(&file[..]).unwrap();
        assert_eq!(loaded.len(), 64);
        assert!((0..64u8).all(|i| loaded.exists(&[i % SHARDS, i][..])));
        let unchanged = this_thread_nice() == caller;
        let encodes = seen.encodes.lock().unwrap().clone();
        (encodes, caller, unchanged)
    }

    /// With no write during the save, every thread copies at the caller's
    /// priority. After a write, the helpers copy at the save's priority and
    /// the caller keeps its own; at `Normal`, nothing is lowered.
    #[test]
    fn a_save_yields_the_processors_once_the_application_writes() {
        // In a fresh thread, at the nice value the test harness gives.
        std::thread::spawn(|| {
            let (encodes, caller, unchanged) = save(SavePriority::Low, false);
            assert!(unchanged);
            assert!(encodes.iter().all(|&(n, _)| n == caller), "{encodes:?}");

            let (encodes, caller, unchanged) = save(SavePriority::Low, true);
            assert!(unchanged);
            let low = (caller + LOW_NICE).min(19);
            assert!(encodes.iter().all(|&(n, _)| n == caller || n == low));
            // Only the shards being copied when the write came (two, of
            // four entries, each encoded twice: touched, then written) are
            // copied at the caller's priority; every later one by a lowered
            // helper, none by the caller.
            let lowered = encodes.iter().filter(|&&(n, _)| n == low).count();
            let by_caller = encodes.iter().filter(|&&(_, on_caller)| on_caller).count();
            assert_eq!(encodes.len(), 128);
            assert!(lowered >= 112, "{lowered} of 128 lowered: {encodes:?}");
            assert!(by_caller <= 8, "{by_caller} of 128 on the calling thread");
            assert!(encodes
                .iter()
                .all(|&(n, on_caller)| !(on_caller && n == low)));

            let (encodes, caller, unchanged) = save(SavePriority::Normal, true);
            assert!(unchanged);
            assert!(encodes.iter().all(|&(n, _)| n == caller), "{encodes:?}");
        })
        .join()
        .unwrap();
    }

    /// Helpers the system refuses to start are done without, before and
    /// after a write, and the snapshot is whole.
    #[test]
    fn a_save_does_without_helpers_the_system_refuses() {
        std::thread::spawn(|| {
            // No helper at all: every shard on the calling thread, at its
            // priority, write or not.
            for write in [false, true] {
                let (encodes, caller, _) = save_with_helpers(SavePriority::Low, write, 0);
                assert_eq!(encodes.len(), 128);
                assert!(
                    encodes
                        .iter()
                        .all(|&(n, on_caller)| on_caller && n == caller),
                    "write {write}: {encodes:?}"
                );
            }
            // One helper, and the one that should take the calling
            // thread's place after the write refused: the lowered helper
            // copies the rest alone.
            super::HELPERS_TRIED.with(|n| n.set(0));
            let (encodes, _, unchanged) = save_with_helpers(SavePriority::Low, true, 1);
            assert!(unchanged);
            assert_eq!(encodes.len(), 128);
            assert_eq!(super::HELPERS_TRIED.with(Cell::get), 2, "both spawns tried");
        })
        .join()
        .unwrap();
    }
}
