//! `PSETEX key milliseconds value`.

use bytes::Bytes;

use super::setex::set_with;
use super::{Ctx, ExpireArg};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct PSetEx {
    key: Bytes,
    millis: i64,
    value: Bytes,
}

impl PSetEx {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let millis = p.next_bytes()?;
        let value = p.next_bytes()?;
        p.finish()?;
        let millis = crate::parse::parse_i64(&millis).ok_or(ParseError::NotInteger)?;
        Ok(PSetEx { key, millis, value })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(set_with(
            ctx,
            &self.key,
            &self.value,
            ExpireArg::Px(self.millis),
            "psetex",
        ))
    }
}
