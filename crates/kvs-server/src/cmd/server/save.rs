//! `SAVE`: writes the snapshot now, blocking this client until it is done.

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Save;

impl Save {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        p.finish()?;
        Ok(Save)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        if ctx.shared.persist.bgsave_running() {
            return Some(Frame::err("ERR Background save already in progress"));
        }
        let shared = ctx.shared;
        // The snapshot walks every shard: let the runtime move other
        // connections off this worker meanwhile.
        let r = tokio::task::block_in_place(|| shared.persist.save(&shared.keyspace));
        Some(match r {
            Ok(()) => Frame::ok(),
            Err(_) => Frame::err("ERR"),
        })
    }
}
