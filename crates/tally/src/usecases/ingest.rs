//! Group commit for webhook deliveries (SPEC §10): the signed, parsed deliveries that
//! arrive together are applied in one transaction — their orders locked in one statement,
//! their awards and their members looked up in one statement each, each store's card and
//! partner read once, their emails and their receipts written in one statement each — and
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
use database::{awards, members, outbox, ScopedFutureExt};
use identity::KeyRing;
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::deliveries::DeliveryError;
use super::orders::batch::{self, Candidate};
use super::orders::{self, Known, OrderContext, OrderError, Store};
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

/// What a committed batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// Deliveries of new orders awarded together, in the batch's multi-row statements.
    pub together: usize,
}

/// Applies `jobs` in one transaction on a connection of `pool`; `Ok` once it committed.
pub async fn apply_batch(
    pool: &database::Pool,
    context: Context<'_>,
    jobs: &[&Job],
) -> Result<Applied, DeliveryError> {
    let emails: Vec<Option<String>> = jobs.iter().map(|job| billing_email(job)).collect();
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
            let emails = &emails;
            let mut wanted: Vec<&str> = emails.iter().flatten().map(String::as_str).collect();
            wanted.sort_unstable();
            wanted.dedup();
            let mut in_batch: Vec<&Integration> = Vec::new();
            for job in jobs {
                if !in_batch.iter().any(|i| i.id == job.integration.id) {
                    in_batch.push(&job.integration);
                }
            }
            // Independent reads, sent together (pipelined on the connection).
            let shared: &database::Connection = conn;
            let (found_awards, found_members, loaded) = futures_util::try_join!(
                async { Ok::<_, DeliveryError>(awards::find_many(shared, &keys).await?) },
                async { Ok(members::find_many_by_email(shared, &wanted).await?) },
                async {
                    Ok(futures_util::future::try_join_all(
                        in_batch.iter().map(|i| Store::load(shared, i)),
                    )
                    .await?)
                },
            )?;
            let stores: Vec<(i64, Store)> = in_batch.iter().map(|i| i.id).zip(loaded).collect();
            let store_of = |job: &Job| {
                stores
                    .iter()
                    .find(|(id, _)| *id == job.integration.id)
                    .map(|(_, store)| store)
            };
            let contexts: Vec<OrderContext<'_>> = jobs
                .iter()
                .map(|job| OrderContext {
                    integration: &job.integration,
                    settings: &job.settings,
                    keys: context.keys,
                    public_base_url: context.public_base_url,
                    now: job.now,
                })
                .collect();
            // What the batch read holds only until an earlier delivery of the same order
            // or member in it wrote: those look again.
            let knowns: Vec<Known> = (0..jobs.len())
                .map(|i| Known {
                    award: (!keys[..i].contains(&keys[i])).then(|| {
                        found_awards
                            .iter()
                            .find(|a| {
                                (a.partner_id, a.integration_id, a.order_id.as_str()) == keys[i]
                            })
                            .cloned()
                    }),
                    member: emails[i]
                        .as_ref()
                        .filter(|email| !emails[..i].iter().flatten().any(|e| e == *email))
                        .map(|email| {
                            found_members
                                .iter()
                                .find(|m| &m.email_normalized == email)
                                .cloned()
                        }),
                })
                .collect();
            let mut decisions: Vec<Option<orders::Decision>> = vec![None; jobs.len()];
            // New orders are awarded together, in a few statements for all; a lone
            // delivery (and every delivery of a batch that failed) takes the
            // one-at-a-time path.
            // They are written before the others, so none may come after a delivery that
            // can touch any wallet: one of an order awarded before (a refund takes back
            // from the award's wallet, whatever the order's email says now).
            let mut together: Vec<usize> = Vec::new();
            for i in (0..jobs.len()).filter(|_| jobs.len() > 1) {
                if batch::fits(&contexts[i], &jobs[i].order, &knowns[i]) {
                    together.push(i);
                } else if !matches!(knowns[i].award, Some(None)) {
                    break;
                }
            }
            if !together.is_empty() {
                let mut candidates = Vec::with_capacity(together.len());
                for &i in &together {
                    candidates.push(Candidate {
                        ctx: &contexts[i],
                        store: store_of(jobs[i]).ok_or(missing_store())?,
                        order: &jobs[i].order,
                        member: knowns[i].member.clone().flatten(),
                    });
                }
                let decided = batch::award_many(conn, &candidates).await?;
                for (&i, decision) in together.iter().zip(decided) {
                    decisions[i] = Some(decision);
                }
            }
            let mut written = Vec::with_capacity(jobs.len());
            let mut queued = Vec::new();
            for (i, job) in jobs.iter().enumerate() {
                let mut decision = match decisions[i].take() {
                    Some(decision) => decision,
                    None => {
                        let store = store_of(job).ok_or(missing_store())?;
                        orders::apply_locked(
                            conn,
                            &contexts[i],
                            store,
                            &job.order,
                            knowns[i].clone(),
                        )
                        .await?
                    }
                };
                queued.extend(decision.email.take());
                let mut receipt = job.receipt.clone();
                receipt.outcome = decision.outcome.as_str().into();
                receipt.reason = decision.reason;
                receipt.points = decision.points;
                receipt.processing_ms =
                    i32::try_from(job.started.elapsed().as_millis()).unwrap_or(i32::MAX);
                written.push(receipt);
            }
            let mut touched: Vec<&Job> = Vec::new();
            for job in jobs {
                if integrations::last_delivery_stale(&job.integration, job.now)
                    && !touched
                        .iter()
                        .any(|t| t.integration.id == job.integration.id)
                {
                    touched.push(job);
                }
            }
            // The batch's writes that need nothing from each other, sent together.
            let shared: &database::Connection = conn;
            futures_util::try_join!(
                outbox::enqueue_many(shared, &queued),
                receipts::insert_many(shared, &written),
                futures_util::future::try_join_all(touched.iter().map(|job| {
                    integrations::touch_last_delivery(
                        shared,
                        job.integration.partner_id,
                        job.integration.id,
                        job.now,
                    )
                })),
            )?;
            Ok::<_, DeliveryError>(Applied {
                together: together.len(),
            })
        }
        .scope_boxed()
    })
    .await
}

fn missing_store() -> DeliveryError {
    DeliveryError::Order(OrderError::Internal(
        "the batch did not load this store".into(),
    ))
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

/// The billing email, normalized as members are found by it.
fn billing_email(job: &Job) -> Option<String> {
    job.order
        .billing()
        .email()
        .and_then(|e| identity::Email::parse(e).ok())
        .map(|e| e.normalized().to_owned())
}

/// Deliveries that may touch the same rows land on the same writer.
fn shard_of(job: &Job) -> usize {
    let mut hasher = DefaultHasher::new();
    match billing_email(job) {
        Some(email) => email.hash(&mut hasher),
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
            Ok(applied) => {
                tracing::debug!(
                    deliveries = batch.len(),
                    together = applied.together,
                    "batch committed"
                );
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
                    let _ = queued.reply.send(result.map(|_| ()));
                }
            }
        }
    }
}
