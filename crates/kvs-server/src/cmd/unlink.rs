//! `UNLINK key [key ...]`: DEL (values are freed in place either way: a
//! value is one allocation, so there is nothing to defer).

use bytes::Bytes;

use super::del::delete_keys;
use super::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct Unlink {
    keys: Vec<Bytes>,
}

impl Unlink {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        if p.remaining() == 0 {
            return Err(ParseError::WrongArity);
        }
        Ok(Unlink { keys: p.rest() })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(delete_keys(ctx, &self.keys))
    }
}
