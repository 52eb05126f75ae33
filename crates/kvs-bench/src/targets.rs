//! The project's performance goals (issue 4), checked against one run's
//! rows: printed at the end of the run and written to `targets.csv`.

use crate::report::{Csv, Row};

/// The header of `targets.csv`.
pub const HEADER: &str = "target,workload,keys,distribution,threads,kvs,other,value,goal,met";

/// One checked goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    pub target: &'static str,
    pub workload: String,
    pub keys: String,
    pub distribution: String,
    pub threads: usize,
    /// The kvs figure (Mop/s, or bytes per entry, or a ratio).
    pub kvs: f64,
    /// What kvs is compared with.
    pub other: String,
    /// The checked value (a ratio).
    pub value: f64,
    /// The goal, as text.
    pub goal: &'static str,
    pub met: bool,
}

impl Check {
    fn csv(&self) -> String {
        format!(
            "{},{},{},{},{},{:.3},{},{:.3},{},{}",
            self.target,
            self.workload,
            self.keys,
            self.distribution,
            self.threads,
            self.kvs,
            self.other,
            self.value,
            self.goal,
            if self.met { "met" } else { "missed" }
        )
    }
}

fn find<'a>(rows: &'a [Row], like: &Row, map: &str) -> Option<&'a Row> {
    rows.iter().find(|r| {
        r.map == map
            && r.workload == like.workload
            && r.keys == like.keys
            && r.distribution == like.distribution
            && r.threads == like.threads
    })
}

/// The throughput goals found in `rows` (points not measured are skipped).
pub fn throughput_checks(rows: &[Row]) -> Vec<Check> {
    let mut out = Vec::new();
    // The default configuration is what the goals are about; kvs-tablehash
    // (the opt-in one-hash shard choice) is checked alongside, to show what
    // making it the default would give.
    for kvs in rows
        .iter()
        .filter(|r| (r.map == "kvs" || r.map == "kvs-tablehash") && r.mops() > 0.0)
    {
        let th = kvs.map == "kvs-tablehash";
        let check = |target, other: String, value: f64, goal, met| Check {
            target,
            workload: kvs.workload.clone(),
            keys: kvs.keys.clone(),
            distribution: kvs.distribution.clone(),
            threads: kvs.threads,
            kvs: kvs.mops(),
            other,
            value,
            goal,
            met,
        };
        match kvs.workload.as_str() {
            "ReadHeavy" | "Exchange" | "RapidGrow" if kvs.threads <= 2 => {
                for d in ["dashmap-fold", "dashmap-sip"] {
                    if let Some(o) = find(rows, kvs, d).filter(|o| o.mops() > 0.0) {
                        let v = kvs.mops() / o.mops();
                        let t = if th {
                            "kvs-tablehash/dashmap"
                        } else {
                            "kvs/dashmap"
                        };
                        out.push(check(t, d.into(), v, ">=1.0", v >= 1.0));
                    }
                }
                let best = ["papaya-fold", "scc-fold"]
                    .iter()
                    .filter_map(|m| find(rows, kvs, m))
                    .max_by(|a, b| a.mops().total_cmp(&b.mops()));
                if let Some(o) = best.filter(|o| o.mops() > 0.0) {
                    let v = kvs.mops() / o.mops();
                    out.push(check(
                        if th {
                            "kvs-tablehash gap to best of papaya/scc"
                        } else {
                            "gap to best of papaya/scc"
                        },
                        o.map.clone(),
                        v,
                        "report",
                        true,
                    ));
                }
            }
            "GetHit" => {
                if let Some(o) = find(rows, kvs, "hashbrown-fold").filter(|o| o.mops() > 0.0) {
                    // Time per get relative to the floor: floor Mop/s / kvs Mop/s.
                    let v = o.mops() / kvs.mops();
                    out.push(check(
                        if th {
                            "kvs-tablehash get time / hashbrown floor"
                        } else {
                            "get time / hashbrown floor"
                        },
                        o.map.clone(),
                        v,
                        "<=1.3",
                        v <= 1.3,
                    ));
                }
            }
            "TtlChurn" if !th => {
                if let Some(o) = find(rows, kvs, "moka-expiry").filter(|o| o.mops() > 0.0) {
                    let v = kvs.mops() / o.mops();
                    out.push(check(
                        "kvs/moka-expiry",
                        o.map.clone(),
                        v,
                        ">=2.0",
                        v >= 2.0,
                    ));
                }
            }
            _ => {}
        }
    }
    out
}

/// Prints `checks` and writes them to `targets.csv` in `csv`.
pub fn report(checks: &[Check], csv: &mut Csv) -> std::io::Result<()> {
    println!("\n== targets (issue 4) ==");
    for c in checks {
        println!(
            "{:<28} {:<10} {:<6} {:<9} t={:<3} vs {:<16} {:>7.3} (goal {}) {}",
            c.target,
            c.workload,
            c.keys,
            c.distribution,
            c.threads,
            c.other,
            c.value,
            c.goal,
            if c.met { "met" } else { "MISSED" }
        );
        csv.line(&c.csv())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(w: &str, map: &str, t: usize, ops: u64) -> Row {
        Row::sample(w, map, t, ops)
    }

    #[test]
    fn ratios_and_verdicts_follow_the_goals() {
        let rows = vec![
            row("ReadHeavy", "kvs", 1, 10_000_000),
            row("ReadHeavy", "dashmap-fold", 1, 12_500_000),
            row("ReadHeavy", "dashmap-sip", 1, 5_000_000),
            row("ReadHeavy", "papaya-fold", 1, 20_000_000),
            row("ReadHeavy", "scc-fold", 1, 16_000_000),
            row("ReadHeavy", "kvs-tablehash", 1, 25_000_000),
            row("ReadHeavy", "kvs", 4, 10_000_000),
            row("ReadHeavy", "dashmap-fold", 4, 1_000_000),
            row("GetHit", "kvs", 1, 40_000_000),
            row("GetHit", "hashbrown-fold", 1, 50_000_000),
            row("TtlChurn", "kvs", 2, 3_000_000),
            row("TtlChurn", "moka-expiry", 2, 2_000_000),
        ];
        let c = throughput_checks(&rows);
        let get = |t: &str, o: &str| c.iter().find(|c| c.target == t && c.other == o).unwrap();
        let fold = get("kvs/dashmap", "dashmap-fold");
        assert!((fold.value - 0.8).abs() < 1e-9 && !fold.met);
        let sip = get("kvs/dashmap", "dashmap-sip");
        assert!((sip.value - 2.0).abs() < 1e-9 && sip.met);
        let gap = get("gap to best of papaya/scc", "papaya-fold");
        assert!((gap.value - 0.5).abs() < 1e-9);
        let floor = get("get time / hashbrown floor", "hashbrown-fold");
        assert!((floor.value - 1.25).abs() < 1e-9 && floor.met);
        let ttl = get("kvs/moka-expiry", "moka-expiry");
        assert!((ttl.value - 1.5).abs() < 1e-9 && !ttl.met);
        let th = get("kvs-tablehash/dashmap", "dashmap-fold");
        assert!((th.value - 2.0).abs() < 1e-9 && th.met);
        // The 4-thread point is beyond the goal's 1 and 2 threads.
        assert!(c.iter().all(|c| c.threads <= 2));
    }
}
