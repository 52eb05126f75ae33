//! One client socket: buffered reads, request framing (RESP arrays and inline
//! lines), limits, and buffered replies.
//!
//! Requests are framed straight out of the read buffer: a complete request is
//! split off the front and frozen, and its arguments are slices of that one
//! allocation, so bulk strings are never copied on the way in. Replies go into
//! one write buffer that the server flushes once per batch of pipelined
//! requests.

use std::io;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::frame::Frame;

/// Redis's `PROTO_INLINE_MAX_SIZE`: the longest inline request, and the
/// longest count line of a multibulk request.
pub const MAX_INLINE: usize = 64 * 1024;

/// Redis's cap on the number of arguments of one request.
pub const MAX_MULTIBULK: i64 = 1024 * 1024;

/// How much the read buffer grows by when it is full.
const READ_CHUNK: usize = 16 * 1024;

/// Redis's caps for a client that has not authenticated yet (when a password
/// is set), so a stranger cannot make the server reserve large buffers.
const UNAUTH_MAX_MULTIBULK: i64 = 10;
const UNAUTH_MAX_BULK: usize = 16 * 1024;

/// Size limits on what one client may send or be sent.
///
/// ```
/// let l = kvs_server::connection::Limits::default();
/// assert_eq!(l.max_bulk, 512 * 1024 * 1024);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest bulk string accepted (`proto-max-bulk-len`).
    pub max_bulk: usize,
    /// The most unparsed input buffered for one client
    /// (`client-query-buffer-limit`); past it the client is closed.
    pub max_query_buffer: usize,
    /// The most reply bytes buffered for one client; past it the client is
    /// closed (`client-output-buffer-limit normal`).
    pub max_output_buffer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bulk: 512 * 1024 * 1024,
            max_query_buffer: 1024 * 1024 * 1024,
            max_output_buffer: 1024 * 1024 * 1024,
        }
    }
}

/// A malformed request: its error reply text. The connection is closed after
/// the reply, as Redis does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl ProtocolError {
    fn new(text: impl Into<String>) -> Self {
        ProtocolError(format!("ERR Protocol error: {}", text.into()))
    }
}

/// Frames one request off the front of `buf`: `Ok(None)` if it is not
/// complete yet, `Ok(Some(args))` with the command name first (an empty
/// vector for an empty request, which is skipped, as Redis does).
///
/// `scratch` is reused between calls so framing does not allocate.
/// `authenticated` is false for a client that still owes `AUTH`: its
/// requests get Redis's small caps.
///
/// ```
/// use bytes::BytesMut;
/// use kvs_server::connection::{parse_request, Limits};
/// let mut buf = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n*1\r\n$4\r\nPI"[..]);
/// let mut scratch = Vec::new();
/// let l = Limits::default();
/// assert_eq!(parse_request(&mut buf, &l, &mut scratch, true).unwrap().unwrap(), vec!["GET", "k"]);
/// assert_eq!(parse_request(&mut buf, &l, &mut scratch, true).unwrap().unwrap(), vec!["PING"]);
/// assert_eq!(parse_request(&mut buf, &l, &mut scratch, true).unwrap(), None);
/// ```
pub fn parse_request(
    buf: &mut BytesMut,
    limits: &Limits,
    scratch: &mut Vec<(usize, usize)>,
    authenticated: bool,
) -> Result<Option<Vec<Bytes>>, ProtocolError> {
    let mut out = Vec::new();
    let framed = frame_request(buf, limits, scratch, authenticated, &mut out)?;
    Ok(framed.then_some(out))
}

/// [`parse_request`] into a caller's vector (cleared first), so a connection
/// reuses one vector for all its requests: `Ok(false)` if no complete request
/// is buffered yet.
fn frame_request(
    buf: &mut BytesMut,
    limits: &Limits,
    scratch: &mut Vec<(usize, usize)>,
    authenticated: bool,
    out: &mut Vec<Bytes>,
) -> Result<bool, ProtocolError> {
    out.clear();
    if buf.is_empty() {
        return Ok(false);
    }
    if buf[0] == b'*' {
        parse_multibulk(buf, limits, scratch, authenticated, out)
    } else {
        parse_inline(buf, out)
    }
}

