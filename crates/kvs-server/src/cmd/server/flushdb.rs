//! `FLUSHDB [ASYNC|SYNC]`: removes every key of the selected database.

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};

pub(crate) struct FlushDb;

/// Reads the optional `ASYNC`/`SYNC` flag (FLUSHDB, FLUSHALL).
pub(crate) fn flush_mode(p: &mut Parse) -> Result<(), ParseError> {
    if let Some(mode) = p.try_next() {
        if !is(&mode, "async") && !is(&mode, "sync") {
            return Err(ParseError::Syntax);
        }
    }
    p.finish().map_err(|_| ParseError::Syntax)
}

impl FlushDb {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        flush_mode(p)?;
        Ok(FlushDb)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match ctx.db().clear() {
            Ok(n) => {
                ctx.dirty(n.max(1));
                Frame::ok()
            }
            Err(e) => e.into(),
        })
    }
}
