//! What a key holds: one [`Value`] enum over every Redis type the server
//! speaks, and [`Kind`], the name `TYPE` reports.
//!
//! A string is the library's compact byte string, [`Str`] (`kvs::Key`): up
//! to 22 bytes inline, longer ones in one shared allocation, so a `GET`
//! clones a pointer, never the bytes. A string that `APPEND` or `SETRANGE`
//! grows becomes [`Value::Raw`], a growable buffer changed in place, so a
//! run of appends costs what the appended bytes cost (Redis's "raw"
//! encoding does the same).
//!
//! Lists and sets sit behind an `Arc`: cloning a value (a snapshot keeping
//! a key's state at its instant, a batch read) is a reference count, and a
//! command changes a collection in place through [`Arc::make_mut`], which
//! copies only if a snapshot still holds the old version. A hash is held
//! inline, because most hashes are small (a listpack of at most
//! `hash-max-listpack-*`, cloned whole, which costs less than the
//! allocation an `Arc` adds to every one of them); a big hash shares its
//! table through an `Arc` inside [`Hash`](struct@Hash).
//!
//! The enum is 24 bytes, the size of the string alone: the collection
//! variants fit in the string's unused tag values.

use std::sync::Arc;

use crate::types::{Hash, List, Set};

/// A string value as stored (see the module docs).
pub type Str = kvs::Key;

/// One stored value.
///
/// ```
/// use kvs_server::value::{Kind, Value};
/// let v = Value::Str(kvs::Key::from("abc"));
/// assert_eq!(v.kind(), Kind::String);
/// assert_eq!(std::mem::size_of::<Value>(), 24);
/// ```
#[derive(Debug, Clone)]
pub enum Value {
    /// A string, immutable (replaced whole when written).
    Str(Str),
    /// A string grown in place by `APPEND`/`SETRANGE`, or one Redis would
    /// not store as an integer (an `INCRBYFLOAT` result).
    Raw(Arc<RawStr>),
    /// A hash (held inline: see [`Hash`](struct@Hash) for how it shares a
    /// big table).
    Hash(Hash),
    /// A list.
    List(Arc<List>),
    /// A set.
    Set(Arc<Set>),
}

/// A string held as a growable buffer ([`Value::Raw`]).
///
/// ```
/// use kvs_server::value::{RawStr, Value};
/// let v = Value::Raw(std::sync::Arc::new(RawStr::grown(b"12".to_vec())));
/// assert_eq!(v.encoding(), "raw");
/// let v = Value::Raw(std::sync::Arc::new(RawStr::embedded(b"12".to_vec())));
/// assert_eq!(v.encoding(), "embstr");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RawStr {
    /// The string's bytes.
    pub bytes: Vec<u8>,
    /// Written whole by a command that gives Redis's `embstr` encoding
    /// even to an integer (`INCRBYFLOAT`); false once changed in place.
    pub embedded: bool,
}

impl RawStr {
    /// A string changed in place (`raw` encoding).
    ///
    /// ```
    /// assert!(!kvs_server::value::RawStr::grown(vec![1]).embedded);
    /// ```
    pub fn grown(bytes: Vec<u8>) -> RawStr {
        RawStr {
            bytes,
            embedded: false,
        }
    }

    /// A string written whole that Redis would not store as an integer
    /// (`embstr` up to 44 bytes).
    ///
    /// ```
    /// assert!(kvs_server::value::RawStr::embedded(vec![1]).embedded);
    /// ```
    pub fn embedded(bytes: Vec<u8>) -> RawStr {
        RawStr {
            bytes,
            embedded: true,
        }
    }
}

/// The type of a value, as `TYPE` and `SCAN ... TYPE` name it.
///
/// ```
/// use kvs_server::value::Kind;
/// assert_eq!(Kind::Hash.name(), "hash");
/// assert_eq!(Kind::from_name(b"LIST"), Some(Kind::List));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `string`.
    String,
    /// `hash`.
    Hash,
    /// `list`.
    List,
    /// `set`.
    Set,
}

