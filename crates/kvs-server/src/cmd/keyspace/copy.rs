//! `COPY source destination [DB destination-db] [REPLACE]`: copies the value
//! and TTL; 1 if copied.

use crate::keyspace::{Action, Expiry};
use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, parse_i64, Parse, ParseError};

pub(crate) struct Copy {
    from: Bytes,
    to: Bytes,
    db: Option<i64>,
    replace: bool,
}

impl Copy {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let from = p.next_bytes()?;
        let to = p.next_bytes()?;
        let mut c = Copy {
            from,
            to,
            db: None,
            replace: false,
        };
        while let Some(opt) = p.try_next() {
            if is(&opt, "replace") {
                c.replace = true;
            } else if is(&opt, "db") {
                let n = p.try_next().ok_or(ParseError::Syntax)?;
                c.db = Some(parse_i64(&n).ok_or(ParseError::NotInteger)?);
            } else {
                return Err(ParseError::Syntax);
            }
        }
        Ok(c)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let target = match self.db {
            None => ctx.session.db,
            Some(n) if n >= 0 && (n as usize) < ctx.shared.keyspace.len() => n as usize,
            Some(_) => return Some(Frame::err("ERR DB index is out of range")),
        };
        if target == ctx.session.db && self.from == self.to {
            return Some(Frame::err(
                "ERR source and destination objects are the same",
            ));
        }
        let Some((value, at)) = ctx.db().value_with_expiry(&self.from) else {
            return Some(Frame::Integer(0));
        };
        let replace = self.replace;
        let expiry = at.map_or(Expiry::Never, Expiry::At);
        let r = ctx.shared.keyspace.db(target).compute(&self.to, |e| {
            if e.is_some() && !replace {
                (Action::Keep, false)
            } else {
                (Action::Set(value, expiry), true)
            }
        });
        Some(match r {
            Ok(done) => {
                ctx.dirty(usize::from(done));
                Frame::Integer(i64::from(done))
            }
            Err(e) => e.into(),
        })
    }
}
