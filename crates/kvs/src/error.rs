//! The one error type of the store.

/// Everything a [`Store`](crate::Store) operation can fail with.
///
/// The enum is `#[non_exhaustive]`: new failure kinds (the snapshot module adds
/// its own) can appear without a breaking change, so match with a wildcard arm.
///
/// ```
/// use kvs::{Error, Store};
///
/// let store: Store<u32> = Store::new(4).unwrap();
/// match store.get("missing") {
///     Err(Error::NotFound) => {}
///     other => panic!("expected NotFound, got {other:?}"),
/// }
/// assert_eq!(Error::NotFound.to_string(), "key not found");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The key is absent, or its time to live has run out.
    #[error("key not found")]
    NotFound,
    /// A store was asked for zero shards.
    #[error("invalid number of shards: {0} (must be at least 1)")]
    InvalidNumShards(usize),
    /// A custom shard hash function returned an index outside `0..num_shards`.
    #[error("shard hash returned index {index}, but the store has {num_shards} shards")]
    InvalidShardIndex {
        /// What the hash function returned.
        index: usize,
        /// How many shards the store has.
        num_shards: usize,
    },
    /// A time to live whose deadline cannot be represented by the clock.
    #[error("invalid TTL: the deadline lies beyond what the clock can represent")]
    InvalidTTL,
    /// The store was closed with [`Store::close`](crate::Store::close).
    #[error("the store is closed")]
    StoreClosed,
    /// The background sweeper did not stop within the close timeout.
    #[error("the expiry sweeper did not stop within {0:?}")]
    CloseTimedOut(std::time::Duration),
    /// The operating system refused to start the sweeper thread.
    #[error("could not start the expiry sweeper thread: {0}")]
    Spawn(#[source] std::io::Error),
    /// A snapshot is damaged; nothing was loaded.
    #[error("corrupted snapshot: {reason}")]
    CorruptedSnapshot {
        /// What is wrong with it.
        reason: crate::snapshot::Corruption,
    },
    /// A snapshot was written by a newer format version than this build reads.
    #[error("unsupported snapshot version {found} (this build reads versions 1 to {supported})")]
    UnsupportedVersion {
        /// The version in the file.
        found: u16,
        /// The newest version this build reads.
        supported: u16,
    },
    /// Reading or writing a snapshot failed.
    #[error("{}", io_message(path.as_deref(), source))]
    Io {
        /// The file involved, if the snapshot was a file.
        path: Option<std::path::PathBuf>,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A value could not be encoded for a snapshot; nothing was written.
    #[error("cannot encode the value of key {key:?} for a snapshot: {message}")]
    SnapshotEncode {
        /// The key whose value failed.
        key: crate::Key,
        /// The encoder's complaint.
        message: String,
    },
    /// A snapshot holds more databases than stores were given to load it into.
    #[error("the snapshot holds {found} databases but {expected} stores were given")]
    SnapshotDatabases {
        /// Databases in the snapshot.
        found: u64,
        /// Stores given.
        expected: usize,
    },
    /// A snapshot's values were written at another value version
    /// ([`Builder::value_version`](crate::Builder::value_version)) than the
    /// store loading it expects; nothing was loaded. The application changed
    /// how it encodes its values since the file was written: load it with a
    /// migrating load
    /// ([`load_all_migrating`](crate::snapshot::load_all_migrating)) that
    /// converts the old values, or with the version that wrote it.
    #[error(
        "the snapshot's values are at value version {found} but this store expects version \
         {expected}: load it with a migrating load (kvs::snapshot::load_all_migrating) that \
         converts version-{found} values, or with the application version that wrote it"
    )]
    ValueVersionMismatch {
        /// The value version in the file (0 for a format-version-1 file).
        found: u32,
        /// The loading store's value version.
        expected: u32,
    },
    /// A record of an intact snapshot (its checksum holds) does not decode
    /// as the store's value type, or its migration failed; nothing was
    /// loaded. The file is not damaged: its values have another shape than
    /// this type, most likely because another version of the application
    /// wrote it without a different value version.
    #[error(
        "record {index} (database {database}, key {key:?}) does not decode as this value type: \
         {detail}; was it written by another version of the application? If the value type \
         changed, give it a new value version (Builder::value_version) and migrate old files \
         with kvs::snapshot::load_all_migrating"
    )]
    SchemaMismatch {
        /// The database the record belongs to.
        database: u32,
        /// The record's position in the file, from 0.
        index: u64,
        /// The record's key.
        key: crate::Key,
        /// The decoder's (or the migration's) complaint.
        detail: String,
    },
}

fn io_message(path: Option<&std::path::Path>, source: &std::io::Error) -> String {
    match path {
        Some(p) => format!("snapshot I/O error on {}: {source}", p.display()),
        None => format!("snapshot I/O error: {source}"),
    }
}

/// `Result` with the store's [`Error`].
///
/// ```
/// fn lookup(store: &kvs::Store<String>) -> kvs::Result<String> {
///     store.get("greeting")
/// }
/// # let store = kvs::Store::new(1).unwrap();
/// # store.set("greeting", "hi".to_string()).unwrap();
/// # assert_eq!(lookup(&store).unwrap(), "hi");
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_error<E: std::error::Error + Send + Sync + 'static>() {}

    #[test]
    fn error_is_send_sync_static() {
        assert_error::<Error>();
    }

    #[test]
    fn messages_say_what_happened() {
        let e = Error::InvalidShardIndex {
            index: 9,
            num_shards: 4,
        };
        assert_eq!(
            e.to_string(),
            "shard hash returned index 9, but the store has 4 shards"
        );
        assert_eq!(
            Error::InvalidNumShards(0).to_string(),
            "invalid number of shards: 0 (must be at least 1)"
        );
        assert_eq!(Error::StoreClosed.to_string(), "the store is closed");
    }
}
