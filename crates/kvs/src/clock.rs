//! Where the store reads the time: the system clock, or one a test controls.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of wall-clock time for deciding when keys expire.
///
/// Deadlines are absolute wall-clock instants (like Redis's), so a snapshot can
/// store them as Unix times and a restart honours them. The store reads the
/// clock only for keys that carry a TTL, and once per operation (a batch sees one
/// reading for all its keys).
///
/// ```
/// use std::time::SystemTime;
/// use kvs::{Clock, SystemClock};
///
/// let now = SystemClock.now();
/// assert!(now > SystemTime::UNIX_EPOCH);
/// ```
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// The current wall-clock time.
    fn now(&self) -> SystemTime;
}

/// The operating system's wall clock.
///
/// ```
/// use kvs::{Clock, SystemClock};
/// let a = SystemClock.now();
/// let b = SystemClock.now();
/// assert!(b >= a || a.duration_since(b).unwrap().as_secs() < 1);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to: for tests, and for simulations.
///
/// Clones share one reading, so keep a clone after handing one to the store.
///
/// ```
/// use std::time::Duration;
/// use kvs::{ManualClock, Store};
///
/// let clock = ManualClock::new();
/// let store: Store<u8> = Store::builder().clock(clock.clone()).build().unwrap();
/// store.set_with_ttl("k", 1, Duration::from_secs(10)).unwrap();
/// clock.advance(Duration::from_secs(10));
/// assert!(!store.exists("k"));
/// ```
#[derive(Clone)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock reading 2025-01-01T00:00:00Z, a fixed, realistic starting point.
    ///
    /// ```
    /// use kvs::{Clock, ManualClock};
    /// let c = ManualClock::new();
    /// assert_eq!(c.now(), c.now());
    /// ```
    pub fn new() -> Self {
        Self::starting_at(UNIX_EPOCH + Duration::from_secs(1_735_689_600))
    }

    /// A clock reading `start`.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use kvs::{Clock, ManualClock};
    /// let c = ManualClock::starting_at(UNIX_EPOCH + Duration::from_secs(5));
    /// assert_eq!(c.now(), UNIX_EPOCH + Duration::from_secs(5));
    /// ```
    pub fn starting_at(start: SystemTime) -> Self {
        ManualClock {
            nanos: Arc::new(AtomicU64::new(unix_nanos(start))),
        }
    }

    /// Moves the clock forward by `by`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use kvs::{Clock, ManualClock};
    /// let c = ManualClock::new();
    /// let t0 = c.now();
    /// c.advance(Duration::from_millis(1500));
    /// assert_eq!(c.now().duration_since(t0).unwrap(), Duration::from_millis(1500));
    /// ```
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(by))
            });
    }

    /// Sets the clock to `to` (which may be earlier than now: wall clocks jump).
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// use kvs::{Clock, ManualClock};
    /// let c = ManualClock::new();
    /// c.set(UNIX_EPOCH + Duration::from_secs(1));
    /// assert_eq!(c.now(), UNIX_EPOCH + Duration::from_secs(1));
    /// ```
    pub fn set(&self, to: SystemTime) {
        self.nanos.store(unix_nanos(to), Ordering::SeqCst);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("now", &self.now())
            .finish()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

/// Nanoseconds since the Unix epoch, the store's internal time unit. Times
/// before the epoch read as 0; times past the year 2554 saturate.
pub(crate) fn unix_nanos(t: SystemTime) -> u64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => u64::try_from(d.as_nanos()).unwrap_or(u64::MAX),
        Err(_) => 0,
    }
}

/// The inverse of [`unix_nanos`].
pub(crate) fn from_unix_nanos(n: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_clones_share_time() {
        let a = ManualClock::new();
        let b = a.clone();
        a.advance(Duration::from_secs(3));
        assert_eq!(a.now(), b.now());
    }

    #[test]
    fn nanos_round_trip() {
        let t = UNIX_EPOCH + Duration::from_nanos(1_234_567_890_123);
        assert_eq!(from_unix_nanos(unix_nanos(t)), t);
        assert_eq!(unix_nanos(UNIX_EPOCH - Duration::from_secs(1)), 0);
    }
}
