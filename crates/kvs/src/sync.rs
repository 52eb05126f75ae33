//! The synchronisation primitives the store is built on, behind one facade.
//!
//! `sweeper.rs`, `lock_order.rs` and `ordered.rs` reach their primitives only through
//! `super::sync`. The model-checking test (`tests/model.rs`) compiles those same
//! files against a facade of the same shape built on `shuttle`, so the code
//! that is model-checked is the code that ships.

pub(crate) use std::sync::{Arc, Condvar, Mutex};
pub(crate) use std::thread;

/// A reader-writer lock whose guards come back directly (no poisoning).
#[derive(Debug, Default)]
pub(crate) struct RwLock<T>(parking_lot::RwLock<T>);

impl<T> RwLock<T> {
    pub(crate) fn new(value: T) -> Self {
        RwLock(parking_lot::RwLock::new(value))
    }

    #[inline]
    pub(crate) fn read(&self) -> parking_lot::RwLockReadGuard<'_, T> {
        match self.0.try_read() {
            Some(guard) => guard,
            None => self.read_contended(),
        }
    }

    #[inline]
    pub(crate) fn write(&self) -> parking_lot::RwLockWriteGuard<'_, T> {
        match self.0.try_write() {
            Some(guard) => guard,
            None => self.write_contended(),
        }
    }

    #[cold]
    fn read_contended(&self) -> parking_lot::RwLockReadGuard<'_, T> {
        spin_until(|| {
            (!self.0.is_locked_exclusive())
                .then(|| self.0.try_read())
                .flatten()
        })
        .unwrap_or_else(|| self.0.read())
    }

    #[cold]
    fn write_contended(&self) -> parking_lot::RwLockWriteGuard<'_, T> {
        spin_until(|| (!self.0.is_locked()).then(|| self.0.try_write()).flatten())
            .unwrap_or_else(|| self.0.write())
    }

    /// A read lock that excludes writers (and other upgradable readers) but
    /// not readers. A writer waiting behind it
    /// does not hold new readers back (it never announces itself), which is
    /// what lets a snapshot copy a shard without readers waiting.
    #[inline]
    pub(crate) fn upgradable_read(&self) -> UpgradableGuard<'_, T> {
        self.0.upgradable_read()
    }
}

fn spin_budget() -> std::time::Duration {
    static B: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();
    *B.get_or_init(|| {
        std::time::Duration::from_micros(
            std::env::var("KVS_SPIN_US")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(20),
        )
    })
}

#[inline]
fn spin_until<G>(mut attempt: impl FnMut() -> Option<G>) -> Option<G> {
    let budget = spin_budget();
    if budget.is_zero() {
        return None;
    }
    let start = std::time::Instant::now();
    let mut pause = 1u32;
    loop {
        if pause < 64 {
            for _ in 0..pause {
                std::hint::spin_loop();
            }
            pause *= 2;
        } else {
            std::thread::yield_now();
        }
        if let Some(guard) = attempt() {
            return Some(guard);
        }
        if start.elapsed() >= budget {
            return None;
        }
    }
}

pub(crate) type UpgradableGuard<'a, T> = parking_lot::RwLockUpgradableReadGuard<'a, T>;

pub(crate) type ReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
pub(crate) type WriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;

/// Locks a `std` mutex, carrying on through poisoning: the sweeper's state is
/// two flags that a panic cannot leave half-written.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
