//! Connection and server commands, RESP3, pipelining, inline commands,
//! limits, malformed input, authentication and many clients.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use common::*;
use redis::{Commands, Value};

#[test]
fn ping_echo_select_dbsize_flush_time() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("PING"), "+PONG\r\n");
    assert_eq!(r.cmd("PING hi"), bulk("hi"));
    assert_eq!(
        r.cmd("PING a b"),
        err("ERR wrong number of arguments for 'ping' command")
    );
    assert_eq!(r.cmd("ECHO hello"), bulk("hello"));
    assert_eq!(r.cmd("SET k 0"), OK);
    assert_eq!(r.cmd("SELECT 1"), OK);
    assert_eq!(r.cmd("DBSIZE"), int(0));
    assert_eq!(r.cmd("SET k 1"), OK);
    assert_eq!(r.cmd("SET j 1"), OK);
    assert_eq!(r.cmd("DBSIZE"), int(2));
    assert_eq!(r.cmd("SELECT 16"), err("ERR DB index is out of range"));
    assert_eq!(
        r.cmd("SELECT x"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(r.cmd("FLUSHDB"), OK);
    assert_eq!(r.cmd("DBSIZE"), int(0));
    assert_eq!(r.cmd("SELECT 0"), OK);
    assert_eq!(r.cmd("GET k"), bulk("0"), "FLUSHDB touched only db 1");
    assert_eq!(r.cmd("FLUSHALL"), OK);
    assert_eq!(r.cmd("DBSIZE"), int(0));
    assert_eq!(r.cmd("FLUSHALL BOGUS"), err("ERR syntax error"));
    let (secs, micros): (String, String) = redis::cmd("TIME").query(&mut s.client()).unwrap();
    use kvs::Clock;
    let now = s.clock.now().duration_since(std::time::UNIX_EPOCH).unwrap();
    assert_eq!(secs.parse::<u64>().unwrap(), now.as_secs());
    assert!(micros.parse::<u32>().unwrap() < 1_000_000);
}

#[test]
fn quit_replies_ok_and_closes() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("QUIT"), OK);
    assert!(r.closed());
}

#[test]
fn hello_switches_to_resp3() {
    let s = TestServer::start();
    let mut r = s.raw();
    let hello = r.cmd("HELLO 3");
    assert!(
        hello.starts_with("%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n"),
        "{hello}"
    );
    assert!(hello.contains("$5\r\nproto\r\n:3\r\n"));
    assert_eq!(r.cmd("GET none"), "_\r\n");
    assert_eq!(
        r.cmd("CONFIG GET appendonly"),
        "%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"
    );
    assert_eq!(r.cmd("INCRBYFLOAT f 1.5"), bulk("1.5"));
    assert_eq!(
        r.cmd("HELLO 4"),
        err("NOPROTO unsupported protocol version")
    );
    assert_eq!(
        r.cmd("HELLO x"),
        err("ERR Protocol version is not an integer or out of range")
    );
    let hello = r.cmd("HELLO 2");
    assert!(hello.starts_with("*14\r\n"), "{hello}");
    assert_eq!(r.cmd("GET none"), NIL);
}

#[test]
fn resp3_through_a_real_client() {
    let s = TestServer::start();
    let mut c = s.client3();
    let _: () = c.set("a", "1").unwrap();
    let v: Option<String> = c.get("missing").unwrap();
    assert_eq!(v, None);
    let v: Value = redis::cmd("GET").arg("missing").query(&mut c).unwrap();
    assert_eq!(v, Value::Nil);
    let v: Value = redis::cmd("CONFIG")
        .arg("GET")
        .arg("save")
        .query(&mut c)
        .unwrap();
    assert!(matches!(v, Value::Map(ref m) if m.len() == 1), "{v:?}");
    let v: Value = redis::cmd("HELLO").arg(3).query(&mut c).unwrap();
    assert!(matches!(v, Value::Map(_)), "{v:?}");
    let n: i64 = c.incr("n", 5).unwrap();
    assert_eq!(n, 5);
}

