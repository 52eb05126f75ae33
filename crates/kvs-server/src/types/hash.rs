//! A Redis hash: field/value pairs of byte strings, in one of Redis's two
//! encodings.
//!
//! - **listpack**: every pair packed into one boxed byte buffer, each string
//!   prefixed by its length as a LEB128 varint, behind a 4-byte pair count.
//!   Lookups are linear, which is fast for the small hashes this encoding is
//!   used for, and a hash costs one allocation with no per-entry overhead.
//!   Pairs keep insertion order (what `HGETALL` shows), as in Redis.
//! - **hashtable**: a `hashbrown::HashTable<(Key, Key)>` hashed with
//!   foldhash, for O(1) operations on large hashes.
//!
//! A hash is a listpack while it has at most `hash-max-listpack-entries`
//! pairs and no field or value longer than `hash-max-listpack-value` bytes;
//! the insert that breaks either threshold converts it to a hashtable, and it
//! never converts back (as in Redis 7.0).

use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use kvs::Key;

use super::Encodings;
use crate::rng::Rng;

/// A field/value pair borrowed from a [`Hash`](struct@Hash).
pub type Pair<'a> = (&'a [u8], &'a [u8]);

/// A Redis hash (see the [module docs](self) for its encodings).
///
/// `size_of::<Hash>()` is 16 bytes: a listpack is one boxed byte slice, a
/// hashtable one box.
///
/// ```
/// use kvs_server::types::{Encodings, Hash};
///
/// let enc = Encodings::default();
/// let mut h = Hash::new();
/// assert!(h.insert(b"name", b"kvs", &enc));
/// assert!(!h.insert(b"name", b"redis", &enc));
/// assert_eq!(h.get(b"name"), Some(&b"redis"[..]));
/// assert_eq!(h.encoding(), "listpack");
/// assert_eq!(std::mem::size_of::<Hash>(), 16);
/// ```
#[derive(Clone, Default)]
pub struct Hash(Repr);

#[derive(Clone)]
enum Repr {
    /// Empty, or a `u32` LE pair count followed by the pairs. Held inline
    /// in the key's value: cloning it (a snapshot keeping the key's state
    /// at its instant) copies at most what the thresholds allow.
    Listpack(Box<[u8]>),
    /// Shared, so that cloning a big hash is a reference count: a change
    /// copies the table only while a snapshot still holds the old one.
    Table(Arc<Table>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Listpack(Box::default())
    }
}

#[derive(Clone)]
struct Table {
    state: RandomState,
    table: HashTable<(Key, Key)>,
}

impl Table {
    fn with_capacity(n: usize) -> Table {
        Table {
            state: RandomState::default(),
            table: HashTable::with_capacity(n),
        }
    }

    fn hash(&self, field: &[u8]) -> u64 {
        self.state.hash_one(field)
    }

    fn get(&self, field: &[u8]) -> Option<&(Key, Key)> {
        self.table.find(self.hash(field), |e| &*e.0 == field)
    }

    /// Inserts or overwrites; true if `field` is new.
    fn insert(&mut self, field: &[u8], value: &[u8]) -> bool {
        let state = &self.state;
        let hash = state.hash_one(field);
        match self
            .table
            .entry(hash, |e| &*e.0 == field, |e| state.hash_one(e.0.as_bytes()))
        {
            hashbrown::hash_table::Entry::Occupied(mut o) => {
                o.get_mut().1 = Key::from(value);
                false
            }
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert((Key::from(field), Key::from(value)));
                true
            }
        }
    }

    /// Inserts a field known to be absent.
    fn insert_new(&mut self, field: Key, value: Key) {
        let state = &self.state;
        let hash = state.hash_one(field.as_bytes());
        self.table
            .insert_unique(hash, (field, value), |e| state.hash_one(e.0.as_bytes()));
    }

    fn remove(&mut self, field: &[u8]) -> bool {
        let hash = self.hash(field);
        match self.table.find_entry(hash, |e| &*e.0 == field) {
            Ok(o) => {
                o.remove();
                true
            }
            Err(_) => false,
        }
    }

    fn shrink_if_sparse(&mut self) -> bool {
        let state = &self.state;
        shrink_if_sparse(&mut self.table, |e| state.hash_one(e.0.as_bytes()))
    }

    fn random_bucket(&self, rng: &mut Rng) -> usize {
        random_bucket(&self.table, rng)
    }

    fn pair(&self, bucket: usize) -> Pair<'_> {
        let e = self.table.get_bucket(bucket).expect("occupied bucket");
        (&e.0, &e.1)
    }
}

/// The listpack encoding's byte-level operations.
mod lp {
    use super::Pair;

    /// Appends `n` as a LEB128 varint.
    pub fn put_varint(buf: &mut Vec<u8>, mut n: usize) {
        while n >= 0x80 {
            buf.push((n as u8) | 0x80);
            n >>= 7;
        }
        buf.push(n as u8);
    }

    /// The bytes `put_varint(n)` appends.
    pub fn varint_len(mut n: usize) -> usize {
        let mut len = 1;
        while n >= 0x80 {
            n >>= 7;
            len += 1;
        }
        len
    }

    /// Reads a varint at `*pos`, advancing it.
    fn get_varint(buf: &[u8], pos: &mut usize) -> usize {
        let mut n = 0usize;
        let mut shift = 0;
        loop {
            let b = buf[*pos];
            *pos += 1;
            n |= usize::from(b & 0x7f) << shift;
            if b < 0x80 {
                return n;
            }
            shift += 7;
        }
    }

