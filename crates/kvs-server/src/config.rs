//! Settings: the command line (`ServeArgs`), the in-process [`Config`] built
//! from it, and the live values `CONFIG GET`/`CONFIG SET` read and change.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use kvs::Clock;

use crate::connection::Limits;

/// Redis's default save points: after 1 h if 1 key changed, 5 min if 100,
/// 1 min if 10000.
pub const DEFAULT_SAVE: &str = "3600 1 300 100 60 10000";

/// Options of `kvs serve`.
///
/// ```
/// use clap::Parser;
/// #[derive(Parser)]
/// struct Cli { #[command(flatten)] serve: kvs_server::ServeArgs }
/// let cli = Cli::parse_from(["kvs", "--port", "7000", "--save", ""]);
/// let config = cli.serve.into_config().unwrap();
/// assert_eq!(config.port, 7000);
/// assert!(config.save.is_empty());
/// ```
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// TCP port to listen on (0 picks a free one).
    #[arg(long, short = 'p', default_value_t = 6379)]
    pub port: u16,
    /// Directory of the snapshot file.
    #[arg(long = "dir", default_value = "./kvs-data")]
    pub dir: PathBuf,
    /// Snapshot file name inside the data directory.
    #[arg(long, default_value = "dump.kvs")]
    pub dbfilename: String,
    /// Number of databases (SELECT 0..N-1).
    #[arg(long, default_value_t = 16)]
    pub databases: usize,
    /// Most clients connected at once.
    #[arg(long, default_value_t = 10000)]
    pub maxclients: usize,
    /// Password clients must give with AUTH before any other command.
    #[arg(long)]
    pub requirepass: Option<String>,
    /// Save policy, Redis style: "SECONDS CHANGES [SECONDS CHANGES ...]"; ""
    /// turns periodic saving off (SAVE, BGSAVE and SHUTDOWN SAVE still work).
    #[arg(long, default_value = DEFAULT_SAVE)]
    pub save: String,
    /// Start with empty databases if the snapshot file is corrupt, instead of
    /// refusing to start.
    #[arg(long)]
    pub ignore_corrupt_snapshot: bool,
    /// Longest bulk string a client may send, in bytes.
    #[arg(long, default_value_t = 512 * 1024 * 1024)]
    pub proto_max_bulk_len: usize,
    /// Most unparsed input buffered per client, in bytes.
    #[arg(long, default_value_t = 1024 * 1024 * 1024)]
    pub client_query_buffer_limit: usize,
    /// Most reply bytes buffered per client before it is disconnected.
    #[arg(long, default_value_t = 1024 * 1024 * 1024)]
    pub client_output_buffer_limit: usize,
    /// Log level: error, warn, info, debug or trace (Redis's warning, notice
    /// and verbose are accepted too).
    #[arg(long, default_value = "info")]
    pub loglevel: String,
    /// Worker threads (default: one per CPU).
    #[arg(long)]
    pub threads: Option<usize>,
}

impl ServeArgs {
    /// Checks the options and turns them into a [`Config`].
    ///
    /// ```
    /// use clap::Parser;
    /// #[derive(Parser)]
    /// struct Cli { #[command(flatten)] serve: kvs_server::ServeArgs }
    /// let cli = Cli::parse_from(["kvs", "--save", "10"]);
    /// assert!(cli.serve.into_config().is_err());
    /// ```
    pub fn into_config(self) -> Result<Config, String> {
        let save = parse_save(&self.save)?;
        if self.databases == 0 {
            return Err("--databases must be at least 1".into());
        }
        Ok(Config {
            bind: self.bind,
            port: self.port,
            dir: self.dir,
            dbfilename: self.dbfilename,
            databases: self.databases,
            maxclients: self.maxclients,
            requirepass: self.requirepass.filter(|p| !p.is_empty()),
            save,
            ignore_corrupt_snapshot: self.ignore_corrupt_snapshot,
            limits: Limits {
                max_bulk: self.proto_max_bulk_len,
                max_query_buffer: self.client_query_buffer_limit,
                max_output_buffer: self.client_output_buffer_limit,
            },
            threads: self.threads,
            clock: None,
        })
    }
}

/// Parses a save policy: pairs of positive integers, or "" for none.
///
/// ```
/// assert_eq!(kvs_server::config::parse_save("60 1 5 10").unwrap(), vec![(60, 1), (5, 10)]);
/// assert!(kvs_server::config::parse_save("").unwrap().is_empty());
/// assert!(kvs_server::config::parse_save("60").is_err());
/// ```
pub fn parse_save(text: &str) -> Result<Vec<(u64, u64)>, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() % 2 != 0 {
        return Err(format!(
            "invalid save policy {text:?}: expected SECONDS CHANGES pairs"
        ));
    }
    words
        .chunks(2)
        .map(|p| match (p[0].parse(), p[1].parse()) {
            (Ok(s), Ok(c)) => Ok((s, c)),
            _ => Err(format!("invalid save policy {text:?}: not a number")),
        })
        .collect()
}

