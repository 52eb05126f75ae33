//! RESP values: what a reply is, and how it is written in RESP2 or RESP3.
//!
//! Requests are always arrays of bulk strings (or inline lines), which
//! `connection.rs` splits straight into argument slices; only replies need the
//! full value type, and this is it.

use std::borrow::Cow;

use bytes::{BufMut, Bytes, BytesMut};

/// One RESP reply value.
///
/// ```
/// use kvs_server::frame::Frame;
/// let mut out = bytes::BytesMut::new();
/// Frame::Integer(-2).write(&mut out, 2);
/// Frame::Null.write(&mut out, 2);
/// Frame::Null.write(&mut out, 3);
/// assert_eq!(&out[..], b":-2\r\n$-1\r\n_\r\n");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// `+OK`: a status line (must not contain CR or LF).
    Simple(Cow<'static, str>),
    /// `-ERR ...`: an error line, the text including its code (`ERR`, `WRONGPASS`...).
    Error(Cow<'static, str>),
    /// `:42`.
    Integer(i64),
    /// `$3\r\nabc`: a binary-safe string.
    Bulk(Bytes),
    /// A stored value, written as a bulk string.
    Str(crate::value::Str),
    /// The null bulk string (`$-1` in RESP2, `_` in RESP3).
    Null,
    /// The null array (`*-1` in RESP2, `_` in RESP3).
    NullArray,
    /// `*N`: an array of values.
    Array(Vec<Frame>),
    /// `%N` in RESP3, a flat array of 2N values in RESP2.
    Map(Vec<(Frame, Frame)>),
    /// `~N` in RESP3 (`SMEMBERS`), an array in RESP2.
    Set(Vec<Frame>),
    /// `,1.5` in RESP3, a bulk string in RESP2.
    Double(f64),
    /// `=N\r\ntxt:...` in RESP3 (INFO's reply), a bulk string in RESP2.
    Verbatim(Bytes),
    /// A reply already encoded for the client's protocol (see
    /// [`Frame::strings`]), written as it is.
    Encoded(Bytes),
}

/// The kind of aggregate [`Frame::strings`] encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// `*N` (both protocols).
    Array,
    /// `~N` in RESP3, `*N` in RESP2.
    Set,
    /// `%N` pairs in RESP3, `*2N` in RESP2: the items alternate key, value.
    Map,
}

impl Frame {
    /// `+OK`, the commonest reply.
    ///
    /// ```
    /// assert_eq!(kvs_server::frame::Frame::ok(), kvs_server::frame::Frame::Simple("OK".into()));
    /// ```
    pub fn ok() -> Frame {
        Frame::Simple(Cow::Borrowed("OK"))
    }

    /// An error reply with a static text.
    ///
    /// ```
    /// let f = kvs_server::frame::Frame::err("ERR syntax error");
    /// assert!(matches!(f, kvs_server::frame::Frame::Error(_)));
    /// ```
    pub fn err(text: &'static str) -> Frame {
        Frame::Error(Cow::Borrowed(text))
    }

    /// A bulk string copied from `text`.
    ///
    /// ```
    /// assert_eq!(kvs_server::frame::Frame::bulk_from("a"), kvs_server::frame::Frame::Bulk("a".into()));
    /// ```
    pub fn bulk_from(text: impl AsRef<[u8]>) -> Frame {
        Frame::Bulk(Bytes::copy_from_slice(text.as_ref()))
    }

