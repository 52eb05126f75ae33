use std::collections::VecDeque;

use proptest::prelude::*;

use super::*;

/// Encodings with `list-max-listpack-size` set to `fill`.
fn enc(fill: i64) -> Encodings {
    let e = Encodings::default();
    e.set_list_max_listpack_size(fill);
    e
}

fn elems(l: &List) -> Vec<Vec<u8>> {
    let v = l.check_invariants(None);
    assert_eq!(l.iter().map(<[u8]>::to_vec).collect::<Vec<_>>(), v);
    let mut r: Vec<Vec<u8>> = l.iter_rev().map(<[u8]>::to_vec).collect();
    r.reverse();
    assert_eq!(r, v);
    v
}

fn strs(l: &List) -> Vec<String> {
    elems(l)
        .into_iter()
        .map(|e| String::from_utf8(e).unwrap())
        .collect()
}

/// A list of "0".."n-1" with `fill`.
fn numbered(n: usize, e: &Encodings) -> List {
    List::from_elements((0..n).map(|i| i.to_string()), e)
}

fn nums(r: std::ops::Range<usize>) -> Vec<String> {
    r.map(|i| i.to_string()).collect()
}

#[test]
fn empty_list() {
    let e = enc(3);
    let mut l = List::new();
    assert!(l.is_empty());
    assert_eq!(l.len(), 0);
    assert_eq!(l.pop_front(), None);
    assert_eq!(l.pop_back(), None);
    assert_eq!(l.get(0), None);
    assert_eq!(l.get(-1), None);
    assert!(!l.set(0, b"x", &e));
    assert_eq!(l.insert(true, b"a", b"b", &e), None);
    assert_eq!(l.remove(0, b"a"), 0);
    assert_eq!(l.range(0, -1).count(), 0);
    assert_eq!(l.iter().next_back(), None);
    assert!(l.position(b"a", 1, 0, 0).is_empty());
    assert!(l.position(b"a", -1, 0, 0).is_empty());
    l.trim(0, -1);
    assert!(l.is_empty());
    assert_eq!(l, List::new());
    assert_eq!(l.mem_usage(), std::mem::size_of::<List>());
    assert_eq!(format!("{l:?}"), "[]");
    l.check_invariants(Some(&e));
}

#[test]
fn push_and_pop_both_ends_across_chunks() {
    let e = enc(3);
    let mut l = List::new();
    for i in 0..10 {
        l.push_back(i.to_string().as_bytes(), &e);
        l.push_front((-i - 1).to_string().as_bytes(), &e);
        l.check_invariants(Some(&e));
    }
    assert_eq!(l.len(), 20);
    assert!(l.chunks.len() >= 7, "{} chunks", l.chunks.len());
    let want: Vec<String> = (-10..10).rev().map(|i: i32| i.to_string()).collect();
    let mut got = Vec::new();
    while let Some(k) = l.pop_back() {
        got.push(String::from_utf8(k.to_vec()).unwrap());
        l.check_invariants(Some(&e));
    }
    assert_eq!(got, want);
    assert!(l.chunks.is_empty());
    let mut l = numbered(10, &e);
    assert_eq!(l.pop_front().as_deref(), Some(&b"0"[..]));
    assert_eq!(l.pop_front().as_deref(), Some(&b"1"[..]));
    assert_eq!(l.pop_front().as_deref(), Some(&b"2"[..]));
    assert_eq!(l.pop_back().as_deref(), Some(&b"9"[..]));
    assert_eq!(strs(&l), nums(3..9));
    l.check_invariants(Some(&e));
}

#[test]
fn get_with_negative_and_out_of_range_indexes() {
    let e = enc(3);
    let l = numbered(10, &e);
    for i in 0..10 {
        assert_eq!(l.get(i), Some(i.to_string().as_bytes()));
        assert_eq!(l.get(i - 10), Some(i.to_string().as_bytes()));
    }
    for i in [10, 11, -11, -12, i64::MAX, i64::MIN] {
        assert_eq!(l.get(i), None, "{i}");
    }
}

