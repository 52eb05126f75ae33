//! The conc-map-bench workloads (ReadHeavy, Exchange, RapidGrow) and the
//! single-thread `GetHit` floor comparison.

use std::time::{Duration, Instant};

use crate::keys::{BenchKey, Str16};
use crate::maps::{with_map, BenchMap, HashbrownFloor, MapKind, WithMap};
use crate::ops::{generate, per_thread, Dist, Mix, Op};
use crate::report::Row;
use crate::runner::run_once;
use crate::Ctx;

/// A mixed workload of conc-map-bench.
#[derive(Clone, Copy, Debug)]
pub enum Mixed {
    /// 98% read, 1% insert, 1% remove; prefill 75% ("web/page caches").
    ReadHeavy,
    /// 10% read, 40% insert, 40% remove, 10% update; prefill 75%.
    Exchange,
    /// 5% read, 80% insert, 5% remove, 10% update; no prefill.
    RapidGrow,
}

impl Mixed {
    /// All three, in report order.
    pub const ALL: [Mixed; 3] = [Mixed::ReadHeavy, Mixed::Exchange, Mixed::RapidGrow];

    /// The name in the CSV `workload` column.
    pub fn name(self) -> &'static str {
        match self {
            Mixed::ReadHeavy => "ReadHeavy",
            Mixed::Exchange => "Exchange",
            Mixed::RapidGrow => "RapidGrow",
        }
    }

    fn mix(self) -> Mix {
        match self {
            Mixed::ReadHeavy => Mix {
                read: 98,
                insert: 1,
                remove: 1,
                update: 0,
            },
            Mixed::Exchange => Mix {
                read: 10,
                insert: 40,
                remove: 40,
                update: 10,
            },
            Mixed::RapidGrow => Mix {
                read: 5,
                insert: 80,
                remove: 5,
                update: 10,
            },
        }
    }

    /// The fraction of the key space inserted before timing.
    fn prefill(self) -> f64 {
        match self {
            Mixed::ReadHeavy | Mixed::Exchange => 0.75,
            Mixed::RapidGrow => 0.0,
        }
    }
}

/// Runs `w` for both key types and both distributions at every thread count.
pub fn run(ctx: &mut Ctx, w: Mixed) -> std::io::Result<()> {
    for dist in [Dist::Uniform, Dist::Zipf] {
        run_keys::<u64>(ctx, w, dist)?;
        run_keys::<Str16>(ctx, w, dist)?;
    }
    Ok(())
}

fn run_keys<K: BenchKey>(ctx: &mut Ctx, w: Mixed, dist: Dist) -> std::io::Result<()> {
    let keyspace = ctx.scale.keyspace;
    let prefill = (keyspace as f64 * w.prefill()) as u64;
    for t in ctx.threads.clone() {
        let ops = per_thread::<K>(w.mix(), dist, keyspace, ctx.scale.ops, t, ctx.seed);
        let cap = ctx.scale.cap;
        for kind in ctx.maps_of(&MapKind::ALL) {
            let (elapsed, done) = with_map(
                kind,
                Timed {
                    ops: &ops,
                    prefill,
                    cap,
                },
            );
            ctx.record(Row {
                workload: w.name().into(),
                keys: K::NAME.into(),
                distribution: dist.name().into(),
                map: kind.name().into(),
                threads: t,
                ops: done,
                seconds: elapsed.as_secs_f64(),
            })?;
        }
    }
    Ok(())
}

/// Prefills a fresh map with key numbers `0..prefill`, then times the ops;
/// returns the time and the operations done.
struct Timed<'a, K> {
    ops: &'a [Vec<Op<K>>],
    prefill: u64,
    cap: Duration,
}

impl<K: BenchKey> WithMap<K> for Timed<'_, K> {
    type Out = (Duration, u64);
    fn run<M: BenchMap<K>>(self, map: M) -> (Duration, u64) {
        for i in 0..self.prefill {
            map.insert(&K::nth(i), i);
        }
        run_once(&map, self.ops, self.cap)
    }
}

/// Single-thread lookups of present keys against the hashbrown floor: every
/// concurrent map and `hashbrown-fold`, one thread, 100% reads, all keys
/// present.
pub fn run_get_hit(ctx: &mut Ctx) -> std::io::Result<()> {
    for dist in [Dist::Uniform, Dist::Zipf] {
        get_hit_keys::<u64>(ctx, dist)?;
        get_hit_keys::<Str16>(ctx, dist)?;
    }
    Ok(())
}

fn get_hit_keys<K: BenchKey>(ctx: &mut Ctx, dist: Dist) -> std::io::Result<()> {
    const READS: Mix = Mix {
        read: 100,
        insert: 0,
        remove: 0,
        update: 0,
    };
    let keyspace = ctx.scale.keyspace;
    let ops = generate::<K>(READS, dist, keyspace, ctx.scale.get_ops, ctx.seed);
    let row = |map: &str, elapsed: Duration| Row {
        workload: "GetHit".into(),
        keys: K::NAME.into(),
        distribution: dist.name().into(),
        map: map.into(),
        threads: 1,
        ops: ops.len() as u64,
        seconds: elapsed.as_secs_f64(),
    };
    if ctx.selected("hashbrown-fold") {
        let floor = HashbrownFloor::from_keys((0..keyspace).map(K::nth));
        let elapsed = time_reads(&ops, |k| floor.get(k));
        ctx.record(row("hashbrown-fold", elapsed))?;
    }
    for kind in ctx.maps_of(&MapKind::ALL) {
        let elapsed = with_map(
            kind,
            Reads {
                ops: &ops,
                keyspace,
            },
        );
        ctx.record(row(kind.name(), elapsed))?;
    }
    Ok(())
}

/// Times `get` over `ops` on the current thread; panics if a key was
/// missing, since every key is present by construction and a miss would
/// mean the map is measuring something else. Never inlined, so that
/// `valgrind --tool=callgrind --toggle-collect='*time_reads*'` counts the
/// timed loop alone.
#[inline(never)]
fn time_reads<K: BenchKey>(ops: &[Op<K>], get: impl Fn(&K) -> bool) -> Duration {
    let t0 = Instant::now();
    let mut found = 0usize;
    for op in ops {
        found += usize::from(get(std::hint::black_box(&op.key)));
    }
    let elapsed = t0.elapsed();
    assert_eq!(found, ops.len(), "GetHit: a present key was not found");
    elapsed
}

struct Reads<'a, K> {
    ops: &'a [Op<K>],
    keyspace: u64,
}

impl<K: BenchKey> WithMap<K> for Reads<'_, K> {
    type Out = Duration;
    fn run<M: BenchMap<K>>(self, map: M) -> Duration {
        for i in 0..self.keyspace {
            map.insert(&K::nth(i), i);
        }
        time_reads(self.ops, |k| map.get(k))
    }
}
