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
pub(crate) fn replace(target: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
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

/// Bytes written between two requests to start writeback.
#[cfg(target_os = "linux")]
const WRITEBACK_CHUNK: u64 = 8 << 20;
/// Writeback is requested for whole pages (of any size up to this).
#[cfg(target_os = "linux")]
const WRITEBACK_ALIGN: u64 = 64 << 10;

/// The file a save streams its records into. On Linux it asks the kernel to
/// start writing each few megabytes to the disk as soon as they are written
/// (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`, which does not wait), so
/// the device works while the save is still encoding and the final fsync has
/// little left to do. The fsync is still what makes the file durable.
pub(crate) struct Writeback<'f> {
    file: &'f mut File,
    /// Bytes written through this writer, and the offset up to which
    /// writeback has been requested.
    #[cfg(target_os = "linux")]
    written: u64,
    #[cfg(target_os = "linux")]
    requested: u64,
}

impl<'f> Writeback<'f> {
    /// `file`'s cursor is at `start`.
    pub(crate) fn new(file: &'f mut File, start: u64) -> Self {
        #[cfg(not(target_os = "linux"))]
        let _ = start;
        Writeback {
            file,
            #[cfg(target_os = "linux")]
            written: start,
            #[cfg(target_os = "linux")]
            requested: 0,
        }
    }

    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes)?;
        #[cfg(target_os = "linux")]
        {
            self.written += bytes.len() as u64;
            if self.written - self.requested >= WRITEBACK_CHUNK {
                self.start_writeback();
            }
        }
        Ok(())
    }

    /// A hint: an error here (an old kernel, a file system without
    /// support) only means the fsync does all the work.
    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        // Up to a whole page only: the next write goes on filling the last,
        // partial page, and a write to a page under writeback may have to
        // wait for the disk.
        let end = self.written & !(WRITEBACK_ALIGN - 1);
        let (Ok(offset), Ok(len)) = (
            libc::off64_t::try_from(self.requested),
            libc::off64_t::try_from(end - self.requested),
        ) else {
            return;
        };
        // SAFETY: a plain system call on a file descriptor we own, with no
        // pointers; it cannot touch our memory.
        let _ = unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                offset,
                len,
                libc::SYNC_FILE_RANGE_WRITE,
            )
        };
        self.requested = end;
    }

    pub(crate) fn into_inner(self) -> &'f mut File {
        self.file
    }
}
