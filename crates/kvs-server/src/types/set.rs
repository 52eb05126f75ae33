//! A Redis set: distinct byte strings, in one of Redis 7.0's two encodings.
//!
//! - **intset**: a sorted `Vec<i64>`, while every member is an integer in
//!   canonical form (what Redis's `string2ll` accepts and prints back the
//!   same: `"-0"`, `"01"`, `"+1"` and `" 1"` are strings) and there are at
//!   most `set-max-intset-entries` members. Lookups are binary searches.
//! - **hashtable**: a `hashbrown::HashTable<Key>` hashed with foldhash; a
//!   member of up to 22 bytes lives inside its `Key`, so most members cost
//!   no allocation of their own.
//!
//! The insert that breaks the intset's rules converts the set to a
//! hashtable, and deletes never convert it back. (Redis 7.0 has no
//! listpack encoding for sets.)

use std::fmt;
use std::hash::BuildHasher;
use std::ops::Deref;

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use kvs::Key;

use super::hash::{
    distinct_buckets, key_heap, random_bucket, sampled_heap, scan_buckets, shrink_if_sparse,
};
use super::Encodings;
use crate::rng::Rng;

/// A Redis set (see the [module docs](self) for its encodings).
///
/// ```
/// use kvs_server::types::{Encodings, Set};
///
/// let enc = Encodings::default();
/// let mut s = Set::new();
/// assert!(s.insert(b"1", &enc));
/// assert!(!s.insert(b"1", &enc));
/// assert_eq!(s.encoding(), "intset");
/// s.insert(b"one", &enc);
/// assert_eq!(s.encoding(), "hashtable");
/// assert!(s.contains(b"1") && s.contains(b"one"));
/// assert_eq!(std::mem::size_of::<Set>(), 24);
/// ```
#[derive(Clone, Default)]
pub struct Set(Repr);

#[derive(Clone)]
enum Repr {
    Ints(Vec<i64>),
    Table(Box<Table>),
}

impl Default for Repr {
    fn default() -> Self {
        Repr::Ints(Vec::new())
    }
}

#[derive(Clone)]
struct Table {
    state: RandomState,
    table: HashTable<Key>,
}

impl Table {
    fn with_capacity(n: usize) -> Table {
        Table {
            state: RandomState::default(),
            table: HashTable::with_capacity(n),
        }
    }

    fn contains(&self, m: &[u8]) -> bool {
        self.table
            .find(self.state.hash_one(m), |k| &**k == m)
            .is_some()
    }

    /// Inserts `m`, making its `Key` only when it is new; true if new.
    fn insert(&mut self, m: &[u8]) -> bool {
        self.insert_with(m, || Key::from(m))
    }

    /// Inserts an owned member, moving it in (no copy); true if new.
    fn insert_key(&mut self, k: Key) -> bool {
        let state = &self.state;
        match self.table.entry(
            state.hash_one(k.as_bytes()),
            |x| *x == k,
            |x| state.hash_one(x.as_bytes()),
        ) {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(k);
                true
            }
        }
    }

    fn insert_with(&mut self, m: &[u8], make: impl FnOnce() -> Key) -> bool {
        let state = &self.state;
        match self.table.entry(
            state.hash_one(m),
            |k| &**k == m,
            |k| state.hash_one(k.as_bytes()),
        ) {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(v) => {
                v.insert(make());
                true
            }
        }
    }

    fn remove(&mut self, m: &[u8]) -> bool {
        match self.table.find_entry(self.state.hash_one(m), |k| &**k == m) {
            Ok(o) => {
                o.remove();
                true
            }
            Err(_) => false,
        }
    }

    fn shrink_if_sparse(&mut self) -> bool {
        let state = &self.state;
        shrink_if_sparse(&mut self.table, |e| state.hash_one(e.as_bytes()))
    }

    fn random_bucket(&self, rng: &mut Rng) -> usize {
        random_bucket(&self.table, rng)
    }

    fn member(&self, bucket: usize) -> Member<'_> {
        Member::bytes(self.table.get_bucket(bucket).expect("occupied bucket"))
    }

    /// Removes and returns the member in an occupied bucket.
    fn take(&mut self, bucket: usize) -> Key {
        match self.table.get_bucket_entry(bucket) {
            Ok(o) => o.remove().0,
            Err(_) => unreachable!("occupied bucket"),
        }
    }
}

/// `s` as an intset member: an integer in the canonical form Redis's
/// `string2ll` accepts and would print back byte for byte.
fn parse_int(s: &[u8]) -> Option<i64> {
    let digits = s.strip_prefix(b"-").unwrap_or(s);
    match digits {
        [b'0'] if digits.len() == s.len() => Some(0),
        [b'1'..=b'9', rest @ ..] if s.len() <= 20 && rest.iter().all(u8::is_ascii_digit) => {
            // All ASCII; only overflow can fail.
            std::str::from_utf8(s).ok()?.parse().ok()
        }
        _ => None,
    }
}

