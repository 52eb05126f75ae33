//! kvs: a sharded, concurrent, in-memory key-value store with Redis-like
//! per-key TTL, batch operations and pluggable shard hashing.
//!
//! ```
//! use std::time::Duration;
//! use kvs::Store;
//!
//! let store: Store<String> = Store::new(16)?;
//! store.set("user:1", "ada".to_string())?;
//! store.set_with_ttl("session:9", "token".to_string(), Duration::from_secs(300))?;
//! let r = store.batch_get(&["user:1", "user:2"])?;
//! assert_eq!(r.found(), 1);
//! store.close()?;
//! # Ok::<(), kvs::Error>(())
//! ```
//!
//! # A map of the modules
//!
//! Read `docs/design.md` first; then, in the order a request meets them:
//!
//! - `store`: [`Store`], the handle, and every single-key operation.
//! - `batch`: `batch_get` / `batch_set` / `batch_delete` and their results.
//! - `compute`: [`Action`], [`Expiry`], [`Entry`] and [`EntryMut`], the atomic
//!   read-modify-write primitive the other read-modify-write calls build on.
//! - `hash`: choosing a key's shard ([`fnv1a_32`] by default, or a [`ShardFn`]).
//! - `shard`: one shard's table and deadline index, behind one lock.
//! - `expiry`: the per-shard deadline index the sweeper reads.
//! - `sweeper`: the background expiry thread and its stop handshake.
//! - `lock_order`: how several shard locks are taken without deadlock.
//! - `clock`: [`Clock`], [`SystemClock`] and [`ManualClock`].
//! - `key`: [`Key`], the owned byte-string key.
//! - `builder`: [`Builder`], the store's settings.
//! - `snapshot`: [`snapshot`], saving and loading the store, point in time.
//! - `ordered`: jobs done on several threads and consumed in order (a save's
//!   shards).
//! - `error`: [`Error`], the one error type.
//! - `sync`: the locks, behind a facade that the model-checking test swaps.

#![warn(missing_docs)]

mod batch;
mod builder;
mod clock;
mod compute;
mod error;
mod expiry;
mod hash;
mod key;
mod lock_order;
mod ordered;
mod shard;
pub mod snapshot;
mod store;
mod sweeper;
mod sync;

pub use batch::{BatchDeleteResult, BatchGetResult, BatchSetResult};
pub use builder::{Builder, DEFAULT_SWEEP_INTERVAL};
pub use clock::{Clock, ManualClock, SystemClock};
pub use compute::{Action, Entry, EntryMut, Expiry};
pub use error::{Error, Result};
pub use hash::{fnv1a_32, ShardFn};
pub use key::Key;
pub use store::{Store, CLOSE_TIMEOUT};

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
