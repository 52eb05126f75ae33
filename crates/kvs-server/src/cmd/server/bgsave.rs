//! `BGSAVE [SCHEDULE]`: writes the snapshot on a background thread.

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};

pub(crate) struct BgSave;

impl BgSave {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        if let Some(opt) = p.try_next() {
            if !is(&opt, "schedule") {
                return Err(ParseError::Syntax);
            }
        }
        p.finish()?;
        Ok(BgSave)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match ctx.shared.start_bgsave() {
            true => Frame::Simple("Background saving started".into()),
            false => Frame::err("ERR Background save already in progress"),
        })
    }
}
