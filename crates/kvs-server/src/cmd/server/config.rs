//! `CONFIG GET pattern [pattern ...]`, `CONFIG SET name value [name value
//! ...]`, `CONFIG RESETSTAT`.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};

pub(crate) enum ConfigCmd {
    Get(Vec<Bytes>),
    Set(Vec<(Bytes, Bytes)>),
    ResetStat,
}

impl ConfigCmd {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let sub = p.next_bytes()?;
        let args = p.rest();
        if is(&sub, "get") && !args.is_empty() {
            Ok(ConfigCmd::Get(args))
        } else if is(&sub, "set") && !args.is_empty() && args.len() % 2 == 0 {
            Ok(ConfigCmd::Set(
                args.chunks(2)
                    .map(|c| (c[0].clone(), c[1].clone()))
                    .collect(),
            ))
        } else if is(&sub, "resetstat") && args.is_empty() {
            Ok(ConfigCmd::ResetStat)
        } else if is(&sub, "get") || is(&sub, "set") || is(&sub, "resetstat") {
            Err(ParseError::Other(format!(
                "ERR wrong number of arguments for 'config|{}' command",
                String::from_utf8_lossy(&sub).to_ascii_lowercase()
            )))
        } else {
            Err(ParseError::Other(format!(
                "ERR unknown subcommand '{}'. Try CONFIG HELP.",
                String::from_utf8_lossy(&sub)
            )))
        }
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let settings = &ctx.shared.settings;
        Some(match self {
            ConfigCmd::Get(patterns) => {
                let mut pairs: Vec<(String, String)> = Vec::new();
                for p in &patterns {
                    for kv in settings.get(p) {
                        if !pairs.iter().any(|(k, _)| *k == kv.0) {
                            pairs.push(kv);
                        }
                    }
                }
                Frame::Map(
                    pairs
                        .into_iter()
                        .map(|(k, v)| (Frame::Bulk(Bytes::from(k)), Frame::Bulk(Bytes::from(v))))
                        .collect(),
                )
            }
            ConfigCmd::Set(pairs) => {
                let pairs: Vec<(&[u8], &[u8])> =
                    pairs.iter().map(|(k, v)| (&k[..], &v[..])).collect();
                match settings.set_all(&pairs) {
                    Ok(()) => {
                        settings.apply_encodings(ctx.shared.keyspace.encodings());
                        Frame::ok()
                    }
                    Err(text) => Frame::Error(text.into()),
                }
            }
            ConfigCmd::ResetStat => {
                let s = &ctx.shared.stats;
                for c in [
                    &s.connections_received,
                    &s.rejected_connections,
                    &s.commands_processed,
                    &s.keyspace_hits,
                    &s.keyspace_misses,
                    &s.expired_keys,
                ] {
                    c.store(0, Ordering::Relaxed);
                }
                Frame::ok()
            }
        })
    }
}
