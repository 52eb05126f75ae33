//! The two servers under comparison: a real `redis-server` child process
//! (the oracle) and an in-process `kvs serve`.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `redis-server` can be run, and its version line.
pub fn redis_version() -> Option<String> {
    let out = Command::new("redis-server")
        .arg("--version")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A `redis-server` on a free port in a temporary directory, killed on drop.
pub struct RedisServer {
    child: Child,
    pub addr: SocketAddr,
    dir: tempfile::TempDir,
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

impl RedisServer {
    pub fn start() -> Result<RedisServer, String> {
        // The port is free when read; another process may take it before
        // redis binds it, so a failed start is retried on a new port.
        let mut last = String::new();
        for _ in 0..5 {
            match Self::try_start(free_port()) {
                Ok(s) => return Ok(s),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn try_start(port: u16) -> Result<RedisServer, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--bind", "127.0.0.1", "--daemonize", "no"])
            .args(["--logfile", "redis.log"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run redis-server: {e}"))?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut server = RedisServer { child, addr, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "redis-server exited ({status}) at start; its log:\n{}",
                    server.log()
                ));
            }
            if TcpStream::connect(addr).is_ok() {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "redis-server not listening on {addr} after 10 s; its log:\n{}",
                    server.log()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("redis.log")).unwrap_or_default()
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An in-process `kvs serve` on a free port, shut down on drop.
pub struct KvsServer {
    handle: Option<kvs_server::Handle>,
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl KvsServer {
    pub fn start() -> Result<KvsServer, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let handle = kvs_server::start(kvs_server::Config {
            port: 0,
            save: vec![],
            dir: dir.path().to_path_buf(),
            ..Default::default()
        })?;
        let mut addr = handle.addr();
        if addr.ip().is_unspecified() {
            addr.set_ip([127, 0, 0, 1].into());
        }
        Ok(KvsServer {
            handle: Some(handle),
            addr,
            _dir: dir,
        })
    }
}

impl Drop for KvsServer {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            if std::thread::panicking() {
                // A failing test may leave a connection stuck in the server;
                // a graceful shutdown could wait for it forever.
                std::mem::forget(h);
            } else {
                let _ = h.shutdown();
            }
        }
    }
}
