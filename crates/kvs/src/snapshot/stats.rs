//! What a save reports: its size, and what it cost the writers.

use std::time::Duration;

/// What a save did. Returned by every save function, for logs and
/// monitoring: how large the snapshot is, and how much the save cost the
/// writers that ran during it.
///
/// The save copies each shard a chunk of buckets at a time and lets a
/// waiting writer in between chunks; a writer of several shards copies
/// each of them whole. A writer waits for the chunk or the copy in
/// progress on its shard, and for nothing else: so `longest_lock_hold`
/// bounds how long any writer waited on this save, the machine's
/// scheduling aside. While writers write, the save also pauses between
/// chunks so that they get a processor (`gave_way`).
///
/// ```
/// let store: kvs::Store<u32> = kvs::Store::new(4)?;
/// store.set("a", 1)?;
/// store.set("b", 2)?;
/// let mut bytes = Vec::new();
/// let stats = store.save_to(&mut bytes)?;
/// assert_eq!(stats.records, 2);
/// assert_eq!(stats.bytes, bytes.len() as u64);
/// assert_eq!(stats.shards, 4);
/// assert_eq!(stats.copied_by_writers, 0); // no writer ran during the save
/// assert_eq!(stats.gave_way, std::time::Duration::ZERO);
/// # Ok::<(), kvs::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SaveStats {
    /// Records written, across all databases.
    pub records: u64,
    /// Bytes of the snapshot, header and checksum included.
    pub bytes: u64,
    /// Shards captured, across all the stores saved.
    pub shards: usize,
    /// Of those, how many a writer copied before changing them (a writer of
    /// several shards at once does; a single-key writer only has the shard
    /// record what it changes). The save copied the rest itself.
    pub copied_by_writers: usize,
    /// The longest that copying one shard took, whether a writer or the save
    /// did it (the save's chunks of it added up).
    pub longest_shard_copy: Duration,
    /// The longest a copy held a shard's lock at a stretch: a chunk of the
    /// save's, or a writer's copy of a whole shard.
    pub longest_lock_hold: Duration,
    /// How long the save's threads slept between chunks, all together, to
    /// let writers that wrote during the save have a processor (zero when
    /// no writer did).
    pub gave_way: Duration,
}
