//! Jobs done by several threads and consumed in order: a save's shards are
//! copied in parallel but written to the file one after another.
//!
//! Jobs are numbered `0..jobs`. Threads claim them in order; a job may be
//! claimed only while it is less than `window` ahead of the next one to be
//! consumed, which bounds the results held at once. The consumer takes
//! job `j`'s result when it is its turn, working on other jobs (or `j`
//! itself) while it waits, so that with no helper at all it is a plain
//! loop, for as long as it is told to help; after that it only waits.
//! Results hand their buffers back for reuse.
//!
//! The handshake is model-checked: `tests/model.rs` compiles this file
//! against shuttle's primitives.

use super::sync::{lock, Condvar, Mutex};

/// Jobs `0..jobs`, done by any thread, consumed in order.
pub(crate) struct Ordered<T> {
    jobs: usize,
    window: usize,
    state: Mutex<State<T>>,
    /// Signalled when a job is done, one is consumed, or the work stops.
    changed: Condvar,
}

struct State<T> {
    /// The next job to claim.
    next: usize,
    /// Jobs consumed so far.
    consumed: usize,
    /// Results done and not yet consumed, by job.
    done: Vec<Option<T>>,
    /// Buffers to reuse.
    pool: Vec<T>,
    /// The work is over: finished, abandoned, or a thread panicked.
    stop: bool,
}

impl<T: Default> Ordered<T> {
    /// `jobs` jobs, claimed at most `window` (at least 1) ahead of the
    /// consumer.
    pub(crate) fn new(jobs: usize, window: usize) -> Self {
        Ordered {
            jobs,
            window: window.max(1),
            state: Mutex::new(State {
                next: 0,
                consumed: 0,
                done: (0..jobs).map(|_| None).collect(),
                pool: Vec::new(),
                stop: false,
            }),
            changed: Condvar::new(),
        }
    }

    /// Claims the next job if the window allows, with a buffer for it.
    fn claim(&self, state: &mut State<T>) -> Option<(usize, T)> {
        let k = state.next;
        if state.stop || k >= self.jobs || k >= state.consumed + self.window {
            return None;
        }
        state.next += 1;
        Some((k, state.pool.pop().unwrap_or_default()))
    }

    /// Does job `k` into `buffer` (off the lock) and files the result.
    fn run(&self, k: usize, mut buffer: T, work: &impl Fn(usize, &mut T)) {
        work(k, &mut buffer);
        lock(&self.state).done[k] = Some(buffer);
        self.changed.notify_all();
    }

    /// A helper thread's loop: does jobs until none is left or the work
    /// stops. If `work` panics, the work stops (so the consumer does not
    /// wait for that job forever) and the panic goes on.
    pub(crate) fn help(&self, work: impl Fn(usize, &mut T)) {
        let _stop = StopIfPanicking(self);
        loop {
            let (k, buffer) = {
                let mut state = lock(&self.state);
                loop {
                    if state.stop || state.next >= self.jobs {
                        return;
                    }
                    if let Some(claimed) = self.claim(&mut state) {
                        break claimed;
                    }
                    state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            };
            self.run(k, buffer, &work);
        }
    }

    /// The consumer: job `j`'s result, `j` being the next to consume. Does
    /// other jobs (or `j` itself) while it waits, as the window allows and
    /// as long as `helps()` says so; once it says no, only waits.
    ///
    /// # Panics
    ///
    /// If the work stopped before job `j` was done: only a helper that
    /// panicked stops it while the consumer still consumes, and its panic is
    /// the one to report.
    pub(crate) fn take(
        &self,
        j: usize,
        work: impl Fn(usize, &mut T),
        helps: impl Fn() -> bool,
    ) -> T {
        let mut state = lock(&self.state);
        loop {
            if let Some(result) = state.done[j].take() {
                return result;
            }
            assert!(!state.stop, "a thread working on an ordered job panicked");
            match helps().then(|| self.claim(&mut state)).flatten() {
                Some((k, buffer)) => {
                    drop(state);
                    self.run(k, buffer, &work);
                    state = lock(&self.state);
                }
                None => {
                    state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
                }
            }
        }
    }

    /// Job `j` is consumed; `buffer`, if given, may be reused.
    pub(crate) fn consumed(&self, j: usize, buffer: Option<T>) {
        let mut state = lock(&self.state);
        state.consumed = j + 1;
        state.pool.extend(buffer);
        drop(state);
        self.changed.notify_all();
    }

    /// Ends the work: helpers return once their current job is done.
    pub(crate) fn stop(&self) {
        lock(&self.state).stop = true;
        self.changed.notify_all();
    }
}

/// Stops the work when dropped by a panic.
struct StopIfPanicking<'a, T: Default>(&'a Ordered<T>);

impl<T: Default> Drop for StopIfPanicking<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}