    /// Reads a length-prefixed string at `*pos`, advancing past it.
    fn get_str<'a>(buf: &'a [u8], pos: &mut usize) -> &'a [u8] {
        let len = get_varint(buf, pos);
        let s = &buf[*pos..*pos + len];
        *pos += len;
        s
    }

    pub const HEADER: usize = 4;

    pub fn len(buf: &[u8]) -> usize {
        match buf.get(..HEADER) {
            Some(h) => u32::from_le_bytes(h.try_into().unwrap()) as usize,
            None => 0,
        }
    }

    pub fn set_len(buf: &mut [u8], n: usize) {
        buf[..HEADER].copy_from_slice(&(n as u32).to_le_bytes());
    }

    /// Where one pair lies: `start..end` is the whole pair, `value..end` the
    /// value with its length prefix.
    pub struct Slot<'a> {
        pub start: usize,
        pub value: usize,
        pub end: usize,
        pub pair: Pair<'a>,
    }

    /// The pairs in order, with their positions.
    #[derive(Clone)]
    pub struct Slots<'a> {
        buf: &'a [u8],
        pos: usize,
        left: usize,
    }

    pub fn slots(buf: &[u8]) -> Slots<'_> {
        Slots {
            buf,
            pos: HEADER.min(buf.len()),
            left: len(buf),
        }
    }

    impl<'a> Iterator for Slots<'a> {
        type Item = Slot<'a>;

        fn next(&mut self) -> Option<Slot<'a>> {
            if self.left == 0 {
                return None;
            }
            self.left -= 1;
            let start = self.pos;
            let field = get_str(self.buf, &mut self.pos);
            let value = self.pos;
            let v = get_str(self.buf, &mut self.pos);
            Some(Slot {
                start,
                value,
                end: self.pos,
                pair: (field, v),
            })
        }

        fn size_hint(&self) -> (usize, Option<usize>) {
            (self.left, Some(self.left))
        }
    }

    pub fn find<'a>(buf: &'a [u8], field: &[u8]) -> Option<Slot<'a>> {
        slots(buf).find(|s| s.pair.0 == field)
    }

    /// Appends a pair known to be absent to a listpack being built.
    pub fn push(buf: &mut Vec<u8>, field: &[u8], value: &[u8]) {
        if buf.is_empty() {
            buf.extend_from_slice(&[0; HEADER]);
        }
        let n = len(buf);
        put_varint(buf, field.len());
        buf.extend_from_slice(field);
        put_varint(buf, value.len());
        buf.extend_from_slice(value);
        set_len(buf, n + 1);
    }
}

/// An iterator over a [`Hash`](struct@Hash)'s pairs (listpack: insertion order;
/// hashtable: arbitrary order).
///
/// ```
/// use kvs_server::types::{Encodings, Hash};
///
/// let h = Hash::from_pairs([("a", "1"), ("b", "2")], &Encodings::default());
/// let pairs: Vec<_> = h.iter().collect();
/// assert_eq!(pairs, [(&b"a"[..], &b"1"[..]), (&b"b"[..], &b"2"[..])]);
/// ```
#[derive(Clone)]
pub struct Iter<'a>(IterRepr<'a>);

