//! Tally's benchmarks (`cargo xtask bench ingest`), never used in production.
//!
//! The ingest benchmark measures what `tally serve` sustains on WooCommerce deliveries
//! that each create a member, a wallet, two entries, an order award, a receipt and an
//! outbox email in one transaction, and compares it with `pgbench` running the very SQL
//! statements one delivery executes, one delivery per transaction.
//!
//! This crate owns:
//! - **orders** ([`orders`]): signed `order.updated` deliveries as WooCommerce sends them;
//! - **the load generator** ([`loadgen`], binary `loadgen`): concurrent deliveries for a
//!   fixed time after a warm-up, every latency recorded, optionally each order twice;
//! - **capture** ([`capture`]): the statements of real deliveries, recorded on the wire
//!   between the delivery use case and PostgreSQL by a recording proxy;
//! - **the script** ([`script`]): a pgbench script derived from two captured deliveries;
//! - **the orchestration** ([`ingest`], binary `ingest`): a fresh database, the store, the
//!   release `tally serve`, the runs, the exactly-once check, pgbench, the report.
//!
//! It must never be needed by Tally itself, and it writes no SQL of its own beyond
//! server bookkeeping through psql (`CREATE`/`DROP DATABASE`, `SHOW`, `ANALYZE`, and the
//! `pg_stat_*` reads of `--profile`): the pgbench script is derived from the statements
//! Tally sends, never written by hand; the checks read through `database`.

pub mod capture;
pub mod check;
pub mod ingest;
pub mod loadgen;
pub mod orders;
pub mod pgbench;
pub mod postgres;
pub mod profile;
pub mod report;
pub mod script;
pub mod server;
pub mod store;

/// The fixed `APP_SECRET_KEY` of the benchmark's server (base64 of 32 bytes); it seals
/// the store's webhook secret, so the load generator and the server agree on it.
pub const APP_SECRET_KEY: &str = "dGFsbHktaW5nZXN0LWJlbmNobWFyay1maXhlZC1rZXk=";

/// The webhook secret of the benchmark's store, known to the load generator.
pub const WEBHOOK_SECRET: &str = "bench-webhook-secret-0123456789abcdef";

/// The key ring the server runs with.
pub fn keys() -> anyhow::Result<identity::KeyRing> {
    let key = identity::SecretKey::from_base64(APP_SECRET_KEY)
        .map_err(|e| anyhow::anyhow!("the benchmark key: {e}"))?;
    Ok(identity::KeyRing::new(key, None))
}