/// A set member as bytes, borrowed from a hashtable set or formatted from
/// an intset's integer (on the stack: no allocation either way).
///
/// ```
/// use kvs_server::types::{Encodings, Set};
///
/// let s = Set::from_members(["-12"], &Encodings::default());
/// let m = s.iter().next().unwrap();
/// assert_eq!(&*m, b"-12");
/// assert_eq!(kvs::Key::from(m), kvs::Key::from("-12"));
/// ```
#[derive(Clone, Copy)]
pub struct Member<'a>(MemberRepr<'a>);

#[derive(Clone, Copy)]
enum MemberRepr<'a> {
    /// Decimal digits in `buf[start..]`.
    Int {
        start: u8,
        buf: [u8; 20],
    },
    Bytes(&'a [u8]),
}

impl<'a> Member<'a> {
    fn bytes(b: &'a [u8]) -> Member<'a> {
        Member(MemberRepr::Bytes(b))
    }

    fn int(n: i64) -> Member<'static> {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut u = n.unsigned_abs();
        loop {
            i -= 1;
            buf[i] = b'0' + (u % 10) as u8;
            u /= 10;
            if u == 0 {
                break;
            }
        }
        if n < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        Member(MemberRepr::Int {
            start: i as u8,
            buf,
        })
    }

    /// The member's bytes.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let s = Set::from_members(["a"], &Encodings::default());
    /// assert_eq!(s.iter().next().unwrap().as_bytes(), b"a");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            MemberRepr::Int { start, buf } => &buf[usize::from(*start)..],
            MemberRepr::Bytes(b) => b,
        }
    }

    /// The member as an owned `Key`.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let s = Set::from_members(["7"], &Encodings::default());
    /// assert_eq!(s.iter().next().unwrap().to_key(), kvs::Key::from("7"));
    /// ```
    pub fn to_key(&self) -> Key {
        Key::from(self.as_bytes())
    }
}

impl Deref for Member<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for Member<'_> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl PartialEq for Member<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Member<'_> {}

impl PartialEq<[u8]> for Member<'_> {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

impl std::hash::Hash for Member<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl fmt::Debug for Member<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&String::from_utf8_lossy(self.as_bytes()), f)
    }
}

impl From<Member<'_>> for Key {
    fn from(m: Member<'_>) -> Key {
        m.to_key()
    }
}

/// An iterator over a [`Set`]'s members (intset: ascending integers;
/// hashtable: arbitrary order).
///
/// ```
/// use kvs_server::types::{Encodings, Set};
///
/// let s = Set::from_members(["3", "1", "2"], &Encodings::default());
/// let v: Vec<_> = s.iter().map(|m| m.to_vec()).collect();
/// assert_eq!(v, [b"1", b"2", b"3"]);
/// ```
#[derive(Clone)]
pub struct Iter<'a>(IterRepr<'a>);

