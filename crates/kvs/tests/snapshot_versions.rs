//! Format version 2 and value versions: old files load, a file of another
//! value version is refused unless migrated, and a value of another shape
//! is a schema mismatch naming its record (docs/snapshot-format.md).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use kvs::snapshot::{self, SnapshotReader};
use kvs::{Error, ManualClock, Store};

fn clock() -> ManualClock {
    ManualClock::starting_at(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
}

fn store<V: Clone + Send + Sync + 'static>(c: &ManualClock, value_version: u32) -> Store<V> {
    Store::builder()
        .shards(4)
        .clock(c.clone())
        .without_sweeper()
        .value_version(value_version)
        .build()
        .unwrap()
}

#[test]
fn a_version_1_file_has_value_version_0() {
    let ttl = include_bytes!("../../../fuzz/seeds/ttl.kvs");
    let info = SnapshotReader::new(&ttl[..]).unwrap().verify().unwrap();
    assert_eq!((info.version, info.value_version), (1, 0));
    let c = clock();
    let s: Store<Vec<u8>> = store(&c, 0);
    s.load_from(&ttl[..]).unwrap();
    assert_eq!(s.get("a").unwrap(), b"1");
    // A store that expects value version 1 does not take it as is...
    let v1: Store<Vec<u8>> = store(&c, 1);
    v1.set("kept", b"x".to_vec()).unwrap();
    let err = v1.load_from(&ttl[..]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ValueVersionMismatch {
                found: 0,
                expected: 1
            }
        ),
        "{err}"
    );
    assert_eq!(v1.len(), 1, "nothing loaded");
    // ... but through a migration.
    snapshot::load_all_from_migrating(&ttl[..], &[&v1], |found, b| {
        assert_eq!(found, 0);
        snapshot::decode::<Vec<u8>>(b)
    })
    .unwrap();
    assert_eq!(v1.get("s").unwrap(), b"token");
    assert!(!v1.exists("kept"));
}

/// Version-2 files written by the independent encoder (fuzz/make_seeds.py).
#[test]
fn version_2_golden_files_stay_readable() {
    let v2 = include_bytes!("../../../fuzz/seeds/v2_ttl.kvs");
    let info = SnapshotReader::new(&v2[..]).unwrap().verify().unwrap();
    assert_eq!((info.version, info.value_version), (2, 3));
    assert_eq!(info.created_unix_ms, 1_700_000_000_000);
    assert_eq!((info.records(), info.with_ttl()), (3, 1));
    let c = clock();
    let s: Store<Vec<u8>> = store(&c, 3);
    s.load_from(&v2[..]).unwrap();
    assert_eq!(s.get("a").unwrap(), b"1");
    assert_eq!(s.get(&[0xff, 0x00][..]).unwrap(), [0x00, 0xfe]);
    assert_eq!(
        s.expires_at("s").unwrap(),
        Some(UNIX_EPOCH + Duration::from_millis(4_102_444_800_000))
    );
    let empty = include_bytes!("../../../fuzz/seeds/v2_empty.kvs");
    let (x, y): (Store<String>, Store<String>) = (store(&c, 0), store(&c, 0));
    x.set("old", String::new()).unwrap();
    snapshot::load_all_from(&empty[..], &[&x, &y]).unwrap();
    assert!(x.is_empty());
}

#[test]
fn a_value_version_mismatch_says_what_to_do() {
    let c = clock();
    let a: Store<u32> = store(&c, 4);
    a.set("k", 1).unwrap();
    let mut file = Vec::new();
    a.save_to(&mut file).unwrap();
    assert_eq!(&file[4..6], &2u16.to_le_bytes(), "format version 2");
    assert_eq!(
        &file[20..24],
        &4u32.to_le_bytes(),
        "value version at byte 20"
    );
    let b: Store<u32> = store(&c, 5);
    let err = b.load_from(&file[..]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::ValueVersionMismatch {
                found: 4,
                expected: 5
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("value version 4"), "{text}");
    assert!(text.contains("expects version 5"), "{text}");
    assert!(text.contains("load_all_migrating"), "{text}");
    // Same version: loads as is.
    let same: Store<u32> = store(&c, 4);
    same.load_from(&file[..]).unwrap();
    assert_eq!(same.get("k").unwrap(), 1);
}

/// The roadmap's example: u32 values become u64 values, with a version bump
/// and a migration; the file at the new version then loads without one, and
/// a migration is not called for a file already at the store's version.
#[test]
fn a_migrating_load_converts_old_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.kvs");
    let c = clock();
    let old: Store<u32> = store(&c, 1);
    for i in 0..10_000u32 {
        old.set(format!("k{i}"), i).unwrap();
    }
    old.set_with_ttl("ttl", u32::MAX, Duration::from_secs(60))
        .unwrap();
    old.save_snapshot(&path).unwrap();

    let new: Store<u64> = store(&c, 2);
    new.set("stale", 0).unwrap();
    assert!(matches!(
        new.load_snapshot(&path),
        Err(Error::ValueVersionMismatch {
            found: 1,
            expected: 2
        })
    ));
    let calls = AtomicUsize::new(0);
    let migrate = |found: u32, bytes: &[u8]| {
        calls.fetch_add(1, Ordering::Relaxed);
        match found {
            1 => snapshot::decode::<u32>(bytes).map(|n| u64::from(n) << 8),
            v => Err(format!("unknown value version {v}")),
        }
    };
    new.load_snapshot_migrating(&path, migrate).unwrap();
    assert_eq!(calls.load(Ordering::Relaxed), 10_001);
    assert_eq!(new.len(), 10_001);
    assert!(!new.exists("stale"));
    assert_eq!(new.get("k7").unwrap(), 7 << 8);
    assert_eq!(new.get("ttl").unwrap(), u64::from(u32::MAX) << 8);
    assert!(new.expires_at("ttl").unwrap().is_some());

    // Saved again, the file is at version 2: no migration needed.
    new.save_snapshot(&path).unwrap();
    assert_eq!(SnapshotReader::open(&path).unwrap().info().value_version, 2);
    calls.store(0, Ordering::Relaxed);
    let again: Store<u64> = store(&c, 2);
    again.load_snapshot_migrating(&path, migrate).unwrap();
    assert_eq!(
        calls.load(Ordering::Relaxed),
        0,
        "already at the store's version"
    );
    assert_eq!(again.get("k7").unwrap(), 7 << 8);
}

