//! Loading: the records are decoded into fresh tables, on worker threads,
//! while the file is still being read and checked; the stores are touched
//! only once every record is decoded and the checksum holds.
//!
//! Reading (I/O, the checksum, parsing, hashing each key) and building
//! (allocating each value, inserting it) thus overlap, and building is
//! shared by a worker per core and one more (BENCHMARKS.md has the figures). The fresh tables
//! start empty and grow as records arrive: sized from the header up front,
//! each would be at its full size, beyond the CPU caches, from the first
//! insert on, which measured slower; and so a header's counts, checked or
//! not, never decide an allocation.
//!
//! The calling thread reads the file ([`SnapshotReader`] checks its
//! structure and checksum), finds each record's shard and table hash, and
//! deals the records out in batches: each worker owns the shards whose index
//! is its number modulo the worker count, decodes the values of its records
//! and inserts them. A worker sees its records in file order, so a key that
//! appears twice (only a hand-made file has that) ends with its last value,
//! as a one-thread load would give.
//!
//! Errors are reported as a one-thread load would: the first in file order.
//! The reader stops at the first structural error (at record `k`); a worker
//! that cannot decode record `j` skips its own later records and makes the
//! reader stop handing out records (it still reads to the end, to check the
//! file). Either way the reader still hands out the batches it has filled,
//! and the other workers decode all they are given. So every record before
//! `j` (or `k`) is decoded by someone, and the smallest `j` the workers
//! report is the first undecodable record: it wins over `k`.
//!
//! An undecodable record in a file that is intact (the reader reached the
//! checksum and it held) is a [`Error::SchemaMismatch`]: the bytes are what
//! was saved, they just are not this value type. In a file that is damaged
//! as well, it is reported as corruption (`UndecodableRecord`).
//!
//! Values are decoded with postcard, or, for a file written at another value
//! version than a store's, by the caller's migration function.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use serde::de::DeserializeOwned;

use super::format::{self, Corruption};
use super::reader::{RawRecord, SnapshotReader};
use crate::clock::unix_nanos;
use crate::shard::{Shard, NEVER};
use crate::{Error, Result, Store};

/// Most worker threads a load starts.
const MAX_WORKERS: usize = 4;
/// A batch is sent once it holds this many bytes of keys and values...
const BATCH_BYTES: usize = 1024 * 1024;
/// ... or this many records.
const BATCH_RECORDS: usize = 8192;
/// Batches queued per worker before the reader waits (bounds memory).
const QUEUE: usize = 4;

/// One record of a batch: where it goes, and where its bytes are.
struct Pending {
    database: u32,
    index: u64,
    shard: usize,
    hash: u64,
    deadline: u64,
    /// The key is `bytes[start..key_end]`, the value `bytes[key_end..end]`.
    start: usize,
    key_end: usize,
    end: usize,
}

/// Records for one worker, with their bytes back to back.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    records: Vec<Pending>,
}

impl Batch {
    fn push(&mut self, record: &RawRecord<'_>, shard: usize, hash: u64, deadline: u64) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(record.key);
        let key_end = self.bytes.len();
        self.bytes.extend_from_slice(record.value);
        self.records.push(Pending {
            database: record.database,
            index: record.index,
            shard,
            hash,
            deadline,
            start,
            key_end,
            end: self.bytes.len(),
        });
    }

    fn is_full(&self) -> bool {
        self.bytes.len() >= BATCH_BYTES || self.records.len() >= BATCH_RECORDS
    }
}

/// What a worker hands back: its shards of every database (the others are
/// left empty), and the first record it could not decode.
struct Decoded<V> {
    shards: Vec<Vec<Shard<V>>>,
    error: Option<Undecodable>,
}

/// A record whose value did not decode.
struct Undecodable {
    database: u32,
    index: u64,
    key: crate::Key,
    detail: String,
}

impl Undecodable {
    /// The error to report: a schema mismatch if the file is otherwise
    /// intact, corruption if not.
    fn into_error(self, file_intact: bool) -> Error {
        if file_intact {
            Error::SchemaMismatch {
                database: self.database,
                index: self.index,
                key: self.key,
                detail: self.detail,
            }
        } else {
            Error::CorruptedSnapshot {
                reason: Corruption::UndecodableRecord {
                    database: self.database,
                    index: self.index,
                    detail: self.detail,
                },
            }
        }
    }
}

