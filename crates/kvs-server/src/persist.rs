//! Persistence: the snapshot file is loaded at start and written on `SAVE`,
//! `BGSAVE`, the `--save` policy and shutdown, with `kvs::snapshot` (all
//! databases in one file, replaced atomically). Values are written in the
//! server's encoding (`encoding.rs`, value version 1); files of value
//! version 0 (strings only) still load.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

use crate::config::Config;
use crate::keyspace::Keyspace;

/// The save state `INFO persistence` and `LASTSAVE` report.
#[derive(Debug)]
pub(crate) struct Persistence {
    path: PathBuf,
    /// Keys changed since the last successful save started.
    dirty: AtomicU64,
    /// Unix seconds of the last successful save (or of start-up).
    last_save: AtomicI64,
    /// Unix seconds of the last attempt, so a failing save is retried only
    /// every few seconds, as Redis does.
    last_try: AtomicI64,
    last_ok: AtomicBool,
    bgsave_running: AtomicBool,
    saves: AtomicU64,
    /// One save at a time.
    lock: Mutex<()>,
}

/// Seconds between retries of a failed policy save (Redis's
/// `CONFIG_BGSAVE_RETRY_DELAY`).
const RETRY_DELAY: i64 = 5;

impl Persistence {
    pub(crate) fn new(config: &Config) -> Persistence {
        Persistence {
            path: config.dir.join(&config.dbfilename),
            dirty: AtomicU64::new(0),
            last_save: AtomicI64::new(0),
            last_try: AtomicI64::new(0),
            last_ok: AtomicBool::new(true),
            bgsave_running: AtomicBool::new(false),
            saves: AtomicU64::new(0),
            lock: Mutex::new(()),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn add_dirty(&self, n: u64) {
        self.dirty.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn dirty(&self) -> u64 {
        self.dirty.load(Ordering::Relaxed)
    }

    pub(crate) fn last_save(&self) -> i64 {
        self.last_save.load(Ordering::Relaxed)
    }

    pub(crate) fn last_ok(&self) -> bool {
        self.last_ok.load(Ordering::Relaxed)
    }

    pub(crate) fn saves(&self) -> u64 {
        self.saves.load(Ordering::Relaxed)
    }

    pub(crate) fn bgsave_running(&self) -> bool {
        self.bgsave_running.load(Ordering::SeqCst)
    }

    /// Claims the background-save slot; false if a save is already running.
    pub(crate) fn claim_bgsave(&self) -> bool {
        !self.bgsave_running.swap(true, Ordering::SeqCst)
    }

    pub(crate) fn release_bgsave(&self) {
        self.bgsave_running.store(false, Ordering::SeqCst);
    }

    /// Loads the snapshot file into `dbs`, if there is one. Called before the
    /// server listens; an error names the file.
    pub(crate) fn load(&self, dbs: &Keyspace, ignore_corrupt: bool) -> Result<(), String> {
        self.last_save
            .store(dbs.now_millis() / 1000, Ordering::Relaxed);
        if !self.path.exists() {
            tracing::info!("no snapshot at {}: starting empty", self.path.display());
            return Ok(());
        }
        let refs: Vec<_> = dbs.stores().iter().collect();
        // Files of older value versions (strings only) are converted.
        match crate::encoding::load(&self.path, &refs) {
            Ok(()) => {
                let keys: usize = dbs.stores().iter().map(|d| d.len()).sum();
                tracing::info!("loaded {keys} keys from {}", self.path.display());
                Ok(())
            }
            Err(e) if ignore_corrupt && is_corruption(&e) => {
                tracing::warn!(
                    "ignoring unreadable snapshot {} ({e}): starting empty",
                    self.path.display()
                );
                for db in dbs.stores() {
                    let _ = db.clear();
                }
                Ok(())
            }
            Err(e) => Err(format!(
                "cannot load snapshot {}: {e} (move the file away, or start with --ignore-corrupt-snapshot to start empty)",
                self.path.display()
            )),
        }
    }

    /// Writes every database to the snapshot file now.
    pub(crate) fn save(&self, dbs: &Keyspace) -> Result<(), String> {
        let _one = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        let now = dbs.now_millis() / 1000;
        self.last_try.store(now, Ordering::Relaxed);
        let dirty_before = self.dirty.load(Ordering::Relaxed);
        let result = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(|e| format!("cannot create {}: {e}", self.path.display()))
            .and_then(|()| {
                let refs: Vec<_> = dbs.stores().iter().collect();
                kvs::snapshot::save_all(&self.path, &refs)
                    .map_err(|e| format!("cannot save {}: {e}", self.path.display()))
            });
        match &result {
            Ok(stats) => {
                self.dirty.fetch_sub(dirty_before, Ordering::Relaxed);
                self.last_save.store(now, Ordering::Relaxed);
                self.last_ok.store(true, Ordering::Relaxed);
                self.saves.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    "saved snapshot {}: {} records, {} bytes; writers copied {} of {} shards, \
                     longest shard copy {:?}, longest lock hold {:?}",
                    self.path.display(),
                    stats.records,
                    stats.bytes,
                    stats.copied_by_writers,
                    stats.shards,
                    stats.longest_shard_copy,
                    stats.longest_lock_hold
                );
            }
            Err(e) => {
                self.last_ok.store(false, Ordering::Relaxed);
                tracing::error!("{e}");
            }
        }
        result.map(|_| ())
    }

    /// Whether the save policy calls for a save at `now` (Unix seconds).
    pub(crate) fn policy_due(&self, policy: &[(u64, u64)], now: i64) -> bool {
        let dirty = self.dirty();
        if dirty == 0 {
            return false;
        }
        if !self.last_ok() && now - self.last_try.load(Ordering::Relaxed) < RETRY_DELAY {
            return false;
        }
        let since = now - self.last_save();
        policy
            .iter()
            .any(|&(secs, changes)| dirty >= changes && since >= secs as i64)
    }
}

/// Whether a load error means the file's contents are bad (which
/// `--ignore-corrupt-snapshot` may skip), rather than that it could not be
/// read at all.
fn is_corruption(e: &kvs::Error) -> bool {
    match e {
        kvs::Error::Io { source, .. } => source.kind() == std::io::ErrorKind::UnexpectedEof,
        _ => true,
    }
}
