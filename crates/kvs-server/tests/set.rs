//! The set commands, through a real client and byte for byte. Every error
//! text and reply shape here is what Redis 7.0.15 printed for the same
//! request.

mod common;

use std::collections::HashSet;

use common::*;
use redis::Commands;

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";

/// A raw reply that is an array (or RESP3 set) of bulk strings: its type
/// byte and its items.
fn items(reply: &str) -> (char, Vec<String>) {
    let mut lines = reply.split("\r\n");
    let head = lines.next().unwrap();
    let kind = head.chars().next().unwrap();
    assert!(kind == '*' || kind == '~', "not an array: {reply:?}");
    let n: usize = head[1..].parse().unwrap();
    let mut out = Vec::new();
    for _ in 0..n {
        let len = lines.next().unwrap();
        assert!(len.starts_with('$'), "not a bulk string in {reply:?}");
        out.push(lines.next().unwrap().to_string());
    }
    assert_eq!(lines.next(), Some(""), "trailing data in {reply:?}");
    (kind, out)
}

fn members(c: &mut redis::Connection, key: &str) -> HashSet<String> {
    c.smembers(key).unwrap()
}

fn set_of(words: &[&str]) -> HashSet<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn arity(cmd: &str) -> String {
    err(&format!(
        "ERR wrong number of arguments for '{cmd}' command"
    ))
}

#[test]
fn sadd_srem_scard_and_their_errors() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SADD s a b c a"), int(3));
    assert_eq!(r.cmd("SADD s a d"), int(1));
    assert_eq!(r.cmd("SCARD s"), int(4));
    assert_eq!(r.cmd("SCARD nokey"), int(0));
    assert_eq!(r.cmd("TYPE s"), "+set\r\n");
    assert_eq!(r.cmd("SREM s x a"), int(1));
    assert_eq!(r.cmd("SREM s a"), int(0));
    assert_eq!(r.cmd("SREM nokey a"), int(0));
    assert_eq!(r.cmd("EXISTS nokey"), int(0));
    assert_eq!(r.cmd("SADD s"), arity("sadd"));
    assert_eq!(r.cmd("SREM s"), arity("srem"));
    assert_eq!(r.cmd("SCARD"), arity("scard"));
    assert_eq!(r.cmd("SCARD s t"), arity("scard"));
    // WRONGTYPE both ways.
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SADD str a"), err(WRONGTYPE));
    assert_eq!(r.cmd("SREM str a"), err(WRONGTYPE));
    assert_eq!(r.cmd("SCARD str"), err(WRONGTYPE));
    assert_eq!(r.cmd("GET str"), bulk("v"));
    assert_eq!(r.cmd("GET s"), err(WRONGTYPE));
    assert_eq!(r.cmd("APPEND s x"), err(WRONGTYPE));
    // The last member removed deletes the key.
    assert_eq!(r.cmd("SREM s b c d"), int(3));
    assert_eq!(r.cmd("EXISTS s"), int(0));
    assert_eq!(r.cmd("TYPE s"), "+none\r\n");
    assert_eq!(r.cmd("SCARD s"), int(0));
}

#[test]
fn sadd_and_srem_keep_the_ttl() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SADD s a b"), int(2));
    assert_eq!(r.cmd("EXPIRE s 100"), int(1));
    assert_eq!(r.cmd("SADD s c"), int(1));
    assert_eq!(r.cmd("TTL s"), int(100));
    assert_eq!(r.cmd("SREM s a"), int(1));
    assert_eq!(r.cmd("TTL s"), int(100));
    let popped = r.cmd("SPOP s");
    assert!(popped == bulk("b") || popped == bulk("c"), "{popped}");
    assert_eq!(r.cmd("TTL s"), int(100));
    // Expired: gone, and a new set has no TTL.
    s.clock.advance(std::time::Duration::from_secs(101));
    assert_eq!(r.cmd("SCARD s"), int(0));
    assert_eq!(r.cmd("SADD s z"), int(1));
    assert_eq!(r.cmd("TTL s"), int(-1));
}

#[test]
fn sismember_and_smismember() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SADD s 1 a"), int(2));
    assert_eq!(r.cmd("SISMEMBER s a"), int(1));
    assert_eq!(r.cmd("SISMEMBER s 1"), int(1));
    // "01" is not the integer 1.
    assert_eq!(r.cmd("SISMEMBER s 01"), int(0));
    assert_eq!(r.cmd("SISMEMBER nokey a"), int(0));
    assert_eq!(r.cmd("SMISMEMBER s a q 1"), "*3\r\n:1\r\n:0\r\n:1\r\n");
    assert_eq!(r.cmd("SMISMEMBER nokey a b"), "*2\r\n:0\r\n:0\r\n");
    assert_eq!(r.cmd("SISMEMBER s"), arity("sismember"));
    assert_eq!(r.cmd("SISMEMBER s a b"), arity("sismember"));
    assert_eq!(r.cmd("SMISMEMBER s"), arity("smismember"));
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SISMEMBER str a"), err(WRONGTYPE));
    assert_eq!(r.cmd("SMISMEMBER str a"), err(WRONGTYPE));
    let mut c = s.client();
    let got: Vec<bool> = redis::cmd("SMISMEMBER")
        .arg("s")
        .arg("1")
        .arg("2")
        .query(&mut c)
        .unwrap();
    assert_eq!(got, [true, false]);
}

