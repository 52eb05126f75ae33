//! The store: a handle to the shards, and the single-key operations.
//!
//! Every operation follows the same path (walked through in
//! `docs/design.md`): check the store is open, pick the shard with the shard
//! hash, hash the key for the shard's table (before locking, to keep the
//! critical section short), lock that one shard, act, unlock.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use foldhash::fast::RandomState;

use crate::clock::{from_unix_nanos, unix_nanos};
use crate::compute::{deadline_after, Action};
use crate::hash::ShardHash;
use crate::lock_order::{lock_order, write_in_order};
use crate::shard::{Now, ShardCell, ShardWrite, NEVER};
use crate::sweeper::{Sweeper, Waker};
use crate::{Builder, Clock, Error, Key, Result};

/// How long [`Store::close`] waits for the sweeper thread.
///
/// ```
/// assert_eq!(kvs::CLOSE_TIMEOUT, std::time::Duration::from_secs(5));
/// ```
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// The shortest sleep of the sweeper between passes, however soon the next
/// key is due: bounds its wake-ups to 200 a second under heavy TTL churn (at
/// 1 ms, its wake-ups and lock hand-overs cost the TTL-churn benchmark about a
/// third of its throughput on 2 cores).
pub(crate) const MIN_SWEEP_GAP: Duration = Duration::from_millis(5);

/// How many due index entries the sweeper removes per shard lock hold, so a
/// burst of expiries never blocks a shard's readers for long.
pub(crate) const SWEEP_BUDGET: usize = 128;

/// A sharded, concurrent, in-memory key-value store with per-key TTL.
///
/// `Store` is a cheap handle: clone it to share the store between threads.
/// Values are returned as owned clones, so no lock is ever held by the caller
/// (use `Arc<T>` or `Bytes` values to make the clone cheap).
///
/// ```
/// use std::time::Duration;
/// use kvs::Store;
///
/// let store: Store<String> = Store::new(16).unwrap();
/// store.set("name", "kvs".to_string()).unwrap();
/// store.set_with_ttl("session", "abc".to_string(), Duration::from_secs(60)).unwrap();
/// assert_eq!(store.get("name").unwrap(), "kvs");
/// assert!(store.exists("session"));
/// assert_eq!(store.len(), 2);
/// store.close().unwrap();
/// ```
pub struct Store<V> {
    pub(crate) inner: Arc<Inner<V>>,
    guard: Arc<CloseGuard<V>>,
}

/// What all handles of one store share.
pub(crate) struct Inner<V> {
    pub(crate) shards: Box<[ShardCell<V>]>,
    shard_hash: ShardHash,
    pub(crate) hasher: RandomState,
    pub(crate) clock: Arc<dyn Clock>,
    /// Snapshot state shared with every shard (`snapshot/cow.rs`).
    pub(crate) gate: Arc<crate::snapshot::cow::Gate<V>>,
    closed: AtomicBool,
    /// When the sweeper plans to wake next (Unix ns): a key given an earlier
    /// deadline wakes it (`deadline_added`).
    sweep_at: AtomicU64,
    /// Set once the sweeper thread runs (it needs `Inner` to start).
    waker: OnceLock<Waker>,
    /// Threads a snapshot save copies on (`None`: chosen per save).
    pub(crate) save_threads: Option<std::num::NonZeroUsize>,
    /// The priority of a save's copying threads.
    pub(crate) save_priority: crate::snapshot::SavePriority,
    /// The value version snapshot saves write and loads expect.
    pub(crate) value_version: u32,
}

/// Closes the store when the last user handle goes. The sweeper thread holds
/// only `Inner`, never this, so the drop always runs on a user's thread and
/// can join the sweeper.
struct CloseGuard<V> {
    inner: Arc<Inner<V>>,
    sweeper: Option<Sweeper>,
}

impl<V> CloseGuard<V> {
    fn close(&self) -> Result<()> {
        self.inner.closed.store(true, Ordering::SeqCst);
        if let Some(sweeper) = &self.sweeper {
            if !sweeper.stop(CLOSE_TIMEOUT) {
                return Err(Error::CloseTimedOut(CLOSE_TIMEOUT));
            }
        }
        Ok(())
    }
}

