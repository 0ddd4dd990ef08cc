//! The database: Tally's only door to PostgreSQL.
//!
//! Owns the connection pool, the embedded migrations, the diesel `schema`, the row
//! models and every SQL statement Tally runs (repositories named after the domain:
//! partners, cards, members, wallets, the posting operation …). It enforces, together
//! with the schema, the ledger's structural guarantees: exactly-once entries by
//! idempotency key, balances that never go below zero, entries that are never changed.
//!
//! It must never know HTTP, pages, email transports, WooCommerce's wire formats or how
//! secrets are hashed: callers hand it hashes and already-parsed values. Nothing outside
//! this crate writes SQL or names a table.
//!
//! Time is always an argument (`now`), never read from the clock here, so expiry and
//! ordering are testable without sleeping.

pub mod activity;
pub mod awarding;
pub mod awards;
pub mod catalog;
pub mod codes;
pub mod error;
pub mod home;
pub mod idempotency;
pub mod integrations;
pub mod member_data;
pub mod member_search;
pub mod members;
pub mod migrate;
pub mod outbox;
pub mod partners;
pub mod pool;
pub mod posting;
pub mod prepared;
pub mod rate_limits;
pub mod receipts;
pub mod reconcile;
pub mod redemptions;
#[allow(clippy::all)]
pub mod schema;
pub mod sessions;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tokens;
pub mod tx;
pub mod wallets;
pub mod webhook_health;

pub use diesel_async::AsyncPgConnection as Connection;
pub use error::DbError;
pub use pool::{connect, Pool, PoolOptions};
pub use scoped_futures::ScopedFutureExt;
pub use tx::transaction;

/// Whether a diesel error is a unique-key violation (never decided by message text).
pub(crate) fn is_unique_violation(error: &diesel::result::Error) -> bool {
    matches!(
        error,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
