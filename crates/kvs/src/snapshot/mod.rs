//! Crash-safe, point-in-time snapshots of one store or of several.
//!
//! - [`Store::save_snapshot`] / [`Store::load_snapshot`]: one store, one file.
//! - [`save_all`] / [`load_all`]: several stores (a server's databases) in
//!   one file, loaded all-or-nothing; [`save_all_to`] / [`load_all_from`]
//!   stream them.
//! - [`SnapshotReader`]: reads any snapshot without knowing the value type.
//! - [`load_all_migrating`] / [`Store::load_snapshot_migrating`]: load a
//!   file written at another value version
//!   ([`Builder::value_version`](crate::Builder::value_version)), converting
//!   its values; [`decode`] and [`encode`] are the value codec (postcard).
//!
//! The format is in `format.rs` and `docs/snapshot-format.md`; how a save
//! sees one instant while writers go on is in `cow.rs`; atomic replacement of
//! the file is in `file.rs`.
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("dump.kvs");
//! let a: kvs::Store<String> = kvs::Store::new(4)?;
//! let b: kvs::Store<String> = kvs::Store::new(4)?;
//! a.set("x", "1".to_string())?;
//! b.set("y", "2".to_string())?;
//! kvs::snapshot::save_all(&path, &[&a, &b])?;
//! a.clear()?;
//! kvs::snapshot::load_all(&path, &[&a, &b])?;
//! assert_eq!(a.get("x")?, "1");
//! assert_eq!(b.get("y")?, "2");
//! # Ok::<(), kvs::Error>(())
//! ```

pub(crate) mod cow;
mod file;
mod format;
mod load;
mod priority;
mod reader;
mod save;
mod stats;
mod touch;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::clock::unix_nanos;
use crate::{Error, Result, Store};

pub use format::{Corruption, MAGIC, VERSION};
pub use priority::SavePriority;
pub use reader::{DatabaseInfo, RawRecord, SnapshotInfo, SnapshotReader};
pub use stats::SaveStats;

/// The whole-file checksum from the header's bytes and the running checksum
/// of everything after it.
fn file_crc(header: &[u8], body: &crc32fast::Hasher) -> u32 {
    let mut crc = crc32fast::Hasher::new();
    crc.update(header);
    crc.combine(body);
    crc.finalize()
}

fn created_ms<V>(stores: &[&Store<V>]) -> u64 {
    let now = stores
        .first()
        .map_or_else(std::time::SystemTime::now, |s| s.inner.clock.now());
    unix_nanos(now) / 1_000_000
}

/// The value version a save of `stores` writes: the first store's (the
/// stores of one application share one).
fn value_version<V>(stores: &[&Store<V>]) -> u32 {
    stores.first().map_or(0, |s| s.inner.value_version)
}

/// Decodes a value as a snapshot stores it (postcard 1.x), which must fill
/// `bytes` exactly. A migration function
/// ([`load_all_migrating`]) uses it to read the old value type.
///
/// ```
/// let bytes = kvs::snapshot::encode(&7u32).unwrap();
/// assert_eq!(kvs::snapshot::decode::<u32>(&bytes), Ok(7));
/// assert!(kvs::snapshot::decode::<u32>(&[7, 0]).is_err(), "a byte left over");
/// ```
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> std::result::Result<T, String> {
    match postcard::take_from_bytes::<T>(bytes) {
        Ok((v, [])) => Ok(v),
        Ok((_, rest)) => Err(format!("{} bytes left over after the value", rest.len())),
        Err(e) => Err(e.to_string()),
    }
}

/// Encodes a value as a snapshot stores it (postcard 1.x).
///
/// ```
/// assert_eq!(kvs::snapshot::encode(&"v").unwrap(), [1, b'v']);
/// ```
pub fn encode<T: Serialize + ?Sized>(value: &T) -> std::result::Result<Vec<u8>, String> {
    postcard::to_stdvec(value).map_err(|e| e.to_string())
}

fn check_db_count(n: usize) -> Result<()> {
    if u32::try_from(n).is_err() {
        return Err(Error::SnapshotDatabases {
            found: u64::MAX,
            expected: n,
        });
    }
    Ok(())
}

