//! The server: accept loop, client limit, the background tasks (expiry and
//! the save policy), and graceful shutdown through one broadcast signal
//! that every task listens to.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::cmd;
use crate::config::Config;
use crate::connection::{Connection, Limits, ReadOutcome};
use crate::keyspace::Keyspace;
use crate::session::Session;
use crate::state::{ClientInfo, Shared, StopReason};

/// How often expired keys are swept and the save policy checked.
const TICK: Duration = Duration::from_millis(100);

/// Past this many buffered reply bytes, replies are sent before the rest of
/// a pipelined batch is run, so a long pipeline does not pile up memory.
const FLUSH_AT: usize = 64 * 1024;

/// How long shutdown waits for connections to finish their current batch.
const DRAIN: Duration = Duration::from_secs(2);

/// A bound, loaded server, ready to [`serve`](Server::serve).
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    shared: Arc<Shared>,
    limits: Limits,
}

impl Server {
    /// Loads the snapshot and binds the listener. Errors are one line, ready
    /// to print (a port in use, a corrupt snapshot naming its file).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), String> {
    /// let server = kvs_server::Server::bind(kvs_server::Config { port: 0, ..Default::default() }).await?;
    /// println!("listening on {}", server.local_addr());
    /// # Ok(()) }
    /// ```
    pub async fn bind(config: Config) -> Result<Server, String> {
        let dbs = Keyspace::new(config.databases, config.clock.clone())
            .map_err(|e| format!("cannot create databases: {e}"))?;
        let addr = format!("{}:{}", config.bind, config.port);
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let port = listener.local_addr().map_or(config.port, |a| a.port());
        let shared = Shared::new(&config, dbs, port);
        shared
            .persist
            .load(&shared.keyspace, config.ignore_corrupt_snapshot)?;
        Ok(Server {
            listener,
            shared,
            limits: config.limits,
        })
    }

    /// The address the server listens on.
    ///
    /// ```no_run
    /// # fn f(s: &kvs_server::Server) {
    /// let port = s.local_addr().port();
    /// # }
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves clients until `stop` completes (a signal) or a client sends
    /// `SHUTDOWN`; then closes every connection and saves as configured.
    ///
    /// ```no_run
    /// # async fn f(s: kvs_server::Server) {
    /// s.serve(async { let _ = tokio::signal::ctrl_c().await; }).await.unwrap();
    /// # }
    /// ```
    pub async fn serve(self, stop: impl Future<Output = ()>) -> Result<(), String> {
        let shared = self.shared;
        let mut stopping = shared.shutdown.subscribe();
        tokio::spawn(background(Arc::clone(&shared)));
        tracing::info!(
            "kvs ready to accept connections on {}",
            self.listener
                .local_addr()
                .map_or_else(|e| e.to_string(), |a| a.to_string())
        );
        tokio::pin!(stop);
        let reason = loop {
            tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok((socket, addr)) => admit(&shared, socket, addr, self.limits),
                    Err(e) => {
                        // Out of file descriptors and the like: back off
                        // rather than spin.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                },
                r = stopping.recv() => break r.unwrap_or(StopReason::Signal),
                () = &mut stop => {
                    tracing::warn!("received a shutdown signal");
                    shared.stop(StopReason::Signal);
                    break StopReason::Signal;
                }
            }
        };
        drop(self.listener);
        let deadline = Instant::now() + DRAIN;
        while shared.stats.connected_clients.load(Ordering::SeqCst) > 0 && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let mut result = Ok(());
        if reason == StopReason::Signal && !shared.settings.save_policy().is_empty() {
            let sh = Arc::clone(&shared);
            result = tokio::task::spawn_blocking(move || sh.persist.save(&sh.keyspace))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r);
        }
        shared.keyspace.close();
        tracing::info!("kvs is now ready to exit, bye bye...");
        result
    }
}

