//! The seeded generator: a splitmix64 PRNG and the argument pools every
//! family draws from (a small key space so commands collide, numbers that
//! are valid, invalid, at the limits and past them).

/// splitmix64: tiny, seedable, good enough to spread choices.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo) as u64 + 1)) as i64
    }

    /// True with probability `pct`%.
    pub fn chance(&mut self, pct: u32) -> bool {
        self.below(100) < pct as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed of round `round` of a run seeded with `seed`.
pub fn round_seed(seed: u64, round: u64) -> u64 {
    let mut r = Rng::new(seed ^ round.wrapping_mul(0xa076_1d64_78bd_642f));
    r.next_u64()
}

/// How a command's two replies are compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmp {
    /// Type for type, byte for byte.
    Exact,
    /// An aggregate whose order is unspecified: compared as multisets.
    Unordered,
    /// A flat field/value aggregate (HGETALL) or a map: compared as a set
    /// of pairs.
    Pairs,
    /// An integer that counts time (TTL, PTTL, EXPIRETIME...): negative
    /// values exactly, others within this tolerance.
    Time(i64),
    /// SCAN/HSCAN/SSCAN: errors exactly, else the whole cursor loop is run
    /// on both servers and the union of what it returned compared.
    Scan,
    /// RANDOMKEY: nil iff the database is empty, else a key that exists.
    RandomKey,
    /// A reply drawn at random (SPOP, SRANDMEMBER, HRANDFIELD): errors
    /// exactly, else the same type and length; then the key (if any) is
    /// deleted on both servers so their states stay equal.
    Shape { resync: Option<Vec<u8>> },
}

/// One generated command and how to compare its replies.
#[derive(Debug, Clone)]
pub struct Cmd {
    pub args: Vec<Vec<u8>>,
    pub cmp: Cmp,
}

impl Cmd {
    pub fn new(args: Vec<Vec<u8>>) -> Cmd {
        Cmd {
            args,
            cmp: Cmp::Exact,
        }
    }

    pub fn with(mut self, cmp: Cmp) -> Cmd {
        self.cmp = cmp;
        self
    }

    /// The upper-cased command name.
    pub fn name(&self) -> String {
        String::from_utf8_lossy(&self.args[0]).to_ascii_uppercase()
    }
}

/// Builds a command from words: `cmd!["SET", key, value]`, each word
/// anything that is `AsRef<[u8]>`.
#[macro_export]
macro_rules! cmd {
    ($($w:expr),* $(,)?) => {
        $crate::harness::gen::Cmd::new(vec![$(AsRef::<[u8]>::as_ref(&$w).to_vec()),*])
    };
}

/// Replaces a short relative TTL (under 1000 s) with a long one. Families
/// draw only long ones, but a dropped or junk argument can make one (`SET k
/// v PX` plus a junk `1`), and a key expiring mid-round makes the servers'
/// replies depend on timing.
pub fn lengthen_short_ttls(cmd: &mut Cmd) {
    let name = cmd.name();
    let at: Vec<(usize, bool)> = match name.as_str() {
        "SETEX" | "EXPIRE" => vec![(2, false)],
        "PSETEX" | "PEXPIRE" => vec![(2, true)],
        "SET" | "GETEX" => (2..cmd.args.len())
            .filter_map(|i| {
                let o = &cmd.args[i - 1];
                if o.eq_ignore_ascii_case(b"EX") {
                    Some((i, false))
                } else if o.eq_ignore_ascii_case(b"PX") {
                    Some((i, true))
                } else {
                    None
                }
            })
            .collect(),
        _ => vec![],
    };
    for (i, ms) in at {
        let Some(a) = cmd.args.get_mut(i) else {
            continue;
        };
        let n: Option<i64> = std::str::from_utf8(a).ok().and_then(|s| s.parse().ok());
        let limit = if ms { 1_000_000 } else { 1000 };
        if n.is_some_and(|n| n > 0 && n < limit) {
            *a = (limit * 100).to_string().into_bytes();
        }
    }
}

/// The generator state a family draws from.
pub struct Gen {
    pub rng: Rng,
}

