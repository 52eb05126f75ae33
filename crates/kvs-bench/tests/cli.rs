//! The binary end to end: a filtered `--quick` run writes the documented
//! files, and bad filters are refused with a message, not a panic.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kvs-bench-cli-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn bench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kvs-bench"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the binary, which must succeed.
fn bench_ok(args: &[&str]) {
    let out = bench(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_filtered_quick_run_writes_results_and_charts() {
    let dir = out_dir("mixed");
    bench_ok(&[
        "--quick",
        "--workload",
        "ReadHeavy",
        "--map",
        "kvs,dashmap-fold",
        "--threads",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let csv = fs::read_to_string(dir.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("workload,keys,distribution,map,threads,ops,seconds,mops")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // "kvs" also selects its variant kvs-tablehash: 3 maps x 2 key types x 2
    // distributions, one thread count.
    assert_eq!(rows.len(), 12, "{csv}");
    for r in &rows {
        assert_eq!(r[0], "ReadHeavy");
        assert!(
            ["kvs", "kvs-tablehash", "dashmap-fold"].contains(&r[3]),
            "{csv}"
        );
        assert_eq!(r[4], "1");
        assert!(r[5].parse::<u64>().unwrap() > 0);
        assert!(r[7].parse::<f64>().unwrap() > 0.0);
    }
    for chart in ["ReadHeavy-u64-uniform.svg", "ReadHeavy-str16-zipf0.99.svg"] {
        let svg = fs::read_to_string(dir.join(chart)).unwrap();
        assert!(svg.contains("<svg") && svg.contains("dashmap-fold"));
    }
    let targets = fs::read_to_string(dir.join("targets.csv")).unwrap();
    assert!(targets
        .lines()
        .any(|l| l.starts_with("kvs/dashmap,ReadHeavy,u64,uniform,1,")));
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_ttl_churn_runs_each_map_in_a_child_and_reports_memory() {
    let dir = out_dir("ttl");
    bench_ok(&[
        "--quick",
        "--workload",
        "TtlChurn",
        "--threads",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let csv = fs::read_to_string(dir.join("ttl.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(
        rows.iter().map(|r| r[0]).collect::<Vec<_>>(),
        ["kvs", "moka-expiry"]
    );
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for r in &rows {
        assert_eq!(r.len(), header.len());
        assert!(r[col("ops")].parse::<u64>().unwrap() > 0);
        let peak: u64 = r[col("rss_peak_bytes")].parse().unwrap();
        let base: u64 = r[col("rss_base_bytes")].parse().unwrap();
        assert!(peak >= base && base > 0);
        assert!(r[col("static_bytes_per_entry")].parse::<f64>().unwrap() > 24.0);
        assert!(r[col("live_avg")].parse::<u64>().unwrap() > 0);
    }
    fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unknown_filters_are_refused() {
    for args in [
        &["--map", "redis"][..],
        &["--workload", "Nope"],
        &["--threads", "0"],
    ] {
        let out = bench(args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("usage:") && !err.contains("panicked"), "{err}");
    }
    let out = bench(&["--child-ttl", "garbage"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad --child-ttl"));
}
