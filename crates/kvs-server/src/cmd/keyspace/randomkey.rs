//! `RANDOMKEY`: a random key, or nil if the database is empty.

use std::cell::Cell;

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct RandomKey;

thread_local! {
    static SEED: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    t | 1
}

/// xorshift64*: plenty for picking a key, and needs no dependency.
fn random() -> u64 {
    SEED.with(|s| {
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

impl RandomKey {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        p.finish()?;
        Ok(RandomKey)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let db = ctx.db();
        let shards = db.num_shards();
        let start = (random() % shards as u64) as usize;
        for i in 0..shards {
            let keys = match db.shard_keys((start + i) % shards) {
                Ok(k) => k,
                Err(e) => return Some(e.into()),
            };
            if !keys.is_empty() {
                let pick = (random() % keys.len() as u64) as usize;
                let key: Bytes = keys.into_iter().nth(pick).expect("in range").into();
                return Some(Frame::Bulk(key));
            }
        }
        Some(Frame::Null)
    }
}
