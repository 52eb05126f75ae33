//! Reading snapshots: a buffered input that keeps a running CRC and knows
//! its offset, and [`SnapshotReader`], which walks a snapshot's records
//! without knowing the value type (for the loader and for inspection tools).

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::format::{
    Corruption, DbCounts, DB_ENTRY_LEN, FIXED_HEADER_LEN, FIXED_HEADER_LEN_V1, MAGIC,
    MIN_RECORD_LEN, TAG_EXPIRY, VERSION,
};
use crate::{Error, Result};

/// Bytes read from the source at a time.
const BUF_LEN: usize = 256 * 1024;

/// How many header table entries to reserve up front when the source's
/// length is unknown: more are added only as their bytes actually arrive.
const UNKNOWN_LEN_RESERVE: usize = 1024;

fn corrupt(reason: Corruption) -> Error {
    Error::CorruptedSnapshot { reason }
}

/// A buffered reader that hashes everything it hands out.
struct Input<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    /// `buf[..hashed]` is already in `hasher`.
    hashed: usize,
    hasher: crc32fast::Hasher,
    /// File offset of `buf[0]`.
    base: u64,
    /// Total length of the source, when known (a file).
    len: Option<u64>,
    path: Option<PathBuf>,
}

impl<R: Read> Input<R> {
    fn position(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn io(&self, source: std::io::Error) -> Error {
        Error::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Makes at least `need` (at most `BUF_LEN`) unread bytes available.
    fn fill(&mut self, need: usize) -> Result<()> {
        debug_assert!(need <= BUF_LEN);
        if self.end - self.pos >= need {
            return Ok(());
        }
        self.hasher.update(&self.buf[self.hashed..self.pos]);
        self.buf.copy_within(self.pos..self.end, 0);
        self.base += self.pos as u64;
        self.end -= self.pos;
        self.pos = 0;
        self.hashed = 0;
        while self.end < need {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    return Err(corrupt(Corruption::Truncated {
                        at: self.base + self.end as u64,
                    }))
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io(e)),
            }
        }
        Ok(())
    }

