//! `SMOVE source destination member`: moves a member between sets; 1 if
//! it moved (or, when source is destination, if it is a member), else 0.
//!
//! As in Redis: a missing source replies 0 before the destination's type
//! is looked at; then both types are checked before anything changes. The
//! two keys are changed one after the other, not atomically.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::keyspace::KsError;
use crate::parse::{Parse, ParseError};
use crate::types::Set;

pub(crate) struct Smove {
    src: Bytes,
    dst: Bytes,
    member: Bytes,
}

impl Smove {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let src = p.next_bytes()?;
        let dst = p.next_bytes()?;
        let member = p.next_bytes()?;
        p.finish()?;
        Ok(Smove { src, dst, member })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match self.run(ctx) {
            Ok(moved) => Frame::Integer(i64::from(moved)),
            Err(e) => e.into(),
        })
    }

    fn run(&self, ctx: &mut Ctx<'_>) -> Result<bool, KsError> {
        let db = ctx.db();
        let enc = ctx.shared.keyspace.encodings();
        let m = &self.member[..];
        let Some(is_member) = db.read::<Set, _>(&self.src, |s| s.contains(m))? else {
            return Ok(false);
        };
        db.read::<Set, _>(&self.dst, |_| ())?;
        if self.src == self.dst {
            return Ok(is_member);
        }
        if !is_member {
            return Ok(false);
        }
        if db.write::<Set, _>(&self.src, false, |s| s.remove(m))? != Some(true) {
            return Ok(false);
        }
        match db.write::<Set, _>(&self.dst, true, |s| s.insert(m, enc)) {
            Ok(added) => {
                ctx.dirty(1 + usize::from(added == Some(true)));
                Ok(true)
            }
            Err(e) => {
                // The destination changed type since it was checked: put
                // the member back, so the failed command changes nothing.
                let _ = db.write::<Set, _>(&self.src, true, |s| s.insert(m, enc));
                Err(e)
            }
        }
    }
}
