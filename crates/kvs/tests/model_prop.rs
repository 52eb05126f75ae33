//! Property test: random sequences of every operation, TTLs and clock
//! advances, run against the store and against a model (a `HashMap` of
//! value and deadline, plus the same manual clock), compared after each step.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use kvs::{Action, Clock, Error, Expiry, Key, ManualClock, Store};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Set(u8, u32),
    SetTtl(u8, u32, u64),
    Get(u8),
    Delete(u8),
    Exists(u8),
    Expire(u8, u64),
    Persist(u8),
    Ttl(u8),
    Incr(u8),
    Rename(u8, u8),
    BatchSet(Vec<(u8, u32)>),
    BatchGet(Vec<u8>),
    BatchDelete(Vec<u8>),
    Advance(u64),
    Sweep,
    Keys,
}

fn op() -> impl Strategy<Value = Op> {
    let key = 0u8..12;
    prop_oneof![
        (key.clone(), any::<u32>()).prop_map(|(k, v)| Op::Set(k, v)),
        (key.clone(), any::<u32>(), 0u64..50).prop_map(|(k, v, t)| Op::SetTtl(k, v, t)),
        key.clone().prop_map(Op::Get),
        key.clone().prop_map(Op::Delete),
        key.clone().prop_map(Op::Exists),
        (key.clone(), 0u64..50).prop_map(|(k, t)| Op::Expire(k, t)),
        key.clone().prop_map(Op::Persist),
        key.clone().prop_map(Op::Ttl),
        key.clone().prop_map(Op::Incr),
        (key.clone(), key.clone()).prop_map(|(a, b)| Op::Rename(a, b)),
        prop::collection::vec((key.clone(), any::<u32>()), 0..6).prop_map(Op::BatchSet),
        prop::collection::vec(key.clone(), 0..6).prop_map(Op::BatchGet),
        prop::collection::vec(key.clone(), 0..6).prop_map(Op::BatchDelete),
        (0u64..30).prop_map(Op::Advance),
        Just(Op::Sweep),
        Just(Op::Keys),
    ]
}

/// The model: key -> (value, deadline in ms since the test's start).
struct Model {
    now: u64,
    map: HashMap<u8, (u32, Option<u64>)>,
}

impl Model {
    fn live(&self, k: u8) -> Option<(u32, Option<u64>)> {
        self.map
            .get(&k)
            .copied()
            .filter(|(_, d)| d.is_none_or(|d| self.now < d))
    }
    fn purge(&mut self) {
        let now = self.now;
        self.map.retain(|_, (_, d)| d.is_none_or(|d| now < d));
    }
}