#[test]
fn set_in_every_position_and_size() {
    let e = enc(3);
    let mut l = numbered(10, &e);
    for i in 0..10 {
        assert!(l.set(i, format!("v{i}").as_bytes(), &e));
        l.check_invariants(Some(&e));
    }
    assert!(l.set(-1, b"last", &e));
    assert!(!l.set(10, b"x", &e));
    assert!(!l.set(-11, b"x", &e));
    assert_eq!(l.get(9), Some(&b"last"[..]));
    // Growing an element past the chunk's byte limit moves it to a chunk of
    // its own; shrinking it again works in place.
    let e = Encodings::default();
    let mut l = numbered(100, &e);
    let big = vec![b'x'; 10_000];
    assert!(l.set(50, &big, &e));
    l.check_invariants(Some(&e));
    assert_eq!(l.get(50), Some(&big[..]));
    assert_eq!(l.chunks.len(), 3);
    assert!(l.set(50, b"small", &e));
    assert!(l.set(50, &big[..9000], &e));
    l.check_invariants(Some(&e));
    let mut want = nums(0..100);
    want[50] = "x".repeat(9000);
    assert_eq!(strs(&l), want);
}

#[test]
fn insert_at_chunk_boundaries() {
    let e = enc(3);
    for pivot in 0..9 {
        for before in [true, false] {
            let mut l = numbered(9, &e);
            let p = pivot.to_string();
            assert_eq!(l.insert(before, p.as_bytes(), b"new", &e), Some(10));
            l.check_invariants(Some(&e));
            let mut want = nums(0..9);
            want.insert(if before { pivot } else { pivot + 1 }, "new".into());
            assert_eq!(strs(&l), want, "pivot {pivot} before {before}");
        }
    }
    let mut l = numbered(3, &e);
    assert_eq!(l.insert(true, b"9", b"x", &e), None);
    assert_eq!(l.len(), 3);
    // The first match is the pivot.
    let mut l = List::from_elements(["a", "p", "p"], &e);
    assert_eq!(l.insert(false, b"p", b"x", &e), Some(4));
    assert_eq!(strs(&l), ["a", "p", "x", "p"]);
}

#[test]
fn many_middle_inserts_split_chunks() {
    for fill in [1, 2, 3, -1] {
        let e = enc(fill);
        let mut l = List::from_elements(["a", "z"], &e);
        let mut want = vec!["a".to_string(), "z".to_string()];
        for i in 0..300 {
            let v = format!("{i:04}");
            assert!(l.insert(true, b"z", v.as_bytes(), &e).is_some());
            want.insert(want.len() - 1, v);
        }
        assert!(l.insert(false, b"a", b"b", &e).is_some());
        want.insert(1, "b".into());
        l.check_invariants(Some(&e));
        assert_eq!(strs(&l), want);
    }
}

#[test]
fn remove_from_head_tail_and_all() {
    let e = enc(3);
    let pattern = ["x", "a", "x", "x", "b", "x", "c", "x", "x", "x"];
    let base = List::from_elements(pattern, &e);
    let check = |count: i64, removed: usize, want: &[&str]| {
        let mut l = base.clone();
        assert_eq!(l.remove(count, b"x"), removed, "count {count}");
        l.check_invariants(Some(&e));
        assert_eq!(strs(&l), want, "count {count}");
    };
    check(0, 7, &["a", "b", "c"]);
    check(2, 2, &["a", "x", "b", "x", "c", "x", "x", "x"]);
    check(-2, 2, &["x", "a", "x", "x", "b", "x", "c", "x"]);
    check(-5, 5, &["x", "a", "x", "b", "c"]);
    check(100, 7, &["a", "b", "c"]);
    check(i64::MIN, 7, &["a", "b", "c"]);
    let mut l = base.clone();
    assert_eq!(l.remove(0, b"nope"), 0);
    assert_eq!(l, base);
    let mut l = List::from_elements(["x"; 10], &e);
    assert_eq!(l.remove(0, b"x"), 10);
    assert!(l.is_empty() && l.chunks.is_empty());
}

