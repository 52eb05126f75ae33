//! `LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]`: the
//! indexes of matching elements. Without COUNT, one index or nil; with it,
//! an array. The options are checked before the key, with Redis 7.0's
//! texts.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, parse_i64, Parse, ParseError};
use crate::types::List;

pub(crate) struct Lpos {
    key: Bytes,
    value: Bytes,
    rank: i64,
    count: Option<usize>,
    maxlen: usize,
}

const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

impl Lpos {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let value = p.next_bytes()?;
        let mut lpos = Lpos {
            key,
            value,
            rank: 1,
            count: None,
            maxlen: 0,
        };
        let non_negative = |arg: &[u8], what: &str| {
            parse_i64(arg)
                .filter(|n| *n >= 0)
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
                .ok_or_else(|| ParseError::Other(format!("ERR {what} can't be negative")))
        };
        while let Some(opt) = p.try_next() {
            let arg = p.try_next().ok_or(ParseError::Syntax)?;
            if is(&opt, "rank") {
                let rank = parse_i64(&arg).ok_or(ParseError::NotInteger)?;
                if rank == 0 {
                    return Err(ParseError::Other(RANK_ZERO.into()));
                }
                // Redis 7.0 negates LLONG_MIN to itself and so takes the
                // first match from the tail.
                lpos.rank = if rank == i64::MIN { -1 } else { rank };
            } else if is(&opt, "count") {
                lpos.count = Some(non_negative(&arg, "COUNT")?);
            } else if is(&opt, "maxlen") {
                lpos.maxlen = non_negative(&arg, "MAXLEN")?;
            } else {
                return Err(ParseError::Syntax);
            }
        }
        Ok(lpos)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let (rank, maxlen) = (self.rank, self.maxlen);
        let count = self.count.unwrap_or(1);
        let value = &self.value;
        let r = ctx
            .db()
            .read::<List, _>(&self.key, |l| l.position(value, rank, count, maxlen));
        let found = match r {
            Ok(found) => found.unwrap_or_default(),
            Err(e) => return Some(e.into()),
        };
        Some(match self.count {
            Some(_) => Frame::Array(
                found
                    .into_iter()
                    .map(|i| Frame::Integer(i as i64))
                    .collect(),
            ),
            None => found
                .first()
                .map_or(Frame::Null, |&i| Frame::Integer(i as i64)),
        })
    }
}
