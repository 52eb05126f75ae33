//! A small, fast pseudo-random generator for the commands that pick at
//! random (`RANDOMKEY`, `SPOP`, `SRANDMEMBER`, `HRANDFIELD`): not for
//! anything that needs to be unpredictable.

use std::cell::Cell;
use std::hash::{BuildHasher, Hasher};

/// wyrand: one multiply per number, good statistical quality.
///
/// ```
/// let mut r = kvs_server::rng::Rng::with_seed(1);
/// let a = r.below(10);
/// assert!(a < 10);
/// assert_ne!(kvs_server::rng::Rng::with_seed(1).next_u64(), kvs_server::rng::Rng::with_seed(2).next_u64());
/// ```
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed` (the same seed gives the same numbers).
    ///
    /// ```
    /// let mut a = kvs_server::rng::Rng::with_seed(7);
    /// let mut b = kvs_server::rng::Rng::with_seed(7);
    /// assert_eq!(a.next_u64(), b.next_u64());
    /// ```
    pub fn with_seed(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator seeded from the process's random hasher keys and a
    /// per-thread counter: different in every process and thread.
    ///
    /// ```
    /// let mut r = kvs_server::rng::Rng::new();
    /// let _ = r.next_u64();
    /// ```
    pub fn new() -> Rng {
        thread_local!(static COUNT: Cell<u64> = const { Cell::new(0) });
        let n = COUNT.with(|c| {
            c.set(c.get() + 1);
            c.get()
        });
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(n);
        Rng(h.finish())
    }

    /// The next 64 random bits.
    ///
    /// ```
    /// let mut r = kvs_server::rng::Rng::with_seed(3);
    /// assert_ne!(r.next_u64(), r.next_u64());
    /// ```
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
        (t as u64) ^ ((t >> 64) as u64)
    }

    /// A number in `0..n` (`n > 0`), without modulo bias worth noticing.
    ///
    /// ```
    /// let mut r = kvs_server::rng::Rng::with_seed(3);
    /// assert!((0..100).all(|_| r.below(3) < 3));
    /// ```
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

impl Default for Rng {
    fn default() -> Self {
        Rng::new()
    }
}
