//! `SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]`.
//!
//! The cursor is a shard index: each call returns whole shards (at least
//! COUNT keys, or the rest), so every key present for the whole scan is
//! returned, exactly once unless it moves, whatever is written meanwhile.

use crate::cmd::Ctx;
use crate::cmd::ScanArgs;
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};
use crate::value::Kind;

pub(crate) struct Scan {
    args: ScanArgs,
    /// `TYPE t`: only keys of this type (`Err` for a name no type has:
    /// nothing matches, as in Redis).
    kind: Option<Result<Kind, ()>>,
}

impl Scan {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let mut kind = None;
        let args = ScanArgs::parse(p, |opt, arg| {
            if is(opt, "type") {
                kind = Some(Kind::from_name(arg).ok_or(()));
                true
            } else {
                false
            }
        })?;
        Ok(Scan { args, kind })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let shards = db.num_shards() as u64;
        let mut shard = self.args.cursor;
        let mut out = Vec::new();
        while shard < shards && out.len() < self.args.count {
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
                    .filter(|k| self.args.matches(k))
                    .filter(|k| match self.kind {
                        Some(Ok(kind)) => db.kind(k) == Some(kind),
                        _ => true,
                    })
                    .map(|k| Frame::Bulk(k.into())),
            );
        }
        let next = if shard >= shards { 0 } else { shard };
        Some(ScanArgs::reply(next, out))
    }
}
