//! Choosing a store's shard count, shard hash, clock and sweep interval.

use std::fmt;
use std::marker::PhantomData;
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use crate::hash::{ShardFn, ShardHash};
use crate::snapshot::SavePriority;
use crate::{Clock, Result, Store, SystemClock};

/// The default interval of the background sweeper (as in bay0/kvs).
///
/// ```
/// assert_eq!(kvs::DEFAULT_SWEEP_INTERVAL, std::time::Duration::from_millis(50));
/// ```
pub const DEFAULT_SWEEP_INTERVAL: Duration = Duration::from_millis(50);

/// Configures and builds a [`Store`].
///
/// ```
/// use std::time::Duration;
/// use kvs::{ManualClock, Store};
///
/// let store: Store<String> = Store::builder()
///     .shards(64)
///     .clock(ManualClock::new())
///     .sweep_interval(Duration::from_millis(100))
///     .build()
///     .unwrap();
/// assert_eq!(store.num_shards(), 64);
/// ```
pub struct Builder<V> {
    shards: usize,
    shard_hash: ShardHash,
    clock: Arc<dyn Clock>,
    sweep_interval: Option<Duration>,
    save_threads: Option<NonZeroUsize>,
    save_priority: SavePriority,
    value_version: u32,
    _values: PhantomData<fn() -> V>,
}

impl<V> fmt::Debug for Builder<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("shards", &self.shards)
            .field("shard_hash", &self.shard_hash)
            .field("clock", &self.clock)
            .field("sweep_interval", &self.sweep_interval)
            .field("save_threads", &self.save_threads)
            .field("save_priority", &self.save_priority)
            .field("value_version", &self.value_version)
            .finish()
    }
}

