//! `EXPIRE key seconds`, `PEXPIRE key ms`, `EXPIREAT key unix-s`,
//! `PEXPIREAT key unix-ms`, each with `[NX|XX|GT|LT]` (one family in Redis's
//! docs): 1 if the timeout was set (or the key deleted), 0 if not.

use std::time::Duration;

use crate::keyspace::{Action, Expiry, KsError};
use bytes::Bytes;

use crate::cmd::{invalid_expire, Ctx};
use crate::frame::Frame;
use crate::parse::{is, parse_i64, Parse, ParseError};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cond {
    Always,
    Nx,
    Xx,
    Gt,
    Lt,
}

pub(crate) struct Expire {
    name: &'static str,
    key: Bytes,
    /// Milliseconds: relative, or since the epoch when `absolute`.
    when: Result<i64, ()>,
    absolute: bool,
    cond: Cond,
}

impl Expire {
    pub(crate) fn parse_expire(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, "expire", 1000, false)
    }

    pub(crate) fn parse_pexpire(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, "pexpire", 1, false)
    }

    pub(crate) fn parse_expireat(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, "expireat", 1000, true)
    }

    pub(crate) fn parse_pexpireat(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, "pexpireat", 1, true)
    }

    fn parse(
        p: &mut Parse,
        name: &'static str,
        unit: i64,
        absolute: bool,
    ) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let when = p.next_bytes()?;
        let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
        // Redis checks the flags before the number.
        for opt in p.rest() {
            if is(&opt, "nx") {
                nx = true;
            } else if is(&opt, "xx") {
                xx = true;
            } else if is(&opt, "gt") {
                gt = true;
            } else if is(&opt, "lt") {
                lt = true;
            } else {
                return Err(ParseError::Other(format!(
                    "ERR Unsupported option {}",
                    String::from_utf8_lossy(&opt)
                )));
            }
        }
        if nx && (xx || gt || lt) {
            return Err(ParseError::Other(
                "ERR NX and XX, GT or LT options at the same time are not compatible".into(),
            ));
        }
        if gt && lt {
            return Err(ParseError::Other(
                "ERR GT and LT options at the same time are not compatible".into(),
            ));
        }
        let cond = match (nx, xx, gt, lt) {
            (true, ..) => Cond::Nx,
            (_, _, true, _) => Cond::Gt,
            (_, _, _, true) => Cond::Lt,
            (_, true, ..) => Cond::Xx,
            _ => Cond::Always,
        };
        let when = parse_i64(&when).ok_or(ParseError::NotInteger)?;
        Ok(Expire {
            name,
            key,
            when: when.checked_mul(unit).ok_or(()),
            absolute,
            cond,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let Ok(when) = self.when else {
            return Some(invalid_expire(self.name));
        };
        if !self.absolute && ctx.shared.keyspace.now_millis().checked_add(when).is_none() {
            return Some(invalid_expire(self.name));
        }
        // The new deadline, as the key's entry sees it: everything is decided
        // inside one `compute`, on its one clock reading.
        let expiry = match (self.absolute, when > 0) {
            (false, true) => Some(Expiry::In(Duration::from_millis(when as u64))),
            (true, true) => Some(Expiry::At(
                std::time::UNIX_EPOCH + Duration::from_millis(when as u64),
            )),
            // Not in the future: the key goes at once.
            (_, false) => None,
        };
        let cond = self.cond;
        let absolute = self.absolute;
        let r = ctx.db().compute(&self.key, |e| {
            let Some(e) = e else {
                return (Action::Keep, false);
            };
            // Compare in the command's own terms (relative or absolute);
            // no TTL counts as infinite.
            let current_ms: Option<i128> = if absolute {
                e.expires_at()
                    .map(|t| crate::keyspace::unix_millis(t) as i128)
            } else {
                e.ttl().map(|d| d.as_millis() as i128)
            };
            let new_ms = when as i128;
            let ok = match cond {
                Cond::Always => true,
                Cond::Nx => current_ms.is_none(),
                Cond::Xx => current_ms.is_some(),
                Cond::Gt => current_ms.is_some_and(|c| new_ms > c),
                Cond::Lt => current_ms.is_none_or(|c| new_ms < c),
            };
            if !ok {
                return (Action::Keep, false);
            }
            match expiry {
                Some(x) => (Action::SetExpiry(x), true),
                None => (Action::Remove, true),
            }
        });
        Some(match r {
            Ok(done) => {
                ctx.dirty(usize::from(done));
                Frame::Integer(i64::from(done))
            }
            Err(KsError::InvalidTtl) => invalid_expire(self.name),
            Err(e) => e.into(),
        })
    }
}