impl<V> Drop for CloseGuard<V> {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

impl<V> Clone for Store<V> {
    fn clone(&self) -> Self {
        Store {
            inner: Arc::clone(&self.inner),
            guard: Arc::clone(&self.guard),
        }
    }
}

impl<V> fmt::Debug for Store<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("shards", &self.inner.shards.len())
            .field("len", &self.inner.len())
            .field("shard_hash", &self.inner.shard_hash)
            .field("closed", &self.inner.closed.load(Ordering::Relaxed))
            .finish()
    }
}

impl<V> Inner<V> {
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(ShardCell::len).sum()
    }

    #[inline]
    pub(crate) fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            Err(Error::StoreClosed)
        } else {
            Ok(())
        }
    }

    /// The shard index and the table hash for `key`. Always inlined: it is
    /// on every operation's path, and a call costs as much as its body.
    #[inline(always)]
    pub(crate) fn locate(&self, key: &[u8]) -> Result<(usize, u64)> {
        let num_shards = self.shards.len();
        let hash = crate::shard::table_hash(&self.hasher, key);
        let index = self.shard_hash.index(key, num_shards, hash);
        if index >= num_shards {
            return Err(Error::InvalidShardIndex { index, num_shards });
        }
        Ok((index, hash))
    }

    #[inline]
    pub(crate) fn now(&self) -> Now<'_> {
        Now::new(&self.clock)
    }

    /// One pass of the active expiry: visits only shards whose earliest
    /// deadline has passed, and holds each shard's lock for at most
    /// [`SWEEP_BUDGET`] removals at a time.
    pub(crate) fn sweep(&self) -> usize {
        let now = unix_nanos(self.clock.now());
        let mut removed = 0;
        for cell in self.shards.iter() {
            if self.closed.load(Ordering::Relaxed) {
                break;
            }
            while cell.next_deadline() <= now {
                let (n, more) = cell.write().sweep(now, SWEEP_BUDGET);
                removed += n;
                if !more {
                    break;
                }
            }
        }
        removed
    }

    /// How long the sweeper sleeps after a pass: until the earliest deadline
    /// in the store, but at least [`MIN_SWEEP_GAP`] and at most `interval`.
    /// So an expired key is removed about when it expires, not up to a whole
    /// interval later (under TTL churn that lag is most of the memory held by
    /// dead keys), while a store without TTL keys wakes once per interval.
    pub(crate) fn next_sweep_in(&self, interval: Duration) -> Duration {
        let earliest = self
            .shards
            .iter()
            .map(ShardCell::next_deadline)
            .min()
            .unwrap_or(NEVER);
        let now = unix_nanos(self.clock.now());
        let wait = if earliest == NEVER {
            interval
        } else {
            Duration::from_nanos(earliest.saturating_sub(now))
                .clamp(MIN_SWEEP_GAP.min(interval), interval)
        };
        let wait_ns = u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX);
        self.sweep_at
            .store(now.saturating_add(wait_ns), Ordering::Relaxed);
        wait
    }

    /// Called after a key was given `deadline` (outside the shard lock):
    /// wakes the sweeper if it would otherwise sleep past the deadline by
    /// more than [`MIN_SWEEP_GAP`]. One shared load on the usual path; the
    /// write and the wake-up happen only when the deadline is the new
    /// earliest, so a store that starts churning TTL keys is swept from the
    /// start, not one whole interval later.
    #[inline]
    pub(crate) fn deadline_added(&self, deadline: u64) {
        const GAP: u64 = MIN_SWEEP_GAP.as_nanos() as u64;
        if deadline == NEVER
            || deadline.saturating_add(GAP) >= self.sweep_at.load(Ordering::Relaxed)
        {
            return;
        }
        self.sweep_at.fetch_min(deadline, Ordering::Relaxed);
        if let Some(waker) = self.waker.get() {
            waker.wake();
        }
    }

    /// Write-locks the given shards in the global lock order.
    pub(crate) fn write_shards(&self, shards: Vec<usize>) -> Vec<(usize, ShardWrite<'_, V>)> {
        /// Rounds of copying and locking before a writer copies under its
        /// write locks instead: each round gives the running save every
        /// shard it needs, so only a save starting during the locking, again
        /// and again, makes another round.
        const ROUNDS: usize = 3;
        let order = lock_order(shards);
        let mut round = 0;
        loop {
            round += 1;
            // Give a running save the shards it still needs before taking
            // the write locks, one at a time, so readers never wait on the
            // copies.
            for &i in &order {
                if let Some(epoch) = self.gate.may_need_copy(&self.shards[i]) {
                    self.shards[i].copy_for_save(epoch);
                }
            }
            let mut guards: Vec<_> = write_in_order(&order, |i| &self.shards[i].lock)
                .into_iter()
                .map(|(i, g)| (i, self.shards[i].wrap(g)))
                .collect();
            // A save that started while the locks were being taken may need
            // some of them: let go and copy them first.
            let (view, pending) = self
                .gate
                .view_for_many(order.iter().map(|&i| &self.shards[i]));
            if pending && round < ROUNDS {
                continue;
            }
            self.gate
                .before_write_many(view, guards.iter_mut().map(|(i, g)| (&self.shards[*i], g)));
            return guards;
        }
    }
}