/// Everything a server needs to start (what `kvs serve` builds from its
/// options; tests build it directly).
///
/// ```
/// let c = kvs_server::Config::default();
/// assert_eq!(c.port, 6379);
/// assert_eq!(c.databases, 16);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on.
    pub bind: String,
    /// Port (0: any free one).
    pub port: u16,
    /// Data directory.
    pub dir: PathBuf,
    /// Snapshot file name inside `dir`.
    pub dbfilename: String,
    /// Number of databases.
    pub databases: usize,
    /// Most clients at once.
    pub maxclients: usize,
    /// Password required by AUTH, if any.
    pub requirepass: Option<String>,
    /// Save policy: (seconds, changes) pairs.
    pub save: Vec<(u64, u64)>,
    /// Start empty rather than refuse a corrupt snapshot.
    pub ignore_corrupt_snapshot: bool,
    /// Per-client size limits.
    pub limits: Limits,
    /// Worker threads (`None`: one per CPU).
    pub threads: Option<usize>,
    /// The clock for TTLs and server time (`None`: the system clock). Tests
    /// pass a [`kvs::ManualClock`].
    pub clock: Option<Arc<dyn Clock>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: "127.0.0.1".into(),
            port: 6379,
            dir: PathBuf::from("./kvs-data"),
            dbfilename: "dump.kvs".into(),
            databases: 16,
            maxclients: 10000,
            requirepass: None,
            save: parse_save(DEFAULT_SAVE).expect("default save policy"),
            ignore_corrupt_snapshot: false,
            limits: Limits::default(),
            threads: None,
            clock: None,
        }
    }
}

/// A parameter `CONFIG SET` may not change.
const IMMUTABLE: &[&str] = &[
    "bind",
    "port",
    "databases",
    "daemonize",
    "dir",
    "dbfilename",
];

/// The older names Redis 7.0 still accepts for the encoding thresholds.
const ALIASES: &[(&str, &str)] = &[
    ("hash-max-ziplist-entries", "hash-max-listpack-entries"),
    ("hash-max-ziplist-value", "hash-max-listpack-value"),
    ("list-max-ziplist-size", "list-max-listpack-size"),
];

/// The live parameters `CONFIG GET`/`CONFIG SET` work on. `requirepass`,
/// `maxclients`, `save` and the encoding thresholds (`hash-max-listpack-*`,
/// `list-max-listpack-size`, `list-compress-depth`, `set-max-intset-entries`,
/// applied with [`Settings::apply_encodings`]) change the server's
/// behaviour; the others are kept for tools that read them
/// (redis-benchmark reads `save` and `appendonly`).
#[derive(Debug)]
pub(crate) struct Settings {
    values: Mutex<BTreeMap<&'static str, String>>,
}

