//! The store's in-memory state and the handle shared by the HTTP server and the delivery loop.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use tokio::sync::Notify;

use crate::coupons::Coupon;
use crate::faults::Faults;
use crate::orders::Order;
use crate::webhooks::Webhook;

/// WooCommerce / WordPress versions the simulator claims to be.
pub(crate) const WC_VERSION: &str = "8.9.1";
pub(crate) const WP_VERSION: &str = "6.5.3";
pub(crate) const USER_AGENT: &str = "WooCommerce/8.9.1 Hookshot (WordPress/6.5.3)";

/// Fixed settings of one simulated store.
#[derive(Debug)]
pub(crate) struct Config {
    /// `https://127.0.0.1:<port>`, no trailing slash.
    pub base_url: String,
    pub currency: String,
    pub decimals: u32,
    pub strict_urls: bool,
    pub delivery_delay: Duration,
    pub read_write: (String, String),
    pub read_only: (String, String),
    /// The `wp_salt('auth')` stand-in used by `wp_hash` for Delivery-IDs.
    pub hash_salt: Vec<u8>,
}

impl Config {
    pub(crate) fn api_url(&self, route: &str) -> String {
        format!("{}/wp-json/wc/v3/{route}", self.base_url)
    }
}

/// One attempted webhook delivery or ping, as recorded by the simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub webhook_id: i64,
    /// The order of an order delivery; `None` for a ping.
    pub order_id: Option<i64>,
    /// `"ping"` or the topic (`"order.updated"`, `"order.created"`).
    pub kind: String,
    /// The HTTP status the receiver answered; `None` when no response was had.
    pub status: Option<u16>,
    /// Why it failed without a response (`"A valid URL was not provided."`, a cURL-style error),
    /// or for a ping the error text WooCommerce shows.
    pub error: Option<String>,
    /// `X-WC-Webhook-Delivery-ID`; `None` for pings (they carry no such header).
    pub delivery_id: Option<String>,
    /// Whether WooCommerce counted it as a success (pings: exactly 200; deliveries: 200..=302).
    pub success: bool,
    pub url: String,
    /// The exact body bytes sent (pings: `webhook_id=<id>`).
    pub body: String,
    pub at: OffsetDateTime,
}

/// A queued Action Scheduler action: deliver `topic` for `order_id` to `webhook_id`.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub seq: u64,
    pub webhook_id: i64,
    pub order_id: i64,
    pub topic: String,
    pub due: Instant,
}

#[derive(Debug)]
pub(crate) struct Store {
    /// WordPress post IDs: orders, refunds and coupons share one sequence.
    pub next_post_id: i64,
    pub next_webhook_id: i64,
    pub next_item_id: i64,
    pub next_meta_id: i64,
    pub next_job_seq: u64,
    pub orders: BTreeMap<i64, Order>,
    pub coupons: BTreeMap<i64, Coupon>,
    pub webhooks: BTreeMap<i64, Webhook>,
    pub queue: Vec<Job>,
    pub in_flight: usize,
    pub deliveries: Vec<DeliveryRecord>,
}

impl Store {
    pub(crate) fn new() -> Store {
        Store {
            next_post_id: 10,
            next_webhook_id: 1,
            next_item_id: 1,
            next_meta_id: 1,
            next_job_seq: 1,
            orders: BTreeMap::new(),
            coupons: BTreeMap::new(),
            webhooks: BTreeMap::new(),
            queue: Vec::new(),
            in_flight: 0,
            deliveries: Vec::new(),
        }
    }

    pub(crate) fn post_id(&mut self) -> i64 {
        let id = self.next_post_id;
        self.next_post_id += 1;
        id
    }

    pub(crate) fn item_id(&mut self) -> i64 {
        let id = self.next_item_id;
        self.next_item_id += 1;
        id
    }

    pub(crate) fn meta_id(&mut self) -> i64 {
        let id = self.next_meta_id;
        self.next_meta_id += 1;
        id
    }
}

/// Everything the server, the delivery loop and [`crate::Sim`] share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Config,
    pub store: Mutex<Store>,
    pub faults: Faults,
    /// Wakes the delivery loop when a job is queued.
    pub wake: Notify,
}

pub(crate) type SharedRef = Arc<Shared>;

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Random bytes from the OS.
pub(crate) fn random_bytes(n: usize) -> Vec<u8> {
    use ring::rand::SecureRandom;
    let mut buf = vec![0u8; n];
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("the OS random source failed");
    buf
}

/// A random string drawn from `alphabet`.
pub(crate) fn random_string(len: usize, alphabet: &[u8]) -> String {
    random_bytes(len)
        .into_iter()
        .map(|b| alphabet[usize::from(b) % alphabet.len()] as char)
        .collect()
}

pub(crate) const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub(crate) const HEX: &[u8] = b"0123456789abcdef";
