//! `CLIENT SETNAME|GETNAME|ID|INFO|LIST|KILL|SETINFO|NO-EVICT|NO-TOUCH`.

use std::sync::atomic::Ordering;

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, parse_i64, Parse, ParseError};

pub(crate) enum Client {
    SetName(Bytes),
    GetName,
    Id,
    Info,
    List,
    KillAddr(Bytes),
    KillFilters(Vec<(Bytes, Bytes)>),
    Ok,
}

/// Whether a client name is allowed (printable ASCII, no spaces).
pub(crate) fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&c| (b'!'..=b'~').contains(&c))
}

impl Client {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let sub = p.next_bytes()?;
        let wrong = || {
            ParseError::Other(format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try CLIENT HELP.",
                String::from_utf8_lossy(&sub)
            ))
        };
        let args = p.rest();
        let c = if is(&sub, "setname") && args.len() == 1 {
            Client::SetName(args[0].clone())
        } else if is(&sub, "getname") && args.is_empty() {
            Client::GetName
        } else if is(&sub, "id") && args.is_empty() {
            Client::Id
        } else if is(&sub, "info") && args.is_empty() {
            Client::Info
        } else if is(&sub, "list") {
            Client::List
        } else if is(&sub, "kill") && args.len() == 1 {
            Client::KillAddr(args[0].clone())
        } else if is(&sub, "kill") && !args.is_empty() && args.len() % 2 == 0 {
            Client::KillFilters(
                args.chunks(2)
                    .map(|c| (c[0].clone(), c[1].clone()))
                    .collect(),
            )
        } else if (is(&sub, "setinfo") && args.len() == 2)
            || ((is(&sub, "no-evict") || is(&sub, "no-touch")) && args.len() == 1)
        {
            Client::Ok
        } else {
            return Err(wrong());
        };
        Ok(c)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let info = &ctx.session.info;
        Some(match self {
            Client::SetName(name) => {
                if !valid_name(&name) {
                    return Some(Frame::err(
                        "ERR Client names cannot contain spaces, newlines or special characters.",
                    ));
                }
                *info.name.lock().expect("client name lock") = (!name.is_empty()).then_some(name);
                Frame::ok()
            }
            Client::GetName => info
                .name
                .lock()
                .expect("client name lock")
                .clone()
                .map_or(Frame::Null, Frame::Bulk),
            Client::Id => Frame::Integer(info.id as i64),
            Client::Info => Frame::Verbatim(Bytes::from(info.line())),
            Client::List => {
                let clients = ctx.shared.clients.lock().expect("clients lock");
                let text: String = clients.values().map(|c| c.line()).collect();
                Frame::Verbatim(Bytes::from(text))
            }
            Client::KillAddr(addr) => {
                if kill(ctx, |c| c.addr.to_string().as_bytes() == &addr[..]) > 0 {
                    Frame::ok()
                } else {
                    Frame::err("ERR No such client")
                }
            }
            Client::KillFilters(filters) => {
                let mut id = None;
                let mut addr = None;
                let mut laddr = None;
                let mut skipme = true;
                for (k, v) in &filters {
                    if is(k, "id") {
                        match parse_i64(v) {
                            Some(n) if n > 0 => id = Some(n as u64),
                            _ => return Some(Frame::err("ERR client-id should be greater than 0")),
                        }
                    } else if is(k, "addr") {
                        addr = Some(v.clone());
                    } else if is(k, "laddr") {
                        laddr = Some(v.clone());
                    } else if is(k, "skipme") {
                        skipme = !is(v, "no");
                    } else if is(k, "type") || is(k, "user") || is(k, "maxage") {
                        // Every client is a normal one of the default user.
                    } else {
                        return Some(Frame::err("ERR syntax error"));
                    }
                }
                let me = ctx.session.info.id;
                let n = kill(ctx, |c| {
                    id.is_none_or(|id| c.id == id)
                        && addr
                            .as_ref()
                            .is_none_or(|a| c.addr.to_string().as_bytes() == &a[..])
                        && laddr
                            .as_ref()
                            .is_none_or(|a| c.laddr.to_string().as_bytes() == &a[..])
                        && !(skipme && c.id == me)
                });
                Frame::Integer(n as i64)
            }
            Client::Ok => Frame::ok(),
        })
    }
}

/// Marks every matching client killed; returns how many. A client killing
/// itself is closed after this reply.
fn kill(ctx: &mut Ctx<'_>, pick: impl Fn(&crate::state::ClientInfo) -> bool) -> usize {
    let clients = ctx.shared.clients.lock().expect("clients lock");
    let mut n = 0;
    for c in clients.values().filter(|c| pick(c)) {
        c.killed.store(true, Ordering::SeqCst);
        c.kill.notify_one();
        if c.id == ctx.session.info.id {
            ctx.session.close = true;
        }
        n += 1;
    }
    n
}