/// Saves several stores, as databases 0, 1, ... of one snapshot file at
/// `path`, all at one instant. The file is replaced atomically: a crash
/// leaves the old file or the new one, whole. Writers carry on during the
/// save (each waits at most for one shard to be copied) and readers never
/// wait for it.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("dump.kvs");
/// let dbs: Vec<kvs::Store<Vec<u8>>> = (0..3).map(|_| kvs::Store::new(4).unwrap()).collect();
/// dbs[2].set("k", b"v".to_vec())?;
/// let refs: Vec<&kvs::Store<Vec<u8>>> = dbs.iter().collect();
/// kvs::snapshot::save_all(&path, &refs)?;
/// let info = kvs::snapshot::SnapshotReader::open(&path)?.verify()?;
/// assert_eq!(info.databases.len(), 3);
/// assert_eq!(info.databases[2].records, 1);
/// # Ok::<(), kvs::Error>(())
/// ```
pub fn save_all<V>(path: impl AsRef<Path>, stores: &[&Store<V>]) -> Result<SaveStats>
where
    V: Serialize + Clone + Send + Sync + 'static,
{
    let path = path.as_ref();
    check_db_count(stores.len())?;
    let created = created_ms(stores);
    let mut stats = SaveStats::default();
    file::replace(path, |file| {
        let io = |source| Error::Io {
            path: Some(path.to_path_buf()),
            source,
        };
        // The header holds the record counts, known only at the end: write
        // a placeholder of its length, stream the records, then go back.
        let placeholder = vec![0; format::header_len(stores.len())];
        file.write_all(&placeholder).map_err(io)?;
        let mut body = crc32fast::Hasher::new();
        let mut out = file::Writeback::new(file, placeholder.len() as u64);
        let mut body_len = 0u64;
        let (counts, streamed) = save::stream_images(stores, |bytes| {
            body.update(bytes);
            body_len += bytes.len() as u64;
            out.write_all(bytes).map_err(io)
        })?;
        let header = format::encode_header(created, value_version(stores), &counts);
        let file = out.into_inner();
        file.write_all(&file_crc(&header, &body).to_le_bytes())
            .map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        file.write_all(&header).map_err(io)?;
        stats = SaveStats {
            bytes: header.len() as u64 + body_len + 4,
            ..streamed
        };
        Ok(())
    })?;
    Ok(stats)
}

/// Like [`save_all`], but writes the snapshot to `out` (no atomic
/// replacement: that is the caller's business).
///
/// ```
/// let a: kvs::Store<u32> = kvs::Store::new(2)?;
/// a.set("n", 7)?;
/// let mut bytes = Vec::new();
/// kvs::snapshot::save_all_to(&mut bytes, &[&a])?;
/// assert_eq!(&bytes[..4], b"KVS1");
/// # Ok::<(), kvs::Error>(())
/// ```
pub fn save_all_to<V, W>(mut out: W, stores: &[&Store<V>]) -> Result<SaveStats>
where
    V: Serialize + Clone + Send + Sync + 'static,
    W: Write,
{
    check_db_count(stores.len())?;
    let created = created_ms(stores);
    // The counts go in the header, before the records: gather the records
    // first, so that nothing reaches `out` if a value fails to encode.
    let mut body = Vec::new();
    let mut crc = crc32fast::Hasher::new();
    let (counts, stats) = save::stream_images(stores, |bytes| {
        crc.update(bytes);
        body.extend_from_slice(bytes);
        Ok(())
    })?;
    let header = format::encode_header(created, value_version(stores), &counts);
    let io = |source| Error::Io { path: None, source };
    out.write_all(&header).map_err(io)?;
    out.write_all(&body).map_err(io)?;
    out.write_all(&file_crc(&header, &crc).to_le_bytes())
        .map_err(io)?;
    out.flush().map_err(io)?;
    Ok(SaveStats {
        bytes: (header.len() + body.len() + 4) as u64,
        ..stats
    })
}

