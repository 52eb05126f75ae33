//! Criterion micro-benchmarks of the single-thread hot paths: get, exists,
//! set (overwrite), set_with_ttl (overwrite) and batch_get of 16 and 256
//! keys. The peer comparison lives in `crates/kvs-bench` (see
//! BENCHMARKS.md); these are for watching one path while optimising it.
//!
//! Run: `cargo bench -p kvs --bench hot_paths` (add `-- get` to filter).
//! Keys are 16-byte strings over a store of 100k entries; every looked-up
//! key is present, the key sequence is fixed, and the store is built
//! outside the timed loop.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kvs::Store;

const ENTRIES: u64 = 100_000;

/// Key number `i`: 16 hex digits of a scrambled `i`, so that consecutive
/// keys land in unrelated shards and buckets.
fn key(i: u64) -> [u8; 16] {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    let mut out = [0u8; 16];
    out.copy_from_slice(format!("{z:016x}").as_bytes());
    out
}

/// A default store holding keys `0..ENTRIES`, and the keys in a fixed
/// shuffled order (so lookups do not walk memory in insertion order).
fn fixture() -> (Store<u64>, Vec<[u8; 16]>) {
    let store = Store::builder().build().expect("default store");
    for i in 0..ENTRIES {
        store.set(&key(i), i).expect("set");
    }
    let order = (0..ENTRIES).map(|i| key((i * 7919) % ENTRIES)).collect();
    (store, order)
}

fn single_key(c: &mut Criterion) {
    let (store, keys) = fixture();
    let mut g = c.benchmark_group("single");
    g.throughput(Throughput::Elements(1));
    let mut i = 0usize;
    let mut next = || {
        i = (i + 1) % keys.len();
        &keys[i]
    };
    g.bench_function("get", |b| b.iter(|| store.get(black_box(next())).is_ok()));
    g.bench_function("exists", |b| b.iter(|| store.exists(black_box(next()))));
    g.bench_function("set", |b| b.iter(|| store.set(black_box(next()), 1)));
    g.bench_function("set_with_ttl", |b| {
        b.iter(|| store.set_with_ttl(black_box(next()), 1, Duration::from_secs(3600)))
    });
    g.finish();
}

fn batches(c: &mut Criterion) {
    let (store, keys) = fixture();
    let mut g = c.benchmark_group("batch_get");
    for size in [16usize, 256] {
        g.throughput(Throughput::Elements(size as u64));
        let mut start = 0usize;
        g.bench_function(format!("{size}"), |b| {
            b.iter(|| {
                start = (start + size) % (keys.len() - size);
                store
                    .batch_get(black_box(&keys[start..start + size]))
                    .map(|r| r.found())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, single_key, batches);
criterion_main!(benches);
