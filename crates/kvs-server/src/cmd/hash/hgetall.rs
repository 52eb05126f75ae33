//! `HKEYS key`, `HVALS key`, `HGETALL key`: the whole hash (listpack:
//! insertion order). `HGETALL` replies a map (RESP3 `%`), the others an
//! array; a missing key gives an empty one.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

#[derive(Clone, Copy)]
enum What {
    Keys,
    Vals,
    All,
}

pub(crate) struct HGetAll {
    key: Bytes,
    what: What,
}

impl HGetAll {
    fn parse(p: &mut Parse, what: What) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        p.finish()?;
        Ok(HGetAll { key, what })
    }

    pub(crate) fn parse_hkeys(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, What::Keys)
    }

    pub(crate) fn parse_hvals(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, What::Vals)
    }

    pub(crate) fn parse_hgetall(p: &mut Parse) -> Result<Self, ParseError> {
        Self::parse(p, What::All)
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let what = self.what;
        let r = super::read(ctx, &self.key, |h| match what {
            What::Keys => Frame::Array(h.iter().map(|(f, _)| Frame::bulk_from(f)).collect()),
            What::Vals => Frame::Array(h.iter().map(|(_, v)| Frame::bulk_from(v)).collect()),
            What::All => Frame::Map(
                h.iter()
                    .map(|(f, v)| (Frame::bulk_from(f), Frame::bulk_from(v)))
                    .collect(),
            ),
        });
        Some(match r {
            Ok(Some(f)) => f,
            Ok(None) => match what {
                What::All => Frame::Map(Vec::new()),
                _ => Frame::Array(Vec::new()),
            },
            Err(e) => e,
        })
    }
}
