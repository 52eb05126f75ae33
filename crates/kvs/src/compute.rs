//! Atomic read-modify-write on one key: [`Store::compute`] (replace the
//! value), [`Store::compute_mut`] (change it in place), [`Store::view`]
//! (borrow it under the read lock), and what their closures see and return.

use std::time::{Duration, SystemTime};

use crate::clock::{from_unix_nanos, unix_nanos};
use crate::shard::{Now, Shard, NEVER};
use crate::store::now_if;
use crate::{Error, Result, Store};

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

/// A live entry open for change in place, as
/// [`Store::compute_mut`] shows it to the closure, while the key's shard is
/// write-locked.
///
/// ```
/// use kvs::{Action, Store};
/// let store: Store<Vec<u32>> = Store::new(4).unwrap();
/// store.set("list", vec![1, 2]).unwrap();
/// let len = store
///     .compute_mut("list", |e| {
///         let mut e = e.unwrap();
///         e.value_mut().push(3);
///         (Action::Keep, e.value().len())
///     })
///     .unwrap();
/// assert_eq!(len, 3);
/// assert_eq!(store.get("list").unwrap(), vec![1, 2, 3]);
/// ```
#[derive(Debug)]
pub struct EntryMut<'a, V> {
    value: &'a mut V,
    deadline: u64,
    now: u64,
}

impl<'a, V> EntryMut<'a, V> {
    /// The current value.
    ///
    /// ```
    /// # let store: kvs::Store<u8> = kvs::Store::new(1).unwrap();
    /// # store.set("k", 7).unwrap();
    /// let v = store.compute_mut("k", |e| (kvs::Action::Keep, *e.unwrap().value())).unwrap();
    /// assert_eq!(v, 7);
    /// ```
    pub fn value(&self) -> &V {
        self.value
    }

    /// The value, to change in place. The change stands whatever [`Action`]
    /// the closure then returns (`Remove` removes the changed value).
    ///
    /// ```
    /// # let store: kvs::Store<u8> = kvs::Store::new(1).unwrap();
    /// # store.set("k", 7).unwrap();
    /// store.compute_mut("k", |e| { *e.unwrap().value_mut() += 1; (kvs::Action::Keep, ()) }).unwrap();
    /// assert_eq!(store.get("k").unwrap(), 8);
    /// ```
    pub fn value_mut(&mut self) -> &mut V {
        self.value
    }

