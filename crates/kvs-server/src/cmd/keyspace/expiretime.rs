//! `EXPIRETIME key` and `PEXPIRETIME key`: the absolute Unix expiry time,
//! -1 without a TTL, -2 if missing.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::keyspace::unix_millis;
use crate::parse::{Parse, ParseError};

pub(crate) struct ExpireTime {
    key: Bytes,
    millis: bool,
}

impl ExpireTime {
    pub(crate) fn parse_expiretime(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(ExpireTime { key, millis: false })
    }

    pub(crate) fn parse_pexpiretime(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(ExpireTime { key, millis: true })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match ctx.db().expires_at(&self.key) {
            None => Frame::Integer(-2),
            Some(None) => Frame::Integer(-1),
            Some(Some(t)) => {
                let ms = unix_millis(t);
                Frame::Integer(if self.millis { ms } else { (ms + 500) / 1000 })
            }
        })
    }
}
