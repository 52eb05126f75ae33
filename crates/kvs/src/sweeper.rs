//! The background thread that removes expired keys, and how it is stopped.
//!
//! The handshake: the owner sets `stop` under the mutex and notifies; the
//! thread checks `stop` under the same mutex before every tick and while it
//! waits, so once `stop` returns `true` no tick is running and none will start.
//! The thread sets `exited` as its last act; `stop` waits for that flag for at
//! most the given timeout and only then joins, so a close can never hang.
//! `tests/model.rs` model-checks this file with shuttle.

use std::time::Duration;

use super::sync::{lock, thread, Arc, Condvar, Mutex};

#[derive(Debug, Default)]
struct State {
    stop: bool,
    exited: bool,
    /// Set by [`Waker::wake`]: run the next tick now, not after the wait.
    /// A flag, not just a notify, so a wake that lands while a tick runs is
    /// not lost.
    woken: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

/// A running sweeper thread.
#[derive(Debug)]
pub(crate) struct Sweeper {
    shared: Arc<Shared>,
    handle: Mutex<Option<thread::JoinHandle<()>>>,
}

impl Sweeper {
    /// Starts a thread that calls `tick` until stopped: first after `first`,
    /// then each time after the wait the previous tick returned.
    pub(crate) fn spawn<F>(first: Duration, mut tick: F) -> std::io::Result<Sweeper>
    where
        F: FnMut() -> Duration + Send + 'static,
    {
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        let handle = thread::Builder::new()
            .name("kvs-sweeper".into())
            .spawn(move || {
                let mut wait = first;
                loop {
                    let mut guard = lock(&theirs.state);
                    if guard.stop {
                        break;
                    }
                    if !guard.woken {
                        guard = theirs
                            .wake
                            .wait_timeout(guard, wait)
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                    }
                    if guard.stop {
                        break;
                    }
                    guard.woken = false;
                    drop(guard);
                    wait = tick();
                }
                lock(&theirs.state).exited = true;
                theirs.wake.notify_all();
            })?;
        Ok(Sweeper {
            shared,
            handle: Mutex::new(Some(handle)),
        })
    }

    /// A handle that makes the thread tick now.
    pub(crate) fn waker(&self) -> Waker {
        Waker(Arc::clone(&self.shared))
    }

    /// Asks the thread to stop and waits up to `timeout` for it to finish.
    /// Returns `true` once the thread has exited (and was joined); calling it
    /// again after that returns `true` at once.
    pub(crate) fn stop(&self, timeout: Duration) -> bool {
        let mut state = lock(&self.shared.state);
        state.stop = true;
        self.shared.wake.notify_all();
        let (state, _) = self
            .shared
            .wake
            .wait_timeout_while(state, timeout, |s| !s.exited)
            .unwrap_or_else(|e| e.into_inner());
        let exited = state.exited;
        drop(state);
        if exited {
            if let Some(handle) = lock(&self.handle).take() {
                // The thread has already run its last line; join cannot block
                // for long. A panic inside a tick was already reported.
                let _ = handle.join();
            }
        }
        exited
    }
}

/// Makes a sweeper tick at once (a key was given a deadline earlier than the
/// sweeper's planned wake-up).
#[derive(Debug)]
pub(crate) struct Waker(Arc<Shared>);

impl Waker {
    pub(crate) fn wake(&self) {
        lock(&self.0.state).woken = true;
        self.0.wake.notify_all();
    }
}
