//! `BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout` and
//! `BRPOPLPUSH source destination timeout`: LMOVE, blocking while the
//! source is missing. A client served later onto a destination of another
//! type gets WRONGTYPE and the element stays in the source, as in Redis.

use crate::blocking::{Block, Moved, Want};
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::keyspace::KsError;
use crate::parse::{Parse, ParseError};
use crate::types::List;

use super::lmove::{end, Lmove};

pub(crate) struct Blmove {
    mv: Lmove,
    timeout: Option<std::time::Duration>,
}

impl Blmove {
    pub(crate) fn parse_blmove(p: &mut Parse) -> Result<Self, ParseError> {
        let src = p.next_bytes()?;
        let dst = p.next_bytes()?;
        let from = end(p)?;
        let to = end(p)?;
        let timeout = super::parse_timeout(&p.next_bytes()?)?;
        p.finish()?;
        Ok(Blmove {
            mv: Lmove { src, dst, from, to },
            timeout,
        })
    }

    pub(crate) fn parse_brpoplpush(p: &mut Parse) -> Result<Self, ParseError> {
        let src = p.next_bytes()?;
        let dst = p.next_bytes()?;
        let timeout = super::parse_timeout(&p.next_bytes()?)?;
        p.finish()?;
        Ok(Blmove {
            mv: Lmove {
                src,
                dst,
                from: crate::blocking::End::Right,
                to: crate::blocking::End::Left,
            },
            timeout,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        match ctx.db().read::<List, _>(&self.mv.src, |_| ()) {
            Err(e) => return Some(e.into()),
            Ok(Some(())) => match self.mv.run(ctx) {
                Moved::Done(v) => return Some(Frame::Str(v)),
                Moved::SourceWrongType | Moved::DestWrongType => {
                    return Some(KsError::WrongType.into())
                }
                // Emptied since the look: block.
                Moved::NoSource => {}
            },
            Ok(None) => {}
        }
        let Lmove { src, dst, from, to } = self.mv;
        ctx.session.block = Some(Block {
            db: ctx.session.db,
            keys: vec![src],
            want: Want::Move {
                dest: dst,
                from,
                to,
            },
            timeout: self.timeout,
        });
        None
    }
}
