//! `SELECT index`: switches the connection's database.

use std::sync::atomic::Ordering;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Select {
    index: i64,
}

impl Select {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let index = p.next_int()?;
        p.finish()?;
        Ok(Select { index })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        if self.index < 0 || self.index as usize >= ctx.shared.keyspace.len() {
            return Some(Frame::err("ERR DB index is out of range"));
        }
        ctx.session.db = self.index as usize;
        ctx.session.info.db.store(ctx.session.db, Ordering::Relaxed);
        Some(Frame::ok())
    }
}