    /// The next `n` bytes (`n <= BUF_LEN`).
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        self.fill(n)?;
        let start = self.pos;
        self.pos += n;
        Ok(&self.buf[start..self.pos])
    }

    fn take_array<const N: usize>(&mut self) -> Result<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("took N bytes"))
    }

    fn u16(&mut self) -> Result<u16> {
        self.take_array().map(u16::from_le_bytes)
    }

    fn u32(&mut self) -> Result<u32> {
        self.take_array().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64> {
        self.take_array().map(u64::from_le_bytes)
    }

    /// Fails at once if fewer than `n` bytes can remain (when the length is
    /// known), so a hostile length never reaches an allocation.
    fn check_remaining(&self, n: u64) -> Result<()> {
        match self.len {
            Some(len) if self.position().saturating_add(n) > len => {
                Err(corrupt(Corruption::Truncated { at: len }))
            }
            _ => Ok(()),
        }
    }

    /// Reads `n` bytes into `out` (cleared first). `out` grows only as the
    /// bytes arrive, so a length field larger than the source costs nothing.
    fn take_into(&mut self, n: u64, out: &mut Vec<u8>) -> Result<()> {
        self.check_remaining(n)?;
        out.clear();
        let mut left = n;
        while left > 0 {
            self.fill(1)?;
            let chunk = (self.end - self.pos).min(usize::try_from(left).unwrap_or(usize::MAX));
            out.extend_from_slice(&self.buf[self.pos..self.pos + chunk]);
            self.pos += chunk;
            left -= chunk as u64;
        }
        Ok(())
    }

    /// The record at the cursor (its tag already checked), parsed where it
    /// lies when it fits in the buffer: the ranges of its key and value in
    /// `buf`, and its expiry. `None`, with nothing consumed, for a record too
    /// large for the buffer, which the caller reads piece by piece instead.
    #[allow(clippy::type_complexity)]
    fn record_in_buffer(
        &mut self,
        tag: u8,
    ) -> Result<Option<(std::ops::Range<usize>, Option<u64>, std::ops::Range<usize>)>> {
        self.fill(5)?;
        let at = |offset: usize| self.pos + offset;
        let key_len = u32::from_le_bytes(self.buf[at(1)..at(5)].try_into().expect("4 bytes"));
        let expiry_len = if tag & TAG_EXPIRY != 0 { 8 } else { 0 };
        // Tag, key length, key, expiry, value length.
        let head = 5 + u64::from(key_len) + expiry_len + 4;
        if head > BUF_LEN as u64 {
            return Ok(None);
        }
        self.check_remaining(head)?;
        self.fill(head as usize)?;
        let p = self.pos;
        let value_at = p + head as usize;
        let value_len = u32::from_le_bytes(
            self.buf[value_at - 4..value_at]
                .try_into()
                .expect("4 bytes"),
        );
        let total = head + u64::from(value_len);
        if total > BUF_LEN as u64 {
            return Ok(None);
        }
        self.check_remaining(total)?;
        self.fill(total as usize)?;
        // `fill` may have moved the record to the front of the buffer.
        let p = self.pos;
        let key = p + 5..p + 5 + key_len as usize;
        let expires_at_ms = (expiry_len != 0).then(|| {
            u64::from_le_bytes(self.buf[key.end..key.end + 8].try_into().expect("8 bytes"))
        });
        let value = p + head as usize..p + total as usize;
        self.pos += total as usize;
        Ok(Some((key, expires_at_ms, value)))
    }

    /// The CRC of every byte handed out so far.
    fn crc(&mut self) -> u32 {
        self.hasher.update(&self.buf[self.hashed..self.pos]);
        self.hashed = self.pos;
        self.hasher.clone().finalize()
    }

    /// Whether the source has no more bytes.
    fn at_end(&mut self) -> Result<bool> {
        if self.end > self.pos {
            return Ok(false);
        }
        match self.fill(1) {
            Ok(()) => Ok(false),
            Err(Error::CorruptedSnapshot {
                reason: Corruption::Truncated { .. },
            }) => Ok(true),
            Err(e) => Err(e),
        }
    }
}

/// What a snapshot's header says.
///
/// ```
/// let store: kvs::Store<u32> = kvs::Store::new(4)?;
/// store.set("a", 1)?;
/// let mut file = Vec::new();
/// store.save_to(&mut file)?;
/// let reader = kvs::snapshot::SnapshotReader::new(&file[..])?;
/// let info = reader.info();
/// assert_eq!(info.version, 2);
/// assert_eq!(info.value_version, 0);
/// assert_eq!(info.records(), 1);
/// # Ok::<(), kvs::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SnapshotInfo {
    /// The format version of the file.
    pub version: u16,
    /// The application's version of its value encoding that the values were
    /// written at ([`Builder::value_version`](crate::Builder::value_version)
    /// of the saving store; 0 for a version-1 file, which has no such field).
    pub value_version: u32,
    /// When the snapshot was taken, in Unix milliseconds (the saving store's
    /// clock).
    pub created_unix_ms: u64,
    /// Per database, in order: how many records, and how many carry a TTL.
    pub databases: Vec<DatabaseInfo>,
}

/// The record counts of one database in a snapshot.
///
/// ```
/// let info = kvs::snapshot::DatabaseInfo { records: 3, with_ttl: 1 };
/// assert!(info.with_ttl <= info.records);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DatabaseInfo {
    /// Records in the database.
    pub records: u64,
    /// Of those, records with an expiry.
    pub with_ttl: u64,
}

