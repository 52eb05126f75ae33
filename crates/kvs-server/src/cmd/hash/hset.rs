//! `HSET key field value [field value ...]` and its older form `HMSET`
//! (same arguments, replies `OK` instead of the number of new fields).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Hash;

pub(crate) struct HSet {
    key: Bytes,
    /// Field, value, field, value, ... (an even number, at least 2).
    pairs: Vec<Bytes>,
    /// `HMSET`: reply `OK`.
    ok: bool,
}

impl HSet {
    fn parse(p: &mut Parse, ok: bool) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let pairs = p.rest();
        // Redis checks the pairing itself, with the arity error text, so an
        // odd number of arguments changes nothing.
        if pairs.is_empty() || pairs.len() % 2 != 0 {
            return Err(ParseError::WrongArity);
        }
        Ok(HSet { key, pairs, ok })
    }

    pub(crate) fn parse_hset(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, false)
    }

    pub(crate) fn parse_hmset(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, true)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let enc = ctx.shared.keyspace.encodings();
        let r = ctx.db().write::<Hash, _>(&self.key, true, |h| {
            self.pairs
                .chunks_exact(2)
                .filter(|p| h.insert(&p[0], &p[1], enc))
                .count()
        });
        Some(match r {
            Ok(created) => {
                // Redis counts every pair given as a change.
                ctx.dirty(self.pairs.len() / 2);
                if self.ok {
                    Frame::ok()
                } else {
                    Frame::Integer(created.unwrap_or(0) as i64)
                }
            }
            Err(e) => e.into(),
        })
    }
}
