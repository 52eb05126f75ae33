//! Snapshots taken while writers run show the store at one instant: writers
//! keep cross-shard invariants, and every snapshot satisfies them. Each test
//! runs with saves that copy on the calling thread alone and on four
//! threads.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use kvs::{Action, Expiry, Store};

/// Pins the keys the invariants are about to distinct shards, so a snapshot
/// that copied shards at different instants would show it.
fn pinned_store(save_threads: usize) -> Store<u64> {
    let shard_fn: kvs::ShardFn = Arc::new(|key: &[u8], n: usize| match key {
        b"a" => 0,
        b"b" => 1,
        b"c" => 2,
        b"x" => 3,
        b"y" => 4,
        b"p" => 5,
        b"q" => 6,
        b"d1" => 7,
        b"d2" => 8,
        b"d3" => 9,
        b"e1" => 10,
        b"e2" => 11,
        _ => 12 + kvs::fnv1a_32(key) as usize % (n - 12),
    });
    Store::builder()
        .shards(16)
        .shard_fn(shard_fn)
        .save_threads(save_threads)
        .without_sweeper()
        .build()
        .unwrap()
}

fn read(s: &Store<u64>, k: &str) -> u64 {
    s.get(k).unwrap_or(0)
}

#[test]
fn snapshots_taken_during_writes_satisfy_cross_shard_invariants() {
    for threads in [1, 4] {
        snapshots_taken_during_writes_satisfy_cross_shard_invariants_with(threads);
    }
}

fn snapshots_taken_during_writes_satisfy_cross_shard_invariants_with(threads: usize) {
    let store = pinned_store(threads);
    // Filler makes each save take long enough for writes to land mid-save.
    store
        .batch_set((0..5_000u64).map(|i| (format!("filler{i}"), i)))
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    {
        // a, b, c written in that order: a >= b >= c >= a - 1.
        let (s, stop, progress) = (store.clone(), stop.clone(), progress.clone());
        writers.push(std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                s.set("a", n).unwrap();
                s.set("b", n).unwrap();
                s.set("c", n).unwrap();
                progress.store(n, Ordering::Relaxed);
            }
        }));
    }
    {
        // x and y written together by one batch: always equal.
        let (s, stop) = (store.clone(), stop.clone());
        writers.push(std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                s.batch_set([("x", n), ("y", n)]).unwrap();
            }
        }));
    }
    {
        // q copies p after p is incremented: p >= q >= p - 1.
        let (s, stop) = (store.clone(), stop.clone());
        writers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let p = s
                    .compute("p", |e| {
                        let n = e.map_or(0, |e| *e.value()) + 1;
                        (Action::Set(n, Expiry::Keep), n)
                    })
                    .unwrap();
                s.set("q", p).unwrap();
            }
        }));
    }

    {
        // e1 is changed in place, then e2 copies it: e1 >= e2 >= e1 - 1,
        // which only holds if the save kept e1's value at its instant
        // before the in-place change.
        let (s, stop) = (store.clone(), stop.clone());
        writers.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let n = s
                    .compute_mut("e1", |e| match e {
                        Some(mut e) => {
                            *e.value_mut() += 1;
                            (Action::Keep, *e.value())
                        }
                        None => (Action::Set(1, Expiry::Never), 1),
                    })
                    .unwrap();
                s.set("e2", n).unwrap();
            }
        }));
    }

    let start = progress.load(Ordering::Relaxed);
    let mut mid_save_writes = 0;
    for _ in 0..40 {
        let before = progress.load(Ordering::Relaxed);
        let mut bytes = Vec::new();
        store.save_to(&mut bytes).unwrap();
        if progress.load(Ordering::Relaxed) > before {
            mid_save_writes += 1;
        }
        let copy = Store::<u64>::new(4).unwrap();
        copy.load_from(&bytes[..]).unwrap();
        let (a, b, c) = (read(&copy, "a"), read(&copy, "b"), read(&copy, "c"));
        assert!(a >= b && b >= c && c + 1 >= a, "a={a} b={b} c={c}");
        assert_eq!(read(&copy, "x"), read(&copy, "y"));
        let (p, q) = (read(&copy, "p"), read(&copy, "q"));
        assert!(p >= q && q + 1 >= p, "p={p} q={q}");
        let (e1, e2) = (read(&copy, "e1"), read(&copy, "e2"));
        assert!(e1 >= e2 && e2 + 1 >= e1, "e1={e1} e2={e2}");
        assert_eq!(
            copy.len(),
            5_000
                + [a, b, c, p, q, e1, e2, read(&copy, "x"), read(&copy, "y")]
                    .iter()
                    .filter(|v| **v > 0)
                    .count()
        );
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    // The writers were not held up by the saves, and wrote during them: the
    // invariants were tested against a moving store.
    assert!(progress.load(Ordering::Relaxed) > start);
    assert!(mid_save_writes > 0, "no write overlapped a save");
}

