//! `BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]`: LMPOP,
//! blocking while every key is missing (the timeout is checked after the
//! other arguments, as in Redis).

use crate::blocking::{Block, Want};
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

use super::lmpop::{Found, Lmpop};

pub(crate) struct Blmpop {
    pop: Lmpop,
    timeout: Option<std::time::Duration>,
}

impl Blmpop {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let timeout = p.next_bytes()?;
        let pop = Lmpop::parse_args(p.rest())?;
        let timeout = super::parse_timeout(&timeout)?;
        Ok(Blmpop { pop, timeout })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        if let Found::Popped(f) = self.pop.pop(ctx) {
            return Some(f);
        }
        ctx.session.block = Some(Block {
            db: ctx.session.db,
            keys: self.pop.keys,
            want: Want::MPop {
                end: self.pop.end,
                count: self.pop.count,
            },
            timeout: self.timeout,
        });
        None
    }
}