#[test]
fn client_subcommands() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("CLIENT GETNAME"), NIL);
    assert_eq!(r.cmd("CLIENT SETNAME worker-1"), OK);
    assert_eq!(r.cmd("CLIENT GETNAME"), bulk("worker-1"));
    assert_eq!(
        r.cmd_bin(&[b"CLIENT", b"SETNAME", b"a b"]),
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    let id = r.cmd("CLIENT ID");
    let id: u64 = id.trim_start_matches(':').trim().parse().unwrap();
    let info = r.cmd("CLIENT INFO");
    assert!(info.contains(&format!("id={id} ")), "{info}");
    assert!(info.contains("name=worker-1"), "{info}");
    let mut other = s.raw();
    assert_eq!(other.cmd("SELECT 3"), OK);
    let list = r.cmd("CLIENT LIST");
    assert_eq!(list.matches("id=").count(), 2, "{list}");
    assert!(list.contains("db=3"));
    let other_id = other.cmd("CLIENT ID");
    let other_id = other_id.trim_start_matches(':').trim();
    assert_eq!(r.cmd(&format!("CLIENT KILL ID {other_id}")), int(1));
    assert!(other.closed());
    assert_eq!(r.cmd("CLIENT KILL 1.2.3.4:5"), err("ERR No such client"));
    assert!(r.cmd("CLIENT BOGUS").starts_with("-ERR unknown subcommand"));
    assert_eq!(r.cmd("CLIENT SETINFO LIB-NAME test"), OK);
}

#[test]
fn command_and_config() {
    let s = TestServer::start();
    let mut r = s.raw();
    let count = r.cmd("COMMAND COUNT");
    let count: usize = count.trim_start_matches(':').trim().parse().unwrap();
    assert!(count >= 55, "{count}");
    assert_eq!(r.cmd("COMMAND DOCS"), "*0\r\n");
    let info = r.cmd("COMMAND INFO get nosuch");
    assert!(
        info.starts_with("*2\r\n*10\r\n$3\r\nget\r\n:2\r\n"),
        "{info}"
    );
    assert!(info.ends_with("*-1\r\n"), "{info}");
    let mut c = s.client();
    let all: Value = redis::cmd("COMMAND").query(&mut c).unwrap();
    assert!(matches!(all, Value::Array(ref v) if v.len() == count));
    assert_eq!(r.cmd("CONFIG GET save"), "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
    assert_eq!(r.cmd("CONFIG GET nosuch"), "*0\r\n");
    assert_eq!(r.cmd_bin(&[b"CONFIG", b"SET", b"save", b"100 10"]), OK);
    assert_eq!(
        r.cmd("CONFIG GET save"),
        "*2\r\n$4\r\nsave\r\n$6\r\n100 10\r\n"
    );
    let max = r.cmd("CONFIG GET max*");
    assert!(
        max.contains("maxclients") && max.contains("maxmemory"),
        "{max}"
    );
    assert_eq!(
        r.cmd("CONFIG SET nosuch 1"),
        err("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'")
    );
    assert_eq!(
        r.cmd("CONFIG SET databases 4"),
        err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config")
    );
    assert_eq!(
        r.cmd("CONFIG SET maxclients lots"),
        err("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument couldn't be parsed into an integer")
    );
    assert_eq!(
        r.cmd("CONFIG GET"),
        err("ERR wrong number of arguments for 'config|get' command")
    );
    // All or nothing: the valid first pair is not applied either.
    assert!(r
        .cmd("CONFIG SET maxclients 5 databases 4")
        .starts_with("-ERR CONFIG SET failed"));
    assert_eq!(
        r.cmd("CONFIG GET maxclients"),
        "*2\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n"
    );
    assert_eq!(r.cmd("CONFIG RESETSTAT"), OK);
}

#[test]
fn info_sections_and_counters() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET a 1 EX 100"), OK);
    assert_eq!(r.cmd("SET b 1"), OK);
    assert_eq!(r.cmd("GET a"), bulk("1"));
    assert_eq!(r.cmd("GET nope"), NIL);
    let info = r.cmd("INFO");
    for section in [
        "# Server",
        "# Clients",
        "# Memory",
        "# Persistence",
        "# Stats",
        "# Keyspace",
    ] {
        assert!(info.contains(section), "missing {section}");
    }
    assert!(info.contains("db0:keys=2,expires=1,avg_ttl=0"), "{info}");
    assert!(info.contains("keyspace_hits:1\r\n"), "{info}");
    assert!(info.contains("keyspace_misses:1\r\n"), "{info}");
    assert!(info.contains("connected_clients:1\r\n"), "{info}");
    assert!(info.contains("rdb_changes_since_last_save:2\r\n"), "{info}");
    assert!(info.contains("rdb_last_bgsave_status:ok"), "{info}");
    let n: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(n, 5, "four commands before INFO, and INFO itself");
    let only = r.cmd("INFO keyspace");
    assert!(!only.contains("# Server") && only.contains("# Keyspace"));
}

