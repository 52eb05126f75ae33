//! `BLPOP key [key ...] timeout`, `BRPOP key [key ...] timeout`: pop from
//! the first non-empty list, `[key, element]`; with every key missing,
//! block until a push serves the client or the timeout (float seconds, 0:
//! forever) gives the null array.

use bytes::Bytes;

use crate::blocking::{Block, End, Want};
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::List;

pub(crate) struct Bpop {
    keys: Vec<Bytes>,
    end: End,
    timeout: Option<std::time::Duration>,
}

impl Bpop {
    fn parse(p: &mut Parse, end: End) -> Result<Self, ParseError> {
        let mut keys = p.rest();
        let timeout = keys.pop().ok_or(ParseError::WrongArity)?;
        let timeout = super::parse_timeout(&timeout)?;
        Ok(Bpop { keys, end, timeout })
    }

    pub(crate) fn parse_blpop(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, End::Left)
    }

    pub(crate) fn parse_brpop(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, End::Right)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let end = self.end;
        for key in &self.keys {
            match ctx.db().write::<List, _>(key, false, |l| end.pop(l)) {
                Ok(Some(Some(v))) => {
                    ctx.dirty(1);
                    return Some(Frame::Array(vec![Frame::Bulk(key.clone()), Frame::Str(v)]));
                }
                Ok(_) => {}
                Err(e) => return Some(e.into()),
            }
        }
        ctx.session.block = Some(Block {
            db: ctx.session.db,
            keys: self.keys,
            want: Want::Pop(end),
            timeout: self.timeout,
        });
        None
    }
}
