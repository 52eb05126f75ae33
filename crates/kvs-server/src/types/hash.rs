//! A Redis hash (placeholder until written).

/// A hash.
#[derive(Debug, Clone, Default)]
pub struct Hash;
