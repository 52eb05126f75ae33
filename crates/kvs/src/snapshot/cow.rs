//! Point-in-time capture while writers keep working: copy-on-write per key,
//! and per shard for writers of several shards.
//!
//! A save picks an *epoch* (a number unique to it per store), installs its
//! [`ActiveSave`] in each store's gate and publishes the epoch in
//! [`Gate::active_epoch`], which sends writers to the slow path. Then it sets
//! one flag, `started`, shared by all the stores of the save: that store is
//! the snapshot instant. It then walks the shards, copying each under its
//! upgradable read lock unless a writer already did, a chunk of buckets at a
//! time, handing the lock to a waiting writer between chunks
//! ([`Capture::take`], [`CopyProgress`]). Every writer, once it
//! holds a shard's write lock, loads `active_epoch` (one acquire load, `0`
//! when no save runs). If a save is running, has started, and has not
//! copied this shard yet:
//!
//! - a writer of one shard (every single-key operation, the sweeper) makes
//!   the shard record, before each key's first change, the entry the key
//!   had (`Shard::record_for`, the shard's `Undo` log); the save's copy of
//!   the shard applies the log, so it sees each key as it was at the instant.
//!   The writer copies nothing and waits for nothing but a chunk of this very
//!   shard that the save may be copying right then;
//! - a writer of several shards (batches, `rename`, `clear`, a load) copies
//!   each such shard whole into the save's slot first (log applied), then
//!   writes: a `clear` or a load replaces a shard at once, which a log of
//!   keys would not capture cheaply.
//!
//! So each shard is copied exactly once per save, in the state it had at the
//! instant, and no writer waits for more than one chunk of the save's copy,
//! or one whole copy by a writer of several shards (the machine's
//! scheduling aside).
//!
//! Why the result is one instant for all the stores saved is argued in
//! `docs/design.md` ("Snapshots"). In short: a write is *before* the snapshot if it
//! saw `active_epoch == 0` or `started == false`, *after* it otherwise; the
//! shard locks and the coherence of the one `started` flag (released after
//! every `active_epoch` store) make that a consistent cut. A single flag
//! matters: with one flag per store, a writer could see the instant in one
//! store and not yet in the next (the multi-store test caught exactly that).

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::stats::SaveStats;
use crate::shard::{Shard, ShardCell, ShardWrite, Undo};
use crate::sync::UpgradableGuard;

/// What a save gets from one shard: its live records, already encoded.
#[derive(Debug, Default)]
pub(crate) struct ShardImage {
    /// Encoded records (`format.rs`), back to back.
    pub(crate) bytes: Vec<u8>,
    pub(crate) records: u64,
    pub(crate) with_ttl: u64,
    /// The key of the first value that could not be encoded, and why: the
    /// save fails with it.
    pub(crate) error: Option<(crate::Key, String)>,
}

/// A save's number, per store, from 1 (`0` means "no save"). It wraps
/// after 2^32 saves, skipping 0; epochs are only ever compared for equality,
/// and a shard's `copied_epoch` is the epoch of the last save that copied it
/// (every save copies every shard), so a wrapped epoch never meets a stale
/// one.
pub(crate) type Epoch = u32;

/// Encodes the records one chunk of a shard had at the snapshot instant
/// (see [`Chunk`]). A plain function pointer, monomorphised where
/// `V: Serialize` is known, so the write path needs no `Serialize` bound.
pub(crate) type CopyFn<V> = fn(&Shard<V>, &Chunk, &mut ShardImage);

/// Buckets a save copies per chunk: a few hundred entries, a fraction of a
/// millisecond, after which a writer waiting for the shard gets it.
const CHUNK_BUCKETS: usize = 1024;

/// How long a save's copying thread sleeps between two chunks when writers
/// wrote since it last looked: on a machine with no processor to spare (two
/// writers and a save on two cores), a thread waiting for a processor waits
/// for the running ones to use up their time slice (a 4 ms scheduler tick
/// here) unless one of them blocks. Giving way costs the save time while
/// writers run, never when none do. Measured on two cores with two writers
/// (BENCHMARKS.md, "Snapshot"): the longest stall stayed within one shard's
/// copy in 19 of 27 runs with it and in 5 of 10 without, and a save with
/// the writers running took 152–445 ms against 111–227 ms alone.
const GIVE_WAY: Duration = Duration::from_micros(20);

