//! Exhaustive corruption: every single-byte change and every truncation of a
//! small snapshot is an error, and the store it was loaded into keeps its
//! previous contents.

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use kvs::{Error, ManualClock, Store};

fn clock() -> ManualClock {
    ManualClock::starting_at(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
}

fn store(clock: &ManualClock) -> Store<String> {
    Store::builder()
        .shards(4)
        .clock(clock.clone())
        .without_sweeper()
        .build()
        .unwrap()
}

fn contents(s: &Store<String>) -> BTreeMap<Vec<u8>, (String, Option<std::time::SystemTime>)> {
    s.keys()
        .unwrap()
        .into_iter()
        .map(|k| {
            let v = s.get(&k).unwrap();
            let e = s.expires_at(&k).unwrap();
            (k.to_vec(), (v, e))
        })
        .collect()
}

/// A small snapshot with every kind of record: with and without TTL, empty
/// key and value, non-UTF-8 key; two databases.
fn small_snapshot(c: &ManualClock) -> Vec<u8> {
    let a = store(c);
    a.set("alpha", "one".to_string()).unwrap();
    a.set_with_ttl("beta", "two".to_string(), Duration::from_secs(60))
        .unwrap();
    a.set("", String::new()).unwrap();
    let b = store(c);
    b.set(vec![0xffu8, 0x00], "bin".to_string()).unwrap();
    let mut bytes = Vec::new();
    kvs::snapshot::save_all_to(&mut bytes, &[&a, &b]).unwrap();
    bytes
}

fn targets(c: &ManualClock) -> (Store<String>, Store<String>) {
    let x = store(c);
    x.set("previous", "contents".to_string()).unwrap();
    x.set_with_ttl("with-ttl", "too".to_string(), Duration::from_secs(30))
        .unwrap();
    let y = store(c);
    y.set("second", "db".to_string()).unwrap();
    (x, y)
}

fn assert_rejected(bytes: &[u8], what: &str, x: &Store<String>, y: &Store<String>) {
    let before = (contents(x), contents(y));
    let result = kvs::snapshot::load_all_from(bytes, &[x, y]);
    match result {
        Err(Error::CorruptedSnapshot { .. } | Error::UnsupportedVersion { .. }) => {}
        Err(Error::SnapshotDatabases { .. }) => {}
        other => panic!("{what}: expected an error, got {other:?}"),
    }
    assert_eq!((contents(x), contents(y)), before, "{what}: store changed");
    assert_eq!(x.len(), 2, "{what}");
    assert_eq!(x.len_with_ttl(), 1, "{what}");
}

#[test]
fn the_unchanged_snapshot_loads() {
    let c = clock();
    let bytes = small_snapshot(&c);
    let (x, y) = targets(&c);
    kvs::snapshot::load_all_from(&bytes[..], &[&x, &y]).unwrap();
    assert_eq!(x.get("alpha").unwrap(), "one");
    assert_eq!(y.get(&[0xffu8, 0x00][..]).unwrap(), "bin");
    assert!(!x.exists("previous"));
}

#[test]
fn every_single_byte_change_is_rejected_and_changes_nothing() {
    let c = clock();
    let bytes = small_snapshot(&c);
    let (x, y) = targets(&c);
    let mut damaged = bytes.clone();
    for at in 0..bytes.len() {
        for delta in 1..=255u8 {
            damaged[at] = bytes[at].wrapping_add(delta);
            let result = kvs::snapshot::load_all_from(&damaged[..], &[&x, &y]);
            assert!(result.is_err(), "byte {at} changed by {delta} was accepted");
            assert_eq!((x.len(), y.len()), (2, 1), "byte {at} changed by {delta}");
            assert_eq!(x.get("previous").unwrap(), "contents");
        }
        damaged[at] = bytes[at];
        // The full content check is costlier: once per position is enough
        // to show a failed load never touches the stores.
        damaged[at] = !bytes[at];
        assert_rejected(&damaged, &format!("byte {at} inverted"), &x, &y);
        damaged[at] = bytes[at];
    }
}

#[test]
fn every_truncation_is_rejected_and_changes_nothing() {
    let c = clock();
    let bytes = small_snapshot(&c);
    let (x, y) = targets(&c);
    for len in 0..bytes.len() {
        assert_rejected(&bytes[..len], &format!("truncated to {len}"), &x, &y);
        let err = kvs::snapshot::load_all_from(&bytes[..len], &[&x, &y]).unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("truncated at byte {len}"))
                || (len > 0 && len < 4 && err.to_string().contains("bad magic")),
            "truncated to {len}: {err}"
        );
    }
}

#[test]
fn every_truncated_file_is_rejected() {
    let c = clock();
    let bytes = small_snapshot(&c);
    let (x, y) = targets(&c);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.kvs");
    for len in 0..bytes.len() {
        std::fs::write(&path, &bytes[..len]).unwrap();
        let before = contents(&x);
        assert!(kvs::snapshot::load_all(&path, &[&x, &y]).is_err(), "{len}");
        assert_eq!(contents(&x), before);
    }
}
