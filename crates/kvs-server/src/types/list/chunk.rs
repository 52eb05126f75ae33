//! One node of a [`List`](super::List): many elements packed in one buffer.
//!
//! The live bytes `buf[start..end]` of a chunk holding elements `e0 .. e(n-1)`
//! of lengths `L0 .. L(n-1)` are
//!
//! ```text
//! s0 e0 s1 e1 ... s(n-1) e(n-1) sn
//! ```
//!
//! where the separator `s(i)` is a tag holding `L(i-1) ^ L(i)` (taking
//! `L(-1) = L(n) = 0`, so `s0 = L0` and the trailer `sn = L(n-1)`). Walking
//! forward from `s0` or backward from `sn`, each separator gives the length
//! of the element past it, so both ends and both directions cost O(1) per
//! element with one tag per element: a 10-byte element takes 11 bytes.
//!
//! A tag reads the same from either end: `0xxxxxxx` is a value below 128;
//! `10hhhhhh 10llllll` a value below 4096; `11000kkk` + k little-endian
//! bytes + `11000kkk` anything larger (k = 2..=4).
//!
//! The live bytes sit anywhere in the buffer, so popping or pushing at either
//! end moves only the bytes next to that end; slack is kept on the side that
//! is growing and the buffer never grows past the node size limit (except
//! for a chunk of one large element, sized exactly to it).

use std::ops::Range;

/// The longest element a list holds (chunk offsets are `u32`).
pub(super) const MAX_ELEMENT: usize = u32::MAX as usize - 64;

/// The smallest buffer a chunk starts with.
const MIN_CAP: usize = 16;

/// The node size limits from `list-max-listpack-size`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// At most this many live bytes per chunk (unless one large element).
    pub bytes: usize,
    /// At most this many elements per chunk.
    pub count: u32,
}

/// Which end of a chunk an insertion is at: it decides which side may move
/// and where slack goes when the buffer is rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Side {
    Front,
    Back,
    Middle,
}

/// A forward cursor: at separator `s(i)`, with `prev = L(i-1)`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Fwd {
    off: u32,
    prev: u32,
}

/// A backward cursor: just past separator `s(i+1)`, with `next = L(i+1)`.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Bwd {
    off: u32,
    next: u32,
}

/// Separator `s(j)` found: its bytes and the lengths on either side of it.
struct Sep {
    start: usize,
    end: usize,
    prev: u32,
    next: u32,
}

/// The encoded size of a tag holding `v`.
#[inline]
fn tag_len(v: u32) -> usize {
    if v < 0x80 {
        1
    } else if v < 0x1000 {
        2
    } else if v < 0x1_0000 {
        4
    } else if v < 0x100_0000 {
        5
    } else {
        6
    }
}

/// Writes the tag for `v` at `buf[at..]`; returns its size.
#[inline]
fn put_tag(buf: &mut [u8], at: usize, v: u32) -> usize {
    let n = tag_len(v);
    match n {
        1 => buf[at] = v as u8,
        2 => {
            buf[at] = 0x80 | (v >> 6) as u8;
            buf[at + 1] = 0x80 | (v & 0x3f) as u8;
        }
        _ => {
            let k = n - 2;
            let mark = 0xc0 | k as u8;
            buf[at] = mark;
            buf[at + 1..at + 1 + k].copy_from_slice(&v.to_le_bytes()[..k]);
            buf[at + 1 + k] = mark;
        }
    }
    n
}

/// Reads the tag starting at `buf[at]`: (value, size).
#[inline]
fn get_tag(buf: &[u8], at: usize) -> (u32, usize) {
    let b = buf[at];
    if b < 0x80 {
        (u32::from(b), 1)
    } else if b < 0xc0 {
        (u32::from(b & 0x3f) << 6 | u32::from(buf[at + 1] & 0x3f), 2)
    } else {
        let k = usize::from(b & 7);
        let mut le = [0; 4];
        le[..k].copy_from_slice(&buf[at + 1..at + 1 + k]);
        (u32::from_le_bytes(le), k + 2)
    }
}

/// Reads the tag ending just before `buf[end]`: (value, size).
#[inline]
fn get_tag_back(buf: &[u8], end: usize) -> (u32, usize) {
    let b = buf[end - 1];
    if b < 0x80 {
        (u32::from(b), 1)
    } else if b < 0xc0 {
        (u32::from(buf[end - 2] & 0x3f) << 6 | u32::from(b & 0x3f), 2)
    } else {
        let k = usize::from(b & 7);
        let mut le = [0; 4];
        le[..k].copy_from_slice(&buf[end - 1 - k..end - 1]);
        (u32::from_le_bytes(le), k + 2)
    }
}

