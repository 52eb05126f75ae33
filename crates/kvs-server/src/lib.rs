//! A Redis-protocol server on the kvs library (being built: see issue 5).

use std::process::ExitCode;

/// Options of `kvs serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {}

/// Runs the server until shutdown.
pub fn run(_args: ServeArgs) -> ExitCode {
    eprintln!("kvs serve: not built yet");
    ExitCode::from(2)
}
