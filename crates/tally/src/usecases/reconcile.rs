//! Reconciliation (SPEC §3.3 item 10): WooCommerce never retries a failed delivery, so
//! Tally also reads each store's orders modified since its watermark (minus a small
//! overlap) and runs every one through the same decision as a delivery. A page and the
//! watermark it moves commit together. Paused time is never back-filled (resuming moves
//! the watermark to the moment of resuming). "Check for missed orders" runs the same
//! pass over the last 7 days on request, with its progress and a summary.

use std::sync::Arc;

use database::integrations::{self, Integration, Settings};
use database::receipts::{self, NewReceipt};
use database::reconcile::{self, Run, Tally};
use database::{DbError, ScopedFutureExt};
use secrecy::ExposeSecret;
use time::{Duration, OffsetDateTime};
use woo_client::{ClientError, Credentials, OrderQuery, RawOrder, StoreUrl, WooApi};

use super::orders::{self, OrderContext, Outcome};
use super::secrets::{integration_aad, IntegrationSecret};
use crate::config::Config;

use database::reconcile::OVERLAP;
/// How far back "Check for missed orders" looks.
pub const CHECK_WINDOW: Duration = Duration::days(7);
const PER_PAGE: u32 = 100;
const RUN_LEASE: Duration = Duration::minutes(5);
/// How often each automatic webhook is read back from its store.
pub const HEALTH_INTERVAL: Duration = Duration::minutes(10);

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Order(#[from] orders::OrderError),
    #[error("the store could not be read: {0}")]
    Store(#[from] ClientError),
    #[error("the stored credentials cannot be read: {0}")]
    Credentials(String),
    #[error("the integration is {0}")]
    NotActive(String),
}

/// Reconciles stores; any number of these may run, in any process.
pub struct Reconciler {
    pub pool: database::Pool,
    pub config: Arc<Config>,
    pub woo: Arc<dyn WooApi>,
}

impl std::fmt::Debug for Reconciler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reconciler").finish_non_exhaustive()
    }
}

impl Reconciler {
    fn store_access(
        &self,
        integration: &Integration,
    ) -> Result<(StoreUrl, Credentials), ReconcileError> {
        let open = |blob: &Option<Vec<u8>>, which| {
            let blob = blob
                .as_deref()
                .ok_or_else(|| ReconcileError::Credentials("missing".into()))?;
            self.config
                .keys
                .decrypt_string(blob, &integration_aad(&integration.public_id, which))
                .map_err(|e| ReconcileError::Credentials(e.to_string()))
        };
        let key = open(
            &integration.consumer_key_enc,
            IntegrationSecret::ConsumerKey,
        )?;
        let secret = open(
            &integration.consumer_secret_enc,
            IntegrationSecret::ConsumerSecret,
        )?;
        let url = StoreUrl::parse(&integration.store_url)
            .map_err(|e| ReconcileError::Credentials(e.to_string()))?;
        Ok((
            url,
            Credentials::new(key.expose_secret(), secret.expose_secret()),
        ))
    }

    /// Runs one page of orders through the decision in one transaction; returns what it
    /// found and the newest modification time seen.
    async fn apply_page(
        &self,
        integration: &Integration,
        settings: &Settings,
        orders_page: &[RawOrder],
        now: OffsetDateTime,
    ) -> Result<(Tally, Option<OffsetDateTime>), ReconcileError> {
        let ctx = OrderContext {
            integration,
            settings,
            keys: &self.config.keys,
            public_base_url: &self.config.public_base_url,
            now,
        };
        database::transaction(&self.pool, |conn| {
            async move {
                let mut tally = Tally::default();
                let mut newest: Option<OffsetDateTime> = None;
                for raw in orders_page {
                    tally.orders_seen += 1;
                    let order = match webhook::parse(raw.as_bytes()) {
                        Ok(webhook::Payload::Order(order)) => order,
                        _ => {
                            tally.failed += 1;
                            continue;
                        }
                    };
                    if let Some(modified) = order.date_modified_gmt_parsed() {
                        let at = modified.assume_utc();
                        newest = Some(newest.map_or(at, |n: OffsetDateTime| n.max(at)));
                    }
                    let decision = orders::apply(conn, &ctx, &order).await?;
                    match decision.outcome {
                        Outcome::Processed => tally.awarded += 1,
                        Outcome::Ignored if decision.already_recorded => {
                            tally.already_processed += 1
                        }
                        Outcome::Ignored => tally.ignored += 1,
                        Outcome::Skipped => tally.skipped += 1,
                        Outcome::Failed => tally.failed += 1,
                    }
                    if decision.outcome == Outcome::Processed {
                        receipts::insert(
                            conn,
                            &NewReceipt {
                                partner_id: integration.partner_id,
                                integration_id: integration.id,
                                delivery_id: None,
                                webhook_id: None,
                                topic: Some("reconciliation".into()),
                                order_id: Some(order.id().to_string()),
                                order_status: Some(order.status().as_str().to_owned()),
                                total: order.total().parse().ok(),
                                currency: Some(order.currency().to_owned()),
                                email_hash: order
                                    .billing()
                                    .email()
                                    .and_then(|e| identity::Email::parse(e).ok())
                                    .and_then(|e| ctx.keys.email_hash(&e).ok()),
                                outcome: "processed".into(),
                                reason: format!(
                                    "Found by reconciliation (no delivery had recorded it). {}",
                                    decision.reason
                                ),
                                points: decision.points,
                                http_status: 200,
                                received_at: now,
                                processing_ms: 0,
                            },
                        )
                        .await?;
                    }
                }
                Ok::<_, ReconcileError>((tally, newest))
            }
            .scope_boxed()
        })
        .await
    }

