//! Snapshots: `Store::save_snapshot` and `Store::load_snapshot` of `n`
//! entries (16-byte string keys, 100-byte `Bytes` values, each its own
//! allocation as in a real store), in MB/s and as a ratio to copying a file
//! of the same size (`std::fs::copy` then `fsync`) in the same run: the
//! median of several rounds of each.
//!
//! Also measured in the same run:
//! - a *hashbrown load*: the same records read with kvs's file reader into a
//!   plain map (each value allocated, inserted into one `hashbrown` map keyed
//!   by `[u8; 16]`): what building any in-memory map of these records costs
//!   on this machine, whatever the file format;
//! - the longest stall of two writer threads while a save runs, against the
//!   longest copy of one shard during that save (which the save reports in
//!   its [`kvs::snapshot::SaveStats`], with the longest it held a shard's
//!   lock at a stretch: a writer waits at most for that, scheduling aside),
//!   and against the longest stall in an equal window without a save.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use kvs::snapshot::{SaveStats, SnapshotReader};
use kvs::Store;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::keys::{BenchKey, Str16};
use crate::ops::Dist;
use crate::report::Csv;
use crate::targets::Check;
use crate::{BenchError, Ctx};

/// The header of `snapshot.csv`.
pub const HEADER: &str = "entries,file_bytes,save_seconds,save_mb_s,load_seconds,load_mb_s,copy_seconds,copy_mb_s,\
hashbrown_load_seconds,hashbrown_load_mb_s,save_speed_over_copy,load_speed_over_copy,hashbrown_load_speed_over_copy,\
writes_during_save,shards_copied_by_writers,shards,longest_shard_copy_us,max_stall_us_during_save,max_stall_us_without_save,longest_lock_hold_us,\
save_with_writers_seconds,gave_way_seconds,max_stall_us_with_spinners,stall_rounds,stall_over_copy_median,stall_over_copy_worst";

const VALUE_LEN: usize = 100;
const WRITERS: usize = 2;

/// Value number `i`: its own 100-byte allocation, so that a save reads (and
/// a load writes) as many distinct bytes as a real store's.
fn value(i: u64) -> Bytes {
    let mut v = vec![b'v'; VALUE_LEN];
    v[..8].copy_from_slice(&i.to_le_bytes());
    Bytes::from(v)
}

