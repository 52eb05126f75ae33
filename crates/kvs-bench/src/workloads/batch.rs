//! Batches: `batch_get` / `batch_set` of 16 and 256 keys on kvs, against a
//! loop of single operations on kvs and the same loop on dashmap (which has
//! no batch calls). 16-byte string keys drawn uniformly from a fully
//! prefilled key space; the `ops` column counts keys, not calls.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::keys::{BenchKey, Str16};
use crate::maps::{BenchMap, KvsMap};
use crate::report::{Csv, Row};
use crate::runner::run_parallel;
use crate::Ctx;

/// The header of `batch.csv`.
pub const HEADER: &str = "op,batch,map,mode,threads,keys,seconds,mkeys";

type DashSip = crate::maps::DashSip<Str16>;
type DashFold = crate::maps::DashFold<Str16>;

/// Runs both operations and both batch sizes at every thread count.
pub fn run(ctx: &mut Ctx) -> std::io::Result<()> {
    let mut csv = Csv::create(&ctx.out, "batch.csv", HEADER)?;
    let n = ctx.scale.batch_keyspace;
    let kvs = KvsMap::new();
    let dash_sip = DashSip::default();
    let dash_fold = DashFold::default();
    for i in 0..n {
        let k = Str16::nth(i);
        BenchMap::insert(&kvs, &k, i);
        dash_sip.insert(&k, i);
        dash_fold.insert(&k, i);
    }
    for t in ctx.threads.clone() {
        for batch in [16usize, 256] {
            let per_thread: Vec<Vec<Str16>> = (0..t)
                .map(|th| {
                    let mut rng =
                        SmallRng::seed_from_u64(ctx.seed ^ ((th as u64 + 1) << 40) ^ batch as u64);
                    let len = ctx.scale.batch_keys / t / batch * batch;
                    (0..len)
                        .map(|_| Str16::nth(rng.random_range(0..n)))
                        .collect()
                })
                .collect();
            let keys: usize = per_thread.iter().map(Vec::len).sum();
            for op in ["get", "set"] {
                let mut runs: Vec<(&str, &str, f64)> = Vec::new();
                if ctx.selected("kvs-batch") {
                    let (d, _) = run_parallel(&per_thread, |ks| kvs_batch(&kvs, op, ks, batch));
                    runs.push(("kvs-batch", "batch", d.as_secs_f64()));
                }
                if ctx.selected("kvs-loop") {
                    let (d, _) = run_parallel(&per_thread, |ks| single_ops(&kvs, op, ks));
                    runs.push(("kvs-loop", "loop", d.as_secs_f64()));
                }
                if ctx.selected("dashmap-sip-loop") {
                    let (d, _) = run_parallel(&per_thread, |ks| single_ops(&dash_sip, op, ks));
                    runs.push(("dashmap-sip-loop", "loop", d.as_secs_f64()));
                }
                if ctx.selected("dashmap-fold-loop") {
                    let (d, _) = run_parallel(&per_thread, |ks| single_ops(&dash_fold, op, ks));
                    runs.push(("dashmap-fold-loop", "loop", d.as_secs_f64()));
                }
                for (map, mode, secs) in runs {
                    let row = Row {
                        workload: format!(
                            "Batch{}{batch}",
                            if op == "get" { "Get" } else { "Set" }
                        ),
                        keys: Str16::NAME.into(),
                        distribution: "uniform".into(),
                        map: map.into(),
                        threads: t,
                        ops: keys as u64,
                        seconds: secs,
                    };
                    csv.line(&format!(
                        "{op},{batch},{map},{mode},{t},{keys},{secs:.6},{:.3}",
                        row.mops()
                    ))?;
                    ctx.record(row)?;
                }
            }
        }
    }
    Ok(())
}

/// The keys in calls of `batch` keys each; returns the keys found (get) or
/// stored (set). Never inlined, so callgrind can count it alone
/// (`--toggle-collect='*kvs_batch*'`).
#[inline(never)]
fn kvs_batch(kvs: &KvsMap, op: &str, keys: &[Str16], batch: usize) -> u64 {
    let store = kvs.store();
    let mut done = 0u64;
    for chunk in keys.chunks(batch) {
        if op == "get" {
            if let Ok(r) = store.batch_get(chunk) {
                done += r.found() as u64;
            }
        } else if let Ok(r) = store.batch_set(chunk.iter().map(|k| (k.as_array(), 1u64))) {
            done += r.successful as u64;
        }
    }
    done
}

/// The same keys, one call each. Never inlined (see [`kvs_batch`]).
#[inline(never)]
fn single_ops<M: BenchMap<Str16>>(map: &M, op: &str, keys: &[Str16]) -> u64 {
    let mut done = 0u64;
    for k in keys {
        if op == "get" {
            done += u64::from(map.get(k));
        } else {
            map.insert(k, 1);
            done += 1;
        }
    }
    done
}
