//! kvs-bench: kvs against dashmap, moka, papaya, scc, `RwLock<HashMap>` and
//! a hashbrown floor, on the conc-map-bench workloads plus TTL churn,
//! batches, memory and snapshots. See BENCHMARKS.md at the repository root
//! for the method and the commands.
//!
//! Modules: `keys` (the two key types), `ops` (pre-generated operation
//! sequences), `maps/` (one adapter per map), `runner` (threads, barriers,
//! timing), `workloads/` (one file per family), `alloc` (counting
//! allocator), `rss` (resident memory), `report` (table and CSV), `plot`
//! (SVG charts), `scale` (quick and full sizes).

mod alloc;
mod keys;
mod maps;
mod ops;
mod plot;
mod report;
mod rss;
mod runner;
mod scale;
mod targets;
mod workloads;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;

use crate::maps::MapKind;
use crate::report::{Csv, Row, RESULTS_HEADER};
use crate::scale::Scale;

#[global_allocator]
static ALLOC: alloc::CountingAlloc = alloc::CountingAlloc;

/// Every workload, in run order (snapshot last: it writes a large file).
const WORKLOADS: [&str; 8] = [
    "ReadHeavy",
    "Exchange",
    "RapidGrow",
    "GetHit",
    "TtlChurn",
    "Batch",
    "Memory",
    "Snapshot",
];

/// The most threads one measurement may use.
const MAX_THREADS: usize = 1024;

/// Every name `--map` accepts (a name also selects its `name-...` variants,
/// so `dashmap` selects `dashmap-sip` and `dashmap-fold`).
const MAP_NAMES: [&str; 15] = [
    "kvs",
    "kvs-tablehash",
    "dashmap-sip",
    "dashmap-fold",
    "moka",
    "papaya-fold",
    "scc-fold",
    "std-rwlock-fold",
    "hashbrown-fold",
    "moka-expiry",
    "kvs-ttl",
    "kvs-batch",
    "kvs-loop",
    "dashmap-sip-loop",
    "dashmap-fold-loop",
];

/// Benchmarks kvs against its peers; writes target/bench/*.csv and *.svg.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Small sizes: checks that everything runs (under 60 s on 2 cores);
    /// the figures mean nothing.
    #[arg(long)]
    quick: bool,
    /// Workloads to run, comma-separated (default: all). Known: ReadHeavy,
    /// Exchange, RapidGrow, GetHit, TtlChurn, Batch, Memory, Snapshot.
    #[arg(long, value_delimiter = ',')]
    workload: Vec<String>,
    /// Maps to run, comma-separated (default: all); `dashmap` selects both
    /// dashmap hashers, `moka` both moka variants.
    #[arg(long, value_delimiter = ',')]
    map: Vec<String>,
    /// Thread counts, comma-separated (default: 1 to the number of cores).
    #[arg(long, value_delimiter = ',')]
    threads: Vec<usize>,
    /// Seed of every pre-generated sequence.
    #[arg(long, default_value_t = 0x6b76_73)]
    seed: u64,
    /// Output directory (default: target/bench in the workspace, or
    /// $CARGO_TARGET_DIR/bench).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Internal: run one TTL churn measurement in this process.
    #[arg(long, hide = true)]
    child_ttl: Option<String>,
    /// Internal: time one snapshot load (`kvs` or `hashbrown`, then the file) in
    /// this process.
    #[arg(long, hide = true, num_args = 2)]
    child_load: Option<Vec<String>>,
}

/// Why a run failed.
#[derive(Debug)]
pub enum BenchError {
    /// Bad command-line input.
    Usage(String),
    /// Writing results failed.
    Io(std::io::Error),
    /// kvs refused an operation it should have done.
    Kvs(kvs::Error),
    /// A child process or a consistency check failed.
    Child(String),
}

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BenchError::Usage(m) => write!(f, "usage: {m}"),
            BenchError::Io(e) => write!(f, "i/o: {e}"),
            BenchError::Kvs(e) => write!(f, "kvs: {e}"),
            BenchError::Child(m) => f.write_str(m),
        }
    }
}

impl From<std::io::Error> for BenchError {
    fn from(e: std::io::Error) -> Self {
        BenchError::Io(e)
    }
}

impl From<kvs::Error> for BenchError {
    fn from(e: kvs::Error) -> Self {
        BenchError::Kvs(e)
    }
}

/// What every workload needs: sizes, filters, and where results go.
pub struct Ctx {
    scale: Scale,
    threads: Vec<usize>,
    maps: Vec<String>,
    seed: u64,
    out: PathBuf,
    rows: Vec<Row>,
    results: Csv,
    /// Goals checked by the workloads themselves (memory, TTL memory).
    checks: Vec<targets::Check>,
}

impl Ctx {
    /// Whether `--map` selects `name` (no filter selects everything).
    pub fn selected(&self, name: &str) -> bool {
        self.maps.is_empty() || self.maps.iter().any(|f| matches_filter(f, name))
    }

    /// The selected maps among `kinds`.
    pub fn maps_of(&self, kinds: &[MapKind]) -> Vec<MapKind> {
        kinds
            .iter()
            .copied()
            .filter(|k| self.selected(k.name()))
            .collect()
    }

    /// Prints `row`, appends it to results.csv and keeps it for the charts.
    pub fn record(&mut self, row: Row) -> std::io::Result<()> {
        println!("{}", row.table_line());
        self.record_quiet(row)
    }

