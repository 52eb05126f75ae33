//! moka's `sync::Cache`, unbounded (so it never evicts), plain and with
//! per-entry expiry.

use std::time::{Duration, Instant};

use moka::ops::compute::Op;
use moka::sync::Cache;
use moka::Expiry;

use super::BenchMap;
use crate::keys::BenchKey;

/// A plain moka cache (its default hasher, SipHash).
pub struct MokaMap<K: BenchKey>(pub Cache<K::Owned, u64>);

impl<K: BenchKey> MokaMap<K> {
    /// An unbounded cache with no expiry.
    pub fn new() -> Self {
        MokaMap(Cache::builder().build())
    }

    /// An unbounded cache whose entries expire after the number of
    /// milliseconds stored as their value (see [`TtlFromValue`]).
    pub fn with_expiry() -> MokaExpiry<K> {
        MokaExpiry(Cache::builder().expire_after(TtlFromValue).build())
    }
}

/// The per-entry expiry of the TTL churn: the value *is* the TTL in
/// milliseconds, so moka's values stay 8 bytes like kvs's.
pub struct TtlFromValue;

impl<K> Expiry<K, u64> for TtlFromValue {
    fn expire_after_create(&self, _key: &K, value: &u64, _created_at: Instant) -> Option<Duration> {
        Some(Duration::from_millis(*value))
    }
    fn expire_after_update(
        &self,
        _key: &K,
        value: &u64,
        _updated_at: Instant,
        _duration_until_expiry: Option<Duration>,
    ) -> Option<Duration> {
        // An overwrite carries a fresh TTL, as kvs's set_with_ttl does.
        Some(Duration::from_millis(*value))
    }
}

/// moka with per-entry expiry.
pub struct MokaExpiry<K: BenchKey>(pub Cache<K::Owned, u64>);

impl<K: BenchKey> BenchMap<K> for MokaMap<K> {
    #[inline]
    fn get(&self, key: &K) -> bool {
        self.0.get(key.as_ref_key()).is_some()
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
        // The atomic read-modify-write moka offers; it allocates the key.
        let r = self
            .0
            .entry_by_ref(key.as_ref_key())
            .and_compute_with(|e| match e {
                Some(e) => Op::Put(e.into_value() + 1),
                None => Op::Nop,
            });
        !matches!(r, moka::ops::compute::CompResult::StillNone(_))
    }
    fn settle(&self) {
        self.0.run_pending_tasks();
    }
}
