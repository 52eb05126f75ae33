//! Bytes per entry: `n` entries of 16-byte string keys and 8-byte values in
//! each map, measured as net heap bytes with the counting allocator (the
//! map's own struct on the stack is left out; it is O(1)).

use std::time::Duration;

use crate::alloc::Counting;
use crate::keys::{BenchKey, Str16};
use crate::maps::{with_map, BenchMap, HashbrownFloor, KvsMap, MapKind, MokaMap, WithMap};
use crate::report::Csv;
use crate::targets::Check;
use crate::Ctx;

/// The header of `memory.csv`.
pub const HEADER: &str = "map,entries,bytes,bytes_per_entry,overhead_per_entry";

/// Key and value bytes of one entry: 16 + 8.
const PAYLOAD: f64 = 24.0;

/// Measures every selected map and prints the kvs target check.
pub fn run(ctx: &mut Ctx) -> std::io::Result<()> {
    let n = ctx.scale.memory_entries as u64;
    let mut csv = Csv::create(&ctx.out, "memory.csv", HEADER)?;
    let mut results: Vec<(String, f64)> = Vec::new();
    let mut record = |name: &str, bytes: isize, csv: &mut Csv| -> std::io::Result<()> {
        let per = bytes as f64 / n as f64;
        println!("Memory     str16  {name:<16} {n:>9} entries {bytes:>12} B {per:>8.1} B/entry ({:+.1} over the 24 B payload)", per - PAYLOAD);
        csv.line(&format!("{name},{n},{bytes},{per:.2},{:.2}", per - PAYLOAD))?;
        results.push((name.to_string(), per));
        Ok(())
    };
    for kind in ctx.maps_of(&MapKind::ALL) {
        let counting = Counting::start();
        let bytes = with_map::<Str16, _>(
            kind,
            Fill {
                n,
                counting: &counting,
            },
        );
        record(kind.name(), bytes, &mut csv)?;
    }
    if ctx.selected("kvs-ttl") {
        let counting = Counting::start();
        let m = KvsMap::new();
        for i in 0..n {
            m.insert_with_ttl(&Str16::nth(i), i, Duration::from_secs(3600));
        }
        record("kvs-ttl", counting.net(), &mut csv)?;
    }
    if ctx.selected("moka-expiry") {
        let counting = Counting::start();
        let m = MokaMap::<Str16>::with_expiry();
        for i in 0..n {
            // The value is the TTL in milliseconds: one hour.
            m.0.insert(Str16::nth(i).to_owned_key(), 3_600_000);
        }
        m.0.run_pending_tasks();
        record("moka-expiry", counting.net(), &mut csv)?;
    }
    if ctx.selected("hashbrown-fold") {
        let counting = Counting::start();
        let m = HashbrownFloor::<Str16>::from_keys((0..n).map(Str16::nth));
        let bytes = counting.net();
        drop(m);
        record("hashbrown-fold", bytes, &mut csv)?;
    }
    let get = |name: &str| results.iter().find(|(m, _)| m == name).map(|r| r.1);
    if let Some(kvs) = get("kvs") {
        for d in ["dashmap-fold", "dashmap-sip"] {
            if let Some(dash) = get(d) {
                ctx.checks.push(Check {
                    target: "memory: kvs - dashmap (B/entry)",
                    workload: "Memory".into(),
                    keys: Str16::NAME.into(),
                    distribution: "-".into(),
                    threads: 1,
                    kvs,
                    other: d.into(),
                    value: kvs - dash,
                    goal: "<=16",
                    met: kvs - dash <= 16.0,
                });
            }
        }
    }
    Ok(())
}

/// Inserts key numbers `0..n` and returns the net bytes counted so far.
struct Fill<'a> {
    n: u64,
    counting: &'a Counting,
}

impl WithMap<Str16> for Fill<'_> {
    type Out = isize;
    fn run<M: BenchMap<Str16>>(self, map: M) -> isize {
        for i in 0..self.n {
            map.insert(&Str16::nth(i), i);
        }
        map.settle();
        let bytes = self.counting.net();
        drop(map);
        bytes
    }
}
