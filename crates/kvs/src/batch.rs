//! Batch operations: many keys, each shard locked once.
//!
//! Keys are grouped by shard with a counting sort (O(N + M) for N keys and M
//! shards, stable, so each shard sees its keys in input order). The shards
//! involved are then locked together in the global lock order
//! (`lock_order.rs`) and held for the whole batch, which makes a batch atomic
//! to other threads: `batch_set` is seen entirely or not at all, and
//! `batch_get` reads one consistent moment.

use foldhash::fast::RandomState;
use hashbrown::HashSet;

use crate::shard::{Now, NEVER};
use crate::store::Inner;
use crate::{Error, Key, Result, Store};

/// The outcome of [`Store::batch_get`]: one result per requested key, in the
/// order asked.
///
/// ```
/// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
/// store.set("a", 1).unwrap();
/// let r = store.batch_get(&["a", "b"]).unwrap();
/// assert_eq!(r.found(), 1);
/// assert_eq!(*r.results[0].as_ref().unwrap(), 1);
/// assert!(matches!(r.results[1], Err(kvs::Error::NotFound)));
/// ```
#[derive(Debug)]
pub struct BatchGetResult<V> {
    /// `Ok(value)` or the error for each key, aligned with the input.
    pub results: Vec<Result<V>>,
}

impl<V> BatchGetResult<V> {
    /// How many keys were found.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// assert_eq!(store.batch_get(&["x"]).unwrap().found(), 0);
    /// ```
    pub fn found(&self) -> usize {
        self.results.iter().filter(|r| r.is_ok()).count()
    }

    /// The values, `None` where a key was missing or failed.
    ///
    /// ```
    /// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
    /// store.set("a", 1).unwrap();
    /// assert_eq!(store.batch_get(&["a", "b"]).unwrap().into_values(), vec![Some(1), None]);
    /// ```
    pub fn into_values(self) -> Vec<Option<V>> {
        self.results.into_iter().map(Result::ok).collect()
    }
}

/// The outcome of [`Store::batch_set`].
///
/// ```
/// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
/// let r = store.batch_set([("a", 1), ("b", 2)]).unwrap();
/// assert_eq!(r.successful, 2);
/// assert!(r.errors.is_empty());
/// ```
#[derive(Debug)]
pub struct BatchSetResult {
    /// How many items were stored (a repeated key counts each time).
    pub successful: usize,
    /// The position in the input and the error, for each item not stored.
    pub errors: Vec<(usize, Error)>,
}

/// The outcome of [`Store::batch_delete`].
///
/// ```
/// let store: kvs::Store<u8> = kvs::Store::new(4).unwrap();
/// store.set("a", 1).unwrap();
/// let r = store.batch_delete(&["a", "b"]).unwrap();
/// assert_eq!(r.deleted, 1);
/// assert_eq!(r.errors.len(), 1);
/// ```
#[derive(Debug)]
pub struct BatchDeleteResult {
    /// How many distinct keys were removed.
    pub deleted: usize,
    /// The position in the input and the error for each key not removed
    /// (`NotFound` if it was absent); a repeat of a key removed earlier in the
    /// same batch is neither counted nor an error.
    pub errors: Vec<(usize, Error)>,
}

/// A key of the batch, placed: its shard, its position in the input, and
/// its table hash.
#[derive(Debug, Clone, Copy)]
struct Placed {
    shard: usize,
    pos: usize,
    hash: u64,
}

/// The batch's keys sorted by shard (ascending: the lock order), each shard's
/// keys in input order, and the distinct shards, in the same order.
struct Groups {
    placed: Vec<Placed>,
    shards: Vec<usize>,
}