/// Loads the snapshot at `path` into `stores` (database `i` into
/// `stores[i]`), all or nothing: the whole file is read, checked and decoded
/// before any store is touched; then each store's contents are replaced at
/// once (a reader sees the old contents or the new, never a mix). Stores
/// beyond the file's databases are emptied; a file with more databases than
/// `stores` is refused with `SnapshotDatabases`. Records already expired
/// are skipped; other TTLs become deadlines on the stores' clocks.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("dump.kvs");
/// let a: kvs::Store<u32> = kvs::Store::new(2)?;
/// a.set("n", 1)?;
/// kvs::snapshot::save_all(&path, &[&a])?;
/// let b: kvs::Store<u32> = kvs::Store::new(8)?;
/// b.set("old", 0)?;
/// kvs::snapshot::load_all(&path, &[&b])?;
/// assert_eq!(b.get("n")?, 1);
/// assert!(!b.exists("old"));
/// # Ok::<(), kvs::Error>(())
/// ```
pub fn load_all<V>(path: impl AsRef<Path>, stores: &[&Store<V>]) -> Result<()>
where
    V: DeserializeOwned + Clone + Send + Sync + 'static,
{
    let reader = SnapshotReader::open(path)?;
    load::load_reader(reader, stores, None)
}

/// Like [`load_all`], but a file written at another value version than a
/// store's ([`Builder::value_version`](crate::Builder::value_version)) is
/// loaded too: each of its records' value bytes goes through
/// `migrate(found_version, bytes)`, which returns the value in the store's
/// type or says why it cannot. A file at the store's own version is decoded
/// as [`load_all`] does, without `migrate`. Still all or nothing: a record
/// `migrate` refuses fails the load with [`Error::SchemaMismatch`] naming
/// it, and no store changes. `migrate` runs on the load's worker threads.
///
/// ```
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("dump.kvs");
/// // Version 1 of the application stored counters as u32...
/// let old: kvs::Store<u32> = kvs::Store::builder().value_version(1).build()?;
/// old.set("hits", 41)?;
/// old.save_snapshot(&path)?;
/// // ... version 2 stores u64 and converts old files as it loads them.
/// let new: kvs::Store<u64> = kvs::Store::builder().value_version(2).build()?;
/// kvs::snapshot::load_all_migrating(&path, &[&new], |found, bytes| match found {
///     1 => kvs::snapshot::decode::<u32>(bytes).map(u64::from),
///     v => Err(format!("no migration from value version {v}")),
/// })?;
/// assert_eq!(new.get("hits")?, 41);
/// # Ok::<(), kvs::Error>(())
/// ```
pub fn load_all_migrating<V, F>(
    path: impl AsRef<Path>,
    stores: &[&Store<V>],
    migrate: F,
) -> Result<()>
where
    V: DeserializeOwned + Clone + Send + Sync + 'static,
    F: Fn(u32, &[u8]) -> std::result::Result<V, String> + Sync,
{
    let reader = SnapshotReader::open(path)?;
    load::load_reader(reader, stores, Some(&migrate))
}

/// Like [`load_all`], from a byte stream. The stream is buffered and may be
/// read past the snapshot's end: bound it with `Read::take` if other data
/// follows.
///
/// ```
/// let a: kvs::Store<u32> = kvs::Store::new(2)?;
/// a.set("n", 1)?;
/// let mut bytes = Vec::new();
/// kvs::snapshot::save_all_to(&mut bytes, &[&a])?;
/// let b: kvs::Store<u32> = kvs::Store::new(2)?;
/// kvs::snapshot::load_all_from(&bytes[..], &[&b])?;
/// assert_eq!(b.get("n")?, 1);
/// # Ok::<(), kvs::Error>(())
/// ```
pub fn load_all_from<V, R>(input: R, stores: &[&Store<V>]) -> Result<()>
where
    V: DeserializeOwned + Clone + Send + Sync + 'static,
    R: Read,
{
    load::load_reader(SnapshotReader::new(input)?, stores, None)
}

/// Like [`load_all_migrating`], from a byte stream (see [`load_all_from`]).
///
/// ```
/// let old: kvs::Store<u8> = kvs::Store::new(2)?;
/// old.set("n", 1)?;
/// let mut bytes = Vec::new();
/// old.save_to(&mut bytes)?;
/// let new: kvs::Store<i16> = kvs::Store::builder().value_version(1).build()?;
/// kvs::snapshot::load_all_from_migrating(&bytes[..], &[&new], |_, b| {
///     kvs::snapshot::decode::<u8>(b).map(|n| -i16::from(n))
/// })?;
/// assert_eq!(new.get("n")?, -1);
/// # Ok::<(), kvs::Error>(())
/// ```
pub fn load_all_from_migrating<V, R, F>(input: R, stores: &[&Store<V>], migrate: F) -> Result<()>
where
    V: DeserializeOwned + Clone + Send + Sync + 'static,
    R: Read,
    F: Fn(u32, &[u8]) -> std::result::Result<V, String> + Sync,
{
    load::load_reader(SnapshotReader::new(input)?, stores, Some(&migrate))
}

