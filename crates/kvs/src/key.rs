//! Owned keys: byte strings, built from any common string or byte type.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use bytes::Bytes;

/// An owned key: an immutable byte string.
///
/// Every common owner of bytes converts into a `Key` (`String`, `&str`,
/// `Vec<u8>`, `&[u8]`, byte arrays, [`bytes::Bytes`]), so `set` accepts them
/// all. Lookups never need a `Key`: they take any `AsRef<[u8]>` by reference
/// and do not allocate.
///
/// ```
/// use kvs::Key;
///
/// let k = Key::from("user:1");
/// assert_eq!(k.as_bytes(), b"user:1");
/// assert_eq!(k.as_str(), Some("user:1"));
/// assert_eq!(Key::from(vec![0xff]).as_str(), None);
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(Box<[u8]>);

impl Key {
    /// The key's bytes.
    ///
    /// ```
    /// assert_eq!(kvs::Key::from("a").as_bytes(), b"a");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The key as UTF-8, if it is valid UTF-8.
    ///
    /// ```
    /// assert_eq!(kvs::Key::from("a").as_str(), Some("a"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// Gives up the key's bytes without copying them.
    ///
    /// ```
    /// let bytes: Box<[u8]> = kvs::Key::from("a").into_boxed_bytes();
    /// assert_eq!(&*bytes, b"a");
    /// ```
    pub fn into_boxed_bytes(self) -> Box<[u8]> {
        self.0
    }
}

impl Deref for Key {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Key {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => write!(f, "{s:?}"),
            None => write!(f, "b\"{}\"", self.0.escape_ascii()),
        }
    }
}

impl From<&[u8]> for Key {
    fn from(b: &[u8]) -> Self {
        Key(b.into())
    }
}
impl<const N: usize> From<&[u8; N]> for Key {
    fn from(b: &[u8; N]) -> Self {
        Key(b.as_slice().into())
    }
}
impl From<Vec<u8>> for Key {
    fn from(b: Vec<u8>) -> Self {
        Key(b.into_boxed_slice())
    }
}
impl From<Box<[u8]>> for Key {
    fn from(b: Box<[u8]>) -> Self {
        Key(b)
    }
}
impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Key(s.as_bytes().into())
    }
}
impl From<&String> for Key {
    fn from(s: &String) -> Self {
        Key(s.as_bytes().into())
    }
}
impl From<String> for Key {
    fn from(s: String) -> Self {
        Key(s.into_bytes().into_boxed_slice())
    }
}
impl From<Bytes> for Key {
    fn from(b: Bytes) -> Self {
        Key(Vec::from(b).into_boxed_slice())
    }
}
impl From<&Bytes> for Key {
    fn from(b: &Bytes) -> Self {
        Key(b.as_ref().into())
    }
}
impl From<&Key> for Key {
    fn from(k: &Key) -> Self {
        k.clone()
    }
}
impl From<Key> for Bytes {
    fn from(k: Key) -> Self {
        Bytes::from(k.0)
    }
}
impl From<Key> for Vec<u8> {
    fn from(k: Key) -> Self {
        k.0.into_vec()
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
    fn debug_shows_text_or_escaped_bytes() {
        assert_eq!(format!("{:?}", Key::from("a")), "\"a\"");
        assert_eq!(
            format!("{:?}", Key::from(vec![0u8, 0xff])),
            "b\"\\x00\\xff\""
        );
    }
}
