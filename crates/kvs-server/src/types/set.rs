//! A Redis set (placeholder until written).

/// A set.
#[derive(Debug, Clone, Default)]
pub struct Set;

impl Set {
    /// Its number of elements.
    ///
    /// ```
    /// assert_eq!(kvs_server::types::Set::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        0
    }

    /// Whether it has no elements.
    ///
    /// ```
    /// assert!(kvs_server::types::Set::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        true
    }
}