/// Converts a record's value bytes written at `found` (another value version
/// than the store's) into a value (see [`super::load_all_migrating`]).
pub(super) type Migrate<'a, V> = &'a (dyn Fn(u32, &[u8]) -> std::result::Result<V, String> + Sync);

/// How one database's values are decoded.
enum Decoder<'a, V> {
    /// With postcard: the file's value version is the store's.
    Postcard,
    /// With the caller's migration, from the file's value version.
    Migrate(u32, Migrate<'a, V>),
}

impl<V> Clone for Decoder<'_, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V> Copy for Decoder<'_, V> {}

#[cfg(test)]
thread_local! {
    /// The load workers whose threads the system refuses to start, for
    /// loads called from this thread (tests only).
    static REFUSED_WORKERS: std::cell::Cell<&'static [usize]> =
        const { std::cell::Cell::new(&[]) };
}

/// The builder of load worker `me`'s thread. Tests can make the system
/// refuse it.
fn spawn_worker(me: usize) -> std::thread::Builder {
    #[cfg(test)]
    if REFUSED_WORKERS.with(|r| r.get().contains(&me)) {
        return super::refused_thread();
    }
    std::thread::Builder::new().name(format!("kvs-load-{me}"))
}

/// How many workers a load uses: one per core and one more, up to
/// [`MAX_WORKERS`]. The calling thread only reads, and a worker spends much
/// of its time waiting for fresh memory to be faulted in, so one worker more
/// than cores keeps them busy: on the 2-core development machine, three
/// workers loaded a million records 2-9% faster than two (`kvs-bench
/// --workload Snapshot` with the count overridden by hand, two runs each,
/// medians of five rounds: 224 and 217 ms against 228 and 238 ms).
fn workers() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get() + 1)
        .clamp(1, MAX_WORKERS)
}

/// Reads every record from `reader` and replaces `stores`' contents with
/// them, all or nothing (see [`super::load_all`]).
///
/// A store whose value version differs from the file's decodes its records
/// with `migrate`; without one, the load fails with
/// [`Error::ValueVersionMismatch`] before any record is read.
pub(super) fn load_reader<V, R>(
    reader: SnapshotReader<R>,
    stores: &[&Store<V>],
    migrate: Option<Migrate<'_, V>>,
) -> Result<()>
where
    V: DeserializeOwned + Clone + Send + Sync + 'static,
    R: Read,
{
    load_with_workers(reader, stores, migrate, workers())
}

