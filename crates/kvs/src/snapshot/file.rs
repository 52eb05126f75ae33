//! Replacing a file atomically: a crash leaves the old file or the new one,
//! whole.

use std::fs::{self, File, OpenOptions};
use std::io;
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
///
/// The temporary file is opened for writing around the page cache
/// (`O_DIRECT`, Linux) where the file system allows it: `write` must write
/// through [`Output`](super::output::Output), which checks.
pub(crate) fn replace_around_cache(
    target: &Path,
    write: impl FnOnce(&mut File) -> Result<()>,
) -> Result<()> {
    replace_with(target, true, true, write)
}

/// [`replace_around_cache`], with unnamed temporary files tried only if
/// `unnamed`, and `O_DIRECT` only if `direct` (Linux).
fn replace_with(
    target: &Path,
    unnamed: bool,
    direct: bool,
    write: impl FnOnce(&mut File) -> Result<()>,
) -> Result<()> {
    remove_stale_temps(target);
    let temp = temp_path(target);
    let result = (|| {
        let dir = dir_of(target);
        let file = unnamed
            .then(|| {
                direct
                    .then(|| anonymous::create(dir, true))
                    .flatten()
                    .or_else(|| anonymous::create(dir, false))
            })
            .flatten();
        let (mut file, named) = match file {
            Some(file) => (file, false),
            None => {
                let file = match direct.then(|| open_direct(&temp)).flatten() {
                    Some(file) => file,
                    None => OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&temp)
                        .map_err(io_at(&temp))?,
                };
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

/// The named temporary file `temp`, opened for writing around the page cache
/// (`O_DIRECT`), or `None` where the file system refuses that. A refusal may
/// come after the file was created; it is then removed (the name is this
/// save's own), so that it can be created again.
#[cfg(target_os = "linux")]
fn open_direct(temp: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let opened = OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_DIRECT)
        .open(temp);
    match opened {
        Ok(file) => Some(file),
        Err(e) => {
            if e.kind() != io::ErrorKind::AlreadyExists {
                let _ = fs::remove_file(temp);
            }
            None
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn open_direct(_temp: &Path) -> Option<File> {
    None
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
    /// With `direct`, opened for writing around the page cache (`None` where
    /// the file system refuses that).
    pub(super) fn create(dir: &Path, direct: bool) -> Option<File> {
        if !Path::new("/proc/self/fd").is_dir() {
            return None;
        }
        let direct = if direct { libc::O_DIRECT } else { 0 };
        OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_TMPFILE | direct)
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

    pub(super) fn create(_dir: &Path, _direct: bool) -> Option<File> {
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

#[cfg(test)]
mod tests {
    use std::io::Write;

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
            replace_with(&target, unnamed, false, |f| {
                let visible = others(dir.path(), "t.kvs");
                let expect_named = !(unnamed && cfg!(target_os = "linux"));
                assert_eq!(visible.len(), usize::from(expect_named), "{visible:?}");
                f.write_all(b"new").map_err(io_at(&target))
            })
            .unwrap();
            assert_eq!(fs::read(&target).unwrap(), b"new");
            assert_eq!(others(dir.path(), "t.kvs"), Vec::<String>::new());

            let failed = replace_with(&target, unnamed, false, |f| {
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
        replace_with(&target, true, false, |f| {
            f.write_all(b"x").map_err(io_at(&target))
        })
        .unwrap();
        assert_eq!(
            others(dir.path(), "t.kvs"),
            [
                format!(".other.kvs.tmp.{dead}.0"),
                format!(".t.kvs.tmp.{me}.99")
            ]
        );
    }
}
