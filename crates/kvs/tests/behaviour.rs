//! The store's contract, one behaviour per test, with a clock the test
//! controls.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kvs::{Action, Clock, Error, Expiry, Key, ManualClock, Store};

fn store_with_clock<V: Clone + Send + Sync + 'static>(shards: usize) -> (Store<V>, ManualClock) {
    let clock = ManualClock::new();
    let store = Store::builder()
        .shards(shards)
        .clock(clock.clone())
        .without_sweeper()
        .build()
        .unwrap();
    (store, clock)
}

#[test]
fn zero_shards_is_rejected() {
    assert!(matches!(
        Store::<u8>::new(0),
        Err(Error::InvalidNumShards(0))
    ));
}

#[test]
fn every_key_type_reaches_the_same_entry() {
    let store: Store<u32> = Store::new(8).unwrap();
    store.set("k", 1).unwrap();
    assert_eq!(store.get("k").unwrap(), 1);
    assert_eq!(store.get(&String::from("k")).unwrap(), 1);
    assert_eq!(store.get(&b"k".to_vec()).unwrap(), 1);
    assert_eq!(store.get(b"k").unwrap(), 1);
    assert_eq!(store.get(&Bytes::from_static(b"k")).unwrap(), 1);
    store.set(Bytes::from_static(b"k"), 2).unwrap();
    store.set(vec![b'k'], 3).unwrap();
    assert_eq!(store.len(), 1);
    assert_eq!(store.get("k").unwrap(), 3);
}

#[test]
fn binary_keys_are_distinct_from_their_lossy_text() {
    let store: Store<u8> = Store::new(4).unwrap();
    store.set(vec![0xff, 0x00], 1).unwrap();
    store.set("\u{fffd}\0", 2).unwrap();
    assert_eq!(store.get(&[0xffu8, 0x00][..]).unwrap(), 1);
    assert_eq!(store.len(), 2);
}

#[test]
fn missing_keys_are_not_found() {
    let store: Store<u8> = Store::new(4).unwrap();
    assert!(matches!(store.get("x"), Err(Error::NotFound)));
    assert!(matches!(store.delete("x"), Err(Error::NotFound)));
    assert!(!store.exists("x"));
    assert!(matches!(store.ttl("x"), Err(Error::NotFound)));
    assert!(matches!(store.persist("x"), Err(Error::NotFound)));
    assert!(matches!(
        store.expire("x", Duration::from_secs(1)),
        Err(Error::NotFound)
    ));
}

#[test]
fn expired_keys_vanish_at_their_deadline_for_every_reader() {
    let (store, clock) = store_with_clock::<u8>(4);
    store
        .set_with_ttl("k", 1, Duration::from_millis(10))
        .unwrap();
    store.set("other", 2).unwrap();
    clock.advance(Duration::from_millis(9));
    assert_eq!(store.ttl("k").unwrap(), Some(Duration::from_millis(1)));
    assert!(store.exists("k"));
    clock.advance(Duration::from_millis(1)); // exactly the deadline
    assert!(!store.exists("k"));
    assert!(matches!(store.ttl("k"), Err(Error::NotFound)));
    assert!(matches!(store.expires_at("k"), Err(Error::NotFound)));
    assert!(matches!(
        store.batch_get(&["k"]).unwrap().results[0],
        Err(Error::NotFound)
    ));
    assert_eq!(store.keys().unwrap(), vec![Key::from("other")]);
    assert_eq!(store.len(), 2, "not yet removed: len counts it");
    assert!(matches!(store.get("k"), Err(Error::NotFound)));
    assert_eq!(store.len(), 1, "a read of an expired key removes it");
}

#[test]
fn zero_ttl_means_no_expiry_and_overflow_is_invalid() {
    let (store, clock) = store_with_clock::<u8>(4);
    store.set_with_ttl("k", 1, Duration::ZERO).unwrap();
    assert_eq!(store.ttl("k").unwrap(), None);
    clock.advance(Duration::from_secs(1 << 40));
    assert!(store.exists("k"));
    assert!(matches!(
        store.set_with_ttl("k", 2, Duration::MAX),
        Err(Error::InvalidTTL)
    ));
    assert_eq!(store.get("k").unwrap(), 1, "a rejected set changes nothing");
}

