//! `kvs serve`: a Redis-protocol server on the kvs library, for real Redis
//! clients and tools (redis-cli, redis-benchmark, twemproxy, any client
//! library).
//!
//! A map of the modules, in the order a request meets them:
//!
//! - `server`: [`Server`]: accept loop, client limit, the expiry and
//!   save-policy task, graceful shutdown (one broadcast signal).
//! - [`connection`]: one socket: framing requests out of the read buffer
//!   (RESP arrays and inline lines), limits, batched replies.
//! - [`parse`]: a cursor over a request's arguments, Redis's number rules
//!   and error texts.
//! - `cmd`: one file per command (`cmd/get.rs`, `cmd/set.rs`, ...), each
//!   with its parsed form, `parse_frames` and `apply`; `cmd/mod.rs` maps names
//!   to them.
//! - [`frame`]: reply values and their RESP2/RESP3 encoding.
//! - [`keyspace`]: the numbered databases and the verbs commands call on them.
//! - `persist`: snapshot load at start, SAVE/BGSAVE, the `--save` policy;
//!   [`encoding`]: how values are written in the snapshot file.
//! - [`config`]: the command line, [`Config`], and `CONFIG GET/SET` values.
//! - `state`, `session`: what connections share, and what each one owns.
//! - `blocking`: clients blocked on list keys (BLPOP, BLMOVE, ...), and
//!   the pushes that serve them.
//! - [`glob`]: Redis's glob patterns.
//! - [`value`]: the `Value` enum, one variant per Redis type.
//!
//! ```no_run
//! // Start a server in-process on a free port, stop it again.
//! let handle = kvs_server::start(kvs_server::Config { port: 0, save: vec![], ..Default::default() }).unwrap();
//! println!("listening on {}", handle.addr());
//! handle.shutdown().unwrap();
//! ```

#![warn(missing_docs)]

use std::process::ExitCode;

mod blocking;
mod cmd;
pub mod config;
pub mod connection;
pub mod encoding;
pub mod frame;
pub mod glob;
pub mod keyspace;
pub mod parse;
mod persist;
pub mod rng;
mod server;
mod session;
mod state;
pub mod types;
pub mod value;

pub use config::{Config, ServeArgs};
pub use server::Server;

/// The Redis version the server reports (to `HELLO` and `INFO`): the one
/// whose commands, replies and encodings it follows (Debian's redis-server,
/// the reference the differential tests compare against).
pub const REDIS_VERSION: &str = "7.0.15";

/// Runs `kvs serve` until SIGINT, SIGTERM or `SHUTDOWN`; errors are printed
/// as one line and give exit status 1.
///
/// ```no_run
/// use clap::Parser;
/// #[derive(Parser)]
/// struct Cli { #[command(flatten)] serve: kvs_server::ServeArgs }
/// let code = kvs_server::run(Cli::parse().serve);
/// ```
pub fn run(args: ServeArgs) -> ExitCode {
    init_logging(&args.loglevel);
    let result = args.into_config().and_then(|config| {
        let runtime = runtime(config.threads)?;
        runtime.block_on(async {
            let server = Server::bind(config).await?;
            server.serve(stop_signal()).await
        })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kvs serve: {e}");
            ExitCode::FAILURE
        }
    }
}

fn runtime(threads: Option<usize>) -> Result<tokio::runtime::Runtime, String> {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = threads {
        b.worker_threads(n.max(1));
    }
    b.enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

fn init_logging(level: &str) {
    let level = match level.to_ascii_lowercase().as_str() {
        "error" => tracing::Level::ERROR,
        "warn" | "warning" => tracing::Level::WARN,
        "debug" | "verbose" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// Completes on SIGINT or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A server running on its own thread and runtime (for tests and embedding).
#[derive(Debug)]
pub struct Handle {
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
}

impl Handle {
    /// Where the server listens.
    ///
    /// ```no_run
    /// let h = kvs_server::start(kvs_server::Config { port: 0, ..Default::default() }).unwrap();
    /// assert!(h.addr().port() > 0);
    /// ```
    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// Stops the server as SIGTERM would (saving per the policy) and waits
    /// for it; returns its result.
    ///
    /// ```no_run
    /// let h = kvs_server::start(kvs_server::Config { port: 0, ..Default::default() }).unwrap();
    /// h.shutdown().unwrap();
    /// ```
    pub fn shutdown(mut self) -> Result<(), String> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.join()
    }

    /// Waits for the server to stop by itself (after `SHUTDOWN`).
    ///
    /// ```no_run
    /// let h = kvs_server::start(kvs_server::Config { port: 0, ..Default::default() }).unwrap();
    /// // ... a client sends SHUTDOWN ...
    /// h.join().unwrap();
    /// ```
    pub fn join(mut self) -> Result<(), String> {
        match self.thread.take() {
            Some(t) => t.join().map_err(|_| "server thread panicked".to_string())?,
            None => Ok(()),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts a server on a thread of its own; returns once it listens (or
/// with the error that kept it from starting).
///
/// ```no_run
/// let h = kvs_server::start(kvs_server::Config { port: 0, ..Default::default() }).unwrap();
/// println!("{}", h.addr());
/// ```
pub fn start(config: Config) -> Result<Handle, String> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let threads = config.threads.or(Some(2));
    let thread = std::thread::spawn(move || -> Result<(), String> {
        let runtime = runtime(threads)?;
        runtime.block_on(async move {
            let server = match Server::bind(config).await {
                Ok(s) => s,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.clone()));
                    return Err(e);
                }
            };
            let _ = ready_tx.send(Ok(server.local_addr()));
            server
                .serve(async move {
                    let _ = stop_rx.await;
                })
                .await
        })
    });
    match ready_rx.recv() {
        Ok(Ok(addr)) => Ok(Handle {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e)
        }
        Err(_) => Err(thread
            .join()
            .map_err(|_| "server thread panicked".to_string())?
            .err()
            .unwrap_or_else(|| "server stopped before listening".into())),
    }
}
