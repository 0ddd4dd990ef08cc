//! The connection pool.
//!
//! diesel-async over tokio-postgres with a deadpool pool: the server is async (actix on
//! tokio), so queries never block a worker thread and no `spawn_blocking` is needed.

use std::time::Duration;

use diesel_async::pooled_connection::deadpool::{Object, Pool as Deadpool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::AsyncPgConnection;

use crate::DbError;

/// A pool of PostgreSQL connections (cheap to clone: clones share the pool).
#[derive(Clone)]
pub struct Pool(Deadpool<AsyncPgConnection>);

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.0.status();
        f.debug_struct("Pool")
            .field("size", &status.size)
            .field("max_size", &status.max_size)
            .finish()
    }
}

impl Pool {
    /// Closes the pool: idle connections are dropped, new requests fail.
    pub fn close(&self) {
        self.0.close();
    }
}
/// One pooled connection.
pub type Conn = Object<AsyncPgConnection>;

/// How many connections, and how long to wait for one.
#[derive(Debug, Clone, Copy)]
pub struct PoolOptions {
    pub max_size: usize,
    pub wait_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            wait_timeout: Duration::from_secs(5),
        }
    }
}

/// Builds a pool for `database_url`. Connections are made lazily; [`check`] proves one.
pub fn connect(database_url: &str, options: PoolOptions) -> Result<Pool, DbError> {
    // Fast recycling: a returned connection is checked for an open transaction only, not
    // with a test query per checkout; a dead connection fails its first query instead.
    let mut config = ManagerConfig::default();
    config.recycling_method = RecyclingMethod::Fast;
    let manager =
        AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(database_url, config);
    Deadpool::builder(manager)
        .max_size(options.max_size)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.wait_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map(Pool)
        .map_err(|e| DbError::Connect(e.to_string()))
}

/// Takes a connection from the pool.
pub async fn get(pool: &Pool) -> Result<Conn, DbError> {
    pool.0.get().await.map_err(|e| DbError::Pool(e.to_string()))
}

/// Runs `SELECT 1`: the readiness probe.
pub async fn check(pool: &Pool) -> Result<(), DbError> {
    use diesel_async::RunQueryDsl;
    let mut conn = get(pool).await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}
