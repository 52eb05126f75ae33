//! Blocked clients: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP waiting
//! for a list to get elements.
//!
//! A blocking command that finds all its keys empty does not reply: it
//! leaves a [`Block`] in its session. The connection loop then flushes the
//! replies before it, [`register`](Registry::register)s the block and awaits
//! a reply through a oneshot channel, its timeout, a kill or the socket
//! closing ([`wait`]), without holding a thread.
//!
//! The [`Registry`] maps `(db, key)` to a FIFO of waiter ids. A command
//! that adds elements to a list calls [`Registry::signal`] after its write:
//! while the list has elements, the signaller serves that key's waiters in
//! the order they blocked, performing each waiter's pop (or move) on its
//! behalf and sending the reply. A waiter whose receiver is gone is dropped
//! before anything is popped; if a send still fails after the pop, the
//! elements go back where they came from. A waiter on several keys is
//! removed from all of them once served, timed out or disconnected (the
//! [`Wait`] guard's `Drop`). A BLMOVE served this way pushes to its
//! destination, whose own waiters are served next, in the same pass.
//!
//! Registration re-checks the keys under the registry lock, so a push that
//! landed between a command's check and its registration is not missed: a
//! push writes, then (after a `SeqCst` fence) reads the blocked count; a
//! registration raises the count, then (after a fence) reads the keys.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{fence, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::oneshot;

use crate::connection::{Connection, ReadOutcome};
use crate::frame::Frame;
use crate::keyspace::{Db, KsError};
use crate::state::{ClientInfo, Shared};
use crate::types::{Encodings, List};
use crate::value::{Kind, Str};

/// A list end: `LEFT` (the head) or `RIGHT` (the tail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Left,
    Right,
}

impl End {
    /// `LEFT` or `RIGHT` in any case; `None` for anything else.
    pub(crate) fn parse(arg: &[u8]) -> Option<End> {
        if crate::parse::is(arg, "left") {
            Some(End::Left)
        } else if crate::parse::is(arg, "right") {
            Some(End::Right)
        } else {
            None
        }
    }

    /// Removes the element at this end.
    pub(crate) fn pop(self, l: &mut List) -> Option<Str> {
        match self {
            End::Left => l.pop_front(),
            End::Right => l.pop_back(),
        }
    }

    /// Adds `v` at this end.
    pub(crate) fn push(self, l: &mut List, v: &[u8], enc: &Encodings) {
        match self {
            End::Left => l.push_front(v, enc),
            End::Right => l.push_back(v, enc),
        }
    }
}

/// What a blocked client waits to do once a key has elements.
#[derive(Debug, Clone)]
pub(crate) enum Want {
    /// BLPOP/BRPOP: one element; the reply is `[key, element]`.
    Pop(End),
    /// BLMOVE/BRPOPLPUSH: move one element to `dest`; the reply is it.
    Move { dest: Bytes, from: End, to: End },
    /// BLMPOP: up to `count` elements; the reply is `[key, [elements]]`.
    MPop { end: End, count: usize },
}

/// A blocking command's request to wait, left in its session.
#[derive(Debug)]
pub(crate) struct Block {
    /// The database of the keys.
    pub(crate) db: usize,
    /// The keys, in the command's order.
    pub(crate) keys: Vec<Bytes>,
    pub(crate) want: Want,
    /// `None`: wait forever.
    pub(crate) timeout: Option<Duration>,
}

/// How LMOVE (and a served BLMOVE) went.
pub(crate) enum Moved {
    /// The source is missing.
    NoSource,
    /// The source holds another type.
    SourceWrongType,
    /// The destination holds another type: nothing moved.
    DestWrongType,
    /// This element moved.
    Done(Str),
}

