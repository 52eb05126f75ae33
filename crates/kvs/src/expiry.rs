//! The per-shard deadline index that lets the sweeper find due keys without
//! looking at keys that have no TTL or are not yet due.
//!
//! Entries are `(deadline, key hash)`, ordered by deadline, so the due keys
//! are a prefix of the map. The key itself is not copied into the index (that
//! would double the memory of every TTL key): the sweeper finds the key in the
//! shard's table by its hash and checks that its deadline matches. Two keys with
//! the same 64-bit hash and the same deadline share an entry, counted.

use std::collections::BTreeMap;

/// Deadlines of one shard's keys, in Unix nanoseconds.
#[derive(Debug, Default, Clone)]
pub(crate) struct ExpiryIndex {
    due: BTreeMap<(u64, u64), u32>,
    /// Keys indexed (the sum of the counts).
    len: usize,
}

impl ExpiryIndex {
    pub(crate) fn insert(&mut self, deadline: u64, hash: u64) {
        *self.due.entry((deadline, hash)).or_insert(0) += 1;
        self.len += 1;
    }

    pub(crate) fn remove(&mut self, deadline: u64, hash: u64) {
        if let Some(count) = self.due.get_mut(&(deadline, hash)) {
            *count -= 1;
            self.len -= 1;
            if *count == 0 {
                self.due.remove(&(deadline, hash));
            }
        }
    }

    /// The earliest deadline, or `u64::MAX` when no key has a TTL.
    pub(crate) fn next_deadline(&self) -> u64 {
        self.due
            .first_key_value()
            .map_or(u64::MAX, |(&(d, _), _)| d)
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    pub(crate) fn pop_due(&mut self, now: u64) -> Option<(u64, u64)> {
        let entry = self.due.first_entry()?;
        if entry.key().0 > now {
            return None;
        }
        let key = *entry.key();
        self.len -= entry.remove() as usize;
        Some(key)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn clear(&mut self) {
        self.due.clear();
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_only_due_entries_in_deadline_order() {
        let mut ix = ExpiryIndex::default();
        ix.insert(30, 1);
        ix.insert(10, 2);
        ix.insert(20, 3);
        assert_eq!(ix.next_deadline(), 10);
        assert_eq!(ix.pop_due(15), Some((10, 2)));
        assert_eq!(ix.pop_due(15), None);
        assert_eq!(ix.pop_due(30), Some((20, 3)));
        assert_eq!(ix.pop_due(30), Some((30, 1)));
        assert_eq!(ix.next_deadline(), u64::MAX);
    }

    #[test]
    fn shared_entries_are_counted() {
        let mut ix = ExpiryIndex::default();
        ix.insert(5, 7);
        ix.insert(5, 7);
        ix.remove(5, 7);
        assert_eq!(ix.len(), 1);
        ix.remove(5, 7);
        assert_eq!(ix.len(), 0);
        ix.remove(5, 7); // absent: no effect
        assert_eq!(ix.len(), 0);
    }
}
