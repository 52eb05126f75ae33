//! `COMMAND [COUNT|DOCS|INFO|LIST]`: what redis-cli and client libraries ask
//! about the command table.

use bytes::Bytes;

use super::{Ctx, NAMES};
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};

pub(crate) enum CommandCmd {
    All,
    Count,
    Docs,
    Info(Vec<Bytes>),
    List,
}

/// Redis's arity, flags and key positions for each command: arity N means
/// exactly N words with the name, -N at least N.
fn spec(name: &str) -> (i64, &'static [&'static str], i64, i64, i64) {
    const W: &[&str] = &["write"];
    const R: &[&str] = &["readonly"];
    const F: &[&str] = &["fast"];
    match name {
        "get" | "strlen" | "ttl" | "pttl" | "type" | "expiretime" | "pexpiretime" => {
            (2, R, 1, 1, 1)
        }
        "getrange" => (4, R, 1, 1, 1),
        "mget" => (-2, R, 1, -1, 1),
        "exists" | "touch" => (-2, R, 1, -1, 1),
        "set" => (-3, W, 1, 1, 1),
        "setnx" | "getset" | "append" | "incrbyfloat" | "incrby" | "decrby" | "rename"
        | "renamenx" => (3, W, 1, if name.starts_with("rename") { 2 } else { 1 }, 1),
        "setex" | "psetex" | "setrange" => (4, W, 1, 1, 1),
        "incr" | "decr" | "getdel" | "persist" => (2, W, 1, 1, 1),
        "getex" => (-2, W, 1, 1, 1),
        "mset" | "msetnx" => (-3, W, 1, -1, 2),
        "del" | "unlink" => (-2, W, 1, -1, 1),
        "expire" | "pexpire" | "expireat" | "pexpireat" => (-3, W, 1, 1, 1),
        "copy" => (-3, W, 1, 2, 1),
        "move" => (3, W, 1, 1, 1),
        "keys" => (2, R, 0, 0, 0),
        "scan" => (-2, R, 0, 0, 0),
        "randomkey" | "dbsize" => (1, R, 0, 0, 0),
        "ping" => (-1, F, 0, 0, 0),
        "echo" => (2, F, 0, 0, 0),
        "select" => (2, F, 0, 0, 0),
        "auth" | "hello" => (if name == "auth" { -2 } else { -1 }, F, 0, 0, 0),
        "quit" | "info" | "shutdown" => (-1, F, 0, 0, 0),
        "client" | "command" | "config" => (-2, F, 0, 0, 0),
        "flushdb" | "flushall" | "bgsave" => (-1, W, 0, 0, 0),
        "time" | "lastsave" | "save" => (1, F, 0, 0, 0),
        _ => (-1, F, 0, 0, 0),
    }
}

fn info(name: &str) -> Frame {
    let (arity, flags, first, last, step) = spec(name);
    Frame::Array(vec![
        Frame::Bulk(Bytes::copy_from_slice(name.as_bytes())),
        Frame::Integer(arity),
        Frame::Array(flags.iter().map(|f| Frame::Simple((*f).into())).collect()),
        Frame::Integer(first),
        Frame::Integer(last),
        Frame::Integer(step),
        Frame::Array(Vec::new()),
        Frame::Array(Vec::new()),
        Frame::Array(Vec::new()),
        Frame::Array(Vec::new()),
    ])
}

impl CommandCmd {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let Some(sub) = p.try_next() else {
            return Ok(CommandCmd::All);
        };
        let c = if is(&sub, "count") {
            CommandCmd::Count
        } else if is(&sub, "docs") {
            let _ = p.rest();
            CommandCmd::Docs
        } else if is(&sub, "info") {
            CommandCmd::Info(p.rest())
        } else if is(&sub, "list") {
            let _ = p.rest();
            CommandCmd::List
        } else {
            return Err(ParseError::Other(format!(
                "ERR unknown subcommand '{}'. Try COMMAND HELP.",
                String::from_utf8_lossy(&sub)
            )));
        };
        p.finish()?;
        Ok(c)
    }

    pub(crate) fn apply(self, _ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match self {
            CommandCmd::All => Frame::Array(NAMES.iter().map(|n| info(n)).collect()),
            CommandCmd::Count => Frame::Integer(NAMES.len() as i64),
            // Tools fall back to plain completion without docs.
            CommandCmd::Docs => Frame::Map(Vec::new()),
            CommandCmd::List => Frame::Array(
                NAMES
                    .iter()
                    .map(|n| Frame::Bulk(Bytes::from_static(n.as_bytes())))
                    .collect(),
            ),
            CommandCmd::Info(names) if names.is_empty() => {
                Frame::Array(NAMES.iter().map(|n| info(n)).collect())
            }
            CommandCmd::Info(names) => Frame::Array(
                names
                    .iter()
                    .map(|n| {
                        let lower = String::from_utf8_lossy(n).to_ascii_lowercase();
                        match NAMES.iter().find(|&&k| k == lower) {
                            Some(k) => info(k),
                            None => Frame::NullArray,
                        }
                    })
                    .collect(),
            ),
        })
    }
}
