//! `INFO [section ...]`: server, clients, memory, persistence, stats and
//! keyspace, in Redis's `name:value` text.

use std::fmt::Write;
use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Info {
    sections: Vec<String>,
}

const ALL: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "keyspace",
];

impl Info {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let sections = p
            .rest()
            .iter()
            .map(|s| String::from_utf8_lossy(s).to_ascii_lowercase())
            .collect();
        Ok(Info { sections })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        // This client's own counters first, so INFO counts itself.
        ctx.session.publish(ctx.shared);
        let every = self.sections.is_empty()
            || self
                .sections
                .iter()
                .any(|s| s == "all" || s == "default" || s == "everything");
        let mut out = String::new();
        for &section in ALL {
            if every || self.sections.iter().any(|s| s == section) {
                if !out.is_empty() {
                    out.push_str("\r\n");
                }
                write_section(ctx, section, &mut out);
            }
        }
        Some(Frame::Verbatim(Bytes::from(out)))
    }
}

/// Resident memory from /proc (0 where there is none).
pub(crate) fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

fn write_section(ctx: &Ctx<'_>, section: &str, out: &mut String) {
    let sh = ctx.shared;
    let st = &sh.stats;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    // `write!` to a String cannot fail.
    let _ = match section {
        "server" => write!(
            out,
            "# Server\r\nredis_version:{}\r\nkvs_version:{}\r\nredis_mode:standalone\r\nos:{}\r\narch_bits:64\r\nmultiplexing_api:tokio\r\nprocess_id:{}\r\ntcp_port:{}\r\nuptime_in_seconds:{}\r\nuptime_in_days:{}\r\nexecutable:kvs\r\n",
            crate::REDIS_VERSION,
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::process::id(),
            sh.port,
            sh.started.elapsed().as_secs(),
            sh.started.elapsed().as_secs() / 86400,
        ),
        "clients" => write!(
            out,
            "# Clients\r\nconnected_clients:{}\r\nmaxclients:{}\r\nblocked_clients:{}\r\n",
            st.connected_clients.load(Ordering::Relaxed),
            sh.settings.maxclients(),
            sh.blocking.blocked_clients(),
        ),
        "memory" => {
            let rss = rss_bytes();
            write!(
                out,
                "# Memory\r\nused_memory:{rss}\r\nused_memory_human:{:.2}M\r\nused_memory_rss:{rss}\r\nmaxmemory:0\r\nmaxmemory_policy:noeviction\r\nmem_allocator:libc\r\n",
                rss as f64 / (1024.0 * 1024.0)
            )
        }
        "persistence" => {
            let p = &sh.persist;
            write!(
                out,
                "# Persistence\r\nloading:0\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:{}\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:{}\r\nrdb_saves:{}\r\nkvs_snapshot_file:{}\r\naof_enabled:0\r\n",
                p.dirty(),
                u8::from(p.bgsave_running()),
                p.last_save(),
                if p.last_ok() { "ok" } else { "err" },
                p.saves(),
                p.path().display(),
            )
        }
        "stats" => write!(
            out,
            "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\nrejected_connections:{}\r\nexpired_keys:{}\r\nevicted_keys:0\r\nkeyspace_hits:{}\r\nkeyspace_misses:{}\r\n",
            load(&st.connections_received),
            load(&st.commands_processed),
            load(&st.rejected_connections),
            load(&st.expired_keys),
            load(&st.keyspace_hits),
            load(&st.keyspace_misses),
        ),
        "keyspace" => {
            out.push_str("# Keyspace\r\n");
            for i in 0..sh.keyspace.len() {
                let db = sh.keyspace.db(i);
                let keys = db.len();
                if keys > 0 {
                    let _ = write!(
                        out,
                        "db{i}:keys={keys},expires={},avg_ttl=0\r\n",
                        db.len_with_ttl()
                    );
                }
            }
            Ok(())
        }
        _ => Ok(()),
    };
}