#[test]
fn plain_set_and_batch_set_remove_the_ttl() {
    let (store, _clock) = store_with_clock::<u8>(4);
    store.set_with_ttl("a", 1, Duration::from_secs(5)).unwrap();
    store.set_with_ttl("b", 1, Duration::from_secs(5)).unwrap();
    store.set("a", 2).unwrap();
    store.batch_set([("b", 2)]).unwrap();
    assert_eq!(store.ttl("a").unwrap(), None);
    assert_eq!(store.ttl("b").unwrap(), None);
    assert_eq!(store.len_with_ttl(), 0);
}

#[test]
fn expire_persist_and_ttl_follow_redis() {
    let (store, clock) = store_with_clock::<u8>(4);
    store.set("k", 1).unwrap();
    store.expire("k", Duration::from_secs(10)).unwrap();
    assert_eq!(
        store.expires_at("k").unwrap(),
        Some(clock.now() + Duration::from_secs(10))
    );
    clock.advance(Duration::from_secs(3));
    assert_eq!(store.ttl("k").unwrap(), Some(Duration::from_secs(7)));
    assert!(store.persist("k").unwrap());
    assert!(!store.persist("k").unwrap());
    clock.advance(Duration::from_secs(100));
    assert!(store.exists("k"));
    store
        .expire_at("k", clock.now() - Duration::from_secs(1))
        .unwrap();
    assert!(!store.exists("k"), "a deadline in the past removes the key");
    assert_eq!(store.len(), 0);
}

#[test]
fn sweeper_pass_removes_only_due_keys() {
    let (store, clock) = store_with_clock::<u32>(8);
    for i in 0..1000u32 {
        let ttl = Duration::from_millis(u64::from(i % 10) + 1);
        store.set_with_ttl(i.to_string(), i, ttl).unwrap();
        store.set(format!("plain{i}"), i).unwrap();
    }
    clock.advance(Duration::from_millis(5));
    assert_eq!(store.sweep_expired().unwrap(), 500);
    assert_eq!(store.len(), 1500);
    assert_eq!(store.len_with_ttl(), 500);
    clock.advance(Duration::from_millis(5));
    assert_eq!(store.sweep_expired().unwrap(), 500);
    assert_eq!(store.len(), 1000);
    assert_eq!(store.len_with_ttl(), 0);
    assert_eq!(store.sweep_expired().unwrap(), 0);
}

#[test]
fn churn_of_ttl_keys_stays_bounded_by_the_live_ones() {
    let (store, clock) = store_with_clock::<u64>(8);
    for round in 0..50u64 {
        for i in 0..200u64 {
            let key = format!("r{round}-{i}");
            store
                .set_with_ttl(key, i, Duration::from_millis(1 + i % 3))
                .unwrap();
        }
        clock.advance(Duration::from_millis(3));
        store.sweep_expired().unwrap();
        assert_eq!(store.len(), 0, "round {round}");
        assert_eq!(store.len_with_ttl(), 0, "round {round}");
    }
}

#[test]
fn overwriting_a_ttl_key_reindexes_it() {
    let (store, clock) = store_with_clock::<u8>(1);
    store
        .set_with_ttl("k", 1, Duration::from_millis(5))
        .unwrap();
    store
        .set_with_ttl("k", 2, Duration::from_millis(50))
        .unwrap();
    clock.advance(Duration::from_millis(10));
    assert_eq!(
        store.sweep_expired().unwrap(),
        0,
        "the old deadline is gone"
    );
    assert_eq!(store.get("k").unwrap(), 2);
    clock.advance(Duration::from_millis(40));
    assert_eq!(store.sweep_expired().unwrap(), 1);
}