impl<V: Clone + Send + Sync + 'static> Default for Builder<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V: Clone + Send + Sync + 'static> Builder<V> {
    /// Defaults: four shards per available core (rounded up to a power of two,
    /// at least 16), FNV-1a shard hash, the system clock, and a sweeper every
    /// [`DEFAULT_SWEEP_INTERVAL`].
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Builder::new().build().unwrap();
    /// assert!(store.num_shards() >= 16);
    /// ```
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
        Builder {
            shards: (cores * 4).next_power_of_two().max(16),
            shard_hash: ShardHash::Fnv1a,
            clock: Arc::new(SystemClock),
            sweep_interval: Some(DEFAULT_SWEEP_INTERVAL),
            save_threads: None,
            save_priority: SavePriority::Low,
            value_version: 0,
            _values: PhantomData,
        }
    }

    /// The number of shards (at least 1; `build` rejects 0).
    ///
    /// ```
    /// assert!(kvs::Builder::<u8>::new().shards(0).build().is_err());
    /// ```
    pub fn shards(mut self, n: usize) -> Self {
        self.shards = n;
        self
    }

    /// Replaces the default FNV-1a shard hash with `f(key, num_shards)`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let store: kvs::Store<u8> = kvs::Builder::new()
    ///     .shards(4)
    ///     .shard_fn(Arc::new(|key: &[u8], n: usize| key.len() % n))
    ///     .build()
    ///     .unwrap();
    /// store.set("abc", 1).unwrap();
    /// ```
    pub fn shard_fn(mut self, f: ShardFn) -> Self {
        self.shard_hash = ShardHash::Custom(f);
        self
    }

    /// Chooses shards from the seeded table hash that every operation
    /// computes anyway, instead of FNV-1a: one hash per operation instead of
    /// two, and keys chosen by an attacker cannot pile into one shard. Shard
    /// placement then differs from bay0/kvs's and between runs (the seed is
    /// random), which only matters to code that relies on where a key lives.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Builder::new().table_hash_shards().build().unwrap();
    /// store.set("k", 1).unwrap();
    /// assert_eq!(store.get("k").unwrap(), 1);
    /// ```
    pub fn table_hash_shards(mut self) -> Self {
        self.shard_hash = ShardHash::TableHash;
        self
    }

    /// The clock that decides expiry (a [`ManualClock`](crate::ManualClock) in
    /// tests).
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Builder::new().clock(kvs::SystemClock).build().unwrap();
    /// # drop(store);
    /// ```
    pub fn clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The longest the background sweeper sleeps between passes. It wakes
    /// sooner when a key is due (it sleeps until the earliest deadline, but
    /// never less than 5 ms), so expired keys go about when they expire; a
    /// store without TTL keys wakes once per interval.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store: kvs::Store<u8> = kvs::Builder::new()
    ///     .sweep_interval(Duration::from_millis(5))
    ///     .build()
    ///     .unwrap();
    /// # drop(store);
    /// ```
    pub fn sweep_interval(mut self, every: Duration) -> Self {
        self.sweep_interval = Some(every);
        self
    }

    /// No background thread: expired keys are removed when read, or by
    /// [`Store::sweep_expired`].
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Builder::new().without_sweeper().build().unwrap();
    /// assert_eq!(store.sweep_expired().unwrap(), 0);
    /// ```
    pub fn without_sweeper(mut self) -> Self {
        self.sweep_interval = None;
        self
    }

    /// How many threads a snapshot save of this store copies shards on, the
    /// calling thread included. By default (or with `0`) a save uses one
    /// thread per core, up to 4, once the stores saved hold 65,536 entries
    /// or more, and the calling thread alone below that. `1` keeps every save
    /// on the calling thread; more makes a large save finish sooner, at the
    /// cost of that many cores while it runs (less once the application
    /// writes during the save: see [`save_priority`](Builder::save_priority)).
    /// A save of several stores uses the largest setting among them.
    ///
    /// ```
    /// let store: kvs::Store<u32> = kvs::Builder::new().save_threads(2).build()?;
    /// store.set("k", 1)?;
    /// let mut file = Vec::new();
    /// assert_eq!(store.save_to(&mut file)?.records, 1);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn save_threads(mut self, threads: usize) -> Self {
        self.save_threads = NonZeroUsize::new(threads);
        self
    }

    /// How a save on several threads competes with the application for the
    /// processors (see [`SavePriority`]): [`SavePriority::Low`] by default,
    /// so that once the application writes during a save, its threads get
    /// the processors first. A save of several stores runs at `Normal` if
    /// any of them asks for it.
    ///
    /// ```
    /// use kvs::snapshot::SavePriority;
    ///
    /// let store: kvs::Store<u32> = kvs::Builder::new()
    ///     .save_priority(SavePriority::Normal)
    ///     .build()?;
    /// # drop(store);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn save_priority(mut self, priority: SavePriority) -> Self {
        self.save_priority = priority;
        self
    }

    /// The application's version of how it encodes its values (0 by
    /// default). A snapshot save writes it into the file's header; a load
    /// refuses a file written at another value version with
    /// [`Error::ValueVersionMismatch`](crate::Error::ValueVersionMismatch),
    /// unless it is a migrating load
    /// ([`load_all_migrating`](crate::snapshot::load_all_migrating)) that
    /// converts the old values. Bump it whenever the value type changes
    /// shape (a field added, a variant reordered): postcard is not
    /// self-describing, so old bytes may otherwise decode into nonsense.
    ///
    /// ```
    /// let v1: kvs::Store<u32> = kvs::Builder::new().value_version(1).build()?;
    /// v1.set("n", 7)?;
    /// let mut file = Vec::new();
    /// v1.save_to(&mut file)?;
    /// let v2: kvs::Store<u64> = kvs::Builder::new().value_version(2).build()?;
    /// assert!(matches!(
    ///     v2.load_from(&file[..]),
    ///     Err(kvs::Error::ValueVersionMismatch { found: 1, expected: 2 })
    /// ));
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn value_version(mut self, version: u32) -> Self {
        self.value_version = version;
        self
    }

    /// Builds the store (and starts its sweeper thread).
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Builder::new().shards(2).build().unwrap();
    /// assert_eq!(store.num_shards(), 2);
    /// ```
    pub fn build(self) -> Result<Store<V>> {
        Store::from_parts(
            self.shards,
            self.shard_hash,
            self.clock,
            self.sweep_interval,
            self.save_threads,
            self.save_priority,
            self.value_version,
        )
    }
}
