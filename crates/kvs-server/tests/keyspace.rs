//! Keyspace commands and expiry semantics, on a manual clock.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use redis::Commands;

#[test]
fn del_unlink_exists_touch_type() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("MSET a 1 b 2 c 3"), OK);
    assert_eq!(r.cmd("EXISTS a a x b"), int(3));
    assert_eq!(r.cmd("TOUCH a x"), int(1));
    assert_eq!(r.cmd("TYPE a"), "+string\r\n");
    assert_eq!(r.cmd("TYPE x"), "+none\r\n");
    assert_eq!(r.cmd("DEL a x a"), int(1));
    assert_eq!(r.cmd("UNLINK b c"), int(2));
    assert_eq!(
        r.cmd("DEL"),
        err("ERR wrong number of arguments for 'del' command")
    );
    assert_eq!(r.cmd("DBSIZE"), int(0));
}

#[test]
fn keys_with_glob_patterns() {
    let s = TestServer::start();
    let mut c = s.client();
    let _: () = c
        .mset(&[
            ("user:1", "a"),
            ("user:2", "b"),
            ("user:10", "c"),
            ("other", "d"),
        ])
        .unwrap();
    let mut k: Vec<String> = c.keys("user:?").unwrap();
    k.sort();
    assert_eq!(k, vec!["user:1", "user:2"]);
    let k: Vec<String> = c.keys("*").unwrap();
    assert_eq!(k.len(), 4);
    let mut k2: Vec<String> = c.keys("user:[^1]*").unwrap();
    k2.sort();
    assert_eq!(k2, vec!["user:2"]);
    let k: Vec<String> = c.keys("nomatch*").unwrap();
    assert!(k.is_empty());
}

#[test]
fn scan_returns_every_key_once_and_filters() {
    let s = TestServer::start();
    let mut c = s.client();
    for i in 0..500 {
        let _: () = c.set(format!("k{i}"), i).unwrap();
    }
    let _: () = c.set("other", 1).unwrap();
    let mut seen = HashSet::new();
    let mut cursor = 0u64;
    let mut calls = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg("k*")
            .arg("COUNT")
            .arg(20)
            .query(&mut c)
            .unwrap();
        for k in keys {
            assert!(k.starts_with('k'));
            assert!(seen.insert(k), "no key twice");
        }
        calls += 1;
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen.len(), 500);
    assert!(calls > 1, "COUNT 20 should take several calls");
    let mut r = s.raw();
    assert_eq!(
        r.cmd("SCAN 0 TYPE hash COUNT 1000"),
        "*2\r\n$1\r\n0\r\n*0\r\n"
    );
    assert_eq!(r.cmd("SCAN x"), err("ERR invalid cursor"));
    assert_eq!(r.cmd("SCAN 0 COUNT 0"), err("ERR syntax error"));
    assert_eq!(r.cmd("SCAN 0 BOGUS 1"), err("ERR syntax error"));
}

#[test]
fn randomkey_rename_renamenx() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("RANDOMKEY"), NIL);
    assert_eq!(r.cmd("SET a 1 EX 100"), OK);
    assert_eq!(r.cmd("RANDOMKEY"), bulk("a"));
    assert_eq!(r.cmd("RENAME a b"), OK);
    assert_eq!(r.cmd("TTL b"), int(100), "RENAME moves the TTL");
    assert_eq!(r.cmd("EXISTS a"), int(0));
    assert_eq!(r.cmd("RENAME a b"), err("ERR no such key"));
    assert_eq!(r.cmd("SET c 3"), OK);
    assert_eq!(r.cmd("RENAMENX b c"), int(0));
    assert_eq!(r.cmd("RENAMENX b d"), int(1));
    assert_eq!(r.cmd("RENAMENX zz d"), err("ERR no such key"));
    assert_eq!(r.cmd("GET d"), bulk("1"));
}

