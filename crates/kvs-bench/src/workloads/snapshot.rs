//! Snapshots: `Store::save_snapshot` and `Store::load_snapshot` of `n`
//! entries (16-byte string keys, 100-byte `Bytes` values), in MB/s and as a
//! ratio to copying a file of the same size (`std::fs::copy` then
//! `fsync`) in the same run; and the longest stall of two writer threads
//! while a save runs, against the longest in an equal window without one.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use kvs::Store;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::keys::{BenchKey, Str16};
use crate::report::Csv;
use crate::{BenchError, Ctx};

/// The header of `snapshot.csv`.
pub const HEADER: &str = "entries,file_bytes,save_seconds,save_mb_s,load_seconds,load_mb_s,copy_seconds,copy_mb_s,\
save_over_copy,load_over_copy,writes_during_save,max_stall_us_during_save,max_stall_us_without_save";

const VALUE_LEN: usize = 100;
const WRITERS: usize = 2;

/// Saves, copies, loads, then measures writer stalls.
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
    let value = Bytes::from(vec![b'v'; VALUE_LEN]);
    for i in 0..n {
        store.set(Str16::nth(i).as_array(), value.clone())?;
    }

    let t0 = Instant::now();
    store.save_snapshot(&file)?;
    let save = t0.elapsed();
    let bytes = fs::metadata(&file)?.len();

    // The stalls are measured next, before the load: freeing a loaded
    // store's million values leaves the allocator a backlog to consolidate,
    // which the next thread to allocate pays for (glibc), and that would be
    // measured here as a stall of whichever writer came first.
    let (writes, stall_save, stall_idle) = writer_stalls(&store, &file, n, ctx.seed)?;

    let t0 = Instant::now();
    copy_and_sync(&file, &copy)?;
    let copy_time = t0.elapsed();
    fs::remove_file(&copy)?;

    let loaded: Store<Bytes> = Store::builder().build()?;
    let t0 = Instant::now();
    loaded.load_snapshot(&file)?;
    let load = t0.elapsed();
    if loaded.len() != store.len() {
        return Err(BenchError::Child(format!(
            "load gave {} entries, saved {}",
            loaded.len(),
            store.len()
        )));
    }
    drop(loaded);
    fs::remove_dir_all(&dir)?;

    let mb_s = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    let ratio = |d: Duration| d.as_secs_f64() / copy_time.as_secs_f64();
    println!(
        "Snapshot   {n} entries, {bytes} B: save {:.1} MB/s ({:.2}x copy), load {:.1} MB/s ({:.2}x copy), copy+fsync {:.1} MB/s; \
         longest writer stall {} us during save, {} us without",
        mb_s(save),
        ratio(save),
        mb_s(load),
        ratio(load),
        mb_s(copy_time),
        stall_save.as_micros(),
        stall_idle.as_micros()
    );
    csv.line(&format!(
        "{n},{bytes},{:.6},{:.1},{:.6},{:.1},{:.6},{:.1},{:.3},{:.3},{writes},{},{}",
        save.as_secs_f64(),
        mb_s(save),
        load.as_secs_f64(),
        mb_s(load),
        copy_time.as_secs_f64(),
        mb_s(copy_time),
        ratio(save),
        ratio(load),
        stall_save.as_micros(),
        stall_idle.as_micros()
    ))?;
    Ok(())
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

/// Two writers overwrite random keys; the main thread saves, then idles for
/// as long as the save took. Returns the writes that ran during the save and
/// the longest single write in each window.
fn writer_stalls(
    store: &Store<Bytes>,
    file: &Path,
    n: u64,
    seed: u64,
) -> Result<(u64, Duration, Duration), BenchError> {
    let stop = AtomicBool::new(false);
    let value = Bytes::from(vec![b'w'; VALUE_LEN]);
    let counts: [Count; WRITERS] = Default::default();
    let total = |counts: &[Count]| {
        counts
            .iter()
            .map(|c| c.0.load(Ordering::Relaxed))
            .sum::<u64>()
    };
    let (save_result, samples, writes_during, (t0, t1)) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (stop, value, count) = (&stop, value.clone(), &counts[w].0);
                s.spawn(move || {
                    let mut rng = SmallRng::seed_from_u64(seed ^ (w as u64 + 7));
                    // (start, length) of every write slower than 10 µs,
                    // which is where any stall of interest lies.
                    // Allocated up front, so the loop itself never allocates.
                    let mut slow: Vec<(Instant, Duration)> = Vec::with_capacity(1 << 16);
                    while !stop.load(Ordering::Relaxed) {
                        let k = Str16::nth(rng.random_range(0..n));
                        let t = Instant::now();
                        let _ = store.set(k.as_array(), value.clone());
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
        stop.store(true, Ordering::Relaxed);
        let samples: Vec<(Instant, Duration)> = writers
            .into_iter()
            .flat_map(|w| w.join().expect("writer thread panicked"))
            .collect();
        (r, samples, writes_during, (t0, t1))
    });
    save_result?;
    let mut during = Duration::ZERO;
    let mut idle = Duration::ZERO;
    for (at, d) in samples {
        if at >= t0 && at < t1 || at < t0 && at + d > t0 {
            during = during.max(d);
        } else if at >= t1 {
            idle = idle.max(d);
        }
    }
    Ok((writes_during, during, idle))
}
