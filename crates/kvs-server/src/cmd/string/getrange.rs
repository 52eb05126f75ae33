//! `GETRANGE key start end`: a substring, with negative offsets from the end.

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

pub(crate) struct GetRange {
    key: Bytes,
    start: i64,
    end: i64,
}

impl GetRange {
    pub(crate) fn parse_frames(p: &mut Parse) -> Result<Self, ParseError> {
        let key = p.next_bytes()?;
        let start = p.next_bytes()?;
        let end = p.next_bytes()?;
        p.finish()?;
        let int = |b: &Bytes| crate::parse::parse_i64(b).ok_or(ParseError::NotInteger);
        Ok(GetRange {
            key,
            start: int(&start)?,
            end: int(&end)?,
        })
    }

    pub(crate) fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
        let (start, end) = (self.start, self.end);
        Some(
            match ctx.db().read_str(&self.key, |v| range(v, start, end)) {
                Ok(r) => Frame::Bulk(r.unwrap_or_default()),
                Err(e) => e.into(),
            },
        )
    }
}

/// Redis's `getrangeCommand` arithmetic.
fn range(v: &[u8], mut start: i64, mut end: i64) -> Bytes {
    let len = v.len() as i64;
    if start < 0 && end < 0 && start > end {
        return Bytes::new();
    }
    if start < 0 {
        start += len;
    }
    if end < 0 {
        end += len;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if len == 0 || start > end {
        return Bytes::new();
    }
    Bytes::copy_from_slice(&v[start as usize..=end as usize])
}

#[cfg(test)]
mod tests {
    use super::range;
    use bytes::Bytes;

    #[test]
    fn ranges_follow_redis() {
        let v = Bytes::from("This is a string");
        assert_eq!(range(&v, 0, 3), "This");
        assert_eq!(range(&v, -3, -1), "ing");
        assert_eq!(range(&v, 0, -1), "This is a string");
        assert_eq!(range(&v, 10, 100), "string");
        assert_eq!(range(&v, 5, 2), "");
        assert_eq!(range(&v, -1, -5), "");
    }
}