#[derive(Clone)]
enum IterRepr<'a> {
    Listpack(lp::Slots<'a>),
    Table(hashbrown::hash_table::Iter<'a, (Key, Key)>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Pair<'a>;

    fn next(&mut self) -> Option<Pair<'a>> {
        match &mut self.0 {
            IterRepr::Listpack(s) => s.next().map(|s| s.pair),
            IterRepr::Table(t) => t.next().map(|e| (&*e.0, &*e.1)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Listpack(s) => s.size_hint(),
            IterRepr::Table(t) => t.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl Hash {
    /// An empty hash (listpack-encoded; it allocates nothing).
    ///
    /// ```
    /// let h = kvs_server::types::Hash::new();
    /// assert!(h.is_empty());
    /// assert_eq!(h.encoding(), "listpack");
    /// ```
    pub fn new() -> Hash {
        Hash::default()
    }

    /// A hash of `pairs` (a later duplicate field overwrites an earlier
    /// one), encoded as the thresholds in `enc` choose: what loading a
    /// snapshot needs.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let enc = Encodings::default();
    /// let small = Hash::from_pairs([("f", "v")], &enc);
    /// assert_eq!(small.encoding(), "listpack");
    /// let long = Hash::from_pairs([("f", [b'x'; 65].as_slice())], &enc);
    /// assert_eq!(long.encoding(), "hashtable");
    /// ```
    pub fn from_pairs<F, V>(pairs: impl IntoIterator<Item = (F, V)>, enc: &Encodings) -> Hash
    where
        F: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let max_entries = enc.hash_max_listpack_entries();
        let max_value = enc.hash_max_listpack_value();
        let mut pairs = pairs.into_iter();
        let mut buf = Vec::new();
        for (f, v) in pairs.by_ref() {
            let (f, v) = (f.as_ref(), v.as_ref());
            let n = lp::len(&buf);
            let fits = f.len() <= max_value && v.len() <= max_value;
            match lp::find(&buf, f) {
                Some(slot) if fits => {
                    let (value, end) = (slot.value, slot.end);
                    let mut rep = Vec::with_capacity(lp::varint_len(v.len()) + v.len());
                    lp::put_varint(&mut rep, v.len());
                    rep.extend_from_slice(v);
                    buf.splice(value..end, rep);
                }
                None if fits && n < max_entries => lp::push(&mut buf, f, v),
                _ => {
                    // Breaks a threshold: the rest goes to a hashtable.
                    let mut h = Hash(Repr::Listpack(buf.into_boxed_slice()));
                    h.convert(n + 1 + pairs.size_hint().0);
                    let Repr::Table(t) = &mut h.0 else {
                        unreachable!()
                    };
                    let t = Arc::make_mut(t);
                    t.insert(f, v);
                    for (f, v) in pairs {
                        t.insert(f.as_ref(), v.as_ref());
                    }
                    return h;
                }
            }
        }
        Hash(Repr::Listpack(buf.into_boxed_slice()))
    }

    /// The number of fields.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let h = Hash::from_pairs([("a", "1"), ("b", "2")], &Encodings::default());
    /// assert_eq!(h.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Listpack(b) => lp::len(b),
            Repr::Table(t) => t.table.len(),
        }
    }

    /// Whether the hash has no fields.
    ///
    /// ```
    /// assert!(kvs_server::types::Hash::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `"listpack"` or `"hashtable"`, as `OBJECT ENCODING` reports it.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let enc = Encodings::default();
    /// enc.set_hash_max_listpack_entries(1);
    /// let mut h = Hash::new();
    /// h.insert(b"a", b"1", &enc);
    /// assert_eq!(h.encoding(), "listpack");
    /// h.insert(b"b", b"2", &enc);
    /// assert_eq!(h.encoding(), "hashtable");
    /// ```
    pub fn encoding(&self) -> &'static str {
        match &self.0 {
            Repr::Listpack(_) => "listpack",
            Repr::Table(_) => "hashtable",
        }
    }

    /// The value of `field`.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let h = Hash::from_pairs([("a", "1")], &Encodings::default());
    /// assert_eq!(h.get(b"a"), Some(&b"1"[..]));
    /// assert_eq!(h.get(b"b"), None);
    /// ```
    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match &self.0 {
            Repr::Listpack(b) => lp::find(b, field).map(|s| s.pair.1),
            Repr::Table(t) => t.get(field).map(|e| &*e.1),
        }
    }

    /// Whether `field` is present.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let h = Hash::from_pairs([("a", "1")], &Encodings::default());
    /// assert!(h.contains(b"a"));
    /// assert!(!h.contains(b"b"));
    /// ```
    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Sets `field` to `value`, overwriting (in place) any value it had;
    /// true if the field is new. Converts to a hashtable first when `field`
    /// or `value` is longer than `hash-max-listpack-value`, and after adding
    /// a field beyond `hash-max-listpack-entries`, as Redis does.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let enc = Encodings::default();
    /// let mut h = Hash::new();
    /// assert!(h.insert(b"f", b"1", &enc));
    /// assert!(!h.insert(b"f", b"2", &enc));
    /// assert_eq!(h.get(b"f"), Some(&b"2"[..]));
    /// h.insert(b"g", &[b'x'; 65], &enc);
    /// assert_eq!(h.encoding(), "hashtable");
    /// ```
    pub fn insert(&mut self, field: &[u8], value: &[u8], enc: &Encodings) -> bool {
        if let Repr::Listpack(_) = self.0 {
            let max = enc.hash_max_listpack_value();
            if field.len() > max || value.len() > max {
                self.convert(self.len() + 1);
            }
        }
        match &mut self.0 {
            Repr::Table(t) => Arc::make_mut(t).insert(field, value),
            Repr::Listpack(b) => {
                let n = lp::len(b);
                let new = match lp::find(b, field) {
                    Some(slot) => {
                        let (value_at, end) = (slot.value, slot.end);
                        let len = lp::varint_len(value.len()) + value.len();
                        if len == end - value_at {
                            // Same size: overwrite without reallocating.
                            let mut rep = Vec::with_capacity(len);
                            lp::put_varint(&mut rep, value.len());
                            rep.extend_from_slice(value);
                            b[value_at..end].copy_from_slice(&rep);
                        } else {
                            let mut v = std::mem::take(b).into_vec();
                            let mut rep = Vec::with_capacity(len);
                            lp::put_varint(&mut rep, value.len());
                            rep.extend_from_slice(value);
                            v.splice(value_at..end, rep);
                            *b = v.into_boxed_slice();
                        }
                        false
                    }
                    None => {
                        let mut v = std::mem::take(b).into_vec();
                        let extra = lp::varint_len(field.len())
                            + field.len()
                            + lp::varint_len(value.len())
                            + value.len()
                            + if v.is_empty() { lp::HEADER } else { 0 };
                        // Exact, so the boxed slice needs no second realloc.
                        v.reserve_exact(extra);
                        lp::push(&mut v, field, value);
                        *b = v.into_boxed_slice();
                        true
                    }
                };
                if new && n + 1 > enc.hash_max_listpack_entries() {
                    self.convert(n + 1);
                }
                new
            }
        }
    }

    /// Removes `field`; true if it was present. A listpack stays a
    /// listpack (Redis never converts back).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let mut h = Hash::from_pairs([("a", "1")], &Encodings::default());
    /// assert!(h.remove(b"a"));
    /// assert!(!h.remove(b"a"));
    /// assert!(h.is_empty());
    /// ```
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match &mut self.0 {
            Repr::Table(t) => Arc::make_mut(t).remove(field),
            Repr::Listpack(b) => {
                let Some(slot) = lp::find(b, field) else {
                    return false;
                };
                let (start, end) = (slot.start, slot.end);
                let n = lp::len(b);
                if n == 1 {
                    *b = Box::default();
                } else {
                    let mut v = std::mem::take(b).into_vec();
                    v.drain(start..end);
                    lp::set_len(&mut v, n - 1);
                    *b = v.into_boxed_slice();
                }
                true
            }
        }
    }

    /// The pairs (listpack: in insertion order).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let h = Hash::from_pairs([("a", "1")], &Encodings::default());
    /// assert_eq!(h.iter().next(), Some((&b"a"[..], &b"1"[..])));
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        Iter(match &self.0 {
            Repr::Listpack(b) => IterRepr::Listpack(lp::slots(b)),
            Repr::Table(t) => IterRepr::Table(t.table.iter()),
        })
    }

    /// A uniformly random pair (`HRANDFIELD` without a count), or `None`
    /// if the hash is empty. O(len) for a listpack, O(1) expected for a
    /// hashtable.
    ///
    /// ```
    /// use kvs_server::{rng::Rng, types::{Encodings, Hash}};
    ///
    /// let h = Hash::from_pairs([("a", "1")], &Encodings::default());
    /// assert_eq!(h.random(&mut Rng::with_seed(1)), Some((&b"a"[..], &b"1"[..])));
    /// assert_eq!(Hash::new().random(&mut Rng::with_seed(1)), None);
    /// ```
    pub fn random(&self, rng: &mut Rng) -> Option<Pair<'_>> {
        if self.is_empty() {
            return None;
        }
        match &self.0 {
            Repr::Listpack(b) => lp::slots(b).nth(rng.below(lp::len(b))).map(|s| s.pair),
            Repr::Table(t) => Some(t.pair(t.random_bucket(rng))),
        }
    }

    /// Appends `min(count, len)` distinct random pairs to `out`
    /// (`HRANDFIELD` with a positive count): the whole hash when `count >=
    /// len`, otherwise a uniform sample. O(len) for a listpack (which keeps
    /// its order) and when `count` is over a third of `len`; otherwise
    /// O(count) expected.
    ///
    /// ```
    /// use kvs_server::{rng::Rng, types::{Encodings, Hash}};
    ///
    /// let h = Hash::from_pairs([("a", "1"), ("b", "2"), ("c", "3")], &Encodings::default());
    /// let mut out = Vec::new();
    /// h.random_distinct(2, &mut Rng::with_seed(1), &mut out);
    /// assert_eq!(out.len(), 2);
    /// assert_ne!(out[0], out[1]);
    /// ```
    pub fn random_distinct<'a>(&'a self, count: usize, rng: &mut Rng, out: &mut Vec<Pair<'a>>) {
        let len = self.len();
        if count >= len {
            out.extend(self.iter());
            return;
        }
        out.reserve(count);
        match &self.0 {
            Repr::Listpack(b) => {
                // Selection sampling: each pair is taken with probability
                // (still needed) / (still left).
                let mut need = count;
                for (left, s) in (1..=len).rev().zip(lp::slots(b)) {
                    if need == 0 {
                        break;
                    }
                    if rng.below(left) < need {
                        out.push(s.pair);
                        need -= 1;
                    }
                }
            }
            Repr::Table(t) => {
                for i in distinct_buckets(&t.table, count, rng) {
                    out.push(t.pair(i));
                }
            }
        }
    }

    /// Appends `count` random pairs to `out`, each drawn independently, so
    /// they may repeat (`HRANDFIELD` with a negative count). One pass over a
    /// listpack; O(1) expected per pair for a hashtable. Appends nothing if
    /// the hash is empty.
    ///
    /// ```
    /// use kvs_server::{rng::Rng, types::{Encodings, Hash}};
    ///
    /// let h = Hash::from_pairs([("a", "1")], &Encodings::default());
    /// let mut out = Vec::new();
    /// h.random_repeated(3, &mut Rng::with_seed(1), &mut out);
    /// assert_eq!(out, vec![(&b"a"[..], &b"1"[..]); 3]);
    /// ```
    pub fn random_repeated<'a>(&'a self, count: usize, rng: &mut Rng, out: &mut Vec<Pair<'a>>) {
        let len = self.len();
        if len == 0 {
            return;
        }
        out.reserve(count);
        match &self.0 {
            Repr::Listpack(b) => {
                // Draw the indexes, then fill them in one pass in index
                // order, keeping the order they were drawn in.
                let mut picks: Vec<(usize, usize)> =
                    (0..count).map(|order| (rng.below(len), order)).collect();
                picks.sort_unstable();
                let base = out.len();
                out.resize(base + count, (&[], &[]));
                let mut slots = lp::slots(b).enumerate();
                let mut cur = slots.next().expect("not empty");
                for (index, order) in picks {
                    while cur.0 < index {
                        cur = slots.next().expect("index < len");
                    }
                    out[base + order] = cur.1.pair;
                }
            }
            Repr::Table(t) => {
                for _ in 0..count {
                    out.push(t.pair(t.random_bucket(rng)));
                }
            }
        }
    }

    /// One step of `HSCAN`: appends some pairs to `out` and returns the
    /// cursor to pass next, 0 when the scan is complete. Start with cursor
    /// 0. A listpack returns everything at once with cursor 0, as Redis
    /// does. A hashtable visits about `count` pairs per call, in bucket
    /// order; a scan of a hash not changed meanwhile returns every pair
    /// exactly once, and so does one interleaved only with deletes and
    /// overwrites (they move nothing). Adding fields may grow the table,
    /// which moves pairs between buckets, and so may
    /// [`shrink_if_sparse`](Self::shrink_if_sparse): across those a scan may
    /// miss or repeat pairs (best effort; callers must tolerate repeats).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let enc = Encodings::default();
    /// let h = Hash::from_pairs((0..1000).map(|i| (i.to_string(), "v")), &enc);
    /// let (mut cursor, mut out) = (0, Vec::new());
    /// loop {
    ///     cursor = h.scan(cursor, 10, &mut out);
    ///     if cursor == 0 {
    ///         break;
    ///     }
    /// }
    /// assert_eq!(out.len(), 1000);
    /// ```
    pub fn scan<'a>(&'a self, cursor: u64, count: usize, out: &mut Vec<Pair<'a>>) -> u64 {
        match &self.0 {
            Repr::Listpack(_) => {
                out.extend(self.iter());
                0
            }
            Repr::Table(t) => scan_buckets(&t.table, cursor, count, |e| out.push((&e.0, &e.1))),
        }
    }

    /// Shrinks a hashtable that deletes left under 10% full (the fill at
    /// which Redis resizes its dicts), freeing memory and keeping random
    /// picks fast; true if it shrank. Deletes do not do this themselves, so
    /// that a scan interleaved with deletes (the common `SCAN` + `DEL`
    /// loop) still returns every element it has not reached yet; this
    /// moves elements between buckets, so a scan in progress may miss some.
    /// Meant for a periodic task; a listpack/intset is left alone.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let enc = Encodings::default();
    /// let mut h = Hash::from_pairs((0..1000).map(|i| (i.to_string(), "v")), &enc);
    /// (0..990).for_each(|i| { h.remove(i.to_string().as_bytes()); });
    /// let before = h.mem_usage(0);
    /// assert!(h.shrink_if_sparse());
    /// assert!(h.mem_usage(0) < before);
    /// assert!(!h.shrink_if_sparse());
    /// ```
    pub fn shrink_if_sparse(&mut self) -> bool {
        match &mut self.0 {
            Repr::Table(t) => Arc::make_mut(t).shrink_if_sparse(),
            _ => false,
        }
    }

    /// Approximate bytes used (`MEMORY USAGE`): the `Hash` itself, its
    /// buffer or table, and the heap parts of long fields and values, the
    /// latter estimated from `samples` pairs (0: all of them), as Redis's
    /// `SAMPLES` option does.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Hash};
    ///
    /// let h = Hash::from_pairs([("a", "1")], &Encodings::default());
    /// assert!(h.mem_usage(5) >= 16 + 8);
    /// ```
    pub fn mem_usage(&self, samples: usize) -> usize {
        let own = std::mem::size_of::<Hash>();
        match &self.0 {
            Repr::Listpack(b) => own + b.len(),
            Repr::Table(t) => {
                let fixed = own + std::mem::size_of::<Table>() + t.table.allocation_size();
                fixed
                    + sampled_heap(t.table.len(), samples, t.table.iter(), |e| {
                        key_heap(&e.0) + key_heap(&e.1)
                    })
            }
        }
    }

    /// Converts a listpack to a hashtable with room for `capacity` pairs.
    fn convert(&mut self, capacity: usize) {
        let Repr::Listpack(b) = &self.0 else {
            return;
        };
        let mut t = Table::with_capacity(capacity);
        for (f, v) in lp::slots(b).map(|s| s.pair) {
            t.insert_new(Key::from(f), Key::from(v));
        }
        self.0 = Repr::Table(Arc::new(t));
    }
}

