//! `GETSET key value`: set, returning the old value (and dropping any TTL).

use crate::keyspace::{Action, Expiry};
use bytes::Bytes;

use crate::cmd::{own, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::value::Str;

pub(crate) struct GetSet {
    key: Bytes,
    value: Bytes,
}

impl GetSet {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        Ok(GetSet { key, value })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let value = own(&self.value);
        let old = ctx.db().compute_str(&self.key, |e| {
            (
                Action::Set(value, Expiry::Never),
                e.map(|e| Str::from(e.value())),
            )
        });
        Some(match old {
            Ok(old) => {
                ctx.dirty(1);
                old.map_or(Frame::Null, Frame::Str)
            }
            Err(e) => e.into(),
        })
    }
}