#[test]
fn custom_shard_hash_out_of_range_is_an_error_not_a_panic() {
    let bad: kvs::ShardFn = Arc::new(|key: &[u8], n: usize| if key == b"bad" { n + 3 } else { 0 });
    let store: Store<u8> = Store::builder().shards(4).shard_fn(bad).build().unwrap();
    let expected = |r: kvs::Result<()>| {
        assert!(matches!(
            r,
            Err(Error::InvalidShardIndex {
                index: 7,
                num_shards: 4
            })
        ))
    };
    expected(store.set("bad", 1));
    expected(store.get("bad").map(|_| ()));
    expected(store.delete("bad").map(|_| ()));
    assert!(!store.exists("bad"));
    let r = store.batch_set([("ok", 1), ("bad", 2)]).unwrap();
    assert_eq!(r.successful, 1);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].0, 1);
    let g = store.batch_get(&["bad", "ok"]).unwrap();
    assert!(matches!(g.results[0], Err(Error::InvalidShardIndex { .. })));
    assert_eq!(*g.results[1].as_ref().unwrap(), 1);
}

#[test]
fn custom_shard_hash_places_keys_where_it_says() {
    let by_len: kvs::ShardFn = Arc::new(|key: &[u8], n: usize| key.len() % n);
    let store: Store<u8> = Store::builder().shards(3).shard_fn(by_len).build().unwrap();
    for k in ["a", "bb", "ccc", "dddd"] {
        store.set(k, 0).unwrap();
    }
    assert_eq!(store.shard_keys(1).unwrap().len(), 2); // "a", "dddd"
    assert_eq!(store.shard_keys(0).unwrap(), vec![Key::from("ccc")]);
}

#[test]
fn batches_report_partial_success_and_duplicates() {
    let store: Store<u32> = Store::new(8).unwrap();
    let set = store.batch_set([("a", 1), ("b", 2), ("a", 3)]).unwrap();
    assert_eq!(set.successful, 3);
    assert_eq!(
        store.get("a").unwrap(),
        3,
        "last write of a repeated key wins"
    );
    let got = store.batch_get(&["a", "missing", "a"]).unwrap();
    assert_eq!(got.found(), 2);
    assert_eq!(got.into_values(), vec![Some(3), None, Some(3)]);
    let del = store.batch_delete(&["a", "a", "missing", "b"]).unwrap();
    assert_eq!(del.deleted, 2);
    assert_eq!(del.errors.len(), 1);
    assert_eq!(del.errors[0].0, 2);
    assert!(matches!(del.errors[0].1, Error::NotFound));
    assert!(store.is_empty());
}

#[test]
fn batch_delete_of_an_expired_key_is_not_found() {
    let (store, clock) = store_with_clock::<u8>(4);
    store
        .set_with_ttl("t", 1, Duration::from_millis(1))
        .unwrap();
    clock.advance(Duration::from_millis(1));
    let r = store.batch_delete(&["t"]).unwrap();
    assert_eq!(r.deleted, 0);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(store.len(), 0, "but it is removed");
}

#[test]
fn compute_sees_live_entries_only_and_applies_each_action() {
    let (store, clock) = store_with_clock::<u32>(4);
    store.set_with_ttl("k", 1, Duration::from_secs(1)).unwrap();
    clock.advance(Duration::from_secs(1));
    let seen = store.compute("k", |e| (Action::Keep, e.is_some())).unwrap();
    assert!(!seen, "an expired entry is shown as absent");
    assert_eq!(store.len(), 0);

    store
        .compute("k", |_| {
            ((Action::Set(5, Expiry::In(Duration::from_secs(9)))), ())
        })
        .unwrap();
    assert_eq!(store.ttl("k").unwrap(), Some(Duration::from_secs(9)));
    store
        .compute("k", |_| (Action::Set(6, Expiry::Keep), ()))
        .unwrap();
    assert_eq!(store.ttl("k").unwrap(), Some(Duration::from_secs(9)));
    store
        .compute("k", |_| (Action::SetExpiry(Expiry::Never), ()))
        .unwrap();
    assert_eq!(store.ttl("k").unwrap(), None);
    store
        .compute("nope", |_| {
            (Action::SetExpiry(Expiry::In(Duration::from_secs(1))), ())
        })
        .unwrap();
    assert!(!store.exists("nope"), "SetExpiry never creates a key");
    store.compute("k", |_| (Action::Remove, ())).unwrap();
    assert!(store.is_empty());
    let r = store.compute("k", |_| (Action::Set(1, Expiry::In(Duration::MAX)), ()));
    assert!(matches!(r, Err(Error::InvalidTTL)));
    assert!(store.is_empty(), "a rejected action changes nothing");
}