/// The position of the `\r\n` ending the line that starts at `from`.
fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    let nl = memchr(b'\n', &buf[from..])? + from;
    (nl > from && buf[nl - 1] == b'\r').then_some(nl - 1)
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// Reads the integer of a `*N` or `$N` line starting at `at` (the tag byte).
/// `Ok(None)` if the line is incomplete.
fn header(buf: &[u8], at: usize, what: &str) -> Result<Option<(i64, usize)>, ProtocolError> {
    match find_crlf(buf, at) {
        Some(end) => {
            let n = crate::parse::parse_i64(&buf[at + 1..end]);
            Ok(Some((n.unwrap_or(i64::MIN), end + 2)))
        }
        None if buf.len() - at > MAX_INLINE => {
            Err(ProtocolError::new(format!("too big {what} count string")))
        }
        None => {
            // A lone '\n' without '\r' would otherwise wait for ever.
            if memchr(b'\n', &buf[at..]).is_some() {
                return Ok(Some((i64::MIN, buf.len())));
            }
            Ok(None)
        }
    }
}

fn parse_multibulk(
    buf: &mut BytesMut,
    limits: &Limits,
    scratch: &mut Vec<(usize, usize)>,
    authenticated: bool,
    out: &mut Vec<Bytes>,
) -> Result<bool, ProtocolError> {
    let Some((count, mut pos)) = header(buf, 0, "mbulk")? else {
        return Ok(false);
    };
    if count > MAX_MULTIBULK || count == i64::MIN {
        return Err(ProtocolError::new("invalid multibulk length"));
    }
    if !authenticated && count > UNAUTH_MAX_MULTIBULK {
        return Err(ProtocolError::new("unauthenticated multibulk length"));
    }
    if count <= 0 {
        buf.advance(pos);
        return Ok(true);
    }
    scratch.clear();
    for _ in 0..count {
        if pos >= buf.len() {
            return Ok(false);
        }
        if buf[pos] != b'$' {
            return Err(ProtocolError::new(format!(
                "expected '$', got '{}'",
                char::from(buf[pos])
            )));
        }
        let Some((len, start)) = header(buf, pos, "bulk")? else {
            return Ok(false);
        };
        if len < 0 || len as u64 > limits.max_bulk as u64 {
            return Err(ProtocolError::new("invalid bulk length"));
        }
        let len = len as usize;
        if !authenticated && len > UNAUTH_MAX_BULK {
            return Err(ProtocolError::new("unauthenticated bulk length"));
        }
        if buf.len() < start + len + 2 {
            // Grow towards the whole argument by doubling, not all at once: a
            // header alone must not make the server reserve 512 MB, and
            // doubling keeps a long argument's copying linear.
            let missing = start + len + 2 - buf.len();
            buf.reserve(missing.min(buf.len().max(READ_CHUNK)));
            return Ok(false);
        }
        scratch.push((start, len));
        pos = start + len + 2;
    }
    let frame = buf.split_to(pos).freeze();
    out.extend(scratch.iter().map(|&(s, l)| frame.slice(s..s + l)));
    Ok(true)
}

fn parse_inline(buf: &mut BytesMut, out: &mut Vec<Bytes>) -> Result<bool, ProtocolError> {
    let Some(nl) = memchr(b'\n', buf) else {
        if buf.len() > MAX_INLINE {
            return Err(ProtocolError::new("too big inline request"));
        }
        return Ok(false);
    };
    let line = buf.split_to(nl + 1);
    let line = line.strip_suffix(b"\n").unwrap_or(&line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let args =
        split_inline(line).ok_or_else(|| ProtocolError::new("unbalanced quotes in request"))?;
    out.extend(args);
    Ok(true)
}

/// Splits an inline request into arguments as `sdssplitargs` does: spaces
/// separate, `"..."` takes `\n`, `\xHH`-style escapes, `'...'` is literal.
fn split_inline(line: &[u8]) -> Option<Vec<Bytes>> {
    let mut args = Vec::new();
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == line.len() {
            break;
        }
        let mut arg = Vec::new();
        let quote = match line[i] {
            q @ (b'"' | b'\'') => {
                i += 1;
                Some(q)
            }
            _ => None,
        };
        loop {
            match quote {
                None => {
                    if i == line.len() || line[i].is_ascii_whitespace() {
                        break;
                    }
                    arg.push(line[i]);
                    i += 1;
                }
                Some(q) => {
                    let &c = line.get(i)?;
                    if c == q {
                        i += 1;
                        // A closing quote must be followed by a space or the end.
                        if i < line.len() && !line[i].is_ascii_whitespace() {
                            return None;
                        }
                        break;
                    }
                    if c == b'\\' && q == b'"' && i + 1 < line.len() {
                        let (byte, used) = unescape(&line[i + 1..]);
                        arg.push(byte);
                        i += 1 + used;
                    } else if c == b'\\' && q == b'\'' && line.get(i + 1) == Some(&b'\'') {
                        arg.push(b'\'');
                        i += 2;
                    } else {
                        arg.push(c);
                        i += 1;
                    }
                }
            }
        }
        args.push(Bytes::from(arg));
    }
    Some(args)
}

