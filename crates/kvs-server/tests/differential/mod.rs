//! The differential harness: the same random command sequences sent to a
//! real `redis-server` (the oracle) and to `kvs serve`, replies compared
//! type for type.
//!
//! - `resp`: raw-socket RESP client and reply parser (RESP2 and RESP3).
//! - `gen`: the seeded PRNG, argument pools and the [`gen::Cmd`] a family
//!   draws, with how its replies are compared ([`gen::Cmp`]).
//! - `families`: one generator per Redis command family and the registry.
//! - `compare`: running a command on both, the verdict, `KNOWN_DIFFERENCES`.
//! - `servers`: starting the two servers.
//!
//! A run is a series of rounds. Each round has its own seed (from the run's
//! seed and the round number), starts from both servers flushed, picks
//! RESP2 or RESP3, and sends 50..300 commands; at its end the whole state
//! of databases 0..2 is compared. The first unexplained difference is
//! shrunk (commands removed while the same command still differs) and
//! printed as a redis-cli script.

pub mod compare;
pub mod families;
pub mod gen;
pub mod resp;
pub mod servers;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{Duration, Instant};

use compare::{Outcome, Pair, Verdict};
use gen::{Cmd, Cmp, Gen, KEYS};
use resp::cli_line;

/// What the environment asks for.
pub struct Settings {
    pub seconds: f64,
    pub seed: u64,
    /// Run only this round (replaying a reported failure).
    pub round: Option<u64>,
    /// Collect distinct failures instead of stopping at the first.
    pub keep_going: bool,
    pub families: Vec<&'static families::Family>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_seed(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

impl Settings {
    pub fn from_env() -> Settings {
        let seconds = env("KVS_DIFF_SECONDS").map_or(20.0, |s| {
            s.parse()
                .unwrap_or_else(|_| panic!("KVS_DIFF_SECONDS={s:?} is not a number"))
        });
        let seed = env("KVS_DIFF_SEED").map_or(0x5eed_cafe, |s| {
            parse_seed(&s).unwrap_or_else(|| panic!("KVS_DIFF_SEED={s:?} is not a u64"))
        });
        let round = env("KVS_DIFF_ROUND").map(|s| {
            s.parse()
                .unwrap_or_else(|_| panic!("KVS_DIFF_ROUND={s:?} is not a number"))
        });
        let keep_going = env("KVS_DIFF_KEEP_GOING").is_some_and(|v| v != "0");
        let families = families::selected(env("KVS_DIFF_FAMILIES").as_deref())
            .unwrap_or_else(|e| panic!("{e}"));
        Settings {
            seconds,
            seed,
            round,
            keep_going,
            families,
        }
    }
}

/// A round's plan, from its seed alone.
struct Round {
    number: u64,
    resp3: bool,
    gen: Gen,
    len: usize,
}

impl Round {
    fn new(seed: u64, number: u64) -> Round {
        let mut gen = Gen::new(gen::round_seed(seed, number));
        let resp3 = gen.chance(25);
        let len = 50 + gen.below(250);
        Round {
            number,
            resp3,
            gen,
            len,
        }
    }