/// [`load_reader`] with `workers` worker threads (at least one).
fn load_with_workers<V, R>(
    mut reader: SnapshotReader<R>,
    stores: &[&Store<V>],
    migrate: Option<Migrate<'_, V>>,
    workers: usize,
) -> Result<()>
where
    V: DeserializeOwned + Clone + Send + Sync + 'static,
    R: Read,
{
    let workers = workers.max(1);
    let found = reader.info().databases.len();
    if found > stores.len() {
        return Err(Error::SnapshotDatabases {
            found: found as u64,
            expected: stores.len(),
        });
    }
    for s in stores {
        s.inner.check_open()?;
    }
    let found_version = reader.info().value_version;
    let decoders = stores
        .iter()
        .map(|s| match (s.inner.value_version, migrate) {
            (expected, _) if expected == found_version => Ok(Decoder::Postcard),
            (_, Some(m)) => Ok(Decoder::Migrate(found_version, m)),
            (expected, None) => Err(Error::ValueVersionMismatch {
                found: found_version,
                expected,
            }),
        })
        .collect::<Result<Vec<Decoder<'_, V>>>>()?;
    let nows: Vec<u64> = stores
        .iter()
        .map(|s| unix_nanos(s.inner.clock.now()))
        .collect();
    let failed = AtomicBool::new(false);

    let (read_result, decoded, workers) = std::thread::scope(|scope| {
        let (recycle, recycled) = mpsc::channel::<Batch>();
        let mut queues = Vec::with_capacity(workers);
        let mut handles = Vec::with_capacity(workers);
        for me in 0..workers {
            let (queue, batches) = mpsc::sync_channel::<Batch>(QUEUE);
            let (recycle, failed, nows, decoders) = (recycle.clone(), &failed, &nows, &decoders);
            let worker = spawn_worker(me).spawn_scoped(scope, move || {
                let mut shards: Vec<Vec<Shard<V>>> = stores
                    .iter()
                    .map(|s| {
                        (0..s.inner.shards.len())
                            .map(|_| Shard::new(s.inner.hasher.clone()))
                            .collect()
                    })
                    .collect();
                let mut error = None;
                for mut batch in batches {
                    if error.is_none() {
                        if let Err(e) = insert_batch(&batch, &mut shards, nows, decoders) {
                            failed.store(true, Ordering::Relaxed);
                            error = Some(e);
                        }
                    }
                    batch.bytes.clear();
                    batch.records.clear();
                    // The reader may have finished; then the batch is freed.
                    let _ = recycle.send(batch);
                }
                Decoded { shards, error }
            });
            match worker {
                Ok(handle) => {
                    queues.push(queue);
                    handles.push(handle);
                }
                // A worker the system refuses to start is done without (the
                // shards are dealt out among those that started), unless
                // none did.
                Err(e) if handles.is_empty() => {
                    return (
                        Err(Error::Io {
                            path: None,
                            source: e,
                        }),
                        Vec::new(),
                        0,
                    );
                }
                Err(_) => break,
            }
        }
        drop(recycle);
        let workers = handles.len();

        let mut filling: Vec<Batch> = (0..workers).map(|_| Batch::default()).collect();
        let read_result = (|| -> Result<()> {
            while let Some(record) = reader.next_record()? {
                if failed.load(Ordering::Relaxed) {
                    // A worker found an undecodable record: its error comes
                    // first, and the rest need not be decoded, only checked
                    // (whether the file is intact decides what it is).
                    continue;
                }
                let db = record.database as usize;
                let (shard, hash) = stores[db].inner.locate(record.key)?;
                let deadline = record.expires_at_ms.map_or(NEVER, format::ms_to_deadline);
                let w = shard % workers;
                filling[w].push(&record, shard, hash, deadline);
                if filling[w].is_full() {
                    let next = recycled.try_recv().unwrap_or_default();
                    let full = std::mem::replace(&mut filling[w], next);
                    if queues[w].send(full).is_err() {
                        // The worker panicked: the join below resumes it.
                        return Ok(());
                    }
                }
            }
            Ok(())
        })();
        for (queue, batch) in queues.iter().zip(filling) {
            if !batch.records.is_empty() {
                let _ = queue.send(batch);
            }
        }
        drop(queues);
        let decoded: Vec<Decoded<V>> = handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(d) => d,
                // A value's `Deserialize` panicked: so does the load, and
                // the stores are untouched.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect();
        (read_result, decoded, workers)
    });

    let mut decoded = decoded;
    if let Some(first) = decoded
        .iter_mut()
        .filter_map(|d| d.error.take())
        .min_by_key(|u| u.index)
    {
        return Err(first.into_error(read_result.is_ok()));
    }
    read_result?;

    // Everything is decoded and checked: now replace each store's contents.
    for (db, store) in stores.iter().enumerate() {
        let inner = &store.inner;
        let mut fresh: Vec<Shard<V>> = (0..inner.shards.len())
            .map(|i| {
                std::mem::replace(
                    &mut decoded[i % workers].shards[db][i],
                    Shard::new(inner.hasher.clone()),
                )
            })
            .collect();
        let all = (0..inner.shards.len()).collect();
        {
            let mut guards = inner.write_shards(all);
            for (i, guard) in guards.iter_mut() {
                std::mem::swap(&mut **guard, &mut fresh[*i]);
            }
        }
        // `fresh` now holds the old contents, freed here, off the locks.
        drop(fresh);
    }
    Ok(())
}