impl SnapshotInfo {
    /// When the snapshot was taken.
    ///
    /// ```
    /// # let mut file = Vec::new();
    /// # kvs::Store::<u8>::new(1)?.save_to(&mut file)?;
    /// let r = kvs::snapshot::SnapshotReader::new(&file[..])?;
    /// assert!(r.info().created() > std::time::UNIX_EPOCH);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn created(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.created_unix_ms)
    }

    /// Records across all databases.
    ///
    /// ```
    /// # let mut file = Vec::new();
    /// # kvs::Store::<u8>::new(1)?.save_to(&mut file)?;
    /// let r = kvs::snapshot::SnapshotReader::new(&file[..])?;
    /// assert_eq!(r.info().records(), 0);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn records(&self) -> u64 {
        self.databases.iter().map(|d| d.records).sum()
    }

    /// Records with an expiry, across all databases.
    ///
    /// ```
    /// # let mut file = Vec::new();
    /// # kvs::Store::<u8>::new(1)?.save_to(&mut file)?;
    /// let r = kvs::snapshot::SnapshotReader::new(&file[..])?;
    /// assert_eq!(r.info().with_ttl(), 0);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn with_ttl(&self) -> u64 {
        self.databases.iter().map(|d| d.with_ttl).sum()
    }
}

/// One record as stored, whatever the value type: the value is its encoded
/// bytes (postcard).
///
/// ```
/// let store: kvs::Store<String> = kvs::Store::new(2)?;
/// store.set("greeting", "hello".to_string())?;
/// let mut file = Vec::new();
/// store.save_to(&mut file)?;
/// let mut reader = kvs::snapshot::SnapshotReader::new(&file[..])?;
/// let record = reader.next_record()?.unwrap();
/// assert_eq!(record.key, b"greeting");
/// assert_eq!(record.value_as_bytes(), Some(&b"hello"[..]));
/// assert_eq!(record.expires_at_ms, None);
/// # Ok::<(), kvs::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RawRecord<'a> {
    /// The database the record belongs to (0 for a single-store snapshot).
    pub database: u32,
    /// The record's position in the file, from 0.
    pub index: u64,
    /// The key's bytes.
    pub key: &'a [u8],
    /// The value, as encoded by postcard.
    pub value: &'a [u8],
    /// When the key expires, in Unix milliseconds, if it has a TTL.
    pub expires_at_ms: Option<u64>,
}

impl<'a> RawRecord<'a> {
    /// The expiry as a time, if the key has a TTL.
    ///
    /// ```
    /// # let mut file = Vec::new();
    /// # let s = kvs::Store::<u8>::new(1)?;
    /// # s.set_with_ttl("k", 1, std::time::Duration::from_secs(60))?;
    /// # s.save_to(&mut file)?;
    /// let mut r = kvs::snapshot::SnapshotReader::new(&file[..])?;
    /// assert!(r.next_record()?.unwrap().expires_at().is_some());
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at_ms
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
    }

    /// The value's contents if it is a postcard byte string: a varint length
    /// followed by exactly that many bytes. That is how `String`, `Vec<u8>`,
    /// `bytes::Bytes` and `&str` encode, so for a store of those this is the
    /// value itself. Other types may happen to match too (postcard does not
    /// record types), so this is a best guess for display.
    ///
    /// ```
    /// let blob = postcard::to_stdvec(&"hi").unwrap();
    /// # let _ = &blob;
    /// # let mut file = Vec::new();
    /// # let s = kvs::Store::<Vec<u8>>::new(1)?;
    /// # s.set("k", b"hi".to_vec())?;
    /// # s.save_to(&mut file)?;
    /// let mut r = kvs::snapshot::SnapshotReader::new(&file[..])?;
    /// assert_eq!(r.next_record()?.unwrap().value_as_bytes(), Some(&b"hi"[..]));
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn value_as_bytes(&self) -> Option<&'a [u8]> {
        postcard_byte_string(self.value)
    }
}

/// Parses a postcard byte string that fills `blob` exactly.
fn postcard_byte_string(blob: &[u8]) -> Option<&[u8]> {
    let mut len: u64 = 0;
    for (i, &b) in blob.iter().enumerate().take(10) {
        len |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            let rest = &blob[i + 1..];
            return (rest.len() as u64 == len).then_some(rest);
        }
    }
    None
}