#[test]
fn get_or_insert_with_and_update() {
    let store: Store<String> = Store::new(4).unwrap();
    assert_eq!(store.get_or_insert_with("k", || "a".into()).unwrap(), "a");
    assert_eq!(
        store.get_or_insert_with("k", || unreachable!()).unwrap(),
        "a"
    );
    assert_eq!(store.update("k", |v| v.clone() + "b").unwrap(), "ab");
    assert!(matches!(
        store.update("x", |v| v.clone()),
        Err(Error::NotFound)
    ));
}

#[test]
fn rename_moves_value_and_ttl_across_shards() {
    let (store, _clock) = store_with_clock::<u32>(16);
    store
        .set_with_ttl("src", 7, Duration::from_secs(30))
        .unwrap();
    store.set("dst", 1).unwrap();
    store.rename("src", "dst").unwrap();
    assert!(!store.exists("src"));
    assert_eq!(store.get("dst").unwrap(), 7);
    assert_eq!(store.ttl("dst").unwrap(), Some(Duration::from_secs(30)));
    assert!(matches!(store.rename("src", "x"), Err(Error::NotFound)));
    store.set("a", 1).unwrap();
    assert!(!store.rename_nx("a", "dst").unwrap());
    assert!(store.rename_nx("a", "fresh").unwrap());
    store.rename("fresh", "fresh").unwrap();
    assert_eq!(store.get("fresh").unwrap(), 1);
    assert_eq!(store.len(), 2);
}

#[test]
fn close_is_idempotent_and_fails_every_later_call() {
    let store: Store<u8> = Store::new(4).unwrap();
    let other = store.clone();
    store.set("k", 1).unwrap();
    store.close().unwrap();
    store.close().unwrap();
    assert!(other.is_closed());
    assert!(matches!(other.get("k"), Err(Error::StoreClosed)));
    assert!(matches!(other.set("k", 1), Err(Error::StoreClosed)));
    assert!(matches!(other.delete("k"), Err(Error::StoreClosed)));
    assert!(matches!(other.keys(), Err(Error::StoreClosed)));
    assert!(matches!(other.batch_get(&["k"]), Err(Error::StoreClosed)));
    assert!(matches!(
        other.batch_set([("k", 1)]),
        Err(Error::StoreClosed)
    ));
    assert!(matches!(
        other.batch_delete(&["k"]),
        Err(Error::StoreClosed)
    ));
    assert!(matches!(other.ttl("k"), Err(Error::StoreClosed)));
    assert!(matches!(
        other.compute("k", |_| (Action::Keep, ())),
        Err(Error::StoreClosed)
    ));
    assert!(matches!(other.sweep_expired(), Err(Error::StoreClosed)));
    assert!(matches!(other.clear(), Err(Error::StoreClosed)));
    assert!(!other.exists("k"));
    assert_eq!(other.len(), 0);
}

/// The one test that waits on wall-clock time: the real sweeper thread,
/// polled with a generous bound. Its interval is an hour, so the keys can
/// only go in time because setting a deadline earlier than the sweeper's
/// planned wake-up wakes it.
#[test]
fn real_sweeper_thread_removes_expired_keys() {
    let store: Store<u8> = Store::builder()
        .shards(4)
        .sweep_interval(Duration::from_secs(3600))
        .build()
        .unwrap();
    for i in 0..100u8 {
        store
            .set_with_ttl(vec![i], i, Duration::from_millis(1))
            .unwrap();
    }
    store.set("stays", 1).unwrap();
    let give_up = std::time::Instant::now() + Duration::from_secs(20);
    while store.len() > 1 {
        assert!(
            std::time::Instant::now() < give_up,
            "the sweeper slept through the deadlines"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(store.len(), 1);
    store.close().unwrap();
}
