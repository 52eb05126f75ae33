//! `SADD key member [member ...]`: adds members, creating the set; the
//! reply counts the new ones. The key's TTL stays.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Set;

pub(crate) struct Sadd {
    key: Bytes,
    members: Vec<Bytes>,
}

impl Sadd {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let members = p.rest();
        if members.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(Sadd { key, members })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let r = ctx.db().write::<Set, _>(&self.key, true, |s| {
            self.members.iter().filter(|m| s.insert(m, enc)).count()
        });
        Some(match r {
            Ok(n) => {
                let n = n.unwrap_or(0);
                ctx.dirty(n);
                Frame::Integer(n as i64)
            }
            Err(e) => e.into(),
        })
    }
}
