//! The keyspace: 16 (by default) numbered databases, each a `kvs::Store` of
//! byte-string values ([`Value`]), all on one clock.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::value::Value;
use kvs::{Clock, Store};

/// Shards per database: enough that 50+ clients rarely meet on one lock.
const SHARDS: usize = 64;

/// A clock shared by every database and by the server's own time reads
/// (`TIME`, `LASTSAVE`, `EXPIREAT` bases), so tests can drive them all.
#[derive(Debug, Clone)]
pub struct SharedClock(pub Arc<dyn Clock>);

impl Clock for SharedClock {
    fn now(&self) -> SystemTime {
        self.0.now()
    }
}

/// The numbered databases.
///
/// ```
/// let dbs = kvs_server::db::Databases::new(4, None).unwrap();
/// assert_eq!(dbs.len(), 4);
/// dbs.get(0).set("k", kvs_server::value::Value::from(&b"v"[..])).unwrap();
/// assert_eq!(dbs.get(0).len(), 1);
/// assert_eq!(dbs.get(1).len(), 0);
/// ```
#[derive(Debug)]
pub struct Databases {
    stores: Vec<Store<Value>>,
    clock: SharedClock,
}

impl Databases {
    /// `count` empty databases on `clock` (the system clock if `None`).
    /// Expired keys are removed by the server's own sweeper task (which counts
    /// them for `INFO`), not by one thread per store.
    ///
    /// ```
    /// let dbs = kvs_server::db::Databases::new(16, Some(std::sync::Arc::new(kvs::ManualClock::new()))).unwrap();
    /// assert_eq!(dbs.len(), 16);
    /// ```
    pub fn new(count: usize, clock: Option<Arc<dyn Clock>>) -> kvs::Result<Databases> {
        let clock = SharedClock(clock.unwrap_or_else(|| Arc::new(kvs::SystemClock)));
        let stores = (0..count)
            .map(|_| {
                Store::builder()
                    .shards(SHARDS)
                    .clock(clock.clone())
                    .without_sweeper()
                    .build()
            })
            .collect::<kvs::Result<Vec<_>>>()?;
        Ok(Databases { stores, clock })
    }

    /// Database `index` (callers check the index with [`Databases::len`]).
    ///
    /// ```
    /// let dbs = kvs_server::db::Databases::new(2, None).unwrap();
    /// assert!(dbs.get(1).is_empty());
    /// ```
    pub fn get(&self, index: usize) -> &Store<Value> {
        &self.stores[index]
    }

    /// How many databases there are.
    ///
    /// ```
    /// assert_eq!(kvs_server::db::Databases::new(3, None).unwrap().len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.stores.len()
    }

    /// Always false: there is at least one database.
    ///
    /// ```
    /// assert!(!kvs_server::db::Databases::new(1, None).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.stores.is_empty()
    }

    /// Every database, in order (for snapshots).
    ///
    /// ```
    /// assert_eq!(kvs_server::db::Databases::new(2, None).unwrap().all().len(), 2);
    /// ```
    pub fn all(&self) -> &[Store<Value>] {
        &self.stores
    }

    /// The time now, by the databases' clock.
    ///
    /// ```
    /// let dbs = kvs_server::db::Databases::new(1, None).unwrap();
    /// assert!(dbs.now_millis() > 0);
    /// ```
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The time now in Unix milliseconds.
    ///
    /// ```
    /// let dbs = kvs_server::db::Databases::new(1, None).unwrap();
    /// assert!(dbs.now_millis() > 1_600_000_000_000);
    /// ```
    pub fn now_millis(&self) -> i64 {
        unix_millis(self.now())
    }

    /// Removes expired keys from every database, returning how many.
    ///
    /// ```
    /// let dbs = kvs_server::db::Databases::new(1, None).unwrap();
    /// assert_eq!(dbs.sweep(), 0);
    /// ```
    pub fn sweep(&self) -> usize {
        self.stores
            .iter()
            .map(|s| s.sweep_expired().unwrap_or(0))
            .sum()
    }
}

/// Milliseconds since the Unix epoch (negative before it).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(kvs_server::db::unix_millis(UNIX_EPOCH + Duration::from_millis(5)), 5);
/// ```
pub fn unix_millis(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// The wall-clock time `ms` milliseconds after the epoch (`None` if negative).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(kvs_server::db::from_unix_millis(5), Some(UNIX_EPOCH + Duration::from_millis(5)));
/// assert_eq!(kvs_server::db::from_unix_millis(-1), None);
/// ```
pub fn from_unix_millis(ms: i64) -> Option<SystemTime> {
    u64::try_from(ms)
        .ok()
        .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
}
