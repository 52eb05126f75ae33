//! The command table: one [`Spec`] row per command, holding everything the
//! server knows about it (name, arity, flags, key positions, handler).
//! Dispatch, the arity check, the auth gate, "is this a write", `COMMAND
//! COUNT/INFO/LIST/GETKEYS` all read these rows, so they cannot disagree.
//! Each family (`cmd/string`, `cmd/hash`, ...) owns its rows.

use std::collections::HashMap;
use std::sync::OnceLock;

use bytes::Bytes;

use crate::cmd::Ctx;
use crate::frame::Frame;
use crate::parse::{Parse, ParseError};

/// Command flags, as `COMMAND INFO` names them.
pub(crate) mod flag {
    /// May change data.
    pub(crate) const WRITE: u32 = 1 << 0;
    /// Only reads data.
    pub(crate) const READONLY: u32 = 1 << 1;
    /// May grow memory (refused when over `maxmemory`).
    pub(crate) const DENYOOM: u32 = 1 << 2;
    /// An administrative command.
    pub(crate) const ADMIN: u32 = 1 << 3;
    /// Pub/sub related.
    pub(crate) const PUBSUB: u32 = 1 << 4;
    /// Not allowed in scripts.
    pub(crate) const NOSCRIPT: u32 = 1 << 5;
    /// May block the client.
    pub(crate) const BLOCKING: u32 = 1 << 6;
    /// Allowed while loading.
    pub(crate) const LOADING: u32 = 1 << 7;
    /// Allowed on a stale replica.
    pub(crate) const STALE: u32 = 1 << 8;
    /// Not shown to MONITOR.
    pub(crate) const SKIP_MONITOR: u32 = 1 << 9;
    /// Not logged to the slow log.
    pub(crate) const SKIP_SLOWLOG: u32 = 1 << 10;
    /// O(1) or O(log n), never blocks.
    pub(crate) const FAST: u32 = 1 << 11;
    /// Allowed before `AUTH`.
    pub(crate) const NO_AUTH: u32 = 1 << 12;
    /// May replicate even though it is not a write.
    pub(crate) const MAY_REPLICATE: u32 = 1 << 13;
    /// Not allowed inside MULTI.
    pub(crate) const NO_MULTI: u32 = 1 << 14;
    /// Key positions depend on the arguments (see [`super::Keys::find`]).
    pub(crate) const MOVABLEKEYS: u32 = 1 << 15;
    /// Allowed while a script runs too long.
    pub(crate) const ALLOW_BUSY: u32 = 1 << 16;