    /// When the key expires, if it has a TTL.
    ///
    /// ```
    /// # let store: kvs::Store<u8> = kvs::Store::new(1).unwrap();
    /// # store.set("k", 7).unwrap();
    /// let at = store.compute_mut("k", |e| (kvs::Action::Keep, e.unwrap().expires_at())).unwrap();
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
    /// let ttl = store.compute_mut("k", |e| (kvs::Action::Keep, e.unwrap().ttl())).unwrap();
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

impl<V: Clone + Send + Sync + 'static> Store<V> {
    /// Runs `f` on the live entry for `key` (or `None`) while the key's shard
    /// is write-locked, then applies the [`Action`] it returns, and returns
    /// the closure's second result. Nothing else can touch the key in
    /// between, so check-then-act is race-free. The closure must not call
    /// back into the store (it would deadlock on the shard lock).
    ///
    /// The key's bytes are copied only if a new key is inserted.
    ///
    /// ```
    /// use kvs::{Action, Expiry, Store};
    /// let store: Store<i64> = Store::new(4).unwrap();
    /// // INCR: read, add, write back, keeping any TTL.
    /// let incr = |s: &Store<i64>| {
    ///     s.compute("n", |e| {
    ///         let n = e.map_or(0, |e| *e.value()) + 1;
    ///         (Action::Set(n, Expiry::Keep), n)
    ///     })
    /// };
    /// assert_eq!(incr(&store).unwrap(), 1);
    /// assert_eq!(incr(&store).unwrap(), 2);
    /// ```
    pub fn compute<K, R, F>(&self, key: K, f: F) -> Result<R>
    where
        K: AsRef<[u8]>,
        F: FnOnce(Option<Entry<'_, V>>) -> (Action<V>, R),
    {
        let inner = &*self.inner;
        inner.check_open()?;
        let key = key.as_ref();
        let (index, hash) = inner.locate(key)?;
        let mut now = inner.now();
        let mut shard = inner.shards[index].write();
        let (live_deadline, expired) = match shard.find(hash, key) {
            Some(s) if s.is_live(&mut now) => (Some(s.deadline), false),
            Some(_) => (None, true),
            None => (None, false),
        };
        let (action, result) = {
            let entry = live_deadline.map(|deadline| Entry {
                value: &shard.find(hash, key).expect("found above").value,
                deadline,
                now: if deadline == NEVER { 0 } else { now.get() },
            });
            f(entry)
        };
        let added = apply(
            &mut shard,
            hash,
            key,
            action,
            live_deadline,
            expired,
            &mut now,
        )?;
        drop(shard);
        inner.deadline_added(added);
        Ok(result)
    }

    /// The value under `key`, inserting `make()` first if the key is absent
    /// or expired, atomically: two racing callers never both insert.
    ///
    /// ```
    /// let store: kvs::Store<u32> = kvs::Store::new(4).unwrap();
    /// assert_eq!(store.get_or_insert_with("k", || 7).unwrap(), 7);
    /// assert_eq!(store.get_or_insert_with("k", || 8).unwrap(), 7);
    /// ```
    pub fn get_or_insert_with<K, F>(&self, key: K, make: F) -> Result<V>
    where
        K: AsRef<[u8]>,
        F: FnOnce() -> V,
    {
        self.compute(key, |e| match e {
            Some(e) => (Action::Keep, e.value().clone()),
            None => {
                let v = make();
                (Action::Set(v.clone(), crate::Expiry::Never), v)
            }
        })
    }

    /// Replaces the value under `key` with `f(&old)`, atomically, keeping its
    /// TTL; returns the new value. `NotFound` if the key is absent or expired.
    ///
    /// ```
    /// let store: kvs::Store<Vec<u8>> = kvs::Store::new(4).unwrap();
    /// store.set("log", b"a".to_vec()).unwrap();
    /// let v = store.update("log", |old| [old.as_slice(), b"b"].concat()).unwrap();
    /// assert_eq!(v, b"ab");
    /// ```
    pub fn update<K, F>(&self, key: K, f: F) -> Result<V>
    where
        K: AsRef<[u8]>,
        F: FnOnce(&V) -> V,
    {
        self.compute(key, |e| match e {
            Some(e) => {
                let v = f(e.value());
                (Action::Set(v.clone(), crate::Expiry::Keep), Ok(v))
            }
            None => (Action::Keep, Err(Error::NotFound)),
        })?
    }

    /// Like [`Store::compute`], but the closure may change the live value in
    /// place through [`EntryMut::value_mut`] instead of building a new one:
    /// adding one element to a large collection costs what the element
    /// costs, not a copy of the collection. The key's TTL is untouched
    /// unless the returned [`Action`] changes it; `Action::Remove` deletes
    /// the key (as Redis deletes a collection emptied by a command).
    ///
    /// While a snapshot is being saved, a key's first change since the
    /// snapshot instant keeps a copy of its value for the save (the same
    /// copy-on-write every other write does), so the snapshot still shows
    /// the value as it was at its instant. In-place changes stand even if
    /// the returned action then fails (`InvalidTTL`). The closure must not
    /// call back into the store.
    ///
    /// ```
    /// use kvs::{Action, Expiry, Store};
    /// let store: Store<Vec<u8>> = Store::new(4).unwrap();
    /// // RPUSH: create the list if absent, else append in place.
    /// let push = |s: &Store<Vec<u8>>, x: u8| {
    ///     s.compute_mut("q", |e| match e {
    ///         Some(mut e) => {
    ///             e.value_mut().push(x);
    ///             (Action::Keep, e.value().len())
    ///         }
    ///         None => (Action::Set(vec![x], Expiry::Never), 1),
    ///     })
    /// };
    /// assert_eq!(push(&store, 1).unwrap(), 1);
    /// assert_eq!(push(&store, 2).unwrap(), 2);
    /// assert_eq!(store.get("q").unwrap(), vec![1, 2]);
    /// ```
    pub fn compute_mut<K, R, F>(&self, key: K, f: F) -> Result<R>
    where
        K: AsRef<[u8]>,
        F: FnOnce(Option<EntryMut<'_, V>>) -> (Action<V>, R),
    {
        let inner = &*self.inner;
        inner.check_open()?;
        let key = key.as_ref();
        let (index, hash) = inner.locate(key)?;
        let mut now = inner.now();
        let mut shard = inner.shards[index].write();
        let (live_deadline, expired) = match shard.find(hash, key) {
            Some(s) if s.is_live(&mut now) => (Some(s.deadline), false),
            Some(_) => (None, true),
            None => (None, false),
        };
        let (action, result) = match live_deadline {
            Some(deadline) => {
                let now = if deadline == NEVER { 0 } else { now.get() };
                let slot = shard.find_mut(hash, key).expect("found above");
                f(Some(EntryMut {
                    value: &mut slot.value,
                    deadline,
                    now,
                }))
            }
            None => f(None),
        };
        let added = apply(
            &mut shard,
            hash,
            key,
            action,
            live_deadline,
            expired,
            &mut now,
        )?;
        drop(shard);
        inner.deadline_added(added);
        Ok(result)
    }

    /// Runs `f` on the live entry for `key` (or `None`) under the shard's
    /// read lock, without cloning the value: readers of the same shard run
    /// side by side. Returns what `f` returns.
    ///
    /// ```
    /// let store: kvs::Store<Vec<u8>> = kvs::Store::new(4).unwrap();
    /// store.set("big", vec![7; 1000]).unwrap();
    /// let len = store.view("big", |e| e.map(|e| e.value().len())).unwrap();
    /// assert_eq!(len, Some(1000));
    /// assert_eq!(store.view("nope", |e| e.is_some()).unwrap(), false);
    /// ```
    pub fn view<K, R, F>(&self, key: K, f: F) -> Result<R>
    where
        K: AsRef<[u8]>,
        F: FnOnce(Option<Entry<'_, V>>) -> R,
    {
        let inner = &*self.inner;
        inner.check_open()?;
        let key = key.as_ref();
        let (index, hash) = inner.locate(key)?;
        let mut now = inner.now();
        {
            let shard = inner.shards[index].lock.read();
            match shard.find(hash, key) {
                None => return Ok(f(None)),
                Some(slot) if slot.is_live(&mut now) => {
                    let entry = Entry {
                        value: &slot.value,
                        deadline: slot.deadline,
                        now: if slot.deadline == NEVER { 0 } else { now.get() },
                    };
                    return Ok(f(Some(entry)));
                }
                Some(_) => {}
            }
        }
        self.purge_if_expired(index, hash, key, &mut now);
        Ok(f(None))
    }

    /// `f(&value)` for the live value under `key`, borrowed under the
    /// shard's read lock (no clone); `NotFound` if the key is absent or
    /// expired.
    ///
    /// ```
    /// let store: kvs::Store<String> = kvs::Store::new(4).unwrap();
    /// store.set("name", "kvs".to_string()).unwrap();
    /// assert_eq!(store.with("name", |v| v.len()).unwrap(), 3);
    /// assert!(matches!(store.with("nope", |v| v.len()), Err(kvs::Error::NotFound)));
    /// ```
    pub fn with<K, R, F>(&self, key: K, f: F) -> Result<R>
    where
        K: AsRef<[u8]>,
        F: FnOnce(&V) -> R,
    {
        self.view(key, |e| e.map(|e| f(e.value())))?
            .ok_or(Error::NotFound)
    }
}

/// Applies a closure's [`Action`] to `key` in a write-locked shard (the
/// key's live deadline, if live, and whether an expired entry is still
/// there); returns the deadline given to the key (`NEVER` if none), for
/// the sweeper once unlocked.
fn apply<V: Clone>(
    shard: &mut Shard<V>,
    hash: u64,
    key: &[u8],
    action: Action<V>,
    live_deadline: Option<u64>,
    expired: bool,
    now: &mut Now<'_>,
) -> Result<u64> {
    let current = live_deadline.unwrap_or(NEVER);
    let mut added = NEVER;
    match action {
        Action::Keep => {
            if expired {
                shard.remove(hash, key);
            }
        }
        Action::Remove => {
            shard.remove(hash, key);
        }
        Action::Set(value, expiry) => {
            let deadline = expiry.resolve(now_if(now, expiry), current)?;
            if deadline != NEVER && deadline <= now.get() {
                shard.remove(hash, key);
            } else {
                shard.upsert(hash, key, value, deadline);
                added = deadline;
            }
        }
        Action::SetExpiry(expiry) => {
            if live_deadline.is_some() {
                let deadline = expiry.resolve(now_if(now, expiry), current)?;
                if deadline != NEVER && deadline <= now.get() {
                    shard.remove(hash, key);
                } else {
                    shard.set_deadline(hash, key, deadline);
                    added = deadline;
                }
            } else if expired {
                shard.remove(hash, key);
            }
        }
    }
    Ok(added)
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
