//! List commands, blocking ones included: replies and error texts byte for
//! byte against what Redis 7.0 answered, and the blocking semantics
//! (FIFO wake-ups, timeouts, disconnects, databases).

mod common;

use std::time::{Duration, Instant};

use common::*;
use redis::Commands;

/// (protocol, request, raw reply), as Debian's redis-server 7.0.15 answered
/// them, in order, on one RESP2 and one RESP3 connection.
const REDIS_7_0: &[(u8, &str, &str)] = &[
    (2, "FLUSHALL", "+OK\r\n"),
    (2, "RPUSH l a b c", ":3\r\n"),
    (2, "LPUSH l x y", ":5\r\n"),
    (2, "LRANGE l 0 -1", "*5\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (2, "LPUSHX nope a", ":0\r\n"),
    (2, "RPUSHX nope a", ":0\r\n"),
    (2, "LPUSHX l z", ":6\r\n"),
    (2, "SET s v", "+OK\r\n"),
    (2, "LPUSH s a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LPUSHX s a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LPOP s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LLEN s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LRANGE s 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LPOP nope", "$-1\r\n"),
    (2, "LPOP nope 2", "*-1\r\n"),
    (3, "LPOP nope", "_\r\n"),
    (3, "LPOP nope 2", "_\r\n"),
    (2, "LPOP l 0", "*0\r\n"),
    (3, "LPOP l 0", "*0\r\n"),
    (2, "LPOP nope 0", "*-1\r\n"),
    (3, "LPOP nope 0", "_\r\n"),
    (2, "LPOP l -1", "-ERR value is out of range, must be positive\r\n"),
    (2, "LPOP nope -1", "-ERR value is out of range, must be positive\r\n"),
    (2, "LPOP l abc", "-ERR value is out of range, must be positive\r\n"),
    (2, "LPOP l 1 2", "-ERR wrong number of arguments for 'lpop' command\r\n"),
    (2, "LPOP l 2", "*2\r\n$1\r\nz\r\n$1\r\ny\r\n"),
    (2, "RPOP l 2", "*2\r\n$1\r\nc\r\n$1\r\nb\r\n"),
    (2, "LPOP l 100", "*2\r\n$1\r\nx\r\n$1\r\na\r\n"),
    (2, "EXISTS l", ":0\r\n"),
    (2, "RPOP s 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LLEN nope", ":0\r\n"),
    (2, "LRANGE nope 0 -1", "*0\r\n"),
    (3, "LRANGE nope 0 -1", "*0\r\n"),
    (2, "LRANGE l a 1", "-ERR value is not an integer or out of range\r\n"),
    (2, "LINDEX nope 0", "$-1\r\n"),
    (2, "LINDEX s 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LINDEX s x", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "RPUSH l a b c", ":3\r\n"),
    (2, "LINDEX l x", "-ERR value is not an integer or out of range\r\n"),
    (2, "LINDEX l -1", "$1\r\nc\r\n"),
    (2, "LINDEX l 3", "$-1\r\n"),
    (2, "LSET nope 0 a", "-ERR no such key\r\n"),
    (2, "LSET l 5 a", "-ERR index out of range\r\n"),
    (2, "LSET l x a", "-ERR value is not an integer or out of range\r\n"),
    (2, "LSET s 0 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LSET l -1 z", "+OK\r\n"),
    (2, "LINSERT l before b B", ":4\r\n"),
    (2, "LINSERT l AFTER b B2", ":5\r\n"),
    (2, "LINSERT l middle b x", "-ERR syntax error\r\n"),
    (2, "LINSERT l before nope x", ":-1\r\n"),
    (2, "LINSERT nope before a x", ":0\r\n"),
    (2, "LINSERT s before a x", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LRANGE l 0 -1", "*5\r\n$1\r\na\r\n$1\r\nB\r\n$1\r\nb\r\n$2\r\nB2\r\n$1\r\nz\r\n"),
    (2, "LREM l 0 B", ":1\r\n"),
    (2, "LREM l x B", "-ERR value is not an integer or out of range\r\n"),
    (2, "LREM nope 0 a", ":0\r\n"),
    (2, "LREM s 0 a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LTRIM nope 0 1", "+OK\r\n"),
    (2, "LTRIM s 0 1", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LTRIM l x 1", "-ERR value is not an integer or out of range\r\n"),
    (2, "LTRIM l 0 1", "+OK\r\n"),
    (2, "LTRIM l 5 10", "+OK\r\n"),
    (2, "EXISTS l", ":0\r\n"),
    (2, "FLUSHALL", "+OK\r\n"),
    (2, "SET s v", "+OK\r\n"),
    (2, "LPOP s abc", "-ERR value is out of range, must be positive\r\n"),
    (2, "LPOP nope abc", "-ERR value is out of range, must be positive\r\n"),
    (2, "LRANGE s a 1", "-ERR value is not an integer or out of range\r\n"),
    (2, "LRANGE nope a 1", "-ERR value is not an integer or out of range\r\n"),
    (2, "LSET s x a", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LSET nope x a", "-ERR no such key\r\n"),
    (2, "LTRIM s x 1", "-ERR value is not an integer or out of range\r\n"),
    (2, "LTRIM nope x 1", "-ERR value is not an integer or out of range\r\n"),
    (2, "LREM s x a", "-ERR value is not an integer or out of range\r\n"),
    (2, "LREM nope x a", "-ERR value is not an integer or out of range\r\n"),
    (2, "LINSERT s middle a b", "-ERR syntax error\r\n"),
    (2, "LINSERT nope middle a b", "-ERR syntax error\r\n"),
    (2, "LINDEX nope x", "$-1\r\n"),
    (2, "LPOS s a RANK 0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"),
    (2, "LPOS nope a RANK 0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"),
    (2, "RPUSH l a b c 1 2 3 c c", ":8\r\n"),
    (2, "LPOS l c", ":2\r\n"),
    (2, "LPOS l c RANK 2", ":6\r\n"),
    (2, "LPOS l c RANK -1", ":7\r\n"),
    (2, "LPOS l c COUNT 0", "*3\r\n:2\r\n:6\r\n:7\r\n"),
    (3, "LPOS l c COUNT 0", "*3\r\n:2\r\n:6\r\n:7\r\n"),
    (2, "LPOS l c RANK -1 COUNT 2", "*2\r\n:7\r\n:6\r\n"),
    (2, "LPOS l c MAXLEN 3", ":2\r\n"),
    (2, "LPOS l c COUNT 0 MAXLEN 3", "*1\r\n:2\r\n"),
    (2, "LPOS l x", "$-1\r\n"),
    (2, "LPOS l x COUNT 2", "*0\r\n"),
    (3, "LPOS l x", "_\r\n"),
    (2, "LPOS nope x", "$-1\r\n"),
    (2, "LPOS nope x COUNT 1", "*0\r\n"),
    (3, "LPOS nope x COUNT 1", "*0\r\n"),
    (2, "LPOS l c RANK 0", "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"),
    (2, "LPOS l c RANK x", "-ERR value is not an integer or out of range\r\n"),
    (2, "LPOS l c RANK -9223372036854775808", ":7\r\n"),
    (2, "LPOS l c COUNT -1", "-ERR COUNT can't be negative\r\n"),
    (2, "LPOS l c COUNT x", "-ERR COUNT can't be negative\r\n"),
    (2, "LPOS l c MAXLEN -1", "-ERR MAXLEN can't be negative\r\n"),
    (2, "LPOS l c MAXLEN x", "-ERR MAXLEN can't be negative\r\n"),
    (2, "LPOS l c FOO 1", "-ERR syntax error\r\n"),
    (2, "LPOS l c RANK", "-ERR syntax error\r\n"),
    (2, "LPOS l c RANK 1 COUNT", "-ERR syntax error\r\n"),
    (2, "LPOS l c rank 1 count 1 maxlen 0", "*1\r\n:2\r\n"),
    (2, "LPOS s c COUNT -1", "-ERR COUNT can't be negative\r\n"),
    (2, "LPOS s c FOO", "-ERR syntax error\r\n"),
    (2, "FLUSHALL", "+OK\r\n"),
    (2, "SET s v", "+OK\r\n"),
    (2, "RPUSH l a b c", ":3\r\n"),
    (2, "LMOVE l d LEFT RIGHT", "$1\r\na\r\n"),
    (2, "LMOVE l d left left", "$1\r\nb\r\n"),
    (2, "LRANGE d 0 -1", "*2\r\n$1\r\nb\r\n$1\r\na\r\n"),
    (2, "LMOVE l d MIDDLE RIGHT", "-ERR syntax error\r\n"),
    (2, "LMOVE l s LEFT RIGHT", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LRANGE l 0 -1", "*1\r\n$1\r\nc\r\n"),
    (2, "LMOVE s l LEFT RIGHT", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LMOVE nope l LEFT RIGHT", "$-1\r\n"),
    (2, "LMOVE nope s LEFT RIGHT", "$-1\r\n"),
    (2, "LMOVE s s LEFT RIGHT", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LMOVE nope d MIDDLE RIGHT", "-ERR syntax error\r\n"),
    (3, "LMOVE nope d LEFT RIGHT", "_\r\n"),
    (2, "LMOVE l l LEFT RIGHT", "$1\r\nc\r\n"),
    (2, "LRANGE l 0 -1", "*1\r\n$1\r\nc\r\n"),
    (2, "RPOPLPUSH l l", "$1\r\nc\r\n"),
    (2, "RPOPLPUSH l s", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "RPOPLPUSH nope s", "$-1\r\n"),
    (2, "RPOPLPUSH s l", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "RPOPLPUSH l d", "$1\r\nc\r\n"),
    (2, "LRANGE d 0 -1", "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"),
    (2, "EXISTS l", ":0\r\n"),
    (2, "RPUSH l a b c", ":3\r\n"),
    (2, "RPUSH m x y", ":2\r\n"),
    (2, "LMPOP 2 nope l LEFT", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n"),
    (2, "LMPOP 2 nope l RIGHT COUNT 5", "*2\r\n$1\r\nl\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"),
    (3, "LMPOP 2 l m LEFT COUNT 1", "*2\r\n$1\r\nm\r\n*1\r\n$1\r\nx\r\n"),
    (2, "LMPOP 2 nope nope2 LEFT", "*-1\r\n"),
    (3, "LMPOP 2 nope nope2 LEFT", "_\r\n"),
    (2, "LMPOP 2 s m LEFT", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "LMPOP 2 m s LEFT", "*2\r\n$1\r\nm\r\n*1\r\n$1\r\ny\r\n"),
    (2, "LMPOP 0 m LEFT", "-ERR numkeys should be greater than 0\r\n"),
    (2, "LMPOP -1 m LEFT", "-ERR numkeys should be greater than 0\r\n"),
    (2, "LMPOP x m LEFT", "-ERR numkeys should be greater than 0\r\n"),
    (2, "LMPOP 3 m LEFT", "-ERR syntax error\r\n"),
    (2, "LMPOP 2 m LEFT", "-ERR syntax error\r\n"),
    (2, "LMPOP 1 m MIDDLE", "-ERR syntax error\r\n"),
    (2, "LMPOP 1 m LEFT COUNT 0", "-ERR count should be greater than 0\r\n"),
    (2, "LMPOP 1 m LEFT COUNT -1", "-ERR count should be greater than 0\r\n"),
    (2, "LMPOP 1 m LEFT COUNT x", "-ERR count should be greater than 0\r\n"),
    (2, "LMPOP 1 m LEFT COUNT", "-ERR syntax error\r\n"),
    (2, "LMPOP 1 m LEFT COUNT 1 COUNT 2", "-ERR syntax error\r\n"),
    (2, "LMPOP 1 m LEFT FOO", "-ERR syntax error\r\n"),
    (2, "LMPOP 1 m LEFT COUNT 1 extra", "-ERR syntax error\r\n"),
    (2, "LMPOP 1 m", "-ERR wrong number of arguments for 'lmpop' command\r\n"),
    (2, "LMPOP 1 m x y", "-ERR syntax error\r\n"),
    (2, "LMPOP 99999999999999999999 m LEFT", "-ERR numkeys should be greater than 0\r\n"),
    (2, "LMPOP 1 s LEFT COUNT 0", "-ERR count should be greater than 0\r\n"),
    (2, "COMMAND GETKEYS LMPOP 2 a b LEFT", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    (2, "COMMAND GETKEYS LMPOP 3 a b LEFT", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$4\r\nLEFT\r\n"),
    (2, "COMMAND GETKEYS BLMPOP 0 2 a b LEFT", "*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    (2, "COMMAND GETKEYS BLMPOP 0 3 a b LEFT", "*3\r\n$1\r\na\r\n$1\r\nb\r\n$4\r\nLEFT\r\n"),
    (2, "COMMAND GETKEYS BLMPOP 0 0 a b LEFT", "-ERR Invalid arguments specified for command\r\n"),
    (2, "COMMAND GETKEYS LMPOP 0 a b LEFT", "-ERR Invalid arguments specified for command\r\n"),
    (2, "COMMAND GETKEYS LMPOP x a b LEFT", "-ERR Invalid arguments specified for command\r\n"),
    (2, "FLUSHALL", "+OK\r\n"),
    (2, "SET s v", "+OK\r\n"),
    (2, "RPUSH l a b", ":2\r\n"),
    (2, "BLPOP l 0", "*2\r\n$1\r\nl\r\n$1\r\na\r\n"),
    (3, "BLPOP l 0", "*2\r\n$1\r\nl\r\n$1\r\nb\r\n"),
    (2, "BLPOP nope l2 0.01", "*-1\r\n"),
    (3, "BLPOP nope 0.01", "_\r\n"),
    (2, "BRPOP nope 0.01", "*-1\r\n"),
    (2, "BLPOP s 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "BLPOP nope s 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "BLPOP nope x", "-ERR timeout is not a float or out of range\r\n"),
    (2, "BLPOP nope -1", "-ERR timeout is negative\r\n"),
    (2, "BLPOP nope inf", "-ERR timeout is negative\r\n"),
    (2, "BLPOP nope -inf", "-ERR timeout is negative\r\n"),
    (2, "BLPOP nope nan", "-ERR timeout is not a float or out of range\r\n"),
    (2, "BLPOP nope 1e300", "-ERR timeout is negative\r\n"),
    (2, "BLPOP nope 9223372036854775807", "-ERR timeout is negative\r\n"),
    (2, "BLPOP nope .01", "*-1\r\n"),
    (2, "RPUSH l a b", ":2\r\n"),
    (2, "BLMOVE l d LEFT RIGHT 0", "$1\r\na\r\n"),
    (2, "BLMOVE nope d LEFT RIGHT 0.01", "*-1\r\n"),
    (3, "BLMOVE nope d LEFT RIGHT 0.01", "_\r\n"),
    (2, "BLMOVE nope d MIDDLE RIGHT x", "-ERR syntax error\r\n"),
    (2, "BLMOVE nope d LEFT RIGHT x", "-ERR timeout is not a float or out of range\r\n"),
    (2, "BLMOVE s d LEFT RIGHT 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "BLMOVE l s LEFT RIGHT 0", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (2, "BRPOPLPUSH nope d 0.01", "*-1\r\n"),
    (2, "BRPOPLPUSH nope d x", "-ERR timeout is not a float or out of range\r\n"),
    (2, "BRPOPLPUSH l d 0", "$1\r\nb\r\n"),
    (2, "BLMPOP 0.01 1 nope LEFT", "*-1\r\n"),
    (3, "BLMPOP 0.01 1 nope LEFT", "_\r\n"),
    (2, "BLMPOP x 1 nope LEFT", "-ERR timeout is not a float or out of range\r\n"),
    (2, "BLMPOP x 0 nope LEFT", "-ERR numkeys should be greater than 0\r\n"),
    (2, "BLMPOP x 1 nope MIDDLE", "-ERR syntax error\r\n"),
    (2, "BLMPOP x 1 nope LEFT COUNT 0", "-ERR count should be greater than 0\r\n"),
    (2, "RPUSH l a b c", ":3\r\n"),
    (2, "BLMPOP 0 2 nope l RIGHT COUNT 2", "*2\r\n$1\r\nl\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"),
    (3, "BLMPOP 0 1 l RIGHT COUNT 2", "*2\r\n$1\r\nl\r\n*1\r\n$1\r\na\r\n"),
    (2, "BLMPOP 0 1 s LEFT", "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
];

#[test]
fn replies_match_redis_7_0() {
    let s = TestServer::start();
    let mut r2 = s.raw();
    let mut r3 = s.raw();
    assert!(r3.cmd("HELLO 3").starts_with('%'));
    for &(proto, req, want) in REDIS_7_0 {
        let got = if proto == 3 { r3.cmd(req) } else { r2.cmd(req) };
        assert_eq!(got, want, "RESP{proto} {req}");
    }
}

#[test]
fn wrong_type_both_ways() {
    let s = TestServer::start();
    let mut r = s.raw();
    let wt = err("WRONGTYPE Operation against a key holding the wrong kind of value");
    assert_eq!(r.cmd("RPUSH l a"), int(1));
    assert_eq!(r.cmd("GET l"), wt);
    assert_eq!(r.cmd("INCR l"), wt);
    assert_eq!(r.cmd("APPEND l x"), wt);
    assert_eq!(r.cmd("TYPE l"), "+list\r\n");
    assert_eq!(r.cmd("OBJECT ENCODING l"), bulk("quicklist"));
    assert_eq!(r.cmd("SET s v"), OK);
    for req in [
        "LPUSH s a",
        "RPUSHX s a",
        "LPOP s",
        "LLEN s",
        "LRANGE s 0 -1",
        "LINDEX s 0",
        "LSET s 0 a",
        "LINSERT s BEFORE a b",
        "LREM s 0 a",
        "LTRIM s 0 1",
        "LPOS s a",
        "LMOVE s l LEFT LEFT",
        "LMOVE l s LEFT LEFT",
        "RPOPLPUSH l s",
        "LMPOP 1 s LEFT",
        "BLPOP s 0",
        "BRPOP nope s 0",
        "BLMOVE s l LEFT LEFT 0",
        "BLMOVE l s LEFT LEFT 0",
        "BLMPOP 0 1 s LEFT",
    ] {
        assert_eq!(r.cmd(req), wt, "{req}");
    }
    // Nothing moved out of the source when the destination was wrong.
    assert_eq!(r.cmd("LRANGE l 0 -1"), "*1\r\n$1\r\na\r\n");
    assert_eq!(r.cmd("GET s"), bulk("v"));
}

#[test]
fn pushes_keep_the_ttl_and_emptied_lists_disappear() {
    let s = TestServer::start();
    let mut c = s.client();
    let _: () = c.rpush("l", &["a", "b"]).unwrap();
    let _: () = c.expire("l", 100).unwrap();
    let _: () = c.lpush("l", "z").unwrap();
    let _: () = c.rpush_exists("l", "y").unwrap();
    let _: () = redis::cmd("LMOVE")
        .arg("l")
        .arg("l")
        .arg("LEFT")
        .arg("RIGHT")
        .query(&mut c)
        .unwrap();
    let ttl: i64 = c.ttl("l").unwrap();
    assert_eq!(ttl, 100);
    let all: Vec<String> = c.lrange("l", 0, -1).unwrap();
    assert_eq!(all, ["a", "b", "y", "z"]);
    // A one-element list rotated onto itself stays (with its TTL).
    let _: () = c.rpush("one", "x").unwrap();
    let _: () = c.expire("one", 50).unwrap();
    let v: String = c.rpoplpush("one", "one").unwrap();
    assert_eq!(v, "x");
    assert_eq!(c.ttl::<_, i64>("one").unwrap(), 50);
    let _: () = c.ltrim("l", 1, 0).unwrap();
    assert!(!c.exists::<_, bool>("l").unwrap());
    let _: () = c.rpush("m", &["a", "a"]).unwrap();
    let _: () = c.lrem("m", 0, "a").unwrap();
    assert!(!c.exists::<_, bool>("m").unwrap());
    let _: () = c.rpush("m", "a").unwrap();
    let _: () = c.rpoplpush("m", "n").unwrap();
    assert!(!c.exists::<_, bool>("m").unwrap());
    assert_eq!(c.lrange::<_, Vec<String>>("n", 0, -1).unwrap(), ["a"]);
}

#[test]
fn a_long_list_and_negative_indexes() {
    let s = TestServer::start();
    let mut c = s.client();
    let items: Vec<String> = (0..10_000).map(|i| format!("item-{i}")).collect();
    let n: usize = c.rpush("big", &items).unwrap();
    assert_eq!(n, 10_000);
    assert_eq!(c.llen::<_, usize>("big").unwrap(), 10_000);
    let all: Vec<String> = c.lrange("big", 0, -1).unwrap();
    assert_eq!(all, items);
    let tail: Vec<String> = c.lrange("big", -3, -1).unwrap();
    assert_eq!(tail, ["item-9997", "item-9998", "item-9999"]);
    let mid: Vec<String> = c.lrange("big", 4999, 5001).unwrap();
    assert_eq!(mid, ["item-4999", "item-5000", "item-5001"]);
    assert_eq!(c.lindex::<_, String>("big", 5000).unwrap(), "item-5000");
    assert_eq!(c.lindex::<_, String>("big", -1).unwrap(), "item-9999");
    assert_eq!(c.lindex::<_, String>("big", -10_000).unwrap(), "item-0");
    assert_eq!(c.lindex::<_, Option<String>>("big", -10_001).unwrap(), None);
    assert_eq!(c.lindex::<_, Option<String>>("big", 10_000).unwrap(), None);
    let _: () = c.lset("big", -2, "changed").unwrap();
    assert_eq!(c.lindex::<_, String>("big", 9998).unwrap(), "changed");
    let pos: Option<usize> = redis::cmd("LPOS")
        .arg("big")
        .arg("item-7777")
        .query(&mut c)
        .unwrap();
    assert_eq!(pos, Some(7777));
    let _: () = c.ltrim("big", 100, -101).unwrap();
    assert_eq!(c.llen::<_, usize>("big").unwrap(), 9800);
    assert_eq!(c.lindex::<_, String>("big", 0).unwrap(), "item-100");
    let popped: Vec<String> = c.rpop("big", std::num::NonZeroUsize::new(5)).unwrap();
    assert_eq!(popped.len(), 5);
    assert_eq!(popped[0], "item-9899");
}

/// `INFO clients`' `blocked_clients`.
fn blocked(c: &mut redis::Connection) -> usize {
    let info: String = redis::cmd("INFO").arg("clients").query(c).unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix("blocked_clients:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Waits until exactly `n` clients are blocked (polling INFO, with a
/// deadline so a bug fails instead of hanging).
fn wait_blocked(c: &mut redis::Connection, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while blocked(c) != n {
        assert!(Instant::now() < deadline, "never {n} blocked clients");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn blpop_answers_at_once_when_there_is_data() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("RPUSH b x y"), int(2));
    assert_eq!(r.cmd("BLPOP a b 0"), "*2\r\n$1\r\nb\r\n$1\r\nx\r\n");
    assert_eq!(r.cmd("BRPOP a b 0"), "*2\r\n$1\r\nb\r\n$1\r\ny\r\n");
    assert_eq!(r.cmd("EXISTS b"), int(0));
    assert_eq!(r.cmd("RPUSH b x y z"), int(3));
    assert_eq!(r.cmd("BLMOVE b c RIGHT LEFT 0"), bulk("z"));
    assert_eq!(r.cmd("BRPOPLPUSH b c 0"), bulk("y"));
    assert_eq!(
        r.cmd("BLMPOP 0 2 a b LEFT COUNT 5"),
        "*2\r\n$1\r\nb\r\n*1\r\n$1\r\nx\r\n"
    );
}

#[test]
fn blocked_clients_are_served_in_the_order_they_blocked() {
    let s = TestServer::start();
    let mut c = s.client();
    let mut waiters = Vec::new();
    for i in 0..3 {
        let mut w = s.raw();
        w.send(&Raw::encode(&[b"BLPOP", b"other", b"q", b"0"]));
        wait_blocked(&mut c, i + 1);
        waiters.push(w);
    }
    // One push of three elements serves all three, head first, in order.
    let n: usize = c.rpush("q", &["1", "2", "3"]).unwrap();
    assert_eq!(n, 3);
    for (w, v) in waiters.iter_mut().zip(["1", "2", "3"]) {
        assert_eq!(w.reply(), format!("*2\r\n$1\r\nq\r\n$1\r\n{v}\r\n"));
    }
    assert_eq!(blocked(&mut c), 0);
    assert!(!c.exists::<_, bool>("q").unwrap());

    // One element per push: one waiter each time, the earliest first.
    let mut waiters = Vec::new();
    for i in 0..3 {
        let mut w = s.raw();
        w.send(&Raw::encode(&[b"BRPOP", b"q", b"0"]));
        wait_blocked(&mut c, i + 1);
        waiters.push(w);
    }
    for (i, w) in waiters.iter_mut().enumerate() {
        let _: () = c.lpush("q", i.to_string()).unwrap();
        assert_eq!(w.reply(), format!("*2\r\n$1\r\nq\r\n$1\r\n{i}\r\n"));
        assert_eq!(blocked(&mut c), 2 - i);
    }
}

#[test]
fn a_client_blocked_on_several_keys_is_served_once() {
    let s = TestServer::start();
    let mut c = s.client();
    let mut w = s.raw();
    w.send(&Raw::encode(&[b"BLPOP", b"a", b"b", b"c", b"0"]));
    wait_blocked(&mut c, 1);
    let _: () = c.rpush("b", "x").unwrap();
    assert_eq!(w.reply(), "*2\r\n$1\r\nb\r\n$1\r\nx\r\n");
    assert_eq!(blocked(&mut c), 0);
    // It no longer waits on the others.
    let _: () = c.rpush("a", "y").unwrap();
    assert_eq!(c.lrange::<_, Vec<String>>("a", 0, -1).unwrap(), ["y"]);
    assert_eq!(w.cmd("PING"), "+PONG\r\n");
}

#[test]
fn a_timeout_gives_the_null_array_no_earlier_than_asked() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut r3 = s.raw();
    r3.cmd("HELLO 3");
    for (req, want) in [
        ("BLPOP a b 0.2", "*-1\r\n"),
        ("BRPOP a 0.2", "*-1\r\n"),
        ("BLMOVE a b LEFT LEFT 0.2", "*-1\r\n"),
        ("BRPOPLPUSH a b 0.2", "*-1\r\n"),
        ("BLMPOP 0.2 2 a b LEFT", "*-1\r\n"),
    ] {
        let t = Instant::now();
        assert_eq!(r.cmd(req), want, "{req}");
        assert!(t.elapsed() >= Duration::from_millis(200), "{req}");
        let t = Instant::now();
        assert_eq!(r3.cmd(req), "_\r\n", "RESP3 {req}");
        assert!(t.elapsed() >= Duration::from_millis(200), "{req}");
    }
    let mut c = s.client();
    assert_eq!(blocked(&mut c), 0);
    // A push after the timeout stays in the list.
    let _: () = c.rpush("a", "x").unwrap();
    assert_eq!(c.llen::<_, usize>("a").unwrap(), 1);
}

#[test]
fn pipelined_requests_wait_for_the_blocked_one() {
    let s = TestServer::start();
    let mut c = s.client();
    let mut w = s.raw();
    let mut batch = Raw::encode(&[b"PING"]);
    batch.extend(Raw::encode(&[b"BLPOP", b"q", b"0"]));
    batch.extend(Raw::encode(&[b"LLEN", b"q"]));
    batch.extend(Raw::encode(&[b"ECHO", b"after"]));
    w.send(&batch);
    // Replies before the blocking command are sent.
    assert_eq!(w.reply(), "+PONG\r\n");
    wait_blocked(&mut c, 1);
    let _: () = c.rpush("q", &["x", "y"]).unwrap();
    assert_eq!(w.reply(), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    // LLEN ran after the pop.
    assert_eq!(w.reply(), int(1));
    assert_eq!(w.reply(), bulk("after"));
}

#[test]
fn a_disconnected_blocked_client_takes_nothing() {
    let s = TestServer::start();
    let mut c = s.client();
    {
        let mut gone = s.raw();
        gone.send(&Raw::encode(&[b"BLPOP", b"q", b"0"]));
        wait_blocked(&mut c, 1);
    }
    // The server notices the close and unregisters it.
    wait_blocked(&mut c, 0);
    let _: () = c.rpush("q", "x").unwrap();
    assert_eq!(
        c.lpop::<_, Option<String>>("q", None).unwrap().as_deref(),
        Some("x")
    );

    // Closed while a live one waits behind it: the live one gets it.
    let mut gone = s.raw();
    gone.send(&Raw::encode(&[b"BLPOP", b"q", b"0"]));
    wait_blocked(&mut c, 1);
    let mut live = s.raw();
    live.send(&Raw::encode(&[b"BLPOP", b"q", b"0"]));
    wait_blocked(&mut c, 2);
    drop(gone);
    wait_blocked(&mut c, 1);
    let _: () = c.rpush("q", "y").unwrap();
    assert_eq!(live.reply(), "*2\r\n$1\r\nq\r\n$1\r\ny\r\n");
}

#[test]
fn blmove_serves_the_clients_blocked_on_its_destination() {
    let s = TestServer::start();
    let mut c = s.client();
    let mut mover = s.raw();
    mover.send(&Raw::encode(&[
        b"BLMOVE", b"src", b"dst", b"RIGHT", b"LEFT", b"0",
    ]));
    wait_blocked(&mut c, 1);
    let mut popper = s.raw();
    popper.send(&Raw::encode(&[b"BLPOP", b"dst", b"0"]));
    wait_blocked(&mut c, 2);
    let _: () = c.rpush("src", &["a", "b"]).unwrap();
    assert_eq!(mover.reply(), bulk("b"));
    assert_eq!(popper.reply(), "*2\r\n$3\r\ndst\r\n$1\r\nb\r\n");
    assert_eq!(c.lrange::<_, Vec<String>>("src", 0, -1).unwrap(), ["a"]);
    assert!(!c.exists::<_, bool>("dst").unwrap());
    // LMOVE into a key a client is blocked on wakes it too.
    popper.send(&Raw::encode(&[b"BRPOPLPUSH", b"dst", b"out", b"0"]));
    wait_blocked(&mut c, 1);
    let v: String = redis::cmd("LMOVE")
        .arg("src")
        .arg("dst")
        .arg("LEFT")
        .arg("LEFT")
        .query(&mut c)
        .unwrap();
    assert_eq!(v, "a");
    assert_eq!(popper.reply(), bulk("a"));
    assert_eq!(c.lrange::<_, Vec<String>>("out", 0, -1).unwrap(), ["a"]);
    assert_eq!(blocked(&mut c), 0);
}

#[test]
fn a_served_blmove_onto_a_wrong_type_fails_and_keeps_the_element() {
    let s = TestServer::start();
    let mut c = s.client();
    let _: () = c.set("str", "v").unwrap();
    let mut w = s.raw();
    w.send(&Raw::encode(&[
        b"BLMOVE", b"src", b"str", b"LEFT", b"LEFT", b"0",
    ]));
    wait_blocked(&mut c, 1);
    let _: () = c.rpush("src", "x").unwrap();
    assert_eq!(
        w.reply(),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(c.lrange::<_, Vec<String>>("src", 0, -1).unwrap(), ["x"]);
    assert_eq!(blocked(&mut c), 0);
}

#[test]
fn blmpop_is_woken_with_up_to_count_elements() {
    let s = TestServer::start();
    let mut c = s.client();
    let mut w = s.raw();
    w.send(&Raw::encode(&[
        b"BLMPOP", b"0", b"2", b"a", b"b", b"RIGHT", b"COUNT", b"2",
    ]));
    wait_blocked(&mut c, 1);
    let _: () = c.rpush("b", &["1", "2", "3"]).unwrap();
    assert_eq!(w.reply(), "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n");
    assert_eq!(c.lrange::<_, Vec<String>>("b", 0, -1).unwrap(), ["1"]);
}

#[test]
fn a_push_to_another_database_does_not_wake() {
    let s = TestServer::start();
    let mut c = s.client();
    let mut w = s.raw();
    w.send(&Raw::encode(&[b"BLPOP", b"q", b"0"]));
    wait_blocked(&mut c, 1);
    let mut other = s.raw();
    assert_eq!(other.cmd("SELECT 1"), OK);
    assert_eq!(other.cmd("RPUSH q x"), int(1));
    assert_eq!(blocked(&mut c), 1);
    assert_eq!(other.cmd("LLEN q"), int(1));
    // Database 0's push does.
    let _: () = c.rpush("q", "y").unwrap();
    assert_eq!(w.reply(), "*2\r\n$1\r\nq\r\n$1\r\ny\r\n");
    // A client blocked in database 1 is woken by database 1's pushes.
    assert_eq!(w.cmd("SELECT 1"), OK);
    assert_eq!(w.cmd("BLPOP q 0"), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
    w.send(&Raw::encode(&[b"BLPOP", b"q", b"0"]));
    wait_blocked(&mut c, 1);
    assert_eq!(other.cmd("LPUSH q z"), int(1));
    assert_eq!(w.reply(), "*2\r\n$1\r\nq\r\n$1\r\nz\r\n");
}

#[test]
fn shutdown_releases_blocked_clients() {
    let mut s = TestServer::start();
    let mut c = s.client();
    let mut w = s.raw();
    w.send(&Raw::encode(&[b"BLPOP", b"q", b"0"]));
    wait_blocked(&mut c, 1);
    drop(c);
    let t = Instant::now();
    s.stop().unwrap();
    assert!(t.elapsed() < Duration::from_secs(2));
    assert!(w.closed());
}

#[test]
fn resp3_reply_types() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert!(r.cmd("HELLO 3").starts_with('%'));
    assert_eq!(r.cmd("RPUSH l a b c"), int(3));
    assert_eq!(r.cmd("LPOP nope"), "_\r\n");
    assert_eq!(r.cmd("LPOP nope 1"), "_\r\n");
    assert_eq!(r.cmd("LINDEX l 9"), "_\r\n");
    assert_eq!(r.cmd("LPOS l x"), "_\r\n");
    assert_eq!(r.cmd("LMPOP 1 nope LEFT"), "_\r\n");
    assert_eq!(r.cmd("BLPOP l 0"), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
    assert_eq!(
        r.cmd("LMPOP 1 l LEFT"),
        "*2\r\n$1\r\nl\r\n*1\r\n$1\r\nb\r\n"
    );
    let mut c3 = s.client3();
    let v: redis::Value = redis::cmd("LPOP").arg("nope").query(&mut c3).unwrap();
    assert_eq!(v, redis::Value::Nil);
}

#[test]
fn command_info_rows() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(
        r.cmd("COMMAND GETKEYS BLMOVE a b LEFT LEFT 0"),
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        r.cmd("COMMAND GETKEYS BLPOP a b 0"),
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        r.cmd("COMMAND GETKEYS LMPOP 4 a b LEFT"),
        err("ERR Invalid arguments specified for command")
    );
    let info = r.cmd("COMMAND INFO blmpop");
    assert!(
        info.contains("blocking") && info.contains("movablekeys"),
        "{info}"
    );
}

#[test]
fn concurrent_pushes_and_blocking_pops_lose_nothing() {
    let s = TestServer::start();
    const PER: usize = 300;
    let poppers: Vec<_> = (0..4)
        .map(|_| {
            let mut c = s.client();
            std::thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    let r: Option<(String, String)> = redis::cmd("BLPOP")
                        .arg("q")
                        .arg("w")
                        .arg(2)
                        .query(&mut c)
                        .unwrap();
                    match r {
                        Some((_, v)) if v == "stop" => return got,
                        Some((_, v)) => got.push(v),
                        None => panic!("a push was missed"),
                    }
                }
            })
        })
        .collect();
    let pushers: Vec<_> = (0..4)
        .map(|p| {
            let mut c = s.client();
            std::thread::spawn(move || {
                for i in 0..PER {
                    let key = if i % 2 == 0 { "q" } else { "w" };
                    let _: () = c.rpush(key, format!("{p}-{i}")).unwrap();
                }
            })
        })
        .collect();
    for p in pushers {
        p.join().unwrap();
    }
    let mut c = s.client();
    // Every element is taken by a blocked client (none is left sitting in
    // a list while clients wait on it).
    let deadline = Instant::now() + Duration::from_secs(10);
    while c.exists::<_, usize>(&["q", "w"]).unwrap() > 0 {
        assert!(Instant::now() < deadline, "elements left behind");
        std::thread::sleep(Duration::from_millis(2));
    }
    let _: () = c.rpush("q", &["stop"; 4]).unwrap();
    let mut all: Vec<String> = poppers
        .into_iter()
        .flat_map(|p| p.join().unwrap())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 4 * PER);
    assert!(!c.exists::<_, bool>("q").unwrap());
    assert!(!c.exists::<_, bool>("w").unwrap());
    assert_eq!(blocked(&mut c), 0);
}
