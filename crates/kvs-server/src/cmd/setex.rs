//! `SETEX key seconds value`.

use bytes::Bytes;

use super::{invalid_expire, own, store_error, Ctx, ExpireArg};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct SetEx {
    key: Bytes,
    seconds: i64,
    value: Bytes,
}

impl SetEx {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let seconds = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        let seconds = crate::parse::parse_i64(&seconds).ok_or(ParseError::NotInteger)?;
        Ok(SetEx {
            key,
            seconds,
            value,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(set_with(
            ctx,
            &self.key,
            &self.value,
            ExpireArg::Ex(self.seconds),
            "setex",
        ))
    }
}

/// Stores `value` under `key` with the expiry `arg` (SETEX and PSETEX).
pub(crate) fn set_with(
    ctx: &mut Ctx<'_>,
    key: &Bytes,
    value: &Bytes,
    arg: ExpireArg,
    name: &str,
) -> Frame {
    let Some(expiry) = arg.to_expiry(ctx.shared.dbs.now_millis()) else {
        return invalid_expire(name);
    };
    let value = own(value);
    match ctx
        .db()
        .compute(key, |_| (kvs::Action::Set(value, expiry), ()))
    {
        Ok(()) => {
            ctx.dirty(1);
            Frame::ok()
        }
        Err(kvs::Error::InvalidTTL) => invalid_expire(name),
        Err(e) => store_error(e),
    }
}
