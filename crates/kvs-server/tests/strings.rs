//! String commands, their options and their error texts, through a real
//! client and byte for byte.

mod common;

use std::time::Duration;

use common::*;
use redis::Commands;

#[test]
fn get_set_and_arity_errors() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("GET k"), NIL);
    assert_eq!(r.cmd("SET k v"), OK);
    assert_eq!(r.cmd("GET k"), bulk("v"));
    assert_eq!(
        r.cmd("get"),
        err("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(
        r.cmd("GET a b"),
        err("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(
        r.cmd("SET k"),
        err("ERR wrong number of arguments for 'set' command")
    );
    assert_eq!(r.cmd("SET k v BOGUS"), err("ERR syntax error"));
    assert_eq!(r.cmd("SET k v NX XX"), err("ERR syntax error"));
    assert_eq!(r.cmd("SET k v EX 10 PX 10"), err("ERR syntax error"));
    assert_eq!(r.cmd("SET k v KEEPTTL EX 10"), err("ERR syntax error"));
    assert_eq!(r.cmd("SET k v EX"), err("ERR syntax error"));
    assert_eq!(
        r.cmd("SET k v EX ten"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r.cmd("SET k v EX 0"),
        err("ERR invalid expire time in 'set' command")
    );
    assert_eq!(
        r.cmd("SET k v PX -5"),
        err("ERR invalid expire time in 'set' command")
    );
    assert_eq!(
        r.cmd("SET k v EX 9223372036854775807"),
        err("ERR invalid expire time in 'set' command")
    );
    assert_eq!(
        r.cmd("FOO a"),
        err("ERR unknown command 'FOO', with args beginning with: 'a' ")
    );
    // A failed SET changed nothing.
    assert_eq!(r.cmd("GET k"), bulk("v"));
}

#[test]
fn set_options_nx_xx_get_keepttl() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET k v1 XX"), NIL);
    assert_eq!(r.cmd("EXISTS k"), int(0));
    assert_eq!(r.cmd("SET k v1 NX"), OK);
    assert_eq!(r.cmd("SET k v2 NX"), NIL);
    assert_eq!(r.cmd("SET k v2 XX GET"), bulk("v1"));
    assert_eq!(r.cmd("SET k v3 NX GET"), bulk("v2"));
    assert_eq!(r.cmd("GET k"), bulk("v2"));
    assert_eq!(r.cmd("SET new v GET"), NIL);
    // TTL kept only with KEEPTTL.
    assert_eq!(r.cmd("SET k v EX 100"), OK);
    assert_eq!(r.cmd("SET k w KEEPTTL"), OK);
    assert_eq!(r.cmd("TTL k"), int(100));
    assert_eq!(r.cmd("SET k x"), OK);
    assert_eq!(r.cmd("TTL k"), int(-1));
    assert_eq!(r.cmd("SET k v PX 1500"), OK);
    assert_eq!(r.cmd("PTTL k"), int(1500));
    assert_eq!(r.cmd("TTL k"), int(2));
}

#[test]
fn set_absolute_expiry_and_expiry_by_the_clock() {
    let s = TestServer::start();
    let mut r = s.raw();
    let now_s = s.clock.now_secs();
    assert_eq!(r.cmd(&format!("SET a v EXAT {}", now_s + 10)), OK);
    assert_eq!(r.cmd("TTL a"), int(10));
    assert_eq!(r.cmd(&format!("SET b v PXAT {}", now_s * 1000 + 2500)), OK);
    assert_eq!(r.cmd("PTTL b"), int(2500));
    assert_eq!(r.cmd("EXPIRETIME a"), int(now_s as i64 + 10));
    assert_eq!(r.cmd("PEXPIRETIME b"), int(now_s as i64 * 1000 + 2500));
    // A past absolute time: the key is gone at once.
    assert_eq!(r.cmd("SET c v PXAT 1"), OK);
    assert_eq!(r.cmd("EXISTS c"), int(0));
    s.clock.advance(Duration::from_millis(2499));
    assert_eq!(r.cmd("GET b"), bulk("v"));
    s.clock.advance(Duration::from_millis(1));
    assert_eq!(r.cmd("GET b"), NIL);
    assert_eq!(r.cmd("TTL b"), int(-2));
    s.clock.advance(Duration::from_secs(8));
    assert_eq!(r.cmd("GET a"), NIL);
}

trait Secs {
    fn now_secs(&self) -> u64;
}
impl Secs for kvs::ManualClock {
    fn now_secs(&self) -> u64 {
        use kvs::Clock;
        self.now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    }
}

#[test]
fn setnx_setex_psetex_getset_getdel() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SETNX k a"), int(1));
    assert_eq!(r.cmd("SETNX k b"), int(0));
    assert_eq!(r.cmd("SETEX k 10 c"), OK);
    assert_eq!(r.cmd("TTL k"), int(10));
    assert_eq!(
        r.cmd("SETEX k 0 c"),
        err("ERR invalid expire time in 'setex' command")
    );
    assert_eq!(
        r.cmd("SETEX k -10 c"),
        err("ERR invalid expire time in 'setex' command")
    );
    assert_eq!(
        r.cmd("SETEX k x c"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r.cmd("PSETEX k 0 c"),
        err("ERR invalid expire time in 'psetex' command")
    );
    assert_eq!(r.cmd("PSETEX k 250 d"), OK);
    assert_eq!(r.cmd("PTTL k"), int(250));
    assert_eq!(r.cmd("GETSET k e"), bulk("d"));
    assert_eq!(r.cmd("TTL k"), int(-1), "GETSET drops the TTL");
    assert_eq!(r.cmd("GETSET nope e"), NIL);
    assert_eq!(r.cmd("GETDEL k"), bulk("e"));
    assert_eq!(r.cmd("GETDEL k"), NIL);
}

#[test]
fn getex_changes_the_ttl() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("GETEX k"), NIL);
    assert_eq!(r.cmd("SET k v"), OK);
    assert_eq!(r.cmd("GETEX k EX 50"), bulk("v"));
    assert_eq!(r.cmd("TTL k"), int(50));
    assert_eq!(r.cmd("GETEX k PERSIST"), bulk("v"));
    assert_eq!(r.cmd("TTL k"), int(-1));
    assert_eq!(
        r.cmd("GETEX k PX 0"),
        err("ERR invalid expire time in 'getex' command")
    );
    assert_eq!(r.cmd("GETEX k EX 1 PERSIST"), err("ERR syntax error"));
    assert_eq!(r.cmd("GETEX k PXAT 1"), bulk("v"));
    assert_eq!(r.cmd("EXISTS k"), int(0), "a past PXAT deletes the key");
}