impl<V: Clone + Send + Sync + 'static> Store<V> {
    /// A store with `num_shards` shards and every other setting at its
    /// default (FNV-1a shard hash, system clock, a sweeper that wakes at least
    /// every 50 ms).
    ///
    /// ```
    /// use kvs::{Error, Store};
    /// assert!(Store::<u8>::new(8).is_ok());
    /// assert!(matches!(Store::<u8>::new(0), Err(Error::InvalidNumShards(0))));
    /// ```
    pub fn new(num_shards: usize) -> Result<Self> {
        Builder::new().shards(num_shards).build()
    }

    /// A [`Builder`] for choosing the shard count, shard hash, clock and
    /// sweep interval.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store: kvs::Store<u8> = kvs::Store::builder()
    ///     .shards(32)
    ///     .sweep_interval(Duration::from_millis(10))
    ///     .build()
    ///     .unwrap();
    /// assert_eq!(store.num_shards(), 32);
    /// ```
    pub fn builder() -> Builder<V> {
        Builder::new()
    }

    pub(crate) fn from_parts(
        num_shards: usize,
        shard_hash: ShardHash,
        clock: Arc<dyn Clock>,
        sweep_interval: Option<Duration>,
        save_threads: Option<std::num::NonZeroUsize>,
        save_priority: crate::snapshot::SavePriority,
        value_version: u32,
    ) -> Result<Self> {
        // Shards are numbered with a `u32` (a save names its per-shard slots
        // with it); no machine could hold more shards anyway.
        let Ok(count) = u32::try_from(num_shards) else {
            return Err(Error::InvalidNumShards(num_shards));
        };
        if count == 0 {
            return Err(Error::InvalidNumShards(0));
        }
        let hasher = RandomState::default();
        let gate = Arc::new(crate::snapshot::cow::Gate::new());
        let inner = Arc::new(Inner {
            shards: (0..count)
                .map(|i| ShardCell::new(hasher.clone(), Arc::clone(&gate), i))
                .collect(),
            shard_hash,
            hasher,
            clock,
            gate,
            closed: AtomicBool::new(false),
            sweep_at: AtomicU64::new(NEVER),
            waker: OnceLock::new(),
            save_threads,
            save_priority,
            value_version,
        });
        let sweeper = match sweep_interval {
            Some(interval) => {
                let first = unix_nanos(inner.clock.now())
                    .saturating_add(u64::try_from(interval.as_nanos()).unwrap_or(u64::MAX));
                inner.sweep_at.store(first, Ordering::Relaxed);
                let theirs = Arc::clone(&inner);
                let sweeper = Sweeper::spawn(interval, move || {
                    theirs.sweep();
                    theirs.next_sweep_in(interval)
                })
                .map_err(Error::Spawn)?;
                let _ = inner.waker.set(sweeper.waker());
                Some(sweeper)
            }
            None => {
                // No sweeper to wake: `deadline_added` returns at its first test.
                inner.sweep_at.store(0, Ordering::Relaxed);
                None
            }
        };
        let guard = Arc::new(CloseGuard {
            inner: Arc::clone(&inner),
            sweeper,
        });
        Ok(Store { inner, guard })
    }

    /// The value stored under `key`: `NotFound` if it is absent or expired.
    ///
    /// ```
    /// use kvs::{Error, Store};
    /// let store: Store<u32> = Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// assert_eq!(store.get("a").unwrap(), 1);
    /// assert!(matches!(store.get("b"), Err(Error::NotFound)));
    /// ```
    #[inline]
    pub fn get<K: AsRef<[u8]> + ?Sized>(&self, key: &K) -> Result<V> {
        let inner = &*self.inner;
        inner.check_open()?;
        let key = key.as_ref();
        let (index, hash) = inner.locate(key)?;
        let mut now = inner.now();
        {
            let shard = inner.shards[index].lock.read();
            match shard.find(hash, key) {
                None => return Err(Error::NotFound),
                Some(slot) if slot.is_live(&mut now) => return Ok(slot.value.clone()),
                Some(_) => {}
            }
        }
        self.purge_if_expired(index, hash, key, &mut now);
        Err(Error::NotFound)
    }

    /// Passive expiry: a reader that found an expired key removes it (under
    /// the write lock, after checking again: a writer may have replaced it).
    #[cold]
    pub(crate) fn purge_if_expired(&self, index: usize, hash: u64, key: &[u8], now: &mut Now<'_>) {
        let mut shard = self.inner.shards[index].write();
        if shard.find(hash, key).is_some_and(|s| !s.is_live(now)) {
            shard.remove(hash, key);
        }
    }

    /// Stores `value` under `key`, replacing any value and removing any TTL.
    ///
    /// ```
    /// let store: kvs::Store<&str> = kvs::Store::new(4).unwrap();
    /// store.set("k", "v1").unwrap();
    /// store.set(String::from("k"), "v2").unwrap();
    /// assert_eq!(store.get("k").unwrap(), "v2");
    /// ```
    #[inline]
    pub fn set<K: AsRef<[u8]> + Into<Key>>(&self, key: K, value: V) -> Result<()> {
        self.put(key, value, NEVER)
    }

    /// Stores `value` under `key` with a time to live. A zero `ttl` means no
    /// expiry; a `ttl` whose deadline the clock cannot represent is
    /// `InvalidTTL`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kvs::{Error, ManualClock, Store};
    /// let clock = ManualClock::new();
    /// let store: Store<u8> = Store::builder().clock(clock.clone()).build().unwrap();
    /// store.set_with_ttl("k", 1, Duration::from_millis(100)).unwrap();
    /// clock.advance(Duration::from_millis(99));
    /// assert!(store.exists("k"));
    /// clock.advance(Duration::from_millis(1));
    /// assert!(!store.exists("k"));
    /// assert!(matches!(store.set_with_ttl("k", 1, Duration::MAX), Err(Error::InvalidTTL)));
    /// ```
    pub fn set_with_ttl<K: AsRef<[u8]> + Into<Key>>(
        &self,
        key: K,
        value: V,
        ttl: Duration,
    ) -> Result<()> {
        let deadline = if ttl.is_zero() {
            NEVER
        } else {
            deadline_after(self.inner.now().get(), ttl)?
        };
        self.put(key, value, deadline)
    }

    fn put<K: AsRef<[u8]> + Into<Key>>(&self, key: K, value: V, deadline: u64) -> Result<()> {
        let inner = &*self.inner;
        inner.check_open()?;
        let (index, hash) = inner.locate(key.as_ref())?;
        inner.shards[index]
            .write()
            .upsert(hash, key, value, deadline);
        inner.deadline_added(deadline);
        Ok(())
    }

    /// Removes `key`, returning its value: `NotFound` if it was absent or
    /// expired.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("k", 5).unwrap();
    /// assert_eq!(store.delete("k").unwrap(), 5);
    /// assert!(store.delete("k").is_err());
    /// ```
    pub fn delete<K: AsRef<[u8]> + ?Sized>(&self, key: &K) -> Result<V> {
        let inner = &*self.inner;
        inner.check_open()?;
        let key = key.as_ref();
        let (index, hash) = inner.locate(key)?;
        let mut now = inner.now();
        let removed = inner.shards[index].write().remove(hash, key);
        match removed {
            Some(slot) if slot.is_live(&mut now) => Ok(slot.value),
            _ => Err(Error::NotFound),
        }
    }

    /// Whether `key` is present and not expired. `false` on a closed store
    /// and when a custom shard hash misbehaves.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("k", 1).unwrap();
    /// assert!(store.exists("k"));
    /// assert!(!store.exists("nope"));
    /// ```
    pub fn exists<K: AsRef<[u8]> + ?Sized>(&self, key: &K) -> bool {
        let inner = &*self.inner;
        if inner.check_open().is_err() {
            return false;
        }
        let key = key.as_ref();
        let Ok((index, hash)) = inner.locate(key) else {
            return false;
        };
        let mut now = inner.now();
        let shard = inner.shards[index].lock.read();
        shard.find(hash, key).is_some_and(|s| s.is_live(&mut now))
    }

    /// The number of entries stored, in time proportional to the number of
    /// shards (not keys), without locking.
    ///
    /// It counts every entry not yet removed, **including keys whose TTL has
    /// run out but which neither a read nor the sweeper has removed yet** (as
    /// Redis's `DBSIZE` does). The sweeper removes those within about one sweep
    /// interval; [`Store::sweep_expired`] removes them at once. A closed store
    /// has length 0.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// store.set("b", 2).unwrap();
    /// assert_eq!(store.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        if self.inner.check_open().is_err() {
            return 0;
        }
        self.inner.len()
    }

    /// How many of the entries counted by [`len`](Store::len) carry a TTL
    /// (Redis's `expires=` in `INFO keyspace`), without locking.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// store.set_with_ttl("b", 2, Duration::from_secs(60)).unwrap();
    /// assert_eq!(store.len_with_ttl(), 1);
    /// ```
    pub fn len_with_ttl(&self) -> usize {
        if self.inner.check_open().is_err() {
            return 0;
        }
        self.inner.shards.iter().map(ShardCell::ttl_len).sum()
    }

    /// Whether [`len`](Store::len) is 0.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// assert!(store.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every live key, in no particular order. Never returns an expired key.
    /// Shards are visited one at a time, so concurrent writes to other shards
    /// may or may not show.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// store.set("b", 2).unwrap();
    /// let mut keys = store.keys().unwrap();
    /// keys.sort();
    /// assert_eq!(keys, vec![kvs::Key::from("a"), kvs::Key::from("b")]);
    /// ```
    pub fn keys(&self) -> Result<Vec<Key>> {
        self.inner.check_open()?;
        let mut out = Vec::with_capacity(self.inner.len());
        for index in 0..self.inner.shards.len() {
            self.collect_shard_keys(index, &mut out);
        }
        Ok(out)
    }

    /// The live keys of one shard (`0..num_shards()`): lets a caller walk the
    /// keyspace a shard at a time, as Redis's `SCAN` does.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// let all: usize = (0..store.num_shards()).map(|i| store.shard_keys(i).unwrap().len()).sum();
    /// assert_eq!(all, 1);
    /// ```
    pub fn shard_keys(&self, shard: usize) -> Result<Vec<Key>> {
        self.inner.check_open()?;
        let num_shards = self.inner.shards.len();
        if shard >= num_shards {
            return Err(Error::InvalidShardIndex {
                index: shard,
                num_shards,
            });
        }
        let mut out = Vec::new();
        self.collect_shard_keys(shard, &mut out);
        Ok(out)
    }

    fn collect_shard_keys(&self, index: usize, out: &mut Vec<Key>) {
        let mut now = self.inner.now();
        let shard = self.inner.shards[index].lock.read();
        out.extend(
            shard
                .iter()
                .filter(|s| s.is_live(&mut now))
                .map(|s| s.key.clone()),
        );
    }

    /// How many shards the store has.
    ///
    /// ```
    /// assert_eq!(kvs::Store::<u8>::new(3).unwrap().num_shards(), 3);
    /// ```
    pub fn num_shards(&self) -> usize {
        self.inner.shards.len()
    }

    /// The time now, by the store's clock.
    ///
    /// ```
    /// let clock = kvs::ManualClock::new();
    /// let store: kvs::Store<u8> = kvs::Store::builder().clock(clock.clone()).build().unwrap();
    /// use kvs::Clock;
    /// assert_eq!(store.now(), clock.now());
    /// ```
    pub fn now(&self) -> SystemTime {
        self.inner.clock.now()
    }

    /// The time `key` has left to live: `Ok(None)` if it has no TTL,
    /// `NotFound` if it is absent or expired (Redis `PTTL`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let clock = kvs::ManualClock::new();
    /// let store: kvs::Store<u8> = kvs::Store::builder().clock(clock.clone()).build().unwrap();
    /// store.set_with_ttl("k", 1, Duration::from_secs(10)).unwrap();
    /// clock.advance(Duration::from_secs(4));
    /// assert_eq!(store.ttl("k").unwrap(), Some(Duration::from_secs(6)));
    /// store.set("p", 1).unwrap();
    /// assert_eq!(store.ttl("p").unwrap(), None);
    /// ```
    pub fn ttl<K: AsRef<[u8]> + ?Sized>(&self, key: &K) -> Result<Option<Duration>> {
        let (deadline, now) = self.live_deadline(key.as_ref())?;
        Ok((deadline != NEVER).then(|| Duration::from_nanos(deadline - now)))
    }

    /// When `key` expires: `Ok(None)` if it has no TTL, `NotFound` if it is
    /// absent or expired (Redis `PEXPIRETIME`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use kvs::Clock;
    /// let clock = kvs::ManualClock::new();
    /// let store: kvs::Store<u8> = kvs::Store::builder().clock(clock.clone()).build().unwrap();
    /// store.set_with_ttl("k", 1, Duration::from_secs(10)).unwrap();
    /// assert_eq!(store.expires_at("k").unwrap(), Some(clock.now() + Duration::from_secs(10)));
    /// ```
    pub fn expires_at<K: AsRef<[u8]> + ?Sized>(&self, key: &K) -> Result<Option<SystemTime>> {
        let (deadline, _) = self.live_deadline(key.as_ref())?;
        Ok((deadline != NEVER).then(|| from_unix_nanos(deadline)))
    }

    fn live_deadline(&self, key: &[u8]) -> Result<(u64, u64)> {
        let inner = &*self.inner;
        inner.check_open()?;
        let (index, hash) = inner.locate(key)?;
        let mut now = inner.now();
        let shard = inner.shards[index].lock.read();
        match shard.find(hash, key) {
            Some(s) if s.is_live(&mut now) => Ok((s.deadline, now.get())),
            _ => Err(Error::NotFound),
        }
    }

    /// Gives an existing key a time to live (Redis `PEXPIRE`). A zero `ttl`
    /// expires the key at once, as `EXPIRE key 0` does in Redis. `NotFound` if
    /// the key is absent or expired.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("k", 1).unwrap();
    /// store.expire("k", Duration::from_secs(60)).unwrap();
    /// assert!(store.ttl("k").unwrap().is_some());
    /// store.expire("k", Duration::ZERO).unwrap();
    /// assert!(!store.exists("k"));
    /// ```
    pub fn expire<K: AsRef<[u8]> + ?Sized>(&self, key: &K, ttl: Duration) -> Result<()> {
        self.change_expiry(key.as_ref(), crate::Expiry::In(ttl))
    }

    /// Makes an existing key expire at `at` (Redis `PEXPIREAT`); a time not
    /// after now removes it. `NotFound` if the key is absent or expired.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("k", 1).unwrap();
    /// store.expire_at("k", store.now() + Duration::from_secs(60)).unwrap();
    /// assert!(store.exists("k"));
    /// ```
    pub fn expire_at<K: AsRef<[u8]> + ?Sized>(&self, key: &K, at: SystemTime) -> Result<()> {
        self.change_expiry(key.as_ref(), crate::Expiry::At(at))
    }

    fn change_expiry(&self, key: &[u8], expiry: crate::Expiry) -> Result<()> {
        self.compute(key, |e| match e {
            Some(_) => (Action::SetExpiry(expiry), Ok(())),
            None => (Action::Keep, Err(Error::NotFound)),
        })?
    }

    /// Removes the TTL of `key` (Redis `PERSIST`): `Ok(true)` if it had one,
    /// `Ok(false)` if not, `NotFound` if the key is absent or expired.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set_with_ttl("k", 1, Duration::from_secs(60)).unwrap();
    /// assert!(store.persist("k").unwrap());
    /// assert_eq!(store.ttl("k").unwrap(), None);
    /// ```
    pub fn persist<K: AsRef<[u8]> + ?Sized>(&self, key: &K) -> Result<bool> {
        self.compute(key.as_ref(), |e| match e {
            Some(e) => (
                Action::SetExpiry(crate::Expiry::Never),
                Ok(e.expires_at().is_some()),
            ),
            None => (Action::Keep, Err(Error::NotFound)),
        })?
    }

    /// Moves the value and TTL of `from` to `to`, replacing `to` (Redis
    /// `RENAME`), atomically even when the two keys live in different shards.
    /// `NotFound` if `from` is absent or expired.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// store.rename("a", "b").unwrap();
    /// assert!(!store.exists("a"));
    /// assert_eq!(store.get("b").unwrap(), 1);
    /// ```
    pub fn rename<A, B>(&self, from: &A, to: &B) -> Result<()>
    where
        A: AsRef<[u8]> + ?Sized,
        B: AsRef<[u8]> + ?Sized,
    {
        self.rename_inner(from.as_ref(), to.as_ref(), true)
            .map(|_| ())
    }

    /// Like [`rename`](Store::rename), but only if `to` does not exist
    /// (Redis `RENAMENX`): `Ok(false)` and no change if it does.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// store.set("b", 2).unwrap();
    /// assert!(!store.rename_nx("a", "b").unwrap());
    /// assert_eq!(store.get("b").unwrap(), 2);
    /// ```
    pub fn rename_nx<A, B>(&self, from: &A, to: &B) -> Result<bool>
    where
        A: AsRef<[u8]> + ?Sized,
        B: AsRef<[u8]> + ?Sized,
    {
        self.rename_inner(from.as_ref(), to.as_ref(), false)
    }

    fn rename_inner(&self, from: &[u8], to: &[u8], overwrite: bool) -> Result<bool> {
        let inner = &*self.inner;
        inner.check_open()?;
        let (src, src_hash) = inner.locate(from)?;
        let (dst, dst_hash) = inner.locate(to)?;
        let mut now = inner.now();
        let mut guards = inner.write_shards(vec![src, dst]);
        let pos = |i: usize| guards.iter().position(|(s, _)| *s == i).expect("locked");
        let (src_pos, dst_pos) = (pos(src), pos(dst));
        let src_live = guards[src_pos]
            .1
            .find(src_hash, from)
            .is_some_and(|s| s.is_live(&mut now));
        if !src_live {
            return Err(Error::NotFound);
        }
        if from == to {
            return Ok(true);
        }
        if !overwrite {
            let taken = guards[dst_pos]
                .1
                .find(dst_hash, to)
                .is_some_and(|s| s.is_live(&mut now));
            if taken {
                return Ok(false);
            }
        }
        let slot = guards[src_pos]
            .1
            .remove(src_hash, from)
            .expect("checked above");
        guards[dst_pos]
            .1
            .upsert(dst_hash, to, slot.value, slot.deadline);
        Ok(true)
    }

    /// Removes every key.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// store.clear().unwrap();
    /// assert!(store.is_empty());
    /// ```
    pub fn clear(&self) -> Result<()> {
        self.inner.check_open()?;
        let all = (0..self.inner.shards.len()).collect();
        for (_, mut shard) in self.inner.write_shards(all) {
            shard.clear();
        }
        Ok(())
    }

    /// Runs one pass of the active expiry now, returning how many expired
    /// keys it removed. The background sweeper calls the same code; this is
    /// for stores built without one, and for tests driving a manual clock.
    ///
    /// ```
    /// use std::time::Duration;
    /// let clock = kvs::ManualClock::new();
    /// let store: kvs::Store<u8> = kvs::Store::builder()
    ///     .clock(clock.clone())
    ///     .without_sweeper()
    ///     .build()
    ///     .unwrap();
    /// store.set_with_ttl("k", 1, Duration::from_secs(1)).unwrap();
    /// clock.advance(Duration::from_secs(1));
    /// assert_eq!(store.len(), 1); // expired but not yet removed
    /// assert_eq!(store.sweep_expired().unwrap(), 1);
    /// assert_eq!(store.len(), 0);
    /// ```
    pub fn sweep_expired(&self) -> Result<usize> {
        self.inner.check_open()?;
        Ok(self.inner.sweep())
    }

    /// Stops the background sweeper (waiting up to [`CLOSE_TIMEOUT`] for
    /// it) and closes the store for every handle: afterwards each operation
    /// returns `StoreClosed`, `exists` returns `false` and `len` 0. Closing
    /// again is a no-op. Dropping the last handle closes the store too.
    ///
    /// ```
    /// use kvs::{Error, Store};
    /// let store: Store<u8> = Store::new(4).unwrap();
    /// let other = store.clone();
    /// store.close().unwrap();
    /// store.close().unwrap();
    /// assert!(matches!(other.set("k", 1), Err(Error::StoreClosed)));
    /// ```
    pub fn close(&self) -> Result<()> {
        self.guard.close()?;
        // Nothing can be read any more: give the memory back now rather than
        // when the last handle goes.
        let all = (0..self.inner.shards.len()).collect();
        for (_, mut shard) in self.inner.write_shards(all) {
            shard.clear();
        }
        Ok(())
    }

    /// Whether [`close`](Store::close) has been called.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(1).unwrap();
    /// assert!(!store.is_closed());
    /// store.close().unwrap();
    /// assert!(store.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.inner.check_open().is_err()
    }
}

