//! `kvs snapshot info|verify|dump FILE`: inspect snapshot files of any value
//! type, through the library's read-only `SnapshotReader`.
//!
//! Exit status: 0 on success, 1 when the file is not an intact snapshot
//! (corrupt, or a newer format version), 2 when it cannot be read at all
//! (missing, unreadable) or on bad usage.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use kvs::snapshot::{RawRecord, SnapshotReader};
use serde_json::{Map, Value};

/// Snapshot tools.
#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// Show a snapshot's header: format and value version, record count,
    /// keys with a TTL, file size and creation time.
    Info {
        /// The snapshot file.
        file: PathBuf,
    },
    /// Check a snapshot end to end (every record and the checksum): exit 0
    /// and one line if intact, exit 1 and a one-line reason if not.
    Verify {
        /// The snapshot file.
        file: PathBuf,
    },
    /// Print one JSON object per record on stdout (after checking the whole
    /// file): key, value and expiry. Keys and values are shown as UTF-8
    /// where valid, else base64; `kvs serve` files (value version 1) show
    /// each value's type and contents.
    Dump {
        /// The snapshot file.
        file: PathBuf,
        /// Print at most this many records.
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
    },
}

/// Files smaller than this are read too fast for a progress bar to help.
const PROGRESS_MIN_BYTES: u64 = 8 << 20;

/// Runs a snapshot subcommand.
pub fn run(cmd: SnapshotCommand) -> ExitCode {
    let result = match &cmd {
        SnapshotCommand::Info { file } => info(file),
        SnapshotCommand::Verify { file } => verify(file),
        SnapshotCommand::Dump { file, limit } => dump(file, *limit),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Quiet(code)) => ExitCode::from(code),
        Err(Failure::Snapshot(e)) => {
            let code = exit_code(&e);
            let file = match &cmd {
                SnapshotCommand::Info { file }
                | SnapshotCommand::Verify { file }
                | SnapshotCommand::Dump { file, .. } => file,
            };
            match e {
                kvs::Error::Io { source, .. } => {
                    eprintln!("kvs: cannot read {}: {source}", file.display())
                }
                e => eprintln!("kvs: {}: {e}", file.display()),
            }
            ExitCode::from(code)
        }
    }
}

enum Failure {
    Snapshot(kvs::Error),
    /// Already reported (or nothing to report, as when stdout closed early).
    Quiet(u8),
}

impl From<kvs::Error> for Failure {
    fn from(e: kvs::Error) -> Self {
        Failure::Snapshot(e)
    }
}

fn exit_code(e: &kvs::Error) -> u8 {
    match e {
        kvs::Error::Io { .. } => 2,
        _ => 1,
    }
}

fn file_size(path: &Path) -> Result<u64, kvs::Error> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|source| kvs::Error::Io {
            path: Some(path.to_path_buf()),
            source,
        })
}

fn info(path: &Path) -> Result<(), Failure> {
    let size = file_size(path)?;
    let reader = SnapshotReader::open(path)?;
    let info = reader.info();
    let out = format!(
        "file: {}\nsize: {size} bytes\nformat version: {}\nvalue version: {}\n\
         created: {} ({} ms since the Unix epoch)\n\
         databases: {}\nrecords: {}\nkeys with a TTL: {}\n",
        path.display(),
        info.version,
        info.value_version,
        rfc3339_ms(info.created_unix_ms),
        info.created_unix_ms,
        info.databases.len(),
        info.records(),
        info.with_ttl(),
    );
    let mut out = out;
    if info.databases.len() > 1 {
        for (i, db) in info.databases.iter().enumerate() {
            out.push_str(&format!(
                "database {i}: {} records, {} with a TTL\n",
                db.records, db.with_ttl
            ));
        }
    }
    write_stdout(out.as_bytes())
}

