//! Test helpers: an in-process server on a free port with a manual clock, a
//! `redis` crate client, and a raw socket client that returns replies byte
//! for byte (for exact error texts and protocol tests).

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use kvs::ManualClock;
use kvs_server::{Config, Handle};

pub struct TestServer {
    pub handle: Option<Handle>,
    pub clock: ManualClock,
    pub addr: SocketAddr,
    pub dir: tempfile::TempDir,
}

pub fn config(dir: &std::path::Path, clock: &ManualClock) -> Config {
    Config {
        port: 0,
        dir: dir.to_path_buf(),
        save: vec![],
        clock: Some(Arc::new(clock.clone())),
        threads: Some(2),
        ..Config::default()
    }
}

impl TestServer {
    pub fn start() -> TestServer {
        Self::start_with(|_| {})
    }

    pub fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new();
        let mut c = config(dir.path(), &clock);
        tweak(&mut c);
        let handle = kvs_server::start(c).unwrap();
        TestServer {
            addr: handle.addr(),
            handle: Some(handle),
            clock,
            dir,
        }
    }

    pub fn url(&self) -> String {
        format!("redis://{}/", self.addr)
    }

    pub fn client(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .unwrap()
            .get_connection()
            .unwrap()
    }

    pub fn client3(&self) -> redis::Connection {
        redis::Client::open(format!("{}?protocol=resp3", self.url()))
            .unwrap()
            .get_connection()
            .unwrap()
    }

    pub fn raw(&self) -> Raw {
        Raw::connect(self.addr)
    }

    pub fn snapshot_path(&self) -> PathBuf {
        self.dir.path().join("dump.kvs")
    }

    pub fn stop(&mut self) -> Result<(), String> {
        self.handle.take().unwrap().shutdown()
    }
}

/// A client on a plain socket that sends requests and reads whole replies.
pub struct Raw {
    reader: BufReader<TcpStream>,
    stream: TcpStream,
}

impl Raw {
    pub fn connect(addr: SocketAddr) -> Raw {
        let stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Raw {
            reader: BufReader::new(stream.try_clone().unwrap()),
            stream,
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Writes, tolerating a server that closes the connection meanwhile.
    pub fn try_send(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    pub fn encode(args: &[&[u8]]) -> Vec<u8> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// Sends one command (words split on spaces) and returns its raw reply.
    pub fn cmd(&mut self, line: &str) -> String {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        self.send(&Self::encode(&args));
        self.reply()
    }

    /// Sends one command with binary arguments.
    pub fn cmd_bin(&mut self, args: &[&[u8]]) -> String {
        self.send(&Self::encode(args));
        self.reply()
    }

    /// Reads one whole reply, as the bytes on the wire.
    pub fn reply(&mut self) -> String {
        let mut out = Vec::new();
        self.read_value(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// True if the server closed the connection (EOF before any byte).
    pub fn closed(&mut self) -> bool {
        let mut b = [0u8; 1];
        matches!(self.reader.read(&mut b), Ok(0) | Err(_))
    }

    fn read_value(&mut self, out: &mut Vec<u8>) {
        let mut line = Vec::new();
        let n = self.reader.read_until(b'\n', &mut line).unwrap();
        assert!(n > 0, "connection closed while waiting for a reply");
        out.extend_from_slice(&line);
        let body = std::str::from_utf8(&line[1..line.len() - 2]).unwrap_or("0");
        match line[0] {
            b'$' | b'=' | b'!' => {
                let len: i64 = body.parse().unwrap();
                if len >= 0 {
                    let mut data = vec![0; len as usize + 2];
                    self.reader.read_exact(&mut data).unwrap();
                    out.extend_from_slice(&data);
                }
            }
            b'*' | b'~' | b'>' => {
                let len: i64 = body.parse().unwrap();
                for _ in 0..len.max(0) {
                    self.read_value(out);
                }
            }
            b'%' => {
                let len: i64 = body.parse().unwrap();
                for _ in 0..2 * len {
                    self.read_value(out);
                }
            }
            _ => {}
        }
    }
}

/// `-TEXT\r\n` for an error reply.
pub fn err(text: &str) -> String {
    format!("-{text}\r\n")
}

/// `$N\r\nTEXT\r\n`.
pub fn bulk(text: &str) -> String {
    format!("${}\r\n{text}\r\n", text.len())
}

/// `:N\r\n`.
pub fn int(n: i64) -> String {
    format!(":{n}\r\n")
}

pub const OK: &str = "+OK\r\n";
pub const NIL: &str = "$-1\r\n";
