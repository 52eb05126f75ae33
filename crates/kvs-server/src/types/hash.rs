//! A Redis hash (placeholder until written).

/// A hash.
#[derive(Debug, Clone, Default)]
pub struct Hash;

impl Hash {
    /// Its number of elements.
    ///
    /// ```
    /// assert_eq!(kvs_server::types::Hash::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        0
    }

    /// Whether it has no elements.
    ///
    /// ```
    /// assert!(kvs_server::types::Hash::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        true
    }
}
