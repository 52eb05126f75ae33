//! A cursor over one request's arguments, with Redis's conversions and error
//! texts, so each command's `parse_frames` reads like its syntax line.

use bytes::Bytes;

use crate::frame::Frame;

/// Why a request's arguments could not be parsed.
///
/// ```
/// use kvs_server::parse::ParseError;
/// let e = ParseError::WrongArity;
/// assert_eq!(e.into_frame("get"), kvs_server::frame::Frame::Error(
///     "ERR wrong number of arguments for 'get' command".into()));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// Too few or too many arguments.
    WrongArity,
    /// An argument that must be an integer is not one (or is out of range).
    NotInteger,
    /// An argument that must be a float is not one.
    NotFloat,
    /// An unknown or misplaced option.
    Syntax,
    /// Any other error reply, its full text.
    Other(String),
}

impl ParseError {
    /// The error reply for command `name` (lower case, as Redis names it).
    ///
    /// ```
    /// use kvs_server::parse::ParseError;
    /// assert_eq!(ParseError::Syntax.into_frame("set"),
    ///     kvs_server::frame::Frame::Error("ERR syntax error".into()));
    /// ```
    pub fn into_frame(self, name: &str) -> Frame {
        match self {
            ParseError::WrongArity => {
                Frame::Error(format!("ERR wrong number of arguments for '{name}' command").into())
            }
            ParseError::NotInteger => Frame::err("ERR value is not an integer or out of range"),
            ParseError::NotFloat => Frame::err("ERR value is not a valid float"),
            ParseError::Syntax => Frame::err("ERR syntax error"),
            ParseError::Other(text) => Frame::Error(text.into()),
        }
    }
}

/// The arguments of one request after the command name.
///
/// ```
/// use bytes::Bytes;
/// use kvs_server::parse::{Parse, ParseError};
/// let mut args = vec![Bytes::from("k"), Bytes::from("10")];
/// let mut p = Parse::new(&mut args);
/// assert_eq!(p.next_bytes().unwrap(), "k");
/// assert_eq!(p.next_int().unwrap(), 10);
/// assert_eq!(p.finish(), Ok(()));
/// assert_eq!(p.next_bytes(), Err(ParseError::WrongArity));
/// ```
#[derive(Debug)]
pub struct Parse<'a> {
    args: std::vec::Drain<'a, Bytes>,
}

impl<'a> Parse<'a> {
    /// A cursor over `args` (the command name already removed), taking them
    /// out of the vector, which keeps its capacity for the next request.
    ///
    /// ```
    /// let mut args = vec![];
    /// let p = kvs_server::parse::Parse::new(&mut args);
    /// assert_eq!(p.remaining(), 0);
    /// ```
    pub fn new(args: &'a mut Vec<Bytes>) -> Parse<'a> {
        Parse {
            args: args.drain(..),
        }
    }

    /// A cursor over a request's arguments after its name (`args[0]`).
    pub(crate) fn after_name(args: &'a mut Vec<Bytes>) -> Parse<'a> {
        Parse {
            args: args.drain(1..),
        }
    }

    /// How many arguments are left.
    ///
    /// ```
    /// let mut args = vec!["a".into()];
    /// let p = kvs_server::parse::Parse::new(&mut args);
    /// assert_eq!(p.remaining(), 1);
    /// ```
    pub fn remaining(&self) -> usize {
        self.args.len()
    }

    /// The next argument: `WrongArity` if there is none.
    ///
    /// ```
    /// let mut args = vec!["a".into()];
    /// let mut p = kvs_server::parse::Parse::new(&mut args);
    /// assert_eq!(p.next_bytes().unwrap(), "a");
    /// ```
    pub fn next_bytes(&mut self) -> Result<Bytes, ParseError> {
        self.args.next().ok_or(ParseError::WrongArity)
    }

    /// The next argument, if any.
    ///
    /// ```
    /// let mut args = vec![];
    /// let mut p = kvs_server::parse::Parse::new(&mut args);
    /// assert!(p.try_next().is_none());
    /// ```
    pub fn try_next(&mut self) -> Option<Bytes> {
        self.args.next()
    }

    /// The next argument as an `i64`, with Redis's strict rules (no spaces,
    /// no `+`, no leading zeros).
    ///
    /// ```
    /// let mut args = vec!["-5".into(), "05".into()];
    /// let mut p = kvs_server::parse::Parse::new(&mut args);
    /// assert_eq!(p.next_int().unwrap(), -5);
    /// assert!(p.next_int().is_err());
    /// ```
    pub fn next_int(&mut self) -> Result<i64, ParseError> {
        let b = self.next_bytes()?;
        parse_i64(&b).ok_or(ParseError::NotInteger)
    }

    /// Every argument left.
    ///
    /// ```
    /// let mut args = vec!["a".into(), "b".into()];
    /// let mut p = kvs_server::parse::Parse::new(&mut args);
    /// assert_eq!(p.rest().len(), 2);
    /// ```
    pub fn rest(&mut self) -> Vec<Bytes> {
        self.args.by_ref().collect()
    }

    /// `WrongArity` if any argument is left.
    ///
    /// ```
    /// let mut args = vec!["a".into()];
    /// let mut p = kvs_server::parse::Parse::new(&mut args);
    /// assert!(p.finish().is_err());
    /// ```
    pub fn finish(&mut self) -> Result<(), ParseError> {
        if self.args.len() == 0 {
            Ok(())
        } else {
            Err(ParseError::WrongArity)
        }
    }
}

/// Parses a Redis integer argument (`string2ll`): an optional `-`, digits, no
/// leading zeros, within `i64`.
///
/// ```
/// use kvs_server::parse::parse_i64;
/// assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
/// assert_eq!(parse_i64(b"9223372036854775808"), None);
/// assert_eq!(parse_i64(b" 1"), None);
/// assert_eq!(parse_i64(b"0"), Some(0));
/// ```
pub fn parse_i64(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 || (digits[0] == b'0' && (digits.len() > 1 || neg)) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    if neg {
        if v == 1 << 63 {
            Some(i64::MIN)
        } else {
            i64::try_from(v).ok().map(|v| -v)
        }
    } else {
        i64::try_from(v).ok()
    }
}

/// Parses a float argument as Redis does (`strtold` on the whole string; no
/// NaN, no spaces).
///
/// ```
/// use kvs_server::parse::parse_f64;
/// assert_eq!(parse_f64(b"1.5"), Some(1.5));
/// assert_eq!(parse_f64(b"5.0e3"), Some(5000.0));
/// assert_eq!(parse_f64(b"nan"), None);
/// assert_eq!(parse_f64(b" 1"), None);
/// ```
pub fn parse_f64(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b).ok()?;
    if s.is_empty()
        || s.starts_with(|c: char| c.is_whitespace())
        || s.ends_with(char::is_whitespace)
    {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    (!v.is_nan()).then_some(v)
}

/// Whether `arg` equals `word`, ignoring ASCII case (options like `EX`, `nx`).
///
/// ```
/// assert!(kvs_server::parse::is(b"KeepTTL", "keepttl"));
/// ```
pub fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_follow_string2ll() {
        assert_eq!(parse_i64(b"-0"), None);
        assert_eq!(parse_i64(b"+1"), None);
        assert_eq!(parse_i64(b""), None);
        assert_eq!(parse_i64(b"-"), None);
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775809"), None);
        assert_eq!(parse_i64(b"12a"), None);
    }
}