    /// The next command, sometimes with an argument dropped or added.
    fn next(&mut self, families: &[&families::Family]) -> Cmd {
        let mut cmd = families::draw(&mut self.gen, families);
        if self.gen.chance(3) {
            if cmd.args.len() > 1 && self.gen.chance(50) {
                cmd.args.pop();
            } else {
                let junk = self.gen.junk();
                cmd.args.push(junk);
            }
        }
        gen::lengthen_short_ttls(&mut cmd);
        // A scan is compared by meaning however it was drawn (a wrong-arity
        // SCAN plus a junk argument is a scan from some cursor).
        if matches!(cmd.name().as_str(), "SCAN" | "HSCAN" | "SSCAN" | "ZSCAN") {
            cmd.cmp = Cmp::Scan;
        }
        cmd
    }
}

/// How a sequence failed.
#[derive(Debug, Clone, PartialEq)]
enum Failure {
    /// The command at this index got replies that differ.
    Reply(usize),
    /// Every reply agreed but the states at the end differ.
    State,
}

/// One failure to report.
struct Report {
    signature: String,
    text: String,
}

/// Replays `seq` from flushed servers; the first failure, if any (known
/// differences resync as in the original run). Also returns the outcomes.
fn replay(
    pair: &mut Pair,
    addrs: (std::net::SocketAddr, std::net::SocketAddr),
    resp3: bool,
    seq: &[Cmd],
) -> std::io::Result<(Option<Failure>, Vec<Outcome>, Option<String>)> {
    pair.reset(resp3)?;
    let mut outcomes = Vec::new();
    for (i, cmd) in seq.iter().enumerate() {
        let o = pair.run(cmd)?;
        let differ = matches!(o.verdict, Verdict::Differ(_));
        outcomes.push(o);
        if differ {
            return Ok((Some(Failure::Reply(i)), outcomes, None));
        }
    }
    let state = Pair::state_diff(addrs.0, addrs.1)?;
    let failure = state.is_some().then_some(Failure::State);
    Ok((failure, outcomes, state))
}

/// Removes commands from `seq` while it still fails the same way (for a
/// reply failure: the last command, kept, still differs). Bounded in time.
fn shrink(
    pair: &mut Pair,
    addrs: (std::net::SocketAddr, std::net::SocketAddr),
    resp3: bool,
    mut seq: Vec<Cmd>,
    failure: &Failure,
    sig: &str,
) -> std::io::Result<Vec<Cmd>> {
    let deadline = Instant::now() + Duration::from_secs(30);
    // The same failure: the last command still differs with the same
    // signature (so a shrink does not wander off to another difference).
    let fails = |pair: &mut Pair, s: &[Cmd]| -> std::io::Result<bool> {
        let (f, outcomes, _) = replay(pair, addrs, resp3, s)?;
        Ok(match failure {
            Failure::Reply(_) => {
                f == Some(Failure::Reply(s.len() - 1))
                    && outcomes.last().map(|o| signature(&s[s.len() - 1], o))
                        == Some(sig.to_string())
            }
            Failure::State => f == Some(Failure::State),
        })
    };
    let fixed_tail = usize::from(matches!(failure, Failure::Reply(_)));
    let mut chunk = (seq.len() / 2).max(1);
    loop {
        let mut removed = false;
        let mut at = 0;
        while at + fixed_tail < seq.len() && Instant::now() < deadline {
            let end = (at + chunk).min(seq.len() - fixed_tail);
            let mut candidate = seq[..at].to_vec();
            candidate.extend_from_slice(&seq[end..]);
            if !candidate.is_empty() && fails(pair, &candidate)? {
                seq = candidate;
                removed = true;
            } else {
                at = end;
            }
        }
        if Instant::now() >= deadline || (chunk == 1 && !removed) {
            return Ok(seq);
        }
        if !removed {
            chunk = (chunk / 2).max(1);
        }
    }
}

fn header(resp3: bool) -> Vec<String> {
    let mut v = vec!["FLUSHALL".to_string(), "SELECT 0".to_string()];
    if resp3 {
        v.push("HELLO 3".to_string());
    }
    v
}

/// A failure's kind, to tell distinct ones apart: the command's name and
/// each reply's type (an error's text).
fn signature(cmd: &Cmd, o: &Outcome) -> String {
    let short = |r: &resp::Reply| match r {
        resp::Reply::Error(e) => format!("-{}", String::from_utf8_lossy(&e[..e.len().min(60)])),
        r => r.kind().to_string(),
    };
    format!(
        "{} redis:{} kvs:{}",
        cmd.name(),
        short(&o.redis),
        short(&o.kvs)
    )
}

/// The keys of the key space that `cmd` names.
fn keys_of(cmd: &Cmd) -> Vec<Vec<u8>> {
    cmd.args[1..]
        .iter()
        .filter(|a| KEYS.contains(&&a[..]))
        .cloned()
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn describe(
    pair: &mut Pair,
    addrs: (std::net::SocketAddr, std::net::SocketAddr),
    s: &Settings,
    round: &Round,
    seq: &[Cmd],
    failure: &Failure,
    outcome: Option<&Outcome>,
    state: Option<&str>,
) -> std::io::Result<Report> {
    let mut t = String::new();
    let proto = if round.resp3 { "RESP3" } else { "RESP2" };
    let _ = writeln!(t, "=== differential: kvs differs from redis-server ===");
    let _ = writeln!(
        t,
        "seed {:#x}, round {}, {proto}; replay just this round with:\n  KVS_DIFF_SEED={:#x} KVS_DIFF_ROUND={} KVS_DIFF_FAMILIES={} cargo test -p kvs-server --test differential",
        s.seed,
        round.number,
        s.seed,
        round.number,
        s.families.iter().map(|f| f.name).collect::<Vec<_>>().join(",")
    );
    let last = seq.last().unwrap();
    let signature = match (failure, outcome) {
        (Failure::Reply(i), Some(o)) => {
            let why = match &o.verdict {
                Verdict::Differ(w) => w.clone(),
                _ => String::new(),
            };
            let _ = writeln!(
                t,
                "first differing command: #{i} of the round: {}",
                cli_line(&last.args)
            );
            let _ = writeln!(t, "  redis: {}", o.redis);
            let _ = writeln!(t, "  kvs:   {}", o.kvs);
            let _ = writeln!(t, "  ({why}; compared as {:?})", last.cmp);
            self::signature(last, o)
        }
        _ => {
            let _ = writeln!(
                t,
                "every reply agreed, but the states differ at the end of the round:"
            );
            let _ = writeln!(t, "  {}", state.unwrap_or(""));
            format!("state after {}", last.name())
        }
    };
    let involved = keys_of(last);
    let recent: Vec<_> = seq
        .iter()
        .enumerate()
        .filter(|(_, c)| involved.is_empty() || keys_of(c).iter().any(|k| involved.contains(k)))
        .collect();
    let _ = writeln!(
        t,
        "the last {} commands of the round on the key(s) involved:",
        recent.len().min(30)
    );
    for (i, c) in &recent[recent.len().saturating_sub(30)..] {
        let _ = writeln!(t, "  #{i}: {}", cli_line(&c.args));
    }
    let shrunk = shrink(pair, addrs, round.resp3, seq.to_vec(), failure, &signature)?;
    let (_, outcomes, _) = replay(pair, addrs, round.resp3, &shrunk)?;
    let _ = writeln!(
        t,
        "shrunk replay ({} of {} commands; paste into redis-cli, each line's replies after #):",
        shrunk.len(),
        seq.len()
    );
    let mut script = String::new();
    for line in header(round.resp3) {
        let _ = writeln!(t, "  {line}");
        let _ = writeln!(script, "{line}");
    }
    for (c, o) in shrunk.iter().zip(&outcomes) {
        let line = cli_line(&c.args);
        let same = if o.redis == o.kvs {
            format!("# both: {}", o.redis)
        } else {
            format!("# redis: {}  kvs: {}", o.redis, o.kvs)
        };
        let _ = writeln!(t, "  {line:<50} {same}");
        let _ = writeln!(script, "{line}");
    }
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("differential-{:x}-{}.redis", s.seed, round.number));
    if std::fs::write(&path, &script).is_ok() {
        let _ = writeln!(t, "(script written to {})", path.display());
    }
    Ok(Report { signature, text: t })
}

/// The test body.
pub fn run() {
    let version = servers::redis_version();
    let Some(version) = version else {
        if env("KVS_REQUIRE_REDIS").is_some_and(|v| v != "0") {
            panic!(
                "KVS_REQUIRE_REDIS is set but redis-server is not installed (or not on PATH): \
                 the differential test needs it as the oracle (apt-get install redis-server)"
            );
        }
        // Straight to the process's stderr: eprintln! would be captured
        // (and hidden) by the test harness for a passing test.
        let bar = "!".repeat(76);
        let _ = writeln!(
            std::io::stderr(),
            "\n{bar}\n!!! differential test skipped: redis-server not installed (not on PATH)\n\
             !!! install it (apt-get install redis-server); KVS_REQUIRE_REDIS=1 makes this fail\n{bar}\n"
        );
        return;
    };
    let s = Settings::from_env();
    let redis = servers::RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
    // KVS_DIFF_SELF_TEST=1 compares redis-server with a second redis-server:
    // a check of the harness itself (no family should report anything).
    let (_kvs, _other, kvs_addr) = if env("KVS_DIFF_SELF_TEST").is_some_and(|v| v != "0") {
        let other = servers::RedisServer::start().unwrap_or_else(|e| panic!("{e}"));
        eprintln!("differential: self test, the second server is redis-server too");
        let addr = other.addr;
        (None, Some(other), addr)
    } else {
        let kvs = servers::KvsServer::start().unwrap_or_else(|e| panic!("kvs: {e}"));
        let addr = kvs.addr;
        (Some(kvs), None, addr)
    };
    let addrs = (redis.addr, kvs_addr);
    let mut pair = Pair::connect(redis.addr, kvs_addr).expect("connect to both servers");
    eprintln!(
        "differential: {version}; families {}; seed {:#x}; {} s",
        s.families
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(","),
        s.seed,
        s.seconds
    );

    let deadline = Instant::now() + Duration::from_secs_f64(s.seconds);
    let mut reports: BTreeMap<String, Report> = BTreeMap::new();
    let mut known: BTreeMap<&'static str, (usize, &'static str, String)> = BTreeMap::new();
    let (mut rounds, mut commands) = (0u64, 0usize);
    let mut number = s.round.unwrap_or(0);
    loop {
        if s.round.is_some() && rounds == 1 || s.round.is_none() && Instant::now() >= deadline {
            break;
        }
        let mut round = Round::new(s.seed, number);
        pair.reset(round.resp3).expect("reset both servers");
        let mut seq: Vec<Cmd> = Vec::new();
        let mut failed = None;
        let mut queue: Vec<Cmd> = Vec::new();
        let mut drawn = 0;
        while drawn < round.len || !queue.is_empty() {
            let cmd = match queue.pop() {
                Some(c) => c,
                None => {
                    drawn += 1;
                    round.next(&s.families)
                }
            };
            let o = pair.run(&cmd).unwrap_or_else(|e| {
                // No shrinking: the server may be stuck. The round so far
                // replays it.
                let mut t = format!(
                    "=== differential: i/o error (a timeout: no reply in 10 s) ===\n\
                     seed {:#x}, round {number}: {e}\nreplay: KVS_DIFF_SEED={:#x} KVS_DIFF_ROUND={number}\n",
                    s.seed, s.seed
                );
                for line in header(round.resp3) {
                    let _ = writeln!(t, "  {line}");
                }
                for c in seq.iter().chain([&cmd]) {
                    let _ = writeln!(t, "  {}", cli_line(&c.args));
                }
                eprintln!("{t}");
                panic!("i/o error on {} (round {number}): {e}", cli_line(&cmd.args))
            });
            commands += 1;
            if let Cmp::Shape { resync: Some(key) } = &cmd.cmp {
                queue.push(Cmd::new(vec![b"DEL".to_vec(), key.clone()]));
            }
            seq.push(cmd);
            match o.verdict {
                Verdict::Same => {}
                Verdict::Known(k) => {
                    let e = known.entry(k.id).or_insert((0, k.reason, String::new()));
                    e.0 += 1;
                    if e.2.is_empty() {
                        e.2 = format!(
                            "{}  => redis {}, kvs {}",
                            cli_line(&seq.last().unwrap().args),
                            o.redis,
                            o.kvs
                        );
                    }
                    // Back to equal states for the rest of the round.
                    queue.clear();
                    queue.push(Cmd::new(vec![b"SELECT".to_vec(), b"0".to_vec()]));
                    queue.push(Cmd::new(vec![b"FLUSHALL".to_vec()]));
                }
                Verdict::Differ(_) => {
                    failed = Some((Failure::Reply(seq.len() - 1), Some(o), None));
                    break;
                }
            }
        }
        if failed.is_none() {
            if let Some(st) = Pair::state_diff(addrs.0, addrs.1).expect("state check") {
                failed = Some((Failure::State, None, Some(st)));
            }
        }
        rounds += 1;
        if let Some((f, o, st)) = failed {
            let r = describe(
                &mut pair,
                addrs,
                &s,
                &round,
                &seq,
                &f,
                o.as_ref(),
                st.as_deref(),
            )
            .expect("describe a failure");
            if !reports.contains_key(&r.signature) {
                eprintln!("{}", r.text);
                reports.insert(r.signature.clone(), r);
            }
            if !s.keep_going || reports.len() >= 50 {
                break;
            }
        }
        number += 1;
    }

    eprintln!(
        "differential: {rounds} rounds, {commands} commands, {} distinct failures",
        reports.len()
    );
    for (id, (n, reason, example)) in &known {
        eprintln!("known difference {id} (x{n}): {reason}\n    e.g. {example}");
    }
    if !reports.is_empty() {
        let list: Vec<_> = reports.keys().cloned().collect();
        panic!(
            "kvs differs from redis-server ({} distinct): \n  {}\n(see the replays above)",
            list.len(),
            list.join("\n  ")
        );
    }
}