    /// As [`Ctx::record`], without printing (the caller printed more).
    pub fn record_quiet(&mut self, row: Row) -> std::io::Result<()> {
        self.results.line(&row.csv())?;
        self.rows.push(row);
        Ok(())
    }
}

fn matches_filter(filter: &str, name: &str) -> bool {
    name == filter
        || name
            .strip_prefix(filter)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// Checks the filters against the known names, so a typo is an error rather
/// than an empty run.
fn validate(args: &Args) -> Result<(), BenchError> {
    for w in &args.workload {
        if !WORKLOADS.iter().any(|k| k.eq_ignore_ascii_case(w)) {
            return Err(BenchError::Usage(format!(
                "unknown workload {w:?}; known: {}",
                WORKLOADS.join(",")
            )));
        }
    }
    for m in &args.map {
        if !MAP_NAMES.iter().any(|n| matches_filter(m, n)) {
            return Err(BenchError::Usage(format!(
                "unknown map {m:?}; known: {}",
                MAP_NAMES.join(",")
            )));
        }
    }
    if let Some(t) = args.threads.iter().find(|&&t| t == 0 || t > MAX_THREADS) {
        return Err(BenchError::Usage(format!(
            "--threads: {t} is not in 1..={MAX_THREADS}"
        )));
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match (&args.child_ttl, &args.child_load) {
        (Some(a), _) => workloads::ttl::ChildArgs::decode(a).and_then(workloads::ttl::child),
        (None, Some(a)) => workloads::snapshot::child_load(&a[0], Path::new(&a[1])),
        (None, None) => run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kvs-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), BenchError> {
    validate(&args)?;
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = if args.threads.is_empty() {
        (1..=cores).collect()
    } else {
        args.threads.clone()
    };
    let out = args.out.clone().unwrap_or_else(report::out_dir);
    let results = Csv::create(&out, "results.csv", RESULTS_HEADER)?;
    let mut ctx = Ctx {
        scale: if args.quick {
            Scale::QUICK
        } else {
            Scale::FULL
        },
        threads,
        maps: args.map.clone(),
        seed: args.seed,
        out,
        rows: Vec::new(),
        results,
        checks: Vec::new(),
    };
    let wanted = |w: &str| {
        args.workload.is_empty() || args.workload.iter().any(|a| a.eq_ignore_ascii_case(w))
    };
    println!(
        "kvs-bench: {} run, {cores} cores, threads {:?}, output {}",
        if args.quick {
            "quick (figures are meaningless)"
        } else {
            "full"
        },
        ctx.threads,
        ctx.out.display()
    );
    for w in workloads::mixed::Mixed::ALL {
        if wanted(w.name()) {
            workloads::mixed::run(&mut ctx, w)?;
        }
    }
    if wanted("GetHit") {
        workloads::mixed::run_get_hit(&mut ctx)?;
    }
    if wanted("TtlChurn") {
        workloads::ttl::run(&mut ctx)?;
    }
    if wanted("Batch") {
        workloads::batch::run(&mut ctx)?;
    }
    if wanted("Memory") {
        workloads::memory::run(&mut ctx)?;
    }
    if wanted("Snapshot") {
        workloads::snapshot::run(&mut ctx)?;
    }
    report::print_summary(&ctx.rows);
    let mut targets_csv = Csv::create(&ctx.out, "targets.csv", targets::HEADER)?;
    let mut checks = targets::throughput_checks(&ctx.rows);
    checks.append(&mut ctx.checks);
    targets::report(&checks, &mut targets_csv)?;
    let charts = plot::charts(&ctx.rows, &ctx.out).map_err(BenchError::Child)?;
    println!(
        "\nwrote {} and {} charts in {} ({:.1} s)",
        ctx.results.path().display(),
        charts.len(),
        ctx.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("kvs-bench").chain(list.iter().copied())).unwrap()
    }

    #[test]
    fn filters_select_names_and_their_variants() {
        assert!(matches_filter("dashmap", "dashmap-sip"));
        assert!(matches_filter("moka", "moka-expiry"));
        assert!(matches_filter("kvs", "kvs"));
        assert!(!matches_filter("kvs", "kvsx"));
        assert!(!matches_filter("dashmap-sip", "dashmap-fold"));
    }

    #[test]
    fn typos_in_filters_are_usage_errors() {
        assert!(validate(&args(&[
            "--workload",
            "ReadHeavy,exchange",
            "--map",
            "kvs,dashmap"
        ]))
        .is_ok());
        assert!(matches!(
            validate(&args(&["--workload", "ReadHeavvy"])),
            Err(BenchError::Usage(_))
        ));
        assert!(matches!(
            validate(&args(&["--map", "redis"])),
            Err(BenchError::Usage(_))
        ));
        assert!(matches!(
            validate(&args(&["--threads", "1,0"])),
            Err(BenchError::Usage(_))
        ));
        assert!(matches!(
            validate(&args(&["--threads", "1,5000"])),
            Err(BenchError::Usage(_))
        ));
        assert!(Args::try_parse_from(["kvs-bench", "--threads", "x"]).is_err());
    }

    #[test]
    fn every_map_kind_is_a_known_name() {
        for k in MapKind::ALL {
            assert!(MAP_NAMES.contains(&k.name()));
        }
        for m in workloads::ttl::MAPS {
            assert!(MAP_NAMES.contains(&m));
        }
    }
}
