//! Feeds arbitrary bytes to the snapshot loader: it must return an error or
//! load, never panic or allocate without bound (libFuzzer's `-rss_limit_mb`
//! and `-malloc_limit_mb` catch runaway allocation). Whatever loads must save
//! and load again to the same contents.

#![no_main]

use libfuzzer_sys::fuzz_target;

fn contents(s: &kvs::Store<Vec<u8>>) -> Vec<(kvs::Key, Vec<u8>)> {
    let mut all: Vec<_> = s
        .keys()
        .unwrap()
        .into_iter()
        .filter_map(|k| s.get(&k).ok().map(|v| (k, v)))
        .collect();
    all.sort();
    all
}

fuzz_target!(|data: &[u8]| {
    // The inspection path, as `kvs snapshot dump` uses it.
    if let Ok(mut reader) = kvs::snapshot::SnapshotReader::new(data) {
        while let Ok(Some(record)) = reader.next_record() {
            let _ = record.value_as_bytes();
        }
    }
    // The loading path, into stores of two value types (several databases).
    let clock = kvs::ManualClock::new();
    let make = || {
        kvs::Store::<Vec<u8>>::builder()
            .shards(4)
            .clock(clock.clone())
            .without_sweeper()
            .build()
            .unwrap()
    };
    let (a, b) = (make(), make());
    a.set("before", vec![1]).unwrap();
    match kvs::snapshot::load_all_from(data, &[&a, &b]) {
        Ok(()) => {
            let mut again = Vec::new();
            kvs::snapshot::save_all_to(&mut again, &[&a, &b]).unwrap();
            let (c, d) = (make(), make());
            kvs::snapshot::load_all_from(&again[..], &[&c, &d]).unwrap();
            assert_eq!(contents(&a), contents(&c));
            assert_eq!(contents(&b), contents(&d));
        }
        Err(_) => {
            assert_eq!(a.get("before").unwrap(), vec![1]);
            assert_eq!(a.len(), 1);
        }
    }
    let strings: kvs::Store<String> = kvs::Store::new(2).unwrap();
    let _ = strings.load_from(data);
});