#[test]
fn smembers_and_the_intset_to_hashtable_conversion() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut c = s.client();
    assert_eq!(r.cmd("SMEMBERS nokey"), "*0\r\n");
    assert_eq!(r.cmd("SMEMBERS"), arity("smembers"));
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SMEMBERS str"), err(WRONGTYPE));
    // Up to 512 integers stay an intset: members come back in ascending
    // order, and SSCAN returns them all in one step.
    let mut nums: Vec<i64> = (0..512).map(|i| (i * 7919) % 1000 - 500).collect();
    let added: usize = c.sadd("n", &nums).unwrap();
    assert_eq!(added, 512);
    nums.sort();
    let (_, got) = items(&r.cmd("SMEMBERS n"));
    let got: Vec<i64> = got.iter().map(|m| m.parse().unwrap()).collect();
    assert_eq!(got, nums);
    let (cursor, step): (u64, Vec<String>) = redis::cmd("SSCAN")
        .arg("n")
        .arg(0)
        .arg("COUNT")
        .arg(10)
        .query(&mut c)
        .unwrap();
    assert_eq!((cursor, step.len()), (0, 512));
    // 600 integers: a hashtable, no longer sorted, every member still there.
    let more: Vec<i64> = (1000..1088).collect();
    let added: usize = c.sadd("n", &more).unwrap();
    assert_eq!(added, 88);
    let (_, got) = items(&r.cmd("SMEMBERS n"));
    assert_eq!(got.len(), 600);
    let got: Vec<i64> = got.iter().map(|m| m.parse().unwrap()).collect();
    let mut sorted = got.clone();
    sorted.sort();
    assert_ne!(got, sorted, "a hashtable's order is not sorted");
    let mut expect = nums.clone();
    expect.extend(&more);
    expect.sort();
    assert_eq!(sorted, expect);
    let (cursor, step): (u64, Vec<String>) = redis::cmd("SSCAN")
        .arg("n")
        .arg(0)
        .arg("COUNT")
        .arg(10)
        .query(&mut c)
        .unwrap();
    assert_ne!(cursor, 0);
    assert!(step.len() < 600);
    assert_eq!(r.cmd("SCARD n"), int(600));
    // A non-integer converts a small intset too; "-0" is not an integer.
    assert_eq!(r.cmd("SADD m 3 1 2"), int(3));
    assert_eq!(
        r.cmd("SMEMBERS m"),
        "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(r.cmd("SADD m -0"), int(1));
    assert_eq!(members(&mut c, "m"), set_of(&["1", "2", "3", "-0"]));
    assert_eq!(r.cmd("SISMEMBER m 0"), int(0));
}

