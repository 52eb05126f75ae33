//! Hash commands: replies and error texts byte for byte (each expected
//! text is what Redis 7.0.15 replied to the same request), RESP3 reply
//! types, and through a real client.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use common::*;
use redis::Commands;

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

fn arity(cmd: &str) -> String {
    err(&format!(
        "ERR wrong number of arguments for '{cmd}' command"
    ))
}

/// `*N` followed by the bulk strings.
fn bulks(items: &[&str]) -> String {
    let mut out = format!("*{}\r\n", items.len());
    for i in items {
        out.push_str(&bulk(i));
    }
    out
}

/// The bulk strings of a flat array reply (nested arrays flattened).
fn parse_bulks(reply: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = reply.split("\r\n");
    while let Some(l) = lines.next() {
        if l.starts_with('$') && l != "$-1" {
            out.push(lines.next().unwrap().to_string());
        }
    }
    out
}

#[test]
fn hset_hget_hmset_and_arity() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("HSET h a"), arity("hset"));
    assert_eq!(r.cmd("HSET h"), arity("hset"));
    assert_eq!(r.cmd("HSET h a 1 b"), arity("hset"));
    assert_eq!(r.cmd("HMSET h a"), arity("hmset"));
    assert_eq!(r.cmd("HMSET h a 1 b"), arity("hmset"));
    // The odd-argument HSET created nothing.
    assert_eq!(r.cmd("EXISTS h"), int(0));
    assert_eq!(r.cmd("HSET h a 1 b 2"), int(2));
    assert_eq!(r.cmd("HSET h a 1 c 3"), int(1));
    // A field given twice counts once, the last value wins.
    assert_eq!(r.cmd("HSET h a 1 a 2"), int(0));
    assert_eq!(r.cmd("HSET n x 1 x 2"), int(1));
    assert_eq!(r.cmd("HMSET h d 4"), OK);
    assert_eq!(r.cmd("HGET h a"), bulk("2"));
    assert_eq!(r.cmd("HGET h d"), bulk("4"));
    assert_eq!(r.cmd("HGET h nope"), NIL);
    assert_eq!(r.cmd("HGET nokey a"), NIL);
    assert_eq!(r.cmd("HGET h"), arity("hget"));
    assert_eq!(r.cmd("HLEN h"), int(4));
    assert_eq!(r.cmd("HLEN nokey"), int(0));
    assert_eq!(r.cmd("TYPE h"), "+hash\r\n");
    // An odd HSET on an existing hash changes nothing either.
    assert_eq!(r.cmd("HSET h a 9 zz"), arity("hset"));
    assert_eq!(r.cmd("HGET h a"), bulk("2"));
    assert_eq!(r.cmd("HLEN h"), int(4));
    // Binary-safe fields and values, and empty ones.
    assert_eq!(
        r.cmd_bin(&[b"HSET", b"b", b"", b"", b"f\r\n", b"\0v"]),
        int(2)
    );
    assert_eq!(r.cmd_bin(&[b"HGET", b"b", b"f\r\n"]), "$2\r\n\0v\r\n");
    assert_eq!(r.cmd_bin(&[b"HGET", b"b", b""]), bulk(""));
}

#[test]
fn hsetnx_hexists_hstrlen_hmget() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("HSETNX h a 1"), int(1));
    assert_eq!(r.cmd("HSETNX h a 2"), int(0));
    assert_eq!(r.cmd("HGET h a"), bulk("1"));
    assert_eq!(r.cmd("HSETNX h"), arity("hsetnx"));
    assert_eq!(r.cmd("HSETNX h a 1 2"), arity("hsetnx"));
    assert_eq!(r.cmd("HEXISTS h a"), int(1));
    assert_eq!(r.cmd("HEXISTS h b"), int(0));
    assert_eq!(r.cmd("HEXISTS nokey b"), int(0));
    assert_eq!(r.cmd("HSET h long hello"), int(1));
    assert_eq!(r.cmd("HSTRLEN h long"), int(5));
    assert_eq!(r.cmd("HSTRLEN h nope"), int(0));
    assert_eq!(r.cmd("HSTRLEN nokey a"), int(0));
    assert_eq!(
        r.cmd("HMGET h a nope long"),
        "*3\r\n$1\r\n1\r\n$-1\r\n$5\r\nhello\r\n"
    );
    assert_eq!(r.cmd("HMGET nokey a b"), "*2\r\n$-1\r\n$-1\r\n");
    assert_eq!(r.cmd("HMGET h"), arity("hmget"));
}

