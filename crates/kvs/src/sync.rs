//! The synchronisation primitives the store is built on, behind one facade.
//!
//! `sweeper.rs`, `lock_order.rs` and `ordered.rs` reach their primitives only through
//! `super::sync`. The model-checking test (`tests/model.rs`) compiles those same
//! files against a facade of the same shape built on `shuttle`, so the code
//! that is model-checked is the code that ships.

pub(crate) use std::sync::{Arc, Condvar, Mutex};
pub(crate) use std::thread;
use std::time::{Duration, Instant};

/// A reader-writer lock whose guards come back directly (no poisoning), and
/// whose waiters spin for a while before they park (see [`SPIN`]).
#[derive(Debug, Default)]
pub(crate) struct RwLock<T>(parking_lot::RwLock<T>);

impl<T> RwLock<T> {
    pub(crate) fn new(value: T) -> Self {
        RwLock(parking_lot::RwLock::new(value))
    }

    #[inline]
    pub(crate) fn read(&self) -> ReadGuard<'_, T> {
        match self.0.try_read() {
            Some(guard) => guard,
            None => self.read_contended(),
        }
    }

    #[inline]
    pub(crate) fn write(&self) -> WriteGuard<'_, T> {
        match self.0.try_write() {
            Some(guard) => guard,
            None => self.write_contended(),
        }
    }

    /// A write lock whose caller knows when a holder is likely to keep it
    /// long (a save copying shards): if the lock is held and `long_hold()`
    /// says so, the thread parks at once, leaving its core to the holder,
    /// rather than spin. `long_hold` runs only when the lock is held, so
    /// the uncontended path pays nothing for it.
    #[inline]
    pub(crate) fn write_unless_long(&self, long_hold: impl FnOnce() -> bool) -> WriteGuard<'_, T> {
        match self.0.try_write() {
            Some(guard) => guard,
            None if long_hold() => self.0.write(),
            None => self.write_contended(),
        }
    }

    /// A held lock: spin first (each try reads the lock's state before it
    /// tries to take it, so spinning threads share the lock's cache line
    /// rather than pull it from the holder), then park.
    #[cold]
    fn read_contended(&self) -> ReadGuard<'_, T> {
        let free = || !self.0.is_locked_exclusive();
        spin_until(SPIN, || free().then(|| self.0.try_read()).flatten())
            .unwrap_or_else(|| self.0.read())
    }

    #[cold]
    fn write_contended(&self) -> WriteGuard<'_, T> {
        let free = || !self.0.is_locked();
        spin_until(SPIN, || free().then(|| self.0.try_write()).flatten())
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

/// How long a thread that finds a lock held keeps trying before it parks.
///
/// `parking_lot` parks a waiter after a few spins, and once any thread is
/// parked on a lock, every later waiter parks at once and every unlock takes
/// its slow path, which keeps the lock held while it queues up a waiter to
/// wake (parking_lot issue #418, pull request #461). On a lock that many
/// threads want, such as a hot key's shard, throughput then collapses: on a
/// 16-core machine, 16 threads writing Zipf(0.99) keys to 64 shards did 9.1
/// million operations a second behind `parking_lot` locks against 22.2
/// behind `std`'s and 21.5 in dashmap (`examples/lock_contention.rs` in
/// kvs-bench), and kvs's Exchange workload fell from 20.4 Mop/s at 8
/// threads to 8.4 at 16. A shard's critical section is one hash-table
/// operation, so a waiter that keeps trying for a while gets the lock
/// without anyone parking. The same `parking_lot` shards with waiters that
/// try for 4 µs did 8.8, for 20 µs 15.9, for 50 µs 24.6; kvs with 50 µs did
/// 19.7–22.5 Mop/s in Exchange and RapidGrow on Zipf keys at 16 threads,
/// against 10.0–10.8 without spinning in the same session; on uniform keys
/// it changed nothing (BENCHMARKS.md, "Beyond two cores", has the runs).
///
/// The wait backs off: pauses of 1, 2, ..., 32 spins, then yielding the CPU
/// between tries, so a waiter whose lock holder is not running (more
/// threads than cores) gives its core away.
pub(crate) const SPIN: Duration = Duration::from_micros(50);

/// Calls `attempt` (a `try_` lock) until it succeeds or `budget` has passed,
/// backing off between calls (see [`SPIN`]); `None` when it gave up.
#[inline]
fn spin_until<G>(budget: Duration, mut attempt: impl FnMut() -> Option<G>) -> Option<G> {
    let start = Instant::now();
    let mut pause = 1u32;
    loop {
        if pause < 64 {
            for _ in 0..pause {
                std::hint::spin_loop();
            }
            pause *= 2;
        } else {
            thread::yield_now();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spinning_returns_the_first_success() {
        let mut calls = 0;
        let got = spin_until(Duration::from_secs(60), || {
            calls += 1;
            (calls == 3).then_some(calls)
        });
        assert_eq!((got, calls), (Some(3), 3));
    }

    #[test]
    fn spinning_gives_up_after_its_budget_having_retried() {
        let mut calls = 0;
        let got: Option<()> = spin_until(Duration::from_millis(1), || {
            calls += 1;
            None
        });
        assert_eq!(got, None);
        assert!(calls > 1, "{calls} calls");
    }

    /// Writers that spin, writers that park (`write_unless_long`) and readers on
    /// one lock: no increment is lost, and no reader sees the count go back.
    #[test]
    fn spinning_and_parking_waiters_exclude_each_other() {
        const THREADS: u64 = 4;
        const INCREMENTS: u64 = 20_000;
        let lock = RwLock::new(0u64);
        thread::scope(|s| {
            for t in 0..THREADS {
                let lock = &lock;
                s.spawn(move || {
                    for i in 0..INCREMENTS {
                        let mut count = if (t + i) % 3 == 0 {
                            lock.write_unless_long(|| true)
                        } else {
                            lock.write()
                        };
                        // Not atomic: a second writer inside would lose one.
                        let seen = *count;
                        std::hint::black_box(&seen);
                        *count = seen + 1;
                    }
                });
            }
            let lock = &lock;
            s.spawn(move || {
                let mut last = 0;
                while last < THREADS * INCREMENTS {
                    let now = *lock.read();
                    assert!(now >= last);
                    last = now;
                }
            });
        });
        assert_eq!(*lock.read(), THREADS * INCREMENTS);
    }
}
