//! The `kvs` command-line tool.
//!
//! - `kvs serve`: a Redis-protocol server on the kvs library (`kvs-server`).
//! - `kvs snapshot info|verify|dump FILE`: inspect snapshot files
//!   (`snapshot.rs`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod snapshot;

/// kvs: a sharded in-memory key-value store with TTL and snapshots.
#[derive(Debug, Parser)]
#[command(name = "kvs", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a Redis-protocol server.
    Serve(kvs_server::ServeArgs),
    /// Inspect snapshot files.
    #[command(subcommand)]
    Snapshot(snapshot::SnapshotCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => kvs_server::run(args),
        Command::Snapshot(cmd) => snapshot::run(cmd),
    }
}