/// Times a save's copy of one shard may start over because entries moved
/// while it let writers in; after that it copies the shard without letting
/// go of the lock, so a copy ends whatever the writers do.
const MAX_RESTARTS: u32 = 2;

/// One piece of a shard's copy.
#[derive(Debug, Clone)]
pub(crate) struct Chunk {
    /// The snapshot instant by the store's clock (Unix ns): entries whose
    /// deadline is at or before it are left out.
    pub(crate) now: u64,
    /// The save: only the shard's log for this epoch counts.
    pub(crate) epoch: Epoch,
    /// The table's buckets to copy: each live entry there whose key the log
    /// does not hold (an entry the log holds changed after the instant).
    pub(crate) buckets: std::ops::Range<usize>,
    /// The copy's pass ([`CopyProgress`]), or `0` for a copy made in one go.
    pub(crate) pass: u32,
    /// Whether this is the shard's last chunk, which also copies the state
    /// at the instant of every key in the log, except those an earlier
    /// chunk of this pass already copied from the table.
    pub(crate) last: bool,
}

/// How far a save's copy of one shard has got. The save copies a shard a
/// chunk of buckets at a time and lets waiting writers in between chunks;
/// a writer that records a key (`Shard::record_for`) notes whether the copy
/// has already passed the key's bucket, in which case the copy holds the
/// key's state at the instant already (it had not changed), and must not
/// write it a second time from the log. Written by the save under the
/// shard's upgradable read lock, read by writers under its write lock: the
/// lock orders them.
#[derive(Debug)]
pub(crate) struct CopyProgress {
    /// The current pass, from 1. A pass starts over, from bucket 0, when
    /// entries moved between buckets while writers were let in.
    pass: AtomicU32,
    /// Buckets below this one are copied in the current pass.
    cursor: AtomicUsize,
}

impl CopyProgress {
    pub(crate) fn new() -> Self {
        CopyProgress {
            pass: AtomicU32::new(1),
            cursor: AtomicUsize::new(0),
        }
    }

    /// The pass that has copied the entry in `bucket` already, or `0`.
    pub(crate) fn copied_in_pass(&self, bucket: usize) -> u32 {
        if bucket < self.cursor.load(Ordering::Relaxed) {
            self.pass.load(Ordering::Relaxed)
        } else {
            0
        }
    }
}

/// One save in progress.
pub(crate) struct ActiveSave<V> {
    epoch: Epoch,
    /// The snapshot instant: set once for all the stores of one save.
    started: Arc<AtomicBool>,
    /// The snapshot instant by the store's clock (Unix ns): entries whose
    /// deadline is at or before it are left out.
    now: u64,
    copy: CopyFn<V>,
    slots: Box<[Mutex<Option<ShardImage>>]>,
    /// How far the save's copy of each shard has got.
    progress: Box<[Arc<CopyProgress>]>,
    /// Shards a writer copied.
    copied_by_writers: AtomicUsize,
    /// The longest any one shard's copy took, in nanoseconds, all its
    /// chunks together.
    longest_copy_ns: AtomicU64,
    /// The longest any copy held a shard's lock at a stretch, in nanoseconds.
    longest_hold_ns: AtomicU64,
    /// Set by writers while the save runs, cleared by the save when it gives
    /// way to them (see [`GIVE_WAY`]).
    writers_active: AtomicBool,
    /// Set by the first write during the save, and never cleared: from then
    /// on the save yields the processors to the application (`save.rs`).
    writers_wrote: AtomicBool,
    /// How long the save's threads spent giving way, in nanoseconds.
    gave_way_ns: AtomicU64,
}

impl<V> ActiveSave<V> {
    /// A writer's copy of `shard`, which it holds locked: whole, in one go.
    fn fill(&self, cell: &ShardCell<V>, shard: &Shard<V>) {
        let mut image = ShardImage::default();
        let chunk = Chunk {
            now: self.now,
            epoch: self.epoch,
            buckets: 0..shard.num_buckets(),
            pass: 0,
            last: true,
        };
        let start = Instant::now();
        (self.copy)(shard, &chunk, &mut image);
        let took = start.elapsed();
        self.note(took, took);
        *self.slots[cell.index as usize].lock() = Some(image);
        cell.copied_epoch.store(self.epoch, Ordering::Relaxed);
        self.copied_by_writers.fetch_add(1, Ordering::Relaxed);
    }