impl Groups {
    /// Places and groups `keys`; keys the shard hash cannot place get an
    /// error in `errors` and take no part. O(N + M): a stable comparison
    /// sort while N·log2(N) < M (so a small batch makes no pass over all M
    /// shards), a counting sort otherwise. Two allocations, whatever the size.
    fn new<'k, V>(
        inner: &Inner<V>,
        keys: impl ExactSizeIterator<Item = &'k [u8]>,
        errors: &mut Vec<(usize, Error)>,
    ) -> Self {
        let mut placed = Vec::with_capacity(keys.len());
        for (pos, key) in keys.enumerate() {
            match inner.locate(key) {
                Ok((shard, hash)) => placed.push(Placed { shard, pos, hash }),
                Err(e) => errors.push((pos, e)),
            }
        }
        let m = inner.shards.len();
        let n = placed.len();
        let log2_n = (usize::BITS - n.leading_zeros()) as usize;
        if n.saturating_mul(log2_n) < m {
            placed.sort_by_key(|p| p.shard);
        } else {
            placed = counting_sort(placed, m);
        }
        let mut shards: Vec<usize> = Vec::new();
        for p in &placed {
            if shards.last() != Some(&p.shard) {
                shards.push(p.shard);
            }
        }
        Groups { placed, shards }
    }

    /// Groups the keys of `(key, value)` items; each item is kept in an
    /// `Option` so the batch can move it out when its shard's turn comes.
    #[allow(clippy::type_complexity)]
    fn of_items<K, V, I>(
        inner: &Inner<V>,
        items: I,
        errors: &mut Vec<(usize, Error)>,
    ) -> (Vec<Option<(K, V)>>, Self)
    where
        K: AsRef<[u8]>,
        I: IntoIterator<Item = (K, V)>,
    {
        let items: Vec<Option<(K, V)>> = items.into_iter().map(Some).collect();
        let keys = items
            .iter()
            .map(|i| i.as_ref().map_or(&[][..], |(k, _)| k.as_ref()));
        let groups = Groups::new(inner, keys, errors);
        (items, groups)
    }
}

/// The keys of each shard in `shards`, in the same order as `shards`.
fn runs(placed: &[Placed]) -> impl Iterator<Item = &[Placed]> {
    placed.chunk_by(|a, b| a.shard == b.shard)
}

/// Stable counting sort of `placed` by shard, `m` shards: O(N + M).
fn counting_sort(placed: Vec<Placed>, m: usize) -> Vec<Placed> {
    let mut next = vec![0usize; m + 1];
    for p in &placed {
        next[p.shard + 1] += 1;
    }
    for s in 0..m {
        next[s + 1] += next[s];
    }
    let mut out = vec![
        Placed {
            shard: 0,
            pos: 0,
            hash: 0
        };
        placed.len()
    ];
    for p in placed {
        out[next[p.shard]] = p;
        next[p.shard] += 1;
    }
    out
}

