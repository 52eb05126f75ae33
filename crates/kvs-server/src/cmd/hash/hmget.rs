//! `HMGET key field [field ...]`: a value or nil per field (all nil for a
//! missing key; WRONGTYPE for another type, unlike `MGET`).

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct HMGet {
    key: Bytes,
    fields: Vec<Bytes>,
}

impl HMGet {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let fields = p.rest();
        if fields.is_empty() {
            return Err(ParseError::WrongArity);
        }
        Ok(HMGet { key, fields })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let fields = &self.fields;
        Some(
            match super::read(ctx, &self.key, |h| {
                fields
                    .iter()
                    .map(|f| h.get(f).map_or(Frame::Null, Frame::bulk_from))
                    .collect()
            }) {
                Ok(Some(values)) => Frame::Array(values),
                Ok(None) => Frame::Array(vec![Frame::Null; fields.len()]),
                Err(e) => e,
            },
        )
    }
}
