//! Differential test: random command sequences sent to a real
//! `redis-server` (the oracle, Redis 7.0) and to `kvs serve`; every reply
//! must match type for type (or by meaning, for orders and randomness).
//!
//! Without `redis-server` on PATH the test says it is skipped and passes,
//! unless `KVS_REQUIRE_REDIS=1`. Knobs (environment):
//!
//! - `KVS_DIFF_SECONDS` (default 20): how long to run.
//! - `KVS_DIFF_SEED` (decimal or 0x-hex): the run's seed.
//! - `KVS_DIFF_ROUND`: run only this round (to replay a report).
//! - `KVS_DIFF_FAMILIES`: comma-separated families (default: those on by
//!   default in `differential/families/mod.rs`), or `all`.
//! - `KVS_DIFF_KEEP_GOING=1`: collect distinct failures instead of stopping.
//!
//! `scripts/differential.sh [seconds] [seed] [families]` runs it longer.

#[path = "differential/mod.rs"]
mod harness;

#[test]
fn kvs_replies_like_redis_server() {
    harness::run();
}