/// Moves one element from `src`'s `from` end to `dst`'s `to` end, checking
/// both types first (a wrong-type destination leaves the source as it was);
/// `src == dst` rotates in place, keeping the key and its TTL.
pub(crate) fn move_element(
    db: &Db<'_>,
    enc: &Encodings,
    src: &[u8],
    dst: &[u8],
    from: End,
    to: End,
) -> Moved {
    if src == dst {
        return match db.write::<List, _>(src, false, |l| {
            let v = from.pop(l)?;
            to.push(l, &v, enc);
            Some(v)
        }) {
            Ok(Some(Some(v))) => Moved::Done(v),
            Ok(_) => Moved::NoSource,
            Err(_) => Moved::SourceWrongType,
        };
    }
    match db.read::<List, _>(src, |_| ()) {
        Ok(Some(())) => {}
        Ok(None) => return Moved::NoSource,
        Err(_) => return Moved::SourceWrongType,
    }
    if db.kind(dst).is_some_and(|k| k != Kind::List) {
        return Moved::DestWrongType;
    }
    let v = match db.write::<List, _>(src, false, |l| from.pop(l)) {
        Ok(Some(Some(v))) => v,
        Ok(_) => return Moved::NoSource,
        Err(_) => return Moved::SourceWrongType,
    };
    match db.write::<List, _>(dst, true, |l| to.push(l, &v, enc)) {
        Ok(_) => Moved::Done(v),
        Err(_) => {
            // The destination changed type since the check: put it back.
            let _ = db.write::<List, _>(src, true, |l| from.push(l, &v, enc));
            Moved::DestWrongType
        }
    }
}

/// One blocked client.
struct Waiter {
    db: usize,
    keys: Vec<Bytes>,
    want: Want,
    tx: oneshot::Sender<Frame>,
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    queues: HashMap<(usize, Bytes), VecDeque<u64>>,
    waiters: HashMap<u64, Waiter>,
}

/// The blocked clients, by database and key (see the module docs).
#[derive(Default)]
pub(crate) struct Registry {
    blocked: AtomicUsize,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("blocked", &self.blocked_clients())
            .finish()
    }
}

/// What serving one waiter from one key did.
enum Attempt {
    /// Nothing to take (missing key, or not a list): the waiter stays.
    Empty,
    /// The waiter's reply, and how to undo it if the reply cannot be sent.
    Served(Frame, Undo),
    /// The waiter gets an error and leaves (BLMOVE onto a wrong type).
    Failed(Frame),
}

/// How to put back what a served waiter took.
enum Undo {
    /// Push these (in pop order) back at `end` of the key.
    Pop(End, Vec<Str>),
    /// Move `v` back from `dest`'s `to` end to the key's `from` end.
    Move { dest: Bytes, from: End, to: End },
}

impl Registry {
    /// How many clients are blocked (`INFO clients`' `blocked_clients`).
    pub(crate) fn blocked_clients(&self) -> usize {
        self.blocked.load(Ordering::SeqCst)
    }

    /// Serves the clients blocked on `key` in database `db` while it has
    /// elements; called by every command that adds elements to a list,
    /// after its write. Costs one atomic load when no client is blocked.
    pub(crate) fn signal(&self, shared: &Shared, db: usize, key: &[u8]) {
        fence(Ordering::SeqCst);
        if self.blocked.load(Ordering::SeqCst) == 0 {
            return;
        }
        let mut inner = self.inner.lock().expect("blocking lock");
        self.serve(&mut inner, shared, db, Bytes::copy_from_slice(key));
    }