#[test]
fn copy_and_move_between_databases() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET a v EX 100"), OK);
    assert_eq!(r.cmd("COPY a b"), int(1));
    assert_eq!(r.cmd("TTL b"), int(100));
    assert_eq!(r.cmd("SET c other"), OK);
    assert_eq!(r.cmd("COPY a c"), int(0));
    assert_eq!(r.cmd("COPY a c REPLACE"), int(1));
    assert_eq!(r.cmd("GET c"), bulk("v"));
    assert_eq!(
        r.cmd("COPY a a"),
        err("ERR source and destination objects are the same")
    );
    assert_eq!(r.cmd("COPY a a DB 1"), int(1));
    assert_eq!(r.cmd("COPY a a DB 99"), err("ERR DB index is out of range"));
    assert_eq!(r.cmd("COPY none x"), int(0));
    assert_eq!(r.cmd("MOVE a 1"), int(0), "exists in db 1 already");
    assert_eq!(r.cmd("MOVE b 2"), int(1));
    assert_eq!(r.cmd("EXISTS b"), int(0));
    assert_eq!(
        r.cmd("MOVE c 0"),
        err("ERR source and destination objects are the same")
    );
    assert_eq!(r.cmd("MOVE c 16"), err("ERR DB index is out of range"));
    assert_eq!(
        r.cmd("MOVE c x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("SELECT 2"), OK);
    assert_eq!(r.cmd("GET b"), bulk("v"));
    assert_eq!(r.cmd("TTL b"), int(100));
}

#[test]
fn ttl_codes_and_expire_deletes_on_non_positive() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("TTL none"), int(-2));
    assert_eq!(r.cmd("PTTL none"), int(-2));
    assert_eq!(r.cmd("EXPIRETIME none"), int(-2));
    assert_eq!(r.cmd("SET k v"), OK);
    assert_eq!(r.cmd("TTL k"), int(-1));
    assert_eq!(r.cmd("PTTL k"), int(-1));
    assert_eq!(r.cmd("EXPIRETIME k"), int(-1));
    assert_eq!(r.cmd("EXPIRE none 10"), int(0));
    assert_eq!(r.cmd("EXPIRE k 10"), int(1));
    assert_eq!(r.cmd("PTTL k"), int(10_000));
    assert_eq!(r.cmd("PEXPIRE k 1500"), int(1));
    assert_eq!(r.cmd("TTL k"), int(2), "TTL rounds to the nearest second");
    assert_eq!(r.cmd("PERSIST k"), int(1));
    assert_eq!(r.cmd("PERSIST k"), int(0));
    assert_eq!(r.cmd("PERSIST none"), int(0));
    assert_eq!(r.cmd("EXPIRE k 0"), int(1));
    assert_eq!(r.cmd("EXISTS k"), int(0), "EXPIRE 0 deletes");
    assert_eq!(r.cmd("SET k v"), OK);
    assert_eq!(r.cmd("PEXPIRE k -100"), int(1));
    assert_eq!(r.cmd("EXISTS k"), int(0), "a negative TTL deletes");
    assert_eq!(r.cmd("SET k v"), OK);
    assert_eq!(r.cmd("EXPIREAT k 1"), int(1));
    assert_eq!(r.cmd("EXISTS k"), int(0), "a past EXPIREAT deletes");
    assert_eq!(
        r.cmd("EXPIRE k x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r.cmd("EXPIRE k 9223372036854775807"),
        err("ERR invalid expire time in 'expire' command")
    );
    assert_eq!(
        r.cmd("EXPIRE k 10 BOGUS"),
        err("ERR Unsupported option BOGUS")
    );
}

#[test]
fn expire_conditions_nx_xx_gt_lt() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET k v"), OK);
    assert_eq!(r.cmd("EXPIRE k 100 XX"), int(0), "XX needs a TTL");
    assert_eq!(
        r.cmd("EXPIRE k 100 GT"),
        int(0),
        "no TTL counts as infinite"
    );
    assert_eq!(r.cmd("EXPIRE k 100 LT"), int(1));
    assert_eq!(r.cmd("EXPIRE k 50 NX"), int(0));
    assert_eq!(r.cmd("EXPIRE k 200 GT"), int(1));
    assert_eq!(r.cmd("TTL k"), int(200));
    assert_eq!(r.cmd("EXPIRE k 100 GT"), int(0));
    assert_eq!(r.cmd("EXPIRE k 300 LT"), int(0));
    assert_eq!(r.cmd("EXPIRE k 150 LT"), int(1));
    assert_eq!(r.cmd("PEXPIRE k 150000 XX"), int(1));
    assert_eq!(r.cmd("TTL k"), int(150));
    assert_eq!(
        r.cmd("EXPIRE k 1 NX XX"),
        err("ERR NX and XX, GT or LT options at the same time are not compatible")
    );
    assert_eq!(
        r.cmd("EXPIRE k 1 GT LT"),
        err("ERR GT and LT options at the same time are not compatible")
    );
    let at = r.cmd("EXPIRETIME k");
    let at: i64 = at.trim_start_matches(':').trim().parse().unwrap();
    assert_eq!(r.cmd(&format!("EXPIREAT k {} GT", at + 10)), int(1));
    assert_eq!(
        r.cmd(&format!("PEXPIREAT k {} LT", (at + 5) * 1000)),
        int(1)
    );
    assert_eq!(r.cmd("EXPIRETIME k"), int(at + 5));
}

