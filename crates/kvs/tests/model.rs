//! Model checking (shuttle) of the two concurrency handshakes that are easy
//! to get wrong: stopping the sweeper thread, and taking several shard locks
//! at once.
//!
//! The files under test are compiled here from the library's own sources
//! (`#[path]`), against the `sync` facade below, which has the same shape as
//! `src/sync.rs` but is built on shuttle's primitives. So what shuttle
//! explores is the code that ships, not a copy of it.

mod sync {
    use std::sync::{LockResult, PoisonError};
    use std::time::Duration;

    pub use shuttle::sync::{Arc, Mutex, MutexGuard};
    pub use shuttle::thread;

    /// shuttle's `Condvar::wait_timeout` never times out, which would hide
    /// every interleaving where the sweeper wakes up by itself and ticks. This
    /// one lets the scheduler choose, at each wait, between waiting for a
    /// notification and timing out at once (a zero-length wait, which is one
    /// of the behaviours a real timeout allows).
    #[derive(Default, Debug)]
    pub struct Condvar(shuttle::sync::Condvar);

    fn times_out() -> bool {
        use shuttle::rand::RngCore;
        shuttle::rand::thread_rng().next_u32() % 2 == 0
    }

    impl Condvar {
        pub fn notify_all(&self) {
            self.0.notify_all();
        }

        pub fn wait_timeout<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            _dur: Duration,
        ) -> LockResult<(MutexGuard<'a, T>, ())> {
            if times_out() {
                return Ok((guard, ()));
            }
            match self.0.wait(guard) {
                Ok(g) => Ok((g, ())),
                Err(e) => Err(PoisonError::new((e.into_inner(), ()))),
            }
        }

        pub fn wait_timeout_while<'a, T, F>(
            &self,
            mut guard: MutexGuard<'a, T>,
            _dur: Duration,
            mut condition: F,
        ) -> LockResult<(MutexGuard<'a, T>, ())>
        where
            F: FnMut(&mut T) -> bool,
        {
            while condition(&mut *guard) {
                if times_out() {
                    return Ok((guard, ()));
                }
                guard = match self.0.wait(guard) {
                    Ok(g) => g,
                    Err(e) => return Err(PoisonError::new((e.into_inner(), ()))),
                };
            }
            Ok((guard, ()))
        }
    }

    pub struct RwLock<T>(shuttle::sync::RwLock<T>);

    impl<T> RwLock<T> {
        pub fn new(value: T) -> Self {
            RwLock(shuttle::sync::RwLock::new(value))
        }
        pub fn read(&self) -> ReadGuard<'_, T> {
            self.0.read().unwrap_or_else(|e| e.into_inner())
        }
        pub fn write(&self) -> WriteGuard<'_, T> {
            self.0.write().unwrap_or_else(|e| e.into_inner())
        }
    }

    pub type ReadGuard<'a, T> = shuttle::sync::RwLockReadGuard<'a, T>;
    pub type WriteGuard<'a, T> = shuttle::sync::RwLockWriteGuard<'a, T>;

    pub fn lock<T>(m: &Mutex<T>) -> shuttle::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[allow(dead_code)]
#[path = "../src/sweeper.rs"]
mod sweeper;

#[allow(dead_code)]
#[path = "../src/lock_order.rs"]
mod lock_order;

use std::time::Duration;

use shuttle::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use shuttle::sync::Arc;
use shuttle::thread;

use lock_order::{lock_order, read_in_order, write_in_order};
use sweeper::Sweeper;
use sync::RwLock;

const ITERATIONS: usize = 2000;

/// Stops the sweeper, retrying while shuttle lets the wait time out (it may
/// fire any timeout at any moment), as a caller seeing `CloseTimedOut` would.
fn stop_until_exited(s: &Sweeper) {
    while !s.stop(Duration::from_secs(5)) {
        thread::yield_now();
    }
}

