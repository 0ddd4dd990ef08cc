//! `loadgen`: sends signed WooCommerce `order.updated` deliveries for distinct new
//! orders and members to a running `tally serve`, at a fixed concurrency for a fixed time
//! after a warm-up, and prints every measured latency as `key=value` lines on stdout.
//!
//! `cargo xtask bench ingest` runs it; on its own:
//! `loadgen --url http://127.0.0.1:8080/webhooks/woocommerce/<public id> --secret <s>`.

use std::time::Duration;

use clap::Parser;

#[derive(Debug, Parser)]
#[command(
    name = "loadgen",
    about = "Signed WooCommerce deliveries against tally serve"
)]
struct Args {
    /// The store's delivery URL.
    #[arg(long)]
    url: String,
    /// The store's webhook secret.
    #[arg(long, default_value = bench::WEBHOOK_SECRET)]
    secret: String,
    /// Deliveries in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds measured.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Seconds sent before the measured window (not recorded).
    #[arg(long, default_value_t = 3.0)]
    warmup: f64,
    /// The first order id; orders are numbered up from it.
    #[arg(long, default_value_t = 1_000_000)]
    first_order: i64,
    /// Send every order twice (half of the deliveries are duplicates).
    #[arg(long)]
    duplicates: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let outcome = bench::loadgen::run(bench::loadgen::Plan {
        url: args.url,
        secret: args.secret,
        concurrency: args.concurrency.max(1),
        warmup: Duration::from_secs_f64(args.warmup.max(0.0)),
        duration: Duration::from_secs_f64(args.duration.max(0.1)),
        first_order: args.first_order,
        duplicates: args.duplicates,
    })
    .await?;
    print!("{}", outcome.to_lines());
    Ok(())
}
