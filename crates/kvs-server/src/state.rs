//! What every connection shares: the databases, settings, counters, the
//! client list, persistence and the shutdown signal.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use bytes::Bytes;
use tokio::sync::{broadcast, Notify};

use crate::config::{Config, Settings};
use crate::connection::Limits;
use crate::keyspace::Keyspace;
use crate::persist::Persistence;

/// The `INFO stats` counters.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) connections_received: AtomicU64,
    pub(crate) rejected_connections: AtomicU64,
    pub(crate) commands_processed: AtomicU64,
    pub(crate) keyspace_hits: AtomicU64,
    pub(crate) keyspace_misses: AtomicU64,
    pub(crate) expired_keys: AtomicU64,
    pub(crate) connected_clients: AtomicUsize,
}

/// One connected client, as `CLIENT LIST` shows it and `CLIENT KILL` finds it.
#[derive(Debug)]
pub(crate) struct ClientInfo {
    pub(crate) id: u64,
    pub(crate) addr: SocketAddr,
    pub(crate) laddr: SocketAddr,
    pub(crate) created: Instant,
    pub(crate) name: Mutex<Option<Bytes>>,
    pub(crate) db: AtomicUsize,
    pub(crate) killed: AtomicBool,
    pub(crate) kill: Notify,
}

impl ClientInfo {
    /// The `CLIENT LIST`/`CLIENT INFO` line for this client.
    pub(crate) fn line(&self) -> String {
        let name = self.name.lock().expect("client name lock");
        let name = name
            .as_ref()
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        format!(
            "id={} addr={} laddr={} fd=0 name={} age={} idle=0 flags=N db={} sub=0 psub=0 ssub=0 multi=-1 qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r cmd=client|list user=default redir=-1 resp=2\n",
            self.id,
            self.addr,
            self.laddr,
            name,
            self.created.elapsed().as_secs(),
            self.db.load(Ordering::Relaxed)
        )
    }
}

/// Why the server is stopping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StopReason {
    /// SIGINT/SIGTERM or a test's handle: save per the save policy.
    Signal,
    /// `SHUTDOWN`: the command already saved (or was told not to).
    Command,
}

/// Everything the connections share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) keyspace: Keyspace,
    pub(crate) settings: Settings,
    pub(crate) stats: Stats,
    pub(crate) persist: Persistence,
    pub(crate) clients: Mutex<BTreeMap<u64, Arc<ClientInfo>>>,
    pub(crate) next_client_id: AtomicU64,
    pub(crate) started: Instant,
    pub(crate) port: u16,
    /// The stop signal for the server's own tasks (accept loop, sweeper).
    pub(crate) shutdown: broadcast::Sender<StopReason>,
    /// Set once stopping: connections check it between batches.
    pub(crate) stopping: AtomicBool,
    pub(crate) limits: Limits,
    /// The clients blocked on list keys (BLPOP and the like).
    pub(crate) blocking: crate::blocking::Registry,
    me: Weak<Shared>,
}

impl Shared {
    pub(crate) fn new(config: &Config, keyspace: Keyspace, port: u16) -> Arc<Shared> {
        let (shutdown, _) = broadcast::channel(4);
        Arc::new_cyclic(|me| Shared {
            me: me.clone(),
            limits: config.limits,
            settings: Settings::new(config, port),
            persist: Persistence::new(config),
            keyspace,
            stats: Stats::default(),
            clients: Mutex::new(BTreeMap::new()),
            next_client_id: AtomicU64::new(1),
            started: Instant::now(),
            port,
            shutdown,
            stopping: AtomicBool::new(false),
            blocking: Default::default(),
        })
    }

    /// A strong handle to this state, for work that outlives a call.
    pub(crate) fn me(&self) -> Option<Arc<Shared>> {
        self.me.upgrade()
    }

    /// The longest string a value may grow to (`proto-max-bulk-len`).
    pub(crate) fn max_bulk(&self) -> usize {
        self.limits.max_bulk
    }

    /// Asks every task to stop: the one stop signal. Connections are woken
    /// through their own `kill` notifier rather than by each polling the
    /// broadcast channel, whose receivers share one lock: a per-batch cost
    /// on every connection otherwise.
    pub(crate) fn stop(&self, reason: StopReason) {
        self.stopping.store(true, Ordering::SeqCst);
        for c in self.clients.lock().expect("clients lock").values() {
            c.kill.notify_one();
        }
        let _ = self.shutdown.send(reason);
    }
}
