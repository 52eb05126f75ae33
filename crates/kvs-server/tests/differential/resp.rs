//! RESP on a raw socket: requests encoded as RESP2 arrays of bulk strings,
//! replies parsed into [`Reply`] keeping every type distinct (a nil bulk is
//! not a nil array, a RESP3 set is not an array), so two servers' replies
//! compare type for type.

use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// One reply, RESP2 and RESP3 types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reply {
    /// `+text`
    Simple(Vec<u8>),
    /// `-text`
    Error(Vec<u8>),
    /// `:n`
    Int(i64),
    /// `$n` with data
    Bulk(Vec<u8>),
    /// `$-1`
    NilBulk,
    /// `*-1`
    NilArray,
    /// `*n`
    Array(Vec<Reply>),
    /// `%n` (RESP3)
    Map(Vec<(Reply, Reply)>),
    /// `~n` (RESP3)
    Set(Vec<Reply>),
    /// `>n` (RESP3)
    Push(Vec<Reply>),
    /// `,text` (RESP3), kept as text so formatting differences show
    Double(Vec<u8>),
    /// `_` (RESP3)
    Null,
    /// `#t` / `#f` (RESP3)
    Bool(bool),
    /// `=n` with `fmt:` prefix (RESP3)
    Verbatim(Vec<u8>),
    /// `(text` (RESP3)
    BigNumber(Vec<u8>),
}

impl Reply {
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// True for any kind of "no value" reply.
    pub fn is_nil(&self) -> bool {
        matches!(self, Reply::NilBulk | Reply::NilArray | Reply::Null)
    }

    /// The elements of an aggregate (a map flattened key, value, ...).
    pub fn items(&self) -> Option<Vec<Reply>> {
        match self {
            Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => Some(v.clone()),
            Reply::Map(m) => Some(m.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect()),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Reply::Int(n) => Some(*n),
            _ => None,
        }
    }

    /// A one-word name of the reply's type, for "shape" comparisons.
    pub fn kind(&self) -> &'static str {
        match self {
            Reply::Simple(_) => "simple",
            Reply::Error(_) => "error",
            Reply::Int(_) => "integer",
            Reply::Bulk(_) => "bulk",
            Reply::NilBulk => "nil-bulk",
            Reply::NilArray => "nil-array",
            Reply::Array(_) => "array",
            Reply::Map(_) => "map",
            Reply::Set(_) => "set",
            Reply::Push(_) => "push",
            Reply::Double(_) => "double",
            Reply::Null => "null",
            Reply::Bool(_) => "bool",
            Reply::Verbatim(_) => "verbatim",
            Reply::BigNumber(_) => "big-number",
        }
    }
}

/// Bytes as a double-quoted string with redis-cli's escapes.
pub fn quote(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

/// One argument as redis-cli reads it: bare when plain, quoted otherwise.
pub fn cli_arg(b: &[u8]) -> String {
    let plain = !b.is_empty()
        && b.iter()
            .all(|&c| c.is_ascii_graphic() && c != b'"' && c != b'\'' && c != b'\\');
    if plain {
        String::from_utf8_lossy(b).into_owned()
    } else {
        quote(b)
    }
}

/// A whole command as one redis-cli line.
pub fn cli_line(args: &[Vec<u8>]) -> String {
    args.iter()
        .map(|a| cli_arg(a))
        .collect::<Vec<_>>()
        .join(" ")
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, open: &str, v: &[Reply]) -> fmt::Result {
            write!(f, "{open}")?;
            for (i, r) in v.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{r}")?;
            }
            write!(f, "]")
        }
        match self {
            Reply::Simple(s) => write!(f, "+{}", String::from_utf8_lossy(s)),
            Reply::Error(s) => write!(f, "-{}", String::from_utf8_lossy(s)),
            Reply::Int(n) => write!(f, ":{n}"),
            Reply::Bulk(b) => write!(f, "${}", quote(b)),
            Reply::NilBulk => write!(f, "$-1 (nil bulk)"),
            Reply::NilArray => write!(f, "*-1 (nil array)"),
            Reply::Array(v) => list(f, "*[", v),
            Reply::Set(v) => list(f, "~[", v),
            Reply::Push(v) => list(f, ">[", v),
            Reply::Map(m) => {
                write!(f, "%{{")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} => {v}")?;
                }
                write!(f, "}}")
            }
            Reply::Double(d) => write!(f, ",{}", String::from_utf8_lossy(d)),
            Reply::Null => write!(f, "_ (null)"),
            Reply::Bool(b) => write!(f, "#{}", if *b { 't' } else { 'f' }),
            Reply::Verbatim(b) => write!(f, "={}", quote(b)),
            Reply::BigNumber(b) => write!(f, "({}", String::from_utf8_lossy(b)),
        }
    }
}

