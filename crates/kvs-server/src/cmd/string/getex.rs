//! `GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST]`: the value, changing its TTL.

use crate::keyspace::{Action, Expiry, KsError};
use crate::value::Str;
use bytes::Bytes;

use crate::cmd::{invalid_expire, Ctx, ExpireArg};
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};

pub(crate) struct GetEx {
    key: Bytes,
    expire: Option<ExpireArg>,
    persist: bool,
}

impl GetEx {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let mut g = GetEx {
            key,
            expire: None,
            persist: false,
        };
        while let Some(opt) = p.try_next() {
            if is(&opt, "persist") && g.expire.is_none() {
                g.persist = true;
            } else if let Some(arg) = ExpireArg::parse(&opt, p) {
                if g.expire.is_some() || g.persist {
                    return Err(ParseError::Syntax);
                }
                g.expire = Some(arg?);
            } else {
                return Err(ParseError::Syntax);
            }
        }
        Ok(g)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let expiry = match self.expire {
            Some(arg) => match arg.to_expiry(ctx.shared.keyspace.now_millis()) {
                Some(e) => Some(e),
                None => return Some(invalid_expire("getex")),
            },
            None if self.persist => Some(Expiry::Never),
            None => None,
        };
        let result = ctx.db().compute_str(&self.key, |e| match e {
            None => (Action::Keep, None),
            Some(e) => (
                expiry.map_or(Action::Keep, Action::SetExpiry),
                Some(Str::from(e.value())),
            ),
        });
        match result {
            Ok(v) => {
                ctx.hit(v.is_some());
                if v.is_some() && expiry.is_some() {
                    ctx.dirty(1);
                }
                Some(v.map_or(Frame::Null, Frame::Str))
            }
            Err(KsError::InvalidTtl) => Some(invalid_expire("getex")),
            Err(e) => Some(e.into()),
        }
    }
}