/// Registers a new client and starts its task, or turns it away when the
/// server is full.
fn admit(shared: &Arc<Shared>, socket: TcpStream, addr: SocketAddr, limits: Limits) {
    shared
        .stats
        .connections_received
        .fetch_add(1, Ordering::Relaxed);
    let connected = shared
        .stats
        .connected_clients
        .fetch_add(1, Ordering::SeqCst);
    if connected >= shared.settings.maxclients() {
        shared
            .stats
            .connected_clients
            .fetch_sub(1, Ordering::SeqCst);
        shared
            .stats
            .rejected_connections
            .fetch_add(1, Ordering::Relaxed);
        tokio::spawn(async move {
            let mut socket = socket;
            let _ = socket
                .write_all(b"-ERR max number of clients reached\r\n")
                .await;
        });
        return;
    }
    let id = shared.next_client_id.fetch_add(1, Ordering::Relaxed);
    let info = Arc::new(ClientInfo {
        id,
        addr,
        laddr: socket.local_addr().unwrap_or(addr),
        created: Instant::now(),
        name: Default::default(),
        db: Default::default(),
        killed: AtomicBool::new(false),
        kill: Default::default(),
    });
    shared
        .clients
        .lock()
        .expect("clients lock")
        .insert(id, Arc::clone(&info));
    let shared = Arc::clone(shared);
    tokio::spawn(async move {
        let conn = Connection::new(socket, limits);
        if let Err(e) = handle(&shared, conn, Arc::clone(&info)).await {
            tracing::debug!("client {addr}: {e}");
        }
        shared.clients.lock().expect("clients lock").remove(&id);
        shared
            .stats
            .connected_clients
            .fetch_sub(1, Ordering::SeqCst);
    });
}

/// Serves one client: run every complete buffered request, flush the
/// replies once, wait for more input.
async fn handle(
    shared: &Shared,
    mut conn: Connection,
    info: Arc<ClientInfo>,
) -> std::io::Result<()> {
    let authenticated = shared.settings.requirepass().is_none();
    let mut session = Session::new(Arc::clone(&info), authenticated);
    // One argument vector for every request of this connection.
    let mut args = Vec::new();
    loop {
        loop {
            match conn.next_request(session.authenticated, &mut args) {
                Ok(true) if args.is_empty() => continue,
                Ok(true) => {
                    if let Some(reply) = cmd::execute(&mut args, shared, &mut session) {
                        conn.push_reply(&reply, session.proto);
                    }
                    if let Some(block) = session.block.take() {
                        session.publish(shared);
                        match crate::blocking::wait(shared, &mut conn, &info, block).await? {
                            Some(reply) => conn.push_reply(&reply, session.proto),
                            None => return Ok(()),
                        }
                    }
                    if conn.output_over_limit() {
                        tracing::warn!("client {} closed: output buffer over the limit", info.addr);
                        session.publish(shared);
                        return Ok(());
                    }
                    if session.close {
                        session.publish(shared);
                        return conn.flush().await;
                    }
                    if conn.pending_output() >= FLUSH_AT {
                        conn.flush().await?;
                    }
                }
                Ok(false) => break,
                Err(e) => {
                    tracing::debug!("client {}: {}", info.addr, e.0);
                    conn.push_reply(&crate::frame::Frame::Error(e.0.into()), session.proto);
                    session.publish(shared);
                    return conn.flush().await;
                }
            }
        }
        session.publish(shared);
        conn.flush().await?;
        // Checked after registration in `admit`, so a client let in while
        // the server was stopping still sees it.
        if info.killed.load(Ordering::SeqCst) || shared.stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        tokio::select! {
            // Input first: a kill or stop is rare, and is seen at the top of
            // the next turn anyway.
            biased;
            r = conn.read_more() => match r? {
                ReadOutcome::Data => {}
                ReadOutcome::Closed => return Ok(()),
                ReadOutcome::QueryBufferFull => {
                    tracing::warn!("client {} closed: query buffer over the limit", info.addr);
                    return Ok(());
                }
            },
            () = info.kill.notified() => return Ok(()),
        }
    }
}

/// Sweeps expired keys (counting them for INFO) and runs the save policy.
async fn background(shared: Arc<Shared>) {
    let mut stopping = shared.shutdown.subscribe();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopping.recv() => return,
        }
        let sh = Arc::clone(&shared);
        let swept = tokio::task::spawn_blocking(move || sh.keyspace.sweep())
            .await
            .unwrap_or(0);
        shared
            .stats
            .expired_keys
            .fetch_add(swept as u64, Ordering::Relaxed);
        let policy = shared.settings.save_policy();
        let now = shared.keyspace.now_millis() / 1000;
        if !policy.is_empty()
            && !shared.persist.bgsave_running()
            && shared.persist.policy_due(&policy, now)
        {
            shared.start_bgsave();
        }
    }
}

impl Shared {
    /// Starts a background save unless one is running; false if one is.
    pub(crate) fn start_bgsave(self: &Shared) -> bool {
        if !self.persist.claim_bgsave() {
            return false;
        }
        // The save needs the shared state beyond this call: find our Arc.
        let Some(me) = self.me() else {
            self.persist.release_bgsave();
            return false;
        };
        tokio::task::spawn_blocking(move || {
            let _ = me.persist.save(&me.keyspace);
            me.persist.release_bgsave();
        });
        true
    }
}
