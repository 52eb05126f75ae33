//! `TOUCH key [key ...]`: how many of the keys exist (there is no LRU clock
//! to update).

use bytes::Bytes;

use super::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Touch {
    keys: Vec<Bytes>,
}

impl Touch {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        if p.remaining() == 0 {
            return Err(ParseError::WrongArity);
        }
        Ok(Touch { keys: p.rest() })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let n = self.keys.iter().filter(|k| db.exists(k)).count();
        Some(Frame::Integer(n as i64))
    }
}