/// An element's length as stored.
#[inline]
pub(super) fn elem_len(x: &[u8]) -> u32 {
    assert!(
        x.len() <= MAX_ELEMENT,
        "list element of {} bytes is too large",
        x.len()
    );
    x.len() as u32
}

/// A chunk of packed elements; never left empty inside a list.
#[derive(Clone)]
pub(super) struct Chunk {
    buf: Box<[u8]>,
    start: u32,
    end: u32,
    count: u32,
}

impl Chunk {
    /// A chunk holding `x` alone, its slack on `side` (a large element gets
    /// a buffer of exactly its size).
    pub(super) fn single(x: &[u8], side: Side, lim: &Limits) -> Chunk {
        let l = elem_len(x);
        let need = 2 * tag_len(l) + x.len();
        let cap = if need > lim.bytes {
            need
        } else {
            need.max(MIN_CAP).min(lim.bytes)
        };
        let lead = match side {
            Side::Back => 0,
            Side::Front => cap - need,
            Side::Middle => (cap - need) / 2,
        };
        let mut buf = vec![0; cap].into_boxed_slice();
        let mut at = lead + put_tag(&mut buf, lead, l);
        buf[at..at + x.len()].copy_from_slice(x);
        at += x.len();
        at += put_tag(&mut buf, at, l);
        Chunk {
            buf,
            start: lead as u32,
            end: at as u32,
            count: 1,
        }
    }

    /// How many elements it holds.
    #[inline]
    pub(super) fn len(&self) -> u32 {
        self.count
    }

    /// Whether it holds none (only while a list drops it).
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Live bytes.
    #[inline]
    fn bytes(&self) -> usize {
        (self.end - self.start) as usize
    }

    /// Heap bytes held.
    #[inline]
    pub(super) fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// A cursor at the first element.
    #[inline]
    pub(super) fn front(&self) -> Fwd {
        Fwd {
            off: self.start,
            prev: 0,
        }
    }

    /// A cursor past the last element.
    #[inline]
    pub(super) fn back(&self) -> Bwd {
        Bwd {
            off: self.end,
            next: 0,
        }
    }

    /// The element at `f`; moves `f` to the next one. The caller keeps
    /// count of how many remain.
    #[inline]
    pub(super) fn next(&self, f: &mut Fwd) -> &[u8] {
        let (x, t) = get_tag(&self.buf, f.off as usize);
        let l = x ^ f.prev;
        let d = f.off as usize + t;
        f.off = (d + l as usize) as u32;
        f.prev = l;
        &self.buf[d..d + l as usize]
    }

    /// The element before `b`; moves `b` back past it.
    #[inline]
    pub(super) fn next_back(&self, b: &mut Bwd) -> &[u8] {
        let (y, t) = get_tag_back(&self.buf, b.off as usize);
        let l = y ^ b.next;
        let e = b.off as usize - t;
        let d = e - l as usize;
        b.off = d as u32;
        b.next = l;
        &self.buf[d..e]
    }

    /// Separator `s(j)`, `j` in `0..=len`, walked to from the nearer end.
    fn sep(&self, j: u32) -> Sep {
        if j <= self.count / 2 {
            let mut f = self.front();
            for _ in 0..j {
                self.next(&mut f);
            }
            let (x, t) = get_tag(&self.buf, f.off as usize);
            Sep {
                start: f.off as usize,
                end: f.off as usize + t,
                prev: f.prev,
                next: x ^ f.prev,
            }
        } else {
            let mut b = self.back();
            for _ in j..self.count {
                self.next_back(&mut b);
            }
            let (y, t) = get_tag_back(&self.buf, b.off as usize);
            Sep {
                start: b.off as usize - t,
                end: b.off as usize,
                prev: y ^ b.next,
                next: b.next,
            }
        }
    }

    /// A forward cursor at element `j` (`j < len`).
    pub(super) fn fwd_at(&self, j: u32) -> Fwd {
        let s = self.sep(j);
        Fwd {
            off: s.start as u32,
            prev: s.prev,
        }
    }

    /// A backward cursor just past element `j` (`j < len`).
    pub(super) fn bwd_at(&self, j: u32) -> Bwd {
        let s = self.sep(j + 1);
        Bwd {
            off: s.end as u32,
            next: s.next,
        }
    }

