//! The simplest thing a user could write: one `RwLock` around a `HashMap`.

use std::collections::HashMap;
use std::sync::RwLock;

use super::BenchMap;
use crate::keys::BenchKey;

/// `std::sync::RwLock<std::collections::HashMap>` with foldhash.
pub struct StdRwLock<K: BenchKey>(RwLock<HashMap<K::Owned, u64, foldhash::fast::RandomState>>);

impl<K: BenchKey> Default for StdRwLock<K> {
    fn default() -> Self {
        StdRwLock(RwLock::new(HashMap::default()))
    }
}

impl<K: BenchKey> BenchMap<K> for StdRwLock<K> {
    // A poisoned lock means a benchmark thread panicked; the run is void, so
    // the adapters take the data anyway rather than add a panic path.
    #[inline]
    fn get(&self, key: &K) -> bool {
        let m = self.0.read().unwrap_or_else(|e| e.into_inner());
        m.get(key.as_ref_key()).copied().is_some()
    }
    #[inline]
    fn insert(&self, key: &K, value: u64) {
        let owned = key.to_owned_key();
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(owned, value);
    }
    #[inline]
    fn remove(&self, key: &K) -> bool {
        let mut m = self.0.write().unwrap_or_else(|e| e.into_inner());
        m.remove(key.as_ref_key()).is_some()
    }
    #[inline]
    fn update(&self, key: &K) -> bool {
        let mut m = self.0.write().unwrap_or_else(|e| e.into_inner());
        match m.get_mut(key.as_ref_key()) {
            Some(v) => {
                *v += 1;
                true
            }
            None => false,
        }
    }
}
