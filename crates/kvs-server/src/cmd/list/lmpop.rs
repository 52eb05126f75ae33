//! `LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]`: pop up to `count`
//! elements from the first non-empty list; the reply is `[key, [elements]]`,
//! or the null array if every key is missing.

use bytes::Bytes;

use crate::blocking::{mpop_reply, End};
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, parse_i64, Parse, ParseError};
use crate::types::List;

pub(crate) struct Lmpop {
    pub(super) keys: Vec<Bytes>,
    pub(super) end: End,
    pub(super) count: usize,
}

/// What LMPOP/BLMPOP do when the first non-empty key is found.
pub(super) enum Found {
    /// Popped from this key.
    Popped(Frame),
    /// Every key is missing.
    Nothing,
}

impl Lmpop {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse_args(p.rest())
    }

    /// `numkeys key... LEFT|RIGHT [COUNT count]`, checked in Redis's order.
    pub(super) fn parse_args(args: Vec<Bytes>) -> Result<Self, ParseError> {
        let numkeys = args
            .first()
            .and_then(|n| parse_i64(n))
            .filter(|n| *n > 0)
            .ok_or_else(|| ParseError::Other("ERR numkeys should be greater than 0".into()))?;
        let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
        if numkeys >= args.len() - 1 {
            return Err(ParseError::Syntax);
        }
        let end = End::parse(&args[numkeys + 1]).ok_or(ParseError::Syntax)?;
        let mut count = None;
        let mut opts = args[numkeys + 2..].iter();
        while let Some(opt) = opts.next() {
            match opts.next() {
                Some(n) if count.is_none() && is(opt, "count") => {
                    let n = parse_i64(n).filter(|n| *n > 0).ok_or_else(|| {
                        ParseError::Other("ERR count should be greater than 0".into())
                    })?;
                    count = Some(usize::try_from(n).unwrap_or(usize::MAX));
                }
                _ => return Err(ParseError::Syntax),
            }
        }
        let mut args = args;
        args.truncate(numkeys + 1);
        args.remove(0);
        Ok(Lmpop {
            keys: args,
            end,
            count: count.unwrap_or(1),
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match self.pop(ctx) {
            Found::Popped(f) => f,
            Found::Nothing => Frame::NullArray,
        })
    }

    /// Pops from the first key that exists (an error reply if it is not a
    /// list).
    pub(super) fn pop(&self, ctx: &mut Ctx<'_>) -> Found {
        let (end, count) = (self.end, self.count);
        for key in &self.keys {
            let r = ctx.db().write::<List, _>(key, false, |l| {
                let n = count.min(l.len());
                (0..n).filter_map(|_| end.pop(l)).collect::<Vec<_>>()
            });
            match r {
                Ok(None) => continue,
                Ok(Some(vs)) => {
                    ctx.dirty(vs.len());
                    return Found::Popped(mpop_reply(key.clone(), &vs));
                }
                Err(e) => return Found::Popped(e.into()),
            }
        }
        Found::Nothing
    }
}
