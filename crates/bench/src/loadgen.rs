//! The load generator: `concurrency` workers, each with its own keep-alive connection,
//! send signed deliveries back to back — first for a warm-up, then for the measured
//! duration — and record the latency of every delivery started in the measured window.
//!
//! Orders are numbered from `first_order` by one shared counter, so every order up to
//! the last one taken was sent. With `duplicates`, deliveries 2k and 2k+1 carry the same
//! order: every order is sent twice, by two workers at nearly the same moment (half the
//! deliveries are duplicates, and they race).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// What to send, where, and for how long.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `http://127.0.0.1:port/webhooks/woocommerce/<public id>`
    pub url: String,
    pub secret: String,
    pub concurrency: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub first_order: i64,
    pub duplicates: bool,
}

/// What happened.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Deliveries sent in all (warm-up included), and the orders they carried:
    /// `first_order .. first_order + orders`.
    pub deliveries: u64,
    pub orders: i64,
    /// Latencies (µs) of the deliveries started in the measured window, sorted.
    pub latencies_us: Vec<u64>,
    /// From the start of the window to the end of its last delivery.
    pub measured: Duration,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.measured.as_secs_f64().max(1e-9)
    }

    /// The latency at quantile `q` (0..=1), in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = (q * self.latencies_us.len() as f64).ceil() as usize;
        let index = rank.clamp(1, self.latencies_us.len()) - 1;
        self.latencies_us.get(index).copied().unwrap_or(0) as f64 / 1000.0
    }

    /// The outcome as `key=value` lines (what the `loadgen` binary prints).
    pub fn to_lines(&self) -> String {
        format!(
            "deliveries={}\norders={}\nmeasured_us={}\nlatencies_us={}\n",
            self.deliveries,
            self.orders,
            self.measured.as_micros(),
            self.latencies_us
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        )
    }

    /// Reads what [`Outcome::to_lines`] wrote.
    pub fn from_lines(text: &str) -> anyhow::Result<Outcome> {
        let mut outcome = Outcome::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            match key {
                "deliveries" => outcome.deliveries = value.parse()?,
                "orders" => outcome.orders = value.parse()?,
                "measured_us" => outcome.measured = Duration::from_micros(value.parse()?),
                "latencies_us" => {
                    outcome.latencies_us = value
                        .split(',')
                        .filter(|v| !v.is_empty())
                        .map(str::parse)
                        .collect::<Result<_, _>>()?;
                }
                _ => {}
            }
        }
        outcome.latencies_us.sort_unstable();
        Ok(outcome)
    }
}

struct Shared {
    plan: Plan,
    next: AtomicU64,
    window_start: Instant,
    window_end: Instant,
}

/// Runs the plan; fails on the first delivery not answered 200.
pub async fn run(plan: Plan) -> anyhow::Result<Outcome> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(plan.concurrency)
        .timeout(Duration::from_secs(30))
        .build()?;
    let start = Instant::now();
    let shared = Arc::new(Shared {
        window_start: start + plan.warmup,
        window_end: start + plan.warmup + plan.duration,
        next: AtomicU64::new(0),
        plan,
    });
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..shared.plan.concurrency {
        workers.spawn(worker(client.clone(), shared.clone()));
    }
    let mut latencies = Vec::new();
    let mut last_end = shared.window_start;
    while let Some(joined) = workers.join_next().await {
        let (mut own, end) = joined.context("a load worker panicked")??;
        latencies.append(&mut own);
        last_end = last_end.max(end);
    }
    latencies.sort_unstable();
    let deliveries = shared.next.load(Ordering::SeqCst);
    let orders = if shared.plan.duplicates {
        deliveries.div_ceil(2)
    } else {
        deliveries
    };
    Ok(Outcome {
        deliveries,
        orders: i64::try_from(orders)?,
        latencies_us: latencies,
        measured: last_end.saturating_duration_since(shared.window_start),
    })
}

async fn worker(
    client: reqwest::Client,
    shared: Arc<Shared>,
) -> anyhow::Result<(Vec<u64>, Instant)> {
    let plan = &shared.plan;
    let mut latencies = Vec::with_capacity(4096);
    let mut last_end = shared.window_start;
    loop {
        let started = Instant::now();
        if started >= shared.window_end {
            return Ok((latencies, last_end));
        }
        let delivery = shared.next.fetch_add(1, Ordering::SeqCst);
        let index = if plan.duplicates {
            delivery / 2
        } else {
            delivery
        };
        let order = plan.first_order + i64::try_from(index)?;
        let body = crate::orders::body(order);
        let mut request = client.post(&plan.url);
        for (name, value) in crate::orders::headers(&plan.secret, &body, delivery) {
            request = request.header(name, value);
        }
        let started = Instant::now();
        let response = request
            .body(body)
            .send()
            .await
            .with_context(|| format!("delivery of order {order}"))?;
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        let ended = Instant::now();
        if status != reqwest::StatusCode::OK {
            bail!("delivery of order {order} was answered {status}: {text}");
        }
        if started >= shared.window_start {
            latencies.push(u64::try_from(ended.duration_since(started).as_micros())?);
            last_end = last_end.max(ended);
        }
    }
}