/// Heap bytes of a `Key` beyond its 24 inline bytes (an `Arc<[u8]>`: two
/// counters and the bytes).
pub(crate) fn key_heap(k: &Key) -> usize {
    if k.len() > Key::INLINE {
        16 + k.len()
    } else {
        0
    }
}

/// The heap bytes `f` reports for a table's `len` entries, summed over
/// all of them when `samples` is 0 or at least `len`, else extrapolated
/// from the first `samples`.
pub(crate) fn sampled_heap<'a, T: 'a>(
    len: usize,
    samples: usize,
    entries: impl Iterator<Item = &'a T>,
    f: impl Fn(&T) -> usize,
) -> usize {
    if samples == 0 || samples >= len {
        return entries.map(f).sum();
    }
    let sum: usize = entries.take(samples).map(f).sum();
    sum * len / samples
}

/// Shrinks `table` if deletes left it under 10% full (Redis's dicts
/// resize at that fill), rehashing with `hasher`; true if it shrank.
pub(crate) fn shrink_if_sparse<T>(table: &mut HashTable<T>, hasher: impl Fn(&T) -> u64) -> bool {
    let buckets = table.num_buckets();
    if buckets > 64 && table.len() * 10 < buckets {
        table.shrink_to(table.len(), hasher);
        true
    } else {
        false
    }
}

