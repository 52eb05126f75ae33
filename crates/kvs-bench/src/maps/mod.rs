//! One adapter per map, behind the one trait the workloads drive.
//!
//! Hashers, so that like is compared with like: kvs picks the shard with
//! FNV-1a and hashes inside the shard with foldhash (`kvs-tablehash` takes
//! the shard from the foldhash value instead, one hash per operation). dashmap runs twice,
//! with its default SipHash (`dashmap-sip`) and with foldhash
//! (`dashmap-fold`). papaya, scc, the `RwLock<HashMap>` and the hashbrown
//! floor use foldhash; moka keeps its own default (SipHash). No map is
//! pre-sized: kvs has no capacity setting, so pre-sizing the others would
//! hide their resize cost but not kvs's.

mod dashmap;
mod hashbrown;
mod kvs;
mod moka;
mod papaya;
mod scc;
mod std_rwlock;

use std::fmt;
use std::str::FromStr;

use crate::keys::BenchKey;

pub use self::dashmap::{DashFold, DashSip};
pub use self::hashbrown::HashbrownFloor;
pub use self::kvs::KvsMap;
pub use self::moka::{MokaExpiry, MokaMap};

/// The operations the mixed workloads run. Every call reports whether the
/// key was found, which the runner sums so no call can be optimised away.
pub trait BenchMap<K: BenchKey>: Send + Sync {
    /// Looks `key` up; true if present.
    fn get(&self, key: &K) -> bool;
    /// Stores `value` under `key`, overwriting.
    fn insert(&self, key: &K, value: u64);
    /// Removes `key`; true if it was present.
    fn remove(&self, key: &K) -> bool;
    /// Adds one to the value of `key` atomically; true if it was present.
    fn update(&self, key: &K) -> bool;
    /// Finishes deferred work (moka applies writes lazily), so that memory
    /// is measured after it. A no-op for the other maps.
    fn settle(&self) {}
}

/// The maps of the concurrent workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    Kvs,
    KvsTableHash,
    DashmapSip,
    DashmapFold,
    Moka,
    Papaya,
    Scc,
    StdRwLock,
}

impl MapKind {
    /// Every concurrent map, in report order.
    pub const ALL: [MapKind; 8] = [
        MapKind::Kvs,
        MapKind::KvsTableHash,
        MapKind::DashmapSip,
        MapKind::DashmapFold,
        MapKind::Moka,
        MapKind::Papaya,
        MapKind::Scc,
        MapKind::StdRwLock,
    ];

    /// The name in the CSV `map` column and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            MapKind::Kvs => "kvs",
            MapKind::KvsTableHash => "kvs-tablehash",
            MapKind::DashmapSip => "dashmap-sip",
            MapKind::DashmapFold => "dashmap-fold",
            MapKind::Moka => "moka",
            MapKind::Papaya => "papaya-fold",
            MapKind::Scc => "scc-fold",
            MapKind::StdRwLock => "std-rwlock-fold",
        }
    }
}

impl fmt::Display for MapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for MapKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        MapKind::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| format!("unknown map {s:?}; known: {}", names(&MapKind::ALL)))
    }
}

/// The names of `maps`, comma-separated.
pub fn names(maps: &[MapKind]) -> String {
    maps.iter().map(|m| m.name()).collect::<Vec<_>>().join(",")
}

/// Something to do with a freshly built map of a kind chosen at run time,
/// monomorphised per map so the hot loop has no dynamic dispatch.
pub trait WithMap<K: BenchKey> {
    /// What the visit returns.
    type Out;
    /// Runs with `map`.
    fn run<M: BenchMap<K>>(self, map: M) -> Self::Out;
}

/// Builds an empty map of `kind` and hands it to `f`.
pub fn with_map<K: BenchKey, F: WithMap<K>>(kind: MapKind, f: F) -> F::Out {
    match kind {
        MapKind::Kvs => f.run(KvsMap::new()),
        MapKind::KvsTableHash => f.run(KvsMap::table_hash()),
        MapKind::DashmapSip => f.run(dashmap::DashSip::default()),
        MapKind::DashmapFold => f.run(dashmap::DashFold::default()),
        MapKind::Moka => f.run(MokaMap::new()),
        MapKind::Papaya => f.run(papaya::PapayaMap::default()),
        MapKind::Scc => f.run(scc::SccMap::default()),
        MapKind::StdRwLock => f.run(std_rwlock::StdRwLock::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Str16;

    struct Check;
    impl<K: BenchKey> WithMap<K> for Check {
        type Out = ();
        fn run<M: BenchMap<K>>(self, m: M) {
            let (a, b) = (K::nth(1), K::nth(2));
            assert!(!m.get(&a));
            m.insert(&a, 1);
            assert!(m.get(&a));
            assert!(!m.get(&b));
            assert!(m.update(&a));
            assert!(!m.update(&b));
            assert!(!m.get(&b), "update must not insert");
            assert!(m.remove(&a));
            assert!(!m.remove(&a));
            assert!(!m.get(&a));
        }
    }

    #[test]
    fn every_adapter_behaves_like_a_map() {
        for kind in MapKind::ALL {
            with_map::<u64, _>(kind, Check);
            with_map::<Str16, _>(kind, Check);
        }
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for kind in MapKind::ALL {
            assert_eq!(kind.name().parse::<MapKind>(), Ok(kind));
        }
        assert!("redis".parse::<MapKind>().is_err());
    }
}
