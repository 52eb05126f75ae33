//! `LASTSAVE`: Unix time of the last successful save.

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct LastSave;

impl LastSave {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        p.finish()?;
        Ok(LastSave)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(Frame::Integer(ctx.shared.persist.last_save()))
    }
}