impl Kind {
    /// The name Redis gives the type.
    ///
    /// ```
    /// assert_eq!(kvs_server::value::Kind::String.name(), "string");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Hash => "hash",
            Kind::List => "list",
            Kind::Set => "set",
        }
    }

    /// The type a name means, ignoring case (`SCAN ... TYPE`).
    ///
    /// ```
    /// assert_eq!(kvs_server::value::Kind::from_name(b"zset"), None);
    /// ```
    pub fn from_name(name: &[u8]) -> Option<Kind> {
        [Kind::String, Kind::Hash, Kind::List, Kind::Set]
            .into_iter()
            .find(|k| name.eq_ignore_ascii_case(k.name().as_bytes()))
    }
}

impl Value {
    /// The value's type.
    ///
    /// ```
    /// use kvs_server::value::{Kind, Value};
    /// assert_eq!(Value::Raw(Default::default()).kind(), Kind::String);
    /// ```
    pub fn kind(&self) -> Kind {
        match self {
            Value::Str(_) | Value::Raw(_) => Kind::String,
            Value::Hash(_) => Kind::Hash,
            Value::List(_) => Kind::List,
            Value::Set(_) => Kind::Set,
        }
    }

    /// The bytes of a string value; `None` for a collection.
    ///
    /// ```
    /// use kvs_server::value::Value;
    /// assert_eq!(Value::Str("ab".into()).as_bytes(), Some(&b"ab"[..]));
    /// ```
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s),
            Value::Raw(v) => Some(&v.bytes),
            _ => None,
        }
    }

    /// A string value as a [`Str`] (a pointer copy for [`Value::Str`], a
    /// byte copy for [`Value::Raw`]); `None` for a collection.
    ///
    /// ```
    /// use kvs_server::value::Value;
    /// assert_eq!(&*Value::Str("ab".into()).to_str().unwrap(), b"ab");
    /// ```
    pub fn to_str(&self) -> Option<Str> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Raw(v) => Some(Str::from(&v.bytes[..])),
            _ => None,
        }
    }

    /// The encoding `OBJECT ENCODING` reports: what Redis 7.0 would use
    /// for the same value at the same thresholds.
    ///
    /// ```
    /// use kvs_server::value::Value;
    /// assert_eq!(Value::Str("123".into()).encoding(), "int");
    /// assert_eq!(Value::Str("abc".into()).encoding(), "embstr");
    /// assert_eq!(Value::Str([b'x'; 45][..].into()).encoding(), "raw");
    /// assert_eq!(Value::Raw(Default::default()).encoding(), "raw");
    /// ```
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) if is_int_encodable(s) => "int",
            // Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
            Value::Str(s) if s.len() <= 44 => "embstr",
            Value::Raw(r) if r.embedded && r.bytes.len() <= 44 => "embstr",
            Value::Str(_) | Value::Raw(_) => "raw",
            Value::Hash(h) => h.encoding(),
            // Redis 7.0 keeps every list in a quicklist.
            Value::List(_) => "quicklist",
            Value::Set(s) => s.encoding(),
        }
    }

    /// How many elements a collection has (1 for a string): what decides
    /// whether freeing the value is worth doing off the request path.
    ///
    /// ```
    /// use kvs_server::value::Value;
    /// assert_eq!(Value::Str("ab".into()).elements(), 1);
    /// ```
    pub fn elements(&self) -> usize {
        match self {
            Value::Str(_) | Value::Raw(_) => 1,
            Value::Hash(h) => h.len(),
            Value::List(l) => l.len(),
            Value::Set(s) => s.len(),
        }
    }
}

/// Whether Redis would store `s` as an integer (`int` encoding): at most
/// 20 bytes that `string2ll` reads as an `i64` and prints back the same.
///
/// ```
/// use kvs_server::value::is_int_encodable;
/// assert!(is_int_encodable(b"-12"));
/// assert!(!is_int_encodable(b"012"));
/// assert!(!is_int_encodable(b"12345678901234567890"));
/// ```
pub fn is_int_encodable(s: &[u8]) -> bool {
    s.len() <= 20 && crate::parse::parse_i64(s).is_some()
}

impl From<Str> for Value {
    fn from(s: Str) -> Self {
        Value::Str(s)
    }
}

impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Self {
        Value::Str(Str::from(b))
    }
}

// `Serialize` and `Deserialize` for `Value` (the snapshot encoding, value
// version 1) are in `encoding.rs`.
