//! Point-in-time capture while writers keep working: copy-on-write per key,
//! and per shard for writers of several shards.
//!
//! A save picks an *epoch* (a number unique to it per store), installs its
//! [`ActiveSave`] in each store's gate and publishes the epoch in
//! [`Gate::active_epoch`], which sends writers to the slow path. Then it sets
//! one flag, `started`, shared by all the stores of the save: that store is
//! the snapshot instant. It then walks the shards, copying each under its
//! upgradable read lock unless a writer already did. Every writer, once it
//! holds a shard's write lock, loads `active_epoch` (one acquire load, `0`
//! when no save runs). If a save is running, has started, and has not
//! copied this shard yet:
//!
//! - a writer of one shard (every single-key operation, the sweeper) makes
//!   the shard record, before each key's first change, the entry the key
//!   had (`Shard::record_for`, the shard's `Undo` log); the save's copy of
//!   the shard applies the log, so it sees each key as it was at the instant.
//!   The writer copies nothing and waits for nothing but a copy of this very
//!   shard that the save may be making right then;
//! - a writer of several shards (batches, `rename`, `clear`, a load) copies
//!   each such shard whole into the save's slot first (log applied), then
//!   writes: a `clear` or a load replaces a shard at once, which a log of
//!   keys would not capture cheaply.
//!
//! So each shard is copied exactly once per save, in the state it had at the
//! instant, and no writer waits for more than one shard's copy (the
//! machine's scheduling aside).
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

use crate::shard::{Shard, ShardCell, ShardWrite, Undo};

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

/// Encodes the records a shard had at the snapshot instant: the live ones at
/// the snapshot time (Unix ns), with the shard's log of changes for the save
/// of the given epoch undone. A plain function pointer, monomorphised where
/// `V: Serialize` is known, so the write path needs no `Serialize` bound.
pub(crate) type CopyFn<V> = fn(&Shard<V>, u64, Epoch, &mut ShardImage);

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
    /// Shards a writer copied.
    copied_by_writers: AtomicUsize,
    /// The longest any one shard's copy took, in nanoseconds.
    longest_copy_ns: AtomicU64,
}

impl<V> ActiveSave<V> {
    /// A writer's copy of `shard`, which it holds locked.
    fn fill(&self, cell: &ShardCell<V>, shard: &Shard<V>) {
        let mut image = ShardImage::default();
        self.timed(|| (self.copy)(shard, self.now, self.epoch, &mut image));
        *self.slots[cell.index as usize].lock() = Some(image);
        cell.copied_epoch.store(self.epoch, Ordering::Relaxed);
        self.copied_by_writers.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs one shard's copy, keeping the longest time one took.
    fn timed(&self, copy: impl FnOnce()) {
        let start = Instant::now();
        copy();
        let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.longest_copy_ns.fetch_max(ns, Ordering::Relaxed);
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
        match active {
            Some(a) if !a.started.load(Ordering::Acquire) => {
                // Published but not yet started: this write is before the
                // instant, and so is the shard as it is.
                None
            }
            Some(_) if cell.copied_epoch.load(Ordering::Relaxed) != epoch => {
                shard.record_for(epoch)
            }
            // Copied already, or no save running: no log is needed.
            _ => shard.take_undo(),
        }
    }

    /// Like [`before_write`](Gate::before_write) for a writer holding several
    /// shard locks at once (batches, `rename`, `clear`, a load): the epoch is
    /// read once, so all of them fall on the same side of the snapshot. Such
    /// a writer copies each shard the save still needs, whole, before it
    /// writes (a `clear` or a load replaces a shard wholesale, which a log of
    /// keys would not capture cheaply); `may_need_copy` lets it do so under
    /// an upgradable read lock before it takes the write locks.
    #[inline]
    pub(crate) fn before_write_many<'a, 'g: 'a>(
        &self,
        shards: impl IntoIterator<Item = (&'a ShardCell<V>, &'a mut ShardWrite<'g, V>)>,
    ) where
        V: 'g,
    {
        let epoch = self.active_epoch.load(Ordering::Acquire);
        for (cell, shard) in shards {
            if epoch != 0 {
                self.copy_before_write(epoch, cell, shard);
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

    /// Copies `shard` for the save of `epoch` if it has started and not
    /// copied the shard yet. Called with the shard locked (upgradable or
    /// write).
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
        copied_by_writers: AtomicUsize::new(0),
        longest_copy_ns: AtomicU64::new(0),
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
    /// How many shards writers copied so far, and the longest any one
    /// shard's copy took (by a writer or by the save).
    pub(crate) fn copies(&self) -> (usize, Duration) {
        let a = &self.active;
        (
            a.copied_by_writers.load(Ordering::Relaxed),
            Duration::from_nanos(a.longest_copy_ns.load(Ordering::Relaxed)),
        )
    }

    /// How many shards the store has.
    pub(crate) fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Shard `index`'s image, in `image`: the copy a writer made, if one did,
    /// or else a copy made now under the shard's read lock (so readers never
    /// wait) into `image`'s buffer, which is reused from one shard to the
    /// next. Call once per shard.
    pub(crate) fn take(&self, index: usize, image: &mut ShardImage) {
        let cell = &self.shards[index];
        {
            // Upgradable, not plain read: a writer that arrives meanwhile
            // parks without blocking new readers (a writer queued behind a
            // plain read lock would), so readers never wait on a save.
            let shard = cell.lock.upgradable_read();
            if cell.copied_epoch.load(Ordering::Relaxed) != self.active.epoch {
                image.bytes.clear();
                image.records = 0;
                image.with_ttl = 0;
                image.error = None;
                let a = &self.active;
                a.timed(|| (a.copy)(&shard, a.now, a.epoch, image));
                cell.copied_epoch.store(a.epoch, Ordering::Relaxed);
                // The shard's log of changes is no longer needed, but
                // dropping it takes the write lock, which a reader would
                // wait for: the shard's next writer drops it instead.
                return;
            }
        }
        // A writer copied it: the slot holds its image. The shard is marked
        // copied only after the slot is filled, and both happen under the
        // shard's write lock, which our read lock above waited for.
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
