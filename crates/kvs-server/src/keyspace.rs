//! The keyspace: the numbered databases and the verbs commands use on them.
//!
//! Each database is a `kvs::Store` of [`Value`]s; this module is the only
//! part of the server (with the snapshot code) that touches the store. A
//! command asks for its database ([`Keyspace::db`]) and calls the verbs of
//! [`Db`]: typed reads (`get_str`, [`Db::read`]), typed in-place writes
//! ([`Db::write`], which creates a missing collection and removes one a
//! command emptied, as Redis does), and the whole-key operations every type
//! shares (delete, rename, TTL, scan). A verb on a key of another type
//! answers [`KsError::WrongType`], worded as Redis words it.

use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kvs::{Clock, Store};

use crate::frame::Frame;
use crate::types::{Encodings, Hash, List, Set};
use crate::value::{Kind, RawStr, Str, Value};

pub use kvs::{Action, Entry, EntryMut, Expiry};

/// Shards per database: enough that 50+ clients rarely meet on one lock.
const SHARDS: usize = 64;

/// Collections with more elements than this are freed on a background
/// thread when deleted, so a client deleting a big value does not hold up
/// the other clients of its worker thread (Redis's `LAZYFREE_THRESHOLD`).
const FREE_ELSEWHERE_OVER: usize = 64;

/// Why a verb failed.
///
/// ```
/// use kvs_server::keyspace::KsError;
/// let f: kvs_server::frame::Frame = KsError::WrongType.into();
/// assert_eq!(f, kvs_server::frame::Frame::Error(
///     "WRONGTYPE Operation against a key holding the wrong kind of value".into()));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum KsError {
    /// The key holds a value of another type.
    WrongType,
    /// A deadline the clock cannot represent.
    InvalidTtl,
    /// The store refused (it is closed only while the server stops).
    Store(kvs::Error),
}

impl From<kvs::Error> for KsError {
    fn from(e: kvs::Error) -> Self {
        match e {
            kvs::Error::InvalidTTL => KsError::InvalidTtl,
            e => KsError::Store(e),
        }
    }
}

impl From<KsError> for Frame {
    fn from(e: KsError) -> Frame {
        match e {
            KsError::WrongType => {
                Frame::err("WRONGTYPE Operation against a key holding the wrong kind of value")
            }
            KsError::InvalidTtl => Frame::err("ERR invalid expire time"),
            KsError::Store(e) => Frame::Error(format!("ERR {e}").into()),
        }
    }
}

/// A clock shared by every database and by the server's own time reads
/// (`TIME`, `LASTSAVE`, `EXPIREAT` bases), so tests can drive them all.
#[derive(Debug, Clone)]
pub struct SharedClock(pub Arc<dyn Clock>);

impl Clock for SharedClock {
    fn now(&self) -> SystemTime {
        self.0.now()
    }
}

/// The numbered databases, their clock and the encoding thresholds.
///
/// ```
/// let ks = kvs_server::keyspace::Keyspace::new(4, None).unwrap();
/// assert_eq!(ks.len(), 4);
/// ks.db(0).set(b"k", kvs::Key::from("v")).unwrap();
/// assert_eq!(ks.db(0).len(), 1);
/// assert_eq!(ks.db(1).len(), 0);
/// ```
#[derive(Debug)]
pub struct Keyspace {
    stores: Vec<Store<Value>>,
    clock: SharedClock,
    encodings: Encodings,
    dropper: OnceLock<mpsc::Sender<Value>>,
}

impl Keyspace {
    /// `count` empty databases on `clock` (the system clock if `None`).
    /// Expired keys are removed by the server's own sweeper task (which counts
    /// them for `INFO`), not by one thread per store.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(16, Some(std::sync::Arc::new(kvs::ManualClock::new()))).unwrap();
    /// assert_eq!(ks.len(), 16);
    /// ```
    pub fn new(count: usize, clock: Option<Arc<dyn Clock>>) -> kvs::Result<Keyspace> {
        let clock = SharedClock(clock.unwrap_or_else(|| Arc::new(kvs::SystemClock)));
        let stores = (0..count)
            .map(|_| {
                Store::builder()
                    .value_version(crate::encoding::VALUE_VERSION)
                    .shards(SHARDS)
                    .clock(clock.clone())
                    .without_sweeper()
                    .build()
            })
            .collect::<kvs::Result<Vec<_>>>()?;
        Ok(Keyspace {
            stores,
            clock,
            encodings: Encodings::default(),
            dropper: OnceLock::new(),
        })
    }

