//! The two key types every workload runs with, and how each map sees them.
//!
//! Key number `i` of a key space is `mix(i)`: a bijective scramble, so that
//! neighbouring ranks (the hot ones under Zipf) land in unrelated shards and
//! buckets. kvs keys are byte strings, so a `u64` key reaches kvs as its 8
//! little-endian bytes; the other maps take the `u64` itself. A 16-byte
//! string key is the 16 lowercase hex digits of `mix(i)`; the other maps own
//! it as a `String` (what a user would write) and look it up as `&str`.

use std::fmt::Debug;
use std::hash::Hash;

/// A key as stored in a pre-generated operation: `Copy`, no heap.
pub trait BenchKey: Copy + Send + Sync + Debug + 'static {
    /// How the peer maps own the key.
    type Owned: Hash + Eq + Clone + Send + Sync + Debug + std::borrow::Borrow<Self::Ref> + 'static;
    /// How the peer maps look the key up without allocating.
    type Ref: ?Sized + Hash + Eq + ToOwned<Owned = Self::Owned> + Debug;
    /// The bytes kvs sees.
    type Bytes: AsRef<[u8]> + Copy + Send + Sync + 'static;
    /// The name used in the CSV `keys` column.
    const NAME: &'static str;

    /// Key number `i` of the key space.
    fn nth(i: u64) -> Self;
    /// The key as the peer maps borrow it.
    fn as_ref_key(&self) -> &Self::Ref;
    /// The key as the peer maps own it (allocates for strings, as it would
    /// for a user).
    fn to_owned_key(&self) -> Self::Owned {
        self.as_ref_key().to_owned()
    }
    /// The key as kvs sees it.
    fn bytes(&self) -> Self::Bytes;
}

/// SplitMix64's finaliser: a bijection on `u64`, so distinct ranks give
/// distinct keys.
pub fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl BenchKey for u64 {
    type Owned = u64;
    type Ref = u64;
    type Bytes = [u8; 8];
    const NAME: &'static str = "u64";

    fn nth(i: u64) -> Self {
        mix(i)
    }
    fn as_ref_key(&self) -> &u64 {
        self
    }
    fn to_owned_key(&self) -> u64 {
        *self
    }
    fn bytes(&self) -> [u8; 8] {
        self.to_le_bytes()
    }
}

/// A 16-byte ASCII string key held inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Str16([u8; 16]);

impl Str16 {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        debug_assert!(self.0.iter().all(u8::is_ascii_hexdigit));
        // SAFETY: the only constructor (`BenchKey::nth`) writes lowercase hex
        // digits, which are ASCII and so valid UTF-8. The checked conversion
        // would add a validation pass to every peer lookup but not to kvs's.
        unsafe { std::str::from_utf8_unchecked(&self.0) }
    }
}

impl AsRef<[u8]> for Str16 {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Str16 {
    /// The key's 16 bytes, borrowed (kvs batches take them as is).
    pub fn as_array(&self) -> &[u8; 16] {
        &self.0
    }
}

impl Debug for Str16 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl BenchKey for Str16 {
    type Owned = String;
    type Ref = str;
    type Bytes = [u8; 16];
    const NAME: &'static str = "str16";

    fn nth(i: u64) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let v = mix(i);
        let mut out = [0u8; 16];
        for (n, b) in out.iter_mut().enumerate() {
            *b = HEX[((v >> (60 - 4 * n)) & 0xf) as usize];
        }
        Str16(out)
    }
    fn as_ref_key(&self) -> &str {
        self.as_str()
    }
    fn bytes(&self) -> [u8; 16] {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn keys_are_distinct_and_well_formed() {
        let n = 10_000;
        let a: HashSet<u64> = (0..n).map(u64::nth).collect();
        let b: HashSet<String> = (0..n).map(|i| Str16::nth(i).to_owned_key()).collect();
        assert_eq!(a.len(), n as usize);
        assert_eq!(b.len(), n as usize);
        let k = Str16::nth(7);
        assert_eq!(k.as_str(), format!("{:016x}", mix(7)));
        assert_eq!(k.bytes().as_slice(), k.as_str().as_bytes());
        assert_eq!(7u64.bytes(), 7u64.to_le_bytes());
    }
}