/// Decodes and inserts one batch into the worker's shards. Records expired
/// at the load are decoded (a file that cannot be decoded is refused either
/// way) and then skipped.
fn insert_batch<V: DeserializeOwned + Clone>(
    batch: &Batch,
    shards: &mut [Vec<Shard<V>>],
    nows: &[u64],
    decoders: &[Decoder<'_, V>],
) -> std::result::Result<(), Undecodable> {
    for r in &batch.records {
        let db = r.database as usize;
        let key = &batch.bytes[r.start..r.key_end];
        let bytes = &batch.bytes[r.key_end..r.end];
        let value: V = match decoders[db] {
            Decoder::Postcard => super::decode(bytes),
            Decoder::Migrate(found, migrate) => migrate(found, bytes)
                .map_err(|e| format!("migrating from value version {found}: {e}")),
        }
        .map_err(|detail| Undecodable {
            database: r.database,
            index: r.index,
            key: crate::Key::from(key),
            detail,
        })?;
        if r.deadline != NEVER && r.deadline <= nows[db] {
            continue;
        }
        shards[db][r.shard].upsert(r.hash, key, value, r.deadline);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::snapshot::format::{encode_header, DbCounts};

    /// A one-database snapshot of records given as raw bytes: (key, tag,
    /// value bytes as stored). Postcard encodes a `bool` as one byte, 0 or 1;
    /// any other byte is undecodable.
    fn file(records: &[(&str, u8, &[u8])]) -> Vec<u8> {
        let counts = [DbCounts {
            records: records.len() as u64,
            with_ttl: 0,
        }];
        let mut out = encode_header(0, 0, &counts);
        for (key, tag, value) in records {
            out.push(*tag);
            out.extend_from_slice(&(key.len() as u32).to_le_bytes());
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(&(value.len() as u32).to_le_bytes());
            out.extend_from_slice(value);
        }
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Keys "s0", "s1", ... in shards 0, 1, ... of 4, so that with two or
    /// three workers they belong to different workers.
    fn store() -> Store<bool> {
        let shard_fn: crate::ShardFn =
            Arc::new(|key: &[u8], n: usize| usize::from(key[1] - b'0') % n);
        let s = Store::builder()
            .shards(4)
            .shard_fn(shard_fn)
            .without_sweeper()
            .build()
            .unwrap();
        s.set("s0", true).unwrap();
        s
    }

    fn load(bytes: &[u8], workers: usize) -> (Store<bool>, Result<()>) {
        let s = store();
        let r = load_with_workers(SnapshotReader::new(bytes).unwrap(), &[&s], None, workers);
        (s, r)
    }

    /// The record a load of an intact file could not decode.
    fn undecodable_at(r: Result<()>) -> u64 {
        match r {
            Err(Error::SchemaMismatch { index, .. }) => index,
            other => panic!("expected a schema mismatch, got {other:?}"),
        }
    }

    /// The record a load of a damaged file could not decode.
    fn corrupt_at(r: Result<()>) -> u64 {
        match r {
            Err(Error::CorruptedSnapshot {
                reason: Corruption::UndecodableRecord { index, .. },
            }) => index,
            other => panic!("expected an undecodable record, got {other:?}"),
        }
    }

    #[test]
    fn every_worker_count_loads_the_same_and_the_last_duplicate_wins() {
        let records: Vec<(String, u8, Vec<u8>)> = (0..400)
            .map(|i| (format!("s{}-{i}", i % 4), 0, vec![u8::from(i % 3 == 0)]))
            .collect();
        let mut raw: Vec<(&str, u8, &[u8])> = records
            .iter()
            .map(|(k, t, v)| (k.as_str(), *t, &v[..]))
            .collect();
        raw.push(("s1-dup", 0, &[1]));
        raw.push(("s2-dup", 0, &[1]));
        raw.push(("s1-dup", 0, &[0]));
        let bytes = file(&raw);
        for workers in 1..=3 {
            let (s, r) = load(&bytes, workers);
            r.unwrap();
            assert_eq!(s.len(), 402, "workers {workers}");
            assert!(!s.exists("s0"), "replaced, not merged");
            assert!(!s.get("s1-dup").unwrap(), "the last duplicate wins");
            assert!(s.get("s2-dup").unwrap());
            assert!(s.get("s0-0").unwrap());
            assert!(!s.get("s1-1").unwrap());
        }
    }

    #[test]
    fn an_undecodable_record_of_an_intact_file_is_a_schema_mismatch_naming_it() {
        let bytes = file(&[("s1a", 0, &[1]), ("s2a", 0, &[2])]);
        let (s, r) = load(&bytes, 2);
        match r {
            Err(Error::SchemaMismatch {
                database: 0,
                index: 1,
                key,
                ..
            }) => assert_eq!(key, crate::Key::from("s2a")),
            other => panic!("{other:?}"),
        }
        assert!(s.get("s0").unwrap(), "the store is untouched");
        // The same record with the checksum damaged: corruption.
        let mut damaged = bytes.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        let (_, r) = load(&damaged, 2);
        assert_eq!(corrupt_at(r), 1);
    }

    #[test]
    fn the_first_undecodable_record_is_reported_whichever_worker_has_it() {
        // Undecodable records 2 (shard 3) and 5 (shard 1): record 2 is the
        // one to report, for any number of workers and whichever finishes
        // first.
        let bytes = file(&[
            ("s1a", 0, &[1]),
            ("s2a", 0, &[0]),
            ("s3a", 0, &[7]),
            ("s0a", 0, &[1]),
            ("s2b", 0, &[1]),
            ("s1b", 0, &[9]),
        ]);
        for workers in 1..=3 {
            let (s, r) = load(&bytes, workers);
            assert_eq!(undecodable_at(r), 2, "workers {workers}");
            assert!(s.get("s0").unwrap(), "the store is untouched");
            assert_eq!(s.len(), 1);
        }
    }

    #[test]
    fn an_undecodable_record_comes_before_a_later_structural_error() {
        let mut bytes = file(&[("s1a", 0, &[1]), ("s2a", 0, &[5]), ("s3a", 0, &[1])]);
        // Corrupt the third record's tag: the reader stops there, after the
        // undecodable second record was handed out.
        let third = bytes.len() - 4 - (1 + 4 + 3 + 4 + 1);
        bytes[third] = 0x80;
        for workers in 1..=3 {
            let (s, r) = load(&bytes, workers);
            assert_eq!(corrupt_at(r), 1, "workers {workers}");
            assert_eq!(s.len(), 1);
        }
        // Without the undecodable record, the structural error is the one.
        let mut bytes = file(&[("s1a", 0, &[1]), ("s2a", 0, &[0]), ("s3a", 0, &[1])]);
        bytes[third] = 0x80;
        for workers in 1..=3 {
            let (s, r) = load(&bytes, workers);
            assert!(
                matches!(
                    r,
                    Err(Error::CorruptedSnapshot {
                        reason: Corruption::InvalidField {
                            field: "record tag",
                            ..
                        }
                    })
                ),
                "workers {workers}: {r:?}"
            );
            assert!(s.get("s0").unwrap());
        }
    }

    /// Workers the system refuses to start are done without; only a load
    /// that can start none fails, with an I/O error, and leaves the store
    /// as it was.
    #[test]
    fn a_load_does_without_workers_the_system_refuses() {
        let records: Vec<(String, u8, Vec<u8>)> = (0..40)
            .map(|i| (format!("s{}-{i}", i % 4), 0, vec![u8::from(i % 2 == 0)]))
            .collect();
        let raw: Vec<(&str, u8, &[u8])> = records
            .iter()
            .map(|(k, t, v)| (k.as_str(), *t, &v[..]))
            .collect();
        let bytes = file(&raw);
        let refusing = |refused: &'static [usize], workers| {
            REFUSED_WORKERS.with(|r| r.set(refused));
            let loaded = load(&bytes, workers);
            REFUSED_WORKERS.with(|r| r.set(&[]));
            loaded
        };
        // Workers 1 and 2 refused: worker 0 builds every shard.
        for refused in [&[2][..], &[1, 2]] {
            let (s, r) = refusing(refused, 3);
            r.unwrap();
            assert_eq!(s.len(), 40, "refused {refused:?}");
            assert!(!s.exists("s0"), "replaced, not merged");
            for (i, (key, _, value)) in records.iter().enumerate() {
                assert_eq!(s.get(key).unwrap(), value[0] == 1, "record {i}");
            }
        }
        // None started.
        let (s, r) = refusing(&[0], 3);
        assert!(matches!(r, Err(Error::Io { path: None, .. })), "{r:?}");
        assert!(s.get("s0").unwrap(), "the store is untouched");
        assert_eq!(s.len(), 1);
    }
}