/// One escape after a backslash inside double quotes: the byte, and how many
/// input bytes it used.
fn unescape(s: &[u8]) -> (u8, usize) {
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    if s[0] == b'x' && s.len() >= 3 {
        if let (Some(h), Some(l)) = (hex(s[1]), hex(s[2])) {
            return (h * 16 + l, 3);
        }
    }
    let b = match s[0] {
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'b' => 8,
        b'a' => 7,
        other => other,
    };
    (b, 1)
}

/// A client socket with its read and write buffers.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    read: BytesMut,
    write: BytesMut,
    scratch: Vec<(usize, usize)>,
    limits: Limits,
}

/// What a read found.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// More bytes arrived.
    Data,
    /// The peer closed its side.
    Closed,
    /// The client buffered more unparsed input than `max_query_buffer`.
    QueryBufferFull,
}

impl Connection {
    /// Wraps an accepted socket.
    ///
    /// ```no_run
    /// # async fn f(s: tokio::net::TcpStream) {
    /// let conn = kvs_server::connection::Connection::new(s, Default::default());
    /// # }
    /// ```
    pub fn new(stream: TcpStream, limits: Limits) -> Connection {
        // Replies are flushed once per batch: Nagle would only add latency.
        let _ = stream.set_nodelay(true);
        Connection {
            stream,
            read: BytesMut::with_capacity(READ_CHUNK),
            write: BytesMut::with_capacity(READ_CHUNK),
            scratch: Vec::new(),
            limits,
        }
    }

    /// Frames the next complete buffered request into `args` (see
    /// [`parse_request`]): `Ok(false)` if none is complete yet. Reusing one
    /// `args` vector keeps framing free of allocation.
    ///
    /// ```no_run
    /// # async fn f(mut c: kvs_server::connection::Connection) {
    /// let mut args = Vec::new();
    /// while let Ok(true) = c.next_request(true, &mut args) { let _ = &args; }
    /// # }
    /// ```
    pub fn next_request(
        &mut self,
        authenticated: bool,
        args: &mut Vec<Bytes>,
    ) -> Result<bool, ProtocolError> {
        frame_request(
            &mut self.read,
            &self.limits,
            &mut self.scratch,
            authenticated,
            args,
        )
    }

    /// Waits for more input.
    ///
    /// ```no_run
    /// # async fn f(mut c: kvs_server::connection::Connection) {
    /// let outcome = c.read_more().await.unwrap();
    /// # }
    /// ```
    pub async fn read_more(&mut self) -> io::Result<ReadOutcome> {
        if self.read.len() > self.limits.max_query_buffer {
            return Ok(ReadOutcome::QueryBufferFull);
        }
        if self.read.capacity() - self.read.len() < READ_CHUNK / 4 {
            self.read.reserve(READ_CHUNK);
        }
        match self.stream.read_buf(&mut self.read).await? {
            0 => Ok(ReadOutcome::Closed),
            _ => Ok(ReadOutcome::Data),
        }
    }

    /// Appends a reply to the write buffer.
    ///
    /// ```no_run
    /// # fn f(c: &mut kvs_server::connection::Connection) {
    /// c.push_reply(&kvs_server::frame::Frame::ok(), 2);
    /// # }
    /// ```
    pub fn push_reply(&mut self, frame: &Frame, proto: u8) {
        frame.write(&mut self.write, proto);
    }

    /// Bytes of replies not yet sent.
    ///
    /// ```no_run
    /// # fn f(c: &kvs_server::connection::Connection) {
    /// assert_eq!(c.pending_output(), 0);
    /// # }
    /// ```
    pub fn pending_output(&self) -> usize {
        self.write.len()
    }

