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

/// Input positions grouped by shard: `order[starts[s]..starts[s + 1]]` are the
/// positions whose key lives in shard `s`, in input order.
struct Groups {
    order: Vec<usize>,
    starts: Vec<usize>,
    hashes: Vec<u64>,
    shards: Vec<usize>,
}

impl Groups {
    /// Groups `keys`; keys the shard hash cannot place get an error in
    /// `errors` and take no part.
    fn new<V>(inner: &Inner<V>, keys: &[&[u8]], errors: &mut Vec<(usize, Error)>) -> Self {
        let m = inner.shards.len();
        let mut shard_of = Vec::with_capacity(keys.len());
        let mut hashes = Vec::with_capacity(keys.len());
        let mut counts = vec![0usize; m + 1];
        for (pos, key) in keys.iter().enumerate() {
            match inner.locate(key) {
                Ok((s, h)) => {
                    counts[s + 1] += 1;
                    shard_of.push(s);
                    hashes.push(h);
                }
                Err(e) => {
                    errors.push((pos, e));
                    shard_of.push(usize::MAX);
                    hashes.push(0);
                }
            }
        }
        for s in 0..m {
            counts[s + 1] += counts[s];
        }
        let starts = counts.clone();
        let mut next = counts;
        let mut order = vec![0; starts[m]];
        for (pos, &s) in shard_of.iter().enumerate() {
            if s != usize::MAX {
                order[next[s]] = pos;
                next[s] += 1;
            }
        }
        let shards = (0..m).filter(|&s| starts[s + 1] > starts[s]).collect();
        Groups {
            order,
            starts,
            hashes,
            shards,
        }
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
        let keys: Vec<&[u8]> = items
            .iter()
            .map(|i| i.as_ref().map_or(&[][..], |(k, _)| k.as_ref()))
            .collect();
        let groups = Groups::new(inner, &keys, errors);
        (items, groups)
    }

    fn positions(&self, shard: usize) -> &[usize] {
        &self.order[self.starts[shard]..self.starts[shard + 1]]
    }
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
        let keys: Vec<&[u8]> = keys.iter().map(AsRef::as_ref).collect();
        let mut errors = Vec::new();
        let groups = Groups::new(inner, &keys, &mut errors);
        let mut results: Vec<Result<V>> = (0..keys.len()).map(|_| Err(Error::NotFound)).collect();
        for (pos, e) in errors {
            results[pos] = Err(e);
        }
        let mut now = inner.now();
        let order = groups.shards.clone();
        let guards = crate::lock_order::read_in_order(&order, |i| &inner.shards[i].lock);
        for (shard_index, shard) in &guards {
            for &pos in groups.positions(*shard_index) {
                if let Some(slot) = shard.find(groups.hashes[pos], keys[pos]) {
                    if slot.is_live(&mut now) {
                        results[pos] = Ok(slot.value.clone());
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
        for (shard_index, mut shard) in inner.write_shards(groups.shards.clone()) {
            for &pos in groups.positions(shard_index) {
                let (key, value) = items[pos].take().expect("each position once");
                shard.upsert(groups.hashes[pos], key, value, NEVER);
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
        let mut guards = inner.write_shards(groups.shards.clone());
        for (shard_index, shard) in &guards {
            for &pos in groups.positions(*shard_index) {
                let key = items[pos].as_ref().expect("not taken yet").0.as_ref();
                if shard
                    .find(groups.hashes[pos], key)
                    .is_some_and(|s| s.is_live(&mut now))
                {
                    return Ok(false);
                }
            }
        }
        for (shard_index, shard) in &mut guards {
            for &pos in groups.positions(*shard_index) {
                let (key, value) = items[pos].take().expect("each position once");
                shard.upsert(groups.hashes[pos], key, value, NEVER);
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
        let keys: Vec<&[u8]> = keys.iter().map(AsRef::as_ref).collect();
        let mut errors = Vec::new();
        let groups = Groups::new(inner, &keys, &mut errors);
        let mut now: Now<'_> = inner.now();
        let mut deleted = 0;
        // Keys this batch removed, to tell a repeat from a missing key in O(1).
        let mut removed: HashSet<&[u8], RandomState> = HashSet::default();
        for (shard_index, mut shard) in inner.write_shards(groups.shards.clone()) {
            for &pos in groups.positions(shard_index) {
                let key = keys[pos];
                match shard.remove(groups.hashes[pos], key) {
                    Some(slot) if slot.is_live(&mut now) => {
                        deleted += 1;
                        removed.insert(key);
                    }
                    _ if removed.contains(key) => {}
                    _ => errors.push((pos, Error::NotFound)),
                }
            }
        }
        errors.sort_by_key(|(pos, _)| *pos);
        Ok(BatchDeleteResult { deleted, errors })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let store: Store<u8> = crate::Builder::new()
            .shards(3)
            .shard_fn(bad)
            .build()
            .unwrap();
        let keys: Vec<&[u8]> = vec![b"a", b"x", b"b", b"d", b"c", b"g"];
        let mut errors = Vec::new();
        let g = Groups::new(&store.inner, &keys, &mut errors);
        // 'a'=97%3=1, 'b'=98%3=2, 'd'=100%3=1, 'c'=99%3=0, 'g'=103%3=1
        assert_eq!(g.shards, vec![0, 1, 2]);
        assert_eq!(g.positions(0), &[4]);
        assert_eq!(
            g.positions(1),
            &[0, 3, 5],
            "input order kept within a shard"
        );
        assert_eq!(g.positions(2), &[2]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 1);
    }
}
