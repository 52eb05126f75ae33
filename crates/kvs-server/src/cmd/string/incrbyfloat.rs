//! `INCRBYFLOAT key increment`: add to a float value, keeping its TTL.

use crate::keyspace::{Action, Expiry};
use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::{format_double, Frame};
use crate::parse::{parse_f64, Parse, ParseError};
use crate::value::Str;

pub(crate) struct IncrByFloat {
    key: Bytes,
    by: f64,
}

enum Fail {
    NotFloat,
    NotFinite,
}

impl IncrByFloat {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let by = p.next_bytes()?;
        p.finish()?;
        let by = parse_f64(&by).ok_or(ParseError::NotFloat)?;
        Ok(IncrByFloat { key, by })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let by = self.by;
        let r = ctx.db().compute_str(&self.key, |e| {
            let old = match e {
                None => 0.0,
                Some(e) => match parse_f64(e.value()) {
                    Some(n) => n,
                    None => return (Action::Keep, Err(Fail::NotFloat)),
                },
            };
            let n = old + by;
            if !n.is_finite() {
                return (Action::Keep, Err(Fail::NotFinite));
            }
            let text = Str::from(format_double(n));
            (Action::Set(text.clone(), Expiry::Keep), Ok(text))
        });
        Some(match r {
            Ok(Ok(text)) => {
                ctx.dirty(1);
                Frame::Str(text)
            }
            Ok(Err(Fail::NotFloat)) => Frame::err("ERR value is not a valid float"),
            Ok(Err(Fail::NotFinite)) => Frame::err("ERR increment would produce NaN or Infinity"),
            Err(e) => e.into(),
        })
    }
}
