//! `COMMAND [COUNT|DOCS|INFO|LIST|GETKEYS]`: what redis-cli and client
//! libraries ask about the command table, answered from its rows.

use bytes::Bytes;

use crate::cmd::table::{self, Spec};
use crate::cmd::{lookup, Ctx};
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};

pub(crate) enum CommandCmd {
    All,
    Count,
    Docs,
    Info(Vec<Bytes>),
    List,
    GetKeys(Vec<Bytes>),
}

/// `COMMAND INFO`'s entry for one row: name, arity, flags, first key, last
/// key, step, then ACL categories, tips, key specs and subcommands (empty).
fn info(spec: &Spec) -> Frame {
    let k = spec.keys;
    Frame::Array(vec![
        Frame::Bulk(Bytes::from_static(spec.name.as_bytes())),
        Frame::Integer(spec.arity),
        Frame::Array(spec.flag_names().map(|f| Frame::Simple(f.into())).collect()),
        Frame::Integer(k.first),
        Frame::Integer(k.last),
        Frame::Integer(k.step),
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
        } else if is(&sub, "getkeys") {
            if p.remaining() == 0 {
                return Err(ParseError::Other(
                    "ERR wrong number of arguments for 'command|getkeys' command".into(),
                ));
            }
            CommandCmd::GetKeys(p.rest())
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
            CommandCmd::All => Frame::Array(table::all().map(info).collect()),
            CommandCmd::Count => Frame::Integer(table::all().count() as i64),
            // Tools fall back to plain completion without docs.
            CommandCmd::Docs => Frame::Map(Vec::new()),
            CommandCmd::List => Frame::Array(
                table::all()
                    .map(|s| Frame::Bulk(Bytes::from_static(s.name.as_bytes())))
                    .collect(),
            ),
            CommandCmd::Info(names) if names.is_empty() => {
                Frame::Array(table::all().map(info).collect())
            }
            CommandCmd::Info(names) => Frame::Array(
                names
                    .iter()
                    .map(|n| lookup(n).map_or(Frame::NullArray, info))
                    .collect(),
            ),
            CommandCmd::GetKeys(args) => getkeys(&args),
        })
    }
}

/// The keys of a would-be request, as `COMMAND GETKEYS` lists them.
fn getkeys(args: &[Bytes]) -> Frame {
    let Some(spec) = lookup(&args[0]) else {
        return Frame::err("ERR Invalid command specified");
    };
    if !spec.arity_ok(args.len()) {
        return Frame::err("ERR Invalid number of arguments specified for command");
    }
    match spec.keys.positions(args) {
        Ok(pos) if pos.is_empty() => Frame::err("ERR The command has no key arguments"),
        Ok(pos) => Frame::Array(
            pos.into_iter()
                .map(|i| Frame::Bulk(args[i].clone()))
                .collect(),
        ),
        Err(e) => Frame::err(e),
    }
}