#[derive(Clone)]
enum IterRepr<'a> {
    Ints(std::slice::Iter<'a, i64>),
    Table(hashbrown::hash_table::Iter<'a, Key>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = Member<'a>;

    fn next(&mut self) -> Option<Member<'a>> {
        match &mut self.0 {
            IterRepr::Ints(i) => i.next().map(|&n| Member::int(n)),
            IterRepr::Table(t) => t.next().map(|k| Member::bytes(k)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IterRepr::Ints(i) => i.size_hint(),
            IterRepr::Table(t) => t.size_hint(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// `count < len` distinct indexes of `0..len`, uniformly and in random
/// order: by partial shuffle when `count` is over a third of `len`, by
/// rejection otherwise.
fn distinct_indexes(len: usize, count: usize, rng: &mut Rng) -> Vec<usize> {
    if count * 3 > len {
        let mut all: Vec<usize> = (0..len).collect();
        for i in 0..count {
            let j = i + rng.below(len - i);
            all.swap(i, j);
        }
        all.truncate(count);
        all
    } else {
        let mut seen: std::collections::HashSet<usize, foldhash::fast::FixedState> =
            std::collections::HashSet::with_capacity_and_hasher(count, Default::default());
        let mut picked = Vec::with_capacity(count);
        while picked.len() < count {
            let i = rng.below(len);
            if seen.insert(i) {
                picked.push(i);
            }
        }
        picked
    }
}

impl Set {
    /// An empty set (intset-encoded, as Redis makes a set whose first
    /// member is an integer; it allocates nothing).
    ///
    /// ```
    /// let s = kvs_server::types::Set::new();
    /// assert!(s.is_empty());
    /// assert_eq!(s.encoding(), "intset");
    /// ```
    pub fn new() -> Set {
        Set::default()
    }

    /// A set of `members` (duplicates collapse), encoded as inserting them
    /// one by one would make it: what loading a snapshot needs. As in
    /// Redis's loader, an iterator whose size hint promises more than
    /// `set-max-intset-entries` members starts a hashtable sized for them
    /// (a snapshot's members are distinct).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let enc = Encodings::default();
    /// assert_eq!(Set::from_members(["1", "2", "1"], &enc).len(), 2);
    /// assert_eq!(Set::from_members(["1", "2"], &enc).encoding(), "intset");
    /// assert_eq!(Set::from_members(["1", "a"], &enc).encoding(), "hashtable");
    /// ```
    pub fn from_members<M: AsRef<[u8]>>(
        members: impl IntoIterator<Item = M>,
        enc: &Encodings,
    ) -> Set {
        let members = members.into_iter();
        let hint = members.size_hint().0;
        let mut s = if hint > enc.set_max_intset_entries() {
            // It cannot end as an intset: size the table once.
            Set(Repr::Table(Box::new(Table::with_capacity(hint))))
        } else {
            Set::new()
        };
        for m in members {
            s.insert(m.as_ref(), enc);
        }
        s
    }

    /// A set of owned, distinct `members` (as a set's members are), moved
    /// in without a copy where they land in a hashtable, and encoded as
    /// inserting them one by one would make it (`SINTERSTORE`,
    /// `SDIFFSTORE`).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let enc = Encodings::default();
    /// let ints = Set::from_keys(vec!["2".into(), "1".into()], &enc);
    /// assert_eq!((ints.len(), ints.encoding()), (2, "intset"));
    /// let mixed = Set::from_keys(vec!["1".into(), "a".into()], &enc);
    /// assert_eq!((mixed.len(), mixed.encoding()), (2, "hashtable"));
    /// assert!(mixed.contains(b"1") && mixed.contains(b"a"));
    /// ```
    pub fn from_keys(members: Vec<Key>, enc: &Encodings) -> Set {
        let mut s = if members.len() > enc.set_max_intset_entries() {
            // It cannot end as an intset: size the table once.
            Set(Repr::Table(Box::new(Table::with_capacity(members.len()))))
        } else {
            Set::new()
        };
        for k in members {
            s.insert_key(k, enc);
        }
        s
    }

    /// The number of members.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// assert_eq!(Set::from_members(["a", "b"], &Encodings::default()).len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Ints(v) => v.len(),
            Repr::Table(t) => t.table.len(),
        }
    }

    /// Whether the set has no members.
    ///
    /// ```
    /// assert!(kvs_server::types::Set::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `"intset"` or `"hashtable"`, as `OBJECT ENCODING` reports it.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let enc = Encodings::default();
    /// assert_eq!(Set::from_members(["1"], &enc).encoding(), "intset");
    /// assert_eq!(Set::from_members(["01"], &enc).encoding(), "hashtable");
    /// ```
    pub fn encoding(&self) -> &'static str {
        match &self.0 {
            Repr::Ints(_) => "intset",
            Repr::Table(_) => "hashtable",
        }
    }

    /// Whether `m` is a member: O(log n) for an intset, O(1) for a
    /// hashtable.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let s = Set::from_members(["1", "2"], &Encodings::default());
    /// assert!(s.contains(b"1"));
    /// assert!(!s.contains(b"01"));
    /// ```
    pub fn contains(&self, m: &[u8]) -> bool {
        match &self.0 {
            Repr::Ints(v) => parse_int(m).is_some_and(|n| v.binary_search(&n).is_ok()),
            Repr::Table(t) => t.contains(m),
        }
    }

    /// Adds `m`; true if it is new. An intset converts to a hashtable when
    /// `m` is not a canonical integer, or when adding it makes more than
    /// `set-max-intset-entries` members.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let enc = Encodings::default();
    /// enc.set_set_max_intset_entries(2);
    /// let mut s = Set::new();
    /// assert!(s.insert(b"1", &enc));
    /// assert!(s.insert(b"2", &enc));
    /// assert_eq!(s.encoding(), "intset");
    /// assert!(s.insert(b"3", &enc));
    /// assert_eq!(s.encoding(), "hashtable");
    /// ```
    pub fn insert(&mut self, m: &[u8], enc: &Encodings) -> bool {
        match &mut self.0 {
            Repr::Table(t) => t.insert(m),
            Repr::Ints(v) => match parse_int(m) {
                Some(n) => match v.binary_search(&n) {
                    Ok(_) => false,
                    Err(i) => {
                        v.insert(i, n);
                        if v.len() > enc.set_max_intset_entries() {
                            self.convert(0);
                        }
                        true
                    }
                },
                None => {
                    self.convert(1);
                    self.insert(m, enc)
                }
            },
        }
    }

    /// Adds an owned member, moving it into a hashtable (no copy).
    fn insert_key(&mut self, k: Key, enc: &Encodings) -> bool {
        match &mut self.0 {
            Repr::Table(t) => t.insert_key(k),
            Repr::Ints(_) => self.insert(&k, enc),
        }
    }

    /// Removes `m`; true if it was a member. The encoding stays.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let mut s = Set::from_members(["1", "a"], &Encodings::default());
    /// assert!(s.remove(b"a"));
    /// assert!(!s.remove(b"a"));
    /// assert_eq!(s.encoding(), "hashtable");
    /// ```
    pub fn remove(&mut self, m: &[u8]) -> bool {
        match &mut self.0 {
            Repr::Ints(v) => match parse_int(m).map(|n| v.binary_search(&n)) {
                Some(Ok(i)) => {
                    v.remove(i);
                    true
                }
                _ => false,
            },
            Repr::Table(t) => t.remove(m),
        }
    }

    /// The members (intset: ascending integers).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let s = Set::from_members(["a"], &Encodings::default());
    /// assert_eq!(s.iter().next().unwrap().as_bytes(), b"a");
    /// ```
    pub fn iter(&self) -> Iter<'_> {
        Iter(match &self.0 {
            Repr::Ints(v) => IterRepr::Ints(v.iter()),
            Repr::Table(t) => IterRepr::Table(t.table.iter()),
        })
    }

    /// A uniformly random member (`SRANDMEMBER`), or `None` if the set is
    /// empty. O(1) (expected, for a hashtable).
    ///
    /// ```
    /// use kvs_server::{rng::Rng, types::{Encodings, Set}};
    ///
    /// let s = Set::from_members(["a"], &Encodings::default());
    /// assert_eq!(s.random(&mut Rng::with_seed(1)).unwrap().as_bytes(), b"a");
    /// assert!(Set::new().random(&mut Rng::with_seed(1)).is_none());
    /// ```
    pub fn random(&self, rng: &mut Rng) -> Option<Member<'_>> {
        if self.is_empty() {
            return None;
        }
        Some(match &self.0 {
            Repr::Ints(v) => Member::int(v[rng.below(v.len())]),
            Repr::Table(t) => t.member(t.random_bucket(rng)),
        })
    }

    /// Removes and returns a uniformly random member (`SPOP`), or `None`
    /// if the set is empty.
    ///
    /// ```
    /// use kvs_server::{rng::Rng, types::{Encodings, Set}};
    ///
    /// let mut s = Set::from_members(["a"], &Encodings::default());
    /// assert_eq!(s.pop_random(&mut Rng::with_seed(1)), Some(kvs::Key::from("a")));
    /// assert_eq!(s.pop_random(&mut Rng::with_seed(1)), None);
    /// ```
    pub fn pop_random(&mut self, rng: &mut Rng) -> Option<Key> {
        if self.is_empty() {
            return None;
        }
        Some(match &mut self.0 {
            Repr::Ints(v) => Member::int(v.remove(rng.below(v.len()))).to_key(),
            Repr::Table(t) => t.take(t.random_bucket(rng)),
        })
    }

    /// Appends `min(count, len)` distinct random members to `out`
    /// (`SRANDMEMBER` with a positive count): the whole set when `count >=
    /// len`, otherwise a uniform sample in random order. O(len) when
    /// `count` is over a third of `len`, else O(count) expected.
    ///
    /// ```
    /// use kvs_server::{rng::Rng, types::{Encodings, Set}};
    ///
    /// let s = Set::from_members(["a", "b", "c"], &Encodings::default());
    /// let mut out = Vec::new();
    /// s.random_distinct(2, &mut Rng::with_seed(1), &mut out);
    /// assert_eq!(out.len(), 2);
    /// assert_ne!(out[0], out[1]);
    /// ```
    pub fn random_distinct<'a>(&'a self, count: usize, rng: &mut Rng, out: &mut Vec<Member<'a>>) {
        let len = self.len();
        if count >= len {
            out.extend(self.iter());
            return;
        }
        out.reserve(count);
        match &self.0 {
            Repr::Ints(v) => {
                out.extend(
                    distinct_indexes(len, count, rng)
                        .into_iter()
                        .map(|i| Member::int(v[i])),
                );
            }
            Repr::Table(t) => {
                out.extend(
                    distinct_buckets(&t.table, count, rng)
                        .into_iter()
                        .map(|i| t.member(i)),
                );
            }
        }
    }

    /// Removes `min(count, len)` distinct random members and appends them
    /// to `out` (`SPOP` with a count), as Redis 7.0 does: all of them when
    /// `count >= len`; popping one at a time when few are taken; otherwise
    /// (most are taken) it picks the members to keep and rebuilds the set
    /// from them in random order, so the kept members choose the encoding
    /// again (a hashtable whose kept members are integers becomes an
    /// intset). O(count) expected in the first case, O(len) otherwise.
    ///
    /// ```
    /// use kvs_server::{rng::Rng, types::{Encodings, Set}};
    ///
    /// let enc = Encodings::default();
    /// let mut s = Set::from_members(["a", "b", "c"], &enc);
    /// let mut out = Vec::new();
    /// s.pop_random_many(2, &mut Rng::with_seed(1), &enc, &mut out);
    /// assert_eq!((out.len(), s.len()), (2, 1));
    /// assert!(out.iter().all(|k| !s.contains(k)));
    /// ```
    pub fn pop_random_many(
        &mut self,
        count: usize,
        rng: &mut Rng,
        enc: &Encodings,
        out: &mut Vec<Key>,
    ) {
        let len = self.len();
        if count == 0 || len == 0 {
            return;
        }
        out.reserve(count.min(len));
        let t = match &mut self.0 {
            Repr::Ints(v) => {
                if count >= len {
                    out.extend(v.drain(..).map(|n| Member::int(n).to_key()));
                } else {
                    let mut taken = vec![false; len];
                    for i in distinct_indexes(len, count, rng) {
                        taken[i] = true;
                        out.push(Member::int(v[i]).to_key());
                    }
                    let mut i = 0;
                    v.retain(|_| {
                        i += 1;
                        !taken[i - 1]
                    });
                }
                return;
            }
            Repr::Table(t) => t,
        };
        if count >= len {
            out.extend(t.table.drain());
            return;
        }
        let remaining = len - count;
        if remaining * 5 > count {
            for _ in 0..count {
                let k = t.take(t.random_bucket(rng));
                out.push(k);
            }
        } else {
            // Taking entries out leaves the others in their buckets, so the
            // drawn bucket indexes stay valid.
            let mut keep = Set::new();
            for i in distinct_buckets(&t.table, remaining, rng) {
                keep.insert_key(t.take(i), enc);
            }
            out.extend(t.table.drain());
            *self = keep;
        }
    }

    /// One step of `SSCAN`: appends some members to `out` and returns the
    /// cursor to pass next, 0 when the scan is complete. Start with cursor
    /// 0. An intset returns everything at once with cursor 0, as Redis
    /// does. A hashtable visits about `count` members per call, in bucket
    /// order; a scan of a set not changed meanwhile returns every member
    /// exactly once, and so does one interleaved only with removals (they
    /// move nothing). Adding members may grow the table, which moves
    /// members between buckets, and so may
    /// [`shrink_if_sparse`](Self::shrink_if_sparse): across those a scan may
    /// miss or repeat members (best effort; callers must tolerate repeats).
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let s = Set::from_members((0..1000).map(|i| format!("m{i}")), &Encodings::default());
    /// let (mut cursor, mut out) = (0, Vec::new());
    /// loop {
    ///     cursor = s.scan(cursor, 10, &mut out);
    ///     if cursor == 0 {
    ///         break;
    ///     }
    /// }
    /// assert_eq!(out.len(), 1000);
    /// ```
    pub fn scan<'a>(&'a self, cursor: u64, count: usize, out: &mut Vec<Member<'a>>) -> u64 {
        match &self.0 {
            Repr::Ints(_) => {
                out.extend(self.iter());
                0
            }
            Repr::Table(t) => scan_buckets(&t.table, cursor, count, |k| out.push(Member::bytes(k))),
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
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let enc = Encodings::default();
    /// let mut s = Set::from_members((0..1000).map(|i| format!("m{i}")), &enc);
    /// (0..990).for_each(|i| { s.remove(format!("m{i}").as_bytes()); });
    /// let before = s.mem_usage(0);
    /// assert!(s.shrink_if_sparse());
    /// assert!(s.mem_usage(0) < before);
    /// assert!(!s.shrink_if_sparse());
    /// ```
    pub fn shrink_if_sparse(&mut self) -> bool {
        match &mut self.0 {
            Repr::Table(t) => t.shrink_if_sparse(),
            _ => false,
        }
    }

    /// Approximate bytes used (`MEMORY USAGE`): the `Set` itself, its array
    /// or table, and the heap bytes of members over 22 bytes, the latter
    /// estimated from `samples` members (0: all of them), as Redis's
    /// `SAMPLES` option does.
    ///
    /// ```
    /// use kvs_server::types::{Encodings, Set};
    ///
    /// let s = Set::from_members(["1", "2"], &Encodings::default());
    /// assert!(s.mem_usage(5) >= 24 + 16);
    /// ```
    pub fn mem_usage(&self, samples: usize) -> usize {
        let own = std::mem::size_of::<Set>();
        match &self.0 {
            Repr::Ints(v) => own + v.capacity() * 8,
            Repr::Table(t) => {
                own + std::mem::size_of::<Table>()
                    + t.table.allocation_size()
                    + sampled_heap(t.table.len(), samples, t.table.iter(), key_heap)
            }
        }
    }

    /// Converts an intset to a hashtable with room for `extra` more members.
    fn convert(&mut self, extra: usize) {
        let Repr::Ints(v) = &self.0 else {
            return;
        };
        let mut t = Table::with_capacity(v.len() + extra);
        for &n in v {
            let k = Member::int(n).to_key();
            let state = &t.state;
            t.table.insert_unique(state.hash_one(k.as_bytes()), k, |k| {
                state.hash_one(k.as_bytes())
            });
        }
        self.0 = Repr::Table(Box::new(t));
    }
}

