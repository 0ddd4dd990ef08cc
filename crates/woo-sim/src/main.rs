//! `woo-sim`: runs the simulated WooCommerce store until Ctrl-C.
//!
//! Prints one JSON line once listening:
//! `{"base_url":…,"ca_cert_path":…,"read_write_key":[ck,cs],"read_only_key":[ck,cs]}`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

/// A WooCommerce test double (REST API v3 + webhooks over HTTPS). Never for production.
#[derive(Debug, Parser)]
#[command(name = "woo-sim", version)]
struct Args {
    /// Port to listen on (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Store currency.
    #[arg(long, default_value = "USD")]
    currency: String,
    /// Store price decimals.
    #[arg(long, default_value_t = 2)]
    decimals: u32,
    /// Directory for ca.pem (default: a temporary directory).
    #[arg(long)]
    state_dir: Option<PathBuf>,
    /// Refuse loopback/private delivery URLs and ports other than 80/443/8080, like WordPress.
    #[arg(long)]
    strict_urls: bool,
    /// Seconds a queued delivery waits before it is sent.
    #[arg(long, default_value_t = 0.0)]
    delivery_delay: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "woo_sim=debug,info".into()),
        )
        .init();
    let args = Args::parse();
    let sim = woo_sim::Sim::start(woo_sim::SimOptions {
        bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), args.port),
        currency: args.currency,
        price_decimals: args.decimals,
        refuse_private_delivery_urls: args.strict_urls,
        delivery_delay: Duration::from_secs_f64(args.delivery_delay.max(0.0)),
        state_dir: args.state_dir,
    })
    .await?;
    let line = serde_json::json!({
        "base_url": sim.base_url(),
        "ca_cert_path": sim.ca_cert_path(),
        "read_write_key": sim.read_write_key(),
        "read_only_key": sim.read_only_key(),
    });
    println!("{line}");
    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