#[test]
fn trim_like_ltrim() {
    let e = enc(3);
    let cases: &[(i64, i64, std::ops::Range<usize>)] = &[
        (0, -1, 0..10),
        (1, -2, 1..9),
        (3, 3, 3..4),
        (0, 0, 0..1),
        (-1, -1, 9..10),
        (-100, 100, 0..10),
        (4, 100, 4..10),
        (5, 4, 0..0),
        (10, 20, 0..0),
        (-100, -50, 0..0),
        (2, 7, 2..8),
    ];
    for (s, t, want) in cases.iter().cloned() {
        let mut l = numbered(10, &e);
        l.trim(s, t);
        l.check_invariants(Some(&e));
        assert_eq!(strs(&l), nums(want), "trim {s} {t}");
    }
}

#[test]
fn range_like_lrange() {
    let e = enc(3);
    let l = numbered(10, &e);
    let r = |s, t| {
        l.range(s, t)
            .map(|e| String::from_utf8(e.to_vec()).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(r(0, -1), nums(0..10));
    assert_eq!(r(2, 5), nums(2..6));
    assert_eq!(r(-3, -1), nums(7..10));
    assert_eq!(r(-100, 1), nums(0..2));
    assert_eq!(r(8, 100), nums(8..10));
    assert_eq!(r(5, 4), nums(0..0));
    assert_eq!(r(10, 10), nums(0..0));
    assert_eq!(r(i64::MIN, i64::MAX), nums(0..10));
    for s in 0..10 {
        for t in s..10 {
            let it = l.range(s as i64, t as i64);
            assert_eq!(it.len(), t - s + 1);
            let back: Vec<_> = it.rev().map(<[u8]>::to_vec).collect();
            let want: Vec<_> = nums(s..t + 1)
                .into_iter()
                .rev()
                .map(String::into_bytes)
                .collect();
            assert_eq!(back, want);
        }
    }
    // Both ends of one iterator meet in the middle.
    let mut it = l.range(1, 8);
    let mut got = Vec::new();
    while let (Some(a), b) = (it.next(), it.next_back()) {
        got.push(a);
        got.extend(b);
    }
    assert_eq!(got.len(), 8);
    assert_eq!(it.next(), None);
}

#[test]
fn position_like_lpos() {
    let e = enc(2);
    let l = List::from_elements(["a", "b", "c", "1", "2", "3", "c", "c"], &e);
    assert_eq!(l.position(b"c", 1, 1, 0), [2]);
    assert_eq!(l.position(b"c", 3, 1, 0), [7]);
    assert_eq!(l.position(b"c", 4, 1, 0), Vec::<usize>::new());
    assert_eq!(l.position(b"c", -2, 0, 0), [6, 2]);
    assert_eq!(l.position(b"c", -1, 0, 2), [7, 6]);
    assert_eq!(l.position(b"c", -1, 0, 1), [7]);
    assert_eq!(l.position(b"a", -1, 0, 7), Vec::<usize>::new());
    assert_eq!(l.position(b"a", -1, 0, 8), [0]);
    assert_eq!(l.position(b"c", 0, 0, 0), [2, 6, 7]);
    assert_eq!(l.position(b"c", i64::MIN, 0, 0), Vec::<usize>::new());
}

#[test]
fn large_elements_get_their_own_chunk() {
    let e = Encodings::default();
    let big = vec![7u8; 100_000];
    let mut l = List::from_elements([&b"a"[..], &big, b"b"], &e);
    assert_eq!(l.chunks.len(), 3);
    assert_eq!(l.chunks[1].capacity(), 100_000 + 2 * 5);
    l.push_back(&big, &e);
    l.push_front(&big, &e);
    assert_eq!(l.chunks.len(), 5);
    l.check_invariants(Some(&e));
    assert_eq!(l.get(2), Some(&big[..]));
    assert_eq!(l.insert(false, &big, b"m", &e), Some(6));
    assert_eq!(l.get(0), Some(&big[..]));
    assert_eq!(l.get(1), Some(&b"m"[..]));
    assert_eq!(l.remove(0, &big), 3);
    assert_eq!(strs(&l), ["m", "a", "b"]);
}

#[test]
fn element_lengths_in_every_tag_form() {
    let e = enc(-5);
    let sizes = [
        0, 1, 6, 7, 8, 127, 128, 129, 4095, 4096, 65535, 65536, 70_000,
    ];
    let vals: Vec<Vec<u8>> = sizes
        .iter()
        .map(|&n| (0..n).map(|i| (i % 251) as u8).collect())
        .collect();
    let mut l = List::new();
    for v in &vals {
        l.push_back(v, &e);
        l.push_front(v, &e);
        l.check_invariants(Some(&e));
    }
    let mut want: Vec<Vec<u8>> = vals.iter().rev().cloned().collect();
    want.extend(vals.iter().cloned());
    assert_eq!(elems(&l), want);
    // Every neighbour pairing of sizes, through set, insert and remove.
    let mut m: VecDeque<Vec<u8>> = want.into();
    for (i, v) in vals.iter().enumerate() {
        assert!(l.set(i as i64, v, &e));
        m[i] = v.clone();
        let at = m.iter().position(|x| x == v).unwrap();
        assert!(l.insert(false, v, b"", &e).is_some());
        m.insert(at + 1, vec![]);
        l.check_invariants(Some(&e));
    }
    let empties = m.iter().filter(|x| x.is_empty()).count();
    assert_eq!(l.remove(0, b""), empties);
    m.retain(|x| !x.is_empty());
    assert_eq!(elems(&l), Vec::from(m));
    while l.pop_front().is_some() {
        l.check_invariants(Some(&e));
    }
}

#[test]
fn fill_sets_chunk_limits() {
    let bytes = |fill: i64| limits(&enc(fill)).bytes;
    assert_eq!(
        [-1, -2, -3, -4, -5, -6, i64::MIN].map(bytes),
        [4096, 8192, 16384, 32768, 65536, 65536, 65536]
    );
    assert_eq!(limits(&enc(0)).count, 1);
    assert_eq!(limits(&enc(5)).count, 5);
    assert_eq!(limits(&enc(i64::MAX)).count, 32767);
    for fill in [1, 2, 5, 100, -1, -2, -5, 0] {
        let e = enc(fill);
        let l = numbered(5000, &e);
        l.check_invariants(Some(&e));
        let lim = limits(&e);
        // Chunks are full, bar the last one.
        let full = l.chunks.iter().rev().skip(1).all(|c| {
            c.len() == lim.count || c.capacity() + 12 > lim.bytes.min(lim.count as usize * 6 + 6)
        });
        assert!(full, "fill {fill}");
    }
    // Positive fills are bounded by 8 KiB too.
    let e = enc(1000);
    let l = List::from_elements(std::iter::repeat_n([b'x'; 100], 200), &e);
    l.check_invariants(Some(&e));
    assert!(l.chunks.len() >= 3);
}

#[test]
fn changing_fill_applies_to_new_chunks() {
    let e = enc(-1);
    let mut l = numbered(2000, &e);
    e.set_list_max_listpack_size(2);
    for i in 0..10 {
        l.push_back(b"x", &e);
        l.push_front(b"y", &e);
        assert!(l.set(1000 + i, b"zzz", &e));
        l.insert(true, b"1500", b"w", &e);
    }
    l.check_invariants(None);
    assert_eq!(l.len(), 2030);
}

#[test]
fn queue_traffic_keeps_few_small_chunks() {
    let e = Encodings::default();
    let mut l = List::new();
    for i in 0..100_000u32 {
        l.push_back(&i.to_be_bytes(), &e);
        if i >= 50 {
            let v = l.pop_front().unwrap();
            assert_eq!(*v, (i - 50).to_be_bytes());
        }
    }
    l.check_invariants(Some(&e));
    assert_eq!(l.len(), 50);
    assert!(l.chunks.len() <= 2);
    assert!(l.mem_usage() < 1024, "{}", l.mem_usage());
    // Draining gives memory back.
    let mut l = numbered(10_000, &e);
    l.trim(0, 9);
    l.check_invariants(Some(&e));
    assert!(l.mem_usage() < 256, "{}", l.mem_usage());
    let mut l = numbered(10_000, &e);
    while l.len() > 10 {
        l.pop_back();
    }
    assert!(l.mem_usage() < 256, "{}", l.mem_usage());
}

#[test]
fn debug_eq_and_clone() {
    let e = enc(2);
    let l = List::from_elements(["a", "b\n", "c"], &e);
    assert_eq!(format!("{l:?}"), r#"["a", "b\\n", "c"]"#);
    let mut m = l.clone();
    assert_eq!(l, m);
    m.set(0, b"z", &e);
    assert_ne!(l, m);
    assert_ne!(l, List::from_elements(["a", "b\n"], &e));
    assert_eq!(List::new().encoding(), "quicklist");
    assert_eq!((&l).into_iter().count(), 3);
}

/// Bytes per element for 1M 10-byte elements pushed at either end.
#[test]
fn memory_per_element() {
    let e = Encodings::default();
    let n = 1_000_000;
    let mut back = List::new();
    let mut front = List::new();
    for i in 0..n {
        let v = format!("{i:010}");
        back.push_back(v.as_bytes(), &e);
        front.push_front(v.as_bytes(), &e);
    }
    let per_back = back.mem_usage() as f64 / n as f64;
    let per_front = front.mem_usage() as f64 / n as f64;
    println!("1M 10-byte elements: {per_back:.3} B/element (push_back), {per_front:.3} (push_front), {} chunks", back.chunks.len());
    assert!(
        per_back < 11.2 && per_front < 11.2,
        "{per_back} {per_front}"
    );
    assert_eq!(std::mem::size_of::<List>(), 40);
    assert_eq!(std::mem::size_of::<Chunk>(), 32);
}

#[derive(Debug, Clone)]
enum Op {
    PushFront(Vec<u8>),
    PushBack(Vec<u8>),
    PopFront,
    PopBack,
    Get(i64),
    Set(i64, Vec<u8>),
    Insert(bool, usize, Vec<u8>),
    Remove(i64, Vec<u8>),
    Trim(i64, i64),
    Range(i64, i64),
    Position(Vec<u8>, i64, usize, usize),
    Fill(i64),
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => prop::sample::select(vec![&b"a"[..], b"b", b"c", b""]).prop_map(<[u8]>::to_vec),
        2 => prop::collection::vec(any::<u8>(), 0..300),
        1 => (100usize..5000).prop_map(|n| vec![b'L'; n]),
    ]
}

fn fill() -> impl Strategy<Value = i64> {
    prop_oneof![1i64..=5, -5i64..=-1, Just(0)]
}

fn op() -> impl Strategy<Value = Op> {
    let idx = -25i64..25;
    prop_oneof![
        4 => value().prop_map(Op::PushFront),
        4 => value().prop_map(Op::PushBack),
        2 => Just(Op::PopFront),
        2 => Just(Op::PopBack),
        1 => idx.clone().prop_map(Op::Get),
        2 => (idx.clone(), value()).prop_map(|(i, v)| Op::Set(i, v)),
        2 => (any::<bool>(), 0usize..30, value()).prop_map(|(b, p, v)| Op::Insert(b, p, v)),
        1 => (-4i64..4, value()).prop_map(|(c, v)| Op::Remove(c, v)),
        1 => (idx.clone(), idx.clone()).prop_map(|(s, t)| Op::Trim(s, t)),
        1 => (idx.clone(), idx.clone()).prop_map(|(s, t)| Op::Range(s, t)),
        1 => (value(), prop_oneof![-3i64..0, 1i64..4], 0usize..4, 0usize..20)
            .prop_map(|(v, r, c, m)| Op::Position(v, r, c, m)),
        1 => fill().prop_map(Op::Fill),
    ]
}

/// Redis's LRANGE/LTRIM index rules, as in its source.
fn redis_range(len: usize, mut start: i64, mut end: i64) -> Option<(usize, usize)> {
    let llen = len as i64;
    if start < 0 {
        start += llen;
    }
    if end < 0 {
        end += llen;
    }
    if start < 0 {
        start = 0;
    }
    if start > end || start >= llen {
        return None;
    }
    if end >= llen {
        end = llen - 1;
    }
    Some((start as usize, end as usize))
}

fn model_index(len: usize, i: i64) -> Option<usize> {
    let i = if i < 0 { len as i64 + i } else { i };
    (0..len as i64).contains(&i).then_some(i as usize)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn matches_a_vecdeque(start_fill in fill(), ops in prop::collection::vec(op(), 1..200)) {
        let e = enc(start_fill);
        let mut fill_changed = false;
        let mut l = List::new();
        let mut m: VecDeque<Vec<u8>> = VecDeque::new();
        for op in ops {
            match op {
                Op::PushFront(v) => { l.push_front(&v, &e); m.push_front(v); }
                Op::PushBack(v) => { l.push_back(&v, &e); m.push_back(v); }
                Op::PopFront => prop_assert_eq!(l.pop_front().map(|k| k.to_vec()), m.pop_front()),
                Op::PopBack => prop_assert_eq!(l.pop_back().map(|k| k.to_vec()), m.pop_back()),
                Op::Get(i) => prop_assert_eq!(l.get(i), model_index(m.len(), i).map(|i| &m[i][..])),
                Op::Set(i, v) => {
                    let want = model_index(m.len(), i);
                    prop_assert_eq!(l.set(i, &v, &e), want.is_some());
                    if let Some(i) = want { m[i] = v; }
                }
                Op::Insert(before, p, v) => {
                    // Pivot: an element of the list when there is one.
                    let pivot = if m.is_empty() { b"a".to_vec() } else { m[p % m.len()].clone() };
                    let at = m.iter().position(|x| *x == pivot);
                    let got = l.insert(before, &pivot, &v, &e);
                    match at {
                        None => prop_assert_eq!(got, None),
                        Some(at) => {
                            m.insert(if before { at } else { at + 1 }, v);
                            prop_assert_eq!(got, Some(m.len()));
                        }
                    }
                }
                Op::Remove(count, v) => {
                    let mut left = if count == 0 { usize::MAX } else { count.unsigned_abs() as usize };
                    let mut idx: Vec<usize> = (0..m.len()).filter(|&i| m[i] == v).collect();
                    if count < 0 { idx.reverse(); }
                    idx.truncate(left.min(idx.len()));
                    left = idx.len();
                    idx.sort_unstable();
                    for i in idx.into_iter().rev() { m.remove(i); }
                    prop_assert_eq!(l.remove(count, &v), left);
                }
                Op::Trim(s, t) => {
                    l.trim(s, t);
                    match redis_range(m.len(), s, t) {
                        None => m.clear(),
                        Some((s, t)) => { m.truncate(t + 1); m.drain(..s); }
                    }
                }
                Op::Range(s, t) => {
                    let want: Vec<&[u8]> = match redis_range(m.len(), s, t) {
                        None => vec![],
                        Some((s, t)) => m.range(s..=t).map(|v| &v[..]).collect(),
                    };
                    let it = l.range(s, t);
                    prop_assert_eq!(it.len(), want.len());
                    prop_assert_eq!(it.clone().collect::<Vec<_>>(), want.clone());
                    let mut rev: Vec<&[u8]> = it.rev().collect();
                    rev.reverse();
                    prop_assert_eq!(rev, want);
                }
                Op::Position(v, rank, count, maxlen) => {
                    let n = m.len();
                    let lim = if maxlen == 0 { n } else { maxlen.min(n) };
                    let order: Vec<usize> = if rank > 0 { (0..lim).collect() } else { (n - lim..n).rev().collect() };
                    let mut want: Vec<usize> = order.into_iter().filter(|&i| m[i] == v).skip(rank.unsigned_abs() as usize - 1).collect();
                    if count > 0 { want.truncate(count); }
                    prop_assert_eq!(l.position(&v, rank, count, maxlen), want);
                }
                Op::Fill(f) => {
                    e.set_list_max_listpack_size(f);
                    fill_changed = true;
                }
            }
            let got = l.check_invariants((!fill_changed).then_some(&e));
            prop_assert_eq!(got.len(), m.len());
            prop_assert!(got.iter().eq(m.iter()));
            prop_assert_eq!(l.len(), m.len());
        }
    }
}