/// `n` and `noun`, made plural unless `n` is 1: "1 database", "2 records".
fn counted(n: u64, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

fn verify(path: &Path) -> Result<(), Failure> {
    let size = file_size(path)?;
    match walk(path, size, |_| Ok(true)) {
        Ok(info) => write_stdout(
            format!(
                "{}: OK: format version {}, value version {}, {} ({} with a TTL) in {}, {size} bytes\n",
                path.display(),
                info.version,
                info.value_version,
                counted(info.records(), "record"),
                info.with_ttl(),
                counted(info.databases.len() as u64, "database"),
            )
            .as_bytes(),
        ),
        Err(Failure::Snapshot(e)) if exit_code(&e) == 1 => {
            write_stdout(format!("{}: CORRUPT: {e}\n", path.display()).as_bytes())?;
            Err(Failure::Quiet(1))
        }
        Err(e) => Err(e),
    }
}

fn dump(path: &Path, limit: Option<u64>) -> Result<(), Failure> {
    let size = file_size(path)?;
    // Check everything first, so that nothing from a damaged file is printed.
    let info = walk(path, size, |_| Ok(true))?;
    let server = info.value_version == kvs_server::encoding::VALUE_VERSION;
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut printed = 0u64;
    let result = walk(path, size, |record| {
        if limit.is_some_and(|l| printed >= l) {
            return Ok(false);
        }
        let line = record_json(record, server);
        serde_json::to_writer(&mut out, &line).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
        printed += 1;
        Ok(true)
    });
    match result.and_then(|_| out.flush().map_err(|e| stdout_failure(&e))) {
        Ok(()) => Ok(()),
        Err(e) => Err(e),
    }
}

/// One record as a JSON object. In a file of `kvs serve`'s value version
/// (`server`), a value that decodes as the server's is shown with its type;
/// any other value as its bytes or its raw encoding.
fn record_json(record: &RawRecord<'_>, server: bool) -> Value {
    if server {
        if let Ok(v) = kvs::snapshot::decode::<kvs_server::value::Value>(record.value) {
            return server_json(record.database, record.key, &v, record.expires_at_ms);
        }
    }
    json_object(
        record.database,
        record.key,
        record.value_as_bytes(),
        record.value,
        record.expires_at_ms,
    )
}

/// Bytes as a JSON string if UTF-8, else `{"base64": "..."}`.
fn bytes_json(b: &[u8]) -> Value {
    match std::str::from_utf8(b) {
        Ok(s) => s.into(),
        Err(_) => {
            let mut obj = Map::new();
            obj.insert("base64".into(), BASE64.encode(b).into());
            Value::Object(obj)
        }
    }
}

/// A record of a `kvs serve` file: `{"type": "hash", "value": ...}` and the
/// key and expiry as [`json_object`] shows them. A string's value is shown
/// as `value` or `value_base64`, as for any byte string; a hash's as an
/// object (or, if a field is not UTF-8, an array of `[field, value]`
/// pairs); a list's and a set's as an array; each element a string, or
/// `{"base64": ...}` when not UTF-8.
fn server_json(
    database: u32,
    key: &[u8],
    v: &kvs_server::value::Value,
    expires_at_ms: Option<u64>,
) -> Value {
    use kvs_server::value::Value as V;
    let mut obj = match v.as_bytes() {
        Some(b) => json_object(database, key, Some(b), &[], expires_at_ms),
        None => json_object(database, key, None, &[], expires_at_ms),
    };
    let Value::Object(map) = &mut obj else {
        unreachable!("json_object makes an object")
    };
    map.insert("type".into(), v.kind().name().into());
    let value = match v {
        V::Str(_) | V::Raw(_) => return obj,
        V::Hash(h) => {
            if h.iter().all(|(f, _)| std::str::from_utf8(f).is_ok()) {
                let fields: Map<String, Value> = h
                    .iter()
                    .map(|(f, v)| (String::from_utf8_lossy(f).into_owned(), bytes_json(v)))
                    .collect();
                Value::Object(fields)
            } else {
                h.iter()
                    .map(|(f, v)| Value::Array(vec![bytes_json(f), bytes_json(v)]))
                    .collect()
            }
        }
        V::List(l) => l.iter().map(bytes_json).collect(),
        V::Set(s) => s.iter().map(|m| bytes_json(m.as_bytes())).collect(),
    };
    map.remove("value_postcard_base64");
    map.insert("value".into(), value);
    obj
}

/// `bytes` is the value's contents when its encoding is a byte string
/// (`String`, `Vec<u8>`, `Bytes`); otherwise the encoding itself is shown.
fn json_object(
    database: u32,
    key: &[u8],
    bytes: Option<&[u8]>,
    encoded: &[u8],
    expires_at_ms: Option<u64>,
) -> Value {
    let mut obj = Map::new();
    obj.insert("database".into(), database.into());
    match std::str::from_utf8(key) {
        Ok(s) => obj.insert("key".into(), s.into()),
        Err(_) => obj.insert("key_base64".into(), BASE64.encode(key).into()),
    };
    match bytes {
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => obj.insert("value".into(), s.into()),
            Err(_) => obj.insert("value_base64".into(), BASE64.encode(bytes).into()),
        },
        None => obj.insert(
            "value_postcard_base64".into(),
            BASE64.encode(encoded).into(),
        ),
    };
    obj.insert(
        "expires_at_ms".into(),
        expires_at_ms.map_or(Value::Null, Value::from),
    );
    Value::Object(obj)
}

