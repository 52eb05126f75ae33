//! Model checking (shuttle) of the concurrency handshakes that are easy to
//! get wrong: stopping the sweeper thread, taking several shard locks at
//! once, and a save's shards copied on several threads but written in order.
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
        pub fn new() -> Self {
            Condvar(shuttle::sync::Condvar::new())
        }

        pub fn notify_all(&self) {
            self.0.notify_all();
        }

        pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> LockResult<MutexGuard<'a, T>> {
            self.0.wait(guard)
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

#[allow(dead_code)]
#[path = "../src/ordered.rs"]
mod ordered;

use std::time::Duration;

use shuttle::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use shuttle::sync::Arc;
use shuttle::thread;

use lock_order::{lock_order, read_in_order, write_in_order};
use ordered::Ordered;
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

/// Jobs for the `Ordered` models: each writes its number into its buffer,
/// checks that it runs within the window of the consumer, and counts itself.
struct Jobs {
    ordered: Ordered<Vec<usize>>,
    window: usize,
    /// Jobs consumed, as the consumer last said (set before it tells
    /// `ordered`, so a claim can never be ahead of it).
    consumed: AtomicUsize,
    runs: Vec<AtomicUsize>,
    /// A job that panics, if any.
    panics_at: Option<usize>,
}

impl Jobs {
    fn new(jobs: usize, window: usize, panics_at: Option<usize>) -> Arc<Jobs> {
        Arc::new(Jobs {
            ordered: Ordered::new(jobs, window),
            window,
            consumed: AtomicUsize::new(0),
            runs: (0..jobs).map(|_| AtomicUsize::new(0)).collect(),
            panics_at,
        })
    }

    fn work(&self, k: usize, buffer: &mut Vec<usize>) {
        assert!(
            k < self.consumed.load(Ordering::SeqCst) + self.window,
            "job {k} ran more than the window ahead"
        );
        self.runs[k].fetch_add(1, Ordering::SeqCst);
        thread::yield_now();
        if self.panics_at == Some(k) {
            panic!("job {k} fails");
        }
        buffer.clear();
        buffer.push(k);
    }

    fn helper(self: &Arc<Self>) -> thread::JoinHandle<()> {
        let jobs = Arc::clone(self);
        thread::spawn(move || {
            // A panicking job is caught here so that the model can check what
            // the others did; the helper itself still unwinds through
            // `help`, which is what stops the work.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                jobs.ordered.help(|k, b| jobs.work(k, b))
            }));
        })
    }

    /// Consumes every job in order (or until a panic), then stops the work.
    /// The consumer does jobs too while it waits (`take`) until it has
    /// consumed `helps_until` jobs, then only waits; with 0 it never does
    /// one (the helpers do them all).
    fn consume(&self, helps_until: usize) -> std::thread::Result<Vec<usize>> {
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut seen = Vec::new();
            for j in 0..self.runs.len() {
                let helps = || self.consumed.load(Ordering::SeqCst) < helps_until;
                let result = self.ordered.take(j, |k, b| self.work(k, b), helps);
                seen.extend(result.iter().copied());
                self.consumed.store(j + 1, Ordering::SeqCst);
                self.ordered.consumed(j, Some(result));
            }
            seen
        }));
        self.ordered.stop();
        out
    }
}

/// Waits for every helper thread to return.
fn join(helpers: Vec<thread::JoinHandle<()>>) {
    for h in helpers {
        h.join().expect("helper");
    }
}

/// Two helpers and the consumer share five jobs with a window of two: every
/// job runs exactly once, never more than the window ahead of the consumer,
/// and the consumer sees them in order. Nothing deadlocks (shuttle would fail
/// the test), and the helpers return once the work is done. Also with a
/// consumer that stops doing jobs after two (as a save's calling thread
/// does once the application writes) and one that only waits: then the
/// helpers run the rest.
#[test]
fn ordered_jobs_run_once_within_the_window_and_arrive_in_order() {
    for helps_until in [usize::MAX, 2, 0] {
        shuttle::check_random(
            move || {
                let jobs = Jobs::new(5, 2, None);
                let helpers: Vec<_> = (0..2).map(|_| jobs.helper()).collect();
                let seen = jobs.consume(helps_until).expect("no job panics");
                assert_eq!(seen, vec![0, 1, 2, 3, 4]);
                join(helpers);
                for r in &jobs.runs {
                    assert_eq!(r.load(Ordering::SeqCst), 1);
                }
            },
            ITERATIONS,
        );
    }
}

/// A job that panics, on a helper or on the consumer, stops the work: the
/// consumer does not wait for it forever (it panics too, which a save passes
/// on), and every helper returns; also when the consumer only waits.
#[test]
fn a_panicking_job_stops_the_work() {
    for helps_until in [usize::MAX, 0] {
        shuttle::check_random(
            move || {
                let jobs = Jobs::new(4, 2, Some(1));
                let helpers: Vec<_> = (0..2).map(|_| jobs.helper()).collect();
                assert!(
                    jobs.consume(helps_until).is_err(),
                    "the consumer finished past a failed job"
                );
                join(helpers);
                assert!(jobs.runs.iter().all(|r| r.load(Ordering::SeqCst) <= 1));
            },
            ITERATIONS,
        );
    }
}

/// A consumer that gives up early (a write to the file failed) stops the
/// work, and the helpers return without running the remaining jobs.
#[test]
fn stopping_early_releases_the_helpers() {
    shuttle::check_random(
        || {
            let jobs = Jobs::new(6, 3, None);
            let helpers: Vec<_> = (0..2).map(|_| jobs.helper()).collect();
            let first = jobs.ordered.take(0, |k, b| jobs.work(k, b), || true);
            assert_eq!(first, vec![0]);
            jobs.ordered.stop();
            join(helpers);
            // Claims stop at the window: jobs past it never ran.
            assert!(jobs.runs[3..].iter().all(|r| r.load(Ordering::SeqCst) == 0));
        },
        ITERATIONS,
    );
}
