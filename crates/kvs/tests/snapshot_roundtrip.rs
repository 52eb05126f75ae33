//! Snapshot round trips, replace semantics, streaming, multi-database files
//! and the typed errors.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use kvs::snapshot::{self, Corruption, SnapshotReader};
use kvs::{Error, ManualClock, Store};

fn clock() -> ManualClock {
    ManualClock::starting_at(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
}

fn store<V: Clone + Send + Sync + 'static>(clock: &ManualClock, shards: usize) -> Store<V> {
    store_saving_on(clock, shards, 0)
}

/// A store whose saves copy on `threads` threads (`0`: the default).
fn store_saving_on<V: Clone + Send + Sync + 'static>(
    clock: &ManualClock,
    shards: usize,
    threads: usize,
) -> Store<V> {
    Store::builder()
        .shards(shards)
        .clock(clock.clone())
        .save_threads(threads)
        .without_sweeper()
        .build()
        .unwrap()
}

/// Every live key with its value and expiry, sorted.
fn contents<V: Clone + Send + Sync + 'static>(
    s: &Store<V>,
) -> BTreeMap<Vec<u8>, (V, Option<SystemTime>)> {
    s.keys()
        .unwrap()
        .into_iter()
        .filter_map(|k| {
            let v = s.get(&k).ok()?;
            let e = s.expires_at(&k).ok()?;
            Some((k.to_vec(), (v, e)))
        })
        .collect()
}

#[test]
fn round_trip_without_ttls_across_shard_counts() {
    let c = clock();
    let a: Store<String> = store(&c, 16);
    for i in 0..1000 {
        a.set(format!("key{i}"), format!("value{i}")).unwrap();
    }
    let mut bytes = Vec::new();
    a.save_to(&mut bytes).unwrap();
    for shards in [1, 3, 16, 64] {
        let b: Store<String> = store(&c, shards);
        b.load_from(&bytes[..]).unwrap();
        assert_eq!(contents(&b), contents(&a), "{shards} shards");
        assert_eq!(b.len(), 1000);
    }
}

#[test]
fn round_trip_with_ttls_restores_absolute_deadlines() {
    let c = clock();
    let a: Store<u64> = store(&c, 8);
    a.set("forever", 1).unwrap();
    a.set_with_ttl("minute", 2, Duration::from_secs(60))
        .unwrap();
    // Not a whole millisecond: the file rounds the deadline up.
    a.set_with_ttl("odd", 3, Duration::from_nanos(1_500_001))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.kvs");
    a.save_snapshot(&path).unwrap();

    c.advance(Duration::from_secs(10));
    let b: Store<u64> = store(&c, 4);
    b.load_snapshot(&path).unwrap();
    assert_eq!(b.get("forever").unwrap(), 1);
    assert_eq!(b.ttl("forever").unwrap(), None);
    assert_eq!(
        b.expires_at("minute").unwrap(),
        a.expires_at("minute").unwrap()
    );
    assert_eq!(b.ttl("minute").unwrap(), Some(Duration::from_secs(50)));
    assert_eq!(b.len_with_ttl(), 1, "odd has expired by now");

    // Rounded up, never down: the key lives at least as long as asked.
    let c2 = clock();
    let d: Store<u64> = store(&c2, 4);
    d.load_snapshot(&path).unwrap();
    let odd = d.expires_at("odd").unwrap().unwrap();
    let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    assert_eq!(odd, start + Duration::from_millis(2));
    c2.advance(Duration::from_nanos(1_500_001));
    assert!(d.exists("odd"));
    c2.advance(Duration::from_nanos(499_999));
    assert!(!d.exists("odd"));
}