/// Reads every record of `path` (with a progress bar on a terminal), calling
/// `each` until it returns `false`; returns the header once the whole file,
/// checksum included, has been read.
fn walk(
    path: &Path,
    size: u64,
    mut each: impl FnMut(&RawRecord<'_>) -> io::Result<bool>,
) -> Result<kvs::snapshot::SnapshotInfo, Failure> {
    let mut reader = SnapshotReader::open(path)?;
    let bar = progress_bar(size);
    let mut keep_going = true;
    let mut n = 0u64;
    while let Some(record) = reader.next_record()? {
        if keep_going {
            keep_going = each(&record).map_err(|e| stdout_failure(&e))?;
            if !keep_going {
                break;
            }
        }
        n += 1;
        if n % 4096 == 0 {
            if let Some(bar) = &bar {
                bar.set_position(reader.position());
            }
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let info = reader.info().clone();
    Ok(info)
}

fn progress_bar(size: u64) -> Option<ProgressBar> {
    if size < PROGRESS_MIN_BYTES || !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
            .expect("a valid template"),
    );
    Some(bar)
}

fn write_stdout(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| stdout_failure(&e))
}

/// A closed stdout (`kvs snapshot dump f | head`) ends the command quietly;
/// any other write failure is reported.
fn stdout_failure(e: &io::Error) -> Failure {
    if e.kind() != io::ErrorKind::BrokenPipe {
        eprintln!("kvs: cannot write to stdout: {e}");
        return Failure::Quiet(2);
    }
    Failure::Quiet(0)
}

/// `ms` since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
fn rfc3339_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_format_as_rfc3339() {
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(951_782_400_001), "2000-02-29T00:00:00.001Z");
        assert_eq!(rfc3339_ms(1_735_689_599_999), "2024-12-31T23:59:59.999Z");
    }

    #[test]
    fn values_show_their_bytes() {
        let v = json_object(0, b"k", Some(b"hi"), &[2, b'h', b'i'], Some(5));
        assert_eq!(v["key"], "k");
        assert_eq!(v["value"], "hi");
        assert_eq!(v["expires_at_ms"], 5);
        let v = json_object(1, &[0xff], Some(&[0xfe]), &[1, 0xfe], None);
        assert_eq!(v["database"], 1);
        assert_eq!(v["key_base64"], "/w==");
        assert_eq!(v["value_base64"], "/g==");
        let v = json_object(0, b"n", None, &[7, 1], None);
        assert_eq!(v["value_postcard_base64"], "BwE=");
        assert_eq!(v["expires_at_ms"], Value::Null);
    }

    #[test]
    fn server_values_show_their_type_and_contents() {
        use kvs_server::types::{Encodings, Hash, List, Set};
        use kvs_server::value::Value as V;
        use std::sync::Arc;
        let enc = Encodings::default();
        let v = server_json(0, b"s", &V::from(&b"hi"[..]), None);
        assert_eq!(v["type"], "string");
        assert_eq!(v["value"], "hi");
        let h = V::Hash(Hash::from_pairs([("f", &b"\xff"[..])], &enc));
        let v = server_json(0, b"h", &h, Some(9));
        assert_eq!(v["type"], "hash");
        assert_eq!(v["value"]["f"]["base64"], "/w==");
        assert_eq!(v["expires_at_ms"], 9);
        assert!(v.get("value_postcard_base64").is_none());
        let h = V::Hash(Hash::from_pairs([(&b"\xff"[..], "v")], &enc));
        assert_eq!(server_json(0, b"h", &h, None)["value"][0][1], "v");
        let l = V::List(Arc::new(List::from_elements(["a", "b"], &enc)));
        let v = server_json(0, b"l", &l, None);
        assert_eq!(v["type"], "list");
        assert_eq!(v["value"], serde_json::json!(["a", "b"]));
        let s = V::Set(Arc::new(Set::from_members(["2", "1"], &enc)));
        let v = server_json(0, b"m", &s, None);
        assert_eq!(v["type"], "set");
        assert_eq!(v["value"], serde_json::json!(["1", "2"]));
    }
}
