//! Feeds arbitrary bytes to the snapshot loader as `kvs serve` loads it:
//! into the server's value type (`Value`, with hashes, lists and sets) at
//! its value version, converting value-version-0 files. It must return an
//! error or load, never panic or allocate without bound (a hostile element
//! count included); whatever loads must save and load again to the same
//! contents, and `kvs snapshot dump`'s decoding must not panic either.

#![no_main]

use kvs_server::encoding::{migrate, VALUE_VERSION};
use kvs_server::value::Value;
use libfuzzer_sys::fuzz_target;

/// A value's contents, comparable: hashes and sets sorted, lists in order.
fn contents(v: &Value) -> (&'static str, Vec<Vec<u8>>) {
    let mut e: Vec<Vec<u8>> = match v {
        Value::Str(_) | Value::Raw(_) => vec![v.as_bytes().unwrap().to_vec()],
        Value::Hash(h) => h.iter().map(|(f, v)| [f, b"\0", v].concat()).collect(),
        Value::List(l) => return ("list", l.iter().map(<[u8]>::to_vec).collect()),
        Value::Set(s) => s.iter().map(|m| m.as_bytes().to_vec()).collect(),
    };
    e.sort();
    (v.kind().name(), e)
}

/// The contents of a store. Not the encodings: a hand-made record with
/// duplicates (a hash field given a long value, then a short one) can load
/// as a hashtable that, saved and loaded again, is a listpack.
fn all(s: &kvs::Store<Value>) -> Vec<(kvs::Key, (&'static str, Vec<Vec<u8>>))> {
    let mut out: Vec<_> = s
        .keys()
        .unwrap()
        .into_iter()
        .filter_map(|k| {
            s.get(&k).ok().map(|v| (k, contents(&v)))
        })
        .collect();
    out.sort();
    out
}

fuzz_target!(|data: &[u8]| {
    // What `kvs snapshot dump` does with a server file's records.
    if let Ok(mut reader) = kvs::snapshot::SnapshotReader::new(data) {
        while let Ok(Some(record)) = reader.next_record() {
            let _ = kvs::snapshot::decode::<Value>(record.value);
        }
    }
    let clock = kvs::ManualClock::new();
    let make = || {
        kvs::Store::<Value>::builder()
            .shards(4)
            .clock(clock.clone())
            .without_sweeper()
            .value_version(VALUE_VERSION)
            .build()
            .unwrap()
    };
    let (a, b) = (make(), make());
    a.set("before", Value::from(&b"x"[..])).unwrap();
    match kvs::snapshot::load_all_from_migrating(data, &[&a, &b], migrate) {
        Ok(()) => {
            let mut again = Vec::new();
            kvs::snapshot::save_all_to(&mut again, &[&a, &b]).unwrap();
            let (c, d) = (make(), make());
            kvs::snapshot::load_all_from(&again[..], &[&c, &d]).unwrap();
            assert_eq!(all(&a), all(&c));
            assert_eq!(all(&b), all(&d));
        }
        Err(_) => {
            assert_eq!(a.get("before").unwrap().as_bytes(), Some(&b"x"[..]));
            assert_eq!(a.len(), 1);
        }
    }
});
