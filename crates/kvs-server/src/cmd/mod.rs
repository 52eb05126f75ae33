//! The commands: one file per Redis command (or per family Redis documents
//! together), each with its parsed form, `parse_frames` and `apply`. This
//! file maps names to them and holds what they share.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use kvs::{Expiry, Store};

use crate::value::Value;

use crate::frame::Frame;
use crate::parse::{Parse, ParseError};
use crate::session::Session;
use crate::state::Shared;

mod append;
mod auth;
mod bgsave;
mod client;
mod command;
mod config;
mod copy;
mod dbsize;
mod del;
mod echo;
mod exists;
mod expire;
mod expiretime;
mod flushall;
mod flushdb;
mod get;
mod getdel;
mod getex;
mod getrange;
mod getset;
mod hello;
mod incr;
mod incrbyfloat;
mod info;
mod keys;
mod lastsave;
mod mget;
mod r#move;
mod mset;
mod msetnx;
mod persist;
mod ping;
mod psetex;
mod quit;
mod randomkey;
mod rename;
mod renamenx;
mod save;
mod scan;
mod select;
mod set;
mod setex;
mod setnx;
mod setrange;
mod shutdown;
mod strlen;
mod time;
mod touch;
mod ttl;
mod r#type;
mod unlink;

/// What a command runs against: the shared server and its own client.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) session: &'a mut Session,
}