#[test]
fn mget_mset_msetnx() {
    let s = TestServer::start();
    let mut c = s.client();
    let _: () = c.mset(&[("a", "1"), ("b", "2")]).unwrap();
    let v: Vec<Option<String>> = c.mget(&["a", "x", "b"]).unwrap();
    assert_eq!(v, vec![Some("1".into()), None, Some("2".into())]);
    let mut r = s.raw();
    assert_eq!(
        r.cmd("MSET a"),
        err("ERR wrong number of arguments for 'mset' command")
    );
    assert_eq!(
        r.cmd("MSET a 1 b"),
        err("ERR wrong number of arguments for 'mset' command")
    );
    assert_eq!(
        r.cmd("MGET"),
        err("ERR wrong number of arguments for 'mget' command")
    );
    assert_eq!(r.cmd("MSETNX c 3 a 9"), int(0));
    assert_eq!(r.cmd("EXISTS c"), int(0), "MSETNX is all or nothing");
    assert_eq!(r.cmd("MSETNX c 3 d 4"), int(1));
    assert_eq!(
        r.cmd("MGET a c d"),
        "*3\r\n$1\r\n1\r\n$1\r\n3\r\n$1\r\n4\r\n"
    );
}

#[test]
fn append_strlen_getrange_setrange() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("APPEND k Hello"), int(5));
    assert_eq!(r.cmd("EXPIRE k 100"), int(1));
    assert_eq!(r.cmd("APPEND k _World"), int(11));
    assert_eq!(r.cmd("TTL k"), int(100), "APPEND keeps the TTL");
    assert_eq!(r.cmd("STRLEN k"), int(11));
    assert_eq!(r.cmd("STRLEN none"), int(0));
    assert_eq!(r.cmd("GETRANGE k 0 4"), bulk("Hello"));
    assert_eq!(r.cmd("GETRANGE k -5 -1"), bulk("World"));
    assert_eq!(r.cmd("GETRANGE k 5 1"), bulk(""));
    assert_eq!(r.cmd("GETRANGE none 0 -1"), bulk(""));
    assert_eq!(
        r.cmd("GETRANGE k a 1"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("SETRANGE k 6 Redis"), int(11));
    assert_eq!(r.cmd("GET k"), bulk("Hello_Redis"));
    assert_eq!(r.cmd("SETRANGE pad 3 x"), int(4));
    assert_eq!(r.cmd("GET pad"), "$4\r\n\0\0\0x\r\n");
    assert_eq!(r.cmd("SETRANGE empty 5 "), int(0));
    assert_eq!(r.cmd("EXISTS empty"), int(0));
    assert_eq!(r.cmd("SETRANGE k -1 x"), err("ERR offset is out of range"));
    assert_eq!(
        r.cmd("SETRANGE k 536870911 xx"),
        err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
}

#[test]
fn incr_family_and_errors() {
    let s = TestServer::start();
    let mut c = s.client();
    let n: i64 = c.incr("n", 1).unwrap();
    assert_eq!(n, 1);
    let n: i64 = c.incr("n", 41).unwrap();
    assert_eq!(n, 42);
    let n: i64 = c.decr("n", 2).unwrap();
    assert_eq!(n, 40);
    let mut r = s.raw();
    assert_eq!(r.cmd("INCR n"), int(41));
    assert_eq!(r.cmd("DECR n"), int(40));
    assert_eq!(r.cmd("SET s abc"), OK);
    assert_eq!(
        r.cmd("INCR s"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        r.cmd("INCRBY n x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("SET big 9223372036854775807"), OK);
    assert_eq!(
        r.cmd("INCR big"),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(
        r.cmd("DECRBY n -9223372036854775808"),
        err("ERR decrement would overflow")
    );
    assert_eq!(r.cmd("SET t 10 EX 100"), OK);
    assert_eq!(r.cmd("INCR t"), int(11));
    assert_eq!(r.cmd("TTL t"), int(100), "INCR keeps the TTL");
    assert_eq!(r.cmd_bin(&[b"SET", b"sp", b" 1"]), OK);
    assert_eq!(
        r.cmd("INCR sp"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("INCRBYFLOAT f 10.5"), bulk("10.5"));
    assert_eq!(r.cmd("INCRBYFLOAT f 0.1"), bulk("10.6"));
    assert_eq!(r.cmd("INCRBYFLOAT f -5"), bulk("5.6"));
    assert_eq!(r.cmd("INCRBYFLOAT f 5.0e3"), bulk("5005.6"));
    assert_eq!(
        r.cmd("INCRBYFLOAT s 1"),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        r.cmd("INCRBYFLOAT f x"),
        err("ERR value is not a valid float")
    );
    assert_eq!(r.cmd("SET m 1.7976931348623157e308"), OK);
    assert_eq!(
        r.cmd("INCRBYFLOAT m 1.7976931348623157e308"),
        err("ERR increment would produce NaN or Infinity")
    );
}

#[test]
fn concurrent_incr_is_atomic() {
    let s = TestServer::start();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let mut c = s.client();
            std::thread::spawn(move || {
                for _ in 0..250 {
                    let _: i64 = c.incr("counter", 1).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let v: i64 = s.client().get("counter").unwrap();
    assert_eq!(v, 2000);
}

#[test]
fn binary_safe_keys_and_values() {
    let s = TestServer::start();
    let mut c = s.client();
    let key = b"k\0\r\n\xff".to_vec();
    let value: Vec<u8> = (0..=255u8).collect();
    let _: () = c.set(&key, &value).unwrap();
    let got: Vec<u8> = c.get(&key).unwrap();
    assert_eq!(got, value);
    let big = vec![b'x'; 1 << 20];
    let _: () = c.set("big", &big).unwrap();
    let got: Vec<u8> = c.get("big").unwrap();
    assert_eq!(got.len(), big.len());
}
