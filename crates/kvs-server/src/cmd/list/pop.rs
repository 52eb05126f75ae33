//! `LPOP key [count]`, `RPOP key [count]`: remove and return elements from
//! the head or tail. Without a count the reply is one element (nil if the
//! key is missing); with one, an array of up to `count` (the null array if
//! the key is missing, an empty array for count 0 on a list).

use bytes::Bytes;

use crate::blocking::End;
use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_i64, Parse, ParseError};
use crate::types::List;

pub(crate) struct Pop {
    key: Bytes,
    count: Option<usize>,
    end: End,
}

impl Pop {
    fn parse(p: &mut Parse, end: End) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let count = match p.try_next() {
            None => None,
            Some(c) => {
                p.finish()?;
                match parse_i64(&c) {
                    Some(n) if n >= 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
                    _ => {
                        return Err(ParseError::Other(
                            "ERR value is out of range, must be positive".into(),
                        ))
                    }
                }
            }
        };
        Ok(Pop { key, count, end })
    }

    pub(crate) fn parse_lpop(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, End::Left)
    }

    pub(crate) fn parse_rpop(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, End::Right)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let end = self.end;
        let Some(count) = self.count else {
            return Some(
                match ctx.db().write::<List, _>(&self.key, false, |l| end.pop(l)) {
                    Ok(Some(Some(v))) => {
                        ctx.dirty(1);
                        ctx.hit(true);
                        Frame::Str(v)
                    }
                    Ok(_) => {
                        ctx.hit(false);
                        Frame::Null
                    }
                    Err(e) => e.into(),
                },
            );
        };
        let r = ctx.db().write::<List, _>(&self.key, false, |l| {
            let n = count.min(l.len());
            (0..n)
                .filter_map(|_| end.pop(l).map(Frame::Str))
                .collect::<Vec<_>>()
        });
        Some(match r {
            Ok(Some(items)) => {
                ctx.dirty(items.len());
                ctx.hit(true);
                Frame::Array(items)
            }
            Ok(None) => {
                ctx.hit(false);
                Frame::NullArray
            }
            Err(e) => e.into(),
        })
    }
}