    /// Database `index` (callers check the index with [`Keyspace::len`]).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(2, None).unwrap();
    /// assert!(ks.db(1).is_empty());
    /// ```
    pub fn db(&self, index: usize) -> Db<'_> {
        Db {
            store: &self.stores[index],
            ks: self,
        }
    }

    /// How many databases there are.
    ///
    /// ```
    /// assert_eq!(kvs_server::keyspace::Keyspace::new(3, None).unwrap().len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.stores.len()
    }

    /// Always false: there is at least one database.
    ///
    /// ```
    /// assert!(!kvs_server::keyspace::Keyspace::new(1, None).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.stores.is_empty()
    }

    /// Every database's store, in order: for the snapshot code only.
    pub(crate) fn stores(&self) -> &[Store<Value>] {
        &self.stores
    }

    /// The encoding thresholds (`CONFIG SET hash-max-listpack-entries`, ...).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.encodings().hash_max_listpack_entries(), 512);
    /// ```
    pub fn encodings(&self) -> &Encodings {
        &self.encodings
    }

    /// The time now, by the databases' clock.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.now() > std::time::UNIX_EPOCH);
    /// ```
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The time now in Unix milliseconds.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.now_millis() > 1_600_000_000_000);
    /// ```
    pub fn now_millis(&self) -> i64 {
        unix_millis(self.now())
    }

    /// Removes expired keys from every database, returning how many.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.sweep(), 0);
    /// ```
    pub fn sweep(&self) -> usize {
        self.stores
            .iter()
            .map(|s| s.sweep_expired().unwrap_or(0))
            .sum()
    }

    /// Closes every database: later commands find them closed.
    pub(crate) fn close(&self) {
        for s in &self.stores {
            let _ = s.close();
        }
    }

    /// Frees `value`: here if it is small, on the background freeing thread
    /// if it is a big collection (or here, if that thread cannot start).
    pub(crate) fn free(&self, value: Value) {
        if value.elements() <= FREE_ELSEWHERE_OVER {
            return;
        }
        let tx = self.dropper.get_or_init(|| {
            let (tx, rx) = mpsc::channel::<Value>();
            let spawned = std::thread::Builder::new()
                .name("kvs-free".into())
                .spawn(move || rx.into_iter().for_each(drop));
            if spawned.is_err() {
                tracing::warn!("cannot start the freeing thread: big values are freed inline");
            }
            tx
        });
        // A send fails only if the thread never started: the value comes
        // back and is dropped here.
        let _ = tx.send(value);
    }
}

/// A collection type a key can hold, for the typed verbs [`Db::read`] and
/// [`Db::write`].
pub trait Collection: Clone + Default {
    /// The type's name (`TYPE`).
    const KIND: Kind;
    /// The collection in `v`, if `v` is one of this type.
    fn of(v: &Value) -> Option<&Self>;
    /// The collection in `v`, open for change (copied first only if a
    /// snapshot still holds it).
    fn of_mut(v: &mut Value) -> Option<&mut Self>;
    /// A value holding `self`.
    fn into_value(self) -> Value;
    /// Whether it has no elements (an empty collection is no key).
    fn is_empty(&self) -> bool;
}

macro_rules! collection {
    ($ty:ident, $kind:ident, |$c:ident| $open:expr, $wrap:expr) => {
        impl Collection for $ty {
            const KIND: Kind = Kind::$kind;
            fn of(v: &Value) -> Option<&Self> {
                match v {
                    Value::$kind(c) => Some(c),
                    _ => None,
                }
            }
            fn of_mut(v: &mut Value) -> Option<&mut Self> {
                match v {
                    Value::$kind($c) => Some($open),
                    _ => None,
                }
            }
            fn into_value(self) -> Value {
                Value::$kind($wrap(self))
            }
            fn is_empty(&self) -> bool {
                $ty::is_empty(self)
            }
        }
    };
}

collection!(Hash, Hash, |c| c, std::convert::identity);
collection!(List, List, |c| Arc::make_mut(c), Arc::new);
collection!(Set, Set, |c| Arc::make_mut(c), Arc::new);

/// A live string entry, as [`Db::compute_str`] shows it.
#[derive(Debug)]
pub struct StrEntry<'a> {
    value: &'a [u8],
    entry: &'a Entry<'a, Value>,
}

