//! `FLUSHALL [ASYNC|SYNC]`: removes every key of every database.

use super::flushdb::flush_mode;
use crate::cmd::Ctx;
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
        let ks = &ctx.shared.keyspace;
        for i in 0..ks.len() {
            match ks.db(i).clear() {
                Ok(cleared) => n += cleared,
                Err(e) => return Some(e.into()),
            }
        }
        ctx.dirty(n.max(1));
        Some(Frame::ok())
    }
}
