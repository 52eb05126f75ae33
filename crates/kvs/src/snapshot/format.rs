//! The snapshot file format, version 2 (specified byte by byte in
//! `docs/snapshot-format.md`; version 1 is the same without `value_version`).
//! All integers are little-endian.
//!
//! ```text
//! header   magic "KVS1" | version u16 | flags u16 | created_ms u64 | db_count u32
//!          | value_version u32 (version 2 only)
//!          db_count x (records u64 | with_ttl u64) | header_crc u32
//! records  db 0's records, then db 1's, ...; each:
//!          tag u8 (bit 0: has expiry) | key_len u32 | key | [expiry_ms u64]
//!          | value_len u32 | value (postcard)
//! trailer  crc u32 over every byte before it
//! ```

use serde::Serialize;

/// The four bytes every snapshot starts with.
///
/// ```
/// let mut bytes = Vec::new();
/// kvs::Store::<u8>::new(1)?.save_to(&mut bytes)?;
/// assert_eq!(bytes[..4], kvs::snapshot::MAGIC);
/// # Ok::<(), kvs::Error>(())
/// ```
pub const MAGIC: [u8; 4] = *b"KVS1";

/// The newest format version this build writes and reads (older ones stay
/// readable; newer ones are refused with `UnsupportedVersion`).
///
/// ```
/// let mut bytes = Vec::new();
/// kvs::Store::<u8>::new(1)?.save_to(&mut bytes)?;
/// assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), kvs::snapshot::VERSION);
/// # Ok::<(), kvs::Error>(())
/// ```
pub const VERSION: u16 = 2;

/// Bytes of the fixed part of a version-1 header (magic to db_count).
pub(crate) const FIXED_HEADER_LEN_V1: usize = 20;
/// Bytes of the fixed part of a version-2 header (magic to value_version).
pub(crate) const FIXED_HEADER_LEN: usize = 24;
/// Bytes per database in the header's table.
pub(crate) const DB_ENTRY_LEN: usize = 16;
/// The smallest record: tag, key length, value length (empty key and value).
pub(crate) const MIN_RECORD_LEN: u64 = 9;
/// Tag bit: the record carries an expiry.
pub(crate) const TAG_EXPIRY: u8 = 1;

/// One database's entry in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DbCounts {
    pub(crate) records: u64,
    pub(crate) with_ttl: u64,
}

/// Bytes of the header (as this build writes it) of a snapshot of
/// `db_count` databases.
pub(crate) fn header_len(db_count: usize) -> usize {
    FIXED_HEADER_LEN + DB_ENTRY_LEN * db_count + 4
}

