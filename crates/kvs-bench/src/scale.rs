//! How big each workload is: the `--quick` check and the full run.

use std::time::Duration;

/// Sizes of one run.
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    /// Keys in the key space of the mixed workloads.
    pub keyspace: u64,
    /// Operations per measurement of a mixed workload, over all threads.
    pub ops: usize,
    /// The longest a thread runs in one measurement of a mixed workload
    /// before it stops early (so a slow map cannot stretch the run).
    pub cap: Duration,
    /// Lookups per measurement of the single-thread `GetHit` workload.
    pub get_ops: usize,
    /// Length of one TTL churn measurement, in milliseconds.
    pub ttl_millis: u64,
    /// Keys in the TTL churn key space.
    pub ttl_keyspace: u64,
    /// Pre-generated TTL churn operations per thread (replayed in a loop).
    pub ttl_ops_per_thread: usize,
    /// Entries in the memory workload (1M in the full run, per issue 4).
    pub memory_entries: usize,
    /// Keys in the batch workload's key space (all present).
    pub batch_keyspace: u64,
    /// Keys touched per batch measurement, over all threads.
    pub batch_keys: usize,
    /// Entries in the snapshot workload (1M in the full run, per issue 4).
    pub snapshot_entries: usize,
    /// Rounds of (save, copy) and of (load, load floor) in the snapshot
    /// workload; each figure is the median over the rounds.
    pub snapshot_rounds: usize,
}

impl Scale {
    /// The full run: under 12 minutes on 2 cores (see BENCHMARKS.md).
    pub const FULL: Scale = Scale {
        keyspace: 1 << 19,
        ops: 2_000_000,
        cap: Duration::from_secs(2),
        get_ops: 2_000_000,
        ttl_millis: 3_000,
        ttl_keyspace: 1 << 19,
        ttl_ops_per_thread: 1 << 20,
        memory_entries: 1_000_000,
        batch_keyspace: 1 << 19,
        batch_keys: 1_000_000,
        snapshot_entries: 1_000_000,
        snapshot_rounds: 5,
    };

    /// `--quick`: every workload and map, small sizes; under 60 s on 2
    /// cores. Its numbers only show that the suite works.
    pub const QUICK: Scale = Scale {
        keyspace: 1 << 14,
        ops: 200_000,
        cap: Duration::from_millis(500),
        get_ops: 200_000,
        ttl_millis: 300,
        ttl_keyspace: 1 << 16,
        ttl_ops_per_thread: 1 << 16,
        memory_entries: 100_000,
        batch_keyspace: 1 << 14,
        batch_keys: 100_000,
        snapshot_entries: 50_000,
        snapshot_rounds: 1,
    };
}
