//! Loading: every record is decoded into fresh tables while the file is
//! read and checked; the stores are touched only once all of it is decoded
//! and the checksum holds.

use std::io::Read;

use serde::de::DeserializeOwned;

use super::format::{self, Corruption};
use super::reader::{RawRecord, SnapshotReader};
use crate::clock::unix_nanos;
use crate::shard::{Shard, NEVER};
use crate::{Error, Result, Store};

/// Reads every record from `reader` and replaces `stores`' contents with
/// them, all or nothing (see [`super::load_all`]).
pub(super) fn load_reader<V, R>(mut reader: SnapshotReader<R>, stores: &[&Store<V>]) -> Result<()>
where
    V: DeserializeOwned + Clone + Send + Sync + 'static,
    R: Read,
{
    let found = reader.info().databases.len();
    if found > stores.len() {
        return Err(Error::SnapshotDatabases {
            found: found as u64,
            expected: stores.len(),
        });
    }
    for s in stores {
        s.inner.check_open()?;
    }
    let nows: Vec<u64> = stores
        .iter()
        .map(|s| unix_nanos(s.inner.clock.now()))
        .collect();
    let known_len = reader.known_len();
    let mut fresh: Vec<Vec<Shard<V>>> = stores
        .iter()
        .zip(&reader.info().databases)
        .map(|(s, db)| {
            let n = s.inner.shards.len();
            // A file's record counts were checked against its length, so
            // reserving from them allocates in proportion to the file. A
            // stream's counts are unchecked until its end: the tables grow as
            // records actually arrive.
            let per_shard = match known_len {
                Some(_) => usize::try_from(db.records / n as u64).unwrap_or(0),
                None => 0,
            };
            (0..n)
                .map(|_| {
                    let mut shard = Shard::new(s.inner.hasher.clone());
                    shard.reserve(per_shard);
                    shard
                })
                .collect()
        })
        .collect();
    while let Some(record) = reader.next_record()? {
        let db = record.database as usize;
        let value: V = decode_value(&record)?;
        let deadline = record.expires_at_ms.map_or(NEVER, format::ms_to_deadline);
        if deadline != NEVER && deadline <= nows[db] {
            continue;
        }
        let inner = &stores[db].inner;
        let (index, hash) = inner.locate(record.key)?;
        fresh[db][index].upsert(hash, record.key, value, deadline);
    }
    // Everything is decoded: now replace each store's contents.
    for (db, store) in stores.iter().enumerate() {
        let inner = &store.inner;
        let mut shards = fresh.get_mut(db).map(std::mem::take).unwrap_or_default();
        let all = (0..inner.shards.len()).collect();
        {
            let mut guards = inner.write_shards(all);
            for (i, guard) in guards.iter_mut() {
                match shards.get_mut(*i) {
                    Some(new) => std::mem::swap(&mut **guard, new),
                    None => guard.clear(),
                }
            }
        }
        // `shards` now holds the old contents, freed here, off the locks.
        drop(shards);
    }
    Ok(())
}

fn decode_value<V: DeserializeOwned>(record: &RawRecord<'_>) -> Result<V> {
    let undecodable = |detail: String| Error::CorruptedSnapshot {
        reason: Corruption::UndecodableRecord {
            database: record.database,
            index: record.index,
            detail,
        },
    };
    match postcard::take_from_bytes::<V>(record.value) {
        Ok((v, [])) => Ok(v),
        Ok((_, rest)) => Err(undecodable(format!(
            "{} bytes left over after the value",
            rest.len()
        ))),
        Err(e) => Err(undecodable(e.to_string())),
    }
}
