//! One client's state: protocol version, database, authentication, and the
//! counters it batches before adding them to the shared ones.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::state::{ClientInfo, Shared};

/// Counters a connection keeps locally and publishes once per batch of
/// pipelined requests, so the hot path touches no shared cache line.
#[derive(Debug, Default)]
pub(crate) struct LocalStats {
    pub(crate) commands: u64,
    pub(crate) hits: u64,
    pub(crate) misses: u64,
    pub(crate) dirty: u64,
}

/// A connected client's state.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) info: Arc<ClientInfo>,
    /// RESP version, 2 or 3 (`HELLO`).
    pub(crate) proto: u8,
    /// The selected database.
    pub(crate) db: usize,
    pub(crate) authenticated: bool,
    /// Close the connection once the current reply is sent (`QUIT`).
    pub(crate) close: bool,
    pub(crate) local: LocalStats,
    /// Random picks (`SPOP`, `HRANDFIELD`, ...).
    pub(crate) rng: crate::rng::Rng,
    /// Set by a blocking command that found nothing to take: the
    /// connection loop waits on it before the next request.
    pub(crate) block: Option<crate::blocking::Block>,
}

impl Session {
    pub(crate) fn new(info: Arc<ClientInfo>, authenticated: bool) -> Session {
        Session {
            info,
            proto: 2,
            db: 0,
            authenticated,
            close: false,
            local: LocalStats::default(),
            rng: crate::rng::Rng::new(),
            block: None,
        }
    }

    /// Adds the local counters to the shared ones.
    pub(crate) fn publish(&mut self, shared: &Shared) {
        let l = std::mem::take(&mut self.local);
        let s = &shared.stats;
        if l.commands > 0 {
            s.commands_processed
                .fetch_add(l.commands, Ordering::Relaxed);
        }
        if l.hits > 0 {
            s.keyspace_hits.fetch_add(l.hits, Ordering::Relaxed);
        }
        if l.misses > 0 {
            s.keyspace_misses.fetch_add(l.misses, Ordering::Relaxed);
        }
        if l.dirty > 0 {
            shared.persist.add_dirty(l.dirty);
        }
    }
}
