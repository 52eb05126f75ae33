//! Runs pre-generated operations on a map from several threads and times
//! them between two barriers, as bustle does.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use crate::keys::BenchKey;
use crate::maps::BenchMap;
use crate::ops::{Op, OpKind};

/// Applies one operation; returns 1 if it found its key.
#[inline(always)]
pub fn apply<K: BenchKey, M: BenchMap<K>>(map: &M, op: &Op<K>, value: u64) -> u64 {
    match op.kind {
        OpKind::Read => u64::from(map.get(&op.key)),
        OpKind::Insert => {
            map.insert(&op.key, value);
            0
        }
        OpKind::Remove => u64::from(map.remove(&op.key)),
        OpKind::Update => u64::from(map.update(&op.key)),
    }
}

/// Runs each thread's sequence once, in parallel, stopping a thread early
/// once `cap` has passed since it started (checked every 256 operations), so
/// one slow map cannot stretch the run; every map still replays a prefix of
/// the same sequences. Returns the wall time (first start to last end) and
/// the number of operations done.
pub fn run_once<K: BenchKey, M: BenchMap<K>>(
    map: &M,
    per_thread: &[Vec<Op<K>>],
    cap: Duration,
) -> (Duration, u64) {
    run_parallel(per_thread, |ops| {
        let t0 = Instant::now();
        let mut found = 0u64;
        let mut done = 0usize;
        for chunk in ops.chunks(256) {
            for op in chunk {
                found += apply(map, op, done as u64);
                done += 1;
            }
            if t0.elapsed() > cap {
                break;
            }
        }
        black_box(found);
        done as u64
    })
}

/// Runs `work` on each input, one thread per input, all released together;
/// returns the wall time from the first thread's start to the last thread's
/// end, and the sum of the results.
///
/// Each thread reads the clock itself: on a loaded machine the coordinating
/// thread may wake from the barrier after the workers have finished, so its
/// clock readings would not bracket the work.
pub fn run_parallel<T: Sync, F>(inputs: &[T], work: F) -> (Duration, u64)
where
    F: Fn(&T) -> u64 + Sync,
{
    let start_line = Barrier::new(inputs.len());
    let (first_start, last_end, sum) = std::thread::scope(|s| {
        let workers: Vec<_> = inputs
            .iter()
            .map(|input| {
                let (start_line, work) = (&start_line, &work);
                s.spawn(move || {
                    start_line.wait();
                    let t0 = Instant::now();
                    let r = black_box(work(input));
                    (t0, Instant::now(), r)
                })
            })
            .collect();
        let mut first_start: Option<Instant> = None;
        let mut last_end: Option<Instant> = None;
        let mut sum = 0;
        for w in workers {
            let (t0, t1, r) = w.join().expect("benchmark thread panicked");
            first_start = Some(first_start.map_or(t0, |f| f.min(t0)));
            last_end = Some(last_end.map_or(t1, |l| l.max(t1)));
            sum += r;
        }
        (first_start, last_end, sum)
    });
    let elapsed = match (first_start, last_end) {
        (Some(a), Some(b)) => b - a,
        _ => Duration::ZERO,
    };
    (elapsed, sum)
}

