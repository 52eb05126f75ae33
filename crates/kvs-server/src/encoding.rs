//! How `kvs serve` encodes its values in snapshot files: value version
//! [`VALUE_VERSION`] (the library's `Builder::value_version`), specified
//! byte by byte in `docs/snapshot-format.md` ("How kvs serve encodes its
//! values").
//!
//! Each value is the postcard encoding of a type tag (a varint) followed by
//! the payload:
//!
//! | tag | type | payload |
//! |---|---|---|
//! | 0 | string | a byte string (varint length, bytes) |
//! | 1 | hash | varint count, then count x (field, value), each a byte string |
//! | 2 | list | varint count, then count elements, head first, each a byte string |
//! | 3 | set | varint count, then count members, each a byte string |
//!
//! Tags from 4 on are reserved (sorted sets, streams, ...). The impls are
//! written by hand rather than derived so that the bytes are exactly these.
//!
//! Saving writes a collection straight from its own iterator: nothing is
//! copied beyond what the snapshot already holds (an `Arc`). Loading reads
//! the elements (borrowed from the record's bytes where the deserializer
//! allows) and builds each collection with `Hash::from_pairs`,
//! `List::from_elements` and `Set::from_members` at the default
//! [`Encodings`], so a collection comes out with the encoding Redis would
//! load it with. A count is never trusted for an allocation: at most
//! [`PREALLOCATE_MAX`] elements are reserved up front, and the rest grows as
//! elements actually decode (each takes at least one byte of the record).
//!
//! Files of value version 0 (written before collections were persisted,
//! when every value was a string stored as a postcard byte string) load
//! through [`migrate`] as strings.

use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};

use crate::types::{Encodings, Hash, List, Set};
use crate::value::{Str, Value};

/// The value version of this encoding, written into every snapshot the
/// server saves (version 0: strings only, as postcard byte strings).
///
/// ```
/// assert_eq!(kvs_server::encoding::VALUE_VERSION, 1);
/// ```
pub const VALUE_VERSION: u32 = 1;

/// Type tag of a string.
pub const TAG_STRING: u32 = 0;
/// Type tag of a hash.
pub const TAG_HASH: u32 = 1;
/// Type tag of a list.
pub const TAG_LIST: u32 = 2;
/// Type tag of a set.
pub const TAG_SET: u32 = 3;

/// The most elements a decoder reserves room for before they arrive.
pub const PREALLOCATE_MAX: usize = 4096;

/// Converts a value written at another value version into a [`Value`]:
/// version 0 (postcard byte strings) becomes a string. What
/// `kvs::snapshot::load_all_migrating` calls for such files.
///
/// ```
/// use kvs_server::encoding::migrate;
/// let v = migrate(0, &[2, b'h', b'i']).unwrap();
/// assert_eq!(v.as_bytes(), Some(&b"hi"[..]));
/// assert!(migrate(7, &[0]).is_err());
/// ```
pub fn migrate(found: u32, bytes: &[u8]) -> Result<Value, String> {
    match found {
        0 => kvs::snapshot::decode::<Str>(bytes).map(Value::Str),
        v => Err(format!(
            "kvs serve reads value versions 0 and {VALUE_VERSION}, not {v} (written by a newer \
             version?)"
        )),
    }
}

/// Loads the snapshot at `path` into the server's databases, converting an
/// older value version with [`migrate`].
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("dump.kvs");
/// let db: kvs::Store<kvs_server::value::Value> =
///     kvs::Store::builder().value_version(kvs_server::encoding::VALUE_VERSION).build()?;
/// db.set("k", kvs_server::value::Value::from(&b"v"[..]))?;
/// kvs::snapshot::save_all(&path, &[&db])?;
/// db.clear()?;
/// kvs_server::encoding::load(&path, &[&db])?;
/// assert_eq!(db.get("k")?.as_bytes(), Some(&b"v"[..]));
/// # Ok::<(), kvs::Error>(())
/// ```
pub fn load(path: &Path, stores: &[&kvs::Store<Value>]) -> kvs::Result<()> {
    kvs::snapshot::load_all_migrating(path, stores, migrate)
}