/// Walks a snapshot: the header first (checked when the reader is made),
/// then each record, then the trailer's checksum (checked when
/// [`next_record`](SnapshotReader::next_record) returns `None`). Nothing a
/// record says can be trusted until then.
///
/// ```
/// let store: kvs::Store<u32> = kvs::Store::new(4)?;
/// store.set("a", 1)?;
/// store.set("b", 2)?;
/// let mut file = Vec::new();
/// store.save_to(&mut file)?;
/// let mut reader = kvs::snapshot::SnapshotReader::new(&file[..])?;
/// let mut keys = Vec::new();
/// while let Some(r) = reader.next_record()? {
///     keys.push(r.key.to_vec());
/// }
/// keys.sort();
/// assert_eq!(keys, [b"a".to_vec(), b"b".to_vec()]);
/// # Ok::<(), kvs::Error>(())
/// ```
pub struct SnapshotReader<R> {
    input: Input<R>,
    info: SnapshotInfo,
    /// Database being read, and records left in it.
    db: usize,
    left_in_db: u64,
    ttl_in_db: u64,
    index: u64,
    done: bool,
    key: Vec<u8>,
    value: Vec<u8>,
}

impl SnapshotReader<File> {
    /// Opens the snapshot at `path` and checks its header. Knowing the file's
    /// length lets every length field be checked before anything is
    /// allocated, and lets the end of the file be checked.
    ///
    /// ```
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("s.kvs");
    /// kvs::Store::<u8>::new(1)?.save_snapshot(&path)?;
    /// let r = kvs::snapshot::SnapshotReader::open(&path)?;
    /// assert_eq!(r.info().databases.len(), 1);
    /// assert!(matches!(
    ///     kvs::snapshot::SnapshotReader::open(dir.path().join("missing")),
    ///     Err(kvs::Error::Io { .. })
    /// ));
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: Some(path.to_path_buf()),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        Self::start(file, Some(len), Some(path.to_path_buf()))
    }
}

impl<R: Read> SnapshotReader<R> {
    /// Reads a snapshot from any byte stream and checks its header. The
    /// reader buffers, so it may read past the snapshot's end: bound the
    /// source (`Read::take`) if other data follows it.
    ///
    /// ```
    /// assert!(matches!(
    ///     kvs::snapshot::SnapshotReader::new(&b"nope"[..]),
    ///     Err(kvs::Error::CorruptedSnapshot { .. })
    /// ));
    /// ```
    pub fn new(reader: R) -> Result<Self> {
        Self::start(reader, None, None)
    }

    fn start(inner: R, len: Option<u64>, path: Option<PathBuf>) -> Result<Self> {
        let mut input = Input {
            inner,
            buf: vec![0; BUF_LEN].into_boxed_slice(),
            pos: 0,
            end: 0,
            hashed: 0,
            hasher: crc32fast::Hasher::new(),
            base: 0,
            len,
            path,
        };
        let info = read_header(&mut input)?;
        let mut reader = SnapshotReader {
            input,
            info,
            db: 0,
            left_in_db: 0,
            ttl_in_db: 0,
            index: 0,
            done: false,
            key: Vec::new(),
            value: Vec::new(),
        };
        reader.left_in_db = reader.info.databases.first().map_or(0, |d| d.records);
        Ok(reader)
    }

