//! `SINTERCARD numkeys key [key ...] [LIMIT limit]`: the size of the
//! intersection, counting no further than `limit` (0: no limit).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{is, parse_i64, Parse, ParseError};

use super::algebra::intersect;

pub(crate) struct SinterCard {
    keys: Vec<Bytes>,
    limit: usize,
}

/// `numkeys` read as Redis reads it: at least 1, at most the arguments
/// after it.
fn numkeys(arg: &[u8], after: usize) -> Result<usize, &'static str> {
    let n = parse_i64(arg)
        .filter(|&n| n > 0)
        .ok_or("ERR numkeys should be greater than 0")?;
    if n as u64 > after as u64 {
        return Err("ERR Number of keys can't be greater than number of args");
    }
    Ok(n as usize)
}

/// The key positions in a request, for `COMMAND GETKEYS`. Redis reads
/// `numkeys` there with C's `atoi` (leading digits, truncated to an `int`),
/// not as the command itself does: so does this.
pub(crate) fn keys(args: &[Bytes]) -> Result<Vec<usize>, &'static str> {
    let n = args.get(1).map_or(0, |a| atoi(a));
    let after = args.len().saturating_sub(2);
    if n < 1 || n as usize > after {
        return Err("ERR Invalid arguments specified for command");
    }
    Ok((2..2 + n as usize).collect())
}

/// C's `atoi` as glibc has it: `(int) strtol(s, NULL, 10)`.
fn atoi(s: &[u8]) -> i32 {
    let s = s.trim_ascii_start();
    let (neg, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        // strtol saturates at the long range.
        v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    let v = if neg { v.saturating_neg() } else { v };
    v as i32
}

impl SinterCard {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let n = p.next_bytes()?;
        let mut rest = p.rest();
        let n = numkeys(&n, rest.len()).map_err(|e| ParseError::Other(e.into()))?;
        let opts = rest.split_off(n);
        let mut limit = 0;
        let mut opts = opts.iter();
        while let Some(opt) = opts.next() {
            if !is(opt, "limit") || opts.len() == 0 {
                return Err(ParseError::Syntax);
            }
            let arg = opts.next().expect("checked");
            limit = parse_i64(arg)
                .and_then(|l| usize::try_from(l).ok())
                .ok_or_else(|| ParseError::Other("ERR LIMIT can't be negative".into()))?;
        }
        Ok(SinterCard { keys: rest, limit })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        Some(match intersect(ctx, &self.keys, self.limit) {
            Ok(m) => Frame::Integer(m.len() as i64),
            Err(e) => e.into(),
        })
    }
}
