//! `LINSERT key BEFORE|AFTER pivot element`: insert next to the first
//! `pivot`; the new length, -1 if `pivot` is not there, 0 if the key is
//! missing.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};
use crate::types::List;

pub(crate) struct Linsert {
    key: Bytes,
    before: bool,
    pivot: Bytes,
    value: Bytes,
}

impl Linsert {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let place = p.next_bytes()?;
        let pivot = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        let before = if is(&place, "before") {
            true
        } else if is(&place, "after") {
            false
        } else {
            return Err(ParseError::Syntax);
        };
        Ok(Linsert {
            key,
            before,
            pivot,
            value,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let (before, pivot, value) = (self.before, &self.pivot, &self.value);
        let r = ctx
            .db()
            .write::<List, _>(&self.key, false, |l| l.insert(before, pivot, value, enc));
        Some(match r {
            Ok(None) => Frame::Integer(0),
            Ok(Some(None)) => Frame::Integer(-1),
            Ok(Some(Some(n))) => {
                ctx.dirty(1);
                Frame::Integer(n as i64)
            }
            Err(e) => e.into(),
        })
    }
}