#[test]
fn spop_without_and_with_a_count() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut c = s.client();
    assert_eq!(r.cmd("SPOP nokey"), NIL);
    assert_eq!(r.cmd("SPOP nokey 0"), "*0\r\n");
    assert_eq!(r.cmd("SPOP nokey 3"), "*0\r\n");
    assert_eq!(r.cmd("SADD s a b c"), int(3));
    let one = r.cmd("SPOP s");
    let one = one.split("\r\n").nth(1).unwrap().to_string();
    assert!(["a", "b", "c"].contains(&one.as_str()));
    assert_eq!(r.cmd(&format!("SISMEMBER s {one}")), int(0));
    assert_eq!(r.cmd("SPOP s 0"), "*0\r\n");
    assert_eq!(r.cmd("SCARD s"), int(2));
    // A count over the size pops everything and deletes the key.
    let (kind, rest) = items(&r.cmd("SPOP s 9223372036854775807"));
    assert_eq!(kind, '*');
    let mut all: HashSet<String> = rest.into_iter().collect();
    all.insert(one);
    assert_eq!(all, set_of(&["a", "b", "c"]));
    assert_eq!(r.cmd("EXISTS s"), int(0));
    // Errors: checked before the key, in Redis's order.
    let positive = err("ERR value is out of range, must be positive");
    assert_eq!(r.cmd("SPOP nokey -1"), positive);
    assert_eq!(r.cmd("SPOP nokey x"), positive);
    assert_eq!(r.cmd("SPOP nokey 9223372036854775808"), positive);
    assert_eq!(r.cmd("SPOP nokey 1 2"), err("ERR syntax error"));
    assert_eq!(r.cmd("SPOP"), arity("spop"));
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SPOP str"), err(WRONGTYPE));
    assert_eq!(r.cmd("SPOP str 0"), err(WRONGTYPE));
    assert_eq!(r.cmd("SPOP str -1"), positive);
    assert_eq!(r.cmd("GET str"), bulk("v"));
    // Draining a set with a count: every member exactly once.
    for (key, members) in [
        ("ints", (0..1000).map(|i| i.to_string()).collect::<Vec<_>>()),
        ("strs", (0..1000).map(|i| format!("m{i}")).collect()),
    ] {
        let _: usize = c.sadd(key, &members).unwrap();
        let mut seen = HashSet::new();
        let mut sizes = Vec::new();
        loop {
            let got: Vec<String> = redis::cmd("SPOP").arg(key).arg(300).query(&mut c).unwrap();
            if got.is_empty() {
                break;
            }
            sizes.push(got.len());
            for m in got {
                assert!(seen.insert(m), "popped twice");
            }
        }
        assert_eq!(sizes, [300, 300, 300, 100]);
        assert_eq!(seen, members.into_iter().collect());
        assert_eq!(r.cmd(&format!("EXISTS {key}")), int(0));
    }
    // Popping most of a set (the rebuild path) leaves the rest intact.
    let all: Vec<String> = (0..100).map(|i| format!("x{i}")).collect();
    let _: usize = c.sadd("p", &all).unwrap();
    let got: Vec<String> = redis::cmd("SPOP").arg("p").arg(95).query(&mut c).unwrap();
    let left = members(&mut c, "p");
    assert_eq!((got.len(), left.len()), (95, 5));
    let mut union: HashSet<String> = got.into_iter().collect();
    assert!(left.iter().all(|m| !union.contains(m)));
    union.extend(left);
    assert_eq!(union, all.into_iter().collect());
}