impl<V: Clone + Send + Sync + 'static> Store<V> {
    /// Saves the store to `path` as a one-database snapshot, atomically (see
    /// [`save_all`]): the file shows the store at one instant, writers keep
    /// working, and a crash leaves the old file or the new one, whole.
    /// Entries expired at the snapshot instant are left out.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("s.kvs");
    /// let store: kvs::Store<String> = kvs::Store::new(4)?;
    /// store.set("k", "v".to_string())?;
    /// store.save_snapshot(&path)?;
    /// let copy: kvs::Store<String> = kvs::Store::new(4)?;
    /// copy.load_snapshot(&path)?;
    /// assert_eq!(copy.get("k")?, "v");
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn save_snapshot(&self, path: impl AsRef<Path>) -> Result<SaveStats>
    where
        V: Serialize,
    {
        save_all(path, &[self])
    }

    /// Replaces the store's contents with the snapshot at `path`, all at
    /// once, after the whole file has been checked and decoded: a corrupt
    /// file leaves the store as it was. See [`load_all`].
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("bad.kvs");
    /// std::fs::write(&path, b"KVS1 but not really").unwrap();
    /// let store: kvs::Store<u8> = kvs::Store::new(4)?;
    /// store.set("kept", 1)?;
    /// assert!(store.load_snapshot(&path).is_err());
    /// assert_eq!(store.get("kept")?, 1);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn load_snapshot(&self, path: impl AsRef<Path>) -> Result<()>
    where
        V: DeserializeOwned,
    {
        load_all(path, &[self])
    }

    /// Like [`load_snapshot`](Store::load_snapshot), converting the values
    /// of a file written at another value version with `migrate` (see
    /// [`load_all_migrating`]).
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("s.kvs");
    /// let old: kvs::Store<String> = kvs::Store::new(4)?;
    /// old.set("k", "12".to_string())?;
    /// old.save_snapshot(&path)?;
    /// let new: kvs::Store<u64> = kvs::Store::builder().value_version(1).build()?;
    /// new.load_snapshot_migrating(&path, |_, bytes| {
    ///     let s: String = kvs::snapshot::decode(bytes)?;
    ///     s.parse().map_err(|e| format!("{e}"))
    /// })?;
    /// assert_eq!(new.get("k")?, 12);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn load_snapshot_migrating<F>(&self, path: impl AsRef<Path>, migrate: F) -> Result<()>
    where
        V: DeserializeOwned,
        F: Fn(u32, &[u8]) -> std::result::Result<V, String> + Sync,
    {
        load_all_migrating(path, &[self], migrate)
    }

    /// The value version this store's saves write and its loads expect
    /// ([`Builder::value_version`](crate::Builder::value_version)).
    ///
    /// ```
    /// let s: kvs::Store<u8> = kvs::Store::builder().value_version(3).build()?;
    /// assert_eq!(s.value_version(), 3);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn value_version(&self) -> u32 {
        self.inner.value_version
    }

    /// Writes a one-database snapshot of the store to `out`.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4)?;
    /// store.set("k", 1)?;
    /// let mut bytes = Vec::new();
    /// store.save_to(&mut bytes)?;
    /// let copy: kvs::Store<u8> = kvs::Store::new(4)?;
    /// copy.load_from(&bytes[..])?;
    /// assert_eq!(copy.get("k")?, 1);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn save_to<W: Write>(&self, out: W) -> Result<SaveStats>
    where
        V: Serialize,
    {
        save_all_to(out, &[self])
    }

    /// Replaces the store's contents with a snapshot read from `input` (see
    /// [`load_snapshot`](Store::load_snapshot)).
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4)?;
    /// store.set("k", 1)?;
    /// assert!(store.load_from(&b"garbage"[..]).is_err());
    /// assert_eq!(store.get("k")?, 1);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn load_from<R: Read>(&self, input: R) -> Result<()>
    where
        V: DeserializeOwned,
    {
        load_all_from(input, &[self])
    }
}

