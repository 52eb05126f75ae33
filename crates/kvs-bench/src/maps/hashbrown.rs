//! The single-thread floor: a plain `hashbrown::HashMap` with foldhash.

use crate::keys::BenchKey;

/// A prefilled, read-only hashbrown map: what a lookup costs with no
/// sharding, no lock and no TTL check.
pub struct HashbrownFloor<K: BenchKey>(
    hashbrown::HashMap<K::Owned, u64, foldhash::fast::RandomState>,
);

impl<K: BenchKey> HashbrownFloor<K> {
    /// A map holding `keys`.
    pub fn from_keys(keys: impl Iterator<Item = K>) -> Self {
        let mut m = hashbrown::HashMap::with_hasher(foldhash::fast::RandomState::default());
        for (i, k) in keys.enumerate() {
            m.insert(k.to_owned_key(), i as u64);
        }
        HashbrownFloor(m)
    }

    /// Looks `key` up; true if present.
    #[inline]
    pub fn get(&self, key: &K) -> bool {
        self.0.get(key.as_ref_key()).copied().is_some()
    }
}