#[test]
fn hdel_removes_and_an_emptied_hash_disappears() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("HSET h a 1 b 2 c 3"), int(3));
    assert_eq!(r.cmd("HDEL h a nope b"), int(2));
    assert_eq!(r.cmd("HDEL h a"), int(0));
    assert_eq!(r.cmd("HDEL nokey a"), int(0));
    assert_eq!(r.cmd("HDEL h"), arity("hdel"));
    assert_eq!(r.cmd("HGETALL h"), bulks(&["c", "3"]));
    assert_eq!(r.cmd("HDEL h c"), int(1));
    assert_eq!(r.cmd("EXISTS h"), int(0));
    assert_eq!(r.cmd("TYPE h"), "+none\r\n");
    assert_eq!(r.cmd("HLEN h"), int(0));
    // A hashtable-encoded hash emptied field by field goes too.
    let fields: Vec<String> = (0..600).map(|i| format!("f{i}")).collect();
    let mut args: Vec<&[u8]> = vec![b"HSET", b"big"];
    for f in &fields {
        args.push(f.as_bytes());
        args.push(b"v");
    }
    assert_eq!(r.cmd_bin(&args), int(600));
    let mut del: Vec<&[u8]> = vec![b"HDEL", b"big"];
    del.extend(fields.iter().map(|f| f.as_bytes()));
    assert_eq!(r.cmd_bin(&del), int(600));
    assert_eq!(r.cmd("EXISTS big"), int(0));
    // A command that fails on a missing key leaves no empty hash behind.
    assert_eq!(
        r.cmd("HINCRBYFLOAT z f abc"),
        err("ERR value is not a valid float")
    );
    assert_eq!(r.cmd("HINCRBY y f 9223372036854775807"), int(i64::MAX));
    assert_eq!(
        r.cmd("HINCRBY y f 1"),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(r.cmd("EXISTS z"), int(0));
}

#[test]
fn hkeys_hvals_hgetall_in_insertion_order() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("HKEYS nokey"), "*0\r\n");
    assert_eq!(r.cmd("HVALS nokey"), "*0\r\n");
    assert_eq!(r.cmd("HGETALL nokey"), "*0\r\n");
    assert_eq!(r.cmd("HSET h b 2 a 1 c 3"), int(3));
    assert_eq!(r.cmd("HKEYS h"), bulks(&["b", "a", "c"]));
    assert_eq!(r.cmd("HVALS h"), bulks(&["2", "1", "3"]));
    assert_eq!(r.cmd("HGETALL h"), bulks(&["b", "2", "a", "1", "c", "3"]));
    assert_eq!(r.cmd("HKEYS h x"), arity("hkeys"));
    assert_eq!(r.cmd("HGETALL"), arity("hgetall"));
}

