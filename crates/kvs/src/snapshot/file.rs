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

/// The prefix of the temporary files of saves to `target`.
fn temp_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy());
    format!(".{name}.tmp.")
}

/// A temporary file beside `target`, unique to this save (process id and a
/// counter), so two saves to one path never share one.
fn temp_path(target: &Path) -> PathBuf {
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    target.with_file_name(format!("{}{}.{n}", temp_prefix(target), std::process::id()))
}

/// The directory `target` is in.
fn dir_of(target: &Path) -> &Path {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `target` through `write`: to a temporary file in the same
/// directory, fsynced, renamed over `target`, and the directory fsynced so
/// the rename itself survives a crash. On failure the temporary file is
/// removed and `target` is untouched.
///
/// On Linux the temporary file has no name while it is written
/// (`O_TMPFILE`): if the process dies mid-save, the kernel frees it, and no
/// half-written file is left behind. It gets its temporary name only once
/// it is whole and synced, just before the rename. Elsewhere, or where the
/// file system does not support that, it is named from the start, and a
/// later save to the same path removes what a process that died mid-save
/// left (`remove_stale_temps`).
pub(crate) fn replace(target: &Path, write: impl FnOnce(&mut File) -> Result<()>) -> Result<()> {
    replace_with(target, true, write)
}

/// [`replace`], with unnamed temporary files tried only if `unnamed`.
fn replace_with(
    target: &Path,
    unnamed: bool,
    write: impl FnOnce(&mut File) -> Result<()>,
) -> Result<()> {
    remove_stale_temps(target);
    let temp = temp_path(target);
    let result = (|| {
        let file = unnamed.then(|| anonymous::create(dir_of(target))).flatten();
        let (mut file, named) = match file {
            Some(file) => (file, false),
            None => {
                let file = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(&temp)
                    .map_err(io_at(&temp))?;
                (file, true)
            }
        };
        write(&mut file)?;
        file.sync_all().map_err(io_at(&temp))?;
        if !named {
            anonymous::link(&file, &temp).map_err(io_at(&temp))?;
        }
        drop(file);
        fs::rename(&temp, target).map_err(io_at(target))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
        return result;
    }
    sync_dir(target)
}

/// Temporary files without a name while they are written (Linux).
#[cfg(target_os = "linux")]
mod anonymous {
    use std::ffi::CString;
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    /// An unnamed file in `dir`, or `None` where that cannot be had (a file
    /// system without `O_TMPFILE`, or no `/proc` to name it through later).
    pub(super) fn create(dir: &Path) -> Option<File> {
        if !Path::new("/proc/self/fd").is_dir() {
            return None;
        }
        OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_TMPFILE)
            .open(dir)
            .ok()
    }

    /// Gives the unnamed `file` the name `to` (which must not exist).
    pub(super) fn link(file: &File, to: &Path) -> io::Result<()> {
        let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))?;
        let to = CString::new(to.as_os_str().as_bytes())?;
        // SAFETY: both are valid NUL-terminated strings that outlive the
        // call; linkat reads them and touches no other memory of ours.
        let r = unsafe {
            libc::linkat(
                libc::AT_FDCWD,
                from.as_ptr(),
                libc::AT_FDCWD,
                to.as_ptr(),
                libc::AT_SYMLINK_FOLLOW,
            )
        };
        if r == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod anonymous {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    pub(super) fn create(_dir: &Path) -> Option<File> {
        None
    }

    pub(super) fn link(_file: &File, _to: &Path) -> io::Result<()> {
        Err(io::Error::other("unnamed files are made on Linux only"))
    }
}

/// Removes the temporary files that saves to `target` by processes no longer
/// running left behind (`.NAME.tmp.PID.N`). Best effort: a file that cannot
/// be listed or removed is left. On Linux only, where whether a process runs
/// can be told from `/proc`; a process id reused since is taken as running,
/// which only leaves a file.
fn remove_stale_temps(target: &Path) {
    #[cfg(target_os = "linux")]
    {
        let prefix = temp_prefix(target);
        let Ok(entries) = fs::read_dir(dir_of(target)) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
                continue;
            };
            let Some(pid) = rest.split('.').next().and_then(|p| p.parse::<u32>().ok()) else {
                continue;
            };
            if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = target;
}

#[cfg(unix)]
fn sync_dir(target: &Path) -> Result<()> {
    let dir = dir_of(target);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything in `dir` but `keep`, by name.
    fn others(dir: &Path, keep: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != keep)
            .collect();
        names.sort();
        names
    }

    /// With or without unnamed files, a save that succeeds leaves the target
    /// and nothing else, and one that fails leaves the old target and
    /// nothing else. While it writes, the unnamed file is not in the
    /// directory (Linux); the named one is.
    #[test]
    fn a_replacement_leaves_only_the_target() {
        for unnamed in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("t.kvs");
            fs::write(&target, b"old").unwrap();
            replace_with(&target, unnamed, |f| {
                let visible = others(dir.path(), "t.kvs");
                let expect_named = !(unnamed && cfg!(target_os = "linux"));
                assert_eq!(visible.len(), usize::from(expect_named), "{visible:?}");
                f.write_all(b"new").map_err(io_at(&target))
            })
            .unwrap();
            assert_eq!(fs::read(&target).unwrap(), b"new");
            assert_eq!(others(dir.path(), "t.kvs"), Vec::<String>::new());

            let failed = replace_with(&target, unnamed, |f| {
                f.write_all(b"half").map_err(io_at(&target))?;
                Err(Error::StoreClosed)
            });
            assert!(matches!(failed, Err(Error::StoreClosed)));
            assert_eq!(fs::read(&target).unwrap(), b"new");
            assert_eq!(others(dir.path(), "t.kvs"), Vec::<String>::new());
        }
    }

    /// A save removes the temporary files that saves to the same path by
    /// processes no longer running left, and keeps those of running ones
    /// (this one) and those of other targets.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_save_removes_what_dead_savers_left() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("t.kvs");
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let me = std::process::id();
        for name in [
            format!(".t.kvs.tmp.{dead}.0"),
            format!(".t.kvs.tmp.{me}.99"),
            format!(".other.kvs.tmp.{dead}.0"),
        ] {
            fs::write(dir.path().join(name), b"left").unwrap();
        }
        replace(&target, |f| f.write_all(b"x").map_err(io_at(&target))).unwrap();
        assert_eq!(
            others(dir.path(), "t.kvs"),
            [
                format!(".other.kvs.tmp.{dead}.0"),
                format!(".t.kvs.tmp.{me}.99")
            ]
        );
    }
}
