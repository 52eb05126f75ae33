//! A Redis list: a quicklist, a deque of chunks each packing many elements
//! into one byte buffer (Redis's quicklist of listpacks).
//!
//! Chunk sizes follow `list-max-listpack-size` ([`Encodings`]): a negative
//! value -1..-5 limits each chunk to 4, 8, 16, 32 or 64 KiB of packed bytes;
//! a positive N to N elements (and 8 KiB, Redis's safety limit). An element
//! too large for a chunk gets a chunk of its own. Each chunk keeps its
//! element count, so an index finds its chunk by walking counts from the
//! nearer end, then its element by walking from the chunk's nearer end.
//!
//! `list-compress-depth` is not implemented: lists ignore it and nothing is
//! ever compressed.

use std::collections::VecDeque;
use std::fmt;
use std::iter::{FusedIterator, Rev};

use kvs::Key;

use super::Encodings;

mod chunk;

use chunk::{Bwd, Chunk, Fwd, Limits, Side};

/// The byte limit that bounds a count-limited chunk (Redis's
/// `SIZE_SAFETY_LIMIT`).
const SAFETY_LIMIT: usize = 8192;

/// Redis's largest positive `list-max-listpack-size` (`FILL_MAX`).
const FILL_MAX: i64 = (1 << 15) - 1;

/// The chunk limits `list-max-listpack-size` sets.
fn limits(enc: &Encodings) -> Limits {
    match enc.list_max_listpack_size() {
        f if f < 0 => Limits {
            bytes: 4096 << (-f.max(-5) - 1),
            count: u32::MAX,
        },
        f => Limits {
            bytes: SAFETY_LIMIT,
            count: f.clamp(1, FILL_MAX) as u32,
        },
    }
}

/// Clamps LRANGE/LTRIM-style `start`, `stop` to `len`: the inclusive index
/// range they select, or `None` when it is empty.
fn clamp_range(start: i64, stop: i64, len: usize) -> Option<(usize, usize)> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let start = if start < 0 {
        (start + len).max(0)
    } else {
        start
    };
    let stop = if stop < 0 { stop + len } else { stop };
    if start > stop || start >= len {
        return None;
    }
    Some((start as usize, stop.min(len - 1) as usize))
}

/// A Redis list of byte strings.
///
/// Push and pop at either end are O(1) amortized; an index op (`get`,
/// `set`, inserting) costs O(chunks + chunk size). The thresholds are passed
/// to every call that adds elements, so a `CONFIG SET` applies to the chunks
/// built after it.
///
/// ```
/// use kvs_server::types::{Encodings, List};
///
/// let enc = Encodings::default();
/// let mut l = List::new();
/// l.push_back(b"b", &enc);
/// l.push_front(b"a", &enc);
/// assert_eq!(l.len(), 2);
/// assert_eq!(l.get(-1), Some(&b"b"[..]));
/// assert_eq!(l.pop_front().as_deref(), Some(&b"a"[..]));
/// ```
#[derive(Clone, Default)]
pub struct List {
    chunks: VecDeque<Chunk>,
    len: usize,
}

impl List {
    /// An empty list.
    ///
    /// ```
    /// let l = kvs_server::types::List::new();
    /// assert!(l.is_empty());
    /// ```
    pub fn new() -> List {
        List::default()
    }