    /// Keeps the longest one shard's copy took in all, and the longest it
    /// held the shard's lock at a stretch.
    fn note(&self, copy: Duration, hold: Duration) {
        let ns = |d: Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.longest_copy_ns.fetch_max(ns(copy), Ordering::Relaxed);
        self.longest_hold_ns.fetch_max(ns(hold), Ordering::Relaxed);
    }
}

/// The store-wide snapshot state every shard points at.
pub(crate) struct Gate<V> {
    /// The epoch of the save in progress, `0` when none: the only thing the
    /// write path reads when no save runs.
    active_epoch: AtomicU32,
    /// The save in progress, set before `active_epoch` is published.
    active: Mutex<Option<Arc<ActiveSave<V>>>>,
    /// Serialises saves of this store and counts their epochs.
    saves: Mutex<Epoch>,
}

impl<V> std::fmt::Debug for Gate<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("active_epoch", &self.active_epoch.load(Ordering::Relaxed))
            .finish()
    }
}

impl<V> Gate<V> {
    pub(crate) fn new() -> Self {
        Gate {
            active_epoch: AtomicU32::new(0),
            active: Mutex::new(None),
            saves: Mutex::new(0),
        }
    }

    /// Whether a save is running (published or copying): a hint for
    /// writers, read without ordering.
    #[inline]
    pub(crate) fn is_saving(&self) -> bool {
        self.active_epoch.load(Ordering::Relaxed) != 0
    }

    #[cfg(test)]
    pub(crate) fn active_epoch_for_tests(&self) -> Epoch {
        self.active_epoch.load(Ordering::Relaxed)
    }

    /// Whether a save is running that has not copied `cell` yet: one load
    /// when none runs. A hint taken without the shard lock, for writers of
    /// several shards, which copy them before locking (see
    /// [`before_write_many`](Gate::before_write_many)); the decision that
    /// counts is made under the lock.
    /// Returns the epoch of that save.
    #[inline]
    pub(crate) fn may_need_copy(&self, cell: &ShardCell<V>) -> Option<Epoch> {
        let epoch = self.active_epoch.load(Ordering::Acquire);
        (epoch != 0 && cell.copied_epoch.load(Ordering::Relaxed) != epoch).then_some(epoch)
    }

    /// Called by a writer of one shard, with its write lock held, before it
    /// changes it. If a save has started and not copied the shard yet, the
    /// shard starts recording the state each key had at the instant before
    /// its first change (copy-on-write per key): the writer copies nothing
    /// and waits for nothing. One load when no save runs, and one more
    /// check to drop a finished save's log.
    /// Returns a finished save's log, for the caller to drop once the lock
    /// is released.
    #[inline]
    pub(crate) fn before_write(
        &self,
        cell: &ShardCell<V>,
        shard: &mut Shard<V>,
    ) -> Option<Box<Undo<V>>> {
        let epoch = self.active_epoch.load(Ordering::Acquire);
        if epoch != 0 || shard.has_undo() {
            return self.record_before_write(epoch, cell, shard);
        }
        None
    }

    #[cold]
    #[inline(never)]
    fn record_before_write(
        &self,
        epoch: Epoch,
        cell: &ShardCell<V>,
        shard: &mut Shard<V>,
    ) -> Option<Box<Undo<V>>> {
        let active = match epoch {
            0 => None,
            _ => self.active.lock().clone().filter(|a| a.epoch == epoch),
        };
        if let Some(a) = &active {
            // Read first: the line stays shared until the save clears it.
            if !a.writers_active.load(Ordering::Relaxed) {
                a.writers_active.store(true, Ordering::Relaxed);
                a.writers_wrote.store(true, Ordering::Relaxed);
            }
        }
        match active {
            Some(a) if !a.started.load(Ordering::Acquire) => {
                // Published but not yet started: this write is before the
                // instant, and so is the shard as it is.
                None
            }
            Some(a) if cell.copied_epoch.load(Ordering::Relaxed) != epoch => {
                shard.record_for(epoch, &a.progress[cell.index as usize])
            }
            // Copied already, or no save running: no log is needed.
            _ => shard.take_undo(),
        }
    }