    /// Whether the buffered replies exceed the output limit.
    ///
    /// ```no_run
    /// # fn f(c: &kvs_server::connection::Connection) {
    /// assert!(!c.output_over_limit());
    /// # }
    /// ```
    pub fn output_over_limit(&self) -> bool {
        self.write.len() > self.limits.max_output_buffer
    }

    /// Sends every buffered reply.
    ///
    /// ```no_run
    /// # async fn f(mut c: kvs_server::connection::Connection) {
    /// c.flush().await.unwrap();
    /// # }
    /// ```
    pub async fn flush(&mut self) -> io::Result<()> {
        if !self.write.is_empty() {
            self.stream.write_all(&self.write).await?;
            self.write.clear();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &[u8]) -> Result<Option<Vec<Bytes>>, ProtocolError> {
        let mut buf = BytesMut::from(input);
        parse_request(&mut buf, &Limits::default(), &mut Vec::new(), true)
    }

    #[test]
    fn incomplete_requests_wait() {
        for cut in 1..b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".len() {
            assert_eq!(
                one(&b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"[..cut]),
                Ok(None),
                "cut {cut}"
            );
        }
    }

    #[test]
    fn binary_safe_bulk() {
        let args = one(b"*1\r\n$4\r\na\r\n\0\r\n").unwrap().unwrap();
        assert_eq!(args, vec![Bytes::from_static(b"a\r\n\0")]);
    }

    #[test]
    fn malformed_requests_get_redis_texts() {
        assert_eq!(
            one(b"*1\r\n+x\r\n").unwrap_err().0,
            "ERR Protocol error: expected '$', got '+'"
        );
        assert_eq!(
            one(b"*x\r\n").unwrap_err().0,
            "ERR Protocol error: invalid multibulk length"
        );
        assert_eq!(
            one(b"*1\r\n$-5\r\n").unwrap_err().0,
            "ERR Protocol error: invalid bulk length"
        );
        assert_eq!(
            one(b"SET \"a b\r\n").unwrap_err().0,
            "ERR Protocol error: unbalanced quotes in request"
        );
        let big = vec![b'a'; MAX_INLINE + 1];
        assert_eq!(
            one(&big).unwrap_err().0,
            "ERR Protocol error: too big inline request"
        );
    }

    #[test]
    fn bulk_limit_is_enforced() {
        let mut buf = BytesMut::from(&b"*1\r\n$11\r\n"[..]);
        let limits = Limits {
            max_bulk: 10,
            ..Limits::default()
        };
        assert_eq!(
            parse_request(&mut buf, &limits, &mut Vec::new(), true)
                .unwrap_err()
                .0,
            "ERR Protocol error: invalid bulk length"
        );
    }

    #[test]
    fn unauthenticated_clients_get_small_caps() {
        let mut buf = BytesMut::from(&b"*11\r\n"[..]);
        assert_eq!(
            parse_request(&mut buf, &Limits::default(), &mut Vec::new(), false)
                .unwrap_err()
                .0,
            "ERR Protocol error: unauthenticated multibulk length"
        );
        let mut buf = BytesMut::from(&b"*2\r\n$4\r\nAUTH\r\n$16385\r\n"[..]);
        assert_eq!(
            parse_request(&mut buf, &Limits::default(), &mut Vec::new(), false)
                .unwrap_err()
                .0,
            "ERR Protocol error: unauthenticated bulk length"
        );
    }

    #[test]
    fn a_bulk_header_alone_does_not_reserve_its_length() {
        let mut buf = BytesMut::from(&b"*1\r\n$400000000\r\n"[..]);
        assert_eq!(
            parse_request(&mut buf, &Limits::default(), &mut Vec::new(), true),
            Ok(None)
        );
        assert!(buf.capacity() < 1 << 20, "{}", buf.capacity());
    }

    #[test]
    fn inline_requests_split_like_redis() {
        let args = one(b"set  \"a b\\x41\" 'c\\'d'  e\r\n").unwrap().unwrap();
        assert_eq!(args, vec!["set", "a bA", "c'd", "e"]);
        assert_eq!(one(b"\r\n").unwrap().unwrap(), Vec::<Bytes>::new());
        assert_eq!(one(b"*0\r\n").unwrap().unwrap(), Vec::<Bytes>::new());
    }
}
