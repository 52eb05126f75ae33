//! A counting global allocator: net bytes allocated, for the memory workload.
//!
//! Counting is off unless a workload turns it on, so the throughput
//! workloads pay one relaxed load of a read-shared flag per allocation, not a
//! contended atomic add.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

/// The process's allocator: `System`, counted while [`Counting`] is alive.
pub struct CountingAlloc;

static ENABLED: AtomicBool = AtomicBool::new(false);
static NET: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`; the counters do
// not touch the memory.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() && ENABLED.load(Ordering::Relaxed) {
            NET.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() && ENABLED.load(Ordering::Relaxed) {
            NET.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        if ENABLED.load(Ordering::Relaxed) {
            NET.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() && ENABLED.load(Ordering::Relaxed) {
            NET.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

/// Counts net allocated bytes from its creation until it is dropped. One at
/// a time: the counter is process-wide.
pub struct Counting {
    start: isize,
}

impl Counting {
    /// Starts counting.
    pub fn start() -> Self {
        ENABLED.store(true, Ordering::SeqCst);
        Counting {
            start: NET.load(Ordering::SeqCst),
        }
    }

    /// Net bytes allocated since `start` (negative if more was freed).
    /// Memory allocated before `start` and freed since counts as negative
    /// only if it was allocated while counting, so start before building
    /// what you measure.
    pub fn net(&self) -> isize {
        NET.load(Ordering::SeqCst) - self.start
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        ENABLED.store(false, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The binary's #[global_allocator] (main.rs) is also the test binary's.
    #[test]
    fn counts_net_bytes_while_enabled() {
        const MIB: isize = 1 << 20;
        let c = Counting::start();
        let v: Vec<u8> = Vec::with_capacity(16 << 20);
        // Other test threads allocate meanwhile: allow them a margin far
        // below the 16 MiB measured.
        let n = c.net();
        assert!((15 * MIB..17 * MIB).contains(&n), "net {n}");
        drop(v);
        assert!(c.net() < MIB, "net after free {}", c.net());
    }
}
