//! `SREM key member [member ...]`: removes members; the reply counts the
//! ones that were there. A set left empty is deleted; the TTL stays
//! otherwise.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Set;

pub(crate) struct Srem {
    key: Bytes,
    members: Vec<Bytes>,
}

impl Srem {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let members = p.rest();
        if members.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(Srem { key, members })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let r = ctx.db().write::<Set, _>(&self.key, false, |s| {
            self.members.iter().filter(|m| s.remove(m)).count()
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
