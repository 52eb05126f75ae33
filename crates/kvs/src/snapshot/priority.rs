//! How a save's copying threads compete with the application's threads for
//! the processors.
//!
//! A large save copies its shards on several threads (`save.rs`). When
//! every core is busy, those threads take turns with the application's, and
//! a writer that loses its core waits whole scheduler ticks for it back: on
//! the 2-core development machine, two writers beside the save's two copying
//! threads stalled 8-15 ms at a time, about as long as the save's copy of a
//! shard. So by default, once the application writes during a save, the
//! save copies only on threads of its own at a lower priority (a nice value
//! [`LOW_NICE`] above the caller's, on Linux), and a busy writer gets its
//! core back first. A save that no one writes beside runs at full speed;
//! beside busy writers it takes longer, which [`SavePriority::Normal`]
//! avoids.

/// The scheduling priority of the threads a snapshot save copies on.
///
/// It applies to a save large enough to copy on several threads (see
/// [`Builder::save_threads`](crate::Builder::save_threads)), from the first
/// write to the store during the save: until then, every copying thread runs
/// at the caller's priority. The thread that calls `save_*` never changes its
/// own priority: from that write on it only writes the file, and a thread of
/// the save's own copies in its place. On systems other than Linux both
/// settings behave as `Normal`.
///
/// ```
/// use kvs::snapshot::SavePriority;
///
/// let store: kvs::Store<u32> = kvs::Builder::new()
///     .save_priority(SavePriority::Normal)
///     .build()?;
/// assert_eq!(SavePriority::default(), SavePriority::Low);
/// # Ok::<(), kvs::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SavePriority {
    /// Below the calling thread's once the application writes during the
    /// save (the default): the application's threads get the processors
    /// first, and a save beside busy cores takes longer.
    #[default]
    Low,
    /// The calling thread's priority: a save competes with the application
    /// for the processors as an equal.
    Normal,
}

/// How far [`SavePriority::Low`] lowers the copying threads: this much added
/// to the nice value they inherit (capped at 19). Five gives a thread about
/// a third of the processor time of one at the caller's priority when they
/// compete (kernel weights 335 and 1024), so a save beside busy writers still
/// progresses, and a copying thread holding a shard's lock is not starved
/// for long. Chosen on 2 cores (BENCHMARKS.md, "Snapshot"): with 5, 3 of 40
/// saves let a writer stall longer than one shard's copy, against 16 of 40
/// at the caller's priority; 3 and 19 did worse than 5.
pub(crate) const LOW_NICE: i32 = 5;

impl SavePriority {
    /// Applies this priority to the calling thread, which must be one the
    /// save started (priorities are per thread on Linux, and an unprivileged
    /// thread can lower its own but not raise it again). Best effort: if the
    /// system refuses, the thread keeps its priority.
    pub(crate) fn apply_to_this_thread(self) {
        if self == SavePriority::Low {
            lower_this_thread(LOW_NICE);
        }
    }
}

#[cfg(target_os = "linux")]
fn lower_this_thread(by: i32) {
    // SAFETY: plain system calls on this thread's own id, with no pointers.
    // `getpriority` returns -1 both for nice -1 and for an error; either way
    // the thread ends at most `by` below where it was.
    unsafe {
        let tid = libc::gettid() as libc::id_t;
        let now = libc::getpriority(libc::PRIO_PROCESS, tid);
        libc::setpriority(libc::PRIO_PROCESS, tid, now.saturating_add(by).min(19));
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_this_thread(_by: i32) {}

/// The calling thread's nice value (Linux), for tests.
#[cfg(all(test, target_os = "linux"))]
pub(crate) fn this_thread_nice() -> i32 {
    // SAFETY: as above.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn low_lowers_only_the_thread_that_applies_it() {
        let before = this_thread_nice();
        let (theirs, ours) = std::thread::spawn(move || {
            let start = this_thread_nice();
            SavePriority::Low.apply_to_this_thread();
            (this_thread_nice() - start, this_thread_nice())
        })
        .join()
        .unwrap();
        assert_eq!(theirs, LOW_NICE.min(19 - before));
        assert!(ours > before || before == 19);
        assert_eq!(this_thread_nice(), before, "the spawning thread changed");
    }

    #[test]
    fn normal_changes_nothing() {
        let changed = std::thread::spawn(|| {
            let start = this_thread_nice();
            SavePriority::Normal.apply_to_this_thread();
            this_thread_nice() - start
        })
        .join()
        .unwrap();
        assert_eq!(changed, 0);
    }
}