#[test]
fn wrong_type_both_ways() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET s str"), OK);
    for cmd in [
        "HSET s a 1",
        "HMSET s a 1",
        "HSETNX s a 1",
        "HGET s a",
        "HMGET s a",
        "HDEL s a",
        "HEXISTS s a",
        "HLEN s",
        "HSTRLEN s a",
        "HKEYS s",
        "HVALS s",
        "HGETALL s",
        "HINCRBY s a 1",
        "HINCRBYFLOAT s a 1",
        "HRANDFIELD s",
        "HRANDFIELD s 0",
        "HRANDFIELD s -2 WITHVALUES",
        "HSCAN s 0",
        "HSCAN s 0 COUNT 0",
    ] {
        assert_eq!(r.cmd(cmd), err(WRONGTYPE), "{cmd}");
    }
    // Argument errors come before the type check, as in Redis.
    assert_eq!(r.cmd("HSET s a 1 b"), arity("hset"));
    assert_eq!(
        r.cmd("HINCRBY s a x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r.cmd("HINCRBYFLOAT s a x"),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        r.cmd("HINCRBYFLOAT s a inf"),
        err("ERR value is NaN or Infinity")
    );
    assert_eq!(r.cmd("HSCAN s x"), err("ERR invalid cursor"));
    assert_eq!(
        r.cmd("HRANDFIELD s x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("GET s"), bulk("str"));
    // String commands on a hash.
    assert_eq!(r.cmd("HSET h a 1"), int(1));
    for cmd in [
        "GET h",
        "INCR h",
        "APPEND h x",
        "STRLEN h",
        "GETRANGE h 0 1",
    ] {
        assert_eq!(r.cmd(cmd), err(WRONGTYPE), "{cmd}");
    }
    assert_eq!(r.cmd("HGET h a"), bulk("1"));
}

#[test]
fn writes_keep_the_ttl() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("HSET h a 1"), int(1));
    assert_eq!(r.cmd("EXPIRE h 100"), int(1));
    assert_eq!(r.cmd("HSET h b 2"), int(1));
    assert_eq!(r.cmd("HMSET h a 3"), OK);
    assert_eq!(r.cmd("HSETNX h c 3"), int(1));
    assert_eq!(r.cmd("HINCRBY h n 1"), int(1));
    assert_eq!(r.cmd("HINCRBYFLOAT h x 1.5"), bulk("1.5"));
    assert_eq!(r.cmd("HDEL h a"), int(1));
    assert_eq!(r.cmd("TTL h"), int(100));
    s.clock.advance(Duration::from_secs(100));
    assert_eq!(r.cmd("HGET h b"), NIL);
    assert_eq!(r.cmd("EXISTS h"), int(0));
}