    /// The header.
    ///
    /// ```
    /// # let mut file = Vec::new();
    /// # kvs::Store::<u8>::new(1)?.save_to(&mut file)?;
    /// let r = kvs::snapshot::SnapshotReader::new(&file[..])?;
    /// assert_eq!(r.info().version, kvs::snapshot::VERSION);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn info(&self) -> &SnapshotInfo {
        &self.info
    }

    /// How many bytes have been read (for progress reports).
    ///
    /// ```
    /// # let mut file = Vec::new();
    /// # kvs::Store::<u8>::new(1)?.save_to(&mut file)?;
    /// let mut r = kvs::snapshot::SnapshotReader::new(&file[..])?;
    /// while r.next_record()?.is_some() {}
    /// assert_eq!(r.position(), file.len() as u64);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn position(&self) -> u64 {
        self.input.position()
    }

    /// The next record, or `None` once the trailer's checksum (and, for a
    /// file, its end) has been checked.
    ///
    /// ```
    /// # let mut file = Vec::new();
    /// # kvs::Store::<u8>::new(1)?.save_to(&mut file)?;
    /// let last = file.len() - 1;
    /// file[last] ^= 1; // damage the checksum
    /// let mut r = kvs::snapshot::SnapshotReader::new(&file[..])?;
    /// assert!(matches!(r.next_record(), Err(kvs::Error::CorruptedSnapshot { .. })));
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn next_record(&mut self) -> Result<Option<RawRecord<'_>>> {
        if self.done {
            return Ok(None);
        }
        while self.left_in_db == 0 {
            if let Some(db) = self.info.databases.get(self.db) {
                if self.ttl_in_db != db.with_ttl {
                    return Err(corrupt(Corruption::InvalidField {
                        field: "TTL record count",
                        at: self.input.position(),
                        detail: format!(
                            "header says database {} has {} records with a TTL, found {}",
                            self.db, db.with_ttl, self.ttl_in_db
                        ),
                    }));
                }
            }
            self.db += 1;
            self.ttl_in_db = 0;
            match self.info.databases.get(self.db) {
                Some(db) => self.left_in_db = db.records,
                None => return self.finish().map(|()| None),
            }
        }
        let at = self.input.position();
        self.input.fill(1)?;
        let tag = self.input.buf[self.input.pos];
        if tag & !TAG_EXPIRY != 0 {
            return Err(corrupt(Corruption::InvalidField {
                field: "record tag",
                at,
                detail: format!("{tag:#04x} has unknown bits set"),
            }));
        }
        if let Some(parsed) = self.input.record_in_buffer(tag)? {
            let (key, expires_at_ms, value) = parsed;
            self.ttl_in_db += u64::from(expires_at_ms.is_some());
            self.left_in_db -= 1;
            let index = self.index;
            self.index += 1;
            return Ok(Some(RawRecord {
                database: u32::try_from(self.db).expect("db count is a u32"),
                index,
                key: &self.input.buf[key],
                value: &self.input.buf[value],
                expires_at_ms,
            }));
        }
        self.input.pos += 1;
        let key_len = self.input.u32()?;
        self.input.take_into(u64::from(key_len), &mut self.key)?;
        let expires_at_ms = if tag & TAG_EXPIRY != 0 {
            self.ttl_in_db += 1;
            Some(self.input.u64()?)
        } else {
            None
        };
        let value_len = self.input.u32()?;
        self.input
            .take_into(u64::from(value_len), &mut self.value)?;
        self.left_in_db -= 1;
        let index = self.index;
        self.index += 1;
        Ok(Some(RawRecord {
            database: u32::try_from(self.db).expect("db count is a u32"),
            index,
            key: &self.key,
            value: &self.value,
            expires_at_ms,
        }))
    }

    fn finish(&mut self) -> Result<()> {
        let computed = self.input.crc();
        let stored = self.input.u32()?;
        if stored != computed {
            return Err(corrupt(Corruption::ChecksumMismatch { stored, computed }));
        }
        if self.input.len.is_some() && !self.input.at_end()? {
            return Err(corrupt(Corruption::TrailingData {
                at: self.input.position(),
            }));
        }
        self.done = true;
        Ok(())
    }

    /// Reads every record and checks the checksum, returning the header.
    ///
    /// ```
    /// # let mut file = Vec::new();
    /// # kvs::Store::<u8>::new(1)?.save_to(&mut file)?;
    /// let info = kvs::snapshot::SnapshotReader::new(&file[..])?.verify()?;
    /// assert_eq!(info.records(), 0);
    /// # Ok::<(), kvs::Error>(())
    /// ```
    pub fn verify(mut self) -> Result<SnapshotInfo> {
        while self.next_record()?.is_some() {}
        Ok(self.info)
    }
}

