//! The stored value: a byte string.
//!
//! Values use the library's compact byte string, [`kvs::Key`]: up to 22 bytes
//! inline (no allocation at all for the common small value), longer ones in
//! one shared allocation, so a `GET` clones a pointer, never the bytes.
//! `bytes::Bytes` would do too, but it is 32 bytes plus a heap block even
//! for a 3-byte value, and most of what a small pair costs is the table slot.
//! It serializes as a serde byte string, exactly as `Bytes` does.

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
pub type Value = kvs::Key;
