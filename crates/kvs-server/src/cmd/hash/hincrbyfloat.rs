//! `HINCRBYFLOAT key field increment`: add to a field's float value (a
//! missing field counts as 0); replies the new value as a bulk string in
//! both protocols.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_f64, Parse, ParseError};
use crate::types::Hash;

pub(crate) struct HIncrByFloat {
    key: Bytes,
    field: Bytes,
    by: f64,
}

/// Why the addition failed (the hash is left as it was).
enum Fail {
    NotFloat,
    NotFinite,
}

impl HIncrByFloat {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let field = p.next_bytes()?;
        let by = p.next_bytes()?;
        p.finish()?;
        let by = parse_f64(&by).ok_or(ParseError::NotFloat)?;
        if !by.is_finite() {
            return Err(ParseError::Other("ERR value is NaN or Infinity".into()));
        }
        Ok(HIncrByFloat { key, field, by })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let r = ctx.db().write::<Hash, _>(&self.key, true, |h| {
            let old = match h.get(&self.field) {
                None => 0.0,
                Some(v) => parse_f64(v).ok_or(Fail::NotFloat)?,
            };
            let n = old + self.by;
            if !n.is_finite() {
                return Err(Fail::NotFinite);
            }
            let text = human(n);
            h.insert(&self.field, text.as_bytes(), enc);
            Ok(text)
        });
        Some(match r {
            Ok(Some(Ok(text))) => {
                ctx.dirty(1);
                Frame::Bulk(Bytes::from(text))
            }
            Ok(Some(Err(Fail::NotFloat))) => Frame::err("ERR hash value is not a float"),
            Ok(Some(Err(Fail::NotFinite))) => {
                Frame::err("ERR increment would produce NaN or Infinity")
            }
            Ok(None) => unreachable!("write with create runs the closure"),
            Err(e) => e.into(),
        })
    }
}

/// A finite value as Redis's `ld2string(.., LD_STR_HUMAN)` writes it: no
/// exponent, at most 17 decimals, trailing zeros trimmed, `-0` as `0`.
/// (Redis adds in `long double`; this adds in `f64`, so results needing
/// more than `f64`'s precision can differ in their last digits.)
fn human(n: f64) -> String {
    let mut s = format!("{n}");
    if s.find('.').is_some_and(|dot| s.len() - dot - 1 > 17) {
        s = format!("{n:.17}");
        let trimmed = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(trimmed);
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn human_format_matches_redis() {
        // Each pair: what real Redis 7.0 replied for that sum.
        assert_eq!(human(1.5), "1.5");
        assert_eq!(human(3000.0), "3000");
        assert_eq!(human(1e-10), "0.0000000001");
        assert_eq!(human(1e-20), "0");
        assert_eq!(human(1.5e-17), "0.00000000000000002");
        assert_eq!(human(-0.0), "0");
        assert_eq!(human(-1.5), "-1.5");
        assert_eq!(human(1e17), "100000000000000000");
        assert_eq!(human(1e20), "100000000000000000000");
    }
}
