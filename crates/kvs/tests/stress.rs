//! Multi-threaded stress tests: threads on disjoint and on shared keys, with
//! single operations and batches; the final state, and `len`, are checked
//! against what the threads did.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use kvs::{Action, Expiry, Store};

const THREADS: usize = 4;

/// Runs `f` on its own thread and fails the test if it does not finish in
/// `limit`: a deadlock shows as a failure, not a hung test run.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .expect("did not finish in time: deadlock?")
}

fn spawn_all<T: Send + 'static>(
    n: usize,
    f: impl Fn(usize) -> T + Send + Sync + 'static,
) -> Vec<T> {
    let f = Arc::new(f);
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|t| {
            let (f, barrier) = (Arc::clone(&f), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                f(t)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("worker panicked"))
        .collect()
}

#[test]
fn disjoint_writers_leave_exactly_their_keys() {
    let store: Store<u64> = Store::new(16).unwrap();
    let s = store.clone();
    let models = within(Duration::from_secs(60), move || {
        spawn_all(THREADS, move |t| {
            let mut model = HashMap::new();
            let mut rng = t as u64 * 0x9e37_79b9 + 1;
            for i in 0..20_000u64 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                let k = format!("t{t}-{}", rng % 500);
                match rng % 5 {
                    0 => {
                        let expect = model.remove(&k);
                        assert_eq!(s.delete(&k).ok(), expect);
                    }
                    1 => assert_eq!(s.get(&k).ok(), model.get(&k).copied()),
                    _ => {
                        s.set(k.clone(), i).unwrap();
                        model.insert(k, i);
                    }
                }
            }
            model
        })
    });
    let mut expected: HashMap<String, u64> = HashMap::new();
    for m in models {
        expected.extend(m);
    }
    assert_eq!(store.len(), expected.len());
    for (k, v) in &expected {
        assert_eq!(store.get(k).unwrap(), *v);
    }
    assert_eq!(store.keys().unwrap().len(), expected.len());
}

#[test]
fn shared_counters_lose_no_update() {
    let store: Store<u64> = Store::new(8).unwrap();
    let s = store.clone();
    within(Duration::from_secs(60), move || {
        spawn_all(THREADS, move |t| {
            for i in 0..10_000usize {
                let k = format!("c{}", (i + t) % 8);
                s.compute(&k, |e| {
                    let n = e.map_or(0, |e| *e.value()) + 1;
                    (Action::Set(n, Expiry::Keep), ())
                })
                .unwrap();
            }
        })
    });
    let total: u64 = (0..8).map(|c| store.get(&format!("c{c}")).unwrap()).sum();
    assert_eq!(total, (THREADS * 10_000) as u64);
    assert_eq!(store.len(), 8);
}

#[test]
fn get_or_insert_with_inserts_once_per_key() {
    let store: Store<usize> = Store::new(8).unwrap();
    let s = store.clone();
    let winners = within(Duration::from_secs(60), move || {
        spawn_all(THREADS, move |t| {
            (0..2_000)
                .map(|k| s.get_or_insert_with(format!("k{k}"), || t).unwrap())
                .collect::<Vec<_>>()
        })
    });
    // Every thread saw the same winner for every key.
    for w in &winners[1..] {
        assert_eq!(w, &winners[0]);
    }
    assert_eq!(store.len(), 2_000);
}

/// A writer sets the same version into keys spread over many shards with
/// `batch_set`; readers with `batch_get` must always see one version across
/// all of them (batches are atomic). Two writers with their keys in opposite
/// orders must not deadlock.
#[test]
fn batches_are_atomic_and_never_deadlock() {
    let store: Store<u64> = Store::new(16).unwrap();
    let keys: Vec<String> = (0..32).map(|i| format!("b{i}")).collect();
    store
        .batch_set(keys.iter().map(|k| (k.clone(), 0)))
        .unwrap();
    let (s, ks) = (store.clone(), keys.clone());
    within(Duration::from_secs(60), move || {
        spawn_all(THREADS, move |t| {
            for round in 1..=2_000u64 {
                if t < 2 {
                    // Writers: opposite key orders, same version everywhere.
                    let version = round * 2 + t as u64;
                    let items: Vec<(String, u64)> = if t == 0 {
                        ks.iter().map(|k| (k.clone(), version)).collect()
                    } else {
                        ks.iter().rev().map(|k| (k.clone(), version)).collect()
                    };
                    assert_eq!(s.batch_set(items).unwrap().successful, ks.len());
                } else {
                    let values = s.batch_get(&ks).unwrap().into_values();
                    let first = values[0].expect("present");
                    assert!(
                        values.iter().all(|v| *v == Some(first)),
                        "torn batch: {values:?}"
                    );
                }
            }
        })
    });
    assert_eq!(store.len(), keys.len());
}

#[test]
fn batch_deletes_and_sets_keep_len_exact() {
    let store: Store<u64> = Store::new(16).unwrap();
    let s = store.clone();
    within(Duration::from_secs(60), move || {
        spawn_all(THREADS, move |t| {
            for round in 0..500u64 {
                let keys: Vec<String> = (0..20).map(|i| format!("t{t}-{i}")).collect();
                s.batch_set(keys.iter().map(|k| (k.clone(), round)))
                    .unwrap();
                let del = s.batch_delete(&keys[..10]).unwrap();
                assert_eq!(del.deleted, 10);
            }
        })
    });
    assert_eq!(store.len(), THREADS * 10);
}

#[test]
fn ttl_writers_and_sweeper_run_beside_readers() {
    // A real sweeper at a short interval, racing with writers that keep
    // replacing TTL keys and readers that must never see a wrong value.
    let store: Store<u64> = Store::builder()
        .shards(8)
        .sweep_interval(Duration::from_millis(1))
        .build()
        .unwrap();
    let s = store.clone();
    within(Duration::from_secs(60), move || {
        spawn_all(THREADS, move |t| {
            for i in 0..20_000u64 {
                let k = format!("t{t}-{}", i % 100);
                if i % 3 == 0 {
                    s.set_with_ttl(k.clone(), i, Duration::from_micros(50))
                        .unwrap();
                } else if i % 3 == 1 {
                    s.set(k.clone(), i).unwrap();
                    // Only this thread writes k, and it has no TTL now.
                    assert_eq!(s.get(&k).unwrap(), i);
                } else {
                    let _ = s.get(&k);
                }
            }
        })
    });
    store.close().unwrap();
}

#[test]
fn close_races_with_operations_without_panicking() {
    for _ in 0..20 {
        let store: Store<u64> = Store::builder()
            .shards(4)
            .sweep_interval(Duration::from_millis(1))
            .build()
            .unwrap();
        let s = store.clone();
        within(Duration::from_secs(30), move || {
            spawn_all(3, move |t| {
                if t == 0 {
                    s.close().unwrap();
                } else {
                    for i in 0..2_000u64 {
                        match s.set(format!("k{i}"), i) {
                            Ok(()) | Err(kvs::Error::StoreClosed) => {}
                            Err(e) => panic!("unexpected {e}"),
                        }
                    }
                }
            })
        });
        assert!(store.is_closed());
        assert_eq!(store.len(), 0);
    }
}