    /// For a writer holding the write locks of several shards (batches,
    /// `rename`, `clear`, a load): what it sees of the save in progress,
    /// read once for all of them, so that they all fall on the same side of
    /// the snapshot; and whether that save has started and still needs one
    /// of `cells` copied. If it does, the writer lets go of its locks,
    /// copies those shards under upgradable read locks
    /// ([`may_need_copy`](Gate::may_need_copy), `ShardCell::copy_for_save`)
    /// and tries again, so that no reader waits for a copy.
    pub(crate) fn view_for_many<'a>(
        &self,
        cells: impl IntoIterator<Item = &'a ShardCell<V>>,
    ) -> (SaveView, bool)
    where
        V: 'a,
    {
        let epoch = self.active_epoch.load(Ordering::Acquire);
        if epoch == 0 {
            return (
                SaveView {
                    epoch,
                    started: false,
                },
                false,
            );
        }
        let started = self
            .active
            .lock()
            .as_ref()
            .is_some_and(|a| a.epoch == epoch && a.started.load(Ordering::Acquire));
        let pending = started
            && cells
                .into_iter()
                .any(|c| c.copied_epoch.load(Ordering::Relaxed) != epoch);
        (SaveView { epoch, started }, pending)
    }

    /// Like [`before_write`](Gate::before_write) for a writer holding several
    /// shard locks at once, with what it saw in
    /// [`view_for_many`](Gate::view_for_many) while holding them: after the
    /// instant, a shard the save still needs is copied whole here, under the
    /// write lock (a `clear` or a load replaces a shard wholesale, which a
    /// log of keys would not capture cheaply). Only a writer that lost the
    /// race with a starting save several times in a row gets here with one.
    #[inline]
    pub(crate) fn before_write_many<'a, 'g: 'a>(
        &self,
        view: SaveView,
        shards: impl IntoIterator<Item = (&'a ShardCell<V>, &'a mut ShardWrite<'g, V>)>,
    ) where
        V: 'g,
    {
        let epoch = view.epoch;
        for (cell, shard) in shards {
            if view.started && cell.copied_epoch.load(Ordering::Relaxed) != epoch {
                self.fill_now(epoch, cell, shard);
            }
            // Copied (or no save): a log, if any, is no longer needed.
            if shard.has_undo()
                && (epoch == 0 || cell.copied_epoch.load(Ordering::Relaxed) == epoch)
            {
                let log = shard.take_undo();
                shard.drop_after_unlock(log);
            }
        }
    }

    /// Copies `shard`, which the writer holds locked, for the save of
    /// `epoch`, which it saw started.
    #[cold]
    #[inline(never)]
    fn fill_now(&self, epoch: Epoch, cell: &ShardCell<V>, shard: &Shard<V>) {
        // The save cannot have finished: it would first have had to copy
        // this shard, which we hold.
        if let Some(active) = self.active.lock().clone().filter(|a| a.epoch == epoch) {
            active.fill(cell, shard);
        }
    }

    /// Copies `shard` for the save of `epoch` if it has started and not
    /// copied the shard yet. Called by a writer of several shards, before it
    /// takes their write locks, with this one's upgradable read lock held
    /// (`ShardCell::copy_for_save`).
    #[cold]
    #[inline(never)]
    pub(crate) fn copy_before_write(&self, epoch: Epoch, cell: &ShardCell<V>, shard: &Shard<V>) {
        if cell.copied_epoch.load(Ordering::Relaxed) == epoch {
            return;
        }
        let active = self.active.lock().clone();
        // The save of `epoch` cannot have finished: it would first have had to
        // copy this shard, which we hold. It may be absent only if the shard
        // is already copied, so there is nothing to do then.
        let Some(active) = active.filter(|a| a.epoch == epoch) else {
            return;
        };
        if !active.started.load(Ordering::Acquire) {
            // Published but not yet started: this write is before the instant.
            return;
        }
        active.fill(cell, shard);
    }
}

/// What a writer of several shards saw of the save in progress, once for
/// all of them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SaveView {
    /// The save's epoch, `0` if none ran.
    epoch: Epoch,
    /// Whether that save had started (the snapshot instant had passed).
    started: bool,
}

/// A save holding the store's save lock, between [`begin`] and [`finish`].
pub(crate) struct Capture<'a, V> {
    shards: &'a [ShardCell<V>],
    gate: &'a Gate<V>,
    _serial: parking_lot::MutexGuard<'a, Epoch>,
    active: Arc<ActiveSave<V>>,
}

