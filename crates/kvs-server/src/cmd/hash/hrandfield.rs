//! `HRANDFIELD key [count [WITHVALUES]]`: random fields. A positive count
//! gives distinct fields (at most the whole hash), a negative one `-count`
//! independent picks that may repeat.

use bytes::Bytes;

use crate::cmd::{too_many_repeats, Ctx, MAX_REPEATS};
use crate::frame::Frame;
use crate::parse::{is, parse_i64, Parse, ParseError};
use crate::types::hash::Pair;
use crate::types::Hash;

pub(crate) struct HRandField {
    key: Bytes,
    /// The count, and whether `WITHVALUES` was given.
    count: Option<(i64, bool)>,
}

impl HRandField {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let Some(count) = p.try_next() else {
            return Ok(HRandField { key, count: None });
        };
        // Checked as Redis checks them, in its order, before the key.
        let count = parse_i64(&count).ok_or(ParseError::NotInteger)?;
        if count == i64::MIN {
            return Err(ParseError::Other(
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
                    .into(),
            ));
        }
        let withvalues = match p.try_next() {
            None => false,
            Some(opt) if is(&opt, "withvalues") && p.remaining() == 0 => true,
            Some(_) => return Err(ParseError::Syntax),
        };
        // The reply has 2 * count entries: Redis refuses what would overflow.
        if withvalues && count.unsigned_abs() > (i64::MAX / 2) as u64 {
            return Err(ParseError::Other("ERR value is out of range".into()));
        }
        if count < 0 && count.unsigned_abs() > MAX_REPEATS {
            return Err(too_many_repeats());
        }
        Ok(HRandField {
            key,
            count: Some((count, withvalues)),
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let resp3 = ctx.session.proto >= 3;
        let rng = &mut ctx.session.rng;
        let Some((count, withvalues)) = self.count else {
            let r = db.read::<Hash, _>(&self.key, |h| {
                h.random(rng)
                    .map_or(Frame::Null, |(f, _)| Frame::bulk_from(f))
            });
            ctx.hit(!matches!(r, Ok(None)));
            return Some(r.map_or_else(Frame::from, |f| f.unwrap_or(Frame::Null)));
        };
        let r = db.read::<Hash, _>(&self.key, |h| {
            let mut picks = Vec::new();
            let n = count.unsigned_abs() as usize;
            if count >= 0 {
                h.random_distinct(n, rng, &mut picks);
            } else {
                h.random_repeated(n, rng, &mut picks);
            }
            reply(&picks, withvalues, resp3)
        });
        ctx.hit(!matches!(r, Ok(None)));
        Some(r.map_or_else(Frame::from, |f| f.unwrap_or(Frame::Array(Vec::new()))))
    }
}

/// The fields, or with values a flat array (RESP2) or an array of
/// `[field, value]` arrays (RESP3), as Redis 7.0 replies.
fn reply(picks: &[Pair<'_>], withvalues: bool, resp3: bool) -> Frame {
    Frame::Array(if !withvalues {
        picks.iter().map(|(f, _)| Frame::bulk_from(f)).collect()
    } else if resp3 {
        picks
            .iter()
            .map(|(f, v)| Frame::Array(vec![Frame::bulk_from(f), Frame::bulk_from(v)]))
            .collect()
    } else {
        picks
            .iter()
            .flat_map(|(f, v)| [Frame::bulk_from(f), Frame::bulk_from(v)])
            .collect()
    })
}