/// A byte slice serialized as a byte string.
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

/// A hash's fields and values, as a sequence of pairs.
struct HashBody<'a>(&'a Hash);

impl Serialize for HashBody<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for (f, v) in self.0.iter() {
            seq.serialize_element(&(Bytes(f), Bytes(v)))?;
        }
        seq.end()
    }
}

/// A list's elements, head first.
struct ListBody<'a>(&'a List);

impl Serialize for ListBody<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for e in self.0.iter() {
            seq.serialize_element(&Bytes(e))?;
        }
        seq.end()
    }
}

/// A set's members.
struct SetBody<'a>(&'a Set);

impl Serialize for SetBody<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for m in self.0.iter() {
            seq.serialize_element(&Bytes(m.as_bytes()))?;
        }
        seq.end()
    }
}

/// Value version 1: a type tag, then the payload (see the module docs).
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        match self {
            Value::Str(v) => {
                t.serialize_element(&TAG_STRING)?;
                t.serialize_element(&Bytes(v))?;
            }
            Value::Raw(v) => {
                t.serialize_element(&TAG_STRING)?;
                t.serialize_element(&Bytes(&v.bytes))?;
            }
            Value::Hash(h) => {
                t.serialize_element(&TAG_HASH)?;
                t.serialize_element(&HashBody(h))?;
            }
            Value::List(l) => {
                t.serialize_element(&TAG_LIST)?;
                t.serialize_element(&ListBody(l))?;
            }
            Value::Set(m) => {
                t.serialize_element(&TAG_SET)?;
                t.serialize_element(&SetBody(m))?;
            }
        }
        t.end()
    }
}

/// A byte string, borrowed from the input where the deserializer can.
struct BytesIn<'de>(Cow<'de, [u8]>);

impl AsRef<[u8]> for BytesIn<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl<'de> Deserialize<'de> for BytesIn<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BytesIn<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<Self::Value, E> {
                Ok(BytesIn(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Self::Value, E> {
                Ok(BytesIn(Cow::Owned(v.to_vec())))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Self::Value, E> {
                Ok(BytesIn(Cow::Owned(v)))
            }
        }
        d.deserialize_bytes(V)
    }
}

/// A counted sequence of `T`, which must not be empty (a key never holds an
/// empty collection). Room is reserved for at most [`PREALLOCATE_MAX`]
/// elements before they arrive, whatever the count says.
struct Elements<T>(Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Elements<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Elements<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-empty sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let hint = seq.size_hint().unwrap_or(0);
                let mut out = Vec::with_capacity(hint.min(PREALLOCATE_MAX));
                while let Some(e) = seq.next_element()? {
                    out.push(e);
                }
                if out.is_empty() {
                    return Err(de::Error::custom(
                        "an empty collection (a key never holds one)",
                    ));
                }
                Ok(Elements(out))
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a type tag and a payload")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let tag: u32 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let missing = || de::Error::invalid_length(1, &ValueVisitor);
        let enc = Encodings::default();
        Ok(match tag {
            TAG_STRING => {
                let b: BytesIn<'de> = seq.next_element()?.ok_or_else(missing)?;
                Value::Str(Str::from(&b.0[..]))
            }
            TAG_HASH => {
                let pairs: Elements<(BytesIn<'de>, BytesIn<'de>)> =
                    seq.next_element()?.ok_or_else(missing)?;
                let h = Hash::from_pairs(pairs.0.iter().map(|(f, v)| (f, v)), &enc);
                Value::Hash(h)
            }
            TAG_LIST => {
                let elements: Elements<BytesIn<'de>> = seq.next_element()?.ok_or_else(missing)?;
                Value::List(Arc::new(List::from_elements(elements.0.iter(), &enc)))
            }
            TAG_SET => {
                let members: Elements<BytesIn<'de>> = seq.next_element()?.ok_or_else(missing)?;
                Value::Set(Arc::new(Set::from_members(members.0.iter(), &enc)))
            }
            t => {
                return Err(de::Error::custom(format!(
                    "unknown type tag {t} (kvs serve's value version {VALUE_VERSION} knows 0 to 3)"
                )))
            }
        })
    }
}

