//! `OBJECT ENCODING|REFCOUNT|FREQ|IDLETIME|HELP key`: how a value is held.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::value::{is_int_encodable, Value};

pub(crate) enum Object {
    Encoding(Bytes),
    RefCount(Bytes),
    Freq(Bytes),
    IdleTime(Bytes),
    Help,
}

const HELP: &[&str] = &[
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
];

impl Object {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let sub = p.next_bytes()?;
        let lower = String::from_utf8_lossy(&sub).to_ascii_lowercase();
        let make: fn(Bytes) -> Object = match lower.as_str() {
            "help" => {
                p.finish().map_err(|_| sub_arity("help"))?;
                return Ok(Object::Help);
            }
            "encoding" => Object::Encoding,
            "refcount" => Object::RefCount,
            "freq" => Object::Freq,
            "idletime" => Object::IdleTime,
            _ => {
                return Err(ParseError::Other(format!(
                    "ERR unknown subcommand '{}'. Try OBJECT HELP.",
                    String::from_utf8_lossy(&sub)
                )))
            }
        };
        let key = p.next_bytes().map_err(|_| sub_arity(&lower))?;
        p.finish().map_err(|_| sub_arity(&lower))?;
        Ok(make(key))
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let of = |key: &[u8], f: fn(&Value) -> Frame| {
            db.view(key, |e| e.map_or(Frame::Null, |e| f(e.value())))
        };
        Some(match self {
            Object::Help => Frame::Array(HELP.iter().map(|l| Frame::Simple((*l).into())).collect()),
            Object::Encoding(key) => of(&key, |v| Frame::bulk_from(v.encoding())),
            // Redis shares the objects of the integers 0..9999 (refcount
            // INT_MAX); every other value has one owner.
            Object::RefCount(key) => of(&key, |v| {
                let shared = matches!(v, Value::Str(s) if is_int_encodable(s)
                    && crate::parse::parse_i64(s).is_some_and(|n| (0..10_000).contains(&n)));
                Frame::Integer(if shared { i64::from(i32::MAX) } else { 1 })
            }),
            Object::Freq(key) => of(&key, |_| {
                Frame::err(
                    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. \
                     Please note that when switching between policies at runtime LRU and LFU \
                     data will take some time to adjust.",
                )
            }),
            Object::IdleTime(key) => of(&key, |_| {
                Frame::err(
                    "ERR OBJECT IDLETIME is not supported by kvs: access times are not tracked",
                )
            }),
        })
    }
}

fn sub_arity(sub: &str) -> ParseError {
    ParseError::Other(format!(
        "ERR wrong number of arguments for 'object|{sub}' command"
    ))
}