    /// Element `j` (`j < len`).
    pub(super) fn get(&self, j: u32) -> &[u8] {
        let s = self.sep(j);
        &self.buf[s.end..s.end + s.next as usize]
    }

    /// Element `j`'s bytes and the separators around it: the byte range
    /// `s(j) e(j) s(j+1)` and the lengths `L(j-1)`, `L(j+1)`.
    fn element(&self, j: u32) -> (Range<usize>, Range<usize>, u32, u32) {
        let s = self.sep(j);
        let data = s.end..s.end + s.next as usize;
        let (y, t) = get_tag(&self.buf, data.end);
        (s.start..data.end + t, data, s.prev, y ^ s.next)
    }

    /// Whether growing by `grow` bytes at `side` is within the limits, and,
    /// at an end of a full-sized buffer, leaves enough slack that moving the
    /// other bytes is paid for by the pushes that slack takes.
    fn can_take(&self, grow: usize, side: Side, lim: &Limits) -> bool {
        if self.count >= lim.count || self.bytes() + grow > lim.bytes {
            return false;
        }
        let cap = self.buf.len();
        let room = match side {
            Side::Middle => return true,
            Side::Front => self.start as usize,
            Side::Back => cap - self.end as usize,
        };
        room >= grow || cap < lim.bytes || cap - self.bytes() - grow >= cap / 4
    }

    /// Inserts `x` before element `j` (`j` in `0..=len`) if the limits allow;
    /// false (and no change) if not.
    pub(super) fn try_insert(&mut self, j: u32, x: &[u8], side: Side, lim: &Limits) -> bool {
        let l = elem_len(x);
        let s = self.sep(j);
        let new_len = tag_len(s.prev ^ l) + x.len() + tag_len(l ^ s.next);
        let grow = new_len - (s.end - s.start);
        if !self.can_take(grow, side, lim) {
            return false;
        }
        let at = self.open(s.start, s.end, new_len, side, lim);
        self.write_element(at, s.prev, x, s.next);
        self.count += 1;
        true
    }

    /// Replaces element `j` with `x` if the result is within the byte limit
    /// (or `x` is the chunk's only element); false (and no change) if not.
    pub(super) fn try_replace(&mut self, j: u32, x: &[u8], lim: &Limits) -> bool {
        let l = elem_len(x);
        let (region, _, prev, next) = self.element(j);
        let new_len = tag_len(prev ^ l) + x.len() + tag_len(l ^ next);
        if self.count > 1 && self.bytes() - region.len() + new_len > lim.bytes {
            return false;
        }
        let shrinks = new_len < region.len();
        let at = if new_len <= region.len() {
            self.close(region.start, region.end, new_len)
        } else {
            self.open(region.start, region.end, new_len, Side::Middle, lim)
        };
        self.write_element(at, prev, x, next);
        if shrinks {
            self.maybe_shrink();
        }
        true
    }

    /// Removes element `j`, handing its bytes to `f` first. A chunk left
    /// empty keeps stale bytes: the caller drops it.
    pub(super) fn remove_with<R>(&mut self, j: u32, f: impl FnOnce(&[u8]) -> R) -> R {
        let (region, data, prev, next) = self.element(j);
        let r = f(&self.buf[data]);
        self.count -= 1;
        if self.count > 0 {
            let at = self.close(region.start, region.end, tag_len(prev ^ next));
            put_tag(&mut self.buf, at, prev ^ next);
            self.maybe_shrink();
        }
        r
    }

    /// Splits off elements `j..` (`0 < j < len`) into a new chunk sized
    /// exactly to them.
    pub(super) fn split_off(&mut self, j: u32) -> Chunk {
        let s = self.sep(j);
        let end = self.end as usize;
        let head = tag_len(s.next);
        let mut buf = vec![0; head + end - s.end].into_boxed_slice();
        put_tag(&mut buf, 0, s.next);
        buf[head..].copy_from_slice(&self.buf[s.end..end]);
        let tail = Chunk {
            start: 0,
            end: buf.len() as u32,
            buf,
            count: self.count - j,
        };
        let t = put_tag(&mut self.buf, s.start, s.prev);
        self.end = (s.start + t) as u32;
        self.count = j;
        self.maybe_shrink();
        tail
    }

    /// Drops the first `k` elements (`0 < k < len`).
    pub(super) fn drop_front(&mut self, k: u32) {
        let s = self.sep(k);
        let start = s.end - tag_len(s.next);
        put_tag(&mut self.buf, start, s.next);
        self.start = start as u32;
        self.count -= k;
        self.maybe_shrink();
    }

