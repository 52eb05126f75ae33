//! `TYPE key`: `string`, or `none` if missing (strings are the only type).

use std::borrow::Cow;

use bytes::Bytes;

use super::Ctx;
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
        let t = if ctx.db().exists(&self.key) {
            "string"
        } else {
            "none"
        };
        Some(Frame::Simple(Cow::Borrowed(t)))
    }
}
