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
    /// Show a snapshot's header: format version, record count, keys with a
    /// TTL, file size and creation time.
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
    /// where valid, else base64.
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
        "file: {}\nsize: {size} bytes\nformat version: {}\ncreated: {} ({} ms since the Unix epoch)\n\
         databases: {}\nrecords: {}\nkeys with a TTL: {}\n",
        path.display(),
        info.version,
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
                "{}: OK: format version {}, {} ({} with a TTL) in {}, {size} bytes\n",
                path.display(),
                info.version,
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
    walk(path, size, |_| Ok(true))?;
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut printed = 0u64;
    let result = walk(path, size, |record| {
        if limit.is_some_and(|l| printed >= l) {
            return Ok(false);
        }
        let line = record_json(record);
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

/// One record as a JSON object.
fn record_json(record: &RawRecord<'_>) -> Value {
    json_object(
        record.database,
        record.key,
        record.value_as_bytes(),
        record.value,
        record.expires_at_ms,
    )
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
}