impl fmt::Debug for Set {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;
    use proptest::prelude::*;
    use std::collections::{HashMap, HashSet};

    fn enc(max: usize) -> Encodings {
        let e = Encodings::default();
        e.set_set_max_intset_entries(max);
        e
    }

    fn model(s: &Set) -> HashSet<Vec<u8>> {
        s.iter().map(|m| m.to_vec()).collect()
    }

    fn full_scan(s: &Set, count: usize) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut cursor = 0;
        loop {
            let mut step = Vec::new();
            cursor = s.scan(cursor, count, &mut step);
            out.extend(step.iter().map(|m| m.to_vec()));
            if cursor == 0 {
                return out;
            }
        }
    }

    #[test]
    fn size() {
        assert_eq!(std::mem::size_of::<Set>(), 24);
        assert_eq!(std::mem::size_of::<Member<'_>>(), 24);
    }

    #[test]
    fn canonical_ints() {
        for (s, n) in [
            ("0", 0),
            ("1", 1),
            ("-1", -1),
            ("10", 10),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
        ] {
            assert_eq!(parse_int(s.as_bytes()), Some(n), "{s}");
            assert_eq!(Member::int(n).as_bytes(), s.as_bytes());
        }
        for s in [
            "",
            "-",
            "-0",
            "01",
            "+1",
            " 1",
            "1 ",
            "1.0",
            "0x1",
            "00",
            "-01",
            "1a",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
            "123456789012345678901",
        ] {
            assert_eq!(parse_int(s.as_bytes()), None, "{s}");
        }
    }

    #[test]
    fn non_canonical_ints_convert() {
        let e = Encodings::default();
        for s in ["-0", "01", "9223372036854775808", "+1", " 1"] {
            let mut set = Set::from_members(["1"], &e);
            assert!(set.insert(s.as_bytes(), &e));
            assert_eq!(set.encoding(), "hashtable", "{s}");
            assert!(set.contains(s.as_bytes()) && set.contains(b"1"));
            assert_eq!(set.len(), 2);
        }
        // "01" and "1" are different members.
        let set = Set::from_members(["01", "1"], &e);
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn intset_basics() {
        let e = Encodings::default();
        let mut s = Set::new();
        for m in ["5", "-3", "100", "0", "5"] {
            s.insert(m.as_bytes(), &e);
        }
        assert_eq!(s.len(), 4);
        assert_eq!(s.encoding(), "intset");
        let v: Vec<_> = s
            .iter()
            .map(|m| String::from_utf8(m.to_vec()).unwrap())
            .collect();
        assert_eq!(v, ["-3", "0", "5", "100"]);
        assert!(s.contains(b"-3"));
        assert!(!s.contains(b"-03"));
        assert!(!s.contains(b"abc"));
        assert!(!s.remove(b"7"));
        assert!(!s.remove(b"abc"));
        assert!(s.remove(b"0"));
        assert_eq!(s.len(), 3);
        assert_eq!(format!("{s:?}"), r#"{"-3", "5", "100"}"#);
        assert_eq!(s.encoding(), "intset");
        let mut out = Vec::new();
        assert_eq!(s.scan(0, 1, &mut out), 0);
        assert_eq!(out.len(), 3);
    }

    #[test]
    fn intset_threshold() {
        let e = Encodings::default();
        let mut s = Set::new();
        for i in 0..512 {
            assert!(s.insert(i.to_string().as_bytes(), &e));
        }
        assert_eq!(s.encoding(), "intset");
        assert!(!s.insert(b"0", &e));
        assert_eq!(s.encoding(), "intset");
        assert!(s.insert(b"512", &e));
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(s.len(), 513);
        for i in 0..513 {
            assert!(s.contains(i.to_string().as_bytes()));
        }
        for i in 0..513 {
            assert!(s.remove(i.to_string().as_bytes()));
        }
        assert!(s.is_empty());
        assert_eq!(s.encoding(), "hashtable");
        let zero = enc(0);
        let mut s = Set::new();
        s.insert(b"1", &zero);
        assert_eq!(s.encoding(), "hashtable");
    }

    #[test]
    fn from_members_encodings() {
        let e = enc(3);
        assert_eq!(Set::from_members(["1", "2", "3"], &e).encoding(), "intset");
        assert_eq!(
            Set::from_members(["1", "2", "3", "4"], &e).encoding(),
            "hashtable"
        );
        // Four members promised: a hashtable from the start, as Redis's
        // loader makes it.
        assert_eq!(
            Set::from_members(["1", "1", "1", "1"], &e).encoding(),
            "hashtable"
        );
        let dups = ["1", "1", "1", "1"].into_iter().filter(|_| true);
        assert_eq!(Set::from_members(dups, &e).encoding(), "intset");
        let s = Set::from_members(["a"], &e);
        assert_eq!(s.encoding(), "hashtable");
        assert!(Set::from_members(Vec::<&str>::new(), &e).is_empty());
        let big = Set::from_members((0..1000).map(|i| i.to_string()), &e);
        assert_eq!(big.len(), 1000);
        assert_eq!(big.encoding(), "hashtable");
    }

    #[test]
    fn table_basics_and_long_members() {
        let e = Encodings::default();
        let long = vec![b'z'; 100];
        let mut s = Set::from_members([&b"a"[..], &long], &e);
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(&long));
        assert!(!s.insert(&long, &e));
        assert!(s.insert(b"7", &e));
        assert!(s.contains(b"7"));
        assert!(s.remove(&long));
        assert!(!s.contains(&long));
        assert_eq!(s.len(), 2);
    }

    fn check_random(s: &Set) {
        let all = model(s);
        let mut r = Rng::with_seed(4);
        let mut seen = HashSet::new();
        for _ in 0..s.len() * 50 {
            let m = s.random(&mut r).unwrap();
            assert!(all.contains(&*m));
            seen.insert(m.to_vec());
        }
        assert_eq!(seen, all);
        for count in [
            0,
            1,
            2,
            s.len() / 4,
            s.len() / 2,
            s.len() - 1,
            s.len(),
            s.len() + 3,
        ] {
            let mut out = Vec::new();
            s.random_distinct(count, &mut r, &mut out);
            assert_eq!(out.len(), count.min(s.len()));
            let d: HashSet<_> = out.iter().map(|m| m.to_vec()).collect();
            assert_eq!(d.len(), out.len());
            assert!(d.is_subset(&all));
        }
    }

    #[test]
    fn random_both_encodings() {
        let ints = Set::from_members((0..100).map(|i| i.to_string()), &Encodings::default());
        assert_eq!(ints.encoding(), "intset");
        check_random(&ints);
        let table = Set::from_members((0..300).map(|i| format!("m{i}")), &Encodings::default());
        check_random(&table);
    }

    #[test]
    fn random_is_roughly_uniform() {
        for s in [
            Set::from_members((0..10).map(|i| i.to_string()), &enc(512)),
            Set::from_members((0..10).map(|i| i.to_string()), &enc(0)),
        ] {
            let mut r = Rng::with_seed(8);
            let mut counts = HashMap::new();
            for _ in 0..20_000 {
                *counts
                    .entry(s.random(&mut r).unwrap().to_vec())
                    .or_insert(0) += 1;
            }
            assert!(
                counts.values().all(|&c| (1600..2400).contains(&c)),
                "{counts:?}"
            );
        }
    }

    #[test]
    fn pop_random_one() {
        for mut s in [
            Set::from_members((0..50).map(|i| i.to_string()), &enc(512)),
            Set::from_members((0..50).map(|i| format!("m{i}")), &enc(512)),
        ] {
            let mut all = model(&s);
            let mut r = Rng::with_seed(2);
            while let Some(k) = s.pop_random(&mut r) {
                assert!(all.remove(&k[..]));
                assert!(!s.contains(&k));
            }
            assert!(all.is_empty());
            assert!(s.is_empty());
        }
    }

    #[test]
    fn pop_random_many_cases() {
        let e = Encodings::default();
        let mut r = Rng::with_seed(6);
        for (members, count) in [
            ((0..100).map(|i| i.to_string()).collect::<Vec<_>>(), 10),
            ((0..100).map(|i| i.to_string()).collect(), 95),
            ((0..100).map(|i| i.to_string()).collect(), 100),
            ((0..100).map(|i| i.to_string()).collect(), 1000),
            ((0..1000).map(|i| format!("m{i}")).collect(), 10),
            ((0..1000).map(|i| format!("m{i}")).collect(), 900),
            ((0..1000).map(|i| format!("m{i}")).collect(), 999),
            ((0..1000).map(|i| format!("m{i}")).collect(), 1000),
            ((0..1000).map(|i| format!("m{i}")).collect(), 5000),
            ((0..1000).map(|i| format!("m{i}")).collect(), 0),
        ] {
            let mut s = Set::from_members(&members, &e);
            let before = model(&s);
            let mut out = vec![Key::from("sentinel")];
            s.pop_random_many(count, &mut r, &e, &mut out);
            assert_eq!(out.remove(0), Key::from("sentinel"));
            assert_eq!(out.len(), count.min(members.len()));
            let popped: HashSet<Vec<u8>> = out.iter().map(|k| k.to_vec()).collect();
            assert_eq!(popped.len(), out.len());
            let after = model(&s);
            assert_eq!(after.len(), before.len() - popped.len());
            assert!(popped.is_disjoint(&after));
            assert_eq!(&popped | &after, before);
        }
    }

    #[test]
    fn pop_many_rebuild_picks_encoding_again() {
        // 1000 integer members are a hashtable; keeping 100 of them (case 3,
        // 100 * 5 <= 900) rebuilds an intset, as Redis 7.0 does.
        let e = Encodings::default();
        let mut s = Set::from_members((0..1000).map(|i| i.to_string()), &e);
        assert_eq!(s.encoding(), "hashtable");
        let mut out = Vec::new();
        s.pop_random_many(900, &mut Rng::with_seed(1), &e, &mut out);
        assert_eq!(s.encoding(), "intset");
        assert_eq!(s.len(), 100);
        // Popping a few keeps the table.
        let mut s = Set::from_members((0..1000).map(|i| i.to_string()), &e);
        s.pop_random_many(10, &mut Rng::with_seed(1), &e, &mut out);
        assert_eq!(s.encoding(), "hashtable");
    }

    #[test]
    fn scan_table() {
        let s = Set::from_members((0..5000).map(|i| format!("m{i}")), &Encodings::default());
        for count in [1, 7, 100, 100_000] {
            let got = full_scan(&s, count);
            assert_eq!(got.len(), 5000);
            let d: HashSet<_> = got.into_iter().collect();
            assert_eq!(d, model(&s));
        }
        let mut step = Vec::new();
        let c = s.scan(0, 10, &mut step);
        assert_ne!(c, 0);
        assert!(!step.is_empty() && step.len() <= 10);
        assert_eq!(s.scan(u64::MAX, 10, &mut step), 0);
        assert_eq!(Set::new().scan(0, 10, &mut Vec::new()), 0);
    }

    #[test]
    fn scan_while_removing_sees_the_rest() {
        let mut s = Set::from_members((0..2000).map(|i| format!("m{i}")), &Encodings::default());
        let mut cursor = 0;
        let mut seen = HashSet::new();
        loop {
            let mut step = Vec::new();
            cursor = s.scan(cursor, 10, &mut step);
            let got: Vec<Vec<u8>> = step.iter().map(|m| m.to_vec()).collect();
            for m in got {
                assert!(s.remove(&m));
                seen.insert(m);
            }
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 2000);
        assert!(s.is_empty());
    }

    #[test]
    fn pop_drains_a_big_set() {
        let mut s = Set::from_members((0..20_000).map(|i| format!("m{i}")), &Encodings::default());
        let mut r = Rng::with_seed(1);
        let mut n = 0;
        while s.pop_random(&mut r).is_some() {
            n += 1;
        }
        assert_eq!(n, 20_000);
    }

    #[test]
    fn shrink_after_deletes() {
        let mut s = Set::from_members((0..10_000).map(|i| format!("m{i}")), &Encodings::default());
        for i in 0..9_990 {
            assert!(s.remove(format!("m{i}").as_bytes()));
        }
        check_random(&s);
        assert!(s.shrink_if_sparse());
        assert!(!s.shrink_if_sparse());
        check_random(&s);
        let Repr::Table(t) = &s.0 else { panic!() };
        assert!(t.table.num_buckets() <= 640);
        assert_eq!(model(&s).len(), 10);
    }

    #[test]
    fn mem_usage_counts_heap() {
        let e = Encodings::default();
        let ints = Set::from_members((0..100).map(|i| i.to_string()), &e);
        assert!(ints.mem_usage(0) >= 24 + 800);
        let short = Set::from_members((0..1000).map(|i| format!("{i:016}")), &e);
        let long = Set::from_members((0..1000).map(|i| format!("{i:040}")), &e);
        assert!(short.mem_usage(0) >= 1000 * 25);
        assert_eq!(long.mem_usage(0) - short.mem_usage(0), 1000 * (16 + 40));
        let sampled = long.mem_usage(5);
        assert_eq!(sampled, long.mem_usage(0));
    }

    #[test]
    fn member_traits() {
        let a = Member::int(-5);
        let b = Member::bytes(b"-5");
        assert_eq!(a, b);
        assert_eq!(&*a, b"-5");
        assert_eq!(a.as_ref(), b"-5");
        assert!(a == *b"-5".as_slice());
        assert_eq!(format!("{a:?}"), r#""-5""#);
        assert_eq!(Key::from(a), Key::from("-5"));
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(String),
        Remove(String),
        Pop,
        PopMany(usize),
    }

    fn member() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => (-20i64..20).prop_map(|n| n.to_string()),
            1 => prop_oneof![Just("-0".to_string()), Just("01".to_string()), Just("a".to_string()), Just("x".repeat(30))],
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            6 => member().prop_map(Op::Insert),
            3 => member().prop_map(Op::Remove),
            1 => Just(Op::Pop),
            1 => (0usize..12).prop_map(Op::PopMany),
        ]
    }

    proptest! {
        #[test]
        fn matches_model(ops in proptest::collection::vec(op(), 0..200), max in 0usize..12, seed: u64) {
            let e = enc(max);
            let mut r = Rng::with_seed(seed);
            let mut s = Set::new();
            let mut m: HashSet<Vec<u8>> = HashSet::new();
            for op in ops {
                match op {
                    Op::Insert(x) => {
                        let before = s.encoding();
                        prop_assert_eq!(s.insert(x.as_bytes(), &e), m.insert(x.clone().into_bytes()));
                        if before == "intset" {
                            let ints = m.iter().all(|x| parse_int(x).is_some());
                            let expect = if ints && m.len() <= max { "intset" } else { "hashtable" };
                            prop_assert_eq!(s.encoding(), expect);
                        } else {
                            prop_assert_eq!(s.encoding(), "hashtable");
                        }
                    }
                    Op::Remove(x) => {
                        let before = s.encoding();
                        prop_assert_eq!(s.remove(x.as_bytes()), m.remove(x.as_bytes()));
                        prop_assert_eq!(s.encoding(), before);
                    }
                    Op::Pop => {
                        let k = s.pop_random(&mut r);
                        prop_assert_eq!(k.is_some(), !m.is_empty());
                        if let Some(k) = k {
                            prop_assert!(m.remove(&k[..]));
                        }
                    }
                    Op::PopMany(n) => {
                        let mut out = Vec::new();
                        s.pop_random_many(n, &mut r, &e, &mut out);
                        prop_assert_eq!(out.len(), n.min(m.len()));
                        for k in out {
                            prop_assert!(m.remove(&k[..]));
                        }
                    }
                }
                prop_assert_eq!(s.len(), m.len());
            }
            prop_assert_eq!(&model(&s), &m);
            for x in &m {
                prop_assert!(s.contains(x));
            }
            for count in [1, 3, 1000] {
                let got = full_scan(&s, count);
                prop_assert_eq!(got.len(), m.len());
                let got: HashSet<_> = got.into_iter().collect();
                prop_assert_eq!(&got, &m);
            }
            let rebuilt = Set::from_members(&m, &e);
            prop_assert_eq!(&model(&rebuilt), &m);
            let ints = m.iter().all(|x| parse_int(x).is_some());
            let expect = if ints && m.len() <= max { "intset" } else { "hashtable" };
            prop_assert_eq!(rebuilt.encoding(), expect);
        }
    }
}