#[test]
fn hincrby_errors_and_overflow() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("HINCRBY h c 5"), int(5));
    assert_eq!(r.cmd("HINCRBY h c -8"), int(-3));
    assert_eq!(
        r.cmd("HINCRBY h c x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r.cmd("HINCRBY h c 1.5"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r.cmd("HINCRBY h c 9223372036854775808"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("HINCRBY h c"), arity("hincrby"));
    for bad in ["abc", "", "-0", "007", "1.5", " 1"] {
        assert_eq!(r.cmd_bin(&[b"HSET", b"h", b"bad", bad.as_bytes()]), int(1));
        assert_eq!(
            r.cmd("HINCRBY h bad 1"),
            err("ERR hash value is not an integer"),
            "{bad:?}"
        );
        assert_eq!(r.cmd_bin(&[b"HGET", b"h", b"bad"]), bulk(bad));
        assert_eq!(r.cmd("HDEL h bad"), int(1));
    }
    assert_eq!(r.cmd("HSET h big 9223372036854775807"), int(1));
    assert_eq!(
        r.cmd("HINCRBY h big 1"),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(r.cmd("HGET h big"), bulk("9223372036854775807"));
    assert_eq!(r.cmd("HINCRBY h c -9223372036854775805"), int(i64::MIN));
    assert_eq!(
        r.cmd("HINCRBY h c -1"),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(r.cmd("HGET h c"), bulk("-9223372036854775808"));
}

#[test]
fn hincrbyfloat_formatting_and_refusals() {
    let s = TestServer::start();
    let mut r = s.raw();
    // Redis's documented examples and the replies it gave.
    assert_eq!(r.cmd("HSET h f 10.50"), int(1));
    assert_eq!(r.cmd("HINCRBYFLOAT h f 0.1"), bulk("10.6"));
    assert_eq!(r.cmd("HINCRBYFLOAT h f -5"), bulk("5.6"));
    assert_eq!(r.cmd("HSET h f 5.0e3"), int(0));
    assert_eq!(r.cmd("HINCRBYFLOAT h f 2.0e2"), bulk("5200"));
    assert_eq!(r.cmd("HGET h f"), bulk("5200"));
    for (by, want) in [
        ("1e-10", "0.0000000001"),
        ("3.0e3", "3000"),
        ("5.0e-3", "0.005"),
        ("1.0", "1"),
        ("-0.0", "0"),
        ("1e17", "100000000000000000"),
        ("1e-20", "0"),
        ("1.5e-17", "0.00000000000000002"),
        ("+1.5", "1.5"),
        (".5", "0.5"),
        ("5.", "5"),
    ] {
        assert_eq!(
            r.cmd(&format!("HINCRBYFLOAT n{by} f {by}")),
            bulk(want),
            "{by}"
        );
    }
    assert_eq!(r.cmd("HSET h e 1e3"), int(1));
    assert_eq!(r.cmd("HINCRBYFLOAT h e 1"), bulk("1001"));
    assert_eq!(
        r.cmd("HINCRBYFLOAT h f abc"),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        r.cmd("HINCRBYFLOAT h f nan"),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        r.cmd("HINCRBYFLOAT h f inf"),
        err("ERR value is NaN or Infinity")
    );
    assert_eq!(
        r.cmd("HINCRBYFLOAT h f -inf"),
        err("ERR value is NaN or Infinity")
    );
    assert_eq!(r.cmd("HINCRBYFLOAT h f"), arity("hincrbyfloat"));
    for bad in ["abc", "", "1.5abc", " 1", "1 "] {
        assert_eq!(r.cmd_bin(&[b"HSET", b"h", b"bad", bad.as_bytes()]), int(1));
        assert_eq!(
            r.cmd("HINCRBYFLOAT h bad 1"),
            err("ERR hash value is not a float"),
            "{bad:?}"
        );
        assert_eq!(r.cmd("HDEL h bad"), int(1));
    }
    // A stored infinity is a float, but the sum is refused, and kept.
    assert_eq!(r.cmd("HSET h i inf"), int(1));
    assert_eq!(
        r.cmd("HINCRBYFLOAT h i 1"),
        err("ERR increment would produce NaN or Infinity")
    );
    assert_eq!(r.cmd("HGET h i"), bulk("inf"));
    assert_eq!(r.cmd("HGET h f"), bulk("5200"));
    // A bulk string in RESP3 too, not a double.
    assert!(r.cmd("HELLO 3").starts_with("%7\r\n"));
    assert_eq!(r.cmd("HINCRBYFLOAT h f 0.5"), bulk("5200.5"));
}

#[test]
fn hrandfield_arguments_and_missing_key() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("HRANDFIELD nokey"), NIL);
    assert_eq!(r.cmd("HRANDFIELD nokey 5"), "*0\r\n");
    assert_eq!(r.cmd("HRANDFIELD nokey -5"), "*0\r\n");
    assert_eq!(r.cmd("HRANDFIELD nokey 5 WITHVALUES"), "*0\r\n");
    assert_eq!(r.cmd("HRANDFIELD nokey 0"), "*0\r\n");
    let not_int = err("ERR value is not an integer or out of range");
    let range = err(
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
    );
    let half = err("ERR value is out of range");
    assert_eq!(r.cmd("HSET h a 1 b 2 c 3"), int(3));
    for key in ["nokey", "h"] {
        assert_eq!(r.cmd(&format!("HRANDFIELD {key} x")), not_int);
        assert_eq!(r.cmd(&format!("HRANDFIELD {key} 1.5")), not_int);
        assert_eq!(r.cmd(&format!("HRANDFIELD {key} x WITHVALUES")), not_int);
        assert_eq!(
            r.cmd(&format!("HRANDFIELD {key} 1 bogus")),
            err("ERR syntax error")
        );
        assert_eq!(
            r.cmd(&format!("HRANDFIELD {key} 1 WITHVALUES x")),
            err("ERR syntax error")
        );
        assert_eq!(
            r.cmd(&format!("HRANDFIELD {key} -9223372036854775808")),
            range
        );
        assert_eq!(
            r.cmd(&format!("HRANDFIELD {key} -9223372036854775808 bogus")),
            range
        );
        assert_eq!(
            r.cmd(&format!("HRANDFIELD {key} -4611686018427387904 WITHVALUES")),
            half
        );
        assert_eq!(
            r.cmd(&format!("HRANDFIELD {key} 4611686018427387904 WITHVALUES")),
            half
        );
        assert_eq!(
            r.cmd(&format!("HRANDFIELD {key} -4611686018427387904 bogus")),
            err("ERR syntax error")
        );
    }
    assert_eq!(r.cmd("HRANDFIELD h 0"), "*0\r\n");
    assert_eq!(r.cmd("HRANDFIELD h 0 WITHVALUES"), "*0\r\n");
    // A count within the limit but past the size gives the whole hash.
    let all = r.cmd("HRANDFIELD h 4611686018427387903 withvalues");
    let mut got = parse_bulks(&all);
    assert!(all.starts_with("*6\r\n"), "{all}");
    got.sort();
    assert_eq!(got, ["1", "2", "3", "a", "b", "c"]);
}

#[test]
fn hrandfield_distinct_and_repeated() {
    let s = TestServer::start();
    let mut c = s.client();
    for n in [5usize, 200, 1000] {
        let key = format!("h{n}");
        let pairs: Vec<(String, String)> =
            (0..n).map(|i| (format!("f{i}"), format!("v{i}"))).collect();
        let _: () = c.hset_multiple(&key, &pairs).unwrap();
        let all: HashMap<String, String> = pairs.into_iter().collect();
        // No count: one field that exists.
        let f: String = redis::cmd("HRANDFIELD").arg(&key).query(&mut c).unwrap();
        assert!(all.contains_key(&f));
        // Positive count: distinct fields, at most the hash.
        for count in [1, 3, n / 2, n - 1, n, n + 10] {
            let got: Vec<String> = redis::cmd("HRANDFIELD")
                .arg(&key)
                .arg(count)
                .query(&mut c)
                .unwrap();
            assert_eq!(got.len(), count.min(n));
            let distinct: HashSet<_> = got.iter().collect();
            assert_eq!(distinct.len(), got.len(), "count {count}: repeats");
            assert!(got.iter().all(|f| all.contains_key(f)));
        }
        // With values: pairs that belong together.
        let got: Vec<String> = redis::cmd("HRANDFIELD")
            .arg(&key)
            .arg(4)
            .arg("WITHVALUES")
            .query(&mut c)
            .unwrap();
        assert_eq!(got.len(), 2 * 4.min(n));
        for p in got.chunks(2) {
            assert_eq!(all[&p[0]], p[1]);
        }
        // Negative count: exactly -count picks, repeats allowed (and
        // certain among 3n picks of n fields).
        let got: Vec<String> = redis::cmd("HRANDFIELD")
            .arg(&key)
            .arg(-(3 * n as i64))
            .query(&mut c)
            .unwrap();
        assert_eq!(got.len(), 3 * n);
        assert!(got.iter().all(|f| all.contains_key(f)));
        let distinct: HashSet<_> = got.iter().collect();
        assert!(distinct.len() < got.len());
        let got: Vec<String> = redis::cmd("HRANDFIELD")
            .arg(&key)
            .arg(-7)
            .arg("withvalues")
            .query(&mut c)
            .unwrap();
        assert_eq!(got.len(), 14);
        for p in got.chunks(2) {
            assert_eq!(all[&p[0]], p[1]);
        }
    }
    // Every field of a small hash comes up in enough single picks.
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let f: String = redis::cmd("HRANDFIELD").arg("h5").query(&mut c).unwrap();
        seen.insert(f);
    }
    assert_eq!(seen.len(), 5);
}

