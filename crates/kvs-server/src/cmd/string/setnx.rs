//! `SETNX key value`: set only if absent; 1 if set.

use crate::keyspace::{Action, Expiry};
use bytes::Bytes;

use crate::cmd::{own, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::value::Value;

pub(crate) struct SetNx {
    key: Bytes,
    value: Bytes,
}

impl SetNx {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        Ok(SetNx { key, value })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let value = own(&self.value);
        let set = ctx.db().compute(&self.key, |e| match e {
            Some(_) => (Action::Keep, false),
            None => (Action::Set(Value::Str(value), Expiry::Never), true),
        });
        Some(match set {
            Ok(set) => {
                ctx.dirty(usize::from(set));
                Frame::Integer(i64::from(set))
            }
            Err(e) => e.into(),
        })
    }
}