    /// Each flag with the name `COMMAND INFO` gives it, in Redis's order.
    pub(crate) const NAMES: &[(u32, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (MAY_REPLICATE, "may_replicate"),
        (NO_MULTI, "no_multi"),
        (MOVABLEKEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// What a command's handler returns: its reply (`None`: no reply, as
/// `SHUTDOWN` on success), or the parse error the dispatcher turns into a
/// reply naming the command.
pub(crate) type Outcome = Result<Option<Frame>, ParseError>;

/// A command's handler: parses the arguments after the name and applies.
pub(crate) type Run = fn(&mut Parse<'_>, &mut Ctx<'_>) -> Outcome;

/// Finds the key positions in a request whose keys move with its
/// arguments, or says why the arguments hold none.
pub(crate) type FindKeys = fn(&[Bytes]) -> Result<Vec<usize>, &'static str>;

/// Where a command's keys are among its arguments (the name is argument 0),
/// as `COMMAND INFO` reports them: `first`, `last` (negative: from the
/// end, -1 the last argument), `step`; all 0 for a command without keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keys {
    pub(crate) first: i64,
    pub(crate) last: i64,
    pub(crate) step: i64,
    /// For commands whose keys move with their arguments (`LMPOP numkeys
    /// key...`): the positions of the keys in a request, or an error text.
    pub(crate) find: Option<FindKeys>,
}

impl Keys {
    /// No keys.
    pub(crate) const NONE: Keys = Keys::range(0, 0, 0);
    /// One key, the first argument.
    pub(crate) const ONE: Keys = Keys::range(1, 1, 1);
    /// Every argument is a key.
    pub(crate) const ALL: Keys = Keys::range(1, -1, 1);

    /// Keys at `first`, `first + step`, ... up to `last`.
    pub(crate) const fn range(first: i64, last: i64, step: i64) -> Keys {
        Keys {
            first,
            last,
            step,
            find: None,
        }
    }

    /// Keys found by `find` in each request (the list and set families'
    /// `LMPOP`, `SINTERCARD`, ...).
    #[allow(dead_code)]
    pub(crate) const fn movable(find: FindKeys) -> Keys {
        Keys {
            first: 0,
            last: 0,
            step: 0,
            find: Some(find),
        }
    }

    /// The key positions in `args` (the full request, name first).
    pub(crate) fn positions(&self, args: &[Bytes]) -> Result<Vec<usize>, &'static str> {
        if let Some(find) = self.find {
            return find(args);
        }
        if self.first == 0 {
            return Ok(Vec::new());
        }
        let n = args.len() as i64;
        let last = if self.last < 0 {
            n + self.last
        } else {
            self.last
        };
        let mut out = Vec::new();
        let mut i = self.first;
        while i <= last && i < n {
            out.push(i as usize);
            i += self.step.max(1);
        }
        Ok(out)
    }
}

/// One command's row.
#[derive(Debug)]
pub(crate) struct Spec {
    /// The lower-case name.
    pub(crate) name: &'static str,
    /// Words with the name: exactly N if positive, at least -N if negative.
    pub(crate) arity: i64,
    /// The [`flag`]s.
    pub(crate) flags: u32,
    /// Where the keys are.
    pub(crate) keys: Keys,
    /// The handler.
    pub(crate) run: Run,
}

impl Spec {
    /// Whether `argc` words (the name included) fit the arity.
    pub(crate) fn arity_ok(&self, argc: usize) -> bool {
        let argc = argc as i64;
        if self.arity >= 0 {
            argc == self.arity
        } else {
            argc >= -self.arity
        }
    }

    /// Whether the command has `flag`.
    pub(crate) fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// The flag names, for `COMMAND INFO`.
    pub(crate) fn flag_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        flag::NAMES
            .iter()
            .filter(|(f, _)| self.has(*f))
            .map(|(_, n)| *n)
    }
}

/// A row: `cmd!(name, arity, flags, keys, parse)`, where `parse` is a
/// function from the arguments to a value with an
/// `apply(self, &mut Ctx) -> Option<Frame>` method.
macro_rules! cmd {
    ($name:literal, $arity:expr, $flags:expr, $keys:expr, $parse:path) => {
        $crate::cmd::table::Spec {
            name: $name,
            arity: $arity,
            flags: $flags,
            keys: $keys,
            run: |p, ctx| $parse(p).map(|c| c.apply(ctx)),
        }
    };
}
pub(crate) use cmd;

/// Every family's rows.
fn families() -> [&'static [Spec]; 7] {
    [
        crate::cmd::string::COMMANDS,
        crate::cmd::keyspace::COMMANDS,
        crate::cmd::hash::COMMANDS,
        crate::cmd::list::COMMANDS,
        crate::cmd::set::COMMANDS,
        crate::cmd::server::COMMANDS,
        crate::cmd::connection::COMMANDS,
    ]
}

/// Every row, in family order.
pub(crate) fn all() -> impl Iterator<Item = &'static Spec> {
    families().into_iter().flatten()
}

/// The row for a lower-case name.
pub(crate) fn lookup(lower: &[u8]) -> Option<&'static Spec> {
    type Index = HashMap<&'static [u8], &'static Spec, foldhash::fast::RandomState>;
    static INDEX: OnceLock<Index> = OnceLock::new();
    INDEX
        .get_or_init(|| all().map(|s| (s.name.as_bytes(), s)).collect())
        .get(lower)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_lower_case_and_found() {
        let mut seen = std::collections::HashSet::new();
        for s in all() {
            assert!(seen.insert(s.name), "{} twice", s.name);
            assert_eq!(s.name, s.name.to_ascii_lowercase());
            assert!(std::ptr::eq(lookup(s.name.as_bytes()).unwrap(), s));
            assert!(
                s.has(flag::WRITE) as u8 + s.has(flag::READONLY) as u8 <= 1,
                "{} both write and readonly",
                s.name
            );
        }
        assert!(lookup(b"nosuchcommand").is_none());
    }

    #[test]
    fn key_positions_follow_first_last_step() {
        let args: Vec<Bytes> = ["mset", "a", "1", "b", "2"].map(Bytes::from).to_vec();
        assert_eq!(Keys::range(1, -1, 2).positions(&args).unwrap(), vec![1, 3]);
        assert_eq!(Keys::ONE.positions(&args).unwrap(), vec![1]);
        assert_eq!(Keys::ALL.positions(&args).unwrap(), vec![1, 2, 3, 4]);
        assert!(Keys::NONE.positions(&args).unwrap().is_empty());
    }
}
