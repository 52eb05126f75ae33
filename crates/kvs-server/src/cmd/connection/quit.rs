//! `QUIT`: OK, then the server closes the connection.

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Quit;

impl Quit {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        // Redis ignores QUIT's arguments.
        let _ = p.rest();
        Ok(Quit)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        ctx.session.close = true;
        Some(Frame::ok())
    }
}