/// Prepares a save of one store: takes its save lock and sends its writers
/// to the slow path. The instant comes when the caller sets `started` (once,
/// for every store of the save); [`finish`] may be called only after that.
pub(crate) fn begin<'a, V>(
    shards: &'a [ShardCell<V>],
    gate: &'a Gate<V>,
    now: u64,
    copy: CopyFn<V>,
    started: &Arc<AtomicBool>,
) -> Capture<'a, V> {
    let mut serial = gate.saves.lock();
    // Wraps after 2^32 saves, skipping 0 (see `Epoch`).
    *serial = serial.wrapping_add(1).max(1);
    let active = Arc::new(ActiveSave {
        epoch: *serial,
        started: Arc::clone(started),
        now,
        copy,
        slots: shards.iter().map(|_| Mutex::new(None)).collect(),
        progress: shards
            .iter()
            .map(|_| Arc::new(CopyProgress::new()))
            .collect(),
        copied_by_writers: AtomicUsize::new(0),
        longest_copy_ns: AtomicU64::new(0),
        longest_hold_ns: AtomicU64::new(0),
        writers_active: AtomicBool::new(false),
        writers_wrote: AtomicBool::new(false),
        gave_way_ns: AtomicU64::new(0),
    });
    *gate.active.lock() = Some(Arc::clone(&active));
    gate.active_epoch.store(active.epoch, Ordering::SeqCst);
    Capture {
        shards,
        gate,
        _serial: serial,
        active,
    }
}