#[test]
fn srandmember_counts_distinct_and_with_repeats() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut c = s.client();
    assert_eq!(r.cmd("SRANDMEMBER nokey"), NIL);
    assert_eq!(r.cmd("SRANDMEMBER nokey 0"), "*0\r\n");
    assert_eq!(r.cmd("SRANDMEMBER nokey 3"), "*0\r\n");
    assert_eq!(r.cmd("SRANDMEMBER nokey -3"), "*0\r\n");
    assert_eq!(r.cmd("SADD s a b c"), int(3));
    let abc = set_of(&["a", "b", "c"]);
    let one = r.cmd("SRANDMEMBER s");
    assert!(abc.contains(one.split("\r\n").nth(1).unwrap()));
    assert_eq!(r.cmd("SRANDMEMBER s 0"), "*0\r\n");
    // Negative: exactly that many, repeats allowed (and here certain).
    let (_, got) = items(&r.cmd("SRANDMEMBER s -20"));
    assert_eq!(got.len(), 20);
    assert!(got.iter().all(|m| abc.contains(m)));
    let distinct: HashSet<&String> = got.iter().collect();
    assert!(distinct.len() < got.len());
    // Over many tries, every member turns up.
    let (_, got) = items(&r.cmd("SRANDMEMBER s -300"));
    assert_eq!(got.into_iter().collect::<HashSet<_>>(), abc);
    // Positive: distinct, at most the set's size.
    for _ in 0..20 {
        let (_, got) = items(&r.cmd("SRANDMEMBER s 2"));
        assert_eq!(got.len(), 2);
        assert_ne!(got[0], got[1]);
        assert!(got.iter().all(|m| abc.contains(m)));
    }
    let (_, got) = items(&r.cmd("SRANDMEMBER s 9223372036854775807"));
    assert_eq!(got.into_iter().collect::<HashSet<_>>(), abc);
    let big: Vec<String> = (0..1000).map(|i| format!("m{i}")).collect();
    let _: usize = c.sadd("big", &big).unwrap();
    for n in [10, 500, 999] {
        let got: Vec<String> = redis::cmd("SRANDMEMBER")
            .arg("big")
            .arg(n)
            .query(&mut c)
            .unwrap();
        assert_eq!(got.iter().collect::<HashSet<_>>().len(), n);
    }
    // The set is unchanged.
    assert_eq!(members(&mut c, "s"), abc);
    assert_eq!(r.cmd("SCARD big"), int(1000));
    // Errors, in Redis's order (the count before the key's type).
    assert_eq!(
        r.cmd("SRANDMEMBER s x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r.cmd("SRANDMEMBER nokey -9223372036854775808"),
        err("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
    );
    // Redis would try to build this reply and run out of memory.
    assert_eq!(
        r.cmd("SRANDMEMBER s -9223372036854775807"),
        err("ERR value is out of range, value must between -16777216 and 9223372036854775807")
    );
    assert_eq!(r.cmd("SRANDMEMBER s 1 2"), err("ERR syntax error"));
    assert_eq!(r.cmd("SRANDMEMBER"), arity("srandmember"));
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SRANDMEMBER str"), err(WRONGTYPE));
    assert_eq!(r.cmd("SRANDMEMBER str 0"), err(WRONGTYPE));
    assert_eq!(r.cmd("SRANDMEMBER str -5"), err(WRONGTYPE));
    assert_eq!(
        r.cmd("SRANDMEMBER str x"),
        err("ERR value is not an integer or out of range")
    );
}

#[test]
fn smove_cases() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut c = s.client();
    assert_eq!(r.cmd("SADD a 1 2 x"), int(3));
    assert_eq!(r.cmd("SADD b 2"), int(1));
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SMOVE a b 1"), int(1));
    // Already in the destination: still moved (out of the source).
    assert_eq!(r.cmd("SMOVE a b 2"), int(1));
    assert_eq!(members(&mut c, "a"), set_of(&["x"]));
    assert_eq!(members(&mut c, "b"), set_of(&["1", "2"]));
    assert_eq!(r.cmd("SMOVE a b nosuch"), int(0));
    assert_eq!(r.cmd("SMOVE nokey b 1"), int(0));
    // A missing source answers 0 before the destination's type is checked.
    assert_eq!(r.cmd("SMOVE nokey str 1"), int(0));
    // Otherwise both types are checked first, member or not.
    assert_eq!(r.cmd("SMOVE a str x"), err(WRONGTYPE));
    assert_eq!(r.cmd("SMOVE a str nosuch"), err(WRONGTYPE));
    assert_eq!(r.cmd("SMOVE str a x"), err(WRONGTYPE));
    assert_eq!(r.cmd("SMOVE str nokey x"), err(WRONGTYPE));
    assert_eq!(members(&mut c, "a"), set_of(&["x"]));
    assert_eq!(r.cmd("GET str"), bulk("v"));
    // Source == destination: whether it is a member; nothing changes.
    assert_eq!(r.cmd("SMOVE a a x"), int(1));
    assert_eq!(r.cmd("SMOVE a a nosuch"), int(0));
    assert_eq!(r.cmd("SMOVE str str x"), err(WRONGTYPE));
    assert_eq!(r.cmd("SMOVE nokey nokey x"), int(0));
    assert_eq!(members(&mut c, "a"), set_of(&["x"]));
    // Moving the last member deletes the source and creates the
    // destination, without the source's TTL.
    assert_eq!(r.cmd("EXPIRE a 100"), int(1));
    assert_eq!(r.cmd("SMOVE a newkey x"), int(1));
    assert_eq!(r.cmd("EXISTS a"), int(0));
    assert_eq!(r.cmd("TTL newkey"), int(-1));
    assert_eq!(r.cmd("EXPIRE b 100"), int(1));
    assert_eq!(r.cmd("SMOVE b newkey 1"), int(1));
    assert_eq!(r.cmd("TTL b"), int(100));
    assert_eq!(members(&mut c, "newkey"), set_of(&["x", "1"]));
    assert_eq!(r.cmd("SMOVE a b"), arity("smove"));
    assert_eq!(r.cmd("SMOVE a b c d"), arity("smove"));
}

