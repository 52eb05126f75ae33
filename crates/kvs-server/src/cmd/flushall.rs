//! `FLUSHALL [ASYNC|SYNC]`: removes every key of every database.

use super::flushdb::flush_mode;
use super::{store_error, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct FlushAll;

impl FlushAll {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        flush_mode(p)?;
        Ok(FlushAll)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let mut n = 0;
        for db in ctx.shared.dbs.all() {
            n += db.len();
            if let Err(e) = db.clear() {
                return Some(store_error(e));
            }
        }
        ctx.dirty(n.max(1));
        Some(Frame::ok())
    }
}