#[test]
fn concurrent_savers_each_see_one_instant() {
    for threads in [1, 4] {
        concurrent_savers_each_see_one_instant_with(threads);
    }
}

fn concurrent_savers_each_see_one_instant_with(threads: usize) {
    let store = pinned_store(threads);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (s, stop) = (store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                s.set("a", n).unwrap();
                s.set("b", n).unwrap();
            }
        })
    };
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                for _ in 0..50 {
                    let mut bytes = Vec::new();
                    store.save_to(&mut bytes).unwrap();
                    let copy = Store::<u64>::new(2).unwrap();
                    copy.load_from(&bytes[..]).unwrap();
                    let (a, b) = (read(&copy, "a"), read(&copy, "b"));
                    assert!(a >= b && b + 1 >= a, "a={a} b={b}");
                }
            });
        }
    });
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
}

#[test]
fn multi_store_saves_share_one_instant() {
    for threads in [1, 4] {
        multi_store_saves_share_one_instant_with(threads);
    }
}

fn multi_store_saves_share_one_instant_with(threads: usize) {
    let one = pinned_store(threads);
    let two = pinned_store(threads);
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (one, two, stop) = (one.clone(), two.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                one.set("a", n).unwrap();
                two.set("a", n).unwrap();
            }
        })
    };
    for _ in 0..100 {
        let mut bytes = Vec::new();
        kvs::snapshot::save_all_to(&mut bytes, &[&one, &two]).unwrap();
        let (c1, c2) = (Store::<u64>::new(2).unwrap(), Store::<u64>::new(2).unwrap());
        kvs::snapshot::load_all_from(&bytes[..], &[&c1, &c2]).unwrap();
        let (a1, a2) = (read(&c1, "a"), read(&c2, "a"));
        assert!(a1 >= a2 && a2 + 1 >= a1, "one={a1} two={a2}");
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
}

/// Deletes and TTL changes, the other changes a shard logs for a save it has
/// not copied yet, keep their cross-shard order in every snapshot too. Each
/// round undoes in the reverse order, so that a change seen too early shows:
///
/// - round `n` sets `d1 = n`, deletes `d2`, sets `d2 = n`, sets `d3 = n`: a
///   snapshot without `d2` has `d1` one round ahead of `d3` (a delete seen
///   before the write that preceded it would leave them equal);
/// - round `n` sets `e1 = n` and `e2 = n` with a TTL, then removes `e2`'s
///   TTL, then `e1`'s: a snapshot where `e1` has no TTL has `e2` without one,
///   and where `e2` has one, `e1` has one; when both have one or neither,
///   they are equal, else `e2` is a round behind.
#[test]
fn deletes_and_ttl_changes_keep_their_order_in_every_snapshot() {
    for threads in [1, 4] {
        deletes_and_ttl_changes_keep_their_order_with(threads);
    }
}

