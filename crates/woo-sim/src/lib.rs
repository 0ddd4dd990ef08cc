//! `woo-sim`: a test double of a WooCommerce 8.9 store, for Tally's tests and
//! `cargo xtask dev`. It is never used in production.
//!
//! It owns a small but faithful WooCommerce: HTTPS with a certificate it generates (a
//! throw-away CA whose PEM is written to a file so Tally can trust it through
//! `WOO_EXTRA_CA_CERT`), in-memory state, and the REST API v3 subset Tally uses
//! (`system_status`, webhooks, coupons, orders and refunds) with WooCommerce's quirks.
//! Order changes are delivered to webhooks the way WooCommerce does it: asynchronously,
//! built at send time, deduplicated while queued, signed, never retried, and the 7th
//! consecutive failure disables the webhook. See `shared/WOOCOMMERCE.md` for the behaviour
//! it reproduces; [`Faults`] injects lost, duplicated, late and error-body deliveries,
//! and slow, failing, raced or refused coupon calls ([`CouponFault`], [`LookupFault`]).
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sim = woo_sim::Sim::start(woo_sim::SimOptions::default()).await?;
//! println!("{} trusts {}", sim.base_url(), sim.ca_cert_path().display());
//! # Ok(()) }
//! ```

mod auth;
mod checkout;
mod control;
mod coupon_faults;
mod coupon_view;
mod coupons;
mod dates;
mod delivery;
mod faults;
mod http_client;
mod json;
mod money;
mod order_api;
mod order_list;
mod orders;
mod ping;
mod refunds;
mod rest;
mod safe_url;
mod secrets;
mod server;
mod state;
mod system_status;
mod tls;
mod webhooks;

#[cfg(test)]
mod fidelity_tests;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::sync::{oneshot, Notify};

pub use coupon_view::CouponView;
pub use faults::{CouponFault, Faults, LookupFault};
pub use state::DeliveryRecord;
pub use webhooks::WebhookView;

use state::{Config, Shared, SharedRef, Store};

/// How to run the simulated store.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Where to listen; default `127.0.0.1:0` (any free port).
    pub bind: SocketAddr,
    /// The store currency; default `"USD"`.
    pub currency: String,
    /// The store's price decimals (money strings use this many); default 2.
    pub price_decimals: u32,
    /// Behave like WordPress' `wp_safe_remote_request`: refuse loopback/private addresses
    /// and ports other than 80/443/8080 for pings and deliveries. Default false.
    pub refuse_private_delivery_urls: bool,
    /// How long a queued delivery waits before it is sent (Action Scheduler latency).
    pub delivery_delay: Duration,
    /// Where to write `ca.pem`; default a temporary directory removed with the [`Sim`].
    pub state_dir: Option<PathBuf>,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            currency: "USD".into(),
            price_decimals: 2,
            refuse_private_delivery_urls: false,
            delivery_delay: Duration::ZERO,
            state_dir: None,
        }
    }
}

/// A running simulated store. Dropping it (or [`Sim::shutdown`]) stops the server.
#[derive(Debug)]
pub struct Sim {
    shared: SharedRef,
    ca_cert_path: PathBuf,
    ca_pem: String,
    stop: Mutex<Option<oneshot::Sender<()>>>,
    stopped: Option<oneshot::Receiver<()>>,
    _temp_dir: Option<tempfile::TempDir>,
}

