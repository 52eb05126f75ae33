//! A Redis list (placeholder until written).

/// A list.
#[derive(Debug, Clone, Default)]
pub struct List;