fn key(k: u8) -> String {
    format!("key-{k}")
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn run(shards: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let clock = ManualClock::new();
    let start = clock.now();
    let store: Store<u32> = Store::builder()
        .shards(shards)
        .clock(clock.clone())
        .without_sweeper()
        .build()
        .unwrap();
    let mut m = Model {
        now: 0,
        map: HashMap::new(),
    };
    let at = |d: u64| start + ms(d);
    for op in ops {
        match op {
            Op::Set(k, v) => {
                store.set(key(k), v).unwrap();
                m.map.insert(k, (v, None));
            }
            Op::SetTtl(k, v, t) => {
                store.set_with_ttl(key(k), v, ms(t)).unwrap();
                m.map.insert(k, (v, (t > 0).then_some(m.now + t)));
            }
            Op::Get(k) => {
                let got = store.get(&key(k)).ok();
                prop_assert_eq!(got, m.live(k).map(|e| e.0));
            }
            Op::Delete(k) => {
                let got = store.delete(&key(k)).ok();
                prop_assert_eq!(got, m.live(k).map(|e| e.0));
                m.map.remove(&k);
            }
            Op::Exists(k) => prop_assert_eq!(store.exists(&key(k)), m.live(k).is_some()),
            Op::Expire(k, t) => {
                let r = store.expire(&key(k), ms(t));
                match m.live(k) {
                    Some((v, _)) => {
                        prop_assert!(r.is_ok());
                        if t == 0 {
                            m.map.remove(&k);
                        } else {
                            m.map.insert(k, (v, Some(m.now + t)));
                        }
                    }
                    None => prop_assert!(matches!(r, Err(Error::NotFound))),
                }
            }
            Op::Persist(k) => {
                let r = store.persist(&key(k)).ok();
                match m.live(k) {
                    Some((v, d)) => {
                        prop_assert_eq!(r, Some(d.is_some()));
                        m.map.insert(k, (v, None));
                    }
                    None => prop_assert_eq!(r, None),
                }
            }
            Op::Ttl(k) => {
                let r = store.ttl(&key(k)).ok();
                let expect = m.live(k).map(|(_, d)| d.map(|d| ms(d - m.now)));
                prop_assert_eq!(r, expect);
                let at_r = store.expires_at(&key(k)).ok();
                prop_assert_eq!(at_r, m.live(k).map(|(_, d)| d.map(at)));
            }
            Op::Incr(k) => {
                let n = store
                    .compute(key(k), |e| {
                        let n = e.map_or(0, |e| *e.value()).wrapping_add(1);
                        (Action::Set(n, Expiry::Keep), n)
                    })
                    .unwrap();
                let (old, d) = m.live(k).unwrap_or((0, None));
                prop_assert_eq!(n, old.wrapping_add(1));
                m.map.insert(k, (n, d));
            }
            Op::Rename(a, b) => {
                let r = store.rename(&key(a), &key(b));
                match m.live(a) {
                    Some(e) => {
                        prop_assert!(r.is_ok());
                        m.map.remove(&a);
                        m.map.insert(b, e);
                    }
                    None => prop_assert!(matches!(r, Err(Error::NotFound))),
                }
            }
            Op::BatchSet(items) => {
                let r = store
                    .batch_set(items.iter().map(|&(k, v)| (key(k), v)))
                    .unwrap();
                prop_assert_eq!(r.successful, items.len());
                for (k, v) in items {
                    m.map.insert(k, (v, None));
                }
            }
            Op::BatchGet(keys) => {
                let names: Vec<String> = keys.iter().map(|&k| key(k)).collect();
                let got = store.batch_get(&names).unwrap().into_values();
                let expect: Vec<Option<u32>> =
                    keys.iter().map(|&k| m.live(k).map(|e| e.0)).collect();
                prop_assert_eq!(got, expect);
            }
            Op::BatchDelete(keys) => {
                let names: Vec<String> = keys.iter().map(|&k| key(k)).collect();
                let r = store.batch_delete(&names).unwrap();
                let mut deleted = 0;
                let mut missing = 0;
                let mut seen = Vec::new();
                for &k in &keys {
                    if m.live(k).is_some() {
                        deleted += 1;
                        m.map.remove(&k);
                        seen.push(k);
                    } else if !seen.contains(&k) {
                        missing += 1;
                    }
                }
                prop_assert_eq!(r.deleted, deleted);
                prop_assert_eq!(r.errors.len(), missing);
            }
            Op::Advance(t) => {
                clock.advance(ms(t));
                m.now += t;
            }
            Op::Sweep => {
                store.sweep_expired().unwrap();
                m.purge();
                prop_assert_eq!(store.len(), m.map.len());
            }
            Op::Keys => {
                let mut got = store.keys().unwrap();
                got.sort();
                let mut expect: Vec<Key> = m
                    .map
                    .keys()
                    .filter(|&&k| m.live(k).is_some())
                    .map(|&k| Key::from(key(k)))
                    .collect();
                expect.sort();
                prop_assert_eq!(got, expect);
            }
        }
        // Invariants after every step: len counts live keys plus expired
        // ones not yet removed, never fewer than the live ones.
        let live = m.map.keys().filter(|&&k| m.live(k).is_some()).count();
        let stored = m.map.len();
        prop_assert!(store.len() >= live && store.len() <= stored);
        let _: SystemTime = clock.now();
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn store_matches_model(shards in 1usize..6, ops in prop::collection::vec(op(), 1..80)) {
        run(shards, ops)?;
    }
}
