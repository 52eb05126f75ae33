//! papaya: lock-free reads, incremental resize.

use super::BenchMap;
use crate::keys::BenchKey;

/// `papaya::HashMap` with foldhash, pinned per operation (as its own
/// conc-map-bench adapter does).
pub struct PapayaMap<K: BenchKey>(papaya::HashMap<K::Owned, u64, foldhash::fast::RandomState>);

impl<K: BenchKey> Default for PapayaMap<K> {
    fn default() -> Self {
        PapayaMap(
            papaya::HashMap::builder()
                .hasher(foldhash::fast::RandomState::default())
                .build(),
        )
    }
}

impl<K: BenchKey> BenchMap<K> for PapayaMap<K> {
    #[inline]
    fn get(&self, key: &K) -> bool {
        self.0.pin().get(key.as_ref_key()).copied().is_some()
    }
    #[inline]
    fn insert(&self, key: &K, value: u64) {
        self.0.pin().insert(key.to_owned_key(), value);
    }
    #[inline]
    fn remove(&self, key: &K) -> bool {
        self.0.pin().remove(key.as_ref_key()).is_some()
    }
    #[inline]
    fn update(&self, key: &K) -> bool {
        // papaya's update takes the key by value, so string keys allocate
        // here: that is the cost its API puts on a user.
        self.0.pin().update(key.to_owned_key(), |v| v + 1).is_some()
    }
}