#[test]
fn keys_expire_by_the_clock_and_the_sweeper_counts_them() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET a 1 PX 100"), OK);
    assert_eq!(r.cmd("SET b 2 EX 1"), OK);
    assert_eq!(r.cmd("SET c 3"), OK);
    s.clock.advance(Duration::from_millis(99));
    assert_eq!(r.cmd("PTTL a"), int(1));
    s.clock.advance(Duration::from_millis(1));
    assert_eq!(r.cmd("GET a"), NIL);
    assert_eq!(r.cmd("PTTL a"), int(-2));
    assert_eq!(r.cmd("TTL b"), int(1));
    s.clock.advance(Duration::from_secs(1));
    // b is due; the background sweeper removes it and counts it (it may
    // have counted a too, had it run before the GET). Poll until b is gone
    // (the sweep runs every 100 ms of real time), bounded.
    let mut expired = 0;
    let mut size = String::new();
    for _ in 0..100 {
        let info = r.cmd("INFO stats");
        expired = info
            .lines()
            .find_map(|l| l.strip_prefix("expired_keys:"))
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap();
        size = r.cmd("DBSIZE");
        if size == int(1) {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(size, int(1), "the sweeper removed b");
    assert!(expired >= 1, "the sweeper counted the expired key");
    let keys: Vec<String> = s.client().keys("*").unwrap();
    assert_eq!(keys, vec!["c"]);
}

#[test]
fn object_encoding_follows_redis_for_strings() {
    let s = TestServer::start();
    let mut r = s.raw();
    let long = "x".repeat(45);
    for (value, enc) in [
        ("123", "int"),
        ("-0", "embstr"),
        ("01", "embstr"),
        ("12345678901234567890", "embstr"),
        ("abc", "embstr"),
        (long.as_str(), "raw"),
    ] {
        assert_eq!(r.cmd(&format!("SET k {value}")), OK);
        assert_eq!(r.cmd("OBJECT ENCODING k"), bulk(enc), "{value}");
    }
    assert_eq!(r.cmd("SET k 1"), OK);
    assert_eq!(r.cmd("APPEND k 2"), int(2));
    assert_eq!(r.cmd("OBJECT ENCODING k"), bulk("raw"));
    assert_eq!(r.cmd("GET k"), bulk("12"));
    assert_eq!(r.cmd("INCR k"), int(13));
    assert_eq!(r.cmd("OBJECT ENCODING k"), bulk("int"));
    assert_eq!(r.cmd("OBJECT ENCODING nokey"), NIL);
    assert_eq!(r.cmd("OBJECT REFCOUNT k"), int(i64::from(i32::MAX)));
    assert_eq!(r.cmd("SET k 123456"), OK);
    assert_eq!(r.cmd("OBJECT REFCOUNT k"), int(1));
    assert_eq!(
        r.cmd("OBJECT ENCODING"),
        err("ERR wrong number of arguments for 'object|encoding' command")
    );
    assert_eq!(
        r.cmd("OBJECT ENCODING a b"),
        err("ERR wrong number of arguments for 'object|encoding' command")
    );
    assert_eq!(
        r.cmd("OBJECT foo k"),
        err("ERR unknown subcommand 'foo'. Try OBJECT HELP.")
    );
    assert!(r
        .cmd("OBJECT FREQ k")
        .starts_with("-ERR An LFU maxmemory policy"));
}

#[test]
fn append_and_setrange_grow_the_string_in_place_and_keep_the_ttl() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET k ab EX 100"), OK);
    for i in 0..1000 {
        assert_eq!(r.cmd("APPEND k c"), int(3 + i));
    }
    assert_eq!(r.cmd("SETRANGE k 0 XY"), int(1002));
    assert_eq!(r.cmd("GETRANGE k 0 3"), bulk("XYcc"));
    assert_eq!(r.cmd("STRLEN k"), int(1002));
    assert_eq!(r.cmd("TTL k"), int(100));
    // An empty SETRANGE on a missing key creates nothing.
    assert_eq!(r.cmd("SETRANGE none 5 "), int(0));
    assert_eq!(r.cmd("EXISTS none"), int(0));
    assert_eq!(r.cmd("SETRANGE n2 2 z"), int(3));
    assert_eq!(r.cmd_bin(&[b"GET", b"n2"]), "$3\r\n\0\0z\r\n");
}

#[test]
fn command_getkeys_and_info_come_from_the_table() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(
        r.cmd("COMMAND GETKEYS MSET a 1 b 2"),
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        r.cmd("COMMAND GETKEYS GET"),
        err("ERR Invalid number of arguments specified for command")
    );
    assert_eq!(
        r.cmd("COMMAND GETKEYS NOPE x"),
        err("ERR Invalid command specified")
    );
    assert_eq!(
        r.cmd("COMMAND GETKEYS PING"),
        err("ERR The command has no key arguments")
    );
    let info = r.cmd("COMMAND INFO get");
    assert!(
        info.starts_with(
            "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
        ),
        "{info}"
    );
    // Arity is checked from the table before the command runs.
    assert_eq!(
        r.cmd("GET a b"),
        err("ERR wrong number of arguments for 'get' command")
    );
}
