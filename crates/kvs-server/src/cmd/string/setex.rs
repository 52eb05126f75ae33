//! `SETEX key seconds value`, `PSETEX key milliseconds value`.

use bytes::Bytes;

use crate::cmd::{invalid_expire, own, Ctx, ExpireArg};
use crate::frame::Frame;
use crate::keyspace::KsError;
use crate::parse::{Parse, ParseError};

pub(crate) struct SetEx {
    name: &'static str,
    key: Bytes,
    expire: ExpireArg,
    value: Bytes,
}

impl SetEx {
    pub(crate) fn parse_setex(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, "setex")
    }

    pub(crate) fn parse_psetex(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, "psetex")
    }

    fn parse(p: &mut Parse, name: &'static str) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let time = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        let time = crate::parse::parse_i64(&time).ok_or(ParseError::NotInteger)?;
        let expire = if name == "setex" {
            ExpireArg::Ex(time)
        } else {
            ExpireArg::Px(time)
        };
        Ok(SetEx {
            name,
            key,
            expire,
            value,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let Some(expiry) = self.expire.to_expiry(ctx.shared.keyspace.now_millis()) else {
            return Some(invalid_expire(self.name));
        };
        Some(
            match ctx
                .db()
                .set_with_expiry(&self.key, own(&self.value), expiry)
            {
                Ok(()) => {
                    ctx.dirty(1);
                    Frame::ok()
                }
                Err(KsError::InvalidTtl) => invalid_expire(self.name),
                Err(e) => e.into(),
            },
        )
    }
}
