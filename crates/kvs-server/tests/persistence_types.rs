//! Every type survives SAVE and a restart: contents, TTL and OBJECT
//! ENCODING; and files of the old encoding (value version 0: strings only,
//! in format version 1) still load.
//!
//! The hash, list and set commands are written on other branches, so the
//! collections are made through the library (`kvs::Store<Value>` and
//! `kvs::snapshot::save_all` at the server's value version), checked with
//! commands main has (TYPE, OBJECT ENCODING, DBSIZE, TTL, GET), and their
//! contents compared by loading the server's own SAVE back through the
//! library. Once HGETALL, LRANGE and SMEMBERS exist, add command-level
//! checks of the contents after the restart (see the note at the end).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use kvs::{ManualClock, Store};
use kvs_server::encoding::VALUE_VERSION;
use kvs_server::types::{Encodings, Hash, List, Set};
use kvs_server::value::Value;

/// The server's 16 databases, as the library sees them.
fn databases(clock: &ManualClock) -> Vec<Store<Value>> {
    (0..16)
        .map(|_| {
            Store::builder()
                .shards(4)
                .clock(clock.clone())
                .without_sweeper()
                .value_version(VALUE_VERSION)
                .build()
                .unwrap()
        })
        .collect()
}

fn save(path: &std::path::Path, dbs: &[Store<Value>]) {
    let refs: Vec<&Store<Value>> = dbs.iter().collect();
    kvs::snapshot::save_all(path, &refs).unwrap();
}

/// A value's contents in a comparable form: kind, then its elements (hash
/// pairs and set members sorted; a list in order).
fn contents(v: &Value) -> (String, Vec<Vec<u8>>) {
    let kind = v.kind().name().to_string();
    let mut elements: Vec<Vec<u8>> = match v {
        Value::Str(_) | Value::Raw(_) => vec![v.as_bytes().unwrap().to_vec()],
        Value::Hash(h) => h.iter().map(|(f, v)| [f, b"=", v].concat()).collect(),
        Value::List(l) => l.iter().map(<[u8]>::to_vec).collect(),
        Value::Set(s) => s.iter().map(|m| m.as_bytes().to_vec()).collect(),
    };
    if !matches!(v, Value::List(_)) {
        elements.sort();
    }
    (kind, elements)
}

/// A key, its contents, and whether it has a TTL.
type Record = (Vec<u8>, (String, Vec<Vec<u8>>), bool);

fn all_contents(dbs: &[Store<Value>]) -> Vec<Vec<Record>> {
    dbs.iter()
        .map(|db| {
            let mut all: Vec<_> = db
                .keys()
                .unwrap()
                .into_iter()
                .map(|k| {
                    let v = db.get(&k).unwrap();
                    let ttl = db.ttl(&k).unwrap().is_some();
                    (k.to_vec(), contents(&v), ttl)
                })
                .collect();
            all.sort();
            all
        })
        .collect()
}

/// The keys of the test and what OBJECT ENCODING must say for them.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("str", "string", "embstr"),
    ("int", "string", "int"),
    ("long", "string", "raw"),
    ("hash:small", "hash", "listpack"),
    ("hash:large", "hash", "hashtable"),
    ("hash:longvalue", "hash", "hashtable"),
    ("list:small", "list", "quicklist"),
    ("list:large", "list", "quicklist"),
    ("set:ints", "set", "intset"),
    ("set:large", "set", "hashtable"),
    ("set:names", "set", "hashtable"),
];

fn fill(dbs: &[Store<Value>]) {
    let enc = Encodings::default();
    let values: Vec<(&str, Value)> = vec![
        ("str", Value::from(&b"hello"[..])),
        ("int", Value::from(&b"-12345"[..])),
        ("long", Value::from(&[b'x'; 100][..])),
        (
            "hash:small",
            Value::Hash(Hash::from_pairs(
                [("f1", &b"v1"[..]), ("f2", b"\xff\x00")],
                &enc,
            )),
        ),
        (
            "hash:large",
            Value::Hash(Hash::from_pairs(
                (0..1000).map(|i| (format!("field{i}"), format!("value{i}"))),
                &enc,
            )),
        ),
        (
            "hash:longvalue",
            Value::Hash(Hash::from_pairs([("f", [b'y'; 65])], &enc)),
        ),
        (
            "list:small",
            Value::List(Arc::new(List::from_elements(["a", "b", "a", ""], &enc))),
        ),
        (
            "list:large",
            Value::List(Arc::new(List::from_elements(
                (0..5000).map(|i| format!("element-{i}")),
                &enc,
            ))),
        ),
        (
            "set:ints",
            Value::Set(Arc::new(Set::from_members(["3", "-1", "2"], &enc))),
        ),
        (
            "set:large",
            Value::Set(Arc::new(Set::from_members(
                (0..1000).map(|i| i.to_string()),
                &enc,
            ))),
        ),
        (
            "set:names",
            Value::Set(Arc::new(Set::from_members(["x", "1"], &enc))),
        ),
    ];
    for (db, with_ttl) in [(0, false), (3, true)] {
        for (key, value) in &values {
            if with_ttl {
                dbs[db]
                    .set_with_ttl(*key, value.clone(), Duration::from_secs(1000))
                    .unwrap();
            } else {
                dbs[db].set(*key, value.clone()).unwrap();
            }
        }
    }
}