impl<V> Capture<'_, V> {
    /// Adds what this store's capture cost the writers to `stats`: shards
    /// writers copied, the longest one shard's copy took (by a writer or by
    /// the save), the longest a copy held a shard's lock at a stretch, and
    /// the time the save gave way to writers.
    pub(crate) fn add_to(&self, stats: &mut SaveStats) {
        let a = &self.active;
        let ns = |n: &AtomicU64| Duration::from_nanos(n.load(Ordering::Relaxed));
        stats.shards += self.shards.len();
        stats.copied_by_writers += a.copied_by_writers.load(Ordering::Relaxed);
        stats.longest_shard_copy = stats.longest_shard_copy.max(ns(&a.longest_copy_ns));
        stats.longest_lock_hold = stats.longest_lock_hold.max(ns(&a.longest_hold_ns));
        stats.gave_way += ns(&a.gave_way_ns);
    }

    #[cfg(test)]
    pub(crate) fn copied_by_writers(&self) -> usize {
        self.active.copied_by_writers.load(Ordering::Relaxed)
    }

    /// Whether the store's writers wrote during the save, so far.
    pub(crate) fn writers_wrote(&self) -> bool {
        self.active.writers_wrote.load(Ordering::Relaxed)
    }

    /// How many shards the store has.
    pub(crate) fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Shard `index`'s image, in `image`: the copy a writer made, if one did,
    /// or else a copy made now into `image`'s buffer, which is reused from
    /// one shard to the next. Call once per shard.
    ///
    /// The copy runs under the shard's upgradable read lock, so readers
    /// never wait, a chunk of buckets at a time; between chunks it hands
    /// the lock to a writer waiting for it, if any (a fair unlock, which
    /// a plain unlock and relock would not be: this thread would take the
    /// lock again before the writer woke). So a writer waits for one chunk,
    /// not for the whole shard. If writers wrote since it last looked, it
    /// also sleeps there a moment ([`GIVE_WAY`]), off the lock, so that
    /// they get a processor.
    pub(crate) fn take(&self, index: usize, image: &mut ShardImage) {
        let a = &self.active;
        self.take_in_chunks(index, image, CHUNK_BUCKETS, |shard| {
            if a.writers_active.load(Ordering::Relaxed) {
                a.writers_active.store(false, Ordering::Relaxed);
                let start = Instant::now();
                UpgradableGuard::unlocked_fair(shard, || std::thread::sleep(GIVE_WAY));
                let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
                a.gave_way_ns.fetch_add(ns, Ordering::Relaxed);
            } else {
                UpgradableGuard::bump(shard);
            }
        });
    }

    /// [`take`](Capture::take) with the chunk size and what happens between
    /// chunks as parameters: tests run writes there.
    pub(crate) fn take_in_chunks(
        &self,
        index: usize,
        image: &mut ShardImage,
        chunk_buckets: usize,
        mut between: impl FnMut(&mut UpgradableGuard<'_, Shard<V>>),
    ) {
        let cell = &self.shards[index];
        let a = &self.active;
        let progress = &a.progress[index];
        // Upgradable, not plain read: a writer that arrives meanwhile
        // parks without blocking new readers (a writer queued behind a
        // plain read lock would), so readers never wait on a save.
        let mut shard = cell.lock.upgradable_read();
        let mut copying = Duration::ZERO;
        let mut restarts = 0;
        // The most one chunk has encoded: the buffer is grown off the lock
        // while it has less than twice this to spare (growing it means
        // copying it, and faulting in fresh pages).
        let mut chunk_bytes = 0;
        'pass: while cell.copied_epoch.load(Ordering::Relaxed) != a.epoch {
            image.bytes.clear();
            image.records = 0;
            image.with_ttl = 0;
            image.error = None;
            let pass = progress.pass.load(Ordering::Relaxed);
            let layout = (shard.layout(), shard.num_buckets());
            let mut chunk = Chunk {
                now: a.now,
                epoch: a.epoch,
                buckets: 0..0,
                pass,
                last: false,
            };
            loop {
                let end = chunk
                    .buckets
                    .end
                    .saturating_add(chunk_buckets)
                    .min(layout.1);
                chunk.buckets = chunk.buckets.end..end;
                chunk.last = end == layout.1;
                let (start, before) = (Instant::now(), image.bytes.len());
                (a.copy)(&shard, &chunk, image);
                let took = start.elapsed();
                chunk_bytes = chunk_bytes.max(image.bytes.len() - before);
                copying += took;
                a.note(copying, took);
                if chunk.last {
                    cell.copied_epoch.store(a.epoch, Ordering::Relaxed);
                    // The shard's log of changes is no longer needed, but
                    // dropping it takes the write lock, which a reader would
                    // wait for: the shard's next writer drops it instead.
                    return;
                }
                progress.cursor.store(end, Ordering::Relaxed);
                if restarts < MAX_RESTARTS {
                    let bytes = &mut image.bytes;
                    if bytes.capacity() - bytes.len() < 2 * chunk_bytes {
                        let more = bytes.capacity().max(4 * chunk_bytes);
                        UpgradableGuard::unlocked(&mut shard, || bytes.reserve(more));
                    }
                    between(&mut shard);
                }
                if cell.copied_epoch.load(Ordering::Relaxed) == a.epoch {
                    // A writer of several shards copied this one whole
                    // meanwhile: its image is in the slot.
                    break 'pass;
                }
                if (shard.layout(), shard.num_buckets()) != layout {
                    // Entries moved: what was copied may miss some or hold
                    // others twice. Start over (the log still holds every
                    // key changed since the instant).
                    restarts += 1;
                    progress.cursor.store(0, Ordering::Relaxed);
                    progress
                        .pass
                        .store(pass.wrapping_add(1).max(1), Ordering::Relaxed);
                    continue 'pass;
                }
            }
        }
        drop(shard);
        // A writer copied it: the slot holds its image. The shard is marked
        // copied only after the slot is filled, and both happen under the
        // shard's write lock (or upgradable lock), which ours excludes.
        *image = self.active.slots[index]
            .lock()
            .take()
            .expect("a shard marked copied has its image");
    }
}

/// Copies every shard no writer has copied yet, ends the save and returns
/// the images in shard order (for tests that drive a capture by hand).
#[cfg(test)]
pub(crate) fn finish<V>(capture: Capture<'_, V>) -> Vec<ShardImage> {
    debug_assert!(capture.active.started.load(Ordering::Relaxed));
    let images = (0..capture.shards())
        .map(|i| {
            let mut image = ShardImage::default();
            capture.take(i, &mut image);
            image
        })
        .collect();
    // Dropping the capture ends the save.
    drop(capture);
    images
}

impl<V> Drop for Capture<'_, V> {
    /// Ends the save: after `finish` every shard is copied, so writers may
    /// stop checking. If the save is abandoned instead (a value's `Serialize`
    /// panicked), this still stops writers from copying for a save that will
    /// never use the copies.
    fn drop(&mut self) {
        self.gate.active_epoch.store(0, Ordering::Release);
        *self.gate.active.lock() = None;
    }
}
