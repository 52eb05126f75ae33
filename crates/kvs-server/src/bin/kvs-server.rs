//! `kvs-server`: the same server as `kvs serve`, as a binary of its own (the
//! integration tests start it to send it real signals).

use std::process::ExitCode;

use clap::Parser;

/// A Redis-protocol server on the kvs library.
#[derive(Debug, Parser)]
#[command(name = "kvs-server", version, about)]
struct Cli {
    #[command(flatten)]
    serve: kvs_server::ServeArgs,
}

fn main() -> ExitCode {
    kvs_server::run(Cli::parse().serve)
}
