//! The embedded migrations (`migrations/` at the workspace root).
//!
//! Migrations run through diesel_migrations on a synchronous wrapper around the async
//! connection, on a blocking thread; no libpq is needed.

use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::DbError;

/// Every migration, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

type SyncConn = AsyncConnectionWrapper<AsyncPgConnection>;

/// Where the database stands against the embedded migrations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    pub applied: Vec<String>,
    pub pending: Vec<String>,
}

impl MigrationStatus {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty()
    }
}

async fn with_sync_conn<T, F>(database_url: &str, work: F) -> Result<T, DbError>
where
    T: Send + 'static,
    F: FnOnce(&mut SyncConn) -> Result<T, DbError> + Send + 'static,
{
    let url = database_url.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut conn = SyncConn::establish(&url).map_err(|e| DbError::Connect(e.to_string()))?;
        work(&mut conn)
    })
    .await
    .map_err(|e| DbError::Migration(format!("migration task failed: {e}")))?
}

/// Applies every pending migration; returns the names of those applied.
pub async fn run_pending(database_url: &str) -> Result<Vec<String>, DbError> {
    with_sync_conn(database_url, |conn| {
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(applied.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Reverts every applied migration, newest first (used to prove they are reversible).
pub async fn revert_all(database_url: &str) -> Result<Vec<String>, DbError> {
    with_sync_conn(database_url, |conn| {
        let reverted = conn
            .revert_all_migrations(MIGRATIONS)
            .map_err(|e| DbError::Migration(e.to_string()))?;
        Ok(reverted.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Lists applied and pending migrations.
pub async fn status(database_url: &str) -> Result<MigrationStatus, DbError> {
    with_sync_conn(database_url, |conn| {
        let applied = conn
            .applied_migrations()
            .map_err(|e| DbError::Migration(e.to_string()))?
            .iter()
            .map(ToString::to_string)
            .collect();
        let pending = conn
            .pending_migrations(MIGRATIONS)
            .map_err(|e| DbError::Migration(e.to_string()))?
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        Ok(MigrationStatus { applied, pending })
    })
    .await
}
