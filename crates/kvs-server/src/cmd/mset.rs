//! `MSET key value [key value ...]`: set all, atomically.

use bytes::Bytes;

use super::{own, store_error, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::value::Value;

pub(crate) struct Mset {
    pairs: Vec<(Bytes, Value)>,
}

/// Reads `key value` pairs (MSET, MSETNX).
pub(crate) fn pairs(p: &mut Parse) -> Result<Vec<(Bytes, Value)>, ParseError> {
    if p.remaining() == 0 || p.remaining() % 2 != 0 {
        return Err(ParseError::WrongArity);
    }
    let mut out = Vec::with_capacity(p.remaining() / 2);
    while let Some(k) = p.try_next() {
        let v = p.next_bytes()?;
        out.push((k, own(&v)));
    }
    Ok(out)
}

impl Mset {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        Ok(Mset { pairs: pairs(p)? })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let n = self.pairs.len();
        Some(match ctx.db().batch_set(self.pairs) {
            Ok(_) => {
                ctx.dirty(n);
                Frame::ok()
            }
            Err(e) => store_error(e),
        })
    }
}