/// Value version 1 (see the module docs); a collection is rebuilt at the
/// default encoding thresholds.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_tuple(2, ValueVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc() -> Encodings {
        Encodings::default()
    }

    fn bytes(v: &Value) -> Vec<u8> {
        kvs::snapshot::encode(v).unwrap()
    }

    fn back(b: &[u8]) -> Result<Value, String> {
        kvs::snapshot::decode(b)
    }

    #[test]
    fn the_bytes_are_as_documented() {
        assert_eq!(bytes(&Value::from(&b"v"[..])), [0, 1, b'v']);
        assert_eq!(
            bytes(&Value::Raw(Arc::new(crate::value::RawStr::grown(
                b"ab".to_vec()
            )))),
            [0, 2, b'a', b'b']
        );
        let h = Hash::from_pairs([("f", "v")], &enc());
        assert_eq!(bytes(&Value::Hash(h)), [1, 1, 1, b'f', 1, b'v']);
        let l = List::from_elements(["a", "bc"], &enc());
        assert_eq!(
            bytes(&Value::List(Arc::new(l))),
            [2, 2, 1, b'a', 2, b'b', b'c']
        );
        let s = Set::from_members(["7"], &enc());
        assert_eq!(bytes(&Value::Set(Arc::new(s))), [3, 1, 1, b'7']);
    }

    #[test]
    fn every_type_round_trips_with_its_encoding() {
        let big_hash =
            Hash::from_pairs((0..600).map(|i| (format!("f{i}"), format!("{i}"))), &enc());
        let values = [
            Value::from(&b"123"[..]),
            Value::from(&[b'x'; 50][..]),
            Value::Hash(Hash::from_pairs([("a", "1"), ("b", "2")], &enc())),
            Value::Hash(big_hash),
            Value::List(Arc::new(List::from_elements(
                (0..1000).map(|i| format!("{i}")),
                &enc(),
            ))),
            Value::Set(Arc::new(Set::from_members(["1", "2", "3"], &enc()))),
            Value::Set(Arc::new(Set::from_members(["a", "2"], &enc()))),
        ];
        for v in values {
            let again = back(&bytes(&v)).unwrap();
            assert_eq!(again.kind(), v.kind());
            assert_eq!(again.encoding(), v.encoding());
            assert_eq!(again.elements(), v.elements());
            // A hashtable's order may differ once rebuilt: compare sorted.
            let sorted = |v: &Value| {
                let mut b: Vec<Vec<u8>> = match v {
                    Value::Hash(h) => h.iter().map(|(f, v)| [f, b"=", v].concat()).collect(),
                    Value::Set(s) => s.iter().map(|m| m.as_bytes().to_vec()).collect(),
                    _ => vec![bytes(v)],
                };
                b.sort();
                b
            };
            assert!(sorted(&again) == sorted(&v), "{}", v.kind().name());
        }
    }

    #[test]
    fn bad_records_are_errors() {
        // (postcard does not pass a custom error's text on.)
        assert!(back(&[9, 0]).is_err(), "unknown tag");
        assert!(back(&[1, 0]).is_err(), "an empty hash");
        assert!(back(&[2, 0]).is_err(), "an empty list");
        assert!(back(&[3, 0]).is_err(), "an empty set");
        assert!(back(&[0]).is_err(), "no payload");
        assert!(back(&[0, 1, b'a', 0]).is_err(), "a byte left over");
        // A count of 2^60 elements with one byte behind it: an error, after
        // reserving room for at most PREALLOCATE_MAX.
        let hostile = [3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 1];
        assert!(back(&hostile).is_err());
    }
}
