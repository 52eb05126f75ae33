//! Crash safety: a child process saves in a loop and is killed with SIGKILL
//! at random moments; after every kill the file at the target path loads and
//! is one of the snapshots that was written.
//!
//! No temporary file outlives the next save.
//!
//! The child is this test binary itself, re-run with `CRASH_CHILD_TARGET`
//! set: `crash_child` then saves generation after generation (each child
//! starting at a fresh number) and never returns. Generation `g` holds `KEYS` keys whose values are all `g`, plus
//! `generation = g`, so any snapshot written is recognisable and any mix of
//! two is not.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kvs::Store;

const KEYS: u64 = 5_000;
const TARGET_ENV: &str = "CRASH_CHILD_TARGET";
const START_ENV: &str = "CRASH_CHILD_FIRST_GENERATION";

/// The child's body: only runs when the parent sets `CRASH_CHILD_TARGET`.
#[test]
fn crash_child() {
    let Some(target) = std::env::var_os(TARGET_ENV) else {
        return;
    };
    let first: u64 = std::env::var(START_ENV).unwrap().parse().unwrap();
    let store: Store<u64> = Store::new(16).unwrap();
    for g in first.. {
        store
            .batch_set((0..KEYS).map(|i| (format!("key{i:05}"), g)))
            .unwrap();
        store.set("generation", g).unwrap();
        store.save_snapshot(&target).unwrap();
    }
}

/// A small xorshift generator: the kill moments need to vary, not to be
/// cryptographic, and a fixed seed sequence would hit the same phases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn check_whole(target: &Path) -> u64 {
    let store: Store<u64> = Store::new(16).unwrap();
    store
        .load_snapshot(target)
        .unwrap_or_else(|e| panic!("the target does not load after a kill: {e}"));
    let g = store.get("generation").expect("generation key");
    assert!(g >= 1);
    assert_eq!(store.len() as u64, KEYS + 1, "generation {g}");
    for i in 0..KEYS {
        assert_eq!(store.get(&format!("key{i:05}")).unwrap(), g, "key{i:05}");
    }
    g
}

#[test]
fn killed_saver_leaves_a_whole_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("dump.kvs");
    let exe = std::env::current_exe().unwrap();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut rng = Rng(seed | 1);
    let mut saves_before_kill = Vec::new();
    for kill in 0..50u64 {
        let first = (kill + 1) * 1_000_000;
        let mut child = Command::new(&exe)
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(TARGET_ENV, &target)
            .env(START_ENV, first.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait (bounded) until this child has written at least once, so the
        // kill lands while it saves rather than while it starts.
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        let before = modified(&target);
        let deadline = Instant::now() + Duration::from_secs(30);
        while modified(&target) == before {
            assert!(Instant::now() < deadline, "child never saved");
            assert!(child.try_wait().unwrap().is_none(), "child exited");
            std::thread::sleep(Duration::from_millis(1));
        }
        // Then kill it at a random moment within a few saves.
        std::thread::sleep(Duration::from_micros(rng.next() % 30_000));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let g = check_whole(&target);
        // This child renamed its file in at least once: the target is one of
        // its generations, never an older child's.
        assert!(
            g >= first && g < first + 1_000_000,
            "kill {kill}: generation {g}"
        );
        saves_before_kill.push(g - first);
    }
    // A save cut short leaves no temporary file (on Linux it has no name
    // until it is whole), except in the instant between naming it and the
    // rename; the next save to the path removes any such file of a dead
    // process.
    let files = |dir: &Path| std::fs::read_dir(dir).unwrap().count();
    let leftovers = files(dir.path()) - 1;
    eprintln!(
        "saves completed before each kill: {saves_before_kill:?}; {leftovers} temp files left"
    );
    let store: Store<u64> = Store::new(16).unwrap();
    store.load_snapshot(&target).unwrap();
    store.save_snapshot(&target).unwrap();
    assert_eq!(files(dir.path()), 1, "only the target is left");
    // The kills landed at different points of the save loop.
    saves_before_kill.sort_unstable();
    saves_before_kill.dedup();
    assert!(saves_before_kill.len() > 1, "every kill hit the same point");
}