#[test]
fn pipelining_keeps_order_and_replies_in_one_go() {
    let s = TestServer::start();
    let mut r = s.raw();
    let mut batch = Vec::new();
    for i in 0..1000 {
        batch.extend(Raw::encode(&[
            b"SET",
            format!("k{i}").as_bytes(),
            format!("{i}").as_bytes(),
        ]));
        batch.extend(Raw::encode(&[b"INCR", format!("k{i}").as_bytes()]));
    }
    r.send(&batch);
    for i in 0..1000 {
        assert_eq!(r.reply(), OK);
        assert_eq!(r.reply(), int(i + 1));
    }
    // And through the client library's pipeline.
    let mut c = s.client();
    let (a, b, n): (String, Option<String>, i64) = redis::pipe()
        .set("p", "1")
        .ignore()
        .get("p")
        .get("none")
        .incr("p", 2)
        .query(&mut c)
        .unwrap();
    assert_eq!((a.as_str(), b, n), ("1", None, 3));
}

#[test]
fn inline_commands_work_like_telnet() {
    let s = TestServer::start();
    let mut r = s.raw();
    r.send(b"PING\r\nSET greeting \"hello world\"\r\nGET greeting\n\r\nDBSIZE\r\n");
    assert_eq!(r.reply(), "+PONG\r\n");
    assert_eq!(r.reply(), OK);
    assert_eq!(r.reply(), bulk("hello world"));
    assert_eq!(r.reply(), int(1));
}