#[test]
fn sinter_sunion_sdiff() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut c = s.client();
    assert_eq!(r.cmd("SADD a 1 2 3 x"), int(4));
    assert_eq!(r.cmd("SADD b 2 3 4 x"), int(4));
    assert_eq!(r.cmd("SADD c 3 x y"), int(3));
    assert_eq!(r.cmd("SET str v"), OK);
    let q = |c: &mut redis::Connection, cmd: &str, keys: &[&str]| -> HashSet<String> {
        redis::cmd(cmd).arg(keys).query(c).unwrap()
    };
    assert_eq!(q(&mut c, "SINTER", &["a", "b"]), set_of(&["2", "3", "x"]));
    assert_eq!(q(&mut c, "SINTER", &["a", "b", "c"]), set_of(&["3", "x"]));
    assert_eq!(q(&mut c, "SINTER", &["c", "a", "c"]), set_of(&["3", "x"]));
    assert_eq!(q(&mut c, "SINTER", &["a"]), members(&mut c, "a"));
    assert_eq!(q(&mut c, "SINTER", &["a", "a"]), members(&mut c, "a"));
    assert_eq!(
        q(&mut c, "SUNION", &["a", "b", "nokey"]),
        set_of(&["1", "2", "3", "4", "x"])
    );
    assert_eq!(q(&mut c, "SDIFF", &["a", "b"]), set_of(&["1"]));
    assert_eq!(q(&mut c, "SDIFF", &["b", "a", "c"]), set_of(&["4"]));
    assert_eq!(q(&mut c, "SDIFF", &["a", "nokey"]), members(&mut c, "a"));
    // Missing keys are empty sets.
    assert_eq!(r.cmd("SINTER a nokey"), "*0\r\n");
    assert_eq!(r.cmd("SINTER nokey"), "*0\r\n");
    assert_eq!(r.cmd("SUNION nokey"), "*0\r\n");
    assert_eq!(r.cmd("SDIFF nokey a"), "*0\r\n");
    assert_eq!(r.cmd("SDIFF a a"), "*0\r\n");
    // Every key's type is checked, even after a missing key.
    for cmd in ["SINTER", "SUNION", "SDIFF"] {
        for keys in [
            "a nokey str",
            "a str nokey",
            "nokey str",
            "str nokey",
            "str",
        ] {
            assert_eq!(
                r.cmd(&format!("{cmd} {keys}")),
                err(WRONGTYPE),
                "{cmd} {keys}"
            );
        }
        assert_eq!(r.cmd(cmd), arity(&cmd.to_lowercase()));
    }
    // An intersection of big sets, smallest first or not.
    let evens: Vec<i64> = (0..2000).step_by(2).collect();
    let threes: Vec<String> = (0..3000).step_by(3).map(|i| i.to_string()).collect();
    let _: usize = c.sadd("evens", &evens).unwrap();
    let _: usize = c.sadd("threes", &threes).unwrap();
    let sixes: HashSet<String> = (0..2000).step_by(6).map(|i: i64| i.to_string()).collect();
    assert_eq!(q(&mut c, "SINTER", &["evens", "threes"]), sixes);
    assert_eq!(q(&mut c, "SINTER", &["threes", "evens"]), sixes);
    let diff: HashSet<String> = q(&mut c, "SDIFF", &["evens", "threes"]);
    assert_eq!(diff.len(), 1000 - sixes.len());
    assert!(diff.iter().all(|m| !sixes.contains(m)));
    let union: HashSet<String> = q(&mut c, "SUNION", &["evens", "threes"]);
    assert_eq!(union.len(), 1000 + 1000 - sixes.len());
}

#[test]
fn sintercard_limit_and_numkeys() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SADD a 1 2 3 x"), int(4));
    assert_eq!(r.cmd("SADD b 2 3 4 x"), int(4));
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SINTERCARD 2 a b"), int(3));
    assert_eq!(r.cmd("SINTERCARD 1 a"), int(4));
    assert_eq!(r.cmd("SINTERCARD 2 a a"), int(4));
    assert_eq!(r.cmd("SINTERCARD 2 a b LIMIT 1"), int(1));
    assert_eq!(r.cmd("SINTERCARD 1 a LIMIT 2"), int(2));
    assert_eq!(r.cmd("SINTERCARD 2 a b LIMIT 0"), int(3));
    assert_eq!(r.cmd("SINTERCARD 2 a b limit 9223372036854775807"), int(3));
    // The last LIMIT counts.
    assert_eq!(r.cmd("SINTERCARD 2 a b LIMIT 1 LIMIT 2"), int(2));
    assert_eq!(r.cmd("SINTERCARD 2 a nokey"), int(0));
    assert_eq!(r.cmd("SINTERCARD 2 a str"), err(WRONGTYPE));
    assert_eq!(r.cmd("SINTERCARD 2 nokey str"), err(WRONGTYPE));
    assert_eq!(r.cmd("SINTERCARD 2 str nokey"), err(WRONGTYPE));
    let numkeys = err("ERR numkeys should be greater than 0");
    let toomany = err("ERR Number of keys can't be greater than number of args");
    let limit = err("ERR LIMIT can't be negative");
    assert_eq!(r.cmd("SINTERCARD 0 a"), numkeys);
    assert_eq!(r.cmd("SINTERCARD -1 a"), numkeys);
    assert_eq!(r.cmd("SINTERCARD x a"), numkeys);
    assert_eq!(r.cmd("SINTERCARD 3 a b"), toomany);
    assert_eq!(r.cmd("SINTERCARD 2 nokey"), toomany);
    assert_eq!(r.cmd("SINTERCARD 9223372036854775807 a"), toomany);
    assert_eq!(r.cmd("SINTERCARD 2 a b LIMIT -1"), limit);
    assert_eq!(r.cmd("SINTERCARD 2 a b LIMIT x"), limit);
    // Options are checked before the keys' types.
    assert_eq!(r.cmd("SINTERCARD 1 str LIMIT x"), limit);
    assert_eq!(r.cmd("SINTERCARD 2 a b LIMIT"), err("ERR syntax error"));
    assert_eq!(r.cmd("SINTERCARD 2 a b FOO 1"), err("ERR syntax error"));
    assert_eq!(r.cmd("SINTERCARD 1 a b"), err("ERR syntax error"));
    assert_eq!(
        r.cmd("SINTERCARD 1 nokey LIMIT 1 extra"),
        err("ERR syntax error")
    );
    assert_eq!(r.cmd("SINTERCARD 1"), arity("sintercard"));
    // COMMAND GETKEYS finds the keys from numkeys.
    assert_eq!(
        r.cmd("COMMAND GETKEYS SINTERCARD 2 a b LIMIT 1"),
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        r.cmd("COMMAND GETKEYS SINTERCARD 1x a"),
        "*1\r\n$1\r\na\r\n"
    );
    let invalid = err("ERR Invalid arguments specified for command");
    for args in ["0 a", "3 a b", "x a", "-1 a", "2147483648 a"] {
        assert_eq!(
            r.cmd(&format!("COMMAND GETKEYS SINTERCARD {args}")),
            invalid
        );
    }
    let info = r.cmd("COMMAND INFO sintercard");
    assert!(
        info.starts_with(
            "*1\r\n*10\r\n$10\r\nsintercard\r\n:-3\r\n*2\r\n+readonly\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n"
        ),
        "{info}"
    );
}

