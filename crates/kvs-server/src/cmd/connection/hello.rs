//! `HELLO [protover [AUTH username password] [SETNAME name]]`: switches RESP
//! version, optionally authenticating and naming the client; replies with
//! the server's facts.

use bytes::Bytes;

use super::auth::check;
use super::client::valid_name;
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, parse_i64, Parse, ParseError};

pub(crate) struct Hello {
    proto: Option<i64>,
    auth: Option<(Bytes, Bytes)>,
    name: Option<Bytes>,
}

impl Hello {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let mut h = Hello {
            proto: None,
            auth: None,
            name: None,
        };
        let Some(ver) = p.try_next() else {
            return Ok(h);
        };
        h.proto = Some(parse_i64(&ver).ok_or_else(|| {
            ParseError::Other("ERR Protocol version is not an integer or out of range".into())
        })?);
        while let Some(opt) = p.try_next() {
            if is(&opt, "auth") && p.remaining() >= 2 {
                let user = p.next_bytes()?;
                let pass = p.next_bytes()?;
                h.auth = Some((user, pass));
            } else if is(&opt, "setname") && p.remaining() >= 1 {
                h.name = Some(p.next_bytes()?);
            } else {
                return Err(ParseError::Other(format!(
                    "ERR Syntax error in HELLO option '{}'",
                    String::from_utf8_lossy(&opt)
                )));
            }
        }
        Ok(h)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        if let Some(v) = self.proto {
            if v != 2 && v != 3 {
                return Some(Frame::err("NOPROTO unsupported protocol version"));
            }
        }
        if let Some((user, pass)) = &self.auth {
            let r = check(ctx, Some(user), pass);
            if r != Frame::ok() {
                return Some(r);
            }
        }
        if !ctx.session.authenticated {
            return Some(Frame::err("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"));
        }
        if let Some(name) = self.name {
            if !valid_name(&name) {
                return Some(Frame::err(
                    "ERR Client names cannot contain spaces, newlines or special characters.",
                ));
            }
            *ctx.session.info.name.lock().expect("client name lock") =
                (!name.is_empty()).then_some(name);
        }
        if let Some(v) = self.proto {
            ctx.session.proto = v as u8;
        }
        let s = |t: &'static str| Frame::Bulk(Bytes::from_static(t.as_bytes()));
        Some(Frame::Map(vec![
            (s("server"), s("redis")),
            (s("version"), s(crate::REDIS_VERSION)),
            (s("proto"), Frame::Integer(i64::from(ctx.session.proto))),
            (s("id"), Frame::Integer(ctx.session.info.id as i64)),
            (s("mode"), s("standalone")),
            (s("role"), s("master")),
            (s("modules"), Frame::Array(Vec::new())),
        ]))
    }
}