    /// Drops the last `k` elements (`0 < k < len`).
    pub(super) fn drop_back(&mut self, k: u32) {
        let s = self.sep(self.count - k);
        let t = put_tag(&mut self.buf, s.start, s.prev);
        self.end = (s.start + t) as u32;
        self.count -= k;
        self.maybe_shrink();
    }

    /// Removes up to `limit` elements equal to `value`, the first ones met
    /// from the front (or from the back); returns how many. Rebuilds the
    /// chunk once, exactly sized, if any go; one left empty is the caller's
    /// to drop.
    pub(super) fn remove_matching(&mut self, value: &[u8], limit: usize, from_back: bool) -> usize {
        let n = self.count;
        // Matches with an index in lo..hi go.
        let (mut found, mut lo, mut hi) = (0, 0, n);
        if from_back {
            let mut b = self.back();
            for j in (0..n).rev() {
                if self.next_back(&mut b) == value {
                    found += 1;
                    if found == limit {
                        lo = j;
                        break;
                    }
                }
            }
        } else {
            let mut f = self.front();
            for j in 0..n {
                if self.next(&mut f) == value {
                    found += 1;
                    if found == limit {
                        hi = j + 1;
                        break;
                    }
                }
            }
        }
        if found == 0 {
            return 0;
        }
        if found == n as usize {
            self.count = 0;
            return found;
        }
        let mut w = Writer::with_capacity(self.bytes());
        let mut f = self.front();
        for j in 0..n {
            let e = self.next(&mut f);
            if !((lo..hi).contains(&j) && e == value) {
                w.push(e);
            }
        }
        *self = w.finish();
        found
    }

    /// Writes `tag(prev ^ L) x tag(L ^ next)` at `at`.
    fn write_element(&mut self, at: usize, prev: u32, x: &[u8], next: u32) {
        let l = x.len() as u32;
        let mut at = at + put_tag(&mut self.buf, at, prev ^ l);
        self.buf[at..at + x.len()].copy_from_slice(x);
        at += x.len();
        put_tag(&mut self.buf, at, l ^ next);
    }

    /// Shrinks the live range `a..b` to `new_len` bytes (no more than its
    /// length) by moving the shorter side; returns where they now start.
    fn close(&mut self, a: usize, b: usize, new_len: usize) -> usize {
        let (start, end) = (self.start as usize, self.end as usize);
        let d = (b - a) - new_len;
        if a - start <= end - b {
            self.buf.copy_within(start..a, start + d);
            self.start = (start + d) as u32;
            a + d
        } else {
            self.buf.copy_within(b..end, b - d);
            self.end = (end - d) as u32;
            a
        }
    }

    /// Widens the live range `a..b` to `new_len` bytes (no less than its
    /// length); returns where they now start. At an end only the bytes on
    /// that end's side move; when the buffer lacks room it is rebuilt,
    /// bigger if it is small or the slack would be thin.
    fn open(&mut self, a: usize, b: usize, new_len: usize, side: Side, lim: &Limits) -> usize {
        let (start, end, cap) = (self.start as usize, self.end as usize, self.buf.len());
        let d = new_len - (b - a);
        let head = side != Side::Back && start >= d;
        let tail = side != Side::Front && cap - end >= d;
        if head && (!tail || a - start <= end - b) {
            self.buf.copy_within(start..a, start - d);
            self.start = (start - d) as u32;
            return a - d;
        }
        if tail {
            self.buf.copy_within(b..end, b + d);
            self.end = (end + d) as u32;
            return a;
        }
        let need = end - start + d;
        if need <= cap && (need + cap / 4 <= cap || cap >= lim.bytes) {
            return self.relayout(a, b, new_len, cap, (cap - need) / 2);
        }
        let mut new_cap = (2 * cap).min(lim.bytes);
        if lim.count != u32::MAX && self.count > 0 {
            // A count-limited chunk stops growing near its final size.
            let per = (need as u64).div_ceil(u64::from(self.count) + 1);
            new_cap = new_cap.min((per * u64::from(lim.count)).min(usize::MAX as u64) as usize);
        }
        let new_cap = new_cap.max(need);
        let lead = match side {
            Side::Back => 0,
            Side::Front => new_cap - need,
            Side::Middle => (new_cap - need) / 2,
        };
        self.relayout(a, b, new_len, new_cap, lead)
    }

