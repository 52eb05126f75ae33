//! `TYPE key`: the name of the key's type, or `none` if missing.

use std::borrow::Cow;

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Type {
    key: Bytes,
}

impl Type {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(Type { key })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let t = ctx.db().kind(&self.key).map_or("none", |k| k.name());
        Some(Frame::Simple(Cow::Borrowed(t)))
    }
}
