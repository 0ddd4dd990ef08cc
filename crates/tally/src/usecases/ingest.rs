//! Group commit for webhook deliveries (SPEC §10): the signed, parsed deliveries that
//! arrive together are applied in one transaction — their orders locked in one statement,
//! each store's card and partner read once, their receipts written in one statement — and
//! each is answered only once that transaction has committed.
//!
//! A failure never spreads: when a batch of several fails, nothing of it was written, and
//! every delivery in it is applied again on its own, in its own transaction, and answered
//! with its own result.
//!
//! Deliveries are spread over a few writers, each with its own connection, by the
//! customer's email (or the order when there is none): deliveries that touch the same
//! member, wallet or order always meet in the same writer, one after the other, so two
//! writers never wait on each other's rows.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Instant;

use database::integrations::{self, Integration, Settings};
use database::receipts::{self, NewReceipt};
use database::{awards, ScopedFutureExt};
use identity::KeyRing;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::deliveries::DeliveryError;
use super::orders::{self, OrderContext, Store};
use crate::config::Config;

/// A signed order delivery that passed every check and awaits its decision.
#[derive(Debug)]
pub struct Job {
    pub integration: Integration,
    pub settings: Settings,
    pub order: webhook::OrderEvent,
    /// The receipt so far; the decision fills in outcome, reason, points and time.
    pub receipt: NewReceipt,
    pub now: OffsetDateTime,
    pub started: Instant,
}

/// Where the keys and links that emails need come from.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub keys: &'a KeyRing,
    pub public_base_url: &'a str,
}

/// Applies `jobs` in one transaction on a connection of `pool`; `Ok` once it committed.
pub async fn apply_batch(
    pool: &database::Pool,
    context: Context<'_>,
    jobs: &[&Job],
) -> Result<(), DeliveryError> {
    database::transaction(pool, |conn| {
        async move {
            let locks: Vec<(i64, i64, String)> = jobs
                .iter()
                .map(|job| {
                    (
                        job.integration.partner_id,
                        job.integration.id,
                        job.order.id().to_string(),
                    )
                })
                .collect();
            let keys: Vec<(i64, i64, &str)> =
                locks.iter().map(|(p, i, o)| (*p, *i, o.as_str())).collect();
            awards::lock_orders(conn, &keys).await?;
            let mut stores: Vec<(i64, Store)> = Vec::new();
            let mut written = Vec::with_capacity(jobs.len());
            for job in jobs {
                let index = match stores.iter().position(|(id, _)| *id == job.integration.id) {
                    Some(index) => index,
                    None => {
                        let store = Store::load(conn, &job.integration).await?;
                        stores.push((job.integration.id, store));
                        stores.len() - 1
                    }
                };
                let ctx = OrderContext {
                    integration: &job.integration,
                    settings: &job.settings,
                    keys: context.keys,
                    public_base_url: context.public_base_url,
                    now: job.now,
                };
                let decision =
                    orders::apply_locked(conn, &ctx, &stores[index].1, &job.order).await?;
                let mut receipt = job.receipt.clone();
                receipt.outcome = decision.outcome.as_str().into();
                receipt.reason = decision.reason;
                receipt.points = decision.points;
                receipt.processing_ms =
                    i32::try_from(job.started.elapsed().as_millis()).unwrap_or(i32::MAX);
                written.push(receipt);
            }
            receipts::insert_many(conn, &written).await?;
            let mut touched: Vec<i64> = Vec::new();
            for job in jobs {
                let integration = &job.integration;
                if integrations::last_delivery_stale(integration, job.now)
                    && !touched.contains(&integration.id)
                {
                    touched.push(integration.id);
                    integrations::touch_last_delivery(
                        conn,
                        integration.partner_id,
                        integration.id,
                        job.now,
                    )
                    .await?;
                }
            }
            Ok::<_, DeliveryError>(())
        }
        .scope_boxed()
    })
    .await
}

struct Queued {
    job: Job,
    reply: oneshot::Sender<Result<(), DeliveryError>>,
}

/// The writers deliveries are handed to ([`Batcher::submit`]).
#[derive(Debug, Clone)]
pub struct Batcher {
    shards: Arc<Vec<mpsc::Sender<Queued>>>,
}

impl std::fmt::Debug for Queued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queued").finish_non_exhaustive()
    }
}

/// How the writers run.
#[derive(Debug, Clone, Copy)]
pub struct BatchOptions {
    /// Writers, each with one connection of its own.
    pub writers: usize,
    /// The most deliveries one transaction takes.
    pub max_batch: usize,
}

impl Batcher {
    /// Starts the writers on a thread of their own, where their connections live too: a
    /// statement's answer wakes the writer on the same thread, never across threads.
    /// `pool` should hold a connection per writer and not be used elsewhere; the writers
    /// stop when every `Batcher` clone is dropped.
    pub fn start(
        pool: database::Pool,
        config: Arc<Config>,
        options: BatchOptions,
    ) -> std::io::Result<Batcher> {
        let max_batch = options.max_batch.max(1);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut queues = Vec::new();
        let shards = (0..options.writers.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel(max_batch * 4);
                queues.push(rx);
                tx
            })
            .collect();
        std::thread::Builder::new()
            .name("tally-ingest".into())
            .spawn(move || {
                let writers = queues
                    .into_iter()
                    .map(|rx| writer(rx, pool.clone(), config.clone(), max_batch));
                runtime.block_on(futures_util::future::join_all(writers));
            })?;
        Ok(Batcher {
            shards: Arc::new(shards),
        })
    }

    /// Hands `job` to its writer and waits until it is committed (or has failed).
    pub async fn submit(&self, job: Job) -> Result<(), DeliveryError> {
        let shard = shard_of(&job) % self.shards.len().max(1);
        let (reply, answer) = oneshot::channel();
        self.shards[shard]
            .send(Queued { job, reply })
            .await
            .map_err(|_| DeliveryError::Stopped)?;
        answer.await.map_err(|_| DeliveryError::Stopped)?
    }
}

/// Deliveries that may touch the same rows land on the same writer.
fn shard_of(job: &Job) -> usize {
    let mut hasher = DefaultHasher::new();
    match job
        .order
        .billing()
        .email()
        .and_then(|e| identity::Email::parse(e).ok())
    {
        Some(email) => email.normalized().hash(&mut hasher),
        None => (job.integration.id, job.order.id()).hash(&mut hasher),
    }
    usize::try_from(hasher.finish() % 1024).unwrap_or(0)
}

async fn writer(
    mut queue: mpsc::Receiver<Queued>,
    pool: database::Pool,
    config: Arc<Config>,
    max_batch: usize,
) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let context = Context {
            keys: &config.keys,
            public_base_url: &config.public_base_url,
        };
        let jobs: Vec<&Job> = batch.iter().map(|q| &q.job).collect();
        let result = apply_batch(&pool, context, &jobs).await;
        drop(jobs);
        match result {
            Ok(()) => {
                for queued in batch {
                    let _ = queued.reply.send(Ok(()));
                }
            }
            Err(error) if batch.len() == 1 => {
                if let Some(queued) = batch.pop() {
                    let _ = queued.reply.send(Err(error));
                }
            }
            Err(error) => {
                tracing::warn!(
                    deliveries = batch.len(),
                    error = %error,
                    "a batch of deliveries failed; applying each on its own"
                );
                for queued in batch {
                    let result = apply_batch(&pool, context, &[&queued.job]).await;
                    let _ = queued.reply.send(result);
                }
            }
        }
    }
}