#[test]
fn store_commands() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut c = s.client();
    assert_eq!(r.cmd("SADD a 1 2 3 x"), int(4));
    assert_eq!(r.cmd("SADD b 2 3 4 x"), int(4));
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SINTERSTORE d a b"), int(3));
    assert_eq!(members(&mut c, "d"), set_of(&["2", "3", "x"]));
    assert_eq!(r.cmd("SUNIONSTORE d a b"), int(5));
    assert_eq!(members(&mut c, "d"), set_of(&["1", "2", "3", "4", "x"]));
    assert_eq!(r.cmd("SDIFFSTORE d a b"), int(1));
    assert_eq!(members(&mut c, "d"), set_of(&["1"]));
    // The destination may hold any type: it is replaced, its TTL dropped.
    assert_eq!(r.cmd("SINTERSTORE str a b"), int(3));
    assert_eq!(r.cmd("TYPE str"), "+set\r\n");
    assert_eq!(r.cmd("SET str v EX 100"), OK);
    assert_eq!(r.cmd("SUNIONSTORE str a"), int(4));
    assert_eq!(r.cmd("TTL str"), int(-1));
    assert_eq!(r.cmd("SET str v"), OK);
    // An empty result deletes the destination.
    for cmd in [
        "SINTERSTORE d a nokey",
        "SUNIONSTORE d nokey",
        "SDIFFSTORE d a a",
        "SDIFFSTORE d nokey a",
    ] {
        assert_eq!(r.cmd("SADD d q"), int(1));
        assert_eq!(r.cmd(cmd), int(0), "{cmd}");
        assert_eq!(r.cmd("EXISTS d"), int(0), "{cmd}");
    }
    // A source of the wrong type fails the command and changes nothing.
    assert_eq!(r.cmd("SADD d q"), int(1));
    for cmd in ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"] {
        for keys in ["a str", "nokey str", "str nokey", "str"] {
            assert_eq!(r.cmd(&format!("{cmd} d {keys}")), err(WRONGTYPE));
        }
        assert_eq!(r.cmd(&format!("{cmd} d")), arity(&cmd.to_lowercase()));
    }
    assert_eq!(members(&mut c, "d"), set_of(&["q"]));
    assert_eq!(r.cmd("GET str"), bulk("v"));
    // The destination may be a source.
    assert_eq!(r.cmd("SINTERSTORE a a b"), int(3));
    assert_eq!(members(&mut c, "a"), set_of(&["2", "3", "x"]));
    assert_eq!(r.cmd("SADD e 1"), int(1));
    assert_eq!(r.cmd("EXPIRE e 100"), int(1));
    assert_eq!(r.cmd("SUNIONSTORE e e b"), int(5));
    assert_eq!(r.cmd("TTL e"), int(-1));
    assert_eq!(r.cmd("SDIFFSTORE e e b"), int(1));
    assert_eq!(members(&mut c, "e"), set_of(&["1"]));
    // A stored result is a set like any other: integers come back sorted
    // from an intset; a big result is a hashtable holding everything.
    assert_eq!(r.cmd("SADD i 5 3 1 9"), int(4));
    assert_eq!(r.cmd("SDIFFSTORE di i nokey"), int(4));
    assert_eq!(
        r.cmd("SMEMBERS di"),
        "*4\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n"
    );
    let big: Vec<i64> = (0..2000).collect();
    let _: usize = c.sadd("big", &big).unwrap();
    assert_eq!(r.cmd("SINTERSTORE bi big big"), int(2000));
    assert_eq!(r.cmd("SREM bi 0 1999"), int(2));
    assert_eq!(r.cmd("SCARD bi"), int(1998));
    assert_eq!(r.cmd("SCARD big"), int(2000));
}

