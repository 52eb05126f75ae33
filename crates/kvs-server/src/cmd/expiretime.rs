//! `EXPIRETIME key` and `PEXPIRETIME key`: the absolute Unix expiry time,
//! -1 without a TTL, -2 if missing.

use bytes::Bytes;

use super::{store_error, Ctx};
use crate::db::unix_millis;
use crate::frame::Frame;
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
            Err(kvs::Error::NotFound) => Frame::Integer(-2),
            Err(e) => store_error(e),
            Ok(None) => Frame::Integer(-1),
            Ok(Some(t)) => {
                let ms = unix_millis(t);
                Frame::Integer(if self.millis { ms } else { (ms + 500) / 1000 })
            }
        })
    }
}