#[test]
fn hscan_arguments() {
    let s = TestServer::start();
    let mut r = s.raw();
    let empty = "*2\r\n$1\r\n0\r\n*0\r\n";
    assert_eq!(r.cmd("HSCAN nokey 0"), empty);
    // A missing key ends the scan before the options are looked at.
    assert_eq!(r.cmd("HSCAN nokey 0 COUNT 0"), empty);
    assert_eq!(r.cmd("HSCAN nokey x"), err("ERR invalid cursor"));
    assert_eq!(r.cmd("HSCAN nokey"), arity("hscan"));
    assert_eq!(r.cmd("HSET h a 1 b 2 c 3"), int(3));
    assert_eq!(r.cmd("HSCAN h x"), err("ERR invalid cursor"));
    assert_eq!(
        r.cmd("HSCAN h 18446744073709551616"),
        err("ERR invalid cursor")
    );
    assert_eq!(r.cmd("HSCAN h 0 COUNT 0"), err("ERR syntax error"));
    assert_eq!(r.cmd("HSCAN h 0 COUNT -1"), err("ERR syntax error"));
    assert_eq!(
        r.cmd("HSCAN h 0 COUNT x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("HSCAN h 0 MATCH"), err("ERR syntax error"));
    assert_eq!(r.cmd("HSCAN h 0 BOGUS 1"), err("ERR syntax error"));
    assert_eq!(r.cmd("HSCAN h 0 NOVALUES"), err("ERR syntax error"));
    // A listpack comes whole, with cursor 0, whatever COUNT says.
    let whole = format!(
        "*2\r\n$1\r\n0\r\n{}",
        bulks(&["a", "1", "b", "2", "c", "3"])
    );
    assert_eq!(r.cmd("HSCAN h 0"), whole);
    assert_eq!(r.cmd("HSCAN h 0 COUNT 1"), whole);
    assert_eq!(r.cmd("HSCAN h 18446744073709551615"), whole);
    assert_eq!(
        r.cmd("HSCAN h 0 MATCH b*"),
        format!("*2\r\n$1\r\n0\r\n{}", bulks(&["b", "2"]))
    );
    assert_eq!(r.cmd("HSCAN h 0 match z* count 100"), empty);
}

#[test]
fn hscan_of_a_hashtable_returns_every_field_once() {
    let s = TestServer::start();
    let mut c = s.client();
    let pairs: Vec<(String, String)> = (0..1000)
        .map(|i| (format!("field:{i}"), format!("value:{i}")))
        .collect();
    let _: () = c.hset_multiple("big", &pairs).unwrap();
    for count in [1usize, 10, 100, 5000] {
        let mut cursor = 0u64;
        let mut seen = HashMap::new();
        let mut steps = 0;
        loop {
            let (next, items): (u64, Vec<String>) = redis::cmd("HSCAN")
                .arg("big")
                .arg(cursor)
                .arg("COUNT")
                .arg(count)
                .query(&mut c)
                .unwrap();
            steps += 1;
            for p in items.chunks(2) {
                assert!(
                    seen.insert(p[0].clone(), p[1].clone()).is_none(),
                    "{} twice",
                    p[0]
                );
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 1000);
        for (f, v) in &pairs {
            assert_eq!(&seen[f], v);
        }
        // Hashtable-encoded: small counts take many steps.
        if count <= 10 {
            assert!(steps > 1000 / (count * 4), "count {count}: {steps} steps");
        }
    }
    // MATCH filters the fields.
    let mut cursor = 0u64;
    let mut got = Vec::new();
    loop {
        let (next, items): (u64, Vec<String>) = redis::cmd("HSCAN")
            .arg("big")
            .arg(cursor)
            .arg("MATCH")
            .arg("field:1?")
            .query(&mut c)
            .unwrap();
        got.extend(items.chunks(2).map(|p| p[0].clone()));
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    got.sort();
    let want: Vec<String> = (10..20).map(|i| format!("field:{i}")).collect();
    assert_eq!(got, want);
}

#[test]
fn resp3_reply_types() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert!(r.cmd("HELLO 3").starts_with("%7\r\n"));
    assert_eq!(r.cmd("HSET h a 1 b 2"), int(2));
    assert_eq!(
        r.cmd("HGETALL h"),
        "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(r.cmd("HGETALL nokey"), "%0\r\n");
    assert_eq!(r.cmd("HKEYS h"), bulks(&["a", "b"]));
    assert_eq!(r.cmd("HVALS h"), bulks(&["1", "2"]));
    assert_eq!(r.cmd("HMGET h a x"), "*2\r\n$1\r\n1\r\n_\r\n");
    assert_eq!(r.cmd("HGET h x"), "_\r\n");
    assert_eq!(r.cmd("HRANDFIELD nokey"), "_\r\n");
    assert_eq!(r.cmd("HRANDFIELD nokey 2 WITHVALUES"), "*0\r\n");
    assert_eq!(r.cmd("HRANDFIELD h 0 WITHVALUES"), "*0\r\n");
    // WITHVALUES: an array of [field, value] arrays.
    let both = r.cmd("HRANDFIELD h 2 WITHVALUES");
    assert!(
        both == "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
            || both == "*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n",
        "{both:?}"
    );
    let reps = r.cmd("HRANDFIELD h -3 WITHVALUES");
    assert!(reps.starts_with("*3\r\n*2\r\n$1\r\n"), "{reps:?}");
    assert_eq!(reps.matches("*2\r\n").count(), 3, "{reps:?}");
    let fields = r.cmd("HRANDFIELD h -3");
    assert!(fields.starts_with("*3\r\n$1\r\n"), "{fields:?}");
    // HSCAN stays a flat array.
    assert_eq!(
        r.cmd("HSCAN h 0"),
        format!("*2\r\n$1\r\n0\r\n{}", bulks(&["a", "1", "b", "2"]))
    );
    assert_eq!(r.cmd("HMSET h c 3"), OK);
    // And back in RESP2: a flat array of 2N.
    assert!(r.cmd("HELLO 2").starts_with("*14\r\n"));
    let flat = r.cmd("HRANDFIELD h -2 WITHVALUES");
    assert!(flat.starts_with("*4\r\n$1\r\n"), "{flat:?}");
}

#[test]
fn through_a_real_client() {
    let s = TestServer::start();
    let mut c = s.client();
    let n: i64 = c.hset("h", "f", "v").unwrap();
    assert_eq!(n, 1);
    let v: Option<String> = c.hget("h", "f").unwrap();
    assert_eq!(v.as_deref(), Some("v"));
    let n: i64 = c.hincr("h", "n", 5).unwrap();
    assert_eq!(n, 5);
    let x: f64 = c.hincr("h", "x", 2.5).unwrap();
    assert_eq!(x, 2.5);
    let all: HashMap<String, String> = c.hgetall("h").unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all["x"], "2.5");
    let vals: Vec<Option<String>> = c.hget("h", &["f", "nope"]).unwrap();
    assert_eq!(vals, [Some("v".to_string()), None]);
    let e: bool = c.hexists("h", "n").unwrap();
    assert!(e);
    let l: usize = c.hlen("h").unwrap();
    assert_eq!(l, 3);
    let e = c.hincr::<_, _, _, i64>("h", "f", 1).unwrap_err();
    assert!(
        e.to_string().ends_with(": hash value is not an integer"),
        "{e}"
    );
    let mut c3 = s.client3();
    let all: HashMap<String, String> = c3.hgetall("h").unwrap();
    assert_eq!(all.len(), 3);
    let v: redis::Value = redis::cmd("HGETALL").arg("h").query(&mut c3).unwrap();
    assert!(
        matches!(v, redis::Value::Map(ref m) if m.len() == 3),
        "{v:?}"
    );
    let v: redis::Value = redis::cmd("HRANDFIELD")
        .arg("h")
        .arg(-2)
        .arg("WITHVALUES")
        .query(&mut c3)
        .unwrap();
    let redis::Value::Array(items) = v else {
        panic!("{v:?}")
    };
    assert_eq!(items.len(), 2);
    assert!(items
        .iter()
        .all(|p| matches!(p, redis::Value::Array(a) if a.len() == 2)));
}

#[test]
fn command_info_rows() {
    let s = TestServer::start();
    let mut r = s.raw();
    let info = r.cmd("COMMAND INFO hset hrandfield hkeys");
    // Name, arity, flags, first, last, step, as Redis 7.0 lists them.
    assert!(
        info.contains(
            "$4\r\nhset\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
        ),
        "{info}"
    );
    assert!(
        info.contains("$10\r\nhrandfield\r\n:-2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n"),
        "{info}"
    );
    assert!(
        info.contains("$5\r\nhkeys\r\n:2\r\n*1\r\n+readonly\r\n:1\r\n:1\r\n:1\r\n"),
        "{info}"
    );
}

#[test]
fn hrandfield_refuses_a_negative_count_it_cannot_build() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("HSET h a 1"), int(1));
    assert_eq!(
        r.cmd("HRANDFIELD h -4611686018427387903"),
        err("ERR value is out of range, value must between -16777216 and 9223372036854775807")
    );
    assert_eq!(
        r.cmd("HRANDFIELD h -3"),
        "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"
    );
    assert_eq!(r.cmd("PING"), "+PONG\r\n");
}
