//! `MSETNX key value [key value ...]`: set all only if none exists, atomically.

use bytes::Bytes;

use super::mset::pairs;
use super::{store_error, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::value::Value;

pub(crate) struct MsetNx {
    pairs: Vec<(Bytes, Value)>,
}

impl MsetNx {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        Ok(MsetNx { pairs: pairs(p)? })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let n = self.pairs.len();
        Some(match ctx.db().batch_set_nx(self.pairs) {
            Ok(true) => {
                ctx.dirty(n);
                Frame::Integer(1)
            }
            Ok(false) => Frame::Integer(0),
            Err(e) => store_error(e),
        })
    }
}
