//! `SISMEMBER key member` (1 or 0) and `SMISMEMBER key member [member
//! ...]` (an array of 1s and 0s, in the members' order). A missing key is
//! an empty set.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Set;

pub(crate) struct IsMember {
    key: Bytes,
    members: Vec<Bytes>,
    /// `SMISMEMBER`: reply with an array.
    many: bool,
}

impl IsMember {
    pub(crate) fn parse_sismember(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let member = p.next_bytes()?;
        p.finish()?;
        Ok(IsMember {
            key,
            members: vec![member],
            many: false,
        })
    }

    pub(crate) fn parse_smismember(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let members = p.rest();
        if members.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(IsMember {
            key,
            members,
            many: true,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let r = ctx.db().read::<Set, _>(&self.key, |s| {
            self.members
                .iter()
                .map(|m| s.contains(m))
                .collect::<Vec<_>>()
        });
        let found = match r {
            Ok(found) => found,
            Err(e) => return Some(e.into()),
        };
        ctx.hit(found.is_some());
        let found = found.unwrap_or_else(|| vec![false; self.members.len()]);
        let mut ints = found.into_iter().map(|f| Frame::Integer(i64::from(f)));
        Some(if self.many {
            Frame::Array(ints.collect())
        } else {
            ints.next().expect("one member")
        })
    }
}
