//! `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL]`.

use crate::keyspace::{Action, Expiry, KsError};
use crate::value::Value;
use bytes::Bytes;

use crate::cmd::{invalid_expire, own, Ctx, ExpireArg};
use crate::frame::Frame;
use crate::parse::{is, Parse, ParseError};

pub(crate) struct Set {
    key: Bytes,
    value: Bytes,
    nx: bool,
    xx: bool,
    get: bool,
    keepttl: bool,
    expire: Option<ExpireArg>,
}

impl Set {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let value = p.next_bytes()?;
        let mut s = Set {
            key,
            value,
            nx: false,
            xx: false,
            get: false,
            keepttl: false,
            expire: None,
        };
        // Number errors wait until every option has been read: Redis reports
        // a syntax error first.
        let mut bad_number = false;
        while let Some(opt) = p.try_next() {
            if is(&opt, "nx") && !s.xx {
                s.nx = true;
            } else if is(&opt, "xx") && !s.nx {
                s.xx = true;
            } else if is(&opt, "get") {
                s.get = true;
            } else if is(&opt, "keepttl") && s.expire.is_none() {
                s.keepttl = true;
            } else if let Some(arg) = ExpireArg::parse(&opt, p) {
                if s.expire.is_some() || s.keepttl {
                    return Err(ParseError::Syntax);
                }
                match arg {
                    Ok(a) => s.expire = Some(a),
                    Err(ParseError::NotInteger) => {
                        bad_number = true;
                        s.expire = Some(ExpireArg::Ex(1));
                    }
                    Err(e) => return Err(e),
                }
            } else {
                return Err(ParseError::Syntax);
            }
        }
        if bad_number {
            return Err(ParseError::NotInteger);
        }
        Ok(s)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let expiry = match self.expire {
            None if self.keepttl => Expiry::Keep,
            None => Expiry::Never,
            Some(arg) => match arg.to_expiry(ctx.shared.keyspace.now_millis()) {
                Some(e) => e,
                None => return Some(invalid_expire("set")),
            },
        };
        let (nx, xx, get) = (self.nx, self.xx, self.get);
        let value = own(&self.value);
        let result = ctx.db().compute(&self.key, |e| {
            let old = match (&e, get) {
                (Some(e), true) => match e.value().to_str() {
                    Some(s) => Some(s),
                    None => return (Action::Keep, Err(KsError::WrongType)),
                },
                _ => None,
            };
            let exists = e.is_some();
            if (nx && exists) || (xx && !exists) {
                (Action::Keep, Ok((false, old)))
            } else {
                (Action::Set(Value::Str(value), expiry), Ok((true, old)))
            }
        });
        match result.and_then(|r| r) {
            Ok((written, old)) => {
                if written {
                    ctx.dirty(1);
                }
                Some(if get {
                    old.map_or(Frame::Null, Frame::Str)
                } else if written {
                    Frame::ok()
                } else {
                    Frame::Null
                })
            }
            Err(KsError::InvalidTtl) => Some(invalid_expire("set")),
            Err(e) => Some(e.into()),
        }
    }
}
