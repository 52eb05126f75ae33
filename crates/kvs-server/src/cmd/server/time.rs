//! `TIME`: the server's clock, as [seconds, microseconds] strings.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Time;

impl Time {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        p.finish()?;
        Ok(Time)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let d = ctx
            .shared
            .keyspace
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Some(Frame::Array(vec![
            Frame::Bulk(Bytes::from(d.as_secs().to_string())),
            Frame::Bulk(Bytes::from(d.subsec_micros().to_string())),
        ]))
    }
}
