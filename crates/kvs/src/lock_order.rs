//! Taking several shard locks at once without deadlock.
//!
//! Batches and multi-key operations hold the locks of every shard they touch
//! for the whole operation, so the batch is atomic: a reader sees all of a
//! `batch_set` or none of it. Two such operations could deadlock if they took
//! the same locks in different orders, so every caller goes through this file,
//! which takes them in one global order: ascending shard index, each at most
//! once (a second read lock on a fair lock can deadlock against a waiting
//! writer). `tests/model.rs` model-checks this file with shuttle.

use super::sync::{ReadGuard, RwLock, WriteGuard};

/// Turns shard indices, in any order and with repeats, into the order in which
/// they must be locked: ascending, each once.
pub(crate) fn lock_order(mut shards: Vec<usize>) -> Vec<usize> {
    shards.sort_unstable();
    shards.dedup();
    shards
}

/// Write-locks `lock(i)` for each `i` in `order`, which must come from
/// [`lock_order`] (or be ascending and unique by construction).
pub(crate) fn write_in_order<'a, T: 'a>(
    order: &[usize],
    lock: impl Fn(usize) -> &'a RwLock<T>,
) -> Vec<(usize, WriteGuard<'a, T>)> {
    debug_assert!(order.windows(2).all(|w| w[0] < w[1]), "lock order violated");
    order.iter().map(|&i| (i, lock(i).write())).collect()
}

/// Read-locks `lock(i)` for each `i` in `order` (ascending, unique).
pub(crate) fn read_in_order<'a, T: 'a>(
    order: &[usize],
    lock: impl Fn(usize) -> &'a RwLock<T>,
) -> Vec<(usize, ReadGuard<'a, T>)> {
    debug_assert!(order.windows(2).all(|w| w[0] < w[1]), "lock order violated");
    order.iter().map(|&i| (i, lock(i).read())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_ascending_and_unique() {
        assert_eq!(lock_order(vec![5, 1, 5, 3, 1]), vec![1, 3, 5]);
        assert_eq!(lock_order(vec![]), Vec::<usize>::new());
    }
}
