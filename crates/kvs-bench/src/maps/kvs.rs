//! kvs in its default configuration (shards: 4 per core, FNV-1a shard hash,
//! foldhash tables, sweeper every 50 ms), and with shards chosen from the
//! table hash (`kvs-tablehash`).

use std::time::Duration;

use kvs::Store;

use super::BenchMap;
use crate::keys::BenchKey;

/// A default-configured kvs store of `u64` values.
pub struct KvsMap(Store<u64>);

impl KvsMap {
    /// A store built with `Store::builder().build()`.
    pub fn new() -> Self {
        KvsMap(
            Store::builder()
                .build()
                .expect("the default configuration is valid"),
        )
    }

    /// A store with its one opt-in speed setting: shards chosen from the
    /// table hash (`Builder::table_hash_shards`), so one hash per operation.
    pub fn table_hash() -> Self {
        KvsMap(
            Store::builder()
                .table_hash_shards()
                .build()
                .expect("the configuration is valid"),
        )
    }

    /// The store itself, for the workloads that use kvs-only calls.
    pub fn store(&self) -> &Store<u64> {
        &self.0
    }

    /// Stores `value` under `key` for `ttl`.
    pub fn insert_with_ttl<K: BenchKey>(&self, key: &K, value: u64, ttl: Duration) {
        let _ = self.0.set_with_ttl(key.bytes().as_ref(), value, ttl);
    }
}

impl<K: BenchKey> BenchMap<K> for KvsMap {
    #[inline]
    fn get(&self, key: &K) -> bool {
        self.0.get(&key.bytes()).is_ok()
    }
    #[inline]
    fn insert(&self, key: &K, value: u64) {
        let _ = self.0.set(key.bytes().as_ref(), value);
    }
    #[inline]
    fn remove(&self, key: &K) -> bool {
        self.0.delete(&key.bytes()).is_ok()
    }
    #[inline]
    fn update(&self, key: &K) -> bool {
        self.0.update(key.bytes().as_ref(), |v| v + 1).is_ok()
    }
}
