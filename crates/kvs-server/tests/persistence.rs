//! Snapshots: SAVE/BGSAVE/LASTSAVE, the save policy, SHUTDOWN, SIGTERM,
//! restart with data intact, corrupt-file refusal, a port in use.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use redis::Commands;

fn info_field(r: &mut Raw, field: &str) -> String {
    let info = r.cmd("INFO persistence");
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in {info}"))
        .trim()
        .to_string()
}

/// Polls `check` up to ~5 s: for work the server does in the background.
fn eventually(mut check: impl FnMut() -> bool) -> bool {
    for _ in 0..250 {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn save_then_restart_keeps_keys_ttls_and_databases() {
    let mut s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET a 1"), OK);
    assert_eq!(r.cmd("SET t v EX 100"), OK);
    assert_eq!(r.cmd("SELECT 5"), OK);
    assert_eq!(r.cmd_bin(&[b"SET", b"bin\0key", b"\xff\x00"]), OK);
    assert_eq!(r.cmd("SAVE"), OK);
    assert_eq!(info_field(&mut r, "rdb_changes_since_last_save"), "0");
    let last = r.cmd("LASTSAVE");
    assert!(last.starts_with(':') && last != ":0\r\n", "{last}");
    assert!(s.snapshot_path().exists());
    drop(r);
    s.stop().unwrap();

    // Same directory, a new server (its manual clock starts where the first
    // one did, so the TTL reads the same).
    let clock = kvs::ManualClock::new();
    let c = config(s.dir.path(), &clock);
    let h = kvs_server::start(c).unwrap();
    let mut r = Raw::connect(h.addr());
    assert_eq!(r.cmd("GET a"), bulk("1"));
    assert_eq!(r.cmd("TTL t"), int(100));
    assert_eq!(r.cmd("SELECT 5"), OK);
    assert_eq!(r.cmd_bin(&[b"GET", b"bin\0key"]), "$2\r\n\u{fffd}\0\r\n");
    assert_eq!(r.cmd("DBSIZE"), int(1));
    h.shutdown().unwrap();
}

#[test]
fn bgsave_and_its_status() {
    let s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET a 1"), OK);
    assert_eq!(r.cmd("BGSAVE"), "+Background saving started\r\n");
    assert!(eventually(|| info_field(&mut r, "rdb_saves") == "1"));
    assert_eq!(info_field(&mut r, "rdb_bgsave_in_progress"), "0");
    assert_eq!(info_field(&mut r, "rdb_last_bgsave_status"), "ok");
    assert!(s.snapshot_path().exists());
}

#[test]
fn save_policy_triggers_a_background_save() {
    let s = TestServer::start_with(|c| c.save = vec![(10, 2)]);
    let mut r = s.raw();
    assert_eq!(r.cmd("SET a 1"), OK);
    assert_eq!(r.cmd("SET b 1"), OK);
    // Two changes, but not 10 seconds yet: no save.
    std::thread::sleep(Duration::from_millis(250));
    assert_eq!(info_field(&mut r, "rdb_saves"), "0");
    s.clock.advance(Duration::from_secs(10));
    assert!(eventually(|| info_field(&mut r, "rdb_saves") == "1"));
    assert!(s.snapshot_path().exists());
}

#[test]
fn shutdown_command_saves_and_stops() {
    let mut s = TestServer::start();
    let mut r = s.raw();
    assert_eq!(r.cmd("SET a 1"), OK);
    assert_eq!(r.cmd("SHUTDOWN BOGUS"), err("ERR syntax error"));
    r.send(&Raw::encode(&[b"SHUTDOWN", b"SAVE"]));
    assert!(r.closed(), "SHUTDOWN closes without a reply");
    s.handle.take().unwrap().join().unwrap();
    assert!(s.snapshot_path().exists());

    // NOSAVE: nothing written.
    let mut s = TestServer::start_with(|c| c.save = vec![(1, 1)]);
    let mut r = s.raw();
    assert_eq!(r.cmd("SET a 1"), OK);
    r.send(&Raw::encode(&[b"SHUTDOWN", b"NOSAVE"]));
    assert!(r.closed());
    s.handle.take().unwrap().join().unwrap();
    assert!(!s.snapshot_path().exists());
}

#[test]
fn a_corrupt_snapshot_is_refused_unless_told_to_ignore_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.kvs");
    std::fs::write(&path, b"KVS1 this is not a snapshot at all").unwrap();
    let clock = kvs::ManualClock::new();
    let e = kvs_server::start(config(dir.path(), &clock)).unwrap_err();
    assert!(e.contains(&path.display().to_string()), "{e}");
    assert!(e.contains("--ignore-corrupt-snapshot"), "{e}");
    let mut c = config(dir.path(), &clock);
    c.ignore_corrupt_snapshot = true;
    let h = kvs_server::start(c).unwrap();
    assert_eq!(Raw::connect(h.addr()).cmd("DBSIZE"), int(0));
    h.shutdown().unwrap();
}

#[test]
fn a_port_in_use_is_a_one_line_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let clock = kvs::ManualClock::new();
    let mut c = config(dir.path(), &clock);
    c.port = port;
    let e = kvs_server::start(c).unwrap_err();
    assert!(
        e.starts_with(&format!("cannot listen on 127.0.0.1:{port}: ")),
        "{e}"
    );
    assert!(!e.contains('\n'));
    let out = Command::new(env!("CARGO_BIN_EXE_kvs-server"))
        .args(["--port", &port.to_string(), "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap();
    assert!(
        last.starts_with(&format!("kvs serve: cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
}

/// The real binary on a free port; returns the child and its address.
fn spawn_binary(dir: &std::path::Path, extra: &[&str]) -> (Child, std::net::SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kvs-server"))
        .args(["--port", "0", "--loglevel", "info", "--dir"])
        .arg(dir)
        .args(extra)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server exited before listening")
            .unwrap();
        if let Some(at) = line.find("accept connections on ") {
            break line[at + "accept connections on ".len()..]
                .trim()
                .parse()
                .unwrap();
        }
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

/// A client connection to the server at `addr`.
fn connect(addr: &std::net::SocketAddr) -> redis::Connection {
    redis::Client::open(format!("redis://{addr}/"))
        .unwrap()
        .get_connection()
        .unwrap()
}

/// Sends `sig` to the server child.
#[cfg(unix)]
fn signal(child: &std::process::Child, sig: libc::c_int) {
    // SAFETY: kill(2) on our own child's pid; no memory is involved.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, sig) };
    assert_eq!(rc, 0);
}

#[cfg(unix)]
#[test]
fn sigterm_saves_and_a_restart_loads() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = spawn_binary(dir.path(), &[]);
    let mut c = connect(&addr);
    let _: () = c.set("survives", "yes").unwrap();
    let _: () = c.set_ex("ttl", "x", 1000).unwrap();
    signal(&child, libc::SIGTERM);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(dir.path().join("dump.kvs").exists());

    let (mut child, addr) = spawn_binary(dir.path(), &[]);
    let mut c = connect(&addr);
    let v: String = c.get("survives").unwrap();
    assert_eq!(v, "yes");
    let ttl: i64 = c.ttl("ttl").unwrap();
    assert!((990..=1000).contains(&ttl), "{ttl}");
    let _: () = redis::cmd("SHUTDOWN")
        .arg("NOSAVE")
        .query(&mut c)
        .unwrap_or(());
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_binary_refuses_a_corrupt_snapshot_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dump.kvs");
    std::fs::write(&path, vec![0xAB; 100]).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kvs-server"))
        .args(["--port", "0", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap();
    assert!(
        last.starts_with("kvs serve: cannot load snapshot "),
        "{stderr}"
    );
    assert!(last.contains("dump.kvs"), "{stderr}");
}

#[test]
fn a_failing_save_is_reported_and_shutdown_refuses() {
    let mut s = TestServer::start_with(|c| c.save = vec![(3600, 1)]);
    // The data "directory" is a regular file: every save fails.
    let blocker = s.dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    s.stop().unwrap();
    let clock = kvs::ManualClock::new();
    let mut c = config(&blocker, &clock);
    c.save = vec![(3600, 1)];
    let h = kvs_server::start(c).unwrap();
    let mut r = Raw::connect(h.addr());
    assert_eq!(r.cmd("SET a 1"), OK);
    assert_eq!(r.cmd("SAVE"), err("ERR"));
    assert_eq!(info_field(&mut r, "rdb_last_bgsave_status"), "err");
    assert_eq!(
        r.cmd("SHUTDOWN"),
        err("ERR Errors trying to SHUTDOWN. Check logs.")
    );
    assert_eq!(r.cmd("GET a"), bulk("1"), "still serving");
    // The signal path reports the failed save as its result.
    let e = h.shutdown().unwrap_err();
    assert!(e.contains("not-a-dir"), "{e}");
}

#[cfg(unix)]
#[test]
fn sigint_saves_too() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = spawn_binary(dir.path(), &[]);
    let mut c = connect(&addr);
    let _: () = c.set("k", "v").unwrap();
    signal(&child, libc::SIGINT);
    assert!(child.wait().unwrap().success());
    // The file is an ordinary kvs snapshot: the library reads it (into
    // stores of the server's value version).
    let dbs: Vec<kvs::Store<kvs_server::value::Value>> = (0..16)
        .map(|_| {
            kvs::Store::builder()
                .value_version(kvs_server::encoding::VALUE_VERSION)
                .build()
                .unwrap()
        })
        .collect();
    let refs: Vec<_> = dbs.iter().collect();
    kvs::snapshot::load_all(dir.path().join("dump.kvs"), &refs).unwrap();
    assert_eq!(dbs[0].get("k").unwrap().as_bytes(), Some(&b"v"[..]));
}