/// A connection that sends RESP2-encoded requests and parses replies.
pub struct Conn {
    reader: BufReader<TcpStream>,
    stream: TcpStream,
}

fn bad(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

impl Conn {
    pub fn connect(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            reader: BufReader::new(stream.try_clone()?),
            stream,
        })
    }

    pub fn encode(args: &[Vec<u8>]) -> Vec<u8> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// Sends one command, returns its reply.
    pub fn call(&mut self, args: &[Vec<u8>]) -> io::Result<Reply> {
        self.stream.write_all(&Self::encode(args))?;
        self.read_reply()
    }

    /// `call` with `&str` words, for the harness's own commands.
    pub fn call_str(&mut self, words: &[&str]) -> io::Result<Reply> {
        let args: Vec<Vec<u8>> = words.iter().map(|w| w.as_bytes().to_vec()).collect();
        self.call(&args)
    }

    fn line(&mut self) -> io::Result<Vec<u8>> {
        let mut line = Vec::new();
        let n = self.reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed while waiting for a reply",
            ));
        }
        if line.len() < 3 || !line.ends_with(b"\r\n") {
            return Err(bad(format!("malformed reply line {}", quote(&line))));
        }
        line.truncate(line.len() - 2);
        Ok(line)
    }

    fn number(body: &[u8]) -> io::Result<i64> {
        std::str::from_utf8(body)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("bad number {}", quote(body))))
    }

    fn data(&mut self, len: i64) -> io::Result<Vec<u8>> {
        let mut data = vec![0; len as usize + 2];
        self.reader.read_exact(&mut data)?;
        if !data.ends_with(b"\r\n") {
            return Err(bad("bulk data not followed by CRLF".into()));
        }
        data.truncate(len as usize);
        Ok(data)
    }

    fn many(&mut self, n: i64) -> io::Result<Vec<Reply>> {
        (0..n).map(|_| self.read_reply()).collect()
    }

    /// Reads one whole reply (attributes, `|`, are read and dropped).
    pub fn read_reply(&mut self) -> io::Result<Reply> {
        let line = self.line()?;
        let body = line[1..].to_vec();
        Ok(match line[0] {
            b'+' => Reply::Simple(body),
            b'-' => Reply::Error(body),
            b':' => Reply::Int(Self::number(&body)?),
            b'$' => match Self::number(&body)? {
                -1 => Reply::NilBulk,
                n if n >= 0 => Reply::Bulk(self.data(n)?),
                n => return Err(bad(format!("bulk length {n}"))),
            },
            b'*' => match Self::number(&body)? {
                -1 => Reply::NilArray,
                n if n >= 0 => Reply::Array(self.many(n)?),
                n => return Err(bad(format!("array length {n}"))),
            },
            b'~' => {
                let n = Self::number(&body)?;
                Reply::Set(self.many(n)?)
            }
            b'>' => {
                let n = Self::number(&body)?;
                Reply::Push(self.many(n)?)
            }
            b'%' => {
                let n = Self::number(&body)?;
                let mut m = Vec::new();
                for _ in 0..n {
                    let k = self.read_reply()?;
                    let v = self.read_reply()?;
                    m.push((k, v));
                }
                Reply::Map(m)
            }
            b'|' => {
                let n = Self::number(&body)?;
                for _ in 0..2 * n {
                    self.read_reply()?;
                }
                return self.read_reply();
            }
            b',' => Reply::Double(body),
            b'_' => Reply::Null,
            b'#' => match &body[..] {
                b"t" => Reply::Bool(true),
                b"f" => Reply::Bool(false),
                _ => return Err(bad(format!("bad bool {}", quote(&body)))),
            },
            b'=' => {
                let n = Self::number(&body)?;
                Reply::Verbatim(self.data(n)?)
            }
            b'!' => {
                let n = Self::number(&body)?;
                Reply::Error(self.data(n)?)
            }
            b'(' => Reply::BigNumber(body),
            _ => return Err(bad(format!("unknown reply type {}", quote(&line)))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_quoting() {
        assert_eq!(
            cli_line(&[b"SET".to_vec(), b"a b".to_vec(), b"".to_vec()]),
            "SET \"a b\" \"\""
        );
        assert_eq!(cli_arg(b"\x00\xff\""), "\"\\x00\\xff\\\"\"");
    }
}