    /// Registers `block` (and serves it at once if one of its keys got
    /// elements since its command looked); the returned guard receives the
    /// reply and unregisters on drop.
    pub(crate) fn register<'a>(&'a self, shared: &Shared, block: Block) -> Wait<'a> {
        let (tx, rx) = oneshot::channel();
        let mut inner = self.inner.lock().expect("blocking lock");
        inner.next_id += 1;
        let id = inner.next_id;
        for k in &block.keys {
            let q = inner.queues.entry((block.db, k.clone())).or_default();
            // A key named twice (BLPOP k k 0) waits once.
            if q.back() != Some(&id) {
                q.push_back(id);
            }
        }
        let keys = block.keys.clone();
        inner.waiters.insert(
            id,
            Waiter {
                db: block.db,
                keys: block.keys,
                want: block.want,
                tx,
            },
        );
        self.blocked.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        for k in keys {
            if !inner.waiters.contains_key(&id) {
                break;
            }
            self.serve(&mut inner, shared, block.db, k);
        }
        Wait {
            reg: self,
            id,
            rx: Some(rx),
        }
    }

    /// Serves waiters on `(db, key)`, then on the destinations served
    /// BLMOVEs pushed to, in FIFO order, while there are elements.
    fn serve(&self, inner: &mut Inner, shared: &Shared, db: usize, key: Bytes) {
        let enc = shared.keyspace.encodings();
        let mut work = VecDeque::from([(db, key)]);
        while let Some((db, key)) = work.pop_front() {
            let ks_db = shared.keyspace.db(db);
            loop {
                let Some(&id) = inner.queues.get(&(db, key.clone())).and_then(|q| q.front()) else {
                    break;
                };
                let Some(w) = inner.waiters.get(&id) else {
                    // Not expected: drop the stale id.
                    Self::unqueue(inner, id, db, std::slice::from_ref(&key));
                    continue;
                };
                if w.tx.is_closed() {
                    self.remove(inner, id);
                    continue;
                }
                let attempt = Self::attempt(&ks_db, enc, &key, &w.want);
                let frame = match attempt {
                    Attempt::Empty => break,
                    Attempt::Failed(frame) => {
                        let w = self.remove(inner, id).expect("present");
                        let _ = w.tx.send(frame);
                        continue;
                    }
                    Attempt::Served(frame, undo) => (frame, undo),
                };
                let w = self.remove(inner, id).expect("present");
                let (frame, undo) = frame;
                let moved_to = match &undo {
                    Undo::Move { dest, .. } => Some(dest.clone()),
                    Undo::Pop(_, vs) => {
                        shared.persist.add_dirty(vs.len() as u64);
                        None
                    }
                };
                match w.tx.send(frame) {
                    Ok(()) => {
                        if let Some(dest) = moved_to {
                            shared.persist.add_dirty(2);
                            work.push_back((db, dest));
                        }
                    }
                    Err(_) => Self::undo(&ks_db, enc, &key, undo),
                }
            }
        }
    }

    /// Performs `want` on `key` for a waiter.
    fn attempt(db: &Db<'_>, enc: &Encodings, key: &Bytes, want: &Want) -> Attempt {
        match want {
            Want::Pop(end) => match db.write::<List, _>(key, false, |l| end.pop(l)) {
                Ok(Some(Some(v))) => Attempt::Served(
                    Frame::Array(vec![Frame::Bulk(key.clone()), Frame::Str(v.clone())]),
                    Undo::Pop(*end, vec![v]),
                ),
                _ => Attempt::Empty,
            },
            Want::MPop { end, count } => {
                let r = db.write::<List, _>(key, false, |l| {
                    let n = (*count).min(l.len());
                    (0..n).filter_map(|_| end.pop(l)).collect::<Vec<_>>()
                });
                match r {
                    Ok(Some(vs)) if !vs.is_empty() => {
                        Attempt::Served(mpop_reply(key.clone(), &vs), Undo::Pop(*end, vs))
                    }
                    _ => Attempt::Empty,
                }
            }
            Want::Move { dest, from, to } => match move_element(db, enc, key, dest, *from, *to) {
                Moved::Done(v) => Attempt::Served(
                    Frame::Str(v),
                    Undo::Move {
                        dest: dest.clone(),
                        from: *from,
                        to: *to,
                    },
                ),
                Moved::DestWrongType => Attempt::Failed(KsError::WrongType.into()),
                Moved::NoSource | Moved::SourceWrongType => Attempt::Empty,
            },
        }
    }

    /// Puts back what a waiter whose reply could not be sent took.
    fn undo(db: &Db<'_>, enc: &Encodings, key: &[u8], undo: Undo) {
        match undo {
            Undo::Pop(end, vs) => {
                let _ = db.write::<List, _>(key, true, |l| {
                    for v in vs.iter().rev() {
                        end.push(l, v, enc);
                    }
                });
            }
            Undo::Move { dest, from, to } => {
                let _ = move_element(db, enc, &dest, key, to, from);
            }
        }
    }

    /// Takes waiter `id` out of the registry (all its keys).
    fn remove(&self, inner: &mut Inner, id: u64) -> Option<Waiter> {
        let w = inner.waiters.remove(&id)?;
        Self::unqueue(inner, id, w.db, &w.keys);
        self.blocked.fetch_sub(1, Ordering::SeqCst);
        Some(w)
    }

    fn unqueue(inner: &mut Inner, id: u64, db: usize, keys: &[Bytes]) {
        for k in keys {
            let slot = (db, k.clone());
            if let Some(q) = inner.queues.get_mut(&slot) {
                q.retain(|&x| x != id);
                if q.is_empty() {
                    inner.queues.remove(&slot);
                }
            }
        }
    }
}

