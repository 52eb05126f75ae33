//! Pre-generated operation sequences: the same for every map, built before
//! the clock starts.
//!
//! This is a reimplementation of the bustle / conc-map-bench method (not the
//! `bustle` crate, which has neither Zipf keys, string keys nor TTLs): an
//! operation mix in percent, a key space, a prefill fraction, and per thread
//! a sequence drawn from a seeded `SmallRng`. Unlike bustle, every operation
//! draws its key from the one key space with the chosen distribution (Zipf
//! needs that), so an insert of a present key overwrites it.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution as _, Zipf};

use crate::keys::BenchKey;

/// What one operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// Look the key up.
    Read,
    /// Store the key (overwriting if present); with a TTL in the TTL churn.
    Insert,
    /// Remove the key.
    Remove,
    /// Add one to the key's value if present (read-modify-write).
    Update,
}

/// One pre-generated operation.
#[derive(Clone, Copy, Debug)]
pub struct Op<K> {
    /// What to do.
    pub kind: OpKind,
    /// TTL in milliseconds for inserts of the TTL churn (0: none).
    pub ttl_ms: u8,
    /// The key.
    pub key: K,
}

/// An operation mix in percent.
#[derive(Clone, Copy, Debug)]
pub struct Mix {
    pub read: u8,
    pub insert: u8,
    pub remove: u8,
    pub update: u8,
}

impl Mix {
    /// The 100-slot table an operation's kind is drawn from.
    fn table(&self) -> Vec<OpKind> {
        assert_eq!(
            u32::from(self.read)
                + u32::from(self.insert)
                + u32::from(self.remove)
                + u32::from(self.update),
            100,
            "an operation mix must add up to 100%"
        );
        let mut t = Vec::with_capacity(100);
        for (kind, percent) in [
            (OpKind::Read, self.read),
            (OpKind::Insert, self.insert),
            (OpKind::Remove, self.remove),
            (OpKind::Update, self.update),
        ] {
            t.resize(t.len() + usize::from(percent), kind);
        }
        t
    }
}

/// How keys are drawn from the key space.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Dist {
    /// Every key equally likely.
    Uniform,
    /// Zipf with exponent 0.99 over key ranks (rank 1 = key number 0).
    Zipf,
}

impl Dist {
    /// The name used in the CSV `distribution` column.
    pub fn name(self) -> &'static str {
        match self {
            Dist::Uniform => "uniform",
            Dist::Zipf => "zipf0.99",
        }
    }
}

/// Draws key numbers in `0..n`.
pub struct KeyDraw {
    n: u64,
    zipf: Option<Zipf<f64>>,
}

impl KeyDraw {
    /// A sampler over `n` keys.
    pub fn new(dist: Dist, n: u64) -> Self {
        let zipf = match dist {
            Dist::Uniform => None,
            Dist::Zipf => Some(Zipf::new(n as f64, 0.99).expect("n >= 1 and s > 0 are valid")),
        };
        KeyDraw { n, zipf }
    }

    /// The next key number.
    pub fn draw(&self, rng: &mut SmallRng) -> u64 {
        match &self.zipf {
            None => rng.random_range(0..self.n),
            // Zipf yields ranks 1..=n as floats; clamp guards rounding at n.
            Some(z) => (z.sample(rng) as u64).clamp(1, self.n) - 1,
        }
    }
}

/// `count` operations for one thread.
pub fn generate<K: BenchKey>(
    mix: Mix,
    dist: Dist,
    keyspace: u64,
    count: usize,
    seed: u64,
) -> Vec<Op<K>> {
    let table = mix.table();
    let draw = KeyDraw::new(dist, keyspace);
    let mut rng = SmallRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let kind = table[rng.random_range(0..table.len())];
            let ttl_ms = if kind == OpKind::Insert {
                rng.random_range(1..=100u8)
            } else {
                0
            };
            Op {
                kind,
                ttl_ms,
                key: K::nth(draw.draw(&mut rng)),
            }
        })
        .collect()
}

/// One sequence per thread, `total` operations split evenly; the seeds
/// depend only on `seed` and the thread number, so every map replays the
/// same sequences.
pub fn per_thread<K: BenchKey>(
    mix: Mix,
    dist: Dist,
    keyspace: u64,
    total: usize,
    threads: usize,
    seed: u64,
) -> Vec<Vec<Op<K>>> {
    (0..threads)
        .map(|t| {
            generate(
                mix,
                dist,
                keyspace,
                total / threads,
                seed ^ ((t as u64 + 1) << 32),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXCHANGE: Mix = Mix {
        read: 10,
        insert: 40,
        remove: 40,
        update: 10,
    };

    #[test]
    fn sequences_are_reproducible_and_follow_the_mix() {
        let a = generate::<u64>(EXCHANGE, Dist::Uniform, 1000, 20_000, 7);
        let b = generate::<u64>(EXCHANGE, Dist::Uniform, 1000, 20_000, 7);
        assert!(a
            .iter()
            .zip(&b)
            .all(|(x, y)| x.key == y.key && x.kind == y.kind));
        let inserts = a.iter().filter(|o| o.kind == OpKind::Insert).count();
        assert!((7_000..9_000).contains(&inserts), "inserts: {inserts}");
        assert!(a
            .iter()
            .all(|o| (o.kind == OpKind::Insert) == (o.ttl_ms > 0)));
        assert!(a.iter().all(|o| o.ttl_ms <= 100));
    }

    #[test]
    fn zipf_is_skewed_towards_low_ranks_and_stays_in_range() {
        let draw = KeyDraw::new(Dist::Zipf, 1000);
        let mut rng = SmallRng::seed_from_u64(1);
        let xs: Vec<u64> = (0..50_000).map(|_| draw.draw(&mut rng)).collect();
        assert!(xs.iter().all(|&x| x < 1000));
        let hot = xs.iter().filter(|&&x| x < 10).count();
        // Under Zipf(0.99) over 1000 keys the top 10 take about 39% of draws;
        // uniform would give 1%.
        assert!(hot > xs.len() / 4, "hot share: {hot}");
    }

    #[test]
    #[should_panic(expected = "add up to 100")]
    fn a_bad_mix_is_refused() {
        let _ = generate::<u64>(
            Mix {
                read: 50,
                insert: 0,
                remove: 0,
                update: 0,
            },
            Dist::Uniform,
            10,
            1,
            1,
        );
    }
}
