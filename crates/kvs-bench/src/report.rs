//! Results: the table on stdout and the CSV files under `target/bench`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The header of `results.csv`, fixed by issue 4.
pub const RESULTS_HEADER: &str = "workload,keys,distribution,map,threads,ops,seconds,mops";

/// One throughput measurement.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub workload: String,
    pub keys: String,
    pub distribution: String,
    pub map: String,
    pub threads: usize,
    pub ops: u64,
    pub seconds: f64,
}

impl Row {
    /// A one-second row of u64 keys, uniform, for unit tests.
    #[cfg(test)]
    pub(crate) fn sample(workload: &str, map: &str, threads: usize, ops: u64) -> Row {
        Row {
            workload: workload.into(),
            keys: "u64".into(),
            distribution: "uniform".into(),
            map: map.into(),
            threads,
            ops,
            seconds: 1.0,
        }
    }

    /// Millions of operations per second.
    pub fn mops(&self) -> f64 {
        if self.seconds > 0.0 {
            self.ops as f64 / self.seconds / 1e6
        } else {
            0.0
        }
    }

    /// The row as a `results.csv` line.
    pub fn csv(&self) -> String {
        format!(
            "{},{},{},{},{},{},{:.6},{:.3}",
            self.workload,
            self.keys,
            self.distribution,
            self.map,
            self.threads,
            self.ops,
            self.seconds,
            self.mops()
        )
    }

    /// Parses a `results.csv` line.
    pub fn parse(line: &str) -> Option<Row> {
        let f: Vec<&str> = line.trim().split(',').collect();
        if f.len() != 8 {
            return None;
        }
        Some(Row {
            workload: f[0].into(),
            keys: f[1].into(),
            distribution: f[2].into(),
            map: f[3].into(),
            threads: f[4].parse().ok()?,
            ops: f[5].parse().ok()?,
            seconds: f[6].parse().ok()?,
        })
    }

    /// The row as a line of the stdout table.
    pub fn table_line(&self) -> String {
        format!(
            "{:<11} {:<6} {:<9} {:<17} {:>3} {:>10} {:>8.3}s {:>9.2} Mop/s",
            self.workload,
            self.keys,
            self.distribution,
            self.map,
            self.threads,
            self.ops,
            self.seconds,
            self.mops()
        )
    }
}

/// Where the results go: `$CARGO_TARGET_DIR/bench`, else the workspace's
/// `target/bench`.
pub fn out_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(t) if !t.is_empty() => PathBuf::from(t).join("bench"),
        _ => {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            // crates/kvs-bench -> the workspace root.
            let root = manifest.parent().and_then(Path::parent).unwrap_or(manifest);
            root.join("target/bench")
        }
    }
}

/// A CSV file written one line at a time, so a run cut short keeps what it
/// measured.
pub struct Csv {
    file: fs::File,
    path: PathBuf,
}

impl Csv {
    /// Creates (truncating) `dir/name` and writes `header`.
    pub fn create(dir: &Path, name: &str, header: &str) -> io::Result<Csv> {
        fs::create_dir_all(dir)?;
        let path = dir.join(name);
        let mut file = fs::File::create(&path)?;
        writeln!(file, "{header}")?;
        Ok(Csv { file, path })
    }

    /// Appends one line.
    pub fn line(&mut self, line: &str) -> io::Result<()> {
        writeln!(self.file, "{line}")?;
        self.file.flush()
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Prints, for each workload/keys/distribution, how kvs compares with the
/// best peer at each thread count.
pub fn print_summary(rows: &[Row]) {
    let mut groups: Vec<(&str, &str, &str, usize)> = Vec::new();
    for r in rows {
        let g = (
            r.workload.as_str(),
            r.keys.as_str(),
            r.distribution.as_str(),
            r.threads,
        );
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    println!(
        "\n== kvs against the others (ratio = kvs Mop/s / their Mop/s; >1 means kvs is faster) =="
    );
    for (w, k, d, t) in groups {
        let in_group: Vec<&Row> = rows
            .iter()
            .filter(|r| r.workload == w && r.keys == k && r.distribution == d && r.threads == t)
            .collect();
        let Some(kvs) = in_group.iter().find(|r| r.map == "kvs") else {
            continue;
        };
        let others: Vec<String> = in_group
            .iter()
            .filter(|r| r.map != "kvs" && r.mops() > 0.0)
            .map(|r| format!("{} {:.2}x", r.map, kvs.mops() / r.mops()))
            .collect();
        println!(
            "{w:<10} {k:<6} {d:<9} t={t:<3} kvs {:>8.2} Mop/s | {}",
            kvs.mops(),
            others.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_through_csv() {
        let r = Row {
            workload: "ReadHeavy".into(),
            keys: "u64".into(),
            distribution: "uniform".into(),
            map: "kvs".into(),
            threads: 2,
            ops: 2_000_000,
            seconds: 0.5,
        };
        assert_eq!(r.mops(), 4.0);
        assert_eq!(
            r.csv(),
            "ReadHeavy,u64,uniform,kvs,2,2000000,0.500000,4.000"
        );
        assert_eq!(Row::parse(&r.csv()), Some(r));
        assert_eq!(Row::parse("a,b"), None);
        assert_eq!(Row::parse(RESULTS_HEADER), None);
    }

    #[test]
    fn csv_files_start_with_their_header() {
        let dir = std::env::temp_dir().join(format!("kvs-bench-test-{}", std::process::id()));
        let mut c = Csv::create(&dir, "x.csv", RESULTS_HEADER).unwrap();
        c.line("1,2").unwrap();
        let text = fs::read_to_string(c.path()).unwrap();
        assert_eq!(text, format!("{RESULTS_HEADER}\n1,2\n"));
        fs::remove_dir_all(dir).unwrap();
    }
}
