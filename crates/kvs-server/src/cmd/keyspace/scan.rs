//! `SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]`.
//!
//! The cursor is a shard index: each call returns whole shards (at least
//! COUNT keys, or the rest), so every key present for the whole scan is
//! returned, exactly once unless it moves, whatever is written meanwhile.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::glob;
use crate::parse::{is, parse_i64, Parse, ParseError};
use crate::value::Kind;

pub(crate) struct Scan {
    cursor: u64,
    pattern: Option<Bytes>,
    count: usize,
    /// `TYPE t`: only keys of this type (`Err` for a name no type has:
    /// nothing matches, as in Redis).
    kind: Option<Result<Kind, ()>>,
}

impl Scan {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let cursor = p.next_bytes()?;
        let cursor = std::str::from_utf8(&cursor)
            .ok()
            .and_then(|c| c.parse::<u64>().ok())
            .ok_or_else(|| ParseError::Other("ERR invalid cursor".into()))?;
        let mut s = Scan {
            cursor,
            pattern: None,
            count: 10,
            kind: None,
        };
        while let Some(opt) = p.try_next() {
            let arg = p.try_next().ok_or(ParseError::Syntax)?;
            if is(&opt, "match") {
                s.pattern = Some(arg);
            } else if is(&opt, "count") {
                let n = parse_i64(&arg).ok_or(ParseError::NotInteger)?;
                if n < 1 {
                    return Err(ParseError::Syntax);
                }
                s.count = n as usize;
            } else if is(&opt, "type") {
                s.kind = Some(Kind::from_name(&arg).ok_or(()));
            } else {
                return Err(ParseError::Syntax);
            }
        }
        Ok(s)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let shards = db.num_shards() as u64;
        let mut shard = self.cursor;
        let mut out = Vec::new();
        while shard < shards && out.len() < self.count {
            let keys = match db.shard_keys(shard as usize) {
                Ok(k) => k,
                Err(e) => return Some(e.into()),
            };
            shard += 1;
            if self.kind == Some(Err(())) {
                continue;
            }
            out.extend(
                keys.into_iter()
                    .filter(|k| {
                        self.pattern
                            .as_ref()
                            .is_none_or(|p| glob::matches(p, k, false))
                    })
                    .filter(|k| match self.kind {
                        Some(Ok(kind)) => db.kind(k) == Some(kind),
                        _ => true,
                    })
                    .map(|k| Frame::Bulk(k.into())),
            );
        }
        let next = if shard >= shards { 0 } else { shard };
        Some(Frame::Array(vec![
            Frame::Bulk(Bytes::from(next.to_string())),
            Frame::Array(out),
        ]))
    }
}
