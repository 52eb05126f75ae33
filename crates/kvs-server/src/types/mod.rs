//! The collection types a key can hold besides a string: [`Hash`](struct@Hash), [`List`]
//! and [`Set`], each with the compact encoding Redis uses for small ones and
//! the thresholds (`hash-max-listpack-entries`, ...) that decide when a
//! collection moves to its large encoding.
//!
//! These are plain data structures: they know nothing of keys, TTLs, locks
//! or the protocol. The keyspace (`keyspace.rs`) stores them in values and
//! the commands (`cmd/hash`, `cmd/list`, `cmd/set`) change them in place.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

pub mod hash;
pub mod list;
pub mod set;

pub use hash::Hash;
pub use list::List;
pub use set::Set;

/// The encoding thresholds, as `CONFIG SET` changes them at run time (read
/// with relaxed loads: a command sees either the old or the new value).
/// The defaults are Debian's redis-server 7.0's (`CONFIG GET` there).
///
/// ```
/// let e = kvs_server::types::Encodings::default();
/// assert_eq!(e.hash_max_listpack_entries(), 512);
/// assert_eq!(e.list_max_listpack_size(), -2);
/// assert_eq!(e.set_max_intset_entries(), 512);
/// ```
#[derive(Debug)]
pub struct Encodings {
    hash_max_listpack_entries: AtomicUsize,
    hash_max_listpack_value: AtomicUsize,
    list_max_listpack_size: AtomicI64,
    list_compress_depth: AtomicUsize,
    set_max_intset_entries: AtomicUsize,
}

impl Default for Encodings {
    fn default() -> Self {
        Encodings {
            hash_max_listpack_entries: AtomicUsize::new(512),
            hash_max_listpack_value: AtomicUsize::new(64),
            list_max_listpack_size: AtomicI64::new(-2),
            list_compress_depth: AtomicUsize::new(0),
            set_max_intset_entries: AtomicUsize::new(512),
        }
    }
}

macro_rules! knob {
    ($get:ident, $set:ident, $ty:ty, $doc:literal) => {
        #[doc = concat!("`", $doc, "`.")]
        ///
        /// ```
        /// let e = kvs_server::types::Encodings::default();
        #[doc = concat!("e.", stringify!($set), "(3);")]
        #[doc = concat!("assert_eq!(e.", stringify!($get), "(), 3);")]
        /// ```
        pub fn $get(&self) -> $ty {
            self.$get.load(Ordering::Relaxed)
        }

        #[doc = concat!("Sets `", $doc, "`.")]
        ///
        /// ```
        /// let e = kvs_server::types::Encodings::default();
        #[doc = concat!("e.", stringify!($set), "(5);")]
        #[doc = concat!("assert_eq!(e.", stringify!($get), "(), 5);")]
        /// ```
        pub fn $set(&self, v: $ty) {
            self.$get.store(v, Ordering::Relaxed)
        }
    };
}

impl Encodings {
    knob!(
        hash_max_listpack_entries,
        set_hash_max_listpack_entries,
        usize,
        "hash-max-listpack-entries"
    );
    knob!(
        hash_max_listpack_value,
        set_hash_max_listpack_value,
        usize,
        "hash-max-listpack-value"
    );
    knob!(
        list_max_listpack_size,
        set_list_max_listpack_size,
        i64,
        "list-max-listpack-size"
    );
    knob!(
        list_compress_depth,
        set_list_compress_depth,
        usize,
        "list-compress-depth"
    );
    knob!(
        set_max_intset_entries,
        set_set_max_intset_entries,
        usize,
        "set-max-intset-entries"
    );
}