impl Ctx<'_> {
    /// The client's selected database.
    pub(crate) fn db(&self) -> &Store<Value> {
        self.shared.dbs.get(self.session.db)
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
pub(crate) fn own(v: &Bytes) -> Value {
    Value::from(&v[..])
}

/// The reply for a store failure (the store is closed only during shutdown).
pub(crate) fn store_error(e: kvs::Error) -> Frame {
    Frame::Error(format!("ERR {e}").into())
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

macro_rules! commands {
    ($( $name:literal => $variant:ident($ty:ty) = $parse:expr ),* $(,)?) => {
        /// A parsed request.
        pub(crate) enum Command {
            $( $variant($ty), )*
        }

        /// The lower-case name of every command, for `COMMAND COUNT`/`LIST`.
        pub(crate) const NAMES: &[&str] = &[$( $name, )*];

        fn parse_named(
            lower: &[u8],
            p: &mut Parse,
        ) -> Option<Result<Command, (&'static str, ParseError)>> {
            Some(match lower {
                $( n if n == $name.as_bytes() => {
                    let parse: fn(&mut Parse) -> Result<$ty, ParseError> = $parse;
                    parse(p).map(Command::$variant).map_err(|e| ($name, e))
                } )*
                _ => return None,
            })
        }

        impl Command {
            fn apply(self, ctx: &mut Ctx<'_>) -> Option<Frame> {
                match self {
                    $( Command::$variant(c) => c.apply(ctx), )*
                }
            }
        }
    };
}

commands! {
    "get" => Get(get::Get) = get::Get::parse_frames,
    "set" => Set(set::Set) = set::Set::parse_frames,
    "ping" => Ping(ping::Ping) = ping::Ping::parse_frames,
    "incr" => Incr(incr::IncrBy) = incr::IncrBy::parse_incr,
    "mset" => Mset(mset::Mset) = mset::Mset::parse_frames,
    "mget" => Mget(mget::Mget) = mget::Mget::parse_frames,
    "del" => Del(del::Del) = del::Del::parse_frames,
    "decr" => Decr(incr::IncrBy) = incr::IncrBy::parse_decr,
    "incrby" => IncrBy(incr::IncrBy) = incr::IncrBy::parse_incrby,
    "decrby" => DecrBy(incr::IncrBy) = incr::IncrBy::parse_decrby,
    "incrbyfloat" => IncrByFloat(incrbyfloat::IncrByFloat) = incrbyfloat::IncrByFloat::parse_frames,
    "setnx" => SetNx(setnx::SetNx) = setnx::SetNx::parse_frames,
    "setex" => SetEx(setex::SetEx) = setex::SetEx::parse_frames,
    "psetex" => PSetEx(psetex::PSetEx) = psetex::PSetEx::parse_frames,
    "getset" => GetSet(getset::GetSet) = getset::GetSet::parse_frames,
    "getdel" => GetDel(getdel::GetDel) = getdel::GetDel::parse_frames,
    "getex" => GetEx(getex::GetEx) = getex::GetEx::parse_frames,
    "msetnx" => MsetNx(msetnx::MsetNx) = msetnx::MsetNx::parse_frames,
    "append" => Append(append::Append) = append::Append::parse_frames,
    "strlen" => Strlen(strlen::Strlen) = strlen::Strlen::parse_frames,
    "getrange" => GetRange(getrange::GetRange) = getrange::GetRange::parse_frames,
    "setrange" => SetRange(setrange::SetRange) = setrange::SetRange::parse_frames,
    "unlink" => Unlink(unlink::Unlink) = unlink::Unlink::parse_frames,
    "exists" => Exists(exists::Exists) = exists::Exists::parse_frames,
    "type" => Type(r#type::Type) = r#type::Type::parse_frames,
    "keys" => Keys(keys::Keys) = keys::Keys::parse_frames,
    "scan" => Scan(scan::Scan) = scan::Scan::parse_frames,
    "randomkey" => RandomKey(randomkey::RandomKey) = randomkey::RandomKey::parse_frames,
    "rename" => Rename(rename::Rename) = rename::Rename::parse_frames,
    "renamenx" => RenameNx(renamenx::RenameNx) = renamenx::RenameNx::parse_frames,
    "copy" => Copy(copy::Copy) = copy::Copy::parse_frames,
    "move" => Move(r#move::Move) = r#move::Move::parse_frames,
    "touch" => Touch(touch::Touch) = touch::Touch::parse_frames,
    "expire" => Expire(expire::Expire) = expire::Expire::parse_expire,
    "pexpire" => PExpire(expire::Expire) = expire::Expire::parse_pexpire,
    "expireat" => ExpireAt(expire::Expire) = expire::Expire::parse_expireat,
    "pexpireat" => PExpireAt(expire::Expire) = expire::Expire::parse_pexpireat,
    "ttl" => Ttl(ttl::Ttl) = ttl::Ttl::parse_ttl,
    "pttl" => PTtl(ttl::Ttl) = ttl::Ttl::parse_pttl,
    "expiretime" => ExpireTime(expiretime::ExpireTime) = expiretime::ExpireTime::parse_expiretime,
    "pexpiretime" => PExpireTime(expiretime::ExpireTime) = expiretime::ExpireTime::parse_pexpiretime,
    "persist" => Persist(persist::Persist) = persist::Persist::parse_frames,
    "echo" => Echo(echo::Echo) = echo::Echo::parse_frames,
    "quit" => Quit(quit::Quit) = quit::Quit::parse_frames,
    "hello" => Hello(hello::Hello) = hello::Hello::parse_frames,
    "select" => Select(select::Select) = select::Select::parse_frames,
    "auth" => Auth(auth::Auth) = auth::Auth::parse_frames,
    "client" => Client(client::Client) = client::Client::parse_frames,
    "command" => Cmds(command::CommandCmd) = command::CommandCmd::parse_frames,
    "config" => Config(config::ConfigCmd) = config::ConfigCmd::parse_frames,
    "info" => Info(info::Info) = info::Info::parse_frames,
    "dbsize" => DbSize(dbsize::DbSize) = dbsize::DbSize::parse_frames,
    "flushdb" => FlushDb(flushdb::FlushDb) = flushdb::FlushDb::parse_frames,
    "flushall" => FlushAll(flushall::FlushAll) = flushall::FlushAll::parse_frames,
    "time" => Time(time::Time) = time::Time::parse_frames,
    "save" => Save(save::Save) = save::Save::parse_frames,
    "bgsave" => BgSave(bgsave::BgSave) = bgsave::BgSave::parse_frames,
    "lastsave" => LastSave(lastsave::LastSave) = lastsave::LastSave::parse_frames,
    "shutdown" => Shutdown(shutdown::Shutdown) = shutdown::Shutdown::parse_frames,
}

/// Commands a client may send before `AUTH` when a password is set.
fn allowed_before_auth(cmd: &Command) -> bool {
    matches!(cmd, Command::Auth(_) | Command::Hello(_) | Command::Quit(_))
}

/// Runs one request (`args[0]` is the command name) and returns its reply
/// (`None` when the command replies nothing, as `SHUTDOWN` on success).
pub(crate) fn execute(
    args: &mut Vec<Bytes>,
    shared: &Shared,
    session: &mut Session,
) -> Option<Frame> {
    session.local.commands += 1;
    let name = std::mem::take(args.first_mut()?);
    let mut p = Parse::after_name(args);
    let mut lower = [0u8; 16];
    let known = if name.len() <= lower.len() {
        let lower = &mut lower[..name.len()];
        lower.copy_from_slice(&name);
        lower.make_ascii_lowercase();
        parse_named(lower, &mut p)
    } else {
        None
    };
    let cmd = match known {
        None => return Some(unknown_command(&name, p.rest())),
        Some(Err((cname, e))) => return Some(e.into_frame(cname)),
        Some(Ok(cmd)) => cmd,
    };
    if !session.authenticated && !allowed_before_auth(&cmd) {
        return Some(Frame::err("NOAUTH Authentication required."));
    }
    cmd.apply(&mut Ctx { shared, session })
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
