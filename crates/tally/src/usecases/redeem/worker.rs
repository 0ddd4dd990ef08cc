//! The background worker that finishes redemptions whose store answer stayed unclear:
//! it claims a due pending redemption (`FOR UPDATE SKIP LOCKED`, leased, so several
//! server processes never take the same one at once) and resumes its saga — a lookup
//! first, then the coupon is created if absent, or the points are given back.

use std::sync::Arc;

use database::redemptions;
use time::OffsetDateTime;
use woo_client::WooApi;

use super::drive::{self, Finished};
use crate::config::Config;

/// How long a claimed redemption is this worker's before another may take it.
pub const LEASE: time::Duration = time::Duration::minutes(2);

/// Finishes pending redemptions.
pub struct RedemptionWorker {
    pub pool: database::Pool,
    pub config: Arc<Config>,
    pub woo: Arc<dyn WooApi>,
}

impl std::fmt::Debug for RedemptionWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedemptionWorker").finish_non_exhaustive()
    }
}

impl RedemptionWorker {
    /// Claims and resumes one due redemption; `None` when nothing was due.
    pub async fn run_once(
        &self,
        now: OffsetDateTime,
    ) -> Result<Option<Finished>, database::DbError> {
        let claimed = {
            let mut conn = database::pool::get(&self.pool).await?;
            redemptions::claim_due(&mut conn, now, now + LEASE).await?
        };
        let Some(row) = claimed else {
            return Ok(None);
        };
        let done = drive::resume(&self.pool, &self.config.keys, &*self.woo, row, now).await?;
        match &done {
            Finished::Issued(r) => tracing::info!(redemption = r.id, "pending redemption issued"),
            Finished::Reversed(r) => {
                tracing::info!(redemption = r.id, "pending redemption reversed")
            }
            Finished::Pending(r) => tracing::info!(redemption = r.id, "redemption still unclear"),
        }
        Ok(Some(done))
    }

    /// Runs until `stop`, sleeping `idle` when nothing is due; also drops idempotency
    /// keys older than a day.
    pub async fn run_forever(
        self,
        mut stop: tokio::sync::watch::Receiver<bool>,
        idle: std::time::Duration,
    ) {
        let mut last_sweep = OffsetDateTime::UNIX_EPOCH;
        loop {
            let now = OffsetDateTime::now_utc();
            let worked = match self.run_once(now).await {
                Ok(done) => done.is_some(),
                Err(e) => {
                    tracing::error!(error = %e, "redemption worker failed");
                    false
                }
            };
            if now - last_sweep > time::Duration::hours(1) {
                last_sweep = now;
                if let Err(e) = self.sweep(now).await {
                    tracing::warn!(error = %e, "could not drop old idempotency keys");
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

    async fn sweep(&self, now: OffsetDateTime) -> Result<(), database::DbError> {
        let mut conn = database::pool::get(&self.pool).await?;
        database::idempotency::delete_before(&mut conn, now - time::Duration::days(1)).await?;
        Ok(())
    }
}