/// TYPE, OBJECT ENCODING, TTL and DBSIZE of databases 0 (no TTLs) and 3
/// (TTL 1000 s, less what the clock moved), and the strings' contents.
fn check(r: &mut Raw, ttl: i64, grown: bool) {
    for (db, with_ttl) in [(0, false), (3, true)] {
        assert_eq!(r.cmd(&format!("SELECT {db}")), OK);
        let extra = if grown && db == 0 { 2 } else { 0 };
        assert_eq!(r.cmd("DBSIZE"), int((EXPECTED.len() + extra) as i64));
        for (key, kind, encoding) in EXPECTED {
            assert_eq!(
                r.cmd(&format!("TYPE {key}")),
                format!("+{kind}\r\n"),
                "{key}"
            );
            assert_eq!(
                r.cmd(&format!("OBJECT ENCODING {key}")),
                bulk(encoding),
                "db {db} {key}"
            );
            let expected_ttl = if with_ttl { ttl } else { -1 };
            assert_eq!(r.cmd(&format!("TTL {key}")), int(expected_ttl), "{key}");
        }
        assert_eq!(r.cmd("GET str"), bulk("hello"));
        assert_eq!(r.cmd("GET int"), bulk("-12345"));
        assert_eq!(r.cmd("GET long"), bulk(&"x".repeat(100)));
    }
}

fn start_on(dir: &std::path::Path, clock: &ManualClock) -> kvs_server::Handle {
    kvs_server::start(config(dir, clock)).unwrap()
}

#[test]
fn every_type_survives_save_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.kvs");
    let clock = ManualClock::new();
    let dbs = databases(&clock);
    fill(&dbs);
    save(&path, &dbs);
    let info = kvs::snapshot::SnapshotReader::open(&path)
        .unwrap()
        .verify()
        .unwrap();
    assert_eq!((info.version, info.value_version), (2, VALUE_VERSION));

    // The server loads the library's file...
    let h = start_on(dir.path(), &clock);
    let mut r = Raw::connect(h.addr());
    check(&mut r, 1000, false);
    // ... grows two strings (Redis's "raw" encoding), and saves.
    assert_eq!(r.cmd("SELECT 0"), OK);
    assert_eq!(r.cmd("SET grown abc"), OK);
    assert_eq!(r.cmd(&format!("APPEND grown {}", "z".repeat(60))), int(63));
    assert_eq!(r.cmd("SET short ab"), OK);
    assert_eq!(r.cmd("APPEND short c"), int(3));
    assert_eq!(r.cmd("OBJECT ENCODING grown"), bulk("raw"));
    assert_eq!(r.cmd("OBJECT ENCODING short"), bulk("raw"));
    assert_eq!(r.cmd("SAVE"), OK);
    drop(r);
    h.shutdown().unwrap();

    // What the server saved is what the library wrote, plus the two strings.
    let back = databases(&clock);
    kvs_server::encoding::load(&path, &back.iter().collect::<Vec<_>>()).unwrap();
    dbs[0]
        .set(
            "grown",
            Value::from(format!("abc{}", "z".repeat(60)).as_bytes()),
        )
        .unwrap();
    dbs[0].set("short", Value::from(&b"abc"[..])).unwrap();
    assert_eq!(all_contents(&back), all_contents(&dbs));

    // A restart later: same contents, encodings and (shorter) TTLs.
    clock.advance(Duration::from_secs(10));
    let h = start_on(dir.path(), &clock);
    let mut r = Raw::connect(h.addr());
    check(&mut r, 990, true);
    assert_eq!(r.cmd("SELECT 0"), OK);
    assert_eq!(r.cmd("GET grown"), bulk(&format!("abc{}", "z".repeat(60))));
    assert_eq!(r.cmd("OBJECT ENCODING grown"), bulk("raw"));
    // A short grown string loads as Redis loads it (DEBUG RELOAD there
    // gives "embstr" too: the loader re-encodes strings).
    assert_eq!(r.cmd("GET short"), bulk("abc"));
    assert_eq!(r.cmd("OBJECT ENCODING short"), bulk("embstr"));
    // Past the TTL, database 3's keys are gone; database 0's stay.
    clock.advance(Duration::from_secs(1000));
    assert_eq!(r.cmd("SELECT 3"), OK);
    assert_eq!(r.cmd("TTL hash:large"), int(-2));
    drop(r);
    h.shutdown().unwrap();
}

