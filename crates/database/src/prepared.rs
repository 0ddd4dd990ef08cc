//! Statements kept prepared on their connection although diesel would not keep them.
//!
//! diesel prepares (parses and plans) a statement once per connection only when it can
//! tell the statement's text never varies; it cannot tell for `UPDATE … SET`, for
//! `INSERT … ON CONFLICT`, for raw SQL or for multi-row inserts, so PostgreSQL parses and
//! plans those on every execution. [`Prepared`] vouches for a statement: use it only
//! where the text depends on the statement's shape alone (never on values, which are
//! always bound), or on a small bounded number (the rows of a batch), so that the
//! connection's cache, keyed by the SQL text, stays small.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::QueryResult;

/// `Prepared(statement)`: run as the statement, kept prepared on the connection.
#[derive(Debug, Clone, Copy)]
pub struct Prepared<Q>(pub Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

/// No static id: the cache is keyed by the SQL text (and the bind types).
impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}
