//! `DBSIZE`: the number of keys in the selected database.

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct DbSize;

impl DbSize {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        p.finish()?;
        Ok(DbSize)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(Frame::Integer(ctx.db().len() as i64))
    }
}