/// The key space: small, so commands collide and meet the wrong types;
/// one empty key and one binary key.
pub const KEYS: &[&[u8]] = &[
    b"k0",
    b"k1",
    b"k2",
    b"k3",
    b"k4",
    b"k5",
    b"",
    b"\x00bin\xff\r\n",
];

/// Values a string may get: numbers (valid, at and past the limits,
/// floats, ones Redis refuses), empty, binary, long.
const VALUES: &[&[u8]] = &[
    b"",
    b"0",
    b"1",
    b"-1",
    b"10",
    b"007",
    b"3.5",
    b"-0.5",
    b"1e3",
    b"abc",
    b"hello world",
    b" 1",
    b"1 ",
    b"+1",
    b"-0",
    b"0x10",
    b"inf",
    b"-inf",
    b"nan",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775808",
    b"18446744073709551616",
    b"1.7976931348623157e308",
    b"\x00\xff\x01",
    b"caf\xc3\xa9",
    b"x\r\ny",
];

/// Integer arguments: valid, limits, overflow, not integers at all.
const INTS: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"2",
    b"3",
    b"5",
    b"-3",
    b"10",
    b"100",
    b"-100",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"9223372036854775806",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"4611686018427387904",
    b"abc",
    b"",
    b"1.5",
    b" 1",
    b"1 ",
    b"+1",
    b"0x1",
    b"1e2",
    b"01",
    b"-0",
];

/// Float arguments (INCRBYFLOAT, HINCRBYFLOAT).
const FLOATS: &[&[u8]] = &[
    b"0",
    b"1",
    b"-1",
    b"0.1",
    b"-0.25",
    b"1.5",
    b"3.0e3",
    b"1e-5",
    b"5.0e3",
    b"1e308",
    b"-1e308",
    b"1.7976931348623157e308",
    b"inf",
    b"-inf",
    b"+inf",
    b"nan",
    b"abc",
    b"",
    b" 1",
    b"1 ",
    b"0x10",
    b"10",
    b"9223372036854775807",
    b".5",
    b"5.",
    b"1e",
];

/// Indexes/offsets for GETRANGE, LRANGE, LINDEX...: small, negative,
/// huge, not numbers.
const INDEXES: &[&[u8]] = &[
    b"0",
    b"1",
    b"2",
    b"3",
    b"-1",
    b"-2",
    b"-3",
    b"5",
    b"-100",
    b"100",
    b"9223372036854775807",
    b"-9223372036854775808",
    b"abc",
    b"1.5",
    b"",
];