/// LMPOP's and BLMPOP's reply: `[key, [elements]]`.
pub(crate) fn mpop_reply(key: Bytes, vs: &[Str]) -> Frame {
    Frame::Array(vec![
        Frame::Bulk(key),
        Frame::Array(vs.iter().cloned().map(Frame::Str).collect()),
    ])
}

/// A registered block: receives its reply; unregisters when dropped.
pub(crate) struct Wait<'a> {
    reg: &'a Registry,
    id: u64,
    rx: Option<oneshot::Receiver<Frame>>,
}

impl Wait<'_> {
    /// Unregisters, returning a reply sent meanwhile (served just as the
    /// timeout fired): it is the client's, and must not be lost.
    fn cancel(&mut self) -> Option<Frame> {
        let mut inner = self.reg.inner.lock().expect("blocking lock");
        self.reg.remove(&mut inner, self.id);
        drop(inner);
        self.rx.take()?.try_recv().ok()
    }
}

impl Drop for Wait<'_> {
    fn drop(&mut self) {
        if self.rx.is_some() {
            let mut inner = self.reg.inner.lock().expect("blocking lock");
            self.reg.remove(&mut inner, self.id);
        }
    }
}

/// Waits for a blocked command's reply: `Some(reply)` (the elements, an
/// error, or the null array on timeout), or `None` when the client must be
/// closed (it disconnected, was killed, or the server is stopping).
/// Requests pipelined after the blocking one stay in the read buffer until
/// it is answered.
pub(crate) async fn wait(
    shared: &Shared,
    conn: &mut Connection,
    info: &ClientInfo,
    block: Block,
) -> std::io::Result<Option<Frame>> {
    conn.flush().await?;
    if info.killed.load(Ordering::SeqCst) || shared.stopping.load(Ordering::SeqCst) {
        return Ok(None);
    }
    let timeout = block.timeout;
    let mut wait = shared.blocking.register(shared, block);
    let sleep = async {
        match timeout {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(sleep);
    loop {
        let rx = wait.rx.as_mut().expect("receiver present until done");
        tokio::select! {
            r = rx => {
                wait.rx = None;
                // A closed sender means the registry dropped this waiter
                // without a reply: only while stopping.
                return Ok(r.ok());
            }
            () = &mut sleep => {
                return Ok(Some(wait.cancel().unwrap_or(Frame::NullArray)));
            }
            () = info.kill.notified() => return Ok(None),
            r = conn.read_more() => match r? {
                // Pipelined requests wait in the buffer.
                ReadOutcome::Data => {}
                ReadOutcome::Closed | ReadOutcome::QueryBufferFull => return Ok(None),
            },
        }
    }
}
