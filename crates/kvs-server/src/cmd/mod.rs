//! The commands, grouped by Redis family (`string/`, `keyspace/`, `hash/`,
//! `list/`, `set/`, `server/`, `connection/`): one file per command (or per
//! group Redis documents together), each with its parsed form,
//! `parse_frames` and `apply`. Each family's `mod.rs` holds its rows of the
//! command table (`table.rs`); this file dispatches a request through the
//! table and holds what the commands share.

use std::time::{Duration, SystemTime};

use bytes::Bytes;

use crate::frame::Frame;
use crate::keyspace::{Db, Expiry};
use crate::value::Str;

use crate::parse::{Parse, ParseError};
use crate::session::Session;
use crate::state::Shared;

mod connection;
mod hash;
mod keyspace;
mod list;
mod server;
mod set;
mod string;
pub(crate) mod table;

/// What a command runs against: the shared server and its own client.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) session: &'a mut Session,
}

impl<'a> Ctx<'a> {
    /// The client's selected database.
    pub(crate) fn db(&self) -> Db<'a> {
        self.shared.keyspace.db(self.session.db)
    }

    /// Counts a keyspace hit or miss.
    pub(crate) fn hit(&mut self, found: bool) {
        if found {
            self.session.local.hits += 1;
        } else {
            self.session.local.misses += 1;
        }
    }

    /// Counts keys changed, for the save policy.
    pub(crate) fn dirty(&mut self, n: usize) {
        self.session.local.dirty += n as u64;
    }
}

/// A value to keep: copied out of the request buffer, so a stored value does
/// not pin the whole read buffer it arrived in.
pub(crate) fn own(v: &Bytes) -> Str {
    Str::from(&v[..])
}

/// The arguments the SCAN family shares: `cursor [MATCH pattern] [COUNT n]`.
pub(crate) struct ScanArgs {
    pub(crate) cursor: u64,
    pub(crate) pattern: Option<Bytes>,
    pub(crate) count: usize,
}

impl ScanArgs {
    /// Reads the cursor and the options, checked as Redis checks them;
    /// `extra(option, argument)` may take an option of the command's own
    /// (`SCAN ... TYPE t`) and returns whether it did.
    pub(crate) fn parse(
        p: &mut Parse,
        mut extra: impl FnMut(&[u8], &[u8]) -> bool,
    ) -> Result<ScanArgs, ParseError> {
        let cursor = p.next_bytes()?;
        let cursor = std::str::from_utf8(&cursor)
            .ok()
            .and_then(|c| c.parse::<u64>().ok())
            .ok_or_else(|| ParseError::Other("ERR invalid cursor".into()))?;
        let mut s = ScanArgs {
            cursor,
            pattern: None,
            count: 10,
        };
        while let Some(opt) = p.try_next() {
            let arg = p.try_next().ok_or(ParseError::Syntax)?;
            if crate::parse::is(&opt, "match") {
                s.pattern = Some(arg);
            } else if crate::parse::is(&opt, "count") {
                let n = crate::parse::parse_i64(&arg).ok_or(ParseError::NotInteger)?;
                if n < 1 {
                    return Err(ParseError::Syntax);
                }
                s.count = n as usize;
            } else if !extra(&opt, &arg) {
                return Err(ParseError::Syntax);
            }
        }
        Ok(s)
    }

    /// Whether `item` passes the `MATCH` pattern (all do without one).
    pub(crate) fn matches(&self, item: &[u8]) -> bool {
        self.pattern
            .as_ref()
            .is_none_or(|p| crate::glob::matches(p, item, false))
    }

    /// The reply: the next cursor, then the items.
    pub(crate) fn reply(next: u64, items: Vec<Frame>) -> Frame {
        Frame::Array(vec![
            Frame::Bulk(Bytes::from(next.to_string())),
            Frame::Array(items),
        ])
    }
}

/// The most picks a negative count of `SRANDMEMBER`/`HRANDFIELD` may ask
/// for. Redis builds such a reply however large (`-LONG_MAX` exhausts its
/// memory); this server builds a reply whole before sending it, so it
/// refuses more, with an error worded as Redis words its range errors.
pub(crate) const MAX_REPEATS: u64 = 1 << 24;

/// The error for a negative count past [`MAX_REPEATS`].
pub(crate) fn too_many_repeats() -> ParseError {
    ParseError::Other(format!(
        "ERR value is out of range, value must between -{MAX_REPEATS} and 9223372036854775807"
    ))
}

/// `ERR invalid expire time in '<cmd>' command`.
pub(crate) fn invalid_expire(cmd: &str) -> Frame {
    Frame::Error(format!("ERR invalid expire time in '{cmd}' command").into())
}

/// An expiry option of SET/GETEX, as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExpireArg {
    /// `EX seconds`.
    Ex(i64),
    /// `PX milliseconds`.
    Px(i64),
    /// `EXAT unix-seconds`.
    ExAt(i64),
    /// `PXAT unix-milliseconds`.
    PxAt(i64),
}

