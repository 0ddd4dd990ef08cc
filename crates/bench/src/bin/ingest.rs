//! `ingest`: Tally's ingest benchmark — `tally serve` under signed WooCommerce deliveries
//! against pgbench running the same SQL, on a fresh database of the server named by
//! `DATABASE_URL`. Run it with `cargo xtask bench ingest` (which builds the release
//! binaries and provisions PostgreSQL); see [`bench::ingest`].

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    bench::ingest::run(bench::ingest::Options::parse()).await
}
