//! Reconciliation bookkeeping: which integration is due for its periodic pass (claimed
//! with `SKIP LOCKED`, so several processes share the work), its watermark, and the runs
//! of "Check for missed orders".

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::{woo_integrations, woo_reconcile_runs};
use crate::DbError;

/// How far before its watermark each periodic pass starts reading again, so a change
/// committed at the same moment as the previous pass is not missed.
pub const OVERLAP: time::Duration = time::Duration::minutes(2);

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = BigInt)]
    partner_id: i64,
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claims one active integration whose last pass started before `due_before`, marking it
/// as started now; `None` when nothing is due (or all due ones are being worked on).
pub async fn claim_due_integration(
    conn: &mut AsyncPgConnection,
    now: OffsetDateTime,
    due_before: OffsetDateTime,
) -> Result<Option<(i64, i64)>, DbError> {
    let claimed = diesel::sql_query(
        "UPDATE woo_integrations SET last_reconciled_at = $1 \
         WHERE (partner_id, id) = ( \
           SELECT partner_id, id FROM woo_integrations \
           WHERE status = 'active' AND (last_reconciled_at IS NULL OR last_reconciled_at < $2) \
           ORDER BY last_reconciled_at NULLS FIRST LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING partner_id, id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(due_before)
    .get_result::<Claimed>(conn)
    .await
    .optional()?;
    Ok(claimed.map(|c| (c.partner_id, c.id)))
}

/// Moves the watermark forward (never back).
pub async fn advance_watermark(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    watermark: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(woo_integrations::table.find((partner_id, id)))
        .filter(
            woo_integrations::reconcile_watermark
                .is_null()
                .or(woo_integrations::reconcile_watermark.lt(watermark)),
        )
        .set(woo_integrations::reconcile_watermark.eq(watermark))
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = woo_reconcile_runs, check_for_backend(diesel::pg::Pg))]
pub struct Run {
    pub partner_id: i64,
    pub id: i64,
    pub integration_id: i64,
    pub modified_after: OffsetDateTime,
    pub status: String,
    pub pages_read: i32,
    pub orders_seen: i32,
    pub awarded: i32,
    pub already_processed: i32,
    pub ignored: i32,
    pub skipped: i32,
    pub failed: i32,
    pub error: Option<String>,
    pub requested_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    pub lease_until: Option<OffsetDateTime>,
}

/// Queues a run over orders modified after `modified_after`; an unfinished run of the
/// same integration is returned instead of starting a second one.
pub async fn request_run(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    modified_after: OffsetDateTime,
    requested_by: Option<i64>,
    now: OffsetDateTime,
) -> Result<Run, DbError> {
    if let Some(open) = woo_reconcile_runs::table
        .filter(woo_reconcile_runs::partner_id.eq(partner_id))
        .filter(woo_reconcile_runs::integration_id.eq(integration_id))
        .filter(woo_reconcile_runs::status.eq_any(["queued", "running"]))
        .select(Run::as_select())
        .first(conn)
        .await
        .optional()?
    {
        return Ok(open);
    }
    Ok(diesel::insert_into(woo_reconcile_runs::table)
        .values((
            woo_reconcile_runs::partner_id.eq(partner_id),
            woo_reconcile_runs::integration_id.eq(integration_id),
            woo_reconcile_runs::modified_after.eq(modified_after),
            woo_reconcile_runs::requested_by.eq(requested_by),
            woo_reconcile_runs::created_at.eq(now),
        ))
        .returning(Run::as_returning())
        .get_result(conn)
        .await?)
}

/// Claims a queued run, or a running one whose worker stopped renewing its lease.
pub async fn claim_run(
    conn: &mut AsyncPgConnection,
    now: OffsetDateTime,
    lease: time::Duration,
) -> Result<Option<Run>, DbError> {
    let claimed = diesel::sql_query(
        "UPDATE woo_reconcile_runs SET status = 'running', started_at = COALESCE(started_at, $1), lease_until = $2 \
         WHERE (partner_id, id) = ( \
           SELECT partner_id, id FROM woo_reconcile_runs \
           WHERE status = 'queued' OR (status = 'running' AND lease_until < $1) \
           ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING partner_id, id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(now + lease)
    .get_result::<Claimed>(conn)
    .await
    .optional()?;
    match claimed {
        Some(c) => find_run(conn, c.partner_id, c.id).await,
        None => Ok(None),
    }
}

pub async fn find_run(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<Run>, DbError> {
    Ok(woo_reconcile_runs::table
        .find((partner_id, id))
        .select(Run::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The newest run of an integration.
pub async fn latest_run(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
) -> Result<Option<Run>, DbError> {
    Ok(woo_reconcile_runs::table
        .filter(woo_reconcile_runs::partner_id.eq(partner_id))
        .filter(woo_reconcile_runs::integration_id.eq(integration_id))
        .order(woo_reconcile_runs::created_at.desc())
        .select(Run::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// What a page added to a run's tallies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub orders_seen: i32,
    pub awarded: i32,
    pub already_processed: i32,
    pub ignored: i32,
    pub skipped: i32,
    pub failed: i32,
}

/// Adds a page's tallies and renews the lease.
pub async fn add_page(
    conn: &mut AsyncPgConnection,
    run: &Run,
    tally: &Tally,
    lease_until: OffsetDateTime,
) -> Result<(), DbError> {
    use woo_reconcile_runs::dsl as r;
    diesel::update(woo_reconcile_runs::table.find((run.partner_id, run.id)))
        .set((
            r::pages_read.eq(r::pages_read + 1),
            r::orders_seen.eq(r::orders_seen + tally.orders_seen),
            r::awarded.eq(r::awarded + tally.awarded),
            r::already_processed.eq(r::already_processed + tally.already_processed),
            r::ignored.eq(r::ignored + tally.ignored),
            r::skipped.eq(r::skipped + tally.skipped),
            r::failed.eq(r::failed + tally.failed),
            r::lease_until.eq(lease_until),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn finish_run(
    conn: &mut AsyncPgConnection,
    run: &Run,
    error: Option<&str>,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    use woo_reconcile_runs::dsl as r;
    diesel::update(woo_reconcile_runs::table.find((run.partner_id, run.id)))
        .set((
            r::status.eq(if error.is_some() { "failed" } else { "done" }),
            r::error.eq(error),
            r::finished_at.eq(now),
            r::lease_until.eq(None::<OffsetDateTime>),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
