//! `PING [message]`: PONG, or the message.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Ping {
    msg: Option<Bytes>,
}

impl Ping {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let msg = p.try_next();
        p.finish()?;
        Ok(Ping { msg })
    }

    pub(crate) fn apply(self, _ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match self.msg {
            None => Frame::Simple("PONG".into()),
            Some(m) => Frame::Bulk(m),
        })
    }
}