impl<V: Clone + Send + Sync + 'static> Store<V> {
    /// Looks up many keys, locking each shard involved once and reading all
    /// of them at one moment. Missing or expired keys give `NotFound` in their
    /// position; a repeated key gets its value at each position.
    ///
    /// ```
    /// let store: kvs::Store<u32> = kvs::Store::new(8).unwrap();
    /// store.batch_set([("a", 1), ("b", 2)]).unwrap();
    /// let values = store.batch_get(&["a", "b", "a"]).unwrap().into_values();
    /// assert_eq!(values, vec![Some(1), Some(2), Some(1)]);
    /// ```
    pub fn batch_get<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<BatchGetResult<V>> {
        let inner = &*self.inner;
        inner.check_open()?;
        let mut errors = Vec::new();
        let groups = Groups::new(inner, keys.iter().map(AsRef::as_ref), &mut errors);
        let mut results: Vec<Result<V>> = (0..keys.len()).map(|_| Err(Error::NotFound)).collect();
        for (pos, e) in errors {
            results[pos] = Err(e);
        }
        let mut now = inner.now();
        let guards = crate::lock_order::read_in_order(&groups.shards, |i| &inner.shards[i].lock);
        for ((_, shard), run) in guards.iter().zip(runs(&groups.placed)) {
            for p in run {
                if let Some(slot) = shard.find(p.hash, keys[p.pos].as_ref()) {
                    if slot.is_live(&mut now) {
                        results[p.pos] = Ok(slot.value.clone());
                    }
                }
            }
        }
        Ok(BatchGetResult { results })
    }

    /// Stores many items, locking each shard involved once; every item loses
    /// any TTL (as with [`set`](Store::set)). The batch is atomic to other
    /// threads. A repeated key ends with its last value.
    ///
    /// ```
    /// let store: kvs::Store<u32> = kvs::Store::new(8).unwrap();
    /// let r = store.batch_set(vec![("a", 1), ("b", 2), ("a", 3)]).unwrap();
    /// assert_eq!(r.successful, 3);
    /// assert_eq!(store.get("a").unwrap(), 3);
    /// ```
    pub fn batch_set<K, I>(&self, items: I) -> Result<BatchSetResult>
    where
        K: AsRef<[u8]> + Into<Key>,
        I: IntoIterator<Item = (K, V)>,
    {
        let inner = &*self.inner;
        inner.check_open()?;
        let mut errors = Vec::new();
        let (mut items, groups) = Groups::of_items(inner, items, &mut errors);
        let mut successful = 0;
        let Groups { placed, shards } = groups;
        for ((_, mut shard), run) in inner.write_shards(shards).into_iter().zip(runs(&placed)) {
            for p in run {
                let (key, value) = items[p.pos].take().expect("each position once");
                shard.upsert(p.hash, key, value, NEVER);
                successful += 1;
            }
        }
        Ok(BatchSetResult { successful, errors })
    }

    /// Stores many items only if none of their keys exists (Redis `MSETNX`):
    /// `Ok(true)` if all were stored (without TTL), `Ok(false)` and no change
    /// if any key was live. Check and write happen under the same locks, so
    /// the batch is atomic to other threads.
    ///
    /// ```
    /// let store: kvs::Store<u32> = kvs::Store::new(8).unwrap();
    /// assert!(store.batch_set_nx([("a", 1), ("b", 2)]).unwrap());
    /// assert!(!store.batch_set_nx([("c", 3), ("a", 4)]).unwrap());
    /// assert!(!store.exists("c"));
    /// assert_eq!(store.get("a").unwrap(), 1);
    /// ```
    pub fn batch_set_nx<K, I>(&self, items: I) -> Result<bool>
    where
        K: AsRef<[u8]> + Into<Key>,
        I: IntoIterator<Item = (K, V)>,
    {
        let inner = &*self.inner;
        inner.check_open()?;
        let mut errors = Vec::new();
        let (mut items, groups) = Groups::of_items(inner, items, &mut errors);
        if let Some((_, e)) = errors.into_iter().next() {
            return Err(e);
        }
        let mut now = inner.now();
        let Groups { placed, shards } = groups;
        let mut guards = inner.write_shards(shards);
        for ((_, shard), run) in guards.iter().zip(runs(&placed)) {
            for p in run {
                let key = items[p.pos].as_ref().expect("not taken yet").0.as_ref();
                if shard.find(p.hash, key).is_some_and(|s| s.is_live(&mut now)) {
                    return Ok(false);
                }
            }
        }
        for ((_, shard), run) in guards.iter_mut().zip(runs(&placed)) {
            for p in run {
                let (key, value) = items[p.pos].take().expect("each position once");
                shard.upsert(p.hash, key, value, NEVER);
            }
        }
        Ok(true)
    }

    /// Removes many keys, locking each shard involved once. The batch is
    /// atomic to other threads.
    ///
    /// ```
    /// let store: kvs::Store<u32> = kvs::Store::new(8).unwrap();
    /// store.batch_set([("a", 1), ("b", 2)]).unwrap();
    /// let r = store.batch_delete(&["a", "b", "a", "zzz"]).unwrap();
    /// assert_eq!(r.deleted, 2);
    /// assert_eq!(r.errors.len(), 1); // "zzz"; the repeated "a" is not an error
    /// assert!(store.is_empty());
    /// ```
    pub fn batch_delete<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<BatchDeleteResult> {
        let inner = &*self.inner;
        inner.check_open()?;
        let mut errors = Vec::new();
        let Groups { placed, shards } =
            Groups::new(inner, keys.iter().map(AsRef::as_ref), &mut errors);
        let mut now: Now<'_> = inner.now();
        let mut deleted = 0;
        // Keys this batch removed, to tell a repeat from a missing key in O(1).
        let mut removed: HashSet<&[u8], RandomState> = HashSet::default();
        for ((_, mut shard), run) in inner.write_shards(shards).into_iter().zip(runs(&placed)) {
            for p in run {
                let key = keys[p.pos].as_ref();
                match shard.remove(p.hash, key) {
                    Some(slot) if slot.is_live(&mut now) => {
                        deleted += 1;
                        removed.insert(key);
                    }
                    _ if removed.contains(key) => {}
                    _ => errors.push((p.pos, Error::NotFound)),
                }
            }
        }
        errors.sort_by_key(|(pos, _)| *pos);
        Ok(BatchDeleteResult { deleted, errors })
    }

    /// Removes many keys like [`Store::batch_delete`] (each shard locked
    /// once, atomic to other threads) and hands back the values removed,
    /// aligned with `keys`: `Some` where a live key was removed, `None` for
    /// a missing key or a repeat. The values are dropped by the caller, after
    /// every lock is released: a caller holding large values can free them
    /// wherever it likes.
    ///
    /// ```
    /// let store: kvs::Store<u32> = kvs::Store::new(8).unwrap();
    /// store.batch_set([("a", 1), ("b", 2)]).unwrap();
    /// let taken = store.batch_take(&["a", "zzz", "b", "a"]).unwrap();
    /// assert_eq!(taken, vec![Some(1), None, Some(2), None]);
    /// assert!(store.is_empty());
    /// ```
    pub fn batch_take<K: AsRef<[u8]>>(&self, keys: &[K]) -> Result<Vec<Option<V>>> {
        let inner = &*self.inner;
        inner.check_open()?;
        let mut errors = Vec::new();
        let Groups { placed, shards } =
            Groups::new(inner, keys.iter().map(AsRef::as_ref), &mut errors);
        let mut now: Now<'_> = inner.now();
        let mut taken: Vec<Option<V>> = std::iter::repeat_with(|| None).take(keys.len()).collect();
        for ((_, mut shard), run) in inner.write_shards(shards).into_iter().zip(runs(&placed)) {
            for p in run {
                if let Some(slot) = shard.remove(p.hash, keys[p.pos].as_ref()) {
                    if slot.is_live(&mut now) {
                        taken[p.pos] = Some(slot.value);
                    }
                }
            }
        }
        Ok(taken)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn positions(g: &Groups) -> Vec<(usize, Vec<usize>)> {
        runs(&g.placed)
            .map(|run| (run[0].shard, run.iter().map(|p| p.pos).collect()))
            .collect()
    }

    #[test]
    fn groups_are_by_shard_stable_and_skip_unplaceable_keys() {
        let bad: crate::ShardFn =
            std::sync::Arc::new(
                |k: &[u8], n: usize| {
                    if k == b"x" {
                        n
                    } else {
                        usize::from(k[0]) % n
                    }
                },
            );
        // 3 shards: 'a'=97%3=1, 'b'=98%3=2, 'd'=100%3=1, 'c'=99%3=0, 'g'=103%3=1.
        // Five placeable keys against three shards take the counting sort;
        // the comparison sort is checked below with many shards.
        let store: Store<u8> = crate::Builder::new()
            .shards(3)
            .shard_fn(bad)
            .build()
            .unwrap();
        let keys: Vec<&[u8]> = vec![b"a", b"x", b"b", b"d", b"c", b"g"];
        let mut errors = Vec::new();
        let g = Groups::new(&store.inner, keys.iter().copied(), &mut errors);
        assert_eq!(g.shards, vec![0, 1, 2]);
        assert_eq!(
            positions(&g),
            vec![(0, vec![4]), (1, vec![0, 3, 5]), (2, vec![2])],
            "by shard, input order kept within a shard"
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 1);

        let few: Vec<&[u8]> = vec![b"g", b"a"];
        let g = Groups::new(&store.inner, few.iter().copied(), &mut Vec::new());
        assert_eq!(positions(&g), vec![(1, vec![0, 1])]);

        // 64 shards, 5 keys (5·3 < 64): the comparison sort, same contract.
        let by_first: crate::ShardFn =
            std::sync::Arc::new(|k: &[u8], n: usize| usize::from(k[0]) % n);
        let wide: Store<u8> = crate::Builder::new()
            .shards(64)
            .shard_fn(by_first)
            .build()
            .unwrap();
        let keys: Vec<&[u8]> = vec![b"b", b"a", b"b1", b"c", b"a1"];
        let g = Groups::new(&wide.inner, keys.iter().copied(), &mut Vec::new());
        assert_eq!(g.shards, vec![33, 34, 35]); // 'a'=97%64, 'b'=98%64, 'c'=99%64
        assert_eq!(
            positions(&g),
            vec![(33, vec![1, 4]), (34, vec![0, 2]), (35, vec![3])]
        );
    }
}