/// Saves and copies, measures writer stalls during a save, then loads into
/// kvs and into a plain hashbrown map.
pub fn run(ctx: &mut Ctx) -> Result<(), BenchError> {
    if !ctx.selected("kvs") {
        return Ok(());
    }
    let n = ctx.scale.snapshot_entries as u64;
    let mut csv = Csv::create(&ctx.out, "snapshot.csv", HEADER)?;
    let dir = ctx.out.join("snapshot-tmp");
    fs::create_dir_all(&dir)?;
    let (file, copy) = (dir.join("store.kvs"), dir.join("copy.kvs"));

    let store: Store<Bytes> = Store::builder().build()?;
    for i in 0..n {
        store.set(Str16::nth(i).as_array(), value(i))?;
    }

    // Saves and copies alternate, so that neither always gets the page
    // cache the other just freed (on this VM, writing into fresh page-cache
    // pages is several times slower in some runs than into reused ones).
    let rounds = ctx.scale.snapshot_rounds.max(1);
    let (mut saves, mut copies) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t0 = Instant::now();
        store.save_snapshot(&file)?;
        saves.push(t0.elapsed());
        let t0 = Instant::now();
        copy_and_sync(&file, &copy)?;
        copies.push(t0.elapsed());
        fs::remove_file(&copy)?;
    }
    let bytes = fs::metadata(&file)?.len();

    // The stalls are measured next, before any load: freeing a loaded
    // store's million values leaves the allocator a backlog to consolidate,
    // which the next thread to allocate pays for (glibc), and that would be
    // measured here as a stall of whichever writer came first.
    // As many saves with writers as rounds above: the longest stall of one
    // save is a single sample of this machine's worst moment in that save,
    // so the figure checked is the round with the median stall / copy ratio
    // (the worst round is reported beside it).
    let mut stall_rounds = Vec::with_capacity(rounds);
    for round in 0..rounds {
        stall_rounds.push(writer_stalls(&store, &file, n, ctx.seed ^ round as u64)?);
    }
    stall_rounds.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()));
    let worst_ratio = stall_rounds.last().map_or(0.0, Stalls::ratio);
    let all_ratios = stall_rounds
        .iter()
        .map(|s| {
            format!(
                "{:.2} ({:.1}/{:.1} ms)",
                s.ratio(),
                s.during.as_secs_f64() * 1e3,
                s.stats.longest_shard_copy.as_secs_f64() * 1e3
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let stalls = stall_rounds.swap_remove(stall_rounds.len() / 2);

    // Each load runs in a fresh process, as a load at start-up does: what an
    // earlier load left to the allocator would otherwise be paid by the next.
    let (mut loads, mut plains) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        loads.push(load_in_child("kvs", &file, store.len())?);
        plains.push(load_in_child("hashbrown", &file, store.len())?);
    }
    fs::remove_dir_all(&dir)?;
    let ms = |d: &[Duration]| {
        d.iter()
            .map(|d| format!("{:.0}", d.as_secs_f64() * 1e3))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "Snapshot   rounds (ms): save {} | copy {} | load {} | hashbrown load {}; \
         rounds (writer stall / shard copy, sorted): {all_ratios}",
        ms(&saves),
        ms(&copies),
        ms(&loads),
        ms(&plains)
    );
    let (save, copy_time, load, plain) =
        (median(saves), median(copies), median(loads), median(plains));

    let mb_s = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    // Speed over copy speed: above 1 is faster than the copy.
    let speed = |d: Duration| copy_time.as_secs_f64() / d.as_secs_f64();
    let copy_us = stalls.stats.longest_shard_copy.as_micros();
    let hold_us = stalls.stats.longest_lock_hold.as_micros();
    let (busy_save, gave_way) = (
        stalls.save.as_secs_f64(),
        stalls.stats.gave_way.as_secs_f64(),
    );
    println!(
        "Snapshot   {n} entries, {bytes} B: save {:.1} MB/s ({:.2}x copy speed), load {:.1} MB/s ({:.2}x), \
         hashbrown load {:.1} MB/s ({:.2}x), copy+fsync {:.1} MB/s",
        mb_s(save),
        speed(save),
        mb_s(load),
        speed(load),
        mb_s(plain),
        speed(plain),
        mb_s(copy_time),
    );
    println!(
        "Snapshot   (median round) longest writer stall {} us during a save ({} us without, {} us beside threads that only spin); \
         writers copied {} of {} shards, \
         longest shard copy {copy_us} us, longest lock hold {hold_us} us; that save took {:.0} ms, \
         {:.0} ms of it giving way to the writers",
        stalls.during.as_micros(),
        stalls.idle.as_micros(),
        stalls.burners.as_micros(),
        stalls.stats.copied_by_writers,
        stalls.stats.shards,
        busy_save * 1e3,
        gave_way * 1e3,
    );
    csv.line(&format!(
        "{n},{bytes},{:.6},{:.1},{:.6},{:.1},{:.6},{:.1},{:.6},{:.1},{:.3},{:.3},{:.3},{},{},{},{copy_us},{},{},{hold_us},{busy_save:.6},{gave_way:.6},{},{rounds},{:.3},{worst_ratio:.3}",
        save.as_secs_f64(),
        mb_s(save),
        load.as_secs_f64(),
        mb_s(load),
        copy_time.as_secs_f64(),
        mb_s(copy_time),
        plain.as_secs_f64(),
        mb_s(plain),
        speed(save),
        speed(load),
        speed(plain),
        stalls.writes,
        stalls.stats.copied_by_writers,
        stalls.stats.shards,
        stalls.during.as_micros(),
        stalls.idle.as_micros(),
        stalls.burners.as_micros(),
        stalls.ratio()
    ))?;

    let check = |target, other: &str, kvs: f64, value: f64, goal, met| Check {
        target,
        workload: "Snapshot".into(),
        keys: Str16::NAME.into(),
        distribution: Dist::Uniform.name().into(),
        threads: 1,
        kvs,
        other: other.into(),
        value,
        goal,
        met,
    };
    ctx.checks.extend([
        check(
            "snapshot save speed / copy speed",
            "fs::copy+fsync",
            mb_s(save),
            speed(save),
            ">=0.5",
            speed(save) >= 0.5,
        ),
        check(
            "snapshot load speed / copy speed",
            "fs::copy+fsync",
            mb_s(load),
            speed(load),
            ">=0.333",
            speed(load) >= 1.0 / 3.0,
        ),
        check(
            "hashbrown load speed / copy speed (reported)",
            "fs::copy+fsync",
            mb_s(plain),
            speed(plain),
            "reported",
            true,
        ),
        // The goal as worded: no writer stall during the save longer
        // than the copy of one shard.
        check(
            "longest writer stall during save / longest shard copy",
            "longest shard copy",
            stalls.during.as_secs_f64() * 1e6,
            stalls.ratio(),
            "<=1",
            stalls.during <= stalls.stats.longest_shard_copy,
        ),
    ]);
    Ok(())
}

/// Times one load of `file` (`what`: `kvs` or `hashbrown`) in a child process,
/// which checks that it holds `expected` entries.
fn load_in_child(what: &str, file: &Path, expected: usize) -> Result<Duration, BenchError> {
    let out = std::process::Command::new(std::env::current_exe()?)
        .arg("--child-load")
        .arg(what)
        .arg(file)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let parsed = text
        .trim()
        .split_once(',')
        .and_then(|(secs, n)| Some((secs.parse::<f64>().ok()?, n.parse::<usize>().ok()?)));
    match parsed {
        Some((secs, n)) if out.status.success() && n == expected => {
            Ok(Duration::from_secs_f64(secs))
        }
        _ => Err(BenchError::Child(format!(
            "the {what} load child ({}) printed {text:?}, expected {expected} entries: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))),
    }
}

/// In a child process: loads `file` into a default kvs store (`kvs`) or
/// into a plain hashbrown map (`hashbrown`) and prints `seconds,entries`.
pub fn child_load(what: &str, file: &Path) -> Result<(), BenchError> {
    let (elapsed, entries) = match what {
        "kvs" => {
            let store: Store<Bytes> = Store::builder().build()?;
            let t0 = Instant::now();
            store.load_snapshot(file)?;
            (t0.elapsed(), store.len())
        }
        "hashbrown" => load_hashbrown(file)?,
        other => return Err(BenchError::Usage(format!("unknown load {other:?}"))),
    };
    println!("{:.6},{entries}", elapsed.as_secs_f64());
    Ok(())
}

/// What building a plain map of the file's records costs: read them (with
/// kvs's reader, which also checks the checksum), allocate each value, and
/// insert it into one hashbrown map. Returns the time and the entries held.
fn load_hashbrown(file: &Path) -> Result<(Duration, usize), BenchError> {
    let t0 = Instant::now();
    let mut reader = SnapshotReader::open(file)?;
    // Grown as records arrive, not sized up front: a table at its full size
    // from the first insert misses the caches on every insert, which
    // measured slower here, for this map as for kvs's shards.
    let mut map: hashbrown::HashMap<[u8; 16], Bytes, foldhash::fast::RandomState> =
        hashbrown::HashMap::default();
    while let Some(record) = reader.next_record()? {
        let (Ok(key), Some(value)) = (<[u8; 16]>::try_from(record.key), record.value_as_bytes())
        else {
            return Err(BenchError::Child(format!(
                "unexpected record {} in the snapshot",
                record.index
            )));
        };
        map.insert(key, Bytes::copy_from_slice(value));
    }
    Ok((t0.elapsed(), map.len()))
}

/// The median of some durations (the upper one of an even count).
fn median(mut d: Vec<Duration>) -> Duration {
    d.sort();
    d[d.len() / 2]
}

/// What a user would do to duplicate the file durably.
fn copy_and_sync(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::copy(from, to)?;
    fs::File::open(to)?.sync_all()
}

/// A writer's count of writes, alone on its cache lines.
#[repr(align(128))]
#[derive(Default)]
struct Count(AtomicU64);

/// What the writers saw during one save and in an equal window after it.
struct Stalls {
    /// Writes that ran during the save.
    writes: u64,
    /// The longest single write that overlapped the save.
    during: Duration,
    /// The longest single write in the window after it.
    idle: Duration,
    /// The longest single write in a third window as long, while as many
    /// threads as the save copies on spin without touching the store: what
    /// the machine's scheduling alone costs the writers.
    burners: Duration,
    /// What the save reported.
    stats: SaveStats,
    /// How long that save took.
    save: Duration,
}

impl Stalls {
    /// The longest stall during the save over the save's longest copy of
    /// one shard: the goal is at most 1.
    fn ratio(&self) -> f64 {
        self.during.as_secs_f64() / self.stats.longest_shard_copy.as_secs_f64().max(1e-9)
    }
}

/// Two writers overwrite random keys (each with a fresh value); the main thread saves, then idles for
/// as long as the save took, then runs CPU-bound threads (as many as the
/// save copied on) for as long again.
fn writer_stalls(
    store: &Store<Bytes>,
    file: &Path,
    n: u64,
    seed: u64,
) -> Result<Stalls, BenchError> {
    let stop = AtomicBool::new(false);
    let counts: [Count; WRITERS] = Default::default();
    let total = |counts: &[Count]| {
        counts
            .iter()
            .map(|c| c.0.load(Ordering::Relaxed))
            .sum::<u64>()
    };
    let spinners = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 4);
    let (save_result, samples, writes_during, (t0, t1, t2)) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (stop, count) = (&stop, &counts[w].0);
                s.spawn(move || {
                    let mut rng = SmallRng::seed_from_u64(seed ^ (w as u64 + 7));
                    // (start, length) of every write slower than 10 µs,
                    // which is where any stall of interest lies.
                    // Allocated up front: recording a slow write never allocates.
                    let mut slow: Vec<(Instant, Duration)> = Vec::with_capacity(1 << 16);
                    while !stop.load(Ordering::Relaxed) {
                        let i = rng.random_range(0..n);
                        let k = Str16::nth(i);
                        // A value of its own, allocated before the clock
                        // starts: the store keeps a million distinct values
                        // however many rounds overwrite it.
                        let v = value(i);
                        let t = Instant::now();
                        let _ = store.set(k.as_array(), v);
                        let d = t.elapsed();
                        count.fetch_add(1, Ordering::Relaxed);
                        if d > Duration::from_micros(10) && slow.len() < slow.capacity() {
                            slow.push((t, d));
                        }
                    }
                    slow
                })
            })
            .collect();
        // Let the writers get going before the save starts.
        std::thread::sleep(Duration::from_millis(20));
        let before = total(&counts);
        let t0 = Instant::now();
        let r = store.save_snapshot(file);
        let t1 = Instant::now();
        let writes_during = total(&counts) - before;
        // An equal window with no save, for the baseline stall.
        std::thread::sleep(t1 - t0);
        // And one with threads that only compete for the processors.
        let t2 = Instant::now();
        let spin = AtomicBool::new(false);
        std::thread::scope(|b| {
            for _ in 0..spinners {
                b.spawn(|| {
                    let mut x = 1u64;
                    while !spin.load(Ordering::Relaxed) {
                        x = std::hint::black_box(
                            x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1),
                        );
                    }
                });
            }
            std::thread::sleep(t1 - t0);
            spin.store(true, Ordering::Relaxed);
        });
        stop.store(true, Ordering::Relaxed);
        let samples: Vec<(Instant, Duration)> = writers
            .into_iter()
            .flat_map(|w| w.join().expect("writer thread panicked"))
            .collect();
        (r, samples, writes_during, (t0, t1, t2))
    });
    let stats = save_result?;
    let mut during = Duration::ZERO;
    let mut idle = Duration::ZERO;
    let mut burners = Duration::ZERO;
    for (at, d) in samples {
        if at >= t0 && at < t1 || at < t0 && at + d > t0 {
            during = during.max(d);
        } else if at >= t2 || at + d > t2 {
            burners = burners.max(d);
        } else if at >= t1 {
            idle = idle.max(d);
        }
    }
    Ok(Stalls {
        writes: writes_during,
        during,
        idle,
        burners,
        stats,
        save: t1 - t0,
    })
}