/// Resolves an expiry's clock reading only when it needs one.
pub(crate) fn now_if(now: &mut Now<'_>, expiry: crate::Expiry) -> u64 {
    match expiry {
        crate::Expiry::In(_) | crate::Expiry::At(_) => now.get(),
        crate::Expiry::Never | crate::Expiry::Keep => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn store_is_send_and_sync() {
        assert_send_sync::<Store<String>>();
        assert_send_sync::<Store<bytes::Bytes>>();
    }

    #[test]
    fn dropping_the_last_handle_stops_the_sweeper_thread() {
        let store: Store<u8> = Builder::new()
            .sweep_interval(Duration::from_millis(1))
            .build()
            .unwrap();
        let second = store.clone();
        let inner = Arc::downgrade(&store.inner);
        drop(store);
        assert!(!second.is_closed(), "another handle is still alive");
        drop(second);
        // The guard's drop joined the sweeper, which held the only other
        // reference to `Inner`: nothing is left alive, no thread leaked.
        assert!(inner.upgrade().is_none());
    }

    #[test]
    fn sweeper_sleeps_until_the_earliest_deadline_within_bounds() {
        let clock = crate::ManualClock::new();
        let store: Store<u8> = Builder::new()
            .clock(clock.clone())
            .without_sweeper()
            .build()
            .unwrap();
        let interval = Duration::from_millis(50);
        let next = || store.inner.next_sweep_in(interval);
        assert_eq!(next(), interval, "no TTL keys: a full interval");
        store
            .set_with_ttl("hour", 1, Duration::from_secs(3600))
            .unwrap();
        assert_eq!(next(), interval, "nothing due soon: a full interval");
        store
            .set_with_ttl("soon", 1, Duration::from_millis(10))
            .unwrap();
        assert_eq!(next(), Duration::from_millis(10));
        clock.advance(Duration::from_micros(9_900));
        assert_eq!(next(), MIN_SWEEP_GAP, "never busier than the floor");
        clock.advance(Duration::from_secs(1));
        assert_eq!(next(), MIN_SWEEP_GAP, "overdue keys: as soon as allowed");
    }

    #[test]
    fn shards_are_cache_line_aligned() {
        assert_eq!(std::mem::align_of::<ShardCell<u64>>(), 128);
    }
}
