//! Errors of the database layer.

/// A failure talking to PostgreSQL.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("no database connection available: {0}")]
    Pool(String),
    #[error("could not connect to the database: {0}")]
    Connect(String),
    #[error("database migrations failed: {0}")]
    Migration(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
}

impl DbError {
    /// Whether this is a unique-key violation (two writers raced for the same key).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, DbError::Query(e) if crate::is_unique_violation(e))
    }
}