    /// A list of `elements` in order, as a snapshot load builds it.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let l = List::from_elements(["a", "b", "c"], &Encodings::default());
    /// assert_eq!(l.iter().collect::<Vec<_>>(), [b"a", b"b", b"c"]);
    /// ```
    pub fn from_elements<I>(elements: I, enc: &Encodings) -> List
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut l = List::new();
        for e in elements {
            l.push_back(e.as_ref(), enc);
        }
        l
    }

    /// How many elements it holds (LLEN).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let l = List::from_elements(["a", "b"], &Encodings::default());
    /// assert_eq!(l.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no elements (a key never holds an empty list).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let mut l = List::from_elements(["a"], &Encodings::default());
    /// l.pop_back();
    /// assert!(l.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The encoding OBJECT ENCODING reports: "quicklist" (Redis 7.0 uses it
    /// for every list).
    ///
    /// ```
    /// assert_eq!(kvs_server::types::List::new().encoding(), "quicklist");
    /// ```
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// Approximate heap and inline bytes the list uses (MEMORY USAGE);
    /// O(chunks).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let l = List::from_elements((0..1000).map(|i| format!("{i:010}")), &Encodings::default());
    /// assert!(l.mem_usage() < 1000 * 13);
    /// ```
    pub fn mem_usage(&self) -> usize {
        std::mem::size_of::<List>()
            + self.chunks.capacity() * std::mem::size_of::<Chunk>()
            + self.chunks.iter().map(Chunk::capacity).sum::<usize>()
    }

    /// Adds `value` at the head (LPUSH).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let enc = Encodings::default();
    /// let mut l = List::new();
    /// l.push_front(b"b", &enc);
    /// l.push_front(b"a", &enc);
    /// assert_eq!(l.iter().collect::<Vec<_>>(), [b"a", b"b"]);
    /// ```
    pub fn push_front(&mut self, value: &[u8], enc: &Encodings) {
        let lim = limits(enc);
        self.len += 1;
        if let Some(c) = self.chunks.front_mut() {
            if c.try_insert(0, value, Side::Front, &lim) {
                return;
            }
        }
        self.chunks
            .push_front(Chunk::single(value, Side::Front, &lim));
    }

    /// Adds `value` at the tail (RPUSH).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let enc = Encodings::default();
    /// let mut l = List::new();
    /// l.push_back(b"a", &enc);
    /// l.push_back(b"b", &enc);
    /// assert_eq!(l.iter().collect::<Vec<_>>(), [b"a", b"b"]);
    /// ```
    pub fn push_back(&mut self, value: &[u8], enc: &Encodings) {
        let lim = limits(enc);
        self.len += 1;
        if let Some(c) = self.chunks.back_mut() {
            if c.try_insert(c.len(), value, Side::Back, &lim) {
                return;
            }
        }
        self.chunks
            .push_back(Chunk::single(value, Side::Back, &lim));
    }

    /// Removes and returns the head element (LPOP).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let mut l = List::from_elements(["a", "b"], &Encodings::default());
    /// assert_eq!(l.pop_front().as_deref(), Some(&b"a"[..]));
    /// assert_eq!(l.pop_front().as_deref(), Some(&b"b"[..]));
    /// assert_eq!(l.pop_front(), None);
    /// ```
    pub fn pop_front(&mut self) -> Option<Key> {
        let c = self.chunks.front_mut()?;
        let k = c.remove_with(0, |e| Key::from(e));
        if c.is_empty() {
            self.chunks.pop_front();
            self.shrink_chunks();
        }
        self.len -= 1;
        Some(k)
    }

    /// Removes and returns the tail element (RPOP).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let mut l = List::from_elements(["a", "b"], &Encodings::default());
    /// assert_eq!(l.pop_back().as_deref(), Some(&b"b"[..]));
    /// assert_eq!(l.len(), 1);
    /// ```
    pub fn pop_back(&mut self) -> Option<Key> {
        let c = self.chunks.back_mut()?;
        let k = c.remove_with(c.len() - 1, |e| Key::from(e));
        if c.is_empty() {
            self.chunks.pop_back();
            self.shrink_chunks();
        }
        self.len -= 1;
        Some(k)
    }

    /// The element at `index` (LINDEX): negative counts from the tail, -1
    /// being the last; `None` out of range.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let l = List::from_elements(["a", "b", "c"], &Encodings::default());
    /// assert_eq!(l.get(0), Some(&b"a"[..]));
    /// assert_eq!(l.get(-1), Some(&b"c"[..]));
    /// assert_eq!(l.get(3), None);
    /// assert_eq!(l.get(-4), None);
    /// ```
    pub fn get(&self, index: i64) -> Option<&[u8]> {
        let i = self.resolve(index)?;
        let (ci, j) = self.locate(i);
        Some(self.chunks[ci].get(j))
    }

    /// Replaces the element at `index` (LSET; negative from the tail); false
    /// if out of range.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let enc = Encodings::default();
    /// let mut l = List::from_elements(["a", "b"], &enc);
    /// assert!(l.set(-1, b"z", &enc));
    /// assert!(!l.set(2, b"x", &enc));
    /// assert_eq!(l.iter().collect::<Vec<_>>(), [b"a", b"z"]);
    /// ```
    pub fn set(&mut self, index: i64, value: &[u8], enc: &Encodings) -> bool {
        let Some(i) = self.resolve(index) else {
            return false;
        };
        let lim = limits(enc);
        let (ci, j) = self.locate(i);
        if !self.chunks[ci].try_replace(j, value, &lim) {
            // Too large for its chunk (which holds others, so it is not
            // left empty): take it out and insert it where it was.
            self.chunks[ci].remove_with(j, |_| ());
            self.len -= 1;
            self.insert_at(ci, j, value, &lim);
        }
        true
    }

    /// Inserts `value` before (or after) the first element equal to `pivot`
    /// (LINSERT): the new length, or `None` if `pivot` is not there.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let enc = Encodings::default();
    /// let mut l = List::from_elements(["a", "c"], &enc);
    /// assert_eq!(l.insert(true, b"c", b"b", &enc), Some(3));
    /// assert_eq!(l.insert(false, b"c", b"d", &enc), Some(4));
    /// assert_eq!(l.insert(true, b"x", b"y", &enc), None);
    /// assert_eq!(l.iter().collect::<Vec<_>>(), [b"a", b"b", b"c", b"d"]);
    /// ```
    pub fn insert(
        &mut self,
        before: bool,
        pivot: &[u8],
        value: &[u8],
        enc: &Encodings,
    ) -> Option<usize> {
        let (ci, j) = self.chunks.iter().enumerate().find_map(|(ci, c)| {
            let mut f = c.front();
            (0..c.len())
                .find(|_| c.next(&mut f) == pivot)
                .map(|j| (ci, j))
        })?;
        self.insert_at(ci, if before { j } else { j + 1 }, value, &limits(enc));
        Some(self.len)
    }

    /// Removes elements equal to `value` (LREM): with `count` > 0 the first
    /// `count` from the head, < 0 the first `-count` from the tail, 0 all.
    /// Returns how many went.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let mut l = List::from_elements(["a", "x", "b", "x", "c", "x"], &Encodings::default());
    /// assert_eq!(l.remove(-1, b"x"), 1);
    /// assert_eq!(l.remove(1, b"x"), 1);
    /// assert_eq!(l.iter().collect::<Vec<_>>(), [b"a", b"b", b"x", b"c"]);
    /// assert_eq!(l.remove(0, b"x"), 1);
    /// assert_eq!(l.remove(0, b"nope"), 0);
    /// ```
    pub fn remove(&mut self, count: i64, value: &[u8]) -> usize {
        let from_back = count < 0;
        let mut left = match usize::try_from(count.unsigned_abs()) {
            Ok(0) | Err(_) => usize::MAX,
            Ok(n) => n,
        };
        let mut removed = 0;
        let mut sweep = |c: &mut Chunk| {
            let r = c.remove_matching(value, left, from_back);
            left -= r;
            removed += r;
            left > 0
        };
        if from_back {
            for c in self.chunks.iter_mut().rev() {
                if !sweep(c) {
                    break;
                }
            }
        } else {
            for c in self.chunks.iter_mut() {
                if !sweep(c) {
                    break;
                }
            }
        }
        if removed > 0 {
            self.chunks.retain(|c| !c.is_empty());
            self.shrink_chunks();
            self.len -= removed;
        }
        removed
    }

    /// Keeps only the elements from `start` to `stop` inclusive (LTRIM, with
    /// Redis's index rules: negative from the tail, out-of-range clamped, an
    /// empty range empties the list).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let mut l = List::from_elements(["a", "b", "c", "d"], &Encodings::default());
    /// l.trim(1, -2);
    /// assert_eq!(l.iter().collect::<Vec<_>>(), [b"b", b"c"]);
    /// l.trim(5, 10);
    /// assert!(l.is_empty());
    /// ```
    pub fn trim(&mut self, start: i64, stop: i64) {
        match clamp_range(start, stop, self.len) {
            None => *self = List::new(),
            Some((s, e)) => {
                let back = self.len - 1 - e;
                self.drop_front(s);
                self.drop_back(back);
                self.shrink_chunks();
            }
        }
    }

    /// The elements from `start` to `stop` inclusive (LRANGE, with Redis's
    /// index rules), front to back; double-ended.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let l = List::from_elements(["a", "b", "c", "d"], &Encodings::default());
    /// assert_eq!(l.range(1, 2).collect::<Vec<_>>(), [b"b", b"c"]);
    /// assert_eq!(l.range(-2, 100).collect::<Vec<_>>(), [b"c", b"d"]);
    /// assert_eq!(l.range(-100, 0).collect::<Vec<_>>(), [b"a"]);
    /// assert_eq!(l.range(3, 1).count(), 0);
    /// ```
    pub fn range(&self, start: i64, stop: i64) -> Iter<'_> {
        match clamp_range(start, stop, self.len) {
            None => Iter::empty(&self.chunks),
            Some((s, e)) => {
                let (fci, fj) = self.locate(s);
                let (bci, bj) = self.locate(e);
                let (fc, bc) = (&self.chunks[fci], &self.chunks[bci]);
                Iter {
                    chunks: &self.chunks,
                    fci,
                    fwd: fc.fwd_at(fj),
                    fleft: fc.len() - fj,
                    bci,
                    bwd: bc.bwd_at(bj),
                    bleft: bj + 1,
                    remaining: e - s + 1,
                }
            }
        }
    }

    /// All elements, front to back; double-ended.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let l = List::from_elements(["a", "b"], &Encodings::default());
    /// let mut it = l.iter();
    /// assert_eq!(it.len(), 2);
    /// assert_eq!(it.next_back(), Some(&b"b"[..]));
    /// assert_eq!(it.next(), Some(&b"a"[..]));
    /// assert_eq!(it.next(), None);
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        let mut it = Iter::empty(&self.chunks);
        if let (Some(f), Some(b)) = (self.chunks.front(), self.chunks.back()) {
            it.fwd = f.front();
            it.fleft = f.len();
            it.bci = self.chunks.len() - 1;
            it.bwd = b.back();
            it.bleft = b.len();
            it.remaining = self.len;
        }
        it
    }

    /// All elements, back to front.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let l = List::from_elements(["a", "b"], &Encodings::default());
    /// assert_eq!(l.iter_rev().collect::<Vec<_>>(), [b"b", b"a"]);
    /// ```
    pub fn iter_rev(&self) -> Rev<Iter<'_>> {
        self.iter().rev()
    }

    /// Indexes (from the head) of elements equal to `value` (LPOS): skips
    /// the first `|rank| - 1` matches (rank 0 counts as 1), searching from
    /// the tail when `rank` < 0; returns at most `count` (0: all) after
    /// looking at no more than `maxlen` elements (0: no limit).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, List};
    ///
    /// let l = List::from_elements(["a", "b", "c", "1", "2", "3", "c", "c"], &Encodings::default());
    /// assert_eq!(l.position(b"c", 1, 1, 0), [2]);
    /// assert_eq!(l.position(b"c", 2, 1, 0), [6]);
    /// assert_eq!(l.position(b"c", -1, 1, 0), [7]);
    /// assert_eq!(l.position(b"c", 1, 0, 0), [2, 6, 7]);
    /// assert_eq!(l.position(b"c", -1, 2, 0), [7, 6]);
    /// assert_eq!(l.position(b"c", 1, 0, 3), [2]);
    /// assert!(l.position(b"x", 1, 1, 0).is_empty());
    /// ```
    pub fn position(&self, value: &[u8], rank: i64, count: usize, maxlen: usize) -> Vec<usize> {
        let mut skip = rank.unsigned_abs().saturating_sub(1);
        let count = if count == 0 { usize::MAX } else { count };
        let maxlen = if maxlen == 0 { usize::MAX } else { maxlen };
        let mut out = Vec::new();
        let mut visit = |k: usize, e: &[u8]| {
            if e == value {
                if skip > 0 {
                    skip -= 1;
                } else {
                    out.push(k);
                }
            }
            out.len() < count
        };
        if rank >= 0 {
            for (k, e) in self.iter().take(maxlen).enumerate() {
                if !visit(k, e) {
                    break;
                }
            }
        } else {
            for (k, e) in self.iter_rev().take(maxlen).enumerate() {
                if !visit(self.len - 1 - k, e) {
                    break;
                }
            }
        }
        out
    }

    /// Gives back the chunk deque's memory once it is mostly unused (O(1)
    /// amortized: it at least halves).
    fn shrink_chunks(&mut self) {
        let (n, cap) = (self.chunks.len(), self.chunks.capacity());
        if cap > 4 && n * 4 <= cap {
            self.chunks.shrink_to(n * 2);
        }
    }

    /// The element index `index` names (negative from the tail), if in range.
    fn resolve(&self, index: i64) -> Option<usize> {
        let i = if index < 0 {
            let back = usize::try_from(index.unsigned_abs()).ok()?;
            self.len.checked_sub(back)?
        } else {
            usize::try_from(index).ok()?
        };
        (i < self.len).then_some(i)
    }

    /// The chunk and position within it of element `i` (`i < len`), found by
    /// walking counts from the nearer end.
    fn locate(&self, i: usize) -> (usize, u32) {
        debug_assert!(i < self.len);
        if i < self.len / 2 {
            let mut i = i;
            for (ci, c) in self.chunks.iter().enumerate() {
                let n = c.len() as usize;
                if i < n {
                    return (ci, i as u32);
                }
                i -= n;
            }
        } else {
            let mut r = self.len - 1 - i;
            for (ci, c) in self.chunks.iter().enumerate().rev() {
                let n = c.len() as usize;
                if r < n {
                    return (ci, (n - 1 - r) as u32);
                }
                r -= n;
            }
        }
        unreachable!("element counts add up to the length")
    }

    /// Inserts `x` before element `j` of chunk `ci` (`j` may be its length):
    /// into that chunk if it has room, else the neighbour on that end, else
    /// a new chunk, splitting this one when `j` is inside it.
    fn insert_at(&mut self, ci: usize, j: u32, x: &[u8], lim: &Limits) {
        self.len += 1;
        let n = self.chunks[ci].len();
        let side = match j {
            0 => Side::Front,
            j if j == n => Side::Back,
            _ => Side::Middle,
        };
        if self.chunks[ci].try_insert(j, x, side, lim) {
            return;
        }
        if j == 0 && ci > 0 {
            let p = &mut self.chunks[ci - 1];
            if p.try_insert(p.len(), x, Side::Back, lim) {
                return;
            }
        }
        if j == n
            && ci + 1 < self.chunks.len()
            && self.chunks[ci + 1].try_insert(0, x, Side::Front, lim)
        {
            return;
        }
        if j == 0 {
            self.chunks.insert(ci, Chunk::single(x, Side::Front, lim));
            return;
        }
        if j < n {
            let tail = self.chunks[ci].split_off(j);
            self.chunks.insert(ci + 1, tail);
            if self.chunks[ci].try_insert(j, x, Side::Back, lim)
                || self.chunks[ci + 1].try_insert(0, x, Side::Front, lim)
            {
                return;
            }
        }
        self.chunks
            .insert(ci + 1, Chunk::single(x, Side::Back, lim));
    }

    /// Drops the first `n` elements (`n <= len`).
    fn drop_front(&mut self, mut n: usize) {
        self.len -= n;
        while n > 0 {
            let c = self.chunks.front_mut().expect("n <= len");
            let k = c.len() as usize;
            if k <= n {
                self.chunks.pop_front();
                n -= k;
            } else {
                c.drop_front(n as u32);
                n = 0;
            }
        }
    }

    /// Drops the last `n` elements (`n <= len`).
    fn drop_back(&mut self, mut n: usize) {
        self.len -= n;
        while n > 0 {
            let c = self.chunks.back_mut().expect("n <= len");
            let k = c.len() as usize;
            if k <= n {
                self.chunks.pop_back();
                n -= k;
            } else {
                c.drop_back(n as u32);
                n = 0;
            }
        }
    }

    /// Panics unless every chunk is non-empty, decodes consistently and
    /// (given `enc`) stays within its limits, and the counts add up.
    #[cfg(test)]
    fn check_invariants(&self, enc: Option<&Encodings>) -> Vec<Vec<u8>> {
        let lim = enc.map(limits);
        let mut all = Vec::new();
        for c in &self.chunks {
            all.extend(c.check(lim.as_ref()));
        }
        assert_eq!(all.len(), self.len, "counts add up to the length");
        all
    }
}

