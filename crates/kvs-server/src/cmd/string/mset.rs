//! `MSET key value [key value ...]`: set all, atomically; `MSETNX ...`:
//! set all only if none of the keys exists (one family in Redis's docs).

use bytes::Bytes;

use crate::cmd::{own, Ctx};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::value::Str;

pub(crate) struct Mset {
    pairs: Vec<(Bytes, Str)>,
    nx: bool,
}

/// Reads `key value` pairs.
fn pairs(p: &mut Parse) -> Result<Vec<(Bytes, Str)>, ParseError> {
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
    pub(crate) fn parse_mset(p: &mut Parse) -> Result<Self, ParseError> {
        Ok(Mset {
            pairs: pairs(p)?,
            nx: false,
        })
    }

    pub(crate) fn parse_msetnx(p: &mut Parse) -> Result<Self, ParseError> {
        Ok(Mset {
            pairs: pairs(p)?,
            nx: true,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let n = self.pairs.len();
        let db = ctx.db();
        Some(if self.nx {
            match db.set_many_nx(self.pairs) {
                Ok(true) => {
                    ctx.dirty(n);
                    Frame::Integer(1)
                }
                Ok(false) => Frame::Integer(0),
                Err(e) => e.into(),
            }
        } else {
            match db.set_many(self.pairs) {
                Ok(()) => {
                    ctx.dirty(n);
                    Frame::ok()
                }
                Err(e) => e.into(),
            }
        })
    }
}
