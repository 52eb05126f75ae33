//! Hostile length and count fields never make the loader allocate more than
//! the input could hold. A counting global allocator measures the peak.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use kvs::{Error, Store};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The read buffer (256 KiB) and small change: anything near a hostile
/// field's claim (gigabytes) fails this by orders of magnitude.
const BUDGET: usize = 2 << 20;

/// Runs `f` and returns how far the heap grew above where it started.
fn peak_growth(f: impl FnOnce()) -> usize {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    f();
    PEAK.load(Ordering::Relaxed) - base
}

fn header(dbs: &[(u64, u64)], db_count: u32) -> Vec<u8> {
    let mut h = b"KVS1".to_vec();
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&0u16.to_le_bytes());
    h.extend_from_slice(&0u64.to_le_bytes());
    h.extend_from_slice(&db_count.to_le_bytes());
    for (records, ttl) in dbs {
        h.extend_from_slice(&records.to_le_bytes());
        h.extend_from_slice(&ttl.to_le_bytes());
    }
    let crc = crc32fast::hash(&h);
    h.extend_from_slice(&crc.to_le_bytes());
    h
}

fn hostile_inputs() -> Vec<(&'static str, Vec<u8>)> {
    let mut cases = Vec::new();
    // A database count of 4 billion, and nothing behind it.
    let mut h = header(&[], u32::MAX);
    h.truncate(20);
    cases.push(("db count", h));
    // A database of 2^62 records.
    cases.push(("record count", header(&[(1 << 62, 0)], 1)));
    // Counts that overflow when summed.
    cases.push(("count overflow", header(&[(u64::MAX, 0), (u64::MAX, 0)], 2)));
    // A record whose key claims 4 GiB.
    let mut h = header(&[(1, 0)], 1);
    h.push(0);
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(b"short");
    cases.push(("key length", h));
    // A record whose value claims 4 GiB.
    let mut h = header(&[(1, 0)], 1);
    h.push(0);
    h.extend_from_slice(&1u32.to_le_bytes());
    h.push(b'k');
    h.extend_from_slice(&u32::MAX.to_le_bytes());
    h.extend_from_slice(&[1, 2, 3]);
    cases.push(("value length", h));
    // A value whose postcard sequence length claims 2^60 elements.
    let mut h = header(&[(1, 0)], 1);
    h.push(0);
    h.extend_from_slice(&1u32.to_le_bytes());
    h.push(b'k');
    let blob = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10, 1];
    h.extend_from_slice(&(blob.len() as u32).to_le_bytes());
    h.extend_from_slice(&blob);
    let crc = crc32fast::hash(&h);
    h.extend_from_slice(&crc.to_le_bytes());
    cases.push(("sequence length", h));
    cases
}

#[test]
fn hostile_fields_are_errors_without_large_allocations() {
    let store: Store<Vec<u64>> = Store::new(4).unwrap();
    store.set("kept", vec![1]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (what, bytes) in hostile_inputs() {
        let path = dir.path().join("hostile.kvs");
        std::fs::write(&path, &bytes).unwrap();
        let mut results = Vec::new();
        let grew = peak_growth(|| {
            results.push(store.load_from(&bytes[..]));
            results.push(store.load_snapshot(&path));
        });
        for r in results {
            // The hostile sequence is in an intact file (its checksum
            // holds): a value of another shape, not damage.
            if what == "sequence length" {
                assert!(
                    matches!(r, Err(Error::SchemaMismatch { .. })),
                    "{what}: {r:?}"
                );
            } else {
                assert!(
                    matches!(r, Err(Error::CorruptedSnapshot { .. })),
                    "{what}: {r:?}"
                );
            }
        }
        assert!(grew < BUDGET, "{what}: the heap grew by {grew} bytes");
        assert_eq!(store.get("kept").unwrap(), vec![1]);
    }
}
