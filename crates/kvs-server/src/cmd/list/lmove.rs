//! `LMOVE source destination LEFT|RIGHT LEFT|RIGHT` and `RPOPLPUSH source
//! destination` (LMOVE RIGHT LEFT): pop an element from one list and push
//! it onto another (the same list: rotate); the reply is the element, nil
//! if the source is missing. Both types are checked before anything moves.

use bytes::Bytes;

use crate::blocking::{move_element, End, Moved};
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::keyspace::KsError;
use crate::parse::{Parse, ParseError};

pub(crate) struct Lmove {
    pub(super) src: Bytes,
    pub(super) dst: Bytes,
    pub(super) from: End,
    pub(super) to: End,
}

/// `LEFT` or `RIGHT`, else a syntax error.
pub(super) fn end(p: &mut Parse) -> Result<End, ParseError> {
    End::parse(&p.next_bytes()?).ok_or(ParseError::Syntax)
}

impl Lmove {
    pub(crate) fn parse_lmove(p: &mut Parse) -> Result<Self, ParseError> {
        let src = p.next_bytes()?;
        let dst = p.next_bytes()?;
        let from = end(p)?;
        let to = end(p)?;
        p.finish()?;
        Ok(Lmove { src, dst, from, to })
    }

    pub(crate) fn parse_rpoplpush(p: &mut Parse) -> Result<Self, ParseError> {
        let src = p.next_bytes()?;
        let dst = p.next_bytes()?;
        p.finish()?;
        Ok(Lmove {
            src,
            dst,
            from: End::Right,
            to: End::Left,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match self.run(ctx) {
            Moved::NoSource => Frame::Null,
            Moved::SourceWrongType | Moved::DestWrongType => KsError::WrongType.into(),
            Moved::Done(v) => Frame::Str(v),
        })
    }

    /// The move, with its bookkeeping: dirty count and serving the clients
    /// blocked on the destination.
    pub(super) fn run(&self, ctx: &mut Ctx<'_>) -> Moved {
        let enc = ctx.shared.keyspace.encodings();
        let r = move_element(&ctx.db(), enc, &self.src, &self.dst, self.from, self.to);
        if let Moved::Done(_) = r {
            ctx.dirty(2);
            super::signal(ctx, &self.dst);
        }
        r
    }
}