#[test]
fn expired_records_are_skipped_at_save_and_at_load() {
    let c = clock();
    let a: Store<u8> = store(&c, 4);
    a.set_with_ttl("short", 1, Duration::from_secs(1)).unwrap();
    a.set_with_ttl("long", 2, Duration::from_secs(100)).unwrap();
    a.set("plain", 3).unwrap();
    c.advance(Duration::from_secs(1));
    // "short" expired but not yet removed: the save leaves it out.
    assert_eq!(a.len(), 3);
    let mut bytes = Vec::new();
    a.save_to(&mut bytes).unwrap();
    let info = SnapshotReader::new(&bytes[..]).unwrap().verify().unwrap();
    assert_eq!(info.records(), 2);
    assert_eq!(info.with_ttl(), 1);

    // At load, "long" has expired too.
    c.advance(Duration::from_secs(99));
    let b: Store<u8> = store(&c, 4);
    b.load_from(&bytes[..]).unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b.get("plain").unwrap(), 3);
}

#[test]
fn load_replaces_the_whole_contents() {
    let c = clock();
    let a: Store<u8> = store(&c, 4);
    a.set("new", 1).unwrap();
    let mut bytes = Vec::new();
    a.save_to(&mut bytes).unwrap();
    let b: Store<u8> = store(&c, 4);
    b.set("new", 9).unwrap();
    b.set_with_ttl("old", 2, Duration::from_secs(5)).unwrap();
    b.load_from(&bytes[..]).unwrap();
    assert_eq!(contents(&b), contents(&a));
    assert_eq!(b.len_with_ttl(), 0, "the TTL index was replaced too");
    // The store works normally afterwards.
    b.set("after", 3).unwrap();
    assert_eq!(b.len(), 2);
}

#[test]
fn empty_store_round_trips() {
    let c = clock();
    let a: Store<u8> = store(&c, 4);
    let mut bytes = Vec::new();
    a.save_to(&mut bytes).unwrap();
    let b: Store<u8> = store(&c, 4);
    b.set("x", 1).unwrap();
    b.load_from(&bytes[..]).unwrap();
    assert!(b.is_empty());
}

#[test]
fn streaming_load_with_a_length_limited_source() {
    let c = clock();
    let a: Store<Vec<u8>> = store(&c, 4);
    a.set(vec![0xff, 0], vec![1, 2, 3]).unwrap();
    let mut bytes = Vec::new();
    a.save_to(&mut bytes).unwrap();
    let len = bytes.len();
    bytes.extend_from_slice(b"after");
    let mut cursor = std::io::Cursor::new(bytes);
    let b: Store<Vec<u8>> = store(&c, 4);
    // The loader buffers; a caller with more data behind the snapshot
    // bounds the source so that what follows stays unread.
    b.load_from(std::io::Read::take(&mut cursor, len as u64))
        .unwrap();
    assert_eq!(cursor.position() as usize, len);
    assert_eq!(b.get(&[0xff, 0][..]).unwrap(), vec![1, 2, 3]);
}

#[test]
fn save_snapshot_replaces_an_existing_file_and_leaves_no_temp_files() {
    let c = clock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.kvs");
    std::fs::write(&path, b"old contents").unwrap();
    let a: Store<u8> = store(&c, 4);
    a.set("k", 1).unwrap();
    a.save_snapshot(&path).unwrap();
    a.save_snapshot(&path).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["s.kvs"]);
    let b: Store<u8> = store(&c, 4);
    b.load_snapshot(&path).unwrap();
    assert_eq!(b.get("k").unwrap(), 1);
}

