//! `kvs snapshot info|verify|dump` on good, corrupt and missing files, run
//! as the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, UNIX_EPOCH};

use kvs::{ManualClock, Store};

fn kvs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kvs"))
        .args(args)
        .output()
        .expect("run kvs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A snapshot of 3 string records (one with a TTL, one with a non-UTF-8 key
/// and value bytes) taken at 2023-11-14T22:13:20Z.
fn good_snapshot(dir: &Path) -> PathBuf {
    let clock = ManualClock::starting_at(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let store: Store<Vec<u8>> = Store::builder()
        .shards(4)
        .clock(clock)
        .without_sweeper()
        .build()
        .unwrap();
    store.set("plain", b"hello".to_vec()).unwrap();
    store
        .set_with_ttl("session", b"token".to_vec(), Duration::from_secs(60))
        .unwrap();
    store.set(vec![0xff, 0x01], vec![0x00, 0xfe]).unwrap();
    let path = dir.join("good.kvs");
    store.save_snapshot(&path).unwrap();
    path
}

fn corrupt_copy(dir: &Path, good: &Path) -> PathBuf {
    let mut bytes = std::fs::read(good).unwrap();
    let at = bytes.len() - 10;
    bytes[at] ^= 0x01;
    let path = dir.join("corrupt.kvs");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn info_shows_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_snapshot(dir.path());
    let o = kvs(&["snapshot", "info", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let size = std::fs::metadata(&good).unwrap().len();
    for line in [
        format!("size: {size} bytes"),
        "format version: 2".to_string(),
        "value version: 0".to_string(),
        "created: 2023-11-14T22:13:20.000Z (1700000000000 ms since the Unix epoch)".to_string(),
        "records: 3".to_string(),
        "keys with a TTL: 1".to_string(),
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
}

#[test]
fn verify_good_corrupt_and_missing() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_snapshot(dir.path());
    let o = kvs(&["snapshot", "verify", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1);
    assert!(stdout(&o).contains(
        ": OK: format version 2, value version 0, 3 records (1 with a TTL) in 1 database,"
    ));

    let bad = corrupt_copy(dir.path(), &good);
    let o = kvs(&["snapshot", "verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert!(
        stdout(&o).contains("CORRUPT: corrupted snapshot: checksum mismatch"),
        "{}",
        stdout(&o)
    );

    let truncated = dir.path().join("truncated.kvs");
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() - 1]).unwrap();
    let o = kvs(&["snapshot", "verify", truncated.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains(&format!("truncated at byte {}", bytes.len() - 1)),
        "{}",
        stdout(&o)
    );

    let newer = dir.path().join("newer.kvs");
    let mut bytes = bytes.clone();
    bytes[4] = 9;
    std::fs::write(&newer, &bytes).unwrap();
    let o = kvs(&["snapshot", "verify", newer.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("unsupported snapshot version 9"),
        "{}",
        stdout(&o)
    );

    let missing = dir.path().join("missing.kvs");
    for cmd in ["info", "verify", "dump"] {
        let o = kvs(&["snapshot", cmd, missing.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(stdout(&o).is_empty(), "{cmd}");
        assert!(stderr(&o).contains("cannot read"), "{cmd}: {}", stderr(&o));
        assert!(stderr(&o).contains("missing.kvs"), "{cmd}: {}", stderr(&o));
    }
    // A directory is unreadable as a snapshot.
    let o = kvs(&["snapshot", "verify", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn dump_prints_one_json_object_per_record() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_snapshot(dir.path());
    let o = kvs(&["snapshot", "dump", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut expected = vec![
        serde_json::json!({"database": 0, "key": "plain", "value": "hello", "expires_at_ms": null}),
        serde_json::json!({"database": 0, "key": "session", "value": "token", "expires_at_ms": 1_700_000_060_000u64}),
        serde_json::json!({"database": 0, "key_base64": "/wE=", "value_base64": "AP4=", "expires_at_ms": null}),
    ];
    lines.sort_by_key(|v| v.to_string());
    expected.sort_by_key(|v| v.to_string());
    assert_eq!(lines, expected);

    let o = kvs(&["snapshot", "dump", "--limit", "2", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).lines().count(), 2);

    let bad = corrupt_copy(dir.path(), &good);
    let o = kvs(&["snapshot", "dump", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).is_empty(),
        "nothing from a damaged file is printed"
    );
    assert!(stderr(&o).contains("checksum mismatch"), "{}", stderr(&o));
}

#[test]
fn dump_shows_non_byte_values_as_their_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let store: Store<(u32, bool)> = Store::new(2).unwrap();
    store.set("pair", (300, true)).unwrap();
    let path = dir.path().join("pair.kvs");
    store.save_snapshot(&path).unwrap();
    let o = kvs(&["snapshot", "dump", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    // postcard: 300 as varint [0xac, 0x02], true as [0x01].
    assert_eq!(v["value_postcard_base64"], "rAIB");
}

#[test]
fn multi_database_info() {
    let dir = tempfile::tempdir().unwrap();
    let dbs: Vec<Store<String>> = (0..3).map(|_| Store::new(2).unwrap()).collect();
    dbs[1].set("k", "v".to_string()).unwrap();
    let refs: Vec<&Store<String>> = dbs.iter().collect();
    let path = dir.path().join("dump.kvs");
    kvs::snapshot::save_all(&path, &refs).unwrap();
    let o = kvs(&["snapshot", "info", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("databases: 3\n"));
    assert!(stdout(&o).contains("database 1: 1 records, 0 with a TTL\n"));
    let o = kvs(&["snapshot", "dump", path.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["database"], 1);
}

#[test]
fn bad_usage_exits_2() {
    let o = kvs(&["snapshot", "dump"]);
    assert_eq!(o.status.code(), Some(2));
    let o = kvs(&["snapshot", "dump", "--limit", "x", "f"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A version-1 file (fuzz/seeds/ttl.kvs, from the format document) shows
/// format version 1 and value version 0.
#[test]
fn info_of_a_version_1_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fuzz/seeds/ttl.kvs");
    let o = kvs(&["snapshot", "info", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.lines().any(|l| l == "format version: 1"), "{out}");
    assert!(out.lines().any(|l| l == "value version: 0"), "{out}");
}

/// A `kvs serve` file (value version 1) shows each value's type and
/// contents.
#[test]
fn dump_shows_server_types() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fuzz/seeds/server/types.kvs"
    );
    let o = kvs(&["snapshot", "info", path]);
    assert!(
        stdout(&o).lines().any(|l| l == "value version: 1"),
        "{}",
        stdout(&o)
    );
    let o = kvs(&["snapshot", "dump", path]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |key: &str| {
        lines
            .iter()
            .find(|l| l["key"] == key)
            .unwrap_or_else(|| panic!("no {key}"))
            .clone()
    };
    assert_eq!(lines.len(), 6);
    let v = find("str");
    assert_eq!(
        (v["type"].as_str(), v["value"].as_str()),
        (Some("string"), Some("hello"))
    );
    let v = find("hash");
    assert_eq!(v["type"], "hash");
    assert_eq!(v["value"]["f1"], "v1");
    assert_eq!(v["value"]["f2"]["base64"], "/w==");
    let v = find("list");
    assert_eq!(v["type"], "list");
    assert_eq!(v["value"], serde_json::json!(["a", "b", "a"]));
    assert_eq!(v["expires_at_ms"], 4_102_444_800_000u64);
    let v = find("ints");
    assert_eq!(v["type"], "set");
    assert_eq!(v["value"], serde_json::json!(["1", "2", "3"]));
    assert_eq!(find("names")["value"].as_array().unwrap().len(), 2);
}
