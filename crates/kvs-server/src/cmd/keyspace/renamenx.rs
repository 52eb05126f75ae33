//! `RENAMENX key newkey`: RENAME only if `newkey` does not exist; 1 if renamed.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct RenameNx {
    from: Bytes,
    to: Bytes,
}

impl RenameNx {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let from = p.next_bytes()?;
        let to = p.next_bytes()?;
        p.finish()?;
        Ok(RenameNx { from, to })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        if self.from == self.to {
            // Redis: renaming a key onto itself with NX is "not renamed".
            return Some(if ctx.db().exists(&self.from) {
                Frame::Integer(0)
            } else {
                Frame::err("ERR no such key")
            });
        }
        Some(match ctx.db().rename_nx(&self.from, &self.to) {
            Ok(Some(done)) => {
                ctx.dirty(usize::from(done));
                Frame::Integer(i64::from(done))
            }
            Ok(None) => Frame::err("ERR no such key"),
            Err(e) => e.into(),
        })
    }
}
