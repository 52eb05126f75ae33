//! Hot-key write contention: which shard lock holds up when many threads
//! write the same few keys.
//!
//! An Exchange-like mix (10% get, 40% insert, 40% remove, 10% update) over
//! 2^19 `u64` keys, 75% prefilled, with Zipf(0.99) or uniform keys, run on:
//! kvs (64 shards); dashmap (64 shards, foldhash); 64 shards of a hashbrown
//! map (foldhash) each behind a `parking_lot::RwLock` (`pl-rwlock`), behind
//! a `std::sync::RwLock` (`std-rwlock`), and behind a `parking_lot::RwLock`
//! that a waiter spins on for up to N microseconds before it parks
//! (`pl-spinN`, as kvs's shard locks do). Each figure is the median of the
//! repetitions, in million operations a second.
//!
//! ```sh
//! cargo run --release -p kvs-bench --example lock_contention -- THREADS OPS REPS
//! cargo run --release -p kvs-bench --example lock_contention -- 4,16 4000000 3
//! MAPS=kvs,pl-rwlock cargo run --release -p kvs-bench --example lock_contention -- 16
//! ```
//!
//! BENCHMARKS.md ("Beyond two cores") has what it measured on 16 cores.

use std::hash::BuildHasher;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Zipf};

const KEYS: u64 = 1 << 19;
const SHARDS: usize = 64;
const DEFAULT_MAPS: &str = "kvs,dashmap,pl-rwlock,std-rwlock,pl-spin4,pl-spin20,pl-spin100";

/// The four operations of the mix.
trait Map: Sync {
    fn get(&self, k: u64) -> bool;
    fn insert(&self, k: u64, v: u64);
    fn remove(&self, k: u64) -> bool;
    fn update(&self, k: u64) -> bool;
}

struct Kvs(kvs::Store<u64>);

impl Map for Kvs {
    fn get(&self, k: u64) -> bool {
        self.0.get(&k.to_le_bytes()).is_ok()
    }
    fn insert(&self, k: u64, v: u64) {
        let _ = self.0.set(&k.to_le_bytes()[..], v);
    }
    fn remove(&self, k: u64) -> bool {
        self.0.delete(&k.to_le_bytes()).is_ok()
    }
    fn update(&self, k: u64) -> bool {
        self.0.update(&k.to_le_bytes()[..], |v| v + 1).is_ok()
    }
}

type Hasher = foldhash::fast::RandomState;

struct Dash(dashmap::DashMap<[u8; 8], u64, Hasher>);

impl Map for Dash {
    fn get(&self, k: u64) -> bool {
        self.0.get(&k.to_le_bytes()).is_some()
    }
    fn insert(&self, k: u64, v: u64) {
        self.0.insert(k.to_le_bytes(), v);
    }
    fn remove(&self, k: u64) -> bool {
        self.0.remove(&k.to_le_bytes()).is_some()
    }
    fn update(&self, k: u64) -> bool {
        self.0
            .get_mut(&k.to_le_bytes())
            .map(|mut v| *v += 1)
            .is_some()
    }
}

type Table = hashbrown::HashMap<[u8; 8], u64, Hasher>;

/// A lock of its own cache lines.
#[repr(align(128))]
struct Padded<T>(T);

/// What a shard lock must offer the sharded map.
trait ShardLock: Sync {
    fn with_read<R>(&self, f: impl FnOnce(&Table) -> R) -> R;
    fn with_write<R>(&self, f: impl FnOnce(&mut Table) -> R) -> R;
}

impl ShardLock for parking_lot::RwLock<Table> {
    fn with_read<R>(&self, f: impl FnOnce(&Table) -> R) -> R {
        f(&self.read())
    }
    fn with_write<R>(&self, f: impl FnOnce(&mut Table) -> R) -> R {
        f(&mut self.write())
    }
}

impl ShardLock for std::sync::RwLock<Table> {
    fn with_read<R>(&self, f: impl FnOnce(&Table) -> R) -> R {
        f(&self.read().unwrap())
    }
    fn with_write<R>(&self, f: impl FnOnce(&mut Table) -> R) -> R {
        f(&mut self.write().unwrap())
    }
}

/// A `parking_lot` lock whose waiters spin up to `budget` before parking.
struct Spinning {
    lock: parking_lot::RwLock<Table>,
    budget: Duration,
}

impl Spinning {
    /// Retries `attempt` with a growing pause, then yielding, until `budget`.
    fn spin<G>(&self, mut attempt: impl FnMut() -> Option<G>) -> Option<G> {
        let start = Instant::now();
        let mut pause = 1u32;
        loop {
            if pause < 64 {
                (0..pause).for_each(|_| std::hint::spin_loop());
                pause *= 2;
            } else {
                std::thread::yield_now();
            }
            if let Some(guard) = attempt() {
                return Some(guard);
            }
            if start.elapsed() >= self.budget {
                return None;
            }
        }
    }
}

impl ShardLock for Spinning {
    fn with_read<R>(&self, f: impl FnOnce(&Table) -> R) -> R {
        let l = &self.lock;
        let guard = l
            .try_read()
            .or_else(|| self.spin(|| (!l.is_locked_exclusive()).then(|| l.try_read()).flatten()))
            .unwrap_or_else(|| l.read());
        f(&guard)
    }
    fn with_write<R>(&self, f: impl FnOnce(&mut Table) -> R) -> R {
        let l = &self.lock;
        let mut guard = l
            .try_write()
            .or_else(|| self.spin(|| (!l.is_locked()).then(|| l.try_write()).flatten()))
            .unwrap_or_else(|| l.write());
        f(&mut guard)
    }
}

/// 64 shards of a hashbrown map, each behind a lock of type `L`.
struct Sharded<L> {
    shards: Vec<Padded<L>>,
    hasher: Hasher,
}