/// The header bytes for a snapshot of `dbs` whose values are encoded at the
/// application's `value_version`, with its CRC.
pub(crate) fn encode_header(created_ms: u64, value_version: u32, dbs: &[DbCounts]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header_len(dbs.len()));
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&created_ms.to_le_bytes());
    let count = u32::try_from(dbs.len()).expect("database count checked by the caller");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&value_version.to_le_bytes());
    for db in dbs {
        out.extend_from_slice(&db.records.to_le_bytes());
        out.extend_from_slice(&db.with_ttl.to_le_bytes());
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Why a record could not be encoded.
pub(crate) enum EncodeError {
    KeyTooLong,
    ValueTooLong,
    Value(postcard::Error),
}

/// Appends one record to `out`. On error `out` is left as it was.
pub(crate) fn encode_record<V: Serialize>(
    out: &mut Vec<u8>,
    key: &[u8],
    value: &V,
    expiry_ms: Option<u64>,
) -> Result<(), EncodeError> {
    let start = out.len();
    let key_len = u32::try_from(key.len()).map_err(|_| EncodeError::KeyTooLong)?;
    out.push(if expiry_ms.is_some() { TAG_EXPIRY } else { 0 });
    out.extend_from_slice(&key_len.to_le_bytes());
    out.extend_from_slice(key);
    if let Some(ms) = expiry_ms {
        out.extend_from_slice(&ms.to_le_bytes());
    }
    let len_at = out.len();
    out.extend_from_slice(&[0; 4]);
    let result = match postcard::to_io(value, &mut *out) {
        Ok(_) => u32::try_from(out.len() - len_at - 4).map_err(|_| EncodeError::ValueTooLong),
        Err(e) => Err(EncodeError::Value(e)),
    };
    match result {
        Ok(value_len) => {
            out[len_at..len_at + 4].copy_from_slice(&value_len.to_le_bytes());
            Ok(())
        }
        Err(e) => {
            out.truncate(start);
            Err(e)
        }
    }
}

/// A deadline in Unix nanoseconds as the file's Unix milliseconds, rounded up
/// so that a restored key never lives shorter than it was asked to.
pub(crate) fn deadline_to_ms(deadline_ns: u64) -> u64 {
    deadline_ns.div_ceil(1_000_000)
}

/// The file's Unix milliseconds as a deadline in nanoseconds. A time beyond
/// what the store's clock can represent becomes the latest deadline there is
/// rather than "never": the key still has a TTL.
pub(crate) fn ms_to_deadline(ms: u64) -> u64 {
    ms.checked_mul(1_000_000)
        .map_or(crate::shard::NEVER - 1, |ns| {
            ns.min(crate::shard::NEVER - 1)
        })
}

/// What is wrong with a snapshot that cannot be loaded.
///
/// ```
/// use kvs::snapshot::Corruption;
/// let c = Corruption::Truncated { at: 12 };
/// assert_eq!(c.to_string(), "truncated at byte 12");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    /// The file does not start with `KVS1`.
    #[error("bad magic {found:02x?} (expected \"KVS1\")")]
    BadMagic {
        /// The first bytes found.
        found: Vec<u8>,
    },
    /// The header's own checksum does not match.
    #[error("header checksum mismatch (stored {stored:#010x}, computed {computed:#010x})")]
    HeaderChecksumMismatch {
        /// The checksum in the file.
        stored: u32,
        /// The checksum of the bytes read.
        computed: u32,
    },
    /// The whole-file checksum does not match.
    #[error("checksum mismatch (stored {stored:#010x}, computed {computed:#010x})")]
    ChecksumMismatch {
        /// The checksum in the file.
        stored: u32,
        /// The checksum of the bytes read.
        computed: u32,
    },
    /// The file ends before the format says it should.
    #[error("truncated at byte {at}")]
    Truncated {
        /// How many bytes there were.
        at: u64,
    },
    /// A field holds a value the format does not allow.
    #[error("invalid {field} at byte {at}: {detail}")]
    InvalidField {
        /// Which field.
        field: &'static str,
        /// Its offset in the file.
        at: u64,
        /// What is wrong with it.
        detail: String,
    },
    /// A record's value could not be decoded as the store's value type, in a
    /// file that is damaged elsewhere too (its structure or checksum fails
    /// later). In an intact file, a value that does not decode is reported
    /// as [`Error::SchemaMismatch`](crate::Error::SchemaMismatch) instead.
    #[error("undecodable record {index} (database {database}): {detail}")]
    UndecodableRecord {
        /// The database the record belongs to.
        database: u32,
        /// The record's position in the file, from 0.
        index: u64,
        /// The decoder's complaint.
        detail: String,
    },
    /// Bytes follow the trailer.
    #[error("unexpected data after the end of the snapshot at byte {at}")]
    TrailingData {
        /// Where the snapshot ended.
        at: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_round_up_and_saturate() {
        assert_eq!(deadline_to_ms(1), 1);
        assert_eq!(deadline_to_ms(2_000_000), 2);
        assert_eq!(deadline_to_ms(2_000_001), 3);
        assert_eq!(ms_to_deadline(3), 3_000_000);
        assert_eq!(ms_to_deadline(u64::MAX), crate::shard::NEVER - 1);
    }

    #[test]
    fn header_layout_is_as_documented() {
        let counts = [DbCounts {
            records: 3,
            with_ttl: 1,
        }];
        let h = encode_header(0x0102, 7, &counts);
        assert_eq!(h.len(), header_len(1));
        assert_eq!(&h[..4], b"KVS1");
        assert_eq!(&h[4..8], &[2, 0, 0, 0]);
        assert_eq!(&h[8..16], &0x0102u64.to_le_bytes());
        assert_eq!(&h[16..20], &1u32.to_le_bytes());
        assert_eq!(&h[20..24], &7u32.to_le_bytes());
        assert_eq!(&h[24..32], &3u64.to_le_bytes());
        assert_eq!(&h[32..40], &1u64.to_le_bytes());
        assert_eq!(&h[40..], &crc32fast::hash(&h[..40]).to_le_bytes());
    }

    #[test]
    fn record_layout_is_as_documented() {
        let mut out = Vec::new();
        assert!(encode_record(&mut out, b"k", &"v", Some(7)).is_ok());
        let mut expected = vec![TAG_EXPIRY, 1, 0, 0, 0, b'k'];
        expected.extend_from_slice(&7u64.to_le_bytes());
        expected.extend_from_slice(&[2, 0, 0, 0, 1, b'v']);
        assert_eq!(out, expected);
    }
}