    /// Moves the live bytes into a new buffer of `cap` bytes starting at
    /// `lead`, with `a..b` replaced by a gap of `new_len`; returns the gap.
    fn relayout(&mut self, a: usize, b: usize, new_len: usize, cap: usize, lead: usize) -> usize {
        let (start, end) = (self.start as usize, self.end as usize);
        let mut buf = vec![0; cap].into_boxed_slice();
        let gap = lead + (a - start);
        buf[lead..gap].copy_from_slice(&self.buf[start..a]);
        let tail = gap + new_len;
        buf[tail..tail + (end - b)].copy_from_slice(&self.buf[b..end]);
        self.buf = buf;
        self.start = lead as u32;
        self.end = (tail + end - b) as u32;
        gap
    }

    /// Halves a buffer that has become mostly slack (at most a quarter
    /// used), so a shrinking list gives memory back at O(1) amortized cost.
    fn maybe_shrink(&mut self) {
        let (bytes, cap) = (self.bytes(), self.buf.len());
        if cap > 4 * MIN_CAP && bytes * 4 < cap {
            let new_cap = (2 * bytes).max(MIN_CAP);
            let s = self.start as usize;
            self.relayout(s, s, 0, new_cap, (new_cap - bytes) / 2);
        }
    }

    /// Panics unless the chunk decodes to `count` elements both ways and
    /// stays within `lim` (one element may exceed it).
    #[cfg(test)]
    pub(super) fn check(&self, lim: Option<&Limits>) -> Vec<Vec<u8>> {
        assert!(self.count > 0, "empty chunk");
        assert!(self.start <= self.end && self.end as usize <= self.buf.len());
        let mut f = self.front();
        let fwd: Vec<Vec<u8>> = (0..self.count)
            .map(|_| self.next(&mut f).to_vec())
            .collect();
        let (tr, t) = get_tag(&self.buf, f.off as usize);
        assert_eq!(tr, f.prev, "trailer");
        assert_eq!(
            f.off as usize + t,
            self.end as usize,
            "trailer ends the chunk"
        );
        let mut b = self.back();
        let mut bwd: Vec<Vec<u8>> = (0..self.count)
            .map(|_| self.next_back(&mut b).to_vec())
            .collect();
        bwd.reverse();
        assert_eq!(fwd, bwd, "forward and backward walks agree");
        let (s0, t) = get_tag_back(&self.buf, b.off as usize);
        assert_eq!(
            b.off as usize - t,
            self.start as usize,
            "backward walk ends at the start"
        );
        assert_eq!(s0, b.next, "the first separator holds the first length");
        if let Some(lim) = lim {
            assert!(
                self.count <= lim.count,
                "{} elements over {}",
                self.count,
                lim.count
            );
            if self.count > 1 {
                assert!(
                    self.bytes() <= lim.bytes,
                    "{} bytes over {}",
                    self.bytes(),
                    lim.bytes
                );
                assert!(self.buf.len() <= lim.bytes, "capacity over the limit");
            }
        }
        fwd
    }
}

/// Builds a chunk from elements in order, exactly sized when the capacity
/// given is right.
struct Writer {
    buf: Vec<u8>,
    prev: u32,
    count: u32,
}

impl Writer {
    fn with_capacity(cap: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(cap),
            prev: 0,
            count: 0,
        }
    }

    fn tag(&mut self, v: u32) {
        let mut t = [0; 6];
        let n = put_tag(&mut t, 0, v);
        self.buf.extend_from_slice(&t[..n]);
    }

    fn push(&mut self, e: &[u8]) {
        let l = e.len() as u32;
        self.tag(self.prev ^ l);
        self.buf.extend_from_slice(e);
        self.prev = l;
        self.count += 1;
    }

    fn finish(mut self) -> Chunk {
        self.tag(self.prev);
        let end = self.buf.len() as u32;
        Chunk {
            buf: self.buf.into_boxed_slice(),
            start: 0,
            end,
            count: self.count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip_both_ways() {
        for v in [
            0,
            1,
            127,
            128,
            200,
            4095,
            4096,
            65535,
            65536,
            1 << 24,
            u32::MAX,
        ] {
            let mut buf = [0xaa; 8];
            let n = put_tag(&mut buf, 1, v);
            assert_eq!(n, tag_len(v));
            assert_eq!(get_tag(&buf, 1), (v, n));
            assert_eq!(get_tag_back(&buf, 1 + n), (v, n));
        }
    }
}
