//! Atomic read-modify-write on one key: what `Store::compute` sees and returns.

use std::time::{Duration, SystemTime};

use crate::clock::{from_unix_nanos, unix_nanos};
use crate::shard::NEVER;
use crate::{Error, Result};

/// A live entry, as [`Store::compute`](crate::Store::compute) shows it to the
/// closure, while the key's shard is locked.
///
/// ```
/// use kvs::{Action, Store};
/// let store: Store<u64> = Store::new(4).unwrap();
/// store.set("hits", 41).unwrap();
/// let seen = store
///     .compute("hits", |e| {
///         let v = e.map_or(0, |e| *e.value());
///         (Action::Set(v + 1, kvs::Expiry::Keep), v)
///     })
///     .unwrap();
/// assert_eq!(seen, 41);
/// assert_eq!(store.get("hits").unwrap(), 42);
/// ```
#[derive(Debug)]
pub struct Entry<'a, V> {
    pub(crate) value: &'a V,
    pub(crate) deadline: u64,
    pub(crate) now: u64,
}

impl<'a, V> Entry<'a, V> {
    /// The current value.
    ///
    /// ```
    /// # let store: kvs::Store<u8> = kvs::Store::new(1).unwrap();
    /// # store.set("k", 7).unwrap();
    /// let v = store.compute("k", |e| (kvs::Action::Keep, *e.unwrap().value())).unwrap();
    /// assert_eq!(v, 7);
    /// ```
    pub fn value(&self) -> &'a V {
        self.value
    }

    /// When the key expires, if it has a TTL.
    ///
    /// ```
    /// # let store: kvs::Store<u8> = kvs::Store::new(1).unwrap();
    /// # store.set("k", 7).unwrap();
    /// let at = store.compute("k", |e| (kvs::Action::Keep, e.unwrap().expires_at())).unwrap();
    /// assert_eq!(at, None);
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        (self.deadline != NEVER).then(|| from_unix_nanos(self.deadline))
    }

    /// The time the key has left to live, if it has a TTL, measured at the
    /// operation's one clock reading.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let store: kvs::Store<u8> = kvs::Store::builder().clock(kvs::ManualClock::new()).build().unwrap();
    /// store.set_with_ttl("k", 7, Duration::from_secs(5)).unwrap();
    /// let ttl = store.compute("k", |e| (kvs::Action::Keep, e.unwrap().ttl())).unwrap();
    /// assert_eq!(ttl, Some(Duration::from_secs(5)));
    /// ```
    pub fn ttl(&self) -> Option<Duration> {
        (self.deadline != NEVER).then(|| Duration::from_nanos(self.deadline - self.now))
    }
}

/// What [`Store::compute`](crate::Store::compute) does with the key after the
/// closure has looked at it.
///
/// ```
/// use kvs::{Action, Expiry, Store};
/// let store: Store<&str> = Store::new(1).unwrap();
/// // Insert only if absent (Redis SETNX).
/// let inserted = store
///     .compute("k", |e| match e {
///         Some(_) => (Action::Keep, false),
///         None => (Action::Set("v", Expiry::Never), true),
///     })
///     .unwrap();
/// assert!(inserted);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<V> {
    /// Leave the key as it is.
    Keep,
    /// Remove the key if it exists.
    Remove,
    /// Store this value, with this expiry.
    Set(V, Expiry),
    /// Change only the expiry of an existing key (no effect on an absent one).
    SetExpiry(Expiry),
}

/// The expiry to give a key in an [`Action`].
///
/// A deadline at or before the operation's clock reading (`In(Duration::ZERO)`,
/// or `At` a past time) removes the key at once, as Redis's `EXPIRE 0` and
/// `SET ... PXAT <past>` do.
///
/// ```
/// use std::time::Duration;
/// use kvs::Expiry;
/// let e = Expiry::In(Duration::from_secs(60));
/// assert_ne!(e, Expiry::Never);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// No TTL.
    Never,
    /// Keep the key's current TTL (none for a new key).
    Keep,
    /// Expire this long after the operation's clock reading.
    In(Duration),
    /// Expire at this wall-clock time.
    At(SystemTime),
}

impl Expiry {
    /// The deadline in Unix nanoseconds, `NEVER` for none.
    pub(crate) fn resolve(self, now: u64, current: u64) -> Result<u64> {
        match self {
            Expiry::Never => Ok(NEVER),
            Expiry::Keep => Ok(current),
            Expiry::In(d) => deadline_after(now, d),
            Expiry::At(t) => {
                let n = unix_nanos(t);
                if n == NEVER {
                    Err(Error::InvalidTTL)
                } else {
                    Ok(n)
                }
            }
        }
    }
}

/// `now + ttl` in Unix nanoseconds, or `InvalidTTL` if the clock cannot
/// represent it.
pub(crate) fn deadline_after(now: u64, ttl: Duration) -> Result<u64> {
    u64::try_from(ttl.as_nanos())
        .ok()
        .and_then(|t| now.checked_add(t))
        .filter(|&d| d != NEVER)
        .ok_or(Error::InvalidTTL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_overflow_is_invalid_ttl() {
        assert!(matches!(
            deadline_after(10, Duration::MAX),
            Err(Error::InvalidTTL)
        ));
        assert!(matches!(
            deadline_after(u64::MAX - 5, Duration::from_nanos(5)),
            Err(Error::InvalidTTL)
        ));
        assert_eq!(deadline_after(10, Duration::from_nanos(5)).unwrap(), 15);
    }

    #[test]
    fn resolve_keeps_or_replaces() {
        assert_eq!(Expiry::Keep.resolve(5, 99).unwrap(), 99);
        assert_eq!(Expiry::Never.resolve(5, 99).unwrap(), NEVER);
        assert_eq!(
            Expiry::In(Duration::from_nanos(3)).resolve(5, 99).unwrap(),
            8
        );
    }
}
