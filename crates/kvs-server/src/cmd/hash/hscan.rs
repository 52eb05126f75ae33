//! `HSCAN key cursor [MATCH pattern] [COUNT count]`: field, value, field,
//! value, ... (a flat array in both protocols). A listpack-encoded hash
//! comes whole with cursor 0, as in Redis.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::cmd::ScanArgs;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::types::Hash;

pub(crate) struct HScan {
    key: Bytes,
    /// The cursor and options, checked in `apply`: Redis checks the cursor,
    /// then the key (a missing key ends the scan whatever the options, a
    /// key of another type is WRONGTYPE), then the options.
    args: Vec<Bytes>,
}

impl HScan {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let args = p.rest();
        if args.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(HScan { key, args })
    }

    pub(crate) fn apply(mut self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let error = |e: ParseError| e.into_frame("hscan");
        // The cursor alone first: its error comes before the key's.
        let mut cursor = vec![self.args[0].clone()];
        if let Err(e) = ScanArgs::parse(&mut Parse::new(&mut cursor), |_, _| false) {
            return Some(error(e));
        }
        let args = ScanArgs::parse(&mut Parse::new(&mut self.args), |_, _| false);
        let r = ctx.db().read::<Hash, _>(&self.key, |h| {
            let args = match args {
                Ok(a) => a,
                Err(e) => return error(e),
            };
            let mut pairs = Vec::new();
            let next = h.scan(args.cursor, args.count, &mut pairs);
            let items = pairs
                .into_iter()
                .filter(|(f, _)| args.matches(f))
                .flat_map(|(f, v)| [Frame::bulk_from(f), Frame::bulk_from(v)])
                .collect();
            ScanArgs::reply(next, items)
        });
        ctx.hit(!matches!(r, Ok(None)));
        Some(match r {
            Ok(Some(f)) => f,
            Ok(None) => ScanArgs::reply(0, Vec::new()),
            Err(e) => e.into(),
        })
    }
}
