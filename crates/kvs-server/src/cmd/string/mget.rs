//! `MGET key [key ...]`: the values, nil where missing, read at one moment.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Mget {
    keys: Vec<Bytes>,
}

impl Mget {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        if p.remaining() == 0 {
            return Err(ParseError::WrongArity);
        }
        Ok(Mget { keys: p.rest() })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let r = match ctx.db().get_many_str(&self.keys) {
            Ok(r) => r,
            Err(e) => return Some(e.into()),
        };
        let found = r.iter().filter(|v| v.is_some()).count();
        ctx.session.local.hits += found as u64;
        ctx.session.local.misses += (self.keys.len() - found) as u64;
        Some(Frame::Array(
            r.into_iter()
                .map(|v| v.map_or(Frame::Null, Frame::Str))
                .collect(),
        ))
    }
}