    /// An aggregate of bulk strings, encoded at once into one buffer: what a
    /// command reading many elements under a lock (`LRANGE`, `HGETALL`,
    /// `SMEMBERS`) replies with, without an allocation per element.
    ///
    /// ```
    /// use kvs_server::frame::{Aggregate, Frame};
    /// let f = Frame::strings(Aggregate::Set, 3, 2, [&b"a"[..], b"bc"]);
    /// let mut out = bytes::BytesMut::new();
    /// f.write(&mut out, 3);
    /// assert_eq!(&out[..], b"~2\r\n$1\r\na\r\n$2\r\nbc\r\n");
    /// ```
    pub fn strings<'a>(
        kind: Aggregate,
        proto: u8,
        len: usize,
        items: impl IntoIterator<Item = &'a [u8]>,
    ) -> Frame {
        let mut out = BytesMut::with_capacity(16 + len * 16);
        match (kind, proto >= 3) {
            (Aggregate::Set, true) => int_line(&mut out, b'~', len as i64),
            (Aggregate::Map, true) => int_line(&mut out, b'%', (len / 2) as i64),
            _ => int_line(&mut out, b'*', len as i64),
        }
        for item in items {
            bulk(&mut out, item);
        }
        Frame::Encoded(out.freeze())
    }

    /// Appends the encoding of this value for protocol version `proto` (2 or 3).
    ///
    /// ```
    /// use kvs_server::frame::Frame;
    /// let map = Frame::Map(vec![(Frame::bulk_from("a"), Frame::Integer(1))]);
    /// let mut out = bytes::BytesMut::new();
    /// map.write(&mut out, 2);
    /// assert_eq!(&out[..], b"*2\r\n$1\r\na\r\n:1\r\n");
    /// out.clear();
    /// map.write(&mut out, 3);
    /// assert_eq!(&out[..], b"%1\r\n$1\r\na\r\n:1\r\n");
    /// ```
    pub fn write(&self, out: &mut BytesMut, proto: u8) {
        match self {
            Frame::Simple(s) => line(out, b'+', s.as_bytes()),
            Frame::Error(s) => line(out, b'-', s.as_bytes()),
            Frame::Integer(n) => int_line(out, b':', *n),
            Frame::Bulk(b) => bulk(out, b),
            Frame::Str(v) => bulk(out, v),
            Frame::Null if proto >= 3 => out.put_slice(b"_\r\n"),
            Frame::Null => out.put_slice(b"$-1\r\n"),
            Frame::NullArray if proto >= 3 => out.put_slice(b"_\r\n"),
            Frame::NullArray => out.put_slice(b"*-1\r\n"),
            Frame::Array(items) => {
                int_line(out, b'*', items.len() as i64);
                for item in items {
                    item.write(out, proto);
                }
            }
            Frame::Set(items) => {
                int_line(
                    out,
                    if proto >= 3 { b'~' } else { b'*' },
                    items.len() as i64,
                );
                for item in items {
                    item.write(out, proto);
                }
            }
            Frame::Map(pairs) => {
                if proto >= 3 {
                    int_line(out, b'%', pairs.len() as i64);
                } else {
                    int_line(out, b'*', 2 * pairs.len() as i64);
                }
                for (k, v) in pairs {
                    k.write(out, proto);
                    v.write(out, proto);
                }
            }
            Frame::Double(d) => {
                let text = format_double(*d);
                if proto >= 3 {
                    line(out, b',', text.as_bytes());
                } else {
                    bulk(out, text.as_bytes());
                }
            }
            Frame::Encoded(b) => out.put_slice(b),
            Frame::Verbatim(b) => {
                if proto >= 3 {
                    int_line(out, b'=', b.len() as i64 + 4);
                    out.put_slice(b"txt:");
                    out.put_slice(b);
                    out.put_slice(b"\r\n");
                } else {
                    bulk(out, b);
                }
            }
        }
    }
}

/// Formats a double the way Redis replies with one: the shortest text that
/// reads back as the same number, `inf`/`-inf` for infinities.
///
/// ```
/// assert_eq!(kvs_server::frame::format_double(10.5), "10.5");
/// assert_eq!(kvs_server::frame::format_double(3.0), "3");
/// assert_eq!(kvs_server::frame::format_double(f64::INFINITY), "inf");
/// ```
pub fn format_double(d: f64) -> String {
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's Display is already the shortest round-trip form and never uses
    // an exponent, like Redis's `%.17Lg`-then-trim for ordinary magnitudes.
    format!("{d}")
}

fn line(out: &mut BytesMut, tag: u8, text: &[u8]) {
    out.reserve(text.len() + 3);
    out.put_u8(tag);
    out.put_slice(text);
    out.put_slice(b"\r\n");
}

fn bulk(out: &mut BytesMut, b: &[u8]) {
    out.reserve(b.len() + 16);
    int_line(out, b'$', b.len() as i64);
    out.put_slice(b);
    out.put_slice(b"\r\n");
}

/// Writes `<tag><n>\r\n` without going through `fmt` (this is on the path of
/// every reply).
pub(crate) fn int_line(out: &mut BytesMut, tag: u8, n: i64) {
    let mut buf = [0u8; 24];
    let mut i = buf.len();
    let neg = n < 0;
    let mut v = n.unsigned_abs();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    out.reserve(buf.len() - i + 3);
    out.put_u8(tag);
    out.put_slice(&buf[i..]);
    out.put_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_encode_at_the_extremes() {
        let mut out = BytesMut::new();
        Frame::Integer(i64::MIN).write(&mut out, 2);
        Frame::Integer(0).write(&mut out, 2);
        assert_eq!(&out[..], b":-9223372036854775808\r\n:0\r\n");
    }

    #[test]
    fn resp3_only_types_degrade_in_resp2() {
        let mut out = BytesMut::new();
        Frame::Double(1.5).write(&mut out, 2);
        Frame::NullArray.write(&mut out, 2);
        Frame::Verbatim("x".into()).write(&mut out, 2);
        Frame::Set(vec![Frame::Integer(1)]).write(&mut out, 2);
        assert_eq!(&out[..], b"$3\r\n1.5\r\n*-1\r\n$1\r\nx\r\n*1\r\n:1\r\n");
        out.clear();
        Frame::Double(1.5).write(&mut out, 3);
        Frame::Verbatim("x".into()).write(&mut out, 3);
        Frame::Set(vec![Frame::Integer(1)]).write(&mut out, 3);
        assert_eq!(&out[..], b",1.5\r\n=5\r\ntxt:x\r\n~1\r\n:1\r\n");
    }
}