/// A uniformly random occupied bucket of a non-empty `table`: by drawing
/// buckets until one is occupied (expected `buckets / len` draws), or, for
/// a handful of entries in a big table, by counting to a random entry.
pub(crate) fn random_bucket<T>(table: &HashTable<T>, rng: &mut Rng) -> usize {
    let (len, buckets) = (table.len(), table.num_buckets());
    debug_assert!(len > 0);
    if len < 16 && buckets > 256 {
        return table
            .iter_buckets()
            .nth(rng.below(len))
            .expect("index < len");
    }
    loop {
        let i = rng.below(buckets);
        if table.get_bucket(i).is_some() {
            return i;
        }
    }
}

/// `count` distinct occupied bucket indexes of `table` (`count < len`),
/// uniformly: by partial shuffle of all indexes when `count` is over a
/// third of the table (O(len)), by rejection otherwise (O(count)
/// expected), as Redis's `SRANDMEMBER`/`HRANDFIELD` choose.
pub(crate) fn distinct_buckets<T>(table: &HashTable<T>, count: usize, rng: &mut Rng) -> Vec<usize> {
    let len = table.len();
    debug_assert!(count < len);
    if count * 3 > len {
        let mut all: Vec<usize> = table.iter_buckets().collect();
        for i in 0..count {
            let j = i + rng.below(len - i);
            all.swap(i, j);
        }
        all.truncate(count);
        all
    } else {
        let buckets = table.num_buckets();
        let mut seen: std::collections::HashSet<usize, foldhash::fast::FixedState> =
            std::collections::HashSet::with_capacity_and_hasher(count, Default::default());
        let mut picked = Vec::with_capacity(count);
        while picked.len() < count {
            let i = rng.below(buckets);
            if table.get_bucket(i).is_some() && seen.insert(i) {
                picked.push(i);
            }
        }
        picked
    }
}

