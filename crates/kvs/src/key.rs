//! Owned keys: byte strings, built from any common string or byte type.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use bytes::Bytes;

/// An owned key: an immutable byte string.
///
/// Every common owner of bytes converts into a `Key` (`String`, `&str`,
/// `Vec<u8>`, `&[u8]`, byte arrays, [`bytes::Bytes`]), so `set` accepts them
/// all. Lookups never need a `Key`: they take any `AsRef<[u8]>` by reference
/// and do not allocate.
///
/// A key of up to [`Key::INLINE`] bytes is stored inside the `Key` itself (24
/// bytes in all), so the common short key costs no allocation and a lookup
/// compares it without chasing a pointer; longer keys live in one shared heap
/// allocation, so cloning a `Key` never copies its bytes. That also makes
/// `Key` a compact value type for byte-string values (the server stores its
/// values as `Key`s); it serializes as a serde byte string, like
/// `bytes::Bytes`.
///
/// ```
/// use kvs::Key;
///
/// let k = Key::from("user:1");
/// assert_eq!(k.as_bytes(), b"user:1");
/// assert_eq!(k.as_str(), Some("user:1"));
/// assert_eq!(Key::from(vec![0xff]).as_str(), None);
/// assert_eq!(std::mem::size_of::<Key>(), 24);
/// ```
#[derive(Clone)]
pub struct Key(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, buf: [u8; Key::INLINE] },
    Heap(Arc<[u8]>),
}

impl Key {
    /// The longest key kept inline, without a heap allocation.
    ///
    /// ```
    /// assert_eq!(kvs::Key::INLINE, 22);
    /// ```
    pub const INLINE: usize = 22;

    /// The key's bytes.
    ///
    /// ```
    /// assert_eq!(kvs::Key::from("a").as_bytes(), b"a");
    /// ```
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, buf } => &buf[..usize::from(*len)],
            Repr::Heap(b) => b,
        }
    }

    /// The key as UTF-8, if it is valid UTF-8.
    ///
    /// ```
    /// assert_eq!(kvs::Key::from("a").as_str(), Some("a"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }

    /// The key's bytes as a boxed slice (a copy).
    ///
    /// ```
    /// let bytes: Box<[u8]> = kvs::Key::from("a").into_boxed_bytes();
    /// assert_eq!(&*bytes, b"a");
    /// ```
    pub fn into_boxed_bytes(self) -> Box<[u8]> {
        self.as_bytes().into()
    }

    /// Copies `b`, inline if it is short enough.
    fn copy(b: &[u8]) -> Self {
        if b.len() <= Self::INLINE {
            let mut buf = [0; Self::INLINE];
            buf[..b.len()].copy_from_slice(b);
            Key(Repr::Inline {
                len: b.len() as u8,
                buf,
            })
        } else {
            Key(Repr::Heap(Arc::from(b)))
        }
    }
}

impl Deref for Key {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Key {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // The same as hashing the `[u8]`, as `Borrow<[u8]>` requires.
        self.as_bytes().hash(state);
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => write!(f, "{s:?}"),
            None => write!(f, "b\"{}\"", self.as_bytes().escape_ascii()),
        }
    }
}

impl From<&[u8]> for Key {
    fn from(b: &[u8]) -> Self {
        Key::copy(b)
    }
}
impl<const N: usize> From<&[u8; N]> for Key {
    fn from(b: &[u8; N]) -> Self {
        Key::copy(b)
    }
}
impl From<Vec<u8>> for Key {
    fn from(b: Vec<u8>) -> Self {
        Key::copy(&b)
    }
}
impl From<Box<[u8]>> for Key {
    fn from(b: Box<[u8]>) -> Self {
        Key::copy(&b)
    }
}
impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Key::copy(s.as_bytes())
    }
}
impl From<&String> for Key {
    fn from(s: &String) -> Self {
        Key::copy(s.as_bytes())
    }
}
impl From<String> for Key {
    fn from(s: String) -> Self {
        Key::copy(s.as_bytes())
    }
}
impl From<Bytes> for Key {
    fn from(b: Bytes) -> Self {
        Key::copy(&b)
    }
}
impl From<&Bytes> for Key {
    fn from(b: &Bytes) -> Self {
        Key::copy(b)
    }
}
impl From<&Key> for Key {
    fn from(k: &Key) -> Self {
        k.clone()
    }
}
impl From<Key> for Bytes {
    fn from(k: Key) -> Self {
        Bytes::copy_from_slice(k.as_bytes())
    }
}
impl From<Key> for Vec<u8> {
    fn from(k: Key) -> Self {
        k.into_boxed_bytes().into_vec()
    }
}

/// A serde byte string, as `bytes::Bytes` serializes, so stored keys and
/// `Key` values read back the same whichever of the two wrote them.
impl serde::Serialize for Key {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(self.as_bytes())
    }
}

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Key, E> {
                Ok(Key::copy(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key::copy(v.as_bytes()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Key, A::Error> {
                // The hint comes from the input: never trust it for more
                // than a small reservation.
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(Key::copy(&out))
            }
        }
        d.deserialize_byte_buf(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_keep_the_bytes() {
        let expect: &[u8] = b"k1";
        assert_eq!(&*Key::from("k1"), expect);
        assert_eq!(&*Key::from(String::from("k1")), expect);
        assert_eq!(&*Key::from(b"k1".to_vec()), expect);
        assert_eq!(&*Key::from(b"k1"), expect);
        assert_eq!(&*Key::from(Bytes::from_static(b"k1")), expect);
        assert_eq!(Bytes::from(Key::from("k1")), Bytes::from_static(b"k1"));
    }

    #[test]
    fn short_keys_are_inline_and_long_keys_on_the_heap_compare_alike() {
        let short = Key::from(&[7u8; Key::INLINE][..]);
        let long = Key::from(&[7u8; Key::INLINE + 1][..]);
        assert!(matches!(short.0, Repr::Inline { .. }));
        assert!(matches!(long.0, Repr::Heap(_)));
        assert_eq!(short.len(), Key::INLINE);
        assert_eq!(long.len(), Key::INLINE + 1);
        assert!(short < long);
        assert_eq!(Key::from(vec![7u8; 30]), Key::from(&[7u8; 30][..]));
        assert_eq!(Key::from(String::new()).as_bytes(), b"");
        assert_eq!(&*long.clone().into_boxed_bytes(), &[7u8; 23][..]);
    }

    #[test]
    fn serializes_exactly_as_bytes_does() {
        for len in [0usize, 5, 22, 23, 300] {
            let data: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let as_key = postcard::to_allocvec(&Key::from(&data[..])).unwrap();
            let as_bytes = postcard::to_allocvec(&Bytes::from(data.clone())).unwrap();
            assert_eq!(as_key, as_bytes);
            let back: Key = postcard::from_bytes(&as_bytes).unwrap();
            assert_eq!(back.as_bytes(), &data[..]);
        }
    }

    #[test]
    fn debug_shows_text_or_escaped_bytes() {
        assert_eq!(format!("{:?}", Key::from("a")), "\"a\"");
        assert_eq!(
            format!("{:?}", Key::from(vec![0u8, 0xff])),
            "b\"\\x00\\xff\""
        );
    }
}
