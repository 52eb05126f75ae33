//! `SINTER key [key ...]`, `SUNION key [key ...]`, `SDIFF key [key ...]`
//! and their `STORE` forms (`SINTERSTORE destination key [key ...]`, ...):
//! the intersection, union or difference of sets, a missing key being an
//! empty set. The plain forms reply with the members (a set in RESP3); the
//! `STORE` forms replace `destination`, of any type, with the result (no
//! TTL) and reply with its size; an empty result deletes `destination`.
//!
//! Every source's type is checked first (a `WRONGTYPE` anywhere fails the
//! command, whatever comes before it, and changes nothing). Then each set
//! is read under its own read lock, one at a time: the intersection copies
//! the smallest set's members and keeps those found in each of the others,
//! smallest first; the difference copies the first set's members and
//! drops those found in the others.

use std::sync::Arc;

use bytes::Bytes;
use kvs::Key;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::keyspace::{Action, Expiry, KsError};
use crate::parse::{Parse, ParseError};
use crate::types::Set;
use crate::value::Value;

use super::{member_frame, sizes};

#[derive(Clone, Copy)]
enum Op {
    Inter,
    Union,
    Diff,
}

pub(crate) struct Algebra {
    op: Op,
    /// The `STORE` forms' destination.
    dest: Option<Bytes>,
    keys: Vec<Bytes>,
}

/// A result: owned members (intersection, difference) or a set built by
/// inserting (union).
enum Members {
    Keys(Vec<Key>),
    Set(Set),
}

impl Algebra {
    fn parse(p: &mut Parse, op: Op, store: bool) -> Result<Self, ParseError> {
        let dest = if store { Some(p.next_bytes()?) } else { None };
        let keys = p.rest();
        if keys.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(Algebra { op, dest, keys })
    }

    pub(crate) fn parse_sinter(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, Op::Inter, false)
    }

    pub(crate) fn parse_sinterstore(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, Op::Inter, true)
    }

    pub(crate) fn parse_sunion(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, Op::Union, false)
    }

    pub(crate) fn parse_sunionstore(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, Op::Union, true)
    }

    pub(crate) fn parse_sdiff(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, Op::Diff, false)
    }

    pub(crate) fn parse_sdiffstore(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, Op::Diff, true)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let r = match self.op {
            Op::Inter => intersect(ctx, &self.keys, 0).map(Members::Keys),
            Op::Union => union(ctx, &self.keys).map(Members::Set),
            Op::Diff => diff(ctx, &self.keys).map(Members::Keys),
        };
        let members = match r {
            Ok(m) => m,
            Err(e) => return Some(e.into()),
        };
        let Some(dest) = self.dest else {
            return Some(Frame::Set(match members {
                Members::Keys(keys) => keys.into_iter().map(Frame::Str).collect(),
                Members::Set(s) => s.iter().map(|m| member_frame(&m)).collect(),
            }));
        };
        let set = match members {
            Members::Keys(keys) => Set::from_keys(keys, ctx.shared.keyspace.encodings()),
            Members::Set(s) => s,
        };
        let len = set.len();
        let db = ctx.db();
        if set.is_empty() {
            if db.delete(&dest) {
                ctx.dirty(1);
            }
        } else {
            let value = Value::Set(Arc::new(set));
            if let Err(e) = db.compute(&dest, |_| (Action::Set(value, Expiry::Never), ())) {
                return Some(e.into());
            }
            ctx.dirty(1);
        }
        Some(Frame::Integer(len as i64))
    }
}

/// The members of every set in `keys` (at most `limit` of them, if not 0):
/// empty if any key is missing, `WRONGTYPE` if any holds another type.
pub(super) fn intersect(
    ctx: &mut Ctx<'_>,
    keys: &[Bytes],
    limit: usize,
) -> Result<Vec<Key>, KsError> {
    let Some(sizes) = sizes(ctx, keys)?.into_iter().collect::<Option<Vec<_>>>() else {
        return Ok(Vec::new());
    };
    let limit = if limit == 0 { usize::MAX } else { limit };
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| sizes[i]);
    let (first, rest) = (&keys[order[0]], &order[1..]);
    // The same key again adds nothing to an intersection.
    let rest: Vec<&Bytes> = rest
        .iter()
        .map(|&i| &keys[i])
        .filter(|k| *k != first)
        .collect();
    let db = ctx.db();
    let take = if rest.is_empty() { limit } else { usize::MAX };
    let Some(mut members) = db.read::<Set, _>(first, |s| {
        s.iter().take(take).map(|m| m.to_key()).collect::<Vec<_>>()
    })?
    else {
        return Ok(Vec::new());
    };
    for (n, key) in rest.iter().enumerate() {
        if members.is_empty() {
            break;
        }
        let last = n + 1 == rest.len();
        let found = db.read::<Set, _>(key, |s| {
            let mut kept = 0;
            members.retain(|m| {
                let keep = kept < limit && s.contains(m);
                if keep && last {
                    kept += 1;
                }
                keep
            });
        })?;
        if found.is_none() {
            // Deleted since its size was read.
            return Ok(Vec::new());
        }
    }
    Ok(members)
}

/// The members of any set in `keys`; `WRONGTYPE` if any key holds another
/// type.
fn union(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> Result<Set, KsError> {
    sizes(ctx, keys)?;
    let db = ctx.db();
    let enc = ctx.shared.keyspace.encodings();
    let mut out = Set::new();
    for key in keys {
        db.read::<Set, _>(key, |s| {
            for m in s.iter() {
                out.insert(&m, enc);
            }
        })?;
    }
    Ok(out)
}

/// The members of the first set in none of the others; `WRONGTYPE` if any
/// key holds another type.
fn diff(ctx: &mut Ctx<'_>, keys: &[Bytes]) -> Result<Vec<Key>, KsError> {
    let sizes = sizes(ctx, keys)?;
    if sizes[0].is_none() {
        return Ok(Vec::new());
    }
    let db = ctx.db();
    let (first, rest) = (&keys[0], &keys[1..]);
    if rest.contains(first) {
        return Ok(Vec::new());
    }
    let mut members = db
        .read::<Set, _>(first, |s| s.iter().map(|m| m.to_key()).collect::<Vec<_>>())?
        .unwrap_or_default();
    for key in rest {
        if members.is_empty() {
            break;
        }
        db.read::<Set, _>(key, |s| members.retain(|m| !s.contains(m)))?;
    }
    Ok(members)
}