impl Sim {
    /// Generates the certificates, binds, and serves on a thread of its own.
    pub async fn start(options: SimOptions) -> anyhow::Result<Sim> {
        anyhow::ensure!(
            options.price_decimals <= 8,
            "price_decimals must be at most 8"
        );
        let certs = tls::generate().context("generating the test certificates")?;
        let (dir, temp_dir) = match &options.state_dir {
            Some(d) => (d.clone(), None),
            None => {
                let t = tempfile::Builder::new().prefix("woo-sim-").tempdir()?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let ca_cert_path = dir.join("ca.pem");
        std::fs::write(&ca_cert_path, &certs.ca_pem)
            .with_context(|| format!("writing {}", ca_cert_path.display()))?;

        let listener = std::net::TcpListener::bind(options.bind)
            .with_context(|| format!("binding {}", options.bind))?;
        let addr = listener.local_addr()?;
        let host = match addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let config = Config {
            base_url: format!("https://{host}:{}", addr.port()),
            currency: options.currency.to_uppercase(),
            decimals: options.price_decimals,
            strict_urls: options.refuse_private_delivery_urls,
            delivery_delay: options.delivery_delay,
            read_write: auth::generate_key(),
            read_only: auth::generate_key(),
            hash_salt: state::random_bytes(32),
        };
        let shared: SharedRef = Arc::new(Shared {
            config,
            store: Mutex::new(Store::new()),
            faults: Faults::default(),
            wake: Notify::new(),
        });
        let server_config = tls::server_config(&certs)?;

        let (ready_tx, ready_rx) = oneshot::channel::<anyhow::Result<()>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let (stopped_tx, stopped_rx) = oneshot::channel::<()>();
        let thread_shared = shared.clone();
        std::thread::Builder::new()
            .name("woo-sim".into())
            .spawn(move || {
                actix_web::rt::System::new().block_on(serve(
                    thread_shared,
                    listener,
                    server_config,
                    ready_tx,
                    stop_rx,
                ));
                let _ = stopped_tx.send(());
            })?;
        ready_rx
            .await
            .context("the simulator thread ended before listening")??;
        tracing::info!(base_url = %shared.config.base_url, "woo-sim listening");
        Ok(Sim {
            shared,
            ca_cert_path,
            ca_pem: certs.ca_pem,
            stop: Mutex::new(Some(stop_tx)),
            stopped: Some(stopped_rx),
            _temp_dir: temp_dir,
        })
    }

    /// `https://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> String {
        self.shared.config.base_url.clone()
    }

    /// The CA certificate (PEM) to trust.
    pub fn ca_cert_path(&self) -> &Path {
        &self.ca_cert_path
    }

    pub fn ca_cert_pem(&self) -> &str {
        &self.ca_pem
    }

    /// A read/write REST key: `("ck_…", "cs_…")`.
    pub fn read_write_key(&self) -> (String, String) {
        self.shared.config.read_write.clone()
    }

    /// A read-only REST key: `("ck_…", "cs_…")`.
    pub fn read_only_key(&self) -> (String, String) {
        self.shared.config.read_only.clone()
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// All webhooks (including their decoded secrets), by ID.
    pub fn webhooks(&self) -> Vec<WebhookView> {
        self.shared
            .lock()
            .webhooks
            .values()
            .map(|w| w.view())
            .collect()
    }

    /// All coupons (trashed ones included), by ID.
    pub fn coupons(&self) -> Vec<CouponView> {
        self.shared
            .lock()
            .coupons
            .values()
            .map(|c| c.view())
            .collect()
    }

    /// Publishes a coupon with `code` as a shop manager would in wp-admin (no duplicate
    /// check; WooCommerce's code formatting applied) and returns its ID.
    pub fn create_coupon_directly(&self, code: &str) -> u64 {
        let id = coupon_view::insert_direct(&mut self.shared.lock(), code);
        u64::try_from(id).unwrap_or_default()
    }

    /// Every attempted delivery and ping, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.shared.lock().deliveries.clone()
    }

    /// Waits until no delivery is queued or in flight; false if that did not happen `within`.
    pub async fn wait_idle(&self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            {
                let store = self.shared.lock();
                if store.queue.is_empty() && store.in_flight == 0 {
                    return true;
                }
            }
            if Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The order as `GET /orders/{id}` would show it now.
    pub fn order(&self, id: i64) -> Option<serde_json::Value> {
        order_api::snapshot(&self.shared, id).map(|j| j.to_value())
    }

    /// Stops the server and waits for its thread to finish.
    pub async fn shutdown(mut self) {
        self.signal_stop();
        if let Some(rx) = self.stopped.take() {
            let _ = rx.await;
        }
    }

    fn signal_stop(&self) {
        let tx = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(tx) = tx {
            let _ = tx.send(());
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.signal_stop();
    }
}

async fn serve(
    shared: SharedRef,
    listener: std::net::TcpListener,
    tls: rustls::ServerConfig,
    ready: oneshot::Sender<anyhow::Result<()>>,
    stop: oneshot::Receiver<()>,
) {
    let data = actix_web::web::Data::new(shared.clone());
    let built = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .app_data(actix_web::web::PayloadConfig::new(16 * 1024 * 1024))
            .default_service(actix_web::web::to(server::dispatch))
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(1)
    .listen_rustls_0_23(listener, tls);
    let server = match built {
        Ok(s) => s.run(),
        Err(e) => {
            let _ = ready.send(Err(e.into()));
            return;
        }
    };
    let handle = server.handle();
    let runner = actix_web::rt::spawn(delivery::run(shared));
    let running = actix_web::rt::spawn(server);
    let _ = ready.send(Ok(()));
    // A dropped sender (the Sim was dropped) also ends the wait.
    let _ = stop.await;
    handle.stop(false).await;
    runner.abort();
    let _ = running.await;
}