impl Settings {
    pub(crate) fn new(config: &Config, port: u16) -> Settings {
        let save = config
            .save
            .iter()
            .map(|(s, c)| format!("{s} {c}"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
        v.insert("bind", config.bind.clone());
        v.insert("port", port.to_string());
        v.insert("dir", config.dir.display().to_string());
        v.insert("dbfilename", config.dbfilename.clone());
        v.insert("databases", config.databases.to_string());
        v.insert("maxclients", config.maxclients.to_string());
        v.insert(
            "requirepass",
            config.requirepass.clone().unwrap_or_default(),
        );
        v.insert("save", save);
        v.insert("appendonly", "no".into());
        v.insert("appendfsync", "everysec".into());
        v.insert("daemonize", "no".into());
        v.insert("maxmemory", "0".into());
        v.insert("maxmemory-policy", "noeviction".into());
        v.insert("timeout", "0".into());
        v.insert("tcp-keepalive", "300".into());
        v.insert("hz", "10".into());
        v.insert("loglevel", "notice".into());
        v.insert("proto-max-bulk-len", config.limits.max_bulk.to_string());
        v.insert(
            "client-query-buffer-limit",
            config.limits.max_query_buffer.to_string(),
        );
        v.insert("protected-mode", "yes".into());
        v.insert("stop-writes-on-bgsave-error", "yes".into());
        v.insert("lazyfree-lazy-expire", "no".into());
        let enc = crate::types::Encodings::default();
        v.insert(
            "hash-max-listpack-entries",
            enc.hash_max_listpack_entries().to_string(),
        );
        v.insert(
            "hash-max-listpack-value",
            enc.hash_max_listpack_value().to_string(),
        );
        v.insert(
            "list-max-listpack-size",
            enc.list_max_listpack_size().to_string(),
        );
        v.insert("list-compress-depth", enc.list_compress_depth().to_string());
        v.insert(
            "set-max-intset-entries",
            enc.set_max_intset_entries().to_string(),
        );
        Settings {
            values: Mutex::new(v),
        }
    }

    /// Every parameter whose name (or older name) matches the glob
    /// `pattern`, under the name that matched.
    pub(crate) fn get(&self, pattern: &[u8]) -> Vec<(String, String)> {
        let values = self.values.lock().expect("settings lock");
        let aliases = ALIASES
            .iter()
            .filter_map(|(alias, name)| Some((*alias, values.get(name)?)));
        values
            .iter()
            .map(|(k, v)| (*k, v))
            .chain(aliases)
            .filter(|(k, _)| crate::glob::matches(pattern, k.as_bytes(), true))
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    /// Puts the encoding thresholds set here into effect.
    pub(crate) fn apply_encodings(&self, e: &crate::types::Encodings) {
        let n = |name| self.value(name).parse::<i64>().unwrap_or(0);
        e.set_hash_max_listpack_entries(n("hash-max-listpack-entries") as usize);
        e.set_hash_max_listpack_value(n("hash-max-listpack-value") as usize);
        e.set_list_max_listpack_size(n("list-max-listpack-size"));
        e.set_list_compress_depth(n("list-compress-depth") as usize);
        e.set_set_max_intset_entries(n("set-max-intset-entries") as usize);
    }

    /// One parameter's value.
    pub(crate) fn value(&self, name: &str) -> String {
        let values = self.values.lock().expect("settings lock");
        values.get(name).cloned().unwrap_or_default()
    }

    /// Sets parameters, all or none, with Redis's error texts.
    pub(crate) fn set_all(&self, pairs: &[(&[u8], &[u8])]) -> Result<(), String> {
        let mut values = self.values.lock().expect("settings lock");
        let checked = pairs
            .iter()
            .map(|(name, value)| check(&values, name, value))
            .collect::<Result<Vec<_>, String>>()?;
        for (key, value) in checked {
            values.insert(key, value);
        }
        Ok(())
    }

    pub(crate) fn requirepass(&self) -> Option<String> {
        Some(self.value("requirepass")).filter(|p| !p.is_empty())
    }

    pub(crate) fn maxclients(&self) -> usize {
        self.value("maxclients").parse().unwrap_or(10000)
    }

    pub(crate) fn save_policy(&self) -> Vec<(u64, u64)> {
        parse_save(&self.value("save")).unwrap_or_default()
    }
}

/// A memory amount as Redis reads one (`memtoull`): digits with an
/// optional unit `b`, `k`, `kb`, `m`, `mb`, `g`, `gb` (any case; `k` is
/// 1000, `kb` 1024).
fn parse_memory(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    let split = lower
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(split);
    let mul: u64 = match unit {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    digits.parse::<u64>().ok()?.checked_mul(mul)
}

/// Checks one `CONFIG SET` pair: the parameter's name and the value to store.
fn check(
    values: &BTreeMap<&'static str, String>,
    name: &[u8],
    value: &[u8],
) -> Result<(&'static str, String), String> {
    let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
    let mut value = String::from_utf8_lossy(value).into_owned();
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.as_str(), |(_, name)| name);
    let Some((&key, _)) = values.get_key_value(canonical) else {
        return Err(format!(
            "ERR Unknown option or number of arguments for CONFIG SET - '{lower}'"
        ));
    };
    let fail = |why: &str| {
        format!("ERR CONFIG SET failed (possibly related to argument '{lower}') - {why}")
    };
    if IMMUTABLE.contains(&key) {
        return Err(fail("can't set immutable config"));
    }
    match key {
        "save" => {
            parse_save(&value).map_err(|_| fail("Invalid save parameters"))?;
        }
        "hash-max-listpack-entries" | "set-max-intset-entries" => {
            value
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| fail("argument couldn't be parsed into an integer"))?;
        }
        "hash-max-listpack-value" => {
            value = parse_memory(&value)
                .ok_or_else(|| fail("argument must be a memory value"))?
                .to_string();
        }
        "list-max-listpack-size" => {
            value
                .parse::<i32>()
                .map_err(|_| fail("argument couldn't be parsed into an integer"))?;
        }
        "list-compress-depth" => {
            let depth = value
                .parse::<i64>()
                .map_err(|_| fail("argument couldn't be parsed into an integer"))?;
            if !(0..=i64::from(i32::MAX)).contains(&depth) {
                return Err(fail("argument must be between 0 and 2147483647 inclusive"));
            }
            if depth != 0 {
                return Err(fail(
                    "compressing list nodes is not supported by kvs (only 0)",
                ));
            }
        }
        "maxclients" | "timeout" | "tcp-keepalive" | "hz" => {
            value
                .parse::<u64>()
                .map_err(|_| fail("argument couldn't be parsed into an integer"))?;
        }
        "appendonly"
        | "protected-mode"
        | "stop-writes-on-bgsave-error"
        | "lazyfree-lazy-expire"
            if value != "yes" && value != "no" =>
        {
            return Err(fail("argument must be 'yes' or 'no'"));
        }
        _ => {}
    }
    Ok((key, value))
}
