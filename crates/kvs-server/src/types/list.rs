//! A Redis list (placeholder until written).

/// A list.
#[derive(Debug, Clone, Default)]
pub struct List;

impl List {
    /// Its number of elements.
    ///
    /// ```
    /// assert_eq!(kvs_server::types::List::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        0
    }

    /// Whether it has no elements.
    ///
    /// ```
    /// assert!(kvs_server::types::List::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        true
    }
}
