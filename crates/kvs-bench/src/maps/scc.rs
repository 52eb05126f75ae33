//! scc's `HashMap`: bucket-level locks, lock-free resize.

use super::BenchMap;
use crate::keys::BenchKey;

/// `scc::HashMap` with foldhash.
pub struct SccMap<K: BenchKey>(scc::HashMap<K::Owned, u64, foldhash::fast::RandomState>);

impl<K: BenchKey> Default for SccMap<K> {
    fn default() -> Self {
        SccMap(scc::HashMap::with_hasher(
            foldhash::fast::RandomState::default(),
        ))
    }
}

impl<K: BenchKey> BenchMap<K> for SccMap<K> {
    #[inline]
    fn get(&self, key: &K) -> bool {
        self.0.read(key.as_ref_key(), |_, v| *v).is_some()
    }
    #[inline]
    fn insert(&self, key: &K, value: u64) {
        self.0.upsert(key.to_owned_key(), value);
    }
    #[inline]
    fn remove(&self, key: &K) -> bool {
        self.0.remove(key.as_ref_key()).is_some()
    }
    #[inline]
    fn update(&self, key: &K) -> bool {
        self.0.update(key.as_ref_key(), |_, v| *v += 1).is_some()
    }
}