#[test]
fn multi_database_files_load_all_or_nothing() {
    let c = clock();
    let dbs: Vec<Store<Bytes>> = (0..16).map(|_| store(&c, 4)).collect();
    for (i, db) in dbs.iter().enumerate() {
        for j in 0..i {
            db.set(format!("db{i}:{j}"), Bytes::from(format!("v{j}")))
                .unwrap();
        }
    }
    let refs: Vec<&Store<Bytes>> = dbs.iter().collect();
    let mut bytes = Vec::new();
    snapshot::save_all_to(&mut bytes, &refs).unwrap();

    let fresh: Vec<Store<Bytes>> = (0..16).map(|_| store(&c, 2)).collect();
    for f in &fresh {
        f.set("stale", Bytes::from_static(b"x")).unwrap();
    }
    let fresh_refs: Vec<&Store<Bytes>> = fresh.iter().collect();

    // A value that does not decode, in the last database: nothing changes.
    let mut bad = bytes.clone();
    let at = find(&bad, b"db15:14").unwrap() + 7 + 4;
    bad[at] = 0xff; // the value's varint length: now it claims more bytes
    fix_crc(&mut bad);
    // The checksum holds, so the file is intact: the value is not this type.
    let err = snapshot::load_all_from(&bad[..], &fresh_refs).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::SchemaMismatch { database: 15, key, .. } if &key[..] == b"db15:14"
        ),
        "{err}"
    );
    for f in &fresh {
        assert_eq!(f.len(), 1);
        assert!(f.exists("stale"));
    }

    snapshot::load_all_from(&bytes[..], &fresh_refs).unwrap();
    for (a, b) in dbs.iter().zip(&fresh) {
        assert_eq!(contents(a), contents(b));
    }

    // Fewer stores than databases is refused; more are emptied.
    let err = snapshot::load_all_from(&bytes[..], &fresh_refs[..3]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SnapshotDatabases {
                found: 16,
                expected: 3
            }
        ),
        "{err}"
    );
    let extra: Store<Bytes> = store(&c, 2);
    extra.set("stale", Bytes::new()).unwrap();
    let mut more = fresh_refs.clone();
    more.push(&extra);
    snapshot::load_all_from(&bytes[..], &more).unwrap();
    assert!(extra.is_empty());
}

#[test]
fn the_same_store_twice_is_saved_once_and_loads() {
    let c = clock();
    let a: Store<u8> = store(&c, 4);
    a.set("k", 1).unwrap();
    let mut bytes = Vec::new();
    snapshot::save_all_to(&mut bytes, &[&a, &a]).unwrap();
    let info = SnapshotReader::new(&bytes[..]).unwrap().verify().unwrap();
    assert_eq!(info.databases.len(), 2);
    assert_eq!(info.records(), 2);
}

/// A save to a file streams its records and writes the header last (the
/// counts are known only then), with the checksum combined from the parts;
/// a save to a stream buffers instead. Both must give the same bytes: here
/// for three databases, one listed twice (kept, not copied again), and more
/// than one writeback chunk (8 MiB) of records.
#[test]
fn a_saved_file_holds_exactly_the_streamed_bytes() {
    let c = clock();
    // Copied by four threads, so the images come back out of order and the
    // writer must put them in file order.
    let big: Store<Bytes> = store_saving_on(&c, 8, 4);
    let value = Bytes::from(vec![b'v'; 1000]);
    for i in 0..10_000 {
        big.set(format!("key-{i}"), value.clone()).unwrap();
    }
    big.set_with_ttl("ttl", Bytes::from_static(b"t"), Duration::from_secs(60))
        .unwrap();
    let small: Store<Bytes> = store(&c, 2);
    small.set("s", Bytes::from_static(b"small")).unwrap();
    let dbs = [&big, &small, &big];

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.kvs");
    let saved = snapshot::save_all(&path, &dbs).unwrap();
    let mut streamed = Vec::new();
    let stream_stats = snapshot::save_all_to(&mut streamed, &dbs).unwrap();
    let file = std::fs::read(&path).unwrap();
    assert!(file.len() > 8 << 20);
    assert!(file == streamed, "file and stream differ");

    // Both report the same save: every record of the three databases, the
    // bytes written, and each store's shards captured once.
    for stats in [saved, stream_stats] {
        assert_eq!(stats.records, 10_001 + 1 + 10_001);
        assert_eq!(stats.bytes, file.len() as u64);
        assert_eq!(stats.shards, 8 + 2);
        assert_eq!(stats.copied_by_writers, 0);
        assert_eq!(stats.gave_way, Duration::ZERO, "no writer wrote");
        assert!(stats.longest_shard_copy > Duration::ZERO);
        // ~1,250 records a shard, over 1,024 buckets: copied in chunks.
        assert!(stats.longest_lock_hold > Duration::ZERO);
        assert!(stats.longest_lock_hold <= stats.longest_shard_copy);
    }

    let info = SnapshotReader::open(&path).unwrap().verify().unwrap();
    let counts: Vec<(u64, u64)> = info
        .databases
        .iter()
        .map(|d| (d.records, d.with_ttl))
        .collect();
    assert_eq!(counts, [(10_001, 1), (1, 0), (10_001, 1)]);
    let back: [Store<Bytes>; 3] = [store(&c, 4), store(&c, 4), store(&c, 4)];
    snapshot::load_all(&path, &[&back[0], &back[1], &back[2]]).unwrap();
    assert_eq!(contents(&back[0]), contents(&big));
    assert_eq!(contents(&back[1]), contents(&small));
    assert_eq!(contents(&back[2]), contents(&big));
}