#[test]
fn a_request_split_across_reads_is_reassembled() {
    let s = TestServer::start();
    let mut r = s.raw();
    let req = Raw::encode(&[b"SET", b"key", b"a value split in pieces"]);
    for chunk in req.chunks(3) {
        r.send(chunk);
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(r.reply(), OK);
    assert_eq!(r.cmd("GET key"), bulk("a value split in pieces"));
}

#[test]
fn malformed_resp_gets_an_error_and_closes_only_that_client() {
    let s = TestServer::start();
    let mut good = s.raw();
    assert_eq!(good.cmd("SET k v"), OK);
    for (input, text) in [
        (
            &b"*1\r\n+PING\r\n"[..],
            "ERR Protocol error: expected '$', got '+'",
        ),
        (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
        (b"*1\r\n$-3\r\n", "ERR Protocol error: invalid bulk length"),
        (
            b"*1\r\n$99999999999\r\n",
            "ERR Protocol error: invalid bulk length",
        ),
        (
            b"SET \"unbalanced\r\n",
            "ERR Protocol error: unbalanced quotes in request",
        ),
    ] {
        let mut bad = s.raw();
        bad.send(input);
        assert_eq!(bad.reply(), err(text));
        assert!(
            bad.closed(),
            "closed after {:?}",
            String::from_utf8_lossy(input)
        );
    }
    assert_eq!(good.cmd("GET k"), bulk("v"), "other clients carry on");
}

#[test]
fn bulk_and_query_buffer_limits() {
    let s = TestServer::start_with(|c| {
        c.limits.max_bulk = 1024;
        c.limits.max_query_buffer = 64 * 1024;
    });
    let mut r = s.raw();
    r.send(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1025\r\n");
    assert_eq!(r.reply(), err("ERR Protocol error: invalid bulk length"));
    assert!(r.closed());
    let mut r = s.raw();
    assert_eq!(r.cmd_bin(&[b"SET", b"k", &[b'x'; 1024]]), OK);
    // An endless unfinished inline line is cut off at 64 KiB.
    let mut r = s.raw();
    r.send(&vec![b'a'; 70 * 1024]);
    assert_eq!(r.reply(), err("ERR Protocol error: too big inline request"));
    // Many complete-looking arguments that never finish: query buffer limit.
    let mut r = s.raw();
    let mut req = b"*1000\r\n".to_vec();
    for _ in 0..100 {
        req.extend(b"$1000\r\n");
        req.extend(vec![b'x'; 1000]);
        req.extend(b"\r\n");
    }
    // The server may close mid-write: a failed write is expected.
    let _ = r.try_send(&req);
    assert!(r.closed(), "closed past the query buffer limit");
    let mut ok = s.raw();
    assert_eq!(ok.cmd("PING"), "+PONG\r\n");
}

#[test]
fn output_buffer_limit_disconnects_the_client() {
    let s = TestServer::start_with(|c| c.limits.max_output_buffer = 16 * 1024);
    let mut c = s.client();
    let _: () = c.set("big", vec![b'x'; 32 * 1024]).unwrap();
    let mut r = s.raw();
    r.send(&Raw::encode(&[b"GET", b"big"]));
    assert!(
        r.closed(),
        "a reply over the output limit closes the client"
    );
    assert_eq!(s.raw().cmd("STRLEN big"), int(32 * 1024));
}

#[test]
fn max_clients_rejects_the_extra_connection() {
    let s = TestServer::start_with(|c| c.maxclients = 2);
    let mut a = s.raw();
    let mut b = s.raw();
    assert_eq!(a.cmd("PING"), "+PONG\r\n");
    assert_eq!(b.cmd("PING"), "+PONG\r\n");
    let mut c = s.raw();
    assert_eq!(c.reply(), err("ERR max number of clients reached"));
    assert!(c.closed());
    drop(a);
    // The slot frees once the server sees the close: poll, bounded.
    let mut ok = false;
    for _ in 0..200 {
        let mut d = s.raw();
        d.send(&Raw::encode(&[b"PING"]));
        if d.reply() == "+PONG\r\n" {
            ok = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(ok);
    assert_eq!(b.cmd("PING"), "+PONG\r\n");
}

#[test]
fn requirepass_blocks_everything_but_auth_hello_quit() {
    let s = TestServer::start_with(|c| c.requirepass = Some("s3cret".into()));
    let mut r = s.raw();
    assert_eq!(r.cmd("GET k"), err("NOAUTH Authentication required."));
    assert_eq!(r.cmd("PING"), err("NOAUTH Authentication required."));
    assert_eq!(
        r.cmd("FOO"),
        err("ERR unknown command 'FOO', with args beginning with: ")
    );
    assert!(r.cmd("HELLO 3").starts_with("-NOAUTH HELLO must be called"));
    assert_eq!(
        r.cmd("AUTH wrong"),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(r.cmd("AUTH s3cret"), OK);
    assert_eq!(r.cmd("SET k v"), OK);
    let mut h = s.raw();
    assert!(h.cmd("HELLO 3 AUTH default s3cret").starts_with("%7\r\n"));
    assert_eq!(h.cmd("GET k"), bulk("v"));
    let mut q = s.raw();
    assert_eq!(q.cmd("QUIT"), OK);
    // The redis crate authenticates from the URL.
    let mut c = redis::Client::open(format!("redis://:s3cret@{}/", s.addr))
        .unwrap()
        .get_connection()
        .unwrap();
    let v: String = c.get("k").unwrap();
    assert_eq!(v, "v");
    let mut n = s.raw();
    assert_eq!(
        n.cmd("AUTH bob s3cret"),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
}

#[test]
fn auth_without_a_password_configured() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(
        r.cmd("AUTH x"),
        err("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
    );
}

#[test]
fn an_idle_or_slow_client_does_not_delay_others() {
    let s = TestServer::start();
    // One client sends half a request and stalls; another never reads its
    // replies.
    let mut stalled = TcpStream::connect(s.addr).unwrap();
    stalled
        .write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$10\r\nabc")
        .unwrap();
    let mut hog = TcpStream::connect(s.addr).unwrap();
    let mut flood = Vec::new();
    for _ in 0..20_000 {
        flood.extend(Raw::encode(&[b"PING"]));
    }
    hog.write_all(&flood).unwrap();
    let mut r = s.raw();
    for i in 0..100 {
        assert_eq!(r.cmd(&format!("SET x{i} y")), OK);
    }
    drop((stalled, hog));
}

#[test]
fn many_concurrent_clients() {
    let s = TestServer::start();
    let threads: Vec<_> = (0..32)
        .map(|t| {
            let url = s.url();
            std::thread::spawn(move || {
                let mut c = redis::Client::open(url).unwrap().get_connection().unwrap();
                for i in 0..100 {
                    let key = format!("c{t}:{i}");
                    let _: () = c.set_ex(&key, i, 100).unwrap();
                    let v: i64 = c.get(&key).unwrap();
                    assert_eq!(v, i);
                }
                let _: () = redis::cmd("SELECT").arg(1).query(&mut c).unwrap();
                let _: () = c.set(format!("db1:{t}"), t).unwrap();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut r = s.raw();
    assert_eq!(r.cmd("DBSIZE"), int(3200));
    assert_eq!(r.cmd("SELECT 1"), OK);
    assert_eq!(r.cmd("DBSIZE"), int(32));
}

#[test]
fn stopping_closes_idle_clients_without_waiting_for_them() {
    let mut s = TestServer::start();
    let mut idle = s.raw();
    assert_eq!(idle.cmd("PING"), "+PONG\r\n");
    let started = std::time::Instant::now();
    s.stop().unwrap();
    // Had the idle client not been told, shutdown would wait out its 2 s
    // drain for it.
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    assert!(idle.closed());
}
