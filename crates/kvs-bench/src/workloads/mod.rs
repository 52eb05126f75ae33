//! The workload families, one file each.

pub mod batch;
pub mod memory;
pub mod mixed;
pub mod snapshot;
pub mod ttl;
