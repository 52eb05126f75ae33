//! `SSCAN key cursor [MATCH pattern] [COUNT count]`: one step of a scan
//! of a set's members. As in Redis, a bad cursor is reported first, then a
//! missing key (an empty, finished scan) or one of another type, and only
//! then bad options. An intset replies with every member at once.

use bytes::Bytes;

use crate::cmd::{Ctx, ScanArgs};
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Set;

use super::member_frame;

pub(crate) struct Sscan {
    key: Bytes,
    /// The cursor and the options, parsed in `apply`, in Redis's order.
    args: Vec<Bytes>,
}

impl Sscan {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let args = p.rest();
        if args.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(Sscan { key, args })
    }

    pub(crate) fn apply(mut self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let mut cursor = vec![self.args[0].clone()];
        if let Err(e) = ScanArgs::parse(&mut Parse::new(&mut cursor), |_, _| false) {
            return Some(e.into_frame("sscan"));
        }
        let args = ScanArgs::parse(&mut Parse::new(&mut self.args), |_, _| false);
        let r = ctx.db().read::<Set, _>(&self.key, |s| {
            let args = args?;
            let mut out = Vec::new();
            let next = s.scan(args.cursor, args.count, &mut out);
            let items = out
                .iter()
                .filter(|m| args.matches(m))
                .map(|m| member_frame(m))
                .collect();
            Ok::<_, ParseError>(ScanArgs::reply(next, items))
        });
        Some(match r {
            Ok(Some(Ok(reply))) => {
                ctx.hit(true);
                reply
            }
            Ok(Some(Err(e))) => e.into_frame("sscan"),
            Ok(None) => {
                ctx.hit(false);
                ScanArgs::reply(0, Vec::new())
            }
            Err(e) => e.into(),
        })
    }
}
