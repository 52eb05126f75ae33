//! The stored value: a byte string kept inline when short (no allocation at
//! all for values up to 22 bytes, the common case), shared when long.
//!
//! `bytes::Bytes` would do, but it is 32 bytes plus a heap block even for a
//! 3-byte value; this is 24 bytes in all for short values, which is most of
//! the memory a small key-value pair costs in the table.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// A stored string value.
///
/// ```
/// use kvs_server::value::Value;
/// let short = Value::from(&b"abc"[..]);
/// let long = Value::from(&[7u8; 100][..]);
/// assert_eq!(&*short, b"abc");
/// assert_eq!(long.len(), 100);
/// assert_eq!(std::mem::size_of::<Value>(), 24);
/// ```
#[derive(Clone)]
pub struct Value(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; Value::INLINE] },
    Shared(Arc<[u8]>),
}

impl Value {
    /// The longest value kept inline.
    ///
    /// ```
    /// assert_eq!(kvs_server::value::Value::INLINE, 22);
    /// ```
    pub const INLINE: usize = 22;

    /// The value's bytes.
    ///
    /// ```
    /// assert_eq!(kvs_server::value::Value::from(&b"x"[..]).as_bytes(), b"x");
    /// ```
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, buf } => &buf[..usize::from(*len)],
            Repr::Shared(b) => b,
        }
    }
}

impl From<&[u8]> for Value {
    #[inline]
    fn from(b: &[u8]) -> Self {
        if b.len() <= Value::INLINE {
            let mut buf = [0u8; Value::INLINE];
            buf[..b.len()].copy_from_slice(b);
            Value(Repr::Inline {
                len: b.len() as u8,
                buf,
            })
        } else {
            Value(Repr::Shared(Arc::from(b)))
        }
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::from(&b[..])
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::from(s.as_bytes())
    }
}

impl Deref for Value {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Value {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.as_bytes().escape_ascii())
    }
}

/// Serialized as a byte string, exactly as `bytes::Bytes` is, so snapshots
/// read the same either way.
impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.as_bytes())
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Value, E> {
                Ok(Value::from(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
                Ok(Value::from(v.as_bytes()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Value::from(out))
            }
        }
        d.deserialize_byte_buf(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_shared_hold_the_same_bytes() {
        for len in [0, 1, 22, 23, 1000] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let v = Value::from(&data[..]);
            assert_eq!(v.as_bytes(), &data[..]);
            assert_eq!(v.clone(), v);
        }
    }
}
