//! `TTL key` and `PTTL key`: time left, -1 without a TTL, -2 if missing.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Ttl {
    key: Bytes,
    millis: bool,
}

impl Ttl {
    pub(crate) fn parse_ttl(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Ttl { key, millis: false })
    }

    pub(crate) fn parse_pttl(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Ttl { key, millis: true })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match ctx.db().ttl(&self.key) {
            None => Frame::Integer(-2),
            Some(None) => Frame::Integer(-1),
            Some(Some(d)) => {
                // Whole milliseconds, rounded up: a key set with PX 100 reads
                // 100 at once, as in Redis, whose clock has ms resolution.
                let ms = d.as_nanos().div_ceil(1_000_000) as i64;
                Frame::Integer(if self.millis { ms } else { (ms + 500) / 1000 })
            }
        })
    }
}
