//! Transactions for callers outside this crate, without them knowing diesel.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use scoped_futures::ScopedBoxFuture;

use crate::{pool, DbError, Pool};

enum TxError<E> {
    Db(diesel::result::Error),
    App(E),
}

impl<E> From<diesel::result::Error> for TxError<E> {
    fn from(error: diesel::result::Error) -> Self {
        TxError::Db(error)
    }
}

/// Runs `work` in one transaction on a pooled connection: it commits when `work`
/// returns `Ok` and rolls back when it returns `Err`. Write the closure as
/// `|conn| async move { … }.scope_boxed()`.
pub async fn transaction<'a, T, E, F>(pool: &Pool, work: F) -> Result<T, E>
where
    F: for<'r> FnOnce(&'r mut AsyncPgConnection) -> ScopedBoxFuture<'a, 'r, Result<T, E>>
        + Send
        + 'a,
    T: Send + 'a,
    E: From<DbError> + Send + 'a,
{
    let mut conn = pool::get(pool).await?;
    conn.transaction(async move |conn| work(conn).await.map_err(TxError::App))
        .await
        .map_err(|e| match e {
            TxError::Db(db) => E::from(DbError::Query(db)),
            TxError::App(app) => app,
        })
}