fn deletes_and_ttl_changes_keep_their_order_with(threads: usize) {
    let store = pinned_store(threads);
    store
        .batch_set((0..5_000u64).map(|i| (format!("filler{i}"), i)))
        .unwrap();
    let hour = std::time::Duration::from_secs(3600);
    let stop = Arc::new(AtomicBool::new(false));
    let writers = [
        {
            let (s, stop) = (store.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    // A yield after each step lets a save's instant fall in
                    // any state of the round, not mostly in one.
                    s.set("d1", n).unwrap();
                    std::thread::yield_now();
                    let _ = s.delete("d2");
                    std::thread::yield_now();
                    s.set("d2", n).unwrap();
                    std::thread::yield_now();
                    s.set("d3", n).unwrap();
                    std::thread::yield_now();
                }
            })
        },
        {
            let (s, stop) = (store.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    s.set_with_ttl("e1", n, hour).unwrap();
                    std::thread::yield_now();
                    s.set_with_ttl("e2", n, hour).unwrap();
                    std::thread::yield_now();
                    assert!(s.persist("e2").unwrap());
                    std::thread::yield_now();
                    assert!(s.persist("e1").unwrap());
                    std::thread::yield_now();
                }
            })
        },
    ];
    for _ in 0..40 {
        let mut bytes = Vec::new();
        store.save_to(&mut bytes).unwrap();
        let copy = Store::<u64>::new(4).unwrap();
        copy.load_from(&bytes[..]).unwrap();
        let (d1, d3) = (read(&copy, "d1"), read(&copy, "d3"));
        match copy.get("d2") {
            // Before the first round: nothing written yet.
            Err(_) if d1 == 0 => assert_eq!(d3, 0),
            Err(_) => assert_eq!(d1, d3 + 1, "d2 deleted: d1={d1} d3={d3}"),
            Ok(d2) => assert!(
                d1 >= d2 && d2 >= d3 && d3 + 1 >= d1,
                "d1={d1} d2={d2} d3={d3}"
            ),
        }
        let (Ok(e1), Ok(e2)) = (copy.get("e1"), copy.get("e2")) else {
            // Only before the writer's first round is done.
            continue;
        };
        let e1_ttl = copy.expires_at("e1").unwrap().is_some();
        let e2_ttl = copy.expires_at("e2").unwrap().is_some();
        match (e1_ttl, e2_ttl) {
            (true, false) => assert!(e1 == e2 + 1 || e1 == e2, "e1={e1} e2={e2}"),
            (true, true) | (false, false) => assert_eq!(e1, e2),
            (false, true) => panic!("e1 lost its TTL before e2 did: e1={e1} e2={e2}"),
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
}

/// Large shards are copied a chunk of buckets at a time, with writers let in
/// between chunks. A writer walks `k0 .. k{N-1}` in order setting each to
/// the round number, so at any instant the values read along the keys are a
/// run of `g` then a run of `g - 1`; meanwhile it adds new keys (the tables
/// grow, entries move, while copies are under way) and deletes some older
/// ones. Every snapshot taken during
/// this must hold each `k` key exactly once, in such a state, and no key
/// twice.
#[test]
fn chunked_copies_of_large_shards_show_one_instant() {
    for threads in [1, 4] {
        chunked_copies_of_large_shards_show_one_instant_with(threads);
    }
}

fn chunked_copies_of_large_shards_show_one_instant_with(threads: usize) {
    const N: u64 = 6_000;
    const ADDED: u64 = 1_500;
    let store: Store<u64> = Store::builder()
        .shards(2)
        .save_threads(threads)
        .without_sweeper()
        .build()
        .unwrap();
    store
        .batch_set((0..N).map(|i| (format!("k{i}"), 0)))
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let rounds = Arc::new(AtomicU64::new(0));
    let writer = {
        let (s, stop, rounds) = (store.clone(), stop.clone(), rounds.clone());
        std::thread::spawn(move || {
            let mut g = 0;
            while !stop.load(Ordering::Relaxed) {
                g += 1;
                for i in 0..N {
                    s.set(format!("k{i}"), g).unwrap();
                    if i % (N / ADDED) == 0 {
                        s.set(format!("n{g}-{i}"), g).unwrap();
                        // Half of them go again two rounds later: the
                        // tables keep growing, with holes in them.
                        if g > 2 && i % 2 == 0 {
                            let _ = s.delete(&format!("n{}-{i}", g - 2));
                        }
                    }
                }
                rounds.store(g, Ordering::Relaxed);
            }
        })
    };
    let mut saves = 0;
    // Enough rounds for each table to double a few times while saves run.
    while saves < 40 || rounds.load(Ordering::Relaxed) < 30 {
        let mut bytes = Vec::new();
        store.save_to(&mut bytes).unwrap();
        saves += 1;
        let mut reader = kvs::snapshot::SnapshotReader::new(&bytes[..]).unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut ks = vec![None; N as usize];
        while let Some(r) = reader.next_record().unwrap() {
            assert!(seen.insert(r.key.to_vec()), "a key twice in one snapshot");
            let key = std::str::from_utf8(r.key).unwrap();
            if let Some(i) = key.strip_prefix('k') {
                let v: u64 = postcard::from_bytes(r.value).unwrap();
                ks[i.parse::<usize>().unwrap()] = Some(v);
            }
        }
        let ks: Vec<u64> = ks
            .into_iter()
            .map(|v| v.expect("every k key in the snapshot"))
            .collect();
        let (first, last) = (ks[0], ks[N as usize - 1]);
        assert!(
            first == last || first == last + 1,
            "k0 {first}, last {last}"
        );
        assert!(
            ks.windows(2).all(|w| w[0] >= w[1]),
            "values along the keys rise: not one instant"
        );
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
}