fn read_header<R: Read>(input: &mut Input<R>) -> Result<SnapshotInfo> {
    let magic = match input.take(4) {
        Ok(m) => m,
        Err(Error::CorruptedSnapshot {
            reason: Corruption::Truncated { at },
        }) => {
            let found = input.buf[..input.end].to_vec();
            return Err(corrupt(if found.is_empty() || MAGIC.starts_with(&found) {
                Corruption::Truncated { at }
            } else {
                Corruption::BadMagic { found }
            }));
        }
        Err(e) => return Err(e),
    };
    if magic != MAGIC {
        return Err(corrupt(Corruption::BadMagic {
            found: magic.to_vec(),
        }));
    }
    let version = input.u16()?;
    if version == 0 {
        return Err(corrupt(Corruption::InvalidField {
            field: "version",
            at: 4,
            detail: "version 0 does not exist".into(),
        }));
    }
    if version > VERSION {
        return Err(Error::UnsupportedVersion {
            found: version,
            supported: VERSION,
        });
    }
    let flags = input.u16()?;
    if flags != 0 {
        return Err(corrupt(Corruption::InvalidField {
            field: "flags",
            at: 6,
            detail: format!("{flags:#06x}: no flags are defined in version {version}"),
        }));
    }
    let created_unix_ms = input.u64()?;
    let db_count = input.u32()?;
    let (value_version, fixed_len) = match version {
        1 => (0, FIXED_HEADER_LEN_V1),
        _ => (input.u32()?, FIXED_HEADER_LEN),
    };
    debug_assert_eq!(input.position(), fixed_len as u64);
    input.check_remaining(u64::from(db_count) * DB_ENTRY_LEN as u64 + 4)?;
    let reserve = match input.len {
        Some(_) => db_count as usize,
        None => (db_count as usize).min(UNKNOWN_LEN_RESERVE),
    };
    let mut databases = Vec::with_capacity(reserve);
    let mut total: u64 = 0;
    for db in 0..db_count {
        let at = input.position();
        let counts = DbCounts {
            records: input.u64()?,
            with_ttl: input.u64()?,
        };
        if counts.with_ttl > counts.records {
            return Err(corrupt(Corruption::InvalidField {
                field: "TTL record count",
                at,
                detail: format!(
                    "database {db}: {} records with a TTL out of {}",
                    counts.with_ttl, counts.records
                ),
            }));
        }
        total = total.checked_add(counts.records).ok_or_else(|| {
            corrupt(Corruption::InvalidField {
                field: "record count",
                at,
                detail: "the record counts overflow".into(),
            })
        })?;
        databases.push(DatabaseInfo {
            records: counts.records,
            with_ttl: counts.with_ttl,
        });
    }
    let computed = input.crc();
    let stored = input.u32()?;
    if stored != computed {
        return Err(corrupt(Corruption::HeaderChecksumMismatch {
            stored,
            computed,
        }));
    }
    if let Some(len) = input.len {
        let left = len.saturating_sub(input.position());
        if total > left.saturating_sub(4) / MIN_RECORD_LEN {
            return Err(corrupt(Corruption::InvalidField {
                field: "record count",
                at: fixed_len as u64,
                detail: format!("{total} records cannot fit in the {left} bytes that follow"),
            }));
        }
    }
    Ok(SnapshotInfo {
        version,
        value_version,
        created_unix_ms,
        databases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_strings_must_fill_the_blob() {
        assert_eq!(postcard_byte_string(&[2, b'h', b'i']), Some(&b"hi"[..]));
        assert_eq!(postcard_byte_string(&[0]), Some(&b""[..]));
        assert_eq!(postcard_byte_string(&[3, b'h', b'i']), None);
        assert_eq!(postcard_byte_string(&[]), None);
        assert_eq!(postcard_byte_string(&[0x80, 0x01]), None);
    }
}