#[test]
fn a_failed_migration_names_the_record_and_loads_nothing() {
    let c = clock();
    let old: Store<String> = store(&c, 0);
    old.set("fine", "12".to_string()).unwrap();
    old.set("bad", "twelve".to_string()).unwrap();
    let mut file = Vec::new();
    old.save_to(&mut file).unwrap();
    let new: Store<u64> = store(&c, 1);
    new.set("kept", 1).unwrap();
    let err = snapshot::load_all_from_migrating(&file[..], &[&new], |_, b| {
        let s: String = snapshot::decode(b)?;
        s.parse::<u64>().map_err(|e| e.to_string())
    })
    .unwrap_err();
    match &err {
        Error::SchemaMismatch {
            database: 0,
            key,
            detail,
            ..
        } => {
            assert_eq!(&key[..], b"bad");
            assert!(
                detail.contains("migrating from value version 0"),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(new.len(), 1);
    assert_eq!(new.get("kept").unwrap(), 1);
}

/// A value type that changed shape without a version bump: the file is
/// intact, so the error is a schema mismatch naming the record, and its
/// text says what probably happened.
#[test]
fn a_value_of_another_shape_is_a_schema_mismatch_naming_the_record() {
    #[derive(Clone, serde::Serialize, serde::Deserialize)]
    struct V1 {
        name: String,
    }
    #[derive(Clone, serde::Serialize, serde::Deserialize)]
    struct V2 {
        name: String,
        age: u32,
    }
    let c = clock();
    let old: Store<V1> = store(&c, 0);
    old.set("person", V1 { name: "ada".into() }).unwrap();
    let mut file = Vec::new();
    old.save_to(&mut file).unwrap();
    let new: Store<V2> = store(&c, 0);
    let err = new.load_from(&file[..]).unwrap_err();
    match &err {
        Error::SchemaMismatch {
            database: 0,
            index: 0,
            key,
            ..
        } => assert_eq!(&key[..], b"person"),
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("record 0 (database 0, key"), "{text}");
    assert!(
        text.contains("another version of the application"),
        "{text}"
    );
    assert!(new.is_empty());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any value version and contents: the header says the version, and the
    /// file loads into a store of that version with the same contents.
    #[test]
    fn any_value_version_round_trips(
        version in proptest::num::u32::ANY,
        entries in proptest::collection::btree_map(
            proptest::collection::vec(proptest::num::u8::ANY, 0..8),
            proptest::num::u64::ANY,
            0..40,
        ),
    ) {
        let c = clock();
        let a: Store<u64> = store(&c, version);
        for (k, v) in &entries {
            a.set(&k[..], *v).unwrap();
        }
        let mut file = Vec::new();
        a.save_to(&mut file).unwrap();
        let info = SnapshotReader::new(&file[..]).unwrap().verify().unwrap();
        proptest::prop_assert_eq!(info.version, 2);
        proptest::prop_assert_eq!(info.value_version, version);
        let b: Store<u64> = store(&c, version);
        b.load_from(&file[..]).unwrap();
        proptest::prop_assert_eq!(b.len(), entries.len());
        for (k, v) in &entries {
            proptest::prop_assert_eq!(b.get(&k[..]).unwrap(), *v);
        }
        let other: Store<u64> = store(&c, version.wrapping_add(1));
        let mismatch = matches!(
            other.load_from(&file[..]),
            Err(Error::ValueVersionMismatch { .. })
        );
        proptest::prop_assert!(mismatch);
    }
}