/// Files written before collections were persisted: format version 1,
/// every value a postcard byte string (value version 0). The golden file is
/// fuzz/seeds/ttl.kvs, written from the format document by
/// fuzz/make_seeds.py, byte for byte what the old server wrote for the same
/// keys.
#[test]
fn an_old_version_1_server_file_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dump.kvs"),
        include_bytes!("../../../fuzz/seeds/ttl.kvs"),
    )
    .unwrap();
    let clock = ManualClock::new();
    let h = start_on(dir.path(), &clock);
    let mut r = Raw::connect(h.addr());
    assert_eq!(r.cmd("DBSIZE"), int(3));
    assert_eq!(r.cmd("GET a"), bulk("1"));
    assert_eq!(r.cmd("OBJECT ENCODING a"), bulk("int"));
    assert_eq!(r.cmd("TYPE s"), "+string\r\n");
    assert_eq!(r.cmd("GET s"), bulk("token"));
    let ttl = r.cmd("TTL s");
    assert!(
        ttl.starts_with(':') && ttl != int(-1) && ttl != int(-2),
        "{ttl}"
    );
    assert_eq!(r.cmd_bin(&[b"GET", b"\xff\x00"]), "$2\r\n\0\u{fffd}\r\n");
    // Saved again, the file is at the new value version and still loads.
    assert_eq!(r.cmd("SAVE"), OK);
    drop(r);
    h.shutdown().unwrap();
    let info = kvs::snapshot::SnapshotReader::open(dir.path().join("dump.kvs"))
        .unwrap()
        .verify()
        .unwrap();
    assert_eq!((info.version, info.value_version), (2, VALUE_VERSION));
    let h = start_on(dir.path(), &clock);
    let mut r = Raw::connect(h.addr());
    assert_eq!(r.cmd("GET s"), bulk("token"));
    assert_eq!(r.cmd("DBSIZE"), int(3));
    drop(r);
    h.shutdown().unwrap();
}

/// The collection seeds of the fuzz target (written by make_seeds.py from
/// the format document) load with the documented contents.
#[test]
fn the_documented_encoding_is_what_the_server_reads() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dump.kvs"),
        include_bytes!("../../../fuzz/seeds/server/types.kvs"),
    )
    .unwrap();
    let clock = ManualClock::new();
    let dbs = databases(&clock);
    kvs_server::encoding::load(
        &dir.path().join("dump.kvs"),
        &dbs.iter().collect::<Vec<_>>(),
    )
    .unwrap();
    let get = |k: &str| contents(&dbs[0].get(k).unwrap());
    assert_eq!(get("str"), ("string".into(), vec![b"hello".to_vec()]));
    assert_eq!(
        get("hash"),
        ("hash".into(), vec![b"f1=v1".to_vec(), b"f2=\xff".to_vec()])
    );
    assert_eq!(
        get("list"),
        (
            "list".into(),
            vec![b"a".to_vec(), b"b".to_vec(), b"a".to_vec()]
        )
    );
    assert_eq!(dbs[0].get("ints").unwrap().encoding(), "intset");
    assert_eq!(dbs[0].get("names").unwrap().encoding(), "hashtable");
    let h = start_on(dir.path(), &clock);
    let mut r = Raw::connect(h.addr());
    assert_eq!(r.cmd("DBSIZE"), int(6));
    assert_eq!(r.cmd("TYPE list"), "+list\r\n");
    assert_eq!(r.cmd("OBJECT ENCODING ints"), bulk("intset"));
    drop(r);
    h.shutdown().unwrap();
}

// To add once the collection commands are merged: after the restart in
// `every_type_survives_save_and_restart`, HGETALL hash:small / hash:large,
// HLEN; LRANGE list:small 0 -1, LLEN list:large, LINDEX list:large -1;
// SMEMBERS set:ints, SCARD set:large, SISMEMBER set:names x; and a test that
// builds the collections with HSET / RPUSH / SADD instead of the library.