impl StrEntry<'_> {
    /// The string's bytes.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// let db = ks.db(0);
    /// db.set(b"k", kvs::Key::from("v")).unwrap();
    /// let v = db.compute_str(b"k", |e| (kvs::Action::Keep, e.unwrap().value().to_vec())).unwrap();
    /// assert_eq!(v, b"v");
    /// ```
    pub fn value(&self) -> &[u8] {
        self.value
    }

    /// When the key expires, if it has a TTL.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// let db = ks.db(0);
    /// db.set(b"k", kvs::Key::from("v")).unwrap();
    /// let at = db.compute_str(b"k", |e| (kvs::Action::Keep, e.unwrap().expires_at())).unwrap();
    /// assert_eq!(at, None);
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.entry.expires_at()
    }
}

/// One database, and the verbs commands call on it.
///
/// ```
/// use kvs_server::types::Set;
/// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
/// let db = ks.db(0);
/// db.set(b"s", kvs::Key::from("x")).unwrap();
/// // A typed verb on a key of another type: WRONGTYPE.
/// assert!(db.read::<Set, _>(b"s", |s| s.len()).is_err());
/// assert_eq!(db.read::<Set, _>(b"none", |s| s.len()).unwrap(), None);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Db<'a> {
    store: &'a Store<Value>,
    ks: &'a Keyspace,
}

