//! A Redis set (placeholder until written).

/// A set.
#[derive(Debug, Clone, Default)]
pub struct Set;