/// One scan step over `table`'s buckets from `cursor`: calls `f` on about
/// `count` entries (and looks at no more than `10 * count` empty buckets)
/// and returns the next cursor, 0 at the end.
pub(crate) fn scan_buckets<'a, T>(
    table: &'a HashTable<T>,
    cursor: u64,
    count: usize,
    mut f: impl FnMut(&'a T),
) -> u64 {
    let buckets = table.num_buckets();
    let count = count.max(1);
    let mut i = usize::try_from(cursor).unwrap_or(usize::MAX);
    let (mut found, mut visited) = (0, 0);
    while i < buckets && found < count && visited < count.saturating_mul(10) {
        if let Some(e) = table.get_bucket(i) {
            f(e);
            found += 1;
        }
        visited += 1;
        i += 1;
    }
    if i < buckets {
        i as u64
    } else {
        0
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            }))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    fn enc(entries: usize, value: usize) -> Encodings {
        let e = Encodings::default();
        e.set_hash_max_listpack_entries(entries);
        e.set_hash_max_listpack_value(value);
        e
    }

    fn full_scan(h: &Hash, count: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut out = Vec::new();
        let mut cursor = 0;
        loop {
            let mut step = Vec::new();
            cursor = h.scan(cursor, count, &mut step);
            out.extend(step.into_iter().map(|(f, v)| (f.to_vec(), v.to_vec())));
            if cursor == 0 {
                return out;
            }
        }
    }

    fn model(h: &Hash) -> HashMap<Vec<u8>, Vec<u8>> {
        h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()
    }

    #[test]
    fn size() {
        assert_eq!(std::mem::size_of::<Hash>(), 16);
    }

    #[test]
    fn empty() {
        let h = Hash::new();
        assert_eq!(h.len(), 0);
        assert!(h.is_empty());
        assert_eq!(h.get(b"a"), None);
        assert_eq!(h.iter().count(), 0);
        assert_eq!(h.random(&mut Rng::with_seed(1)), None);
        assert_eq!(h.encoding(), "listpack");
        assert_eq!(h.mem_usage(0), 16);
    }

    #[test]
    fn listpack_basics() {
        let e = Encodings::default();
        let mut h = Hash::new();
        assert!(h.insert(b"a", b"1", &e));
        assert!(h.insert(b"b", b"22", &e));
        assert!(h.insert(b"", b"", &e));
        assert_eq!(h.len(), 3);
        assert_eq!(h.get(b""), Some(&b""[..]));
        assert!(!h.insert(b"a", b"111", &e));
        assert!(!h.insert(b"b", b"xy", &e));
        let pairs: Vec<_> = h.iter().collect();
        assert_eq!(pairs, [(&b"a"[..], &b"111"[..]), (b"b", b"xy"), (b"", b"")]);
        assert!(h.remove(b"b"));
        assert!(!h.remove(b"b"));
        assert!(!h.contains(b"b"));
        assert_eq!(h.len(), 2);
        assert!(h.remove(b"a"));
        assert!(h.remove(b""));
        assert!(h.is_empty());
        assert_eq!(h.mem_usage(0), 16);
        assert_eq!(h.encoding(), "listpack");
    }

    #[test]
    fn long_varints() {
        let e = enc(128, 100_000);
        let mut h = Hash::new();
        let big = vec![7u8; 20_000];
        h.insert(&big, &big[..300], &e);
        h.insert(b"x", &big, &e);
        assert_eq!(h.encoding(), "listpack");
        assert_eq!(h.get(&big), Some(&big[..300]));
        assert_eq!(h.get(b"x"), Some(&big[..]));
        h.insert(b"x", b"short", &e);
        assert_eq!(h.get(b"x"), Some(&b"short"[..]));
        assert_eq!(h.get(&big), Some(&big[..300]));
    }

    #[test]
    fn entries_threshold() {
        let e = Encodings::default();
        let mut h = Hash::new();
        for i in 0..512 {
            h.insert(i.to_string().as_bytes(), b"v", &e);
        }
        assert_eq!(h.encoding(), "listpack");
        // Overwriting does not add an entry.
        h.insert(b"0", b"w", &e);
        assert_eq!(h.encoding(), "listpack");
        h.insert(b"512", b"v", &e);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 513);
        assert_eq!(h.get(b"0"), Some(&b"w"[..]));
        for i in 0..513 {
            assert!(h.remove(i.to_string().as_bytes()));
        }
        assert_eq!(h.encoding(), "hashtable");
        assert!(h.is_empty());
    }

    #[test]
    fn value_threshold() {
        let e = Encodings::default();
        let mut h = Hash::new();
        h.insert(&[b'f'; 64], &[b'v'; 64], &e);
        assert_eq!(h.encoding(), "listpack");
        let mut g = h.clone();
        h.insert(b"a", &[b'v'; 65], &e);
        assert_eq!(h.encoding(), "hashtable");
        g.insert(&[b'f'; 65], b"v", &e);
        assert_eq!(g.encoding(), "hashtable");
        // Overwriting an existing field with a long value converts too.
        let mut k = Hash::from_pairs([("a", "1")], &e);
        k.insert(b"a", &[b'v'; 65], &e);
        assert_eq!(k.encoding(), "hashtable");
        assert_eq!(k.get(b"a"), Some(&[b'v'; 65][..]));
    }

    #[test]
    fn from_pairs_thresholds() {
        let e = enc(3, 4);
        let h = Hash::from_pairs([("a", "1"), ("b", "2"), ("a", "3")], &e);
        assert_eq!(h.encoding(), "listpack");
        assert_eq!(h.len(), 2);
        assert_eq!(h.get(b"a"), Some(&b"3"[..]));
        let h = Hash::from_pairs([("a", "1"), ("b", "2"), ("c", "3")], &e);
        assert_eq!(h.encoding(), "listpack");
        let h = Hash::from_pairs([("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")], &e);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 4);
        let h = Hash::from_pairs([("a", "1"), ("b", "22222")], &e);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"a"), Some(&b"1"[..]));
        assert_eq!(h.get(b"b"), Some(&b"22222"[..]));
        let h = Hash::from_pairs(Vec::<(&str, &str)>::new(), &e);
        assert!(h.is_empty());
    }

    #[test]
    fn table_basics() {
        let e = enc(0, 64);
        let mut h = Hash::new();
        assert!(h.insert(b"a", b"1", &e));
        assert_eq!(h.encoding(), "hashtable");
        assert!(!h.insert(b"a", b"2", &e));
        assert_eq!(h.get(b"a"), Some(&b"2"[..]));
        assert!(h.contains(b"a"));
        assert!(h.remove(b"a"));
        assert!(!h.remove(b"a"));
        assert!(h.is_empty());
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn shrink_after_deletes() {
        let e = enc(0, 64);
        let mut h = Hash::new();
        for i in 0..10_000 {
            h.insert(i.to_string().as_bytes(), b"v", &e);
        }
        for i in 0..9_990 {
            h.remove(i.to_string().as_bytes());
        }
        // Sparse but not shrunk: random picks still work.
        let mut r = Rng::with_seed(5);
        for _ in 0..100 {
            let (f, _) = h.random(&mut r).unwrap();
            assert!(h.contains(f));
        }
        assert!(h.shrink_if_sparse());
        assert!(!h.shrink_if_sparse());
        let Repr::Table(t) = &h.0 else { panic!() };
        assert!(t.table.num_buckets() <= 10 * 64);
        assert_eq!(model(&h).len(), 10);
        let mut r = Rng::with_seed(5);
        for _ in 0..100 {
            let (f, _) = h.random(&mut r).unwrap();
            assert!(h.contains(f));
        }
    }

    fn check_random(h: &Hash) {
        let mut r = Rng::with_seed(9);
        let all = model(h);
        // random covers every pair eventually.
        let mut seen = HashSet::new();
        for _ in 0..h.len() * 50 {
            let (f, v) = h.random(&mut r).unwrap();
            assert_eq!(all.get(f).map(|x| &x[..]), Some(v));
            seen.insert(f.to_vec());
        }
        assert_eq!(seen.len(), h.len());
        for count in [
            0,
            1,
            2,
            h.len() / 3,
            h.len() / 2,
            h.len() - 1,
            h.len(),
            h.len() + 5,
        ] {
            let mut out = Vec::new();
            h.random_distinct(count, &mut r, &mut out);
            assert_eq!(out.len(), count.min(h.len()));
            let distinct: HashSet<_> = out.iter().map(|p| p.0).collect();
            assert_eq!(distinct.len(), out.len());
            for (f, v) in out {
                assert_eq!(all.get(f).map(|x| &x[..]), Some(v));
            }
        }
        let mut out = vec![(&b"keep"[..], &b"me"[..])];
        h.random_repeated(h.len() * 20, &mut r, &mut out);
        assert_eq!(out[0], (&b"keep"[..], &b"me"[..]));
        assert_eq!(out.len(), 1 + h.len() * 20);
        let seen: HashSet<_> = out[1..].iter().map(|p| p.0).collect();
        assert_eq!(seen.len(), h.len());
        for &(f, v) in &out[1..] {
            assert_eq!(all.get(f).map(|x| &x[..]), Some(v));
        }
    }

    #[test]
    fn random_both_encodings() {
        let lp = Hash::from_pairs(
            (0..20).map(|i| (format!("f{i}"), format!("v{i}"))),
            &enc(128, 64),
        );
        assert_eq!(lp.encoding(), "listpack");
        check_random(&lp);
        let ht = Hash::from_pairs(
            (0..300).map(|i| (format!("f{i}"), format!("v{i}"))),
            &enc(128, 64),
        );
        assert_eq!(ht.encoding(), "hashtable");
        check_random(&ht);
        let mut out = Vec::new();
        let empty = Hash::new();
        empty.random_repeated(5, &mut Rng::with_seed(1), &mut out);
        empty.random_distinct(5, &mut Rng::with_seed(1), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn random_distinct_listpack_keeps_order() {
        let h = Hash::from_pairs((0..50).map(|i| (format!("{i:03}"), "v")), &enc(128, 64));
        let mut out = Vec::new();
        h.random_distinct(10, &mut Rng::with_seed(3), &mut out);
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn random_is_roughly_uniform() {
        for h in [
            Hash::from_pairs((0..10).map(|i| (i.to_string(), "v")), &enc(128, 64)),
            Hash::from_pairs((0..10).map(|i| (i.to_string(), "v")), &enc(0, 64)),
        ] {
            let mut r = Rng::with_seed(11);
            let mut counts = HashMap::new();
            for _ in 0..20_000 {
                *counts.entry(h.random(&mut r).unwrap().0).or_insert(0) += 1;
            }
            assert!(
                counts.values().all(|&c| (1600..2400).contains(&c)),
                "{counts:?}"
            );
        }
    }

    #[test]
    fn scan_listpack_and_table() {
        let lp = Hash::from_pairs((0..10).map(|i| (i.to_string(), "v")), &enc(128, 64));
        let mut out = Vec::new();
        assert_eq!(lp.scan(0, 1, &mut out), 0);
        assert_eq!(out.len(), 10);
        let ht = Hash::from_pairs((0..5000).map(|i| (i.to_string(), "v")), &enc(128, 64));
        for count in [1, 10, 100, 10_000] {
            let got = full_scan(&ht, count);
            assert_eq!(got.len(), 5000);
            let set: HashSet<_> = got.into_iter().collect();
            assert_eq!(set.len(), 5000);
        }
        // Steps return about `count` pairs.
        let mut step = Vec::new();
        let c = ht.scan(0, 10, &mut step);
        assert_ne!(c, 0);
        assert!(!step.is_empty() && step.len() <= 10);
        // A cursor past the end ends the scan.
        assert_eq!(ht.scan(u64::MAX, 10, &mut step), 0);
        assert_eq!(Hash::new().scan(0, 10, &mut Vec::new()), 0);
    }

    #[test]
    fn scan_while_removing_sees_the_rest() {
        let e = enc(0, 64);
        let mut h = Hash::from_pairs((0..2000).map(|i| (i.to_string(), "v")), &e);
        let mut cursor = 0;
        let mut seen = HashSet::new();
        loop {
            let mut step = Vec::new();
            cursor = h.scan(cursor, 10, &mut step);
            let fields: Vec<Vec<u8>> = step.iter().map(|p| p.0.to_vec()).collect();
            for f in fields {
                seen.insert(f.clone());
                h.remove(&f);
            }
            if cursor == 0 {
                break;
            }
        }
        // Removing what the scan returned never hides the rest.
        assert_eq!(seen.len(), 2000);
        assert!(h.is_empty());
    }

    #[test]
    fn mem_usage_grows() {
        let e = Encodings::default();
        let h = Hash::from_pairs((0..10).map(|i| (format!("field:{i}"), "0123456789")), &e);
        // 4-byte header, 10 * (1 + 7 + 1 + 10) bytes of pairs.
        assert_eq!(h.mem_usage(0), 16 + 4 + 190);
        let big = Hash::from_pairs(
            (0..1000).map(|i| (format!("field:{i}"), [b'x'; 30].as_slice())),
            &e,
        );
        let exact = big.mem_usage(0);
        assert!(exact > 1000 * (48 + 46));
        let sampled = big.mem_usage(5);
        assert!(sampled.abs_diff(exact) < exact / 10);
    }

    #[test]
    fn debug_format() {
        let h = Hash::from_pairs([("a", "1")], &Encodings::default());
        assert_eq!(format!("{h:?}"), r#"{"a": "1"}"#);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, Vec<u8>),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            3 => (0u8..24, proptest::collection::vec(any::<u8>(), 0..7)).prop_map(|(f, v)| Op::Insert(f, v)),
            1 => (0u8..24).prop_map(Op::Remove),
        ]
    }

    fn field(f: u8) -> Vec<u8> {
        format!("f{f}").into_bytes()
    }

    proptest! {
        #[test]
        fn matches_model(ops in proptest::collection::vec(op(), 0..200), entries in 0usize..12, value in 0usize..6) {
            let e = enc(entries, value);
            let mut h = Hash::new();
            let mut m: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
            let mut was_table = false;
            for op in ops {
                match op {
                    Op::Insert(f, v) => {
                        let f = field(f);
                        let fits = f.len() <= value && v.len() <= value;
                        let new = !m.contains_key(&f);
                        let before = h.encoding();
                        prop_assert_eq!(h.insert(&f, &v, &e), new);
                        m.insert(f, v);
                        if before == "listpack" {
                            let expect = if fits && m.len() <= entries { "listpack" } else { "hashtable" };
                            prop_assert_eq!(h.encoding(), expect);
                        }
                    }
                    Op::Remove(f) => {
                        let f = field(f);
                        prop_assert_eq!(h.remove(&f), m.remove(&f).is_some());
                    }
                }
                if was_table {
                    prop_assert_eq!(h.encoding(), "hashtable");
                }
                was_table = h.encoding() == "hashtable";
                prop_assert_eq!(h.len(), m.len());
            }
            prop_assert_eq!(&model(&h), &m);
            for (f, v) in &m {
                prop_assert_eq!(h.get(f), Some(&v[..]));
            }
            for count in [1, 3, 1000] {
                let got = full_scan(&h, count);
                prop_assert_eq!(got.len(), m.len());
                let got: HashMap<_, _> = got.into_iter().collect();
                prop_assert_eq!(&got, &m);
            }
            let rebuilt = Hash::from_pairs(m.iter(), &e);
            prop_assert_eq!(&model(&rebuilt), &m);
            let expect = if m.len() <= entries && m.iter().all(|(f, v)| f.len() <= value && v.len() <= value) {
                "listpack"
            } else {
                "hashtable"
            };
            prop_assert_eq!(rebuilt.encoding(), expect);
        }
    }
}
