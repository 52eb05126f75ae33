//! TTL churn: every insert carries a TTL of 1..=100 ms, with reads and
//! deletes mixed in; kvs (sweeper every 50 ms) against moka with per-entry
//! expiry. 40% insert, 50% read, 10% delete over 16-byte string keys drawn
//! uniformly.
//!
//! Each map runs in its own child process (the binary re-executed with the
//! hidden `--child-ttl` flag) so that one map's peak resident memory cannot
//! hide in another's. The child reports one CSV line on stdout.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::alloc::Counting;
use crate::keys::{BenchKey, Str16};
use crate::maps::{KvsMap, MokaExpiry, MokaMap};
use crate::ops::{generate, Dist, Mix, Op, OpKind};
use crate::report::{Csv, Row};
use crate::rss::rss;
use crate::runner::run_for;
use crate::targets::Check;
use crate::{BenchError, Ctx};

const MIX: Mix = Mix {
    read: 50,
    insert: 40,
    remove: 10,
    update: 0,
};

/// The two maps of the TTL churn.
pub const MAPS: [&str; 2] = ["kvs", "moka-expiry"];

/// The header of `ttl.csv`.
pub const HEADER: &str = "map,threads,ops,seconds,mops,entries_peak,entries_avg,entries_end,entries_after_cleanup,live_avg,\
rss_base_bytes,rss_peak_bytes,rss_end_bytes,static_bytes_per_entry,live_bytes,rss_end_over_live,rss_peak_over_live";

/// The position of `name` in [`HEADER`].
fn col(name: &str) -> usize {
    HEADER
        .split(',')
        .position(|h| h == name)
        .unwrap_or_else(|| unreachable!("{name} is a ttl.csv column"))
}

/// The parameters a child needs, passed as one comma-separated argument.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChildArgs {
    pub map_index: usize,
    pub threads: usize,
    pub millis: u64,
    pub keyspace: u64,
    pub ops_per_thread: usize,
    pub seed: u64,
}

impl ChildArgs {
    fn encode(&self) -> String {
        format!(
            "{},{},{},{},{},{}",
            self.map_index,
            self.threads,
            self.millis,
            self.keyspace,
            self.ops_per_thread,
            self.seed
        )
    }

    /// Parses what [`ChildArgs::encode`] wrote.
    pub fn decode(s: &str) -> Result<ChildArgs, BenchError> {
        let bad = || BenchError::Usage(format!("bad --child-ttl argument {s:?}"));
        let f: Vec<u64> = s
            .split(',')
            .map(|x| x.parse().map_err(|_| bad()))
            .collect::<Result<_, _>>()?;
        let [map_index, threads, millis, keyspace, ops_per_thread, seed] = f[..] else {
            return Err(bad());
        };
        if map_index as usize >= MAPS.len() || threads == 0 || keyspace == 0 || ops_per_thread == 0
        {
            return Err(bad());
        }
        Ok(ChildArgs {
            map_index: map_index as usize,
            threads: threads as usize,
            millis,
            keyspace,
            ops_per_thread: ops_per_thread as usize,
            seed,
        })
    }
}