/// A thread builder whose spawn the system refuses, as it would at a thread
/// limit (its stack is half the address space): for tests of the save's and
/// the load's threads.
#[cfg(test)]
fn refused_thread() -> std::thread::Builder {
    std::thread::Builder::new().stack_size(usize::MAX / 2 + 1)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use super::*;
    use cow::ShardImage;
    use format::DbCounts;
    use save::copy_shard;

    /// The records of some images, as `(key, value)`, sorted.
    fn records(images: &[ShardImage]) -> Vec<(Vec<u8>, u32)> {
        records_with_expiry(images)
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect()
    }

    /// Starts a save of `store` by hand, at `now`, with its instant set by
    /// `started`.
    fn begin_save<'a>(
        store: &'a Store<u32>,
        now: u64,
        started: &Arc<AtomicBool>,
    ) -> cow::Capture<'a, u32> {
        let inner = &store.inner;
        cow::begin(&inner.shards, &inner.gate, now, copy_shard::<u32>, started)
    }

    /// Two shards, `a` in one and `b` in the other, both set to 1.
    fn a_and_b_store() -> Store<u32> {
        let shard_fn: crate::ShardFn = Arc::new(|k: &[u8], _| usize::from(k[0] == b'b'));
        let store: Store<u32> = Store::builder()
            .shards(2)
            .shard_fn(shard_fn)
            .build()
            .unwrap();
        store.batch_set([("a", 1), ("b", 1)]).unwrap();
        store
    }

    /// A one-shard store on a manual clock, with no sweeper.
    fn one_shard_store() -> (crate::ManualClock, Store<u32>) {
        let c = crate::ManualClock::new();
        let store = Store::builder()
            .shards(1)
            .clock(c.clone())
            .without_sweeper()
            .build()
            .unwrap();
        (c, store)
    }

    /// Drives the capture by hand. A write between publishing and the
    /// instant is in the snapshot. Writes after the instant, to a shard the
    /// save has not copied, make the shard record each key's state at the
    /// instant before its first change: an overwrite, a new key, a delete,
    /// a TTL change and a second change of the same key all come out as
    /// they were, and the writer copies nothing.
    #[test]
    fn writers_record_each_key_at_the_instant_once_the_save_has_started() {
        let (c, store) = one_shard_store();
        store.set("k", 1).unwrap();
        store.set("gone", 7).unwrap();
        store.set("ttl", 8).unwrap();
        let inner = &store.inner;
        let started = Arc::new(AtomicBool::new(false));
        let now = crate::clock::unix_nanos(crate::Clock::now(&c));
        let capture = begin_save(&store, now, &started);
        // Published, not started: before the instant.
        store.set("k", 2).unwrap();
        assert!(!inner.shards[0].lock.read().has_undo());
        started.store(true, Ordering::SeqCst);
        // After the instant: recorded, not copied.
        store.set("k", 3).unwrap();
        store.set("k", 4).unwrap();
        store.set("new", 5).unwrap();
        store.delete("gone").unwrap();
        store
            .expire("ttl", std::time::Duration::from_secs(60))
            .unwrap();
        assert_eq!(inner.shards[0].copied_epoch.load(Ordering::Relaxed), 0);
        assert!(inner.shards[0].lock.read().has_undo());
        assert_eq!(capture.copied_by_writers(), 0, "no writer copied the shard");
        let images = cow::finish(capture);
        let with_ttl: u64 = images.iter().map(|i| i.with_ttl).sum();
        assert_eq!(with_ttl, 0, "the TTL given after the instant is not in it");
        assert_eq!(
            records(&images),
            [
                (b"gone".to_vec(), 7),
                (b"k".to_vec(), 2),
                (b"ttl".to_vec(), 8)
            ]
        );
        // The copy leaves the log (dropping it would take the write lock, and
        // make readers wait): the next writer drops it, and after the save
        // writes take the fast path.
        assert!(inner.shards[0].lock.read().has_undo());
        store.set("k", 5).unwrap();
        assert!(inner.gate.active_epoch_for_tests() == 0);
        assert!(!inner.shards[0].lock.read().has_undo());
    }

    /// The sweeper is a writer too: a key live at the instant and swept
    /// (expired) before the save copies its shard is still in the snapshot,
    /// with its deadline.
    #[test]
    fn a_key_swept_after_the_instant_is_in_the_snapshot() {
        let (c, store) = one_shard_store();
        store
            .set_with_ttl("short", 1, std::time::Duration::from_secs(10))
            .unwrap();
        let started = Arc::new(AtomicBool::new(true));
        let now = crate::clock::unix_nanos(crate::Clock::now(&c));
        let capture = begin_save(&store, now, &started);
        c.advance(std::time::Duration::from_secs(20));
        assert_eq!(store.sweep_expired().unwrap(), 1);
        assert_eq!(store.len(), 0);
        let images = cow::finish(capture);
        assert_eq!(records(&images), [(b"short".to_vec(), 1)]);
        assert_eq!(images.iter().map(|i| i.with_ttl).sum::<u64>(), 1);
    }

    /// What a writer does between two chunks of the save's copy.
    #[derive(Debug, Clone)]
    enum Op {
        Set(u8, u32),
        SetWithTtl(u8, u32, u8),
        Delete(u8),
        Expire(u8, u8),
        Persist(u8),
        /// Moves the clock on and sweeps expired keys.
        Sweep(u8),
        /// New keys, enough to make the table grow (entries move).
        Grow(u8),
        /// A writer of several shards: it copies the shard whole first.
        BatchSet(u8, u32),
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            4 => (0..48u8, any::<u32>()).prop_map(|(k, v)| Op::Set(k, v)),
            2 => (0..48u8, any::<u32>(), 1..30u8).prop_map(|(k, v, t)| Op::SetWithTtl(k, v, t)),
            3 => (0..48u8).prop_map(Op::Delete),
            2 => (0..48u8, 1..30u8).prop_map(|(k, t)| Op::Expire(k, t)),
            1 => (0..48u8).prop_map(Op::Persist),
            1 => (1..30u8).prop_map(Op::Sweep),
            1 => (1..4u8).prop_map(Op::Grow),
            1 => (0..48u8, any::<u32>()).prop_map(|(k, v)| Op::BatchSet(k, v)),
        ]
    }

    fn key(k: u8) -> Vec<u8> {
        format!("k{k}").into_bytes()
    }

    fn apply(store: &Store<u32>, clock: &crate::ManualClock, op: &Op, grown: &mut u32) {
        use std::time::Duration;
        // Results are ignored: a key may be absent, which is fine here.
        match *op {
            Op::Set(k, v) => drop(store.set(key(k), v)),
            Op::SetWithTtl(k, v, t) => {
                drop(store.set_with_ttl(key(k), v, Duration::from_secs(t.into())))
            }
            Op::Delete(k) => drop(store.delete(&key(k))),
            Op::Expire(k, t) => drop(store.expire(&key(k), Duration::from_secs(t.into()))),
            Op::Persist(k) => drop(store.persist(&key(k))),
            Op::Sweep(t) => {
                clock.advance(Duration::from_secs(t.into()));
                drop(store.sweep_expired());
            }
            Op::Grow(n) => {
                for _ in 0..u32::from(n) * 40 {
                    *grown += 1;
                    drop(store.set(format!("g{grown}"), *grown));
                }
            }
            Op::BatchSet(k, v) => drop(store.batch_set([(key(k), v)])),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// The save copies a shard a chunk of buckets at a time and lets
        /// writers in between chunks. Whatever they do there (overwrite,
        /// delete, change TTLs, sweep, grow the table so that entries move,
        /// copy the shard whole for a batch), the copy holds each key once,
        /// as it was at the instant: compared with the store's contents
        /// read at the instant. Chunks of 1 to 8 buckets put writes at
        /// every point of the copy.
        #[test]
        fn a_copy_in_chunks_holds_the_shard_as_it_was_at_the_instant(
            before in proptest::collection::vec(op(), 0..40),
            during in proptest::collection::vec(proptest::collection::vec(op(), 0..4), 0..64),
            chunk in 1..8usize,
        ) {
            let (clock, store) = one_shard_store();
            let mut grown = 0;
            for op in &before {
                apply(&store, &clock, op, &mut grown);
            }
            let mut expected: Vec<(Vec<u8>, u32, Option<u64>)> = store
                .keys()
                .unwrap()
                .into_iter()
                .filter_map(|k| {
                    let v = store.get(&k).ok()?;
                    let ttl = store.ttl(&k).ok()?;
                    Some((k.to_vec(), v, ttl))
                })
                .map(|(k, v, ttl)| {
                    let deadline = ttl.map(|t| {
                        crate::clock::unix_nanos(crate::Clock::now(&clock) + t)
                    });
                    (k, v, deadline.map(format::deadline_to_ms))
                })
                .collect();
            expected.sort();

            let started = Arc::new(AtomicBool::new(true));
            let now = crate::clock::unix_nanos(crate::Clock::now(&clock));
            let capture = begin_save(&store, now, &started);
            let mut image = ShardImage::default();
            let mut groups = during.iter();
            capture.take_in_chunks(0, &mut image, chunk, |guard| {
                if let Some(group) = groups.next() {
                    crate::sync::UpgradableGuard::unlocked(guard, || {
                        for op in group {
                            apply(&store, &clock, op, &mut grown);
                        }
                    });
                }
            });
            drop(capture);
            proptest::prop_assert_eq!(records_with_expiry(std::slice::from_ref(&image)), expected);
        }
    }

    /// A batch that sees a save published but not started is before the
    /// instant in every shard it writes: in the snapshot, whole, and no
    /// shard was copied for it.
    #[test]
    fn a_batch_before_the_instant_is_in_the_snapshot_in_every_shard() {
        let store = a_and_b_store();
        let started = Arc::new(AtomicBool::new(false));
        let capture = begin_save(&store, 0, &started);
        store.batch_set([("a", 2), ("b", 2)]).unwrap();
        started.store(true, Ordering::SeqCst);
        assert_eq!(capture.copied_by_writers(), 0);
        let images = cow::finish(capture);
        assert_eq!(records(&images), [(b"a".to_vec(), 2), (b"b".to_vec(), 2)]);
    }

    /// A save gives way (sleeps off the lock between chunks) only after
    /// writers wrote during it, and says how long in its statistics.
    #[test]
    fn a_save_gives_way_only_to_writers_that_wrote_during_it() {
        let (clock, store) = one_shard_store();
        for i in 0..2_000u32 {
            store.set(format!("k{i}"), i).unwrap();
        }
        assert!(store.inner.shards[0].lock.read().num_buckets() > 1024);
        let now = crate::clock::unix_nanos(crate::Clock::now(&clock));
        for write_during in [false, true] {
            let started = Arc::new(AtomicBool::new(true));
            let capture = begin_save(&store, now, &started);
            if write_during {
                store.set("k0", 7).unwrap();
            }
            let mut image = ShardImage::default();
            capture.take(0, &mut image);
            let mut stats = SaveStats::default();
            capture.add_to(&mut stats);
            assert_eq!(stats.gave_way > std::time::Duration::ZERO, write_during);
            assert_eq!(image.records, 2_000);
        }
    }

    /// The records of some images, as `(key, value, expiry in Unix ms)`,
    /// sorted: read back through a whole snapshot file built around them.
    fn records_with_expiry(images: &[ShardImage]) -> Vec<(Vec<u8>, u32, Option<u64>)> {
        let mut bytes = Vec::new();
        let counts = [DbCounts {
            records: images.iter().map(|i| i.records).sum(),
            with_ttl: images.iter().map(|i| i.with_ttl).sum(),
        }];
        bytes.extend_from_slice(&format::encode_header(0, 0, &counts));
        for i in images {
            bytes.extend_from_slice(&i.bytes);
        }
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        let mut reader = SnapshotReader::new(&bytes[..]).unwrap();
        let mut out = Vec::new();
        while let Some(r) = reader.next_record().unwrap() {
            let value = postcard::from_bytes(r.value).unwrap();
            out.push((r.key.to_vec(), value, r.expires_at_ms));
        }
        out.sort();
        out
    }

    #[test]
    fn snapshot_hooks_keep_a_shard_cell_within_its_two_cache_lines() {
        assert_eq!(std::mem::size_of::<crate::shard::ShardCell<u64>>(), 128);
        assert_eq!(
            std::mem::size_of::<crate::shard::ShardCell<bytes::Bytes>>(),
            128
        );
    }

    #[test]
    fn batches_are_copied_whole() {
        let store = a_and_b_store();
        let inner = &store.inner;
        let started = Arc::new(AtomicBool::new(true));
        let capture = begin_save(&store, 0, &started);
        store.batch_set([("a", 2), ("b", 2)]).unwrap();
        for cell in inner.shards.iter() {
            assert_eq!(cell.copied_epoch.load(Ordering::Relaxed), 1);
        }
        let images = cow::finish(capture);
        assert_eq!(records(&images), [(b"a".to_vec(), 1), (b"b".to_vec(), 1)]);
    }
}