#[test]
fn no_tick_runs_after_stop_returns() {
    shuttle::check_random(
        || {
            let in_tick = Arc::new(AtomicBool::new(false));
            let ticks = Arc::new(AtomicUsize::new(0));
            let (flag, count) = (Arc::clone(&in_tick), Arc::clone(&ticks));
            let sweeper = Sweeper::spawn(Duration::from_millis(1), move || {
                flag.store(true, Ordering::SeqCst);
                thread::yield_now();
                count.fetch_add(1, Ordering::SeqCst);
                flag.store(false, Ordering::SeqCst);
                Duration::from_millis(1)
            })
            .expect("spawn");
            thread::yield_now();
            stop_until_exited(&sweeper);
            assert!(!in_tick.load(Ordering::SeqCst), "a tick outlived stop()");
            let seen = ticks.load(Ordering::SeqCst);
            thread::yield_now();
            assert_eq!(
                ticks.load(Ordering::SeqCst),
                seen,
                "a tick ran after stop()"
            );
        },
        ITERATIONS,
    );
}

#[test]
fn concurrent_and_repeated_stops_all_finish() {
    shuttle::check_random(
        || {
            let sweeper = Arc::new(
                Sweeper::spawn(Duration::from_millis(1), || Duration::from_millis(1))
                    .expect("spawn"),
            );
            let closers: Vec<_> = (0..2)
                .map(|_| {
                    let s = Arc::clone(&sweeper);
                    thread::spawn(move || stop_until_exited(&s))
                })
                .collect();
            for c in closers {
                c.join().expect("closer");
            }
            // Idempotent: a third stop returns at once, exited.
            assert!(sweeper.stop(Duration::from_secs(5)));
        },
        ITERATIONS,
    );
}

/// Three "batches" over overlapping shard sets, each given its shards in a
/// different order: taken through `lock_order`, they never deadlock (shuttle
/// fails the test if every thread is blocked), and each batch's writes are
/// atomic to a reader that read-locks the same shards.
#[test]
fn overlapping_batches_never_deadlock_and_stay_atomic() {
    shuttle::check_random(
        || {
            let shards: Arc<Vec<RwLock<u64>>> = Arc::new((0..4).map(|_| RwLock::new(0)).collect());
            let sets = [vec![3, 1, 0], vec![0, 2], vec![2, 1, 3, 1]];
            let writers: Vec<_> = sets
                .into_iter()
                .map(|set| {
                    let shards = Arc::clone(&shards);
                    thread::spawn(move || {
                        let order = lock_order(set);
                        let mut guards = write_in_order(&order, |i| &shards[i]);
                        for (_, g) in guards.iter_mut() {
                            **g += 1;
                        }
                    })
                })
                .collect();
            let reader = {
                let shards = Arc::clone(&shards);
                thread::spawn(move || {
                    // Shards 1 and 3 are written only by batches that write
                    // both, so a consistent read sees them equal.
                    let order = lock_order(vec![3, 1]);
                    let guards = read_in_order(&order, |i| &shards[i]);
                    assert_eq!(*guards[0].1, *guards[1].1, "a batch was seen half-applied");
                })
            };
            for w in writers {
                w.join().expect("writer");
            }
            reader.join().expect("reader");
            let totals: Vec<u64> = shards.iter().map(|s| *s.read()).collect();
            assert_eq!(totals, vec![2, 2, 2, 2]);
        },
        ITERATIONS,
    );
}

/// The control: the same two batches taking their locks in the order given,
/// without `lock_order`, deadlock, and shuttle finds it. This shows the test
/// above can fail.
#[test]
#[should_panic(expected = "deadlock")]
fn unordered_locking_is_caught_as_deadlock() {
    shuttle::check_random(
        || {
            let shards: Arc<Vec<RwLock<u64>>> = Arc::new((0..2).map(|_| RwLock::new(0)).collect());
            let threads: Vec<_> = [[0usize, 1], [1, 0]]
                .into_iter()
                .map(|pair| {
                    let shards = Arc::clone(&shards);
                    thread::spawn(move || {
                        let _a = shards[pair[0]].write();
                        thread::yield_now();
                        let _b = shards[pair[1]].write();
                    })
                })
                .collect();
            for t in threads {
                t.join().expect("thread");
            }
        },
        ITERATIONS,
    );
}