impl fmt::Debug for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|e| e.escape_ascii().to_string()))
            .finish()
    }
}

impl PartialEq for List {
    fn eq(&self, other: &List) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for List {}

impl<'a> IntoIterator for &'a List {
    type Item = &'a [u8];
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// An iterator over a [`List`]'s elements (or a range of them), from either
/// end.
///
/// ```
/// use kvs_server::types::{Encodings, List};
///
/// let l = List::from_elements(["a", "b", "c"], &Encodings::default());
/// let it: kvs_server::types::list::Iter<'_> = l.range(0, -1);
/// assert_eq!(it.rev().collect::<Vec<_>>(), [b"c", b"b", b"a"]);
/// ```
#[derive(Clone)]
pub struct Iter<'a> {
    chunks: &'a VecDeque<Chunk>,
    /// The front cursor: chunk, place, elements left in that chunk.
    fci: usize,
    fwd: Fwd,
    fleft: u32,
    /// The back cursor, likewise.
    bci: usize,
    bwd: Bwd,
    bleft: u32,
    /// Elements left between the cursors.
    remaining: usize,
}

impl<'a> Iter<'a> {
    fn empty(chunks: &'a VecDeque<Chunk>) -> Iter<'a> {
        let (fwd, bwd) = match chunks.front() {
            Some(c) => (c.front(), c.back()),
            None => Default::default(),
        };
        Iter {
            chunks,
            fci: 0,
            fwd,
            fleft: 0,
            bci: 0,
            bwd,
            bleft: 0,
            remaining: 0,
        }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        let chunks = self.chunks;
        while self.fleft == 0 {
            self.fci += 1;
            let c = &chunks[self.fci];
            self.fwd = c.front();
            self.fleft = c.len();
        }
        self.fleft -= 1;
        self.remaining -= 1;
        Some(chunks[self.fci].next(&mut self.fwd))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    fn next_back(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        let chunks = self.chunks;
        while self.bleft == 0 {
            self.bci -= 1;
            let c = &chunks[self.bci];
            self.bwd = c.back();
            self.bleft = c.len();
        }
        self.bleft -= 1;
        self.remaining -= 1;
        Some(chunks[self.bci].next_back(&mut self.bwd))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl FusedIterator for Iter<'_> {}

impl fmt::Debug for Iter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Iter")
            .field("remaining", &self.remaining)
            .finish()
    }
}

#[cfg(test)]
mod tests;