impl<'a> Db<'a> {
    /// The keyspace this database belongs to.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(2, None).unwrap();
    /// assert_eq!(ks.db(1).keyspace().len(), 2);
    /// ```
    pub fn keyspace(&self) -> &'a Keyspace {
        self.ks
    }

    /// The number of keys (expired ones not yet removed included, as
    /// `DBSIZE` counts them).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.db(0).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether the database has no keys.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.db(0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }

    /// How many keys have a TTL.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.db(0).len_with_ttl(), 0);
    /// ```
    pub fn len_with_ttl(&self) -> usize {
        self.store.len_with_ttl()
    }

    /// Whether `key` exists (any type).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(!ks.db(0).exists(b"k"));
    /// ```
    pub fn exists(&self, key: &[u8]) -> bool {
        self.store.exists(key)
    }

    /// The type of the value under `key`, `None` if there is none.
    ///
    /// ```
    /// use kvs_server::value::Kind;
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// ks.db(0).set(b"k", kvs::Key::from("v")).unwrap();
    /// assert_eq!(ks.db(0).kind(b"k"), Some(Kind::String));
    /// ```
    pub fn kind(&self, key: &[u8]) -> Option<Kind> {
        self.view(key, |e| e.map(|e| e.value().kind()))
    }

    /// `f` on the live entry for `key` (or `None`), under the read lock.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.db(0).view(b"k", |e| e.is_none()));
    /// ```
    pub fn view<R>(&self, key: &[u8], f: impl FnOnce(Option<Entry<'_, Value>>) -> R) -> R {
        let mut f = Some(f);
        match self
            .store
            .view(key, |e| (f.take().expect("called once"))(e))
        {
            Ok(r) => r,
            // Closed (only while stopping): as if the key were absent.
            Err(_) => (f.take().expect("not called"))(None),
        }
    }

    /// The string under `key`: `None` if absent, `WrongType` if it holds
    /// a collection.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// ks.db(0).set(b"k", kvs::Key::from("v")).unwrap();
    /// assert_eq!(&*ks.db(0).get_str(b"k").unwrap().unwrap(), b"v");
    /// ```
    pub fn get_str(&self, key: &[u8]) -> Result<Option<Str>, KsError> {
        self.view(key, |e| match e {
            None => Ok(None),
            Some(e) => e.value().to_str().map(Some).ok_or(KsError::WrongType),
        })
    }

    /// `f` on the string under `key`, borrowed: `None` if absent,
    /// `WrongType` if it holds a collection.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// ks.db(0).set(b"k", kvs::Key::from("abc")).unwrap();
    /// assert_eq!(ks.db(0).read_str(b"k", |s| s.len()).unwrap(), Some(3));
    /// ```
    pub fn read_str<R>(
        &self,
        key: &[u8],
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<Option<R>, KsError> {
        self.view(key, |e| match e {
            None => Ok(None),
            Some(e) => e
                .value()
                .as_bytes()
                .map(|b| Some(f(b)))
                .ok_or(KsError::WrongType),
        })
    }

    /// `f` on the collection of type `T` under `key`, borrowed under the
    /// read lock: `None` if absent, `WrongType` if the key holds another
    /// type.
    ///
    /// ```
    /// use kvs_server::types::Hash;
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.db(0).read::<Hash, _>(b"h", |h| h.len()).unwrap(), None);
    /// ```
    pub fn read<T: Collection, R>(
        &self,
        key: &[u8],
        f: impl FnOnce(&T) -> R,
    ) -> Result<Option<R>, KsError> {
        self.view(key, |e| match e {
            None => Ok(None),
            Some(e) => T::of(e.value())
                .map(|c| Some(f(c)))
                .ok_or(KsError::WrongType),
        })
    }

    /// `f` on the collection of type `T` under `key`, changed in place under
    /// the key's write lock, keeping its TTL. A missing key gets a new empty
    /// collection first if `create` (else `f` is not called and the result
    /// is `None`); a collection `f` leaves empty is removed, and an empty new
    /// one is never stored. `WrongType` if the key holds another type.
    ///
    /// ```
    /// use kvs_server::types::List;
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// let db = ks.db(0);
    /// assert_eq!(db.write::<List, _>(b"l", false, |l| l.len()).unwrap(), None);
    /// assert_eq!(db.write::<List, _>(b"l", true, |l| l.len()).unwrap(), Some(0));
    /// assert!(!db.exists(b"l"));
    /// ```
    pub fn write<T: Collection, R>(
        &self,
        key: &[u8],
        create: bool,
        f: impl FnOnce(&mut T) -> R,
    ) -> Result<Option<R>, KsError> {
        let r = self.store.compute_mut(key, |e| match e {
            Some(mut e) => match T::of_mut(e.value_mut()) {
                Some(c) => {
                    let r = f(c);
                    let action = if c.is_empty() {
                        Action::Remove
                    } else {
                        Action::Keep
                    };
                    (action, Ok(Some(r)))
                }
                None => (Action::Keep, Err(KsError::WrongType)),
            },
            None if create => {
                let mut c = T::default();
                let r = f(&mut c);
                if c.is_empty() {
                    (Action::Keep, Ok(Some(r)))
                } else {
                    (Action::Set(c.into_value(), Expiry::Never), Ok(Some(r)))
                }
            }
            None => (Action::Keep, Ok(None)),
        })?;
        r
    }

    /// Read-modify-write of a string key: `f` sees the live string (or
    /// `None`) and returns what to do with it. `WrongType` (and nothing
    /// done) if the key holds a collection.
    ///
    /// ```
    /// use kvs::{Action, Expiry};
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// let db = ks.db(0);
    /// let n = db.compute_str(b"n", |e| {
    ///     let n = e.map_or(0, |e| e.value().len()) + 1;
    ///     (Action::Set(kvs::Key::from("x"), Expiry::Keep), n)
    /// }).unwrap();
    /// assert_eq!(n, 1);
    /// ```
    pub fn compute_str<R>(
        &self,
        key: &[u8],
        f: impl FnOnce(Option<StrEntry<'_>>) -> (Action<Str>, R),
    ) -> Result<R, KsError> {
        let r = self.store.compute(key, |e| {
            let (action, r) = match &e {
                None => f(None),
                Some(entry) => match entry.value().as_bytes() {
                    Some(value) => f(Some(StrEntry { value, entry })),
                    None => return (Action::Keep, Err(KsError::WrongType)),
                },
            };
            let action = match action {
                Action::Keep => Action::Keep,
                Action::Remove => Action::Remove,
                Action::Set(s, x) => Action::Set(Value::Str(s), x),
                Action::SetExpiry(x) => Action::SetExpiry(x),
            };
            (action, Ok(r))
        })?;
        r
    }

    /// Read-modify-write of a string in place (`APPEND`, `SETRANGE`): `f`
    /// gets the string as a growable buffer (a new empty one for a missing
    /// key) and returns whether the buffer is to be stored, and its result.
    /// When `f` returns `false` it must have left the buffer as it was: the
    /// key then stays as it was (a missing key is not created). The TTL is
    /// kept. `WrongType` if the key holds a collection.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// let db = ks.db(0);
    /// let len = db.update_str(b"s", |buf| { buf.extend_from_slice(b"ab"); (true, buf.len()) }).unwrap();
    /// assert_eq!(len, 2);
    /// let len = db.update_str(b"s", |buf| { buf.extend_from_slice(b"c"); (true, buf.len()) }).unwrap();
    /// assert_eq!(len, 3);
    /// assert_eq!(&*db.get_str(b"s").unwrap().unwrap(), b"abc");
    /// ```
    pub fn update_str<R>(
        &self,
        key: &[u8],
        f: impl FnOnce(&mut Vec<u8>) -> (bool, R),
    ) -> Result<R, KsError> {
        let r = self.store.compute_mut(key, |e| match e {
            Some(mut e) => match e.value_mut() {
                v @ Value::Str(_) => {
                    // The first change in place turns the string into a
                    // growable buffer.
                    let mut buf = v.as_bytes().expect("a string").to_vec();
                    let (keep, r) = f(&mut buf);
                    if keep {
                        *v = Value::Raw(Arc::new(RawStr::grown(buf)));
                    }
                    (Action::Keep, Ok(r))
                }
                Value::Raw(raw) => {
                    let raw = Arc::make_mut(raw);
                    let (keep, r) = f(&mut raw.bytes);
                    if keep {
                        raw.embedded = false;
                    }
                    (Action::Keep, Ok(r))
                }
                _ => (Action::Keep, Err(KsError::WrongType)),
            },
            None => {
                let mut buf = Vec::new();
                let (keep, r) = f(&mut buf);
                if keep {
                    let raw = Arc::new(RawStr::grown(buf));
                    (Action::Set(Value::Raw(raw), Expiry::Never), Ok(r))
                } else {
                    (Action::Keep, Ok(r))
                }
            }
        })?;
        r
    }

    /// Read-modify-write of any value (`SET` replaces a value of any type).
    ///
    /// ```
    /// use kvs::{Action, Expiry};
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// let existed = ks.db(0).compute(b"k", |e| (Action::Set("v".as_bytes().into(), Expiry::Never), e.is_some())).unwrap();
    /// assert!(!existed);
    /// ```
    pub fn compute<R>(
        &self,
        key: &[u8],
        f: impl FnOnce(Option<Entry<'_, Value>>) -> (Action<Value>, R),
    ) -> Result<R, KsError> {
        Ok(self.store.compute(key, f)?)
    }

    /// Stores a string under `key`, replacing any value and TTL.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// ks.db(0).set(b"k", kvs::Key::from("v")).unwrap();
    /// assert!(ks.db(0).exists(b"k"));
    /// ```
    pub fn set(&self, key: &[u8], value: Str) -> Result<(), KsError> {
        let old = self
            .store
            .compute(key, |_| (Action::Set(Value::Str(value), Expiry::Never), ()));
        Ok(old?)
    }

    /// Stores a string with an expiry, replacing any value.
    ///
    /// ```
    /// use std::time::Duration;
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// ks.db(0).set_with_expiry(b"k", kvs::Key::from("v"), kvs::Expiry::In(Duration::from_secs(9))).unwrap();
    /// assert!(ks.db(0).ttl(b"k").unwrap().is_some());
    /// ```
    pub fn set_with_expiry(&self, key: &[u8], value: Str, expiry: Expiry) -> Result<(), KsError> {
        Ok(self
            .store
            .compute(key, |_| (Action::Set(Value::Str(value), expiry), ()))?)
    }

    /// Stores every pair at once (`MSET`): atomic to other clients.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// ks.db(0).set_many(vec![(kvs::Key::from("a"), kvs::Key::from("1"))]).unwrap();
    /// assert_eq!(ks.db(0).len(), 1);
    /// ```
    pub fn set_many<K: AsRef<[u8]> + Into<Str>>(
        &self,
        pairs: Vec<(K, Str)>,
    ) -> Result<(), KsError> {
        self.store
            .batch_set(pairs.into_iter().map(|(k, v)| (k, Value::Str(v))))?;
        Ok(())
    }

    /// Stores every pair only if none of the keys exists (`MSETNX`).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.db(0).set_many_nx(vec![(kvs::Key::from("a"), kvs::Key::from("1"))]).unwrap());
    /// ```
    pub fn set_many_nx<K: AsRef<[u8]> + Into<Str>>(
        &self,
        pairs: Vec<(K, Str)>,
    ) -> Result<bool, KsError> {
        Ok(self
            .store
            .batch_set_nx(pairs.into_iter().map(|(k, v)| (k, Value::Str(v))))?)
    }

    /// The strings under `keys` at one instant (`MGET`): `None` for a
    /// missing key or one holding a collection.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// ks.db(0).set(b"a", kvs::Key::from("1")).unwrap();
    /// let got = ks.db(0).get_many_str(&[&b"a"[..], b"b"]).unwrap();
    /// assert_eq!(got.len(), 2);
    /// assert!(got[1].is_none());
    /// ```
    pub fn get_many_str<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<Vec<Option<Str>>, KsError> {
        let r = self.store.batch_get(keys)?;
        Ok(r.into_values()
            .into_iter()
            .map(|v| v.and_then(|v| v.to_str()))
            .collect())
    }

    /// Removes `key`; whether it existed.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(!ks.db(0).delete(b"k"));
    /// ```
    pub fn delete(&self, key: &[u8]) -> bool {
        match self.store.delete(key) {
            Ok(v) => {
                self.ks.free(v);
                true
            }
            Err(_) => false,
        }
    }

    /// Removes `key` and returns its value (`GETDEL`, `MOVE`).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.db(0).take(b"k").is_none());
    /// ```
    pub fn take(&self, key: &[u8]) -> Option<Value> {
        self.store.delete(key).ok()
    }

    /// Removes `keys` in one atomic step; how many existed. Big values are
    /// freed off the request path.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// ks.db(0).set(b"a", kvs::Key::from("1")).unwrap();
    /// assert_eq!(ks.db(0).delete_many(&[&b"a"[..], b"b"]).unwrap(), 1);
    /// ```
    pub fn delete_many<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<usize, KsError> {
        if let [key] = keys {
            return Ok(usize::from(self.delete(key.as_ref())));
        }
        let mut n = 0;
        for v in self.store.batch_take(keys)?.into_iter().flatten() {
            n += 1;
            self.ks.free(v);
        }
        Ok(n)
    }

    /// The value and deadline of a live key, read together (`COPY`, `MOVE`).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.db(0).value_with_expiry(b"k").is_none());
    /// ```
    pub fn value_with_expiry(&self, key: &[u8]) -> Option<(Value, Option<SystemTime>)> {
        self.view(key, |e| e.map(|e| (e.value().clone(), e.expires_at())))
    }

    /// The TTL of a live key: `None` if absent, `Some(None)` if it has no
    /// TTL.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.db(0).ttl(b"k"), None);
    /// ```
    pub fn ttl(&self, key: &[u8]) -> Option<Option<Duration>> {
        self.view(key, |e| e.map(|e| e.ttl()))
    }

    /// The deadline of a live key: `None` if absent, `Some(None)` if it has
    /// no TTL.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.db(0).expires_at(b"k"), None);
    /// ```
    pub fn expires_at(&self, key: &[u8]) -> Option<Option<SystemTime>> {
        self.view(key, |e| e.map(|e| e.expires_at()))
    }

    /// Removes the TTL of `key`: `Some(true)` if it had one, `None` if the
    /// key is absent.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.db(0).persist(b"k").unwrap(), None);
    /// ```
    pub fn persist(&self, key: &[u8]) -> Result<Option<bool>, KsError> {
        self.compute(key, |e| match e {
            Some(e) => (
                Action::SetExpiry(Expiry::Never),
                Some(e.expires_at().is_some()),
            ),
            None => (Action::Keep, None),
        })
    }

    /// Moves `from`'s value and TTL to `to`, replacing `to`, atomically
    /// (`RENAME`); `false` if `from` is absent.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(!ks.db(0).rename(b"a", b"b").unwrap());
    /// ```
    pub fn rename(&self, from: &[u8], to: &[u8]) -> Result<bool, KsError> {
        match self.store.rename(from, to) {
            Ok(()) => Ok(true),
            Err(kvs::Error::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// [`Db::rename`] only if `to` does not exist (`RENAMENX`): `None` if
    /// `from` is absent, `Some(false)` if `to` exists.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.db(0).rename_nx(b"a", b"b").unwrap(), None);
    /// ```
    pub fn rename_nx(&self, from: &[u8], to: &[u8]) -> Result<Option<bool>, KsError> {
        match self.store.rename_nx(from, to) {
            Ok(done) => Ok(Some(done)),
            Err(kvs::Error::NotFound) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every key (`KEYS`).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.db(0).keys().unwrap().is_empty());
    /// ```
    pub fn keys(&self) -> Result<Vec<Str>, KsError> {
        Ok(self.store.keys()?)
    }

    /// The keys of one shard (`SCAN`'s unit of work).
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.db(0).shard_keys(0).unwrap().is_empty());
    /// ```
    pub fn shard_keys(&self, shard: usize) -> Result<Vec<Str>, KsError> {
        Ok(self.store.shard_keys(shard)?)
    }

    /// How many shards `SCAN` walks.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert!(ks.db(0).num_shards() > 0);
    /// ```
    pub fn num_shards(&self) -> usize {
        self.store.num_shards()
    }

    /// Removes every key; how many there were.
    ///
    /// ```
    /// let ks = kvs_server::keyspace::Keyspace::new(1, None).unwrap();
    /// assert_eq!(ks.db(0).clear().unwrap(), 0);
    /// ```
    pub fn clear(&self) -> Result<usize, KsError> {
        let n = self.store.len();
        self.store.clear()?;
        Ok(n)
    }
}

/// Milliseconds since the Unix epoch (negative before it).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// assert_eq!(kvs_server::keyspace::unix_millis(UNIX_EPOCH + Duration::from_millis(5)), 5);
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
/// assert_eq!(kvs_server::keyspace::from_unix_millis(5), Some(UNIX_EPOCH + Duration::from_millis(5)));
/// assert_eq!(kvs_server::keyspace::from_unix_millis(-1), None);
/// ```
pub fn from_unix_millis(ms: i64) -> Option<SystemTime> {
    u64::try_from(ms)
        .ok()
        .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where the collection under `key` lives in memory.
    fn address(db: &Db<'_>, key: &[u8]) -> usize {
        db.view(key, |e| match e.map(|e| e.value()) {
            Some(Value::Set(s)) => Arc::as_ptr(s) as usize,
            _ => 0,
        })
    }

    #[test]
    fn writes_change_a_collection_in_place_without_copying_it() {
        let ks = Keyspace::new(1, None).unwrap();
        let db = ks.db(0);
        let enc = ks.encodings();
        db.write::<Set, _>(b"s", true, |s| {
            for i in 0..10_000 {
                s.insert(format!("m{i}").as_bytes(), enc);
            }
        })
        .unwrap();
        let before = address(&db, b"s");
        assert_ne!(before, 0);
        for i in 0..100 {
            let added = db
                .write::<Set, _>(b"s", true, |s| s.insert(format!("n{i}").as_bytes(), enc))
                .unwrap();
            assert_eq!(added, Some(true));
        }
        // The same allocation: no write copied the set.
        assert_eq!(address(&db, b"s"), before);
        assert_eq!(db.read::<Set, _>(b"s", |s| s.len()).unwrap(), Some(10_100));
    }

    #[test]
    fn a_collection_left_empty_is_removed_and_an_empty_one_never_stored() {
        let ks = Keyspace::new(1, None).unwrap();
        let db = ks.db(0);
        let enc = ks.encodings();
        db.write::<Set, _>(b"s", true, |s| s.insert(b"a", enc))
            .unwrap();
        assert_eq!(db.kind(b"s"), Some(Kind::Set));
        db.write::<Set, _>(b"s", true, |s| s.remove(b"a")).unwrap();
        assert!(!db.exists(b"s"));
        assert_eq!(
            db.write::<Set, _>(b"t", true, |s| s.len()).unwrap(),
            Some(0)
        );
        assert!(!db.exists(b"t"));
        assert!(db.write::<Hash, _>(b"u", false, |_| ()).unwrap().is_none());
    }

    #[test]
    fn typed_verbs_refuse_other_types_and_change_nothing() {
        let ks = Keyspace::new(1, None).unwrap();
        let db = ks.db(0);
        db.set(b"k", Str::from("v")).unwrap();
        assert!(matches!(
            db.write::<List, _>(b"k", true, |_| ()),
            Err(KsError::WrongType)
        ));
        assert!(matches!(db.update_str(b"k", |b| (true, b.len())), Ok(1)));
        db.write::<Set, _>(b"s", true, |s| s.insert(b"a", ks.encodings()))
            .unwrap();
        assert!(matches!(db.get_str(b"s"), Err(KsError::WrongType)));
        assert!(matches!(
            db.compute_str(b"s", |_| (Action::Remove, ())),
            Err(KsError::WrongType)
        ));
        assert!(db.exists(b"s"));
        assert!(matches!(
            db.update_str(b"s", |b| (true, b.push(1))),
            Err(KsError::WrongType)
        ));
    }
}
