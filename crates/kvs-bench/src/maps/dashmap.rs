//! dashmap 6, with its default SipHash and with foldhash.

use std::hash::BuildHasher;

use dashmap::DashMap;

use super::BenchMap;
use crate::keys::BenchKey;

/// dashmap with a chosen hasher.
pub struct Dash<K: BenchKey, S>(pub DashMap<K::Owned, u64, S>);

/// dashmap with std's `RandomState` (SipHash-1-3), its default.
pub type DashSip<K> = Dash<K, std::collections::hash_map::RandomState>;
/// dashmap with foldhash, the hasher kvs uses inside a shard.
pub type DashFold<K> = Dash<K, foldhash::fast::RandomState>;

impl<K: BenchKey, S: BuildHasher + Default + Clone> Default for Dash<K, S> {
    fn default() -> Self {
        Dash(DashMap::with_hasher(S::default()))
    }
}

impl<K: BenchKey, S: BuildHasher + Clone + Send + Sync> BenchMap<K> for Dash<K, S> {
    #[inline]
    fn get(&self, key: &K) -> bool {
        // Copy the value out, as kvs's get does, rather than hold the guard.
        self.0.get(key.as_ref_key()).map(|v| *v).is_some()
    }
    #[inline]
    fn insert(&self, key: &K, value: u64) {
        self.0.insert(key.to_owned_key(), value);
    }
    #[inline]
    fn remove(&self, key: &K) -> bool {
        self.0.remove(key.as_ref_key()).is_some()
    }
    #[inline]
    fn update(&self, key: &K) -> bool {
        match self.0.get_mut(key.as_ref_key()) {
            Some(mut v) => {
                *v += 1;
                true
            }
            None => false,
        }
    }
}
