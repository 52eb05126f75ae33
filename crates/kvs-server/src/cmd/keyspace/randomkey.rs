//! `RANDOMKEY`: a random key, or nil if the database is empty.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct RandomKey;

impl RandomKey {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        p.finish()?;
        Ok(RandomKey)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let shards = db.num_shards();
        let start = ctx.session.rng.below(shards);
        for i in 0..shards {
            let keys = match db.shard_keys((start + i) % shards) {
                Ok(k) => k,
                Err(e) => return Some(e.into()),
            };
            if !keys.is_empty() {
                let pick = ctx.session.rng.below(keys.len());
                let key: Bytes = keys.into_iter().nth(pick).expect("in range").into();
                return Some(Frame::Bulk(key));
            }
        }
        Some(Frame::Null)
    }
}