/// Runs each thread's sequence over and over (from where it stopped) for
/// `length`; returns the wall time and the number of operations done.
/// `step` runs one operation and may differ from [`apply`] (the TTL churn
/// passes TTLs); the stop flag is read every 256 operations.
pub fn run_for<K: Copy + Send + Sync, F>(
    per_thread: &[Vec<Op<K>>],
    length: Duration,
    step: F,
) -> (Duration, u64)
where
    F: Fn(&Op<K>, u64) -> u64 + Sync,
{
    let start_line = Barrier::new(per_thread.len() + 1);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let workers: Vec<_> = per_thread
            .iter()
            .map(|ops| {
                let (start_line, stop, step) = (&start_line, &stop, &step);
                s.spawn(move || {
                    start_line.wait();
                    let t0 = Instant::now();
                    let mut done = 0u64;
                    let mut found = 0u64;
                    'outer: loop {
                        for chunk in ops.chunks(256) {
                            for op in chunk {
                                found += step(op, done);
                                done += 1;
                            }
                            if stop.load(Ordering::Relaxed) {
                                break 'outer;
                            }
                        }
                    }
                    black_box(found);
                    (done, t0, Instant::now())
                })
            })
            .collect();
        start_line.wait();
        std::thread::sleep(length);
        stop.store(true, Ordering::Relaxed);
        let mut total = 0;
        let mut first: Option<Instant> = None;
        let mut last: Option<Instant> = None;
        for w in workers {
            let (done, t0, t1) = w.join().expect("benchmark thread panicked");
            total += done;
            first = Some(first.map_or(t0, |f| f.min(t0)));
            last = Some(last.map_or(t1, |l| l.max(t1)));
        }
        let elapsed = match (first, last) {
            (Some(a), Some(b)) => b - a,
            _ => Duration::ZERO,
        };
        (elapsed, total)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::maps::{with_map, MapKind, WithMap};
    use crate::ops::{generate, Dist, Mix};

    /// Replays the sequences and returns the hits, counted by a wrapper.
    struct Replay(Vec<Vec<Op<u64>>>);
    impl WithMap<u64> for Replay {
        type Out = u64;
        fn run<M: BenchMap<u64>>(self, m: M) -> u64 {
            let counted = Counted(m, std::sync::atomic::AtomicU64::new(0));
            let (_, done) = run_once(&counted, &self.0, Duration::from_secs(3600));
            assert_eq!(done, self.0.iter().map(|o| o.len() as u64).sum::<u64>());
            counted.1.into_inner()
        }
    }

    /// Counts the operations that found their key.
    struct Counted<M>(M, std::sync::atomic::AtomicU64);
    impl<M: BenchMap<u64>> BenchMap<u64> for Counted<M> {
        fn get(&self, k: &u64) -> bool {
            self.hit(self.0.get(k))
        }
        fn insert(&self, k: &u64, v: u64) {
            self.0.insert(k, v)
        }
        fn remove(&self, k: &u64) -> bool {
            self.hit(self.0.remove(k))
        }
        fn update(&self, k: &u64) -> bool {
            self.hit(self.0.update(k))
        }
    }
    impl<M> Counted<M> {
        fn hit(&self, found: bool) -> bool {
            self.1.fetch_add(u64::from(found), Ordering::Relaxed);
            found
        }
    }

    #[test]
    fn run_once_stops_at_the_cap() {
        // A sequence far too long to finish in a millisecond.
        let ops = vec![generate::<u64>(
            Mix {
                read: 100,
                insert: 0,
                remove: 0,
                update: 0,
            },
            Dist::Uniform,
            10,
            5_000_000,
            1,
        )];
        let (t, done) = with_map(MapKind::StdRwLock, Capped(ops));
        assert!(done < 5_000_000, "done {done} in {t:?}");
        assert!(done >= 256);
    }

    struct Capped(Vec<Vec<Op<u64>>>);
    impl WithMap<u64> for Capped {
        type Out = (Duration, u64);
        fn run<M: BenchMap<u64>>(self, m: M) -> (Duration, u64) {
            run_once(&m, &self.0, Duration::from_millis(1))
        }
    }

    #[test]
    fn every_map_finds_the_same_keys_on_one_thread() {
        // On one thread the outcome is deterministic, so every map must
        // report exactly the same number of hits: a check on the adapters
        // and on the fairness of the replay.
        let mix = Mix {
            read: 40,
            insert: 30,
            remove: 20,
            update: 10,
        };
        let ops = vec![generate::<u64>(mix, Dist::Zipf, 500, 20_000, 3)];
        let hits: Vec<u64> = MapKind::ALL
            .iter()
            .map(|&k| with_map(k, Replay(ops.clone())))
            .collect();
        assert!(hits[0] > 1000, "hits {hits:?}");
        assert!(hits.iter().all(|&h| h == hits[0]), "hits {hits:?}");
    }

    #[test]
    fn run_for_stops_and_counts() {
        let ops = vec![
            vec![
                Op {
                    kind: OpKind::Read,
                    ttl_ms: 0,
                    key: 1u64
                };
                1000
            ];
            2
        ];
        let (t, n) = run_for(&ops, Duration::from_millis(20), |_, _| 1);
        assert!(n > 0);
        // Workers time themselves from their own start, which may trail the
        // coordinator's by a scheduling delay.
        assert!(t >= Duration::from_millis(10), "{t:?}");
    }
}
