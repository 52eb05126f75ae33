//! Redis's glob patterns (`KEYS`, `SCAN MATCH`, `CONFIG GET`): `*`, `?`,
//! `[abc]`, `[^a-z]`, and `\` escapes, matched on bytes.

/// Whether `text` matches `pattern`, optionally ignoring ASCII case.
///
/// ```
/// use kvs_server::glob::matches;
/// assert!(matches(b"user:*", b"user:42", false));
/// assert!(matches(b"h?llo", b"hallo", false));
/// assert!(matches(b"h[^e]llo", b"hallo", false));
/// assert!(!matches(b"h[a-b]llo", b"hello", false));
/// assert!(matches(b"MAX*", b"maxclients", true));
/// ```
pub fn matches(pattern: &[u8], text: &[u8], nocase: bool) -> bool {
    let eq = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut t) = (0, 0);
    // Backtracking point for the last `*`: (pattern after it, text position).
    let mut star: Option<(usize, usize)> = None;
    loop {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    while p < pattern.len() && pattern[p] == b'*' {
                        p += 1;
                    }
                    star = Some((p, t));
                    continue;
                }
                b'?' if t < text.len() => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' if t < text.len() => {
                    if let Some((hit, next)) = class(pattern, p + 1, text[t], nocase) {
                        if hit {
                            p = next;
                            t += 1;
                            continue;
                        }
                    }
                }
                b'\\' if p + 1 < pattern.len() && t < text.len() && eq(pattern[p + 1], text[t]) => {
                    p += 2;
                    t += 1;
                    continue;
                }
                c if t < text.len()
                    && c != b'?'
                    && c != b'['
                    && (c != b'\\' || p + 1 == pattern.len())
                    && eq(c, text[t]) =>
                {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
        } else if t == text.len() {
            return true;
        }
        match star {
            Some((sp, st)) if st < text.len() => {
                star = Some((sp, st + 1));
                p = sp;
                t = st + 1;
            }
            _ => return false,
        }
    }
}

/// Matches `c` against the class starting at `at` (just after `[`): whether
/// it matched, and the pattern position after `]`.
fn class(pattern: &[u8], mut at: usize, c: u8, nocase: bool) -> Option<(bool, usize)> {
    let fold = |b: u8| if nocase { b.to_ascii_lowercase() } else { b };
    let c = fold(c);
    let negate = pattern.get(at) == Some(&b'^');
    if negate {
        at += 1;
    }
    let mut hit = false;
    loop {
        let &b = pattern.get(at)?;
        match b {
            b']' => return Some((hit != negate, at + 1)),
            b'\\' if at + 1 < pattern.len() => {
                hit |= fold(pattern[at + 1]) == c;
                at += 2;
            }
            _ if pattern.get(at + 1) == Some(&b'-')
                && at + 2 < pattern.len()
                && pattern[at + 2] != b']' =>
            {
                let (mut lo, mut hi) = (fold(b), fold(pattern[at + 2]));
                if lo > hi {
                    std::mem::swap(&mut lo, &mut hi);
                }
                hit |= (lo..=hi).contains(&c);
                at += 3;
            }
            _ => {
                hit |= fold(b) == c;
                at += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn stars_backtrack() {
        assert!(matches(b"*", b"", false));
        assert!(matches(b"a*b*c", b"axxbyyc", false));
        assert!(!matches(b"a*b*c", b"axxbyy", false));
        assert!(matches(b"*:*:x", b"a:b:c:x", false));
        assert!(matches(b"\\*", b"*", false));
        assert!(!matches(b"\\*", b"a", false));
        assert!(!matches(b"?", b"", false));
        assert!(!matches(b"[ab", b"a", false));
    }
}