impl ExpireArg {
    /// Reads the number after an `EX`/`PX`/`EXAT`/`PXAT` option; `None` if
    /// `opt` is none of them.
    pub(crate) fn parse(opt: &[u8], p: &mut Parse) -> Option<Result<ExpireArg, ParseError>> {
        let make: fn(i64) -> ExpireArg = if crate::parse::is(opt, "ex") {
            ExpireArg::Ex
        } else if crate::parse::is(opt, "px") {
            ExpireArg::Px
        } else if crate::parse::is(opt, "exat") {
            ExpireArg::ExAt
        } else if crate::parse::is(opt, "pxat") {
            ExpireArg::PxAt
        } else {
            return None;
        };
        Some(match p.try_next() {
            None => Err(ParseError::Syntax),
            Some(n) => match crate::parse::parse_i64(&n) {
                Some(n) => Ok(make(n)),
                None => Err(ParseError::NotInteger),
            },
        })
    }

    /// The expiry, checked as Redis checks it (positive, no overflow in
    /// milliseconds, relative to `now_ms`); `None` means "invalid expire time".
    pub(crate) fn to_expiry(self, now_ms: i64) -> Option<Expiry> {
        let (ms, relative) = match self {
            ExpireArg::Ex(s) | ExpireArg::ExAt(s) => {
                (s.checked_mul(1000)?, matches!(self, ExpireArg::Ex(_)))
            }
            ExpireArg::Px(ms) => (ms, true),
            ExpireArg::PxAt(ms) => (ms, false),
        };
        if ms <= 0 {
            return None;
        }
        if relative {
            now_ms.checked_add(ms)?;
            Some(Expiry::In(Duration::from_millis(ms as u64)))
        } else {
            Some(Expiry::At(
                SystemTime::UNIX_EPOCH + Duration::from_millis(ms as u64),
            ))
        }
    }
}

/// Runs one request (`args[0]` is the command name) and returns its reply
/// (`None` when the command replies nothing, as `SHUTDOWN` on success).
/// The checks come in Redis's order: known name, arity, authentication.
pub(crate) fn execute(
    args: &mut Vec<Bytes>,
    shared: &Shared,
    session: &mut Session,
) -> Option<Frame> {
    session.local.commands += 1;
    let spec = lookup(args.first()?);
    let Some(spec) = spec else {
        let name = std::mem::take(&mut args[0]);
        let rest = args.drain(1..).collect();
        return Some(unknown_command(&name, rest));
    };
    if !spec.arity_ok(args.len()) {
        return Some(ParseError::WrongArity.into_frame(spec.name));
    }
    if !session.authenticated && !spec.has(table::flag::NO_AUTH) {
        return Some(Frame::err("NOAUTH Authentication required."));
    }
    let mut p = Parse::after_name(args);
    match (spec.run)(&mut p, &mut Ctx { shared, session }) {
        Ok(reply) => reply,
        Err(e) => Some(e.into_frame(spec.name)),
    }
}

/// The table row for a command name, in any case.
pub(crate) fn lookup(name: &[u8]) -> Option<&'static table::Spec> {
    let mut lower = [0u8; 24];
    let lower = lower.get_mut(..name.len())?;
    lower.copy_from_slice(name);
    lower.make_ascii_lowercase();
    table::lookup(lower)
}

/// Redis's reply to an unknown command: the name and the first arguments,
/// quoted, up to 128 bytes.
fn unknown_command(name: &[u8], args: Vec<Bytes>) -> Frame {
    let clean = |b: &[u8]| -> String {
        String::from_utf8_lossy(b)
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect()
    };
    let mut list = String::new();
    for a in &args {
        if list.len() >= 128 {
            break;
        }
        let room = 128 - list.len();
        let a = &a[..a.len().min(room)];
        list.push_str(&format!("'{}' ", clean(a)));
    }
    let name = &name[..name.len().min(128)];
    Frame::Error(
        format!(
            "ERR unknown command '{}', with args beginning with: {}",
            clean(name),
            list
        )
        .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_command_text_matches_redis() {
        let f = unknown_command(b"foo", vec![Bytes::from("a"), Bytes::from("b")]);
        assert_eq!(
            f,
            Frame::Error("ERR unknown command 'foo', with args beginning with: 'a' 'b' ".into())
        );
        let f = unknown_command(b"foo", vec![]);
        assert_eq!(
            f,
            Frame::Error("ERR unknown command 'foo', with args beginning with: ".into())
        );
    }

    #[test]
    fn expire_args_are_checked_like_redis() {
        assert_eq!(ExpireArg::Ex(0).to_expiry(0), None);
        assert_eq!(ExpireArg::Px(-1).to_expiry(0), None);
        assert_eq!(ExpireArg::Ex(i64::MAX / 100).to_expiry(0), None);
        assert_eq!(ExpireArg::Px(i64::MAX).to_expiry(1), None);
        assert_eq!(
            ExpireArg::Ex(2).to_expiry(0),
            Some(Expiry::In(Duration::from_secs(2)))
        );
    }
}
