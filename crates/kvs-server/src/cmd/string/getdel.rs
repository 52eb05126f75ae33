//! `GETDEL key`: the value, removing the key.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::keyspace::{Action, KsError};
use crate::parse::{Parse, ParseError};

pub(crate) struct GetDel {
    key: Bytes,
}

impl GetDel {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(GetDel { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let old = match db.compute(&self.key, |e| match e {
            None => (Action::Keep, Ok(None)),
            Some(e) => match e.value().to_str() {
                Some(s) => (Action::Remove, Ok(Some(s))),
                None => (Action::Keep, Err(KsError::WrongType)),
            },
        }) {
            Ok(Ok(old)) => old,
            Ok(Err(e)) | Err(e) => return Some(e.into()),
        };
        ctx.hit(old.is_some());
        if old.is_some() {
            ctx.dirty(1);
        }
        Some(old.map_or(Frame::Null, Frame::Str))
    }
}
