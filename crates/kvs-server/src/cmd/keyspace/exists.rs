//! `EXISTS key [key ...]`, `TOUCH key [key ...]`: how many of the keys exist
//! (repeats count again; there is no LRU clock for TOUCH to update).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Exists {
    keys: Vec<Bytes>,
}

impl Exists {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        if p.remaining() == 0 {
            return Err(ParseError::WrongArity);
        }
        Ok(Exists { keys: p.rest() })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let n = self.keys.iter().filter(|k| db.exists(k)).count();
        Some(Frame::Integer(n as i64))
    }
}