    async fn load(
        &self,
        partner_id: i64,
        id: i64,
    ) -> Result<(Integration, Settings), ReconcileError> {
        let mut conn = database::pool::get(&self.pool).await?;
        integrations::find(&mut conn, partner_id, id)
            .await?
            .ok_or(DbError::NotFound("integration").into())
    }

    /// The periodic pass: reconciles one due integration; false when none was due.
    pub async fn reconcile_next(&self, now: OffsetDateTime) -> Result<bool, ReconcileError> {
        let mut conn = database::pool::get(&self.pool).await?;
        let Some((partner_id, id)) =
            reconcile::claim_due_integration(&mut conn, now, now - self.interval()).await?
        else {
            return Ok(false);
        };
        drop(conn);
        let (integration, settings) = self.load(partner_id, id).await?;
        let (store, credentials) = self.store_access(&integration)?;
        let start = integration
            .reconcile_watermark
            .unwrap_or(integration.created_at)
            - OVERLAP;
        let mut page = 1;
        loop {
            let query = OrderQuery {
                modified_after: Some(start),
                page,
                per_page: PER_PAGE,
            };
            let found = self.woo.list_orders(&store, &credentials, &query).await?;
            let (_, newest) = self
                .apply_page(&integration, &settings, &found.orders, now)
                .await?;
            if let Some(newest) = newest {
                let mut conn = database::pool::get(&self.pool).await?;
                reconcile::advance_watermark(&mut conn, partner_id, id, newest.min(now)).await?;
            }
            if !found.has_more(PER_PAGE) {
                return Ok(true);
            }
            page += 1;
        }
    }

    fn interval(&self) -> Duration {
        Duration::try_from(self.config.reconcile_interval).unwrap_or(Duration::minutes(10))
    }

    /// Works on one requested "Check for missed orders" run; false when none is waiting.
    pub async fn run_next_requested(&self, now: OffsetDateTime) -> Result<bool, ReconcileError> {
        let mut conn = database::pool::get(&self.pool).await?;
        let Some(run) = reconcile::claim_run(&mut conn, now, RUN_LEASE).await? else {
            return Ok(false);
        };
        drop(conn);
        let outcome = self.run(&run, now).await;
        let mut conn = database::pool::get(&self.pool).await?;
        let error = outcome.as_ref().err().map(ToString::to_string);
        reconcile::finish_run(
            &mut conn,
            &run,
            error.as_deref(),
            OffsetDateTime::now_utc().max(now),
        )
        .await?;
        Ok(true)
    }

    async fn run(&self, run: &Run, now: OffsetDateTime) -> Result<(), ReconcileError> {
        let (integration, settings) = self.load(run.partner_id, run.integration_id).await?;
        if integration.status != "active" {
            return Err(ReconcileError::NotActive(integration.status));
        }
        let (store, credentials) = self.store_access(&integration)?;
        let mut page = 1;
        loop {
            let query = OrderQuery {
                modified_after: Some(run.modified_after),
                page,
                per_page: PER_PAGE,
            };
            let found = self.woo.list_orders(&store, &credentials, &query).await?;
            let (tally, _) = self
                .apply_page(&integration, &settings, &found.orders, now)
                .await?;
            let mut conn = database::pool::get(&self.pool).await?;
            reconcile::add_page(
                &mut conn,
                run,
                &tally,
                OffsetDateTime::now_utc() + RUN_LEASE,
            )
            .await?;
            if !found.has_more(PER_PAGE) {
                return Ok(());
            }
            page += 1;
        }
    }

    /// Checks the webhook of one automatic integration not checked in 10 minutes.
    pub async fn check_next_health(&self, now: OffsetDateTime) -> Result<bool, ReconcileError> {
        let mut conn = database::pool::get(&self.pool).await?;
        let Some((partner_id, id)) =
            database::webhook_health::claim_health_check(&mut conn, now, now - HEALTH_INTERVAL)
                .await?
        else {
            return Ok(false);
        };
        drop(conn);
        let (integration, _) = self.load(partner_id, id).await?;
        super::integration::check_health(
            &self.pool,
            &self.config.keys,
            self.woo.as_ref(),
            &integration,
            now,
        )
        .await
        .map_err(|e| ReconcileError::Credentials(e.to_string()))?;
        Ok(true)
    }

    /// Runs until `stop`: requested runs first, then due integrations, then a pause.
    pub async fn run_forever(
        self,
        mut stop: tokio::sync::watch::Receiver<bool>,
        idle: std::time::Duration,
    ) {
        loop {
            let now = OffsetDateTime::now_utc();
            let mut worked = false;
            match self.run_next_requested(now).await {
                Ok(did) => worked |= did,
                Err(e) => tracing::error!(error = %e, "reconciliation run failed"),
            }
            match self.reconcile_next(now).await {
                Ok(did) => worked |= did,
                Err(e) => {
                    tracing::warn!(error = %e, "reconciliation pass failed; the store is tried again next interval")
                }
            }
            if *stop.borrow() {
                return;
            }
            if !worked {
                tokio::select! {
                    _ = tokio::time::sleep(idle) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// Queues "Check for missed orders" over the last 7 days (or since the store was
/// connected, with the usual overlap, if later).
pub async fn request_check(
    pool: &database::Pool,
    integration: &Integration,
    requested_by: Option<i64>,
    now: OffsetDateTime,
) -> Result<Run, ReconcileError> {
    let from = (now - CHECK_WINDOW).max(integration.created_at - OVERLAP);
    let mut conn = database::pool::get(pool).await?;
    Ok(reconcile::request_run(
        &mut conn,
        integration.partner_id,
        integration.id,
        from,
        requested_by,
        now,
    )
    .await?)
}
