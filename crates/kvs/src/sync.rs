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
        self.0.read()
    }

    #[inline]
    pub(crate) fn write(&self) -> parking_lot::RwLockWriteGuard<'_, T> {
        self.0.write()
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

pub(crate) type UpgradableGuard<'a, T> = parking_lot::RwLockUpgradableReadGuard<'a, T>;

pub(crate) type ReadGuard<'a, T> = parking_lot::RwLockReadGuard<'a, T>;
pub(crate) type WriteGuard<'a, T> = parking_lot::RwLockWriteGuard<'a, T>;

/// Locks a `std` mutex, carrying on through poisoning: the sweeper's state is
/// two flags that a panic cannot leave half-written.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
