//! Replacing a file atomically: a crash leaves the old file or the new one,
//! whole.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Error, Result};

/// Distinguishes temporary files of saves in the same process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io_at(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: Some(path.to_path_buf()),
        source,
    }
}

/// A temporary file beside `target`, unique to this save (process id and a
/// counter), so two saves to one path never share one.
fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy());
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!(".{name}.tmp.{}.{n}", std::process::id()))
}

/// Writes `target` through `write`: to a temporary file in the same
/// directory, fsynced, renamed over `target`, and the directory fsynced so
/// the rename itself survives a crash. On failure the temporary file is
/// removed and `target` is untouched.
pub(crate) fn replace(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let temp = temp_path(target);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(io_at(&temp))?;
        write(&mut file)?;
        file.sync_all().map_err(io_at(&temp))?;
        drop(file);
        fs::rename(&temp, target).map_err(io_at(target))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
        return result;
    }
    sync_dir(target)
}

#[cfg(unix)]
fn sync_dir(target: &Path) -> Result<()> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}

#[cfg(not(unix))]
fn sync_dir(_target: &Path) -> Result<()> {
    // Directories cannot be opened for syncing here; the rename is as durable
    // as the platform makes it.
    Ok(())
}
