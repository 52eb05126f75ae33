//! Choosing a key's shard: FNV-1a by default, or a function the user supplies.

use std::fmt;
use std::sync::Arc;

/// FNV-1a, 32-bit, over `bytes`: the default shard hash (as in bay0/kvs).
///
/// ```
/// // Published test vectors (Fowler, Noll, Vo).
/// assert_eq!(kvs::fnv1a_32(b""), 0x811c9dc5);
/// assert_eq!(kvs::fnv1a_32(b"a"), 0xe40c292c);
/// assert_eq!(kvs::fnv1a_32(b"foobar"), 0xbf9cf968);
/// ```
#[inline]
pub fn fnv1a_32(bytes: &[u8]) -> u32 {
    const OFFSET: u32 = 0x811c_9dc5;
    const PRIME: u32 = 0x0100_0193;
    let mut h = OFFSET;
    // Fixed-length chunks let the compiler unroll the loop (one load, xor and
    // multiply per byte); the multiply chain itself is inherently serial.
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        for &b in chunk {
            h ^= u32::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    for &b in chunks.remainder() {
        h ^= u32::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h
}

/// A user-supplied shard function: `(key bytes, number of shards) -> shard`.
///
/// It must be deterministic and return an index below the number of shards;
/// an index out of range makes that one operation fail with
/// [`Error::InvalidShardIndex`](crate::Error::InvalidShardIndex).
///
/// ```
/// use kvs::{ShardFn, Store};
/// use std::sync::Arc;
///
/// // Shard by the first byte.
/// let f: ShardFn = Arc::new(|key: &[u8], n: usize| key.first().map_or(0, |b| *b as usize % n));
/// let store: Store<u8> = Store::builder().shards(8).shard_fn(f).build().unwrap();
/// store.set("a", 1).unwrap();
/// ```
pub type ShardFn = Arc<dyn Fn(&[u8], usize) -> usize + Send + Sync + 'static>;

/// How the store picks a key's shard.
#[derive(Clone)]
pub(crate) enum ShardHash {
    /// FNV-1a 32-bit of the key, reduced to the shard count (kept as an enum
    /// arm, not a function pointer, so the default path inlines).
    Fnv1a,
    /// Bits 32..56 of the seeded table hash the shard computes anyway: one
    /// hash per operation instead of two. Those bits are the ones hashbrown
    /// uses for neither the bucket index (low bits) nor the tag (top 7), so
    /// the choice of shard does not skew the table inside it.
    TableHash,
    Custom(ShardFn),
}

impl ShardHash {
    /// The shard for a key whose table hash is `table_hash`.
    #[inline]
    pub(crate) fn index(&self, key: &[u8], num_shards: usize, table_hash: u64) -> usize {
        match self {
            ShardHash::Fnv1a => reduce(u64::from(fnv1a_32(key)), num_shards),
            ShardHash::TableHash => reduce((table_hash >> 32) & 0xff_ffff, num_shards),
            ShardHash::Custom(f) => f(key, num_shards),
        }
    }
}

/// `h % n`, with a mask instead of the (slow) division when `n` is a power
/// of two, which gives the same result.
#[inline]
fn reduce(h: u64, n: usize) -> usize {
    if n.is_power_of_two() {
        h as usize & (n - 1)
    } else {
        (h % n as u64) as usize
    }
}

impl fmt::Debug for ShardHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShardHash::Fnv1a => f.write_str("Fnv1a"),
            ShardHash::TableHash => f.write_str("TableHash"),
            ShardHash::Custom(_) => f.write_str("Custom"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_published_vectors() {
        // From the FNV test suite (isthe.com/chongo/src/fnv/test_fnv.c).
        assert_eq!(fnv1a_32(b""), 0x811c9dc5);
        assert_eq!(fnv1a_32(b"a"), 0xe40c292c);
        assert_eq!(fnv1a_32(b"b"), 0xe70c2de5);
        assert_eq!(fnv1a_32(b"foo"), 0xa9f37ed7);
        assert_eq!(fnv1a_32(b"foobar"), 0xbf9cf968);
    }

    #[test]
    fn default_index_is_in_range() {
        for n in 1..40 {
            for k in 0..200u32 {
                let key = k.to_le_bytes();
                let i = ShardHash::Fnv1a.index(&key, n, 0);
                assert_eq!(i, fnv1a_32(&key) as usize % n, "mask equals modulo");
                assert!(ShardHash::TableHash.index(&key, n, u64::from(k) << 40) < n);
            }
        }
    }
}