/// A source that hands out at most `step` bytes per read.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

/// The reader parses a record where it lies in its 256 KiB buffer when the
/// record fits, and piece by piece when it does not: records larger than
/// the buffer (a key, a value, or both), small ones on either side of them,
/// and sources that deliver a few bytes at a time all load the same.
#[test]
fn records_larger_than_the_read_buffer_and_trickling_sources_load() {
    let c = clock();
    let a: Store<Bytes> = store(&c, 4);
    let huge = |n: usize, b: u8| Bytes::from(vec![b; n]);
    a.set("small-before", Bytes::from_static(b"x")).unwrap();
    a.set("big-value", huge(300 * 1024, b'v')).unwrap();
    a.set(vec![b'k'; 300 * 1024], Bytes::from_static(b"big key"))
        .unwrap();
    a.set_with_ttl(
        vec![b'q'; 200 * 1024],
        huge(200 * 1024, b'w'),
        Duration::from_secs(60),
    )
    .unwrap();
    for i in 0..3000 {
        a.set(format!("k{i}"), huge(i % 200, b'z')).unwrap();
    }
    let mut bytes = Vec::new();
    a.save_to(&mut bytes).unwrap();
    for step in [1 << 20, 4096, 7, 1] {
        let b: Store<Bytes> = store(&c, 3);
        b.load_from(Trickle {
            bytes: &bytes,
            step,
        })
        .unwrap();
        assert_eq!(contents(&b), contents(&a), "step {step}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.kvs");
    a.save_snapshot(&path).unwrap();
    let b: Store<Bytes> = store(&c, 5);
    b.load_snapshot(&path).unwrap();
    assert_eq!(contents(&b), contents(&a));
}

#[test]
fn bytes_values_dump_as_their_contents() {
    let c = clock();
    let a: Store<Bytes> = store(&c, 4);
    a.set("k", Bytes::from_static(b"\x00\xffraw")).unwrap();
    let mut bytes = Vec::new();
    a.save_to(&mut bytes).unwrap();
    let mut r = SnapshotReader::new(&bytes[..]).unwrap();
    let rec = r.next_record().unwrap().unwrap();
    assert_eq!(rec.value_as_bytes(), Some(&b"\x00\xffraw"[..]));
    assert!(r.next_record().unwrap().is_none());
}

#[test]
fn header_reports_creation_time_by_the_store_clock() {
    let c = clock();
    let a: Store<u8> = store(&c, 4);
    let mut bytes = Vec::new();
    a.save_to(&mut bytes).unwrap();
    let r = SnapshotReader::new(&bytes[..]).unwrap();
    assert_eq!(
        r.info().created(),
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    );
}

#[test]
fn typed_errors() {
    let c = clock();
    let a: Store<u8> = store(&c, 4);
    a.set("k", 1).unwrap();
    let mut good = Vec::new();
    a.save_to(&mut good).unwrap();

    let mut newer = good.clone();
    newer[4] = 3;
    let err = a.load_from(&newer[..]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnsupportedVersion {
                found: 3,
                supported: 2
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "unsupported snapshot version 3 (this build reads versions 1 to 2)"
    );

    let err = a.load_from(&b"RDB9xxxxxxxx"[..]).unwrap_err();
    assert!(err.to_string().contains("bad magic"), "{err}");

    let mut flipped = good.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 0x40;
    let err = a.load_from(&flipped[..]).unwrap_err();
    assert!(err.to_string().contains("checksum mismatch"), "{err}");

    let err = a.load_from(&good[..good.len() - 3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("corrupted snapshot: truncated at byte {}", good.len() - 3)
    );

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.kvs");
    let err = a.load_snapshot(&missing).unwrap_err();
    match &err {
        Error::Io { path: Some(p), .. } => assert_eq!(p, &missing),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("missing.kvs"), "{err}");

    // Saving into a directory that does not exist names the temp file's path.
    let err = a
        .save_snapshot(dir.path().join("no/such/dir.kvs"))
        .unwrap_err();
    assert!(matches!(err, Error::Io { path: Some(_), .. }), "{err}");

    // Trailing bytes after a file's snapshot are corruption.
    let path = dir.path().join("trailing.kvs");
    let mut trailing = good.clone();
    trailing.push(0);
    std::fs::write(&path, &trailing).unwrap();
    let err = a.load_snapshot(&path).unwrap_err();
    assert!(matches!(
        err,
        Error::CorruptedSnapshot {
            reason: Corruption::TrailingData { .. }
        }
    ));
    assert_eq!(a.get("k").unwrap(), 1);

    a.close().unwrap();
    assert!(matches!(a.load_from(&good[..]), Err(Error::StoreClosed)));
    assert!(matches!(a.save_to(Vec::new()), Err(Error::StoreClosed)));
}

/// A value whose serialisation fails.
#[derive(Clone)]
struct Unencodable;

impl serde::Serialize for Unencodable {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom("refuses"))
    }
}

#[test]
fn a_value_that_cannot_be_encoded_fails_the_save_and_keeps_the_old_file() {
    for threads in [1, 4] {
        let c = clock();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.kvs");
        std::fs::write(&path, b"previous").unwrap();
        let a: Store<Unencodable> = store_saving_on(&c, 8, threads);
        a.set("bad", Unencodable).unwrap();
        let err = a.save_snapshot(&path).unwrap_err();
        assert!(
            matches!(&err, Error::SnapshotEncode { key, .. } if &key[..] == b"bad"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), b"previous");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(a.save_to(Vec::new()).is_err());
    }
}

#[test]
fn concurrent_saves_to_one_path_leave_one_whole() {
    let c = clock();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.kvs");
    let stores: Vec<Store<u32>> = (0..4u32)
        .map(|g| {
            let s = store(&c, 4);
            for i in 0..2000 {
                s.set(format!("k{i}"), g).unwrap();
            }
            s
        })
        .collect();
    for _ in 0..5 {
        std::thread::scope(|scope| {
            for s in &stores {
                scope.spawn(|| s.save_snapshot(&path).unwrap());
            }
        });
        let b: Store<u32> = store(&c, 4);
        b.load_snapshot(&path).unwrap();
        let values: std::collections::BTreeSet<u32> =
            contents(&b).into_values().map(|(v, _)| v).collect();
        assert_eq!(values.len(), 1, "one save's contents, whole");
        assert_eq!(b.len(), 2000);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Recomputes the trailer so that a deliberate change reaches the decoder.
fn fix_crc(bytes: &mut [u8]) {
    let n = bytes.len() - 4;
    let crc = crc32fast::hash(&bytes[..n]);
    bytes[n..].copy_from_slice(&crc.to_le_bytes());
}

/// Version-1 files written by an independent encoder of
/// docs/snapshot-format.md (fuzz/make_seeds.py). The compatibility policy
/// says every older version stays readable: these must load in every future
/// version.
#[test]
fn version_1_golden_files_stay_readable() {
    let ttl = include_bytes!("../../../fuzz/seeds/ttl.kvs");
    let c = ManualClock::starting_at(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let s: Store<Vec<u8>> = store(&c, 4);
    s.load_from(&ttl[..]).unwrap();
    assert_eq!(s.get("a").unwrap(), b"1");
    assert_eq!(s.get(&[0xff, 0x00][..]).unwrap(), [0x00, 0xfe]);
    assert_eq!(
        s.expires_at("s").unwrap(),
        Some(UNIX_EPOCH + Duration::from_millis(4_102_444_800_000))
    );
    let info = SnapshotReader::new(&ttl[..]).unwrap().verify().unwrap();
    assert_eq!(info.created_unix_ms, 1_700_000_000_000);

    let two = include_bytes!("../../../fuzz/seeds/two_dbs.kvs");
    let (x, y): (Store<String>, Store<String>) = (store(&c, 2), store(&c, 2));
    snapshot::load_all_from(&two[..], &[&x, &y]).unwrap();
    assert_eq!(x.get("x").unwrap(), "");
    assert!(y.is_empty(), "its one record expired in 1970");
}

static PANIC_ON_SERIALIZE: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// A value whose serialisation panics while the flag is set.
#[derive(Clone, PartialEq, Debug, serde::Deserialize)]
struct Fragile(u8);

impl serde::Serialize for Fragile {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        assert!(
            !PANIC_ON_SERIALIZE.load(std::sync::atomic::Ordering::Relaxed),
            "fragile"
        );
        s.serialize_u8(self.0)
    }
}

#[test]
fn a_panicking_save_leaves_the_store_and_later_saves_working() {
    // On the calling thread alone, and with helper threads (whose panic must
    // stop the save rather than leave the calling thread waiting).
    for threads in [1, 4] {
        let c = clock();
        let a: Store<Fragile> = store_saving_on(&c, 8, threads);
        for i in 0..64 {
            a.set(format!("k{i}"), Fragile(1)).unwrap();
        }
        PANIC_ON_SERIALIZE.store(true, std::sync::atomic::Ordering::Relaxed);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.save_to(Vec::new())));
        assert!(r.is_err(), "threads {threads}");
        // The abandoned save no longer asks writers to copy (which would
        // serialise, and panic, here).
        a.set("k0", Fragile(2)).unwrap();
        PANIC_ON_SERIALIZE.store(false, std::sync::atomic::Ordering::Relaxed);
        let mut bytes = Vec::new();
        a.save_to(&mut bytes).unwrap();
        let b: Store<Fragile> = store(&c, 4);
        b.load_from(&bytes[..]).unwrap();
        assert_eq!(b.get("k0").unwrap(), Fragile(2));
        assert_eq!(b.len(), 64);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any contents, any TTLs, any shard counts on either side: what loads
    /// is what was live at the save, with the same deadlines (rounded up to
    /// the millisecond).
    #[test]
    fn any_store_round_trips(
        entries in proptest::collection::btree_map(
            proptest::collection::vec(proptest::num::u8::ANY, 0..12),
            (
                proptest::collection::vec(proptest::num::u8::ANY, 0..40),
                proptest::option::of(1u64..5_000),
            ),
            0..60,
        ),
        save_shards in 1usize..9,
        load_shards in 1usize..9,
        elapsed_ms in 0u64..3_000,
    ) {
        let c = clock();
        let a: Store<Vec<u8>> = store(&c, save_shards);
        for (k, (v, ttl_ms)) in &entries {
            match ttl_ms {
                Some(ms) => a.set_with_ttl(k.clone(), v.clone(), Duration::from_millis(*ms)).unwrap(),
                None => a.set(k.clone(), v.clone()).unwrap(),
            }
        }
        c.advance(Duration::from_millis(elapsed_ms));
        let mut bytes = Vec::new();
        a.save_to(&mut bytes).unwrap();
        let b: Store<Vec<u8>> = store(&c, load_shards);
        b.load_from(&bytes[..]).unwrap();
        proptest::prop_assert_eq!(contents(&b), contents(&a));
        let live = entries
            .values()
            .filter(|(_, ttl)| !matches!(ttl, Some(ms) if *ms <= elapsed_ms))
            .count();
        proptest::prop_assert_eq!(b.len(), live);
    }
}
