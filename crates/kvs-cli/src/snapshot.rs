//! `kvs snapshot ...` (being built: see issue 3).

use std::process::ExitCode;

use clap::Subcommand;

/// Snapshot tools.
#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {}

pub fn run(cmd: SnapshotCommand) -> ExitCode {
    match cmd {}
}