#[test]
fn sscan_returns_every_member_once() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut c = s.client();
    let all: Vec<String> = (0..1000).map(|i| format!("member:{i}")).collect();
    let _: usize = c.sadd("s", &all).unwrap();
    for count in [1, 10, 100, 5000] {
        let mut seen = HashSet::new();
        let mut cursor = 0u64;
        let mut calls = 0;
        loop {
            let (next, step): (u64, Vec<String>) = redis::cmd("SSCAN")
                .arg("s")
                .arg(cursor)
                .arg("COUNT")
                .arg(count)
                .query(&mut c)
                .unwrap();
            calls += 1;
            for m in step {
                assert!(seen.insert(m), "returned twice");
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen, all.iter().cloned().collect(), "COUNT {count}");
        if count == 10 {
            assert!(calls > 10, "{calls} calls");
        }
    }
    // MATCH filters each step.
    let mut seen = HashSet::new();
    let mut cursor = 0u64;
    loop {
        let (next, step): (u64, Vec<String>) = redis::cmd("SSCAN")
            .arg("s")
            .arg(cursor)
            .arg("MATCH")
            .arg("member:1?")
            .query(&mut c)
            .unwrap();
        seen.extend(step);
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen, (10..20).map(|i| format!("member:{i}")).collect());
    // An intset: everything at once, whatever the cursor and COUNT.
    assert_eq!(r.cmd("SADD i 1 2 3"), int(3));
    let whole = "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n";
    assert_eq!(r.cmd("SSCAN i 0 COUNT 1"), whole);
    assert_eq!(r.cmd("SSCAN i 5"), whole);
    assert_eq!(
        r.cmd("SSCAN i 0 MATCH 1*"),
        "*2\r\n$1\r\n0\r\n*1\r\n$1\r\n1\r\n"
    );
    // Errors, in Redis's order: cursor, then the key, then the options.
    let empty = "*2\r\n$1\r\n0\r\n*0\r\n";
    assert_eq!(r.cmd("SSCAN nokey 0"), empty);
    assert_eq!(r.cmd("SSCAN nokey 0 COUNT 0"), empty);
    assert_eq!(r.cmd("SSCAN nokey 0 MATCH"), empty);
    assert_eq!(r.cmd("SSCAN nokey x"), err("ERR invalid cursor"));
    assert_eq!(r.cmd("SSCAN s x"), err("ERR invalid cursor"));
    assert_eq!(
        r.cmd("SSCAN s 18446744073709551616"),
        err("ERR invalid cursor")
    );
    assert_eq!(r.cmd("SET str v"), OK);
    assert_eq!(r.cmd("SSCAN str x"), err("ERR invalid cursor"));
    assert_eq!(r.cmd("SSCAN str 0"), err(WRONGTYPE));
    assert_eq!(r.cmd("SSCAN str 0 COUNT 0"), err(WRONGTYPE));
    assert_eq!(r.cmd("SSCAN s 0 COUNT 0"), err("ERR syntax error"));
    assert_eq!(r.cmd("SSCAN s 0 COUNT -1"), err("ERR syntax error"));
    assert_eq!(
        r.cmd("SSCAN s 0 COUNT x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("SSCAN s 0 COUNT"), err("ERR syntax error"));
    assert_eq!(r.cmd("SSCAN s 0 MATCH"), err("ERR syntax error"));
    assert_eq!(r.cmd("SSCAN s 0 TYPE string"), err("ERR syntax error"));
    assert_eq!(r.cmd("SSCAN s"), arity("sscan"));
}

#[test]
fn resp3_reply_types() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert!(r.cmd("HELLO 3").starts_with("%7\r\n"));
    assert_eq!(r.cmd("SADD s a"), int(1));
    assert_eq!(r.cmd("SADD i 7"), int(1));
    // Sets: SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count.
    assert_eq!(r.cmd("SMEMBERS s"), "~1\r\n$1\r\na\r\n");
    assert_eq!(r.cmd("SMEMBERS nokey"), "~0\r\n");
    assert_eq!(r.cmd("SINTER s s"), "~1\r\n$1\r\na\r\n");
    assert_eq!(r.cmd("SINTER s nokey"), "~0\r\n");
    assert!(r.cmd("SUNION s i").starts_with("~2\r\n"));
    assert_eq!(r.cmd("SDIFF s i"), "~1\r\n$1\r\na\r\n");
    assert_eq!(r.cmd("SDIFF nokey"), "~0\r\n");
    assert_eq!(r.cmd("SPOP nokey 2"), "~0\r\n");
    assert_eq!(r.cmd("SPOP s 0"), "~0\r\n");
    assert_eq!(r.cmd("SPOP i 5"), "~1\r\n$1\r\n7\r\n");
    // Nulls.
    assert_eq!(r.cmd("SPOP nokey"), "_\r\n");
    assert_eq!(r.cmd("SRANDMEMBER nokey"), "_\r\n");
    // Arrays: SRANDMEMBER with a count, SMISMEMBER, SSCAN.
    assert_eq!(r.cmd("SRANDMEMBER s 2"), "*1\r\n$1\r\na\r\n");
    assert_eq!(r.cmd("SRANDMEMBER s -2"), "*2\r\n$1\r\na\r\n$1\r\na\r\n");
    assert_eq!(r.cmd("SRANDMEMBER nokey 2"), "*0\r\n");
    assert_eq!(r.cmd("SMISMEMBER s a q"), "*2\r\n:1\r\n:0\r\n");
    assert_eq!(r.cmd("SSCAN s 0"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
    assert_eq!(r.cmd("SINTERCARD 1 s"), int(1));
    assert_eq!(r.cmd("SPOP s 1"), "~1\r\n$1\r\na\r\n");
    assert_eq!(r.cmd("EXISTS s"), int(0));
    // The same in RESP2: plain arrays and nil bulk strings.
    let mut r2 = s.raw();
    assert_eq!(r2.cmd("SADD s a"), int(1));
    assert_eq!(r2.cmd("SMEMBERS s"), "*1\r\n$1\r\na\r\n");
    assert_eq!(r2.cmd("SPOP nokey 2"), "*0\r\n");
    assert_eq!(r2.cmd("SPOP nokey"), NIL);
    assert_eq!(r2.cmd("SPOP s 1"), "*1\r\n$1\r\na\r\n");
    // And through the redis crate's RESP3 client.
    let mut c3 = s.client3();
    let _: usize = c3.sadd("t", &["x", "y"]).unwrap();
    let got: HashSet<String> = c3.smembers("t").unwrap();
    assert_eq!(got, set_of(&["x", "y"]));
    let v: redis::Value = redis::cmd("SMEMBERS").arg("t").query(&mut c3).unwrap();
    assert!(
        matches!(v, redis::Value::Set(ref m) if m.len() == 2),
        "{v:?}"
    );
    let v: redis::Value = redis::cmd("SRANDMEMBER")
        .arg("t")
        .arg(2)
        .query(&mut c3)
        .unwrap();
    assert!(
        matches!(v, redis::Value::Array(ref m) if m.len() == 2),
        "{v:?}"
    );
}

#[test]
fn set_command_rows_match_redis() {
    let s = TestServer::start();
    let mut r = s.raw();
    // name, arity, flags, first, last, step, as Redis 7.0 reports them.
    type Row = (&'static str, i64, &'static [&'static str], i64, i64, i64);
    let rows: &[Row] = &[
        ("sadd", -3, &["write", "denyoom", "fast"], 1, 1, 1),
        ("srem", -3, &["write", "fast"], 1, 1, 1),
        ("sismember", 3, &["readonly", "fast"], 1, 1, 1),
        ("smismember", -3, &["readonly", "fast"], 1, 1, 1),
        ("smembers", 2, &["readonly"], 1, 1, 1),
        ("scard", 2, &["readonly", "fast"], 1, 1, 1),
        ("spop", -2, &["write", "fast"], 1, 1, 1),
        ("srandmember", -2, &["readonly"], 1, 1, 1),
        ("smove", 4, &["write", "fast"], 1, 2, 1),
        ("sinter", -2, &["readonly"], 1, -1, 1),
        ("sintercard", -3, &["readonly", "movablekeys"], 0, 0, 0),
        ("sinterstore", -3, &["write", "denyoom"], 1, -1, 1),
        ("sunion", -2, &["readonly"], 1, -1, 1),
        ("sunionstore", -3, &["write", "denyoom"], 1, -1, 1),
        ("sdiff", -2, &["readonly"], 1, -1, 1),
        ("sdiffstore", -3, &["write", "denyoom"], 1, -1, 1),
        ("sscan", -3, &["readonly"], 1, 1, 1),
    ];
    for (name, arity, flags, first, last, step) in rows {
        let mut expect = format!(
            "*1\r\n*10\r\n${}\r\n{name}\r\n:{arity}\r\n*{}\r\n",
            name.len(),
            flags.len()
        );
        for f in *flags {
            expect.push_str(&format!("+{f}\r\n"));
        }
        expect.push_str(&format!(":{first}\r\n:{last}\r\n:{step}\r\n"));
        let got = r.cmd(&format!("COMMAND INFO {name}"));
        assert!(got.starts_with(&expect), "{name}: {got:?}");
    }
}
