//! `SCARD key`: the number of members (0 for a missing key).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Set;

pub(crate) struct Scard {
    key: Bytes,
}

impl Scard {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Scard { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        match ctx.db().read::<Set, _>(&self.key, Set::len) {
            Ok(n) => {
                ctx.hit(n.is_some());
                Some(Frame::Integer(n.unwrap_or(0) as i64))
            }
            Err(e) => Some(e.into()),
        }
    }
}
