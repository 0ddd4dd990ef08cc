//! Redemptions: points held for a store coupon, and the issuance saga that finishes them.
//!
//! A redemption is inserted with its hold (a `redemption` entry) in one transaction; the
//! saga is saved after every step with a compare-and-swap on `saga_version`, so of two
//! processes driving the same redemption only one moves it on. Pending redemptions whose
//! `next_attempt_at` has passed are claimed by the background worker with
//! `FOR UPDATE SKIP LOCKED`.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::{Date, OffsetDateTime};

use crate::schema::{redemptions, wallets};
use crate::DbError;

/// One redemption row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = redemptions, check_for_backend(diesel::pg::Pg))]
pub struct Redemption {
    pub partner_id: i64,
    pub id: i64,
    pub integration_id: i64,
    pub wallet_id: i64,
    pub points: i64,
    pub amount: BigDecimal,
    pub currency: String,
    /// Upper case, as shown.
    pub code: String,
    /// `pending`, `issued` or `reversed`.
    pub status: String,
    pub coupon_id: Option<i64>,
    pub expires_on: Date,
    pub requested_by: String,
    pub partner_user_id: Option<i64>,
    pub idempotency_key: String,
    pub attempts: i32,
    pub next_attempt_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub saga: serde_json::Value,
    pub saga_version: i32,
    pub issued_at: Option<OffsetDateTime>,
}

/// A redemption to record (status `pending`, saga version 0).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = redemptions)]
pub struct NewRedemption<'a> {
    pub partner_id: i64,
    pub integration_id: i64,
    pub wallet_id: i64,
    pub points: i64,
    pub amount: &'a BigDecimal,
    pub currency: &'a str,
    pub code: &'a str,
    pub expires_on: Date,
    /// `member` or `partner`.
    pub requested_by: &'a str,
    pub partner_user_id: Option<i64>,
    pub idempotency_key: &'a str,
    pub saga: &'a serde_json::Value,
    /// Until then the worker leaves it to the request that created it.
    pub next_attempt_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

/// The saga after a step, saved only if nobody else saved since `expected_version`.
#[derive(Debug, Clone)]
pub struct SagaUpdate<'a> {
    pub partner_id: i64,
    pub id: i64,
    pub expected_version: i32,
    pub saga: &'a serde_json::Value,
    /// The code the saga uses now (a duplicate code brings a new one).
    pub code: &'a str,
    /// `pending`, `issued` or `reversed`.
    pub status: &'a str,
    pub coupon_id: Option<i64>,
    pub attempts: i32,
    pub next_attempt_at: Option<OffsetDateTime>,
    pub last_error: Option<&'a str>,
    pub issued_at: Option<OffsetDateTime>,
}

/// Inserts `new`, or returns the redemption already recorded under its idempotency key
/// (`true` when it was inserted now). Call inside the transaction that posts the hold.
pub async fn insert_or_find(
    conn: &mut AsyncPgConnection,
    new: &NewRedemption<'_>,
) -> Result<(Redemption, bool), DbError> {
    let inserted = diesel::insert_into(redemptions::table)
        .values(new)
        .on_conflict((redemptions::partner_id, redemptions::idempotency_key))
        .do_nothing()
        .returning(Redemption::as_returning())
        .get_result(conn)
        .await
        .optional()?;
    if let Some(r) = inserted {
        return Ok((r, true));
    }
    let existing = find_by_key(conn, new.partner_id, new.idempotency_key)
        .await?
        .ok_or(DbError::NotFound("redemption"))?;
    Ok((existing, false))
}

pub async fn find_by_key(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    key: &str,
) -> Result<Option<Redemption>, DbError> {
    Ok(redemptions::table
        .filter(redemptions::partner_id.eq(partner_id))
        .filter(redemptions::idempotency_key.eq(key))
        .select(Redemption::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<Redemption>, DbError> {
    Ok(redemptions::table
        .find((partner_id, id))
        .select(Redemption::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Saves a saga step and returns the saved row; `None` when another process saved first
/// (it owns the step now).
pub async fn save_saga(
    conn: &mut AsyncPgConnection,
    update: &SagaUpdate<'_>,
) -> Result<Option<Redemption>, DbError> {
    Ok(diesel::update(
        redemptions::table
            .find((update.partner_id, update.id))
            .filter(redemptions::saga_version.eq(update.expected_version))
            .filter(redemptions::status.eq("pending")),
    )
    .set((
        redemptions::saga.eq(update.saga),
        redemptions::saga_version.eq(update.expected_version + 1),
        redemptions::code.eq(update.code),
        redemptions::status.eq(update.status),
        redemptions::coupon_id.eq(update.coupon_id),
        redemptions::attempts.eq(update.attempts),
        redemptions::next_attempt_at.eq(update.next_attempt_at),
        redemptions::last_error.eq(update.last_error),
        redemptions::issued_at.eq(update.issued_at),
    ))
    .returning(Redemption::as_returning())
    .get_result(conn)
    .await
    .optional()?)
}

/// Claims the pending redemption due longest ago (another process's claim is skipped)
/// and leases it until `lease_until`.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    now: OffsetDateTime,
    lease_until: OffsetDateTime,
) -> Result<Option<Redemption>, DbError> {
    use diesel::sql_types::Timestamptz;
    // One statement: the row is locked from the pick to the lease.
    let claimed: Option<(i64, i64)> = diesel::sql_query(
        "UPDATE redemptions SET next_attempt_at = $2 \
         WHERE (partner_id, id) = ( \
           SELECT partner_id, id FROM redemptions \
           WHERE status = 'pending' AND next_attempt_at <= $1 \
           ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING partner_id, id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(lease_until)
    .get_result::<DueRow>(conn)
    .await
    .optional()?
    .map(|r| (r.partner_id, r.id));
    match claimed {
        Some((partner_id, id)) => find(conn, partner_id, id).await,
        None => Ok(None),
    }
}

#[derive(QueryableByName)]
struct DueRow {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    partner_id: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// A member's redemptions across partners, newest first (their coupons).
pub async fn of_member(
    conn: &mut AsyncPgConnection,
    member_id: i64,
    limit: i64,
) -> Result<Vec<Redemption>, DbError> {
    Ok(redemptions::table
        .inner_join(
            wallets::table.on(wallets::partner_id
                .eq(redemptions::partner_id)
                .and(wallets::id.eq(redemptions::wallet_id))),
        )
        .filter(wallets::member_id.eq(member_id))
        .order((redemptions::created_at.desc(), redemptions::id.desc()))
        .limit(limit)
        .select(Redemption::as_select())
        .load(conn)
        .await?)
}

/// How many redemptions are pending (for the worker's log and the tests).
pub async fn count_pending(conn: &mut AsyncPgConnection) -> Result<i64, DbError> {
    Ok(redemptions::table
        .filter(redemptions::status.eq("pending"))
        .count()
        .get_result(conn)
        .await?)
}

/// Makes every pending redemption due at `now` (tests: no waiting out a lease).
#[cfg(feature = "testing")]
pub async fn make_due_for_tests(
    conn: &mut AsyncPgConnection,
    now: OffsetDateTime,
) -> Result<usize, DbError> {
    Ok(
        diesel::update(redemptions::table.filter(redemptions::status.eq("pending")))
            .set(redemptions::next_attempt_at.eq(now))
            .execute(conn)
            .await?,
    )
}