/// Runs every selected map at every thread count, each in a child process.
pub fn run(ctx: &mut Ctx) -> Result<(), BenchError> {
    let mut csv = Csv::create(&ctx.out, "ttl.csv", HEADER)?;
    let exe = std::env::current_exe()?;
    for t in ctx.threads.clone() {
        for (map_index, map) in MAPS.iter().enumerate() {
            if !ctx.selected(map) {
                continue;
            }
            let args = ChildArgs {
                map_index,
                threads: t,
                millis: ctx.scale.ttl_millis,
                keyspace: ctx.scale.ttl_keyspace,
                ops_per_thread: ctx.scale.ttl_ops_per_thread,
                seed: ctx.seed,
            };
            let out = Command::new(&exe)
                .arg("--child-ttl")
                .arg(args.encode())
                .output()?;
            if !out.status.success() {
                return Err(BenchError::Child(format!(
                    "TTL churn child for {map} failed ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                )));
            }
            let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
            let f: Vec<&str> = line.split(',').collect();
            if f.len() != HEADER.split(',').count() {
                return Err(BenchError::Child(format!(
                    "TTL churn child for {map} printed {line:?}"
                )));
            }
            println!(
                "TtlChurn   str16  uniform   {map:<16} {t:>3} {:>10} {:>8}s {:>9} Mop/s  live_avg {:>8}  rss_end/live {}  rss_peak/live {}",
                f[col("ops")],
                f[col("seconds")],
                f[col("mops")],
                f[col("live_avg")],
                f[col("rss_end_over_live")],
                f[col("rss_peak_over_live")]
            );
            csv.line(&line)?;
            if *map == "kvs" {
                let ratio: f64 = f[col("rss_end_over_live")].parse().unwrap_or(f64::INFINITY);
                ctx.checks.push(Check {
                    target: "TTL churn: RSS / live data",
                    workload: "TtlChurn".into(),
                    keys: Str16::NAME.into(),
                    distribution: Dist::Uniform.name().into(),
                    threads: t,
                    kvs: ratio,
                    other: "static measure".into(),
                    value: ratio,
                    goal: "<=1.5",
                    met: ratio <= 1.5,
                });
            }
            ctx.record_quiet(Row {
                workload: "TtlChurn".into(),
                keys: Str16::NAME.into(),
                distribution: Dist::Uniform.name().into(),
                map: (*map).into(),
                threads: t,
                ops: f[col("ops")].parse().unwrap_or(0),
                seconds: f[col("seconds")].parse().unwrap_or(0.0),
            })?;
        }
    }
    Ok(())
}

/// What the child measures in a map with TTLs.
trait TtlMap: Sync {
    fn build() -> Self;
    fn insert_ttl(&self, key: &Str16, ttl_ms: u8);
    /// Inserts with a one-hour TTL, for the static measurement.
    fn insert_for_an_hour(&self, key: &Str16);
    fn get(&self, key: &Str16) -> bool;
    fn remove(&self, key: &Str16) -> bool;
    /// The entry count the map reports, expired-but-not-removed included.
    fn entries(&self) -> u64;
    /// Removes what has expired, so `entries` counts live keys.
    fn clean_up(&self);
}

impl TtlMap for KvsMap {
    fn build() -> Self {
        KvsMap::new()
    }
    fn insert_ttl(&self, key: &Str16, ttl_ms: u8) {
        self.insert_with_ttl(key, u64::from(ttl_ms), Duration::from_millis(ttl_ms.into()));
    }
    fn insert_for_an_hour(&self, key: &Str16) {
        self.insert_with_ttl(key, 0, Duration::from_secs(3600));
    }
    fn get(&self, key: &Str16) -> bool {
        crate::maps::BenchMap::get(self, key)
    }
    fn remove(&self, key: &Str16) -> bool {
        crate::maps::BenchMap::remove(self, key)
    }
    fn entries(&self) -> u64 {
        self.store().len() as u64
    }
    fn clean_up(&self) {
        let _ = self.store().sweep_expired();
    }
}

impl TtlMap for MokaExpiry<Str16> {
    fn build() -> Self {
        MokaMap::<Str16>::with_expiry()
    }
    fn insert_ttl(&self, key: &Str16, ttl_ms: u8) {
        // The value is the TTL in milliseconds (see `TtlFromValue`).
        self.0.insert(key.to_owned_key(), u64::from(ttl_ms));
    }
    fn insert_for_an_hour(&self, key: &Str16) {
        self.0.insert(key.to_owned_key(), 3_600_000);
    }
    fn get(&self, key: &Str16) -> bool {
        self.0.get(key.as_str()).is_some()
    }
    fn remove(&self, key: &Str16) -> bool {
        self.0.remove(key.as_str()).is_some()
    }
    fn entries(&self) -> u64 {
        self.0.entry_count()
    }
    fn clean_up(&self) {
        self.0.run_pending_tasks();
    }
}

/// The child's side: runs one map and prints one `ttl.csv` line.
pub fn child(a: ChildArgs) -> Result<(), BenchError> {
    let ops: Vec<Vec<Op<Str16>>> = (0..a.threads)
        .map(|t| {
            generate(
                MIX,
                Dist::Uniform,
                a.keyspace,
                a.ops_per_thread,
                a.seed ^ ((t as u64 + 1) << 32),
            )
        })
        .collect();
    let line = match a.map_index {
        0 => measure::<KvsMap>(&ops, a),
        _ => measure::<MokaExpiry<Str16>>(&ops, a),
    }?;
    println!("{line}");
    Ok(())
}

/// Keys probed per sampler tick to estimate the live keys.
const PROBES: u64 = 128;
/// The sampler's period.
const TICK: Duration = Duration::from_millis(5);

/// What the sampler thread gathers while the churn runs.
#[derive(Default)]
struct Samples {
    entries_peak: u64,
    /// Sums over the ticks after the warm-up, for the averages.
    ticks: u64,
    entries_sum: u64,
    live_sum: f64,
}

fn measure<M: TtlMap>(ops: &[Vec<Op<Str16>>], a: ChildArgs) -> Result<String, BenchError> {
    let no_proc = || BenchError::Child("no /proc/self/status: resident memory needs Linux".into());
    let (rss_base, _) = rss().ok_or_else(no_proc)?;
    let map = M::build();
    let done = AtomicBool::new(false);
    let ((elapsed, total), samples) = std::thread::scope(|s| {
        // Every tick: the entry count the map reports, and the share of a
        // random sample of keys a reader can find, which estimates the live
        // keys. TTLs are at most 100 ms, so a count of live keys has to be
        // taken within a few milliseconds to mean anything; probing a small
        // sample many times over the run gives a steady-state average
        // instead. The first fifth of the run is warm-up and not averaged.
        let sampler = s.spawn(|| {
            let mut rng = SmallRng::seed_from_u64(a.seed ^ 0x5a5a);
            let warm_up = Instant::now() + Duration::from_millis(a.millis / 5);
            let mut acc = Samples::default();
            while !done.load(Ordering::Relaxed) {
                let entries = map.entries();
                acc.entries_peak = acc.entries_peak.max(entries);
                if Instant::now() >= warm_up {
                    let hits = (0..PROBES)
                        .filter(|_| map.get(&Str16::nth(rng.random_range(0..a.keyspace))))
                        .count();
                    acc.ticks += 1;
                    acc.entries_sum += entries;
                    acc.live_sum += hits as f64 / PROBES as f64 * a.keyspace as f64;
                }
                std::thread::sleep(TICK);
            }
            acc
        });
        let r = run_for(ops, Duration::from_millis(a.millis), |op, _| {
            match op.kind {
                OpKind::Insert => {
                    map.insert_ttl(&op.key, op.ttl_ms);
                    0
                }
                OpKind::Read => u64::from(map.get(&op.key)),
                OpKind::Remove | OpKind::Update => u64::from(map.remove(&op.key)),
            }
        });
        done.store(true, Ordering::Relaxed);
        (r, sampler.join().expect("sampler thread panicked"))
    });
    let entries_end = map.entries();
    let (rss_end, rss_peak) = rss().ok_or_else(no_proc)?;
    map.clean_up();
    let entries_after_cleanup = map.entries();
    drop(map);
    let ticks = samples.ticks.max(1);
    let entries_avg = samples.entries_sum / ticks;
    let live_avg = (samples.live_sum / ticks as f64).round() as u64;
    let per_entry = static_bytes_per_entry::<M>(live_avg.max(1_000));
    let live_bytes = live_avg as f64 * per_entry;
    let ratio = |rss: u64| {
        if live_bytes > 0.0 {
            rss.saturating_sub(rss_base) as f64 / live_bytes
        } else {
            0.0
        }
    };
    let secs = elapsed.as_secs_f64();
    Ok(format!(
        "{},{},{},{:.6},{:.3},{},{},{},{},{},{},{},{},{:.1},{:.0},{:.2},{:.2}",
        MAPS[a.map_index],
        a.threads,
        total,
        secs,
        total as f64 / secs / 1e6,
        samples.entries_peak,
        entries_avg,
        entries_end,
        entries_after_cleanup,
        live_avg,
        rss_base,
        rss_peak,
        rss_end,
        per_entry,
        live_bytes,
        ratio(rss_end),
        ratio(rss_peak)
    ))
}

/// Heap bytes per entry of `n` entries with a one-hour TTL, built from
/// scratch: what the live keys would cost without churn.
fn static_bytes_per_entry<M: TtlMap>(n: u64) -> f64 {
    let counting = Counting::start();
    let map = M::build();
    for i in 0..n {
        map.insert_for_an_hour(&Str16::nth(i));
    }
    map.clean_up();
    let net = counting.net();
    drop(map);
    drop(counting);
    net.max(0) as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name() {
        assert_eq!(col("map"), 0);
        assert_eq!(col("rss_peak_over_live"), HEADER.split(',').count() - 1);
    }

    #[test]
    fn child_args_round_trip_and_reject_garbage() {
        let a = ChildArgs {
            map_index: 1,
            threads: 2,
            millis: 300,
            keyspace: 1 << 16,
            ops_per_thread: 1000,
            seed: 9,
        };
        assert_eq!(ChildArgs::decode(&a.encode()).unwrap(), a);
        assert!(ChildArgs::decode("1,2,3").is_err());
        assert!(ChildArgs::decode("9,2,300,10,10,1").is_err());
        assert!(ChildArgs::decode("0,0,300,10,10,1").is_err());
        assert!(ChildArgs::decode("x,2,300,10,10,1").is_err());
    }
}