/// Glob patterns for KEYS/SCAN MATCH.
const PATTERNS: &[&[u8]] = &[
    b"*", b"k*", b"k?", b"k[0-2]", b"k[^0-2]", b"k[!1]", b"*1", b"?", b"", b"\\k0", b"k\\*", b"[",
    b"k[", b"*[a-z]*", b"\x00*", b"nomatch",
];

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng::new(seed),
        }
    }

    pub fn chance(&mut self, pct: u32) -> bool {
        self.rng.chance(pct)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.rng.below(n)
    }

    pub fn key(&mut self) -> Vec<u8> {
        // The first keys are drawn more often, so they meet more commands.
        if self.chance(70) {
            self.rng.pick(&KEYS[..4]).to_vec()
        } else {
            self.rng.pick(KEYS).to_vec()
        }
    }

    /// 1..=max keys.
    pub fn keys(&mut self, max: usize) -> Vec<Vec<u8>> {
        let n = 1 + self.below(max);
        (0..n).map(|_| self.key()).collect()
    }

    pub fn value(&mut self) -> Vec<u8> {
        match self.below(20) {
            0 => {
                let n = 1 + self.below(100);
                (0..n).map(|_| b"abcxyz"[self.below(6)]).collect()
            }
            1 => (0..1 + self.below(8))
                .map(|_| self.rng.next_u64() as u8)
                .collect(),
            2 => self.rng.range(-1000, 1000).to_string().into_bytes(),
            _ => self.rng.pick(VALUES).to_vec(),
        }
    }

    /// A short member/field name: small pool so they collide.
    pub fn member(&mut self) -> Vec<u8> {
        match self.below(12) {
            0 => b"".to_vec(),
            1 => b"\x00m\xff".to_vec(),
            2 => self.rng.range(-3, 20).to_string().into_bytes(),
            _ => format!("m{}", self.below(6)).into_bytes(),
        }
    }

    pub fn int(&mut self) -> Vec<u8> {
        if self.chance(50) {
            self.rng.range(-20, 20).to_string().into_bytes()
        } else {
            self.rng.pick(INTS).to_vec()
        }
    }

    pub fn float(&mut self) -> Vec<u8> {
        if self.chance(30) {
            format!("{}.{}", self.rng.range(-50, 50), self.below(100)).into_bytes()
        } else {
            self.rng.pick(FLOATS).to_vec()
        }
    }

    pub fn index(&mut self) -> Vec<u8> {
        if self.chance(60) {
            self.rng.range(-12, 12).to_string().into_bytes()
        } else {
            self.rng.pick(INDEXES).to_vec()
        }
    }

    /// A count for COUNT options and popping commands.
    pub fn count(&mut self) -> Vec<u8> {
        match self.below(10) {
            0 => b"-1".to_vec(),
            1 => b"0".to_vec(),
            2 => self.rng.pick(INTS).to_vec(),
            3 => b"100".to_vec(),
            _ => (1 + self.below(5)).to_string().into_bytes(),
        }
    }

    pub fn pattern(&mut self) -> Vec<u8> {
        self.rng.pick(PATTERNS).to_vec()
    }

    /// A relative TTL: large (no expiry during a run) unless invalid.
    /// `ms` picks milliseconds.
    pub fn ttl(&mut self, ms: bool) -> Vec<u8> {
        let scale = if ms { 1000 } else { 1 };
        match self.below(12) {
            0 => b"0".to_vec(),
            1 => b"-5".to_vec(),
            2 => b"abc".to_vec(),
            3 => b"9223372036854775807".to_vec(),
            4 => b"9223372036854".to_vec(),
            5 => b"1.5".to_vec(),
            _ => (self.rng.range(1000, 100_000) * scale)
                .to_string()
                .into_bytes(),
        }
    }

    /// An absolute Unix time: far future (2100 on), the past (expires the
    /// key at once), or invalid. Fixed values, so runs replay exactly.
    pub fn unix_time(&mut self, ms: bool) -> Vec<u8> {
        self.time_at(ms, true)
    }

    /// [`Gen::unix_time`] but never a valid time in the past. A key SET
    /// with a past EXAT/PXAT stays in Redis 7.0's keyspace until its expiry
    /// cycle (10 Hz) or a read deletes it, so DBSIZE after it depends on
    /// timing; GETEX and EXPIREAT delete such a key at once.
    pub fn future_time(&mut self, ms: bool) -> Vec<u8> {
        self.time_at(ms, false)
    }

    fn time_at(&mut self, ms: bool, past: bool) -> Vec<u8> {
        let scale = if ms { 1000 } else { 1 };
        match self.below(10) {
            0 if past => (self.rng.range(1, 1_000_000_000) * scale)
                .to_string()
                .into_bytes(),
            1 => b"0".to_vec(),
            2 => b"-1".to_vec(),
            3 => b"abc".to_vec(),
            4 => b"9223372036854775807".to_vec(),
            _ => ((4_102_444_800 + self.rng.range(0, 1_000_000)) * scale)
                .to_string()
                .into_bytes(),
        }
    }

    /// A random word, mostly junk, for bad options and extra arguments.
    pub fn junk(&mut self) -> Vec<u8> {
        let words: &[&[u8]] = &[
            b"foo",
            b"NX",
            b"XX",
            b"GT",
            b"LT",
            b"EX",
            b"PX",
            b"GET",
            b"1",
            b"-1",
            b"",
            b"KEEPTTL",
            b"COUNT",
            b"MATCH",
            b"TYPE",
            b"REPLACE",
            b"DB",
            b"WITHSCORES",
            b"ASYNC",
        ];
        self.rng.pick(words).to_vec()
    }
}
