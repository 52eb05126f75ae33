//! `MOVE key db`: moves a key (with its TTL) to another database, unless it
//! exists there; 1 if moved.

use crate::keyspace::{Action, Expiry};
use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{parse_i64, Parse, ParseError};

pub(crate) struct Move {
    key: Bytes,
    db: i64,
}

impl Move {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let db = p.next_bytes()?;
        p.finish()?;
        let db = parse_i64(&db).ok_or(ParseError::NotInteger)?;
        Ok(Move { key, db })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        if self.db < 0 || self.db as usize >= ctx.shared.keyspace.len() {
            return Some(Frame::err("ERR DB index is out of range"));
        }
        let target = self.db as usize;
        if target == ctx.session.db {
            return Some(Frame::err(
                "ERR source and destination objects are the same",
            ));
        }
        let Some((value, at)) = ctx.db().value_with_expiry(&self.key) else {
            return Some(Frame::Integer(0));
        };
        let expiry = at.map_or(Expiry::Never, Expiry::At);
        let moved = ctx
            .shared
            .keyspace
            .db(target)
            .compute(&self.key, |e| match e {
                Some(_) => (Action::Keep, false),
                None => (Action::Set(value, expiry), true),
            });
        Some(match moved {
            Ok(true) => {
                ctx.db().delete(&self.key);
                ctx.dirty(1);
                Frame::Integer(1)
            }
            Ok(false) => Frame::Integer(0),
            Err(e) => e.into(),
        })
    }
}
