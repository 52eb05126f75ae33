//! `KEYS pattern`: every key matching a glob pattern.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::glob;
use crate::parse::{Parse, ParseError};

pub(crate) struct Keys {
    pattern: Bytes,
}

impl Keys {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let pattern = p.next_bytes()?;
        p.finish()?;
        Ok(Keys { pattern })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let keys = match ctx.db().keys() {
            Ok(k) => k,
            Err(e) => return Some(e.into()),
        };
        let all = &self.pattern[..] == b"*";
        Some(Frame::Array(
            keys.into_iter()
                .filter(|k| all || glob::matches(&self.pattern, k, false))
                .map(|k| Frame::Bulk(k.into()))
                .collect(),
        ))
    }
}