impl<L: ShardLock> Sharded<L> {
    fn new(lock: impl Fn() -> L) -> Self {
        Sharded {
            shards: (0..SHARDS).map(|_| Padded(lock())).collect(),
            hasher: Hasher::default(),
        }
    }
    fn shard(&self, k: u64) -> &L {
        &self.shards[(self.hasher.hash_one(k.to_le_bytes()) >> 58) as usize].0
    }
}

impl<L: ShardLock> Map for Sharded<L> {
    fn get(&self, k: u64) -> bool {
        self.shard(k)
            .with_read(|t| t.contains_key(&k.to_le_bytes()))
    }
    fn insert(&self, k: u64, v: u64) {
        self.shard(k).with_write(|t| t.insert(k.to_le_bytes(), v));
    }
    fn remove(&self, k: u64) -> bool {
        self.shard(k)
            .with_write(|t| t.remove(&k.to_le_bytes()).is_some())
    }
    fn update(&self, k: u64) -> bool {
        self.shard(k)
            .with_write(|t| t.get_mut(&k.to_le_bytes()).map(|v| *v += 1).is_some())
    }
}

/// The map called `name`, or `None` for an unknown name.
fn map(name: &str) -> Option<Box<dyn Map>> {
    Some(match name {
        "kvs" => Box::new(Kvs(kvs::Store::builder()
            .shards(SHARDS)
            .build()
            .expect("a valid configuration"))),
        "dashmap" => Box::new(Dash(
            dashmap::DashMap::with_capacity_and_hasher_and_shard_amount(
                0,
                Hasher::default(),
                SHARDS,
            ),
        )),
        "pl-rwlock" => Box::new(Sharded::new(|| parking_lot::RwLock::new(Table::default()))),
        "std-rwlock" => Box::new(Sharded::new(|| std::sync::RwLock::new(Table::default()))),
        other => {
            let micros = other.strip_prefix("pl-spin")?.parse().ok()?;
            Box::new(Sharded::new(|| Spinning {
                lock: parking_lot::RwLock::new(Table::default()),
                budget: Duration::from_micros(micros),
            }))
        }
    })
}

/// Each thread's operations: (0..10 picks the operation, key).
fn plans(threads: usize, zipf: bool, ops: usize) -> Vec<Vec<(u8, u64)>> {
    let zipf_keys = Zipf::new(KEYS as f64, 0.99).expect("valid Zipf parameters");
    (0..threads)
        .map(|t| {
            let mut rng = SmallRng::seed_from_u64(7 + t as u64);
            (0..ops / threads)
                .map(|_| {
                    // Ranks are scattered over the key space, so that hot
                    // keys do not share a shard by construction.
                    let key = if zipf {
                        (zipf_keys.sample(&mut rng) as u64 - 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                            % KEYS
                    } else {
                        rng.random_range(0..KEYS)
                    };
                    (rng.random_range(0..10), key)
                })
                .collect()
        })
        .collect()
}

/// Prefills `m`, runs `plans` on one thread each, returns Mop/s.
fn run(m: &dyn Map, plans: &[Vec<(u8, u64)>]) -> f64 {
    for k in 0..KEYS * 3 / 4 {
        m.insert(k, k);
    }
    let barrier = Barrier::new(plans.len() + 1);
    let mut seconds = 0.0;
    std::thread::scope(|s| {
        for plan in plans {
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                for &(op, k) in plan {
                    match op {
                        0 => {
                            m.get(k);
                        }
                        1..=4 => m.insert(k, k),
                        5..=8 => {
                            m.remove(k);
                        }
                        _ => {
                            m.update(k);
                        }
                    }
                }
                barrier.wait();
            });
        }
        barrier.wait();
        let start = Instant::now();
        barrier.wait();
        seconds = start.elapsed().as_secs_f64();
    });
    plans.iter().map(Vec::len).sum::<usize>() as f64 / seconds / 1e6
}

const USAGE: &str = "usage: lock_contention [THREADS,...] [OPS] [REPS] \
(MAPS=kvs,dashmap,pl-rwlock,std-rwlock,pl-spinN,... in the environment)";

/// Prints `what` and the usage, and exits with status 2.
fn usage(what: &str) -> ! {
    eprintln!("lock_contention: {what}\n{USAGE}");
    std::process::exit(2)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: Vec<usize> = args
        .next()
        .unwrap_or_else(|| "1,2".into())
        .split(',')
        .map(|t| match t.parse() {
            Ok(n) if n > 0 => n,
            _ => usage(&format!("not a thread count: {t:?}")),
        })
        .collect();
    let mut number = |what: &str, default: usize| match args.next() {
        None => default,
        Some(n) => n
            .parse()
            .unwrap_or_else(|_| usage(&format!("{what}: not a number: {n:?}"))),
    };
    let ops = number("OPS", 4_000_000);
    let reps = number("REPS", 3).max(1);
    let maps = std::env::var("MAPS").unwrap_or_else(|_| DEFAULT_MAPS.into());
    let names: Vec<&str> = maps.split(',').collect();
    if let Some(bad) = names.iter().find(|n| map(n).is_none()) {
        usage(&format!("unknown map {bad:?}"));
    }
    for zipf in [true, false] {
        for &t in &threads {
            let plans = plans(t, zipf, ops);
            let mut line = format!("{} t={t:<3}", if zipf { "zipf   " } else { "uniform" });
            for name in &names {
                let mut mops: Vec<f64> = (0..reps)
                    .map(|_| run(&*map(name).expect("checked above"), &plans))
                    .collect();
                mops.sort_by(f64::total_cmp);
                line += &format!("  {name} {:6.2}", mops[mops.len() / 2]);
            }
            println!("{line}");
        }
    }
}
