//! Receipts: Tally's record of every webhook delivery to a known integration, and the
//! per-minute counters that stand in for them when unsigned traffic floods in.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::prepared::Prepared;
use crate::schema::{woo_receipt_counts, woo_receipts};
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = woo_receipts, check_for_backend(diesel::pg::Pg))]
pub struct Receipt {
    pub partner_id: i64,
    pub id: i64,
    pub integration_id: i64,
    pub delivery_id: Option<String>,
    pub webhook_id: Option<i64>,
    pub topic: Option<String>,
    pub order_id: Option<String>,
    pub order_status: Option<String>,
    pub total: Option<BigDecimal>,
    pub currency: Option<String>,
    pub email_hash: Option<Vec<u8>>,
    pub outcome: String,
    pub reason: String,
    pub points: i64,
    pub http_status: i32,
    pub received_at: OffsetDateTime,
    pub processing_ms: i32,
}

#[derive(Debug, Clone)]
pub struct NewReceipt {
    pub partner_id: i64,
    pub integration_id: i64,
    pub delivery_id: Option<String>,
    pub webhook_id: Option<i64>,
    pub topic: Option<String>,
    pub order_id: Option<String>,
    pub order_status: Option<String>,
    pub total: Option<BigDecimal>,
    pub currency: Option<String>,
    pub email_hash: Option<Vec<u8>>,
    pub outcome: String,
    pub reason: String,
    pub points: i64,
    pub http_status: i32,
    pub received_at: OffsetDateTime,
    pub processing_ms: i32,
}

type ReceiptRow<'a> = (
    diesel::dsl::Eq<woo_receipts::partner_id, i64>,
    diesel::dsl::Eq<woo_receipts::integration_id, i64>,
    diesel::dsl::Eq<woo_receipts::delivery_id, &'a Option<String>>,
    diesel::dsl::Eq<woo_receipts::webhook_id, Option<i64>>,
    diesel::dsl::Eq<woo_receipts::topic, &'a Option<String>>,
    diesel::dsl::Eq<woo_receipts::order_id, &'a Option<String>>,
    diesel::dsl::Eq<woo_receipts::order_status, &'a Option<String>>,
    diesel::dsl::Eq<woo_receipts::total, &'a Option<BigDecimal>>,
    diesel::dsl::Eq<woo_receipts::currency, &'a Option<String>>,
    diesel::dsl::Eq<woo_receipts::email_hash, &'a Option<Vec<u8>>>,
    diesel::dsl::Eq<woo_receipts::outcome, &'a String>,
    diesel::dsl::Eq<woo_receipts::reason, &'a String>,
    diesel::dsl::Eq<woo_receipts::points, i64>,
    diesel::dsl::Eq<woo_receipts::http_status, i32>,
    diesel::dsl::Eq<woo_receipts::received_at, OffsetDateTime>,
    diesel::dsl::Eq<woo_receipts::processing_ms, i32>,
);

// A tuple, not a derived Insertable: `None` binds NULL instead of writing DEFAULT, so the
// statement's text is always the same (and, for one row, diesel caches it prepared).
fn row(receipt: &NewReceipt) -> ReceiptRow<'_> {
    (
        woo_receipts::partner_id.eq(receipt.partner_id),
        woo_receipts::integration_id.eq(receipt.integration_id),
        woo_receipts::delivery_id.eq(&receipt.delivery_id),
        woo_receipts::webhook_id.eq(receipt.webhook_id),
        woo_receipts::topic.eq(&receipt.topic),
        woo_receipts::order_id.eq(&receipt.order_id),
        woo_receipts::order_status.eq(&receipt.order_status),
        woo_receipts::total.eq(&receipt.total),
        woo_receipts::currency.eq(&receipt.currency),
        woo_receipts::email_hash.eq(&receipt.email_hash),
        woo_receipts::outcome.eq(&receipt.outcome),
        woo_receipts::reason.eq(&receipt.reason),
        woo_receipts::points.eq(receipt.points),
        woo_receipts::http_status.eq(receipt.http_status),
        woo_receipts::received_at.eq(receipt.received_at),
        woo_receipts::processing_ms.eq(receipt.processing_ms),
    )
}

pub async fn insert(conn: &AsyncPgConnection, receipt: &NewReceipt) -> Result<(), DbError> {
    let mut conn = conn;
    diesel::insert_into(woo_receipts::table)
        .values(row(receipt))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Several receipts in one statement (a batch of deliveries).
pub async fn insert_many(conn: &AsyncPgConnection, receipts: &[NewReceipt]) -> Result<(), DbError> {
    let mut conn = conn;
    match receipts {
        [] => Ok(()),
        [one] => insert(conn, one).await,
        many => {
            let rows: Vec<_> = many.iter().map(row).collect();
            // One text per number of rows (at most a batch's size).
            Prepared(diesel::insert_into(woo_receipts::table).values(rows))
                .execute(&mut conn)
                .await?;
            Ok(())
        }
    }
}

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    counted: i32,
}

/// Counts one unsigned delivery (a ping, a failed signature) for its minute; true when
/// it may still be stored as a receipt of its own (the first `per_minute` of the minute),
/// false when it is only counted.
pub async fn admit_unsigned(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    outcome: &str,
    reason: &str,
    now: OffsetDateTime,
    per_minute: i32,
) -> Result<bool, DbError> {
    let minute = now
        .replace_second(0)
        .unwrap_or(now)
        .replace_nanosecond(0)
        .unwrap_or(now);
    let row = diesel::sql_query(
        "INSERT INTO woo_receipt_counts (partner_id, integration_id, minute, outcome, reason, stored, counted) \
         VALUES ($1, $2, $3, $4, $5, 1, 0) \
         ON CONFLICT (partner_id, integration_id, minute, outcome, reason) DO UPDATE SET \
           stored = woo_receipt_counts.stored + (CASE WHEN woo_receipt_counts.stored < $6 THEN 1 ELSE 0 END), \
           counted = woo_receipt_counts.counted + (CASE WHEN woo_receipt_counts.stored < $6 THEN 0 ELSE 1 END) \
         RETURNING counted",
    )
    .bind::<BigInt, _>(partner_id)
    .bind::<BigInt, _>(integration_id)
    .bind::<Timestamptz, _>(minute)
    .bind::<Text, _>(outcome)
    .bind::<Text, _>(reason)
    .bind::<Integer, _>(per_minute)
    .get_result::<Counted>(conn)
    .await?;
    // Once anything was only counted in a minute, everything after it is too.
    Ok(row.counted == 0)
}

/// Deliveries by outcome since `since`, counted ones included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub processed: i64,
    pub ignored: i64,
    pub skipped: i64,
    pub failed: i64,
}

pub async fn counts_since(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    since: OffsetDateTime,
) -> Result<Counts, DbError> {
    let stored: Vec<(String, i64)> = woo_receipts::table
        .filter(woo_receipts::partner_id.eq(partner_id))
        .filter(woo_receipts::integration_id.eq(integration_id))
        .filter(woo_receipts::received_at.ge(since))
        .group_by(woo_receipts::outcome)
        .select((woo_receipts::outcome, diesel::dsl::count_star()))
        .load(conn)
        .await?;
    let counted: Vec<(String, Option<i64>)> = woo_receipt_counts::table
        .filter(woo_receipt_counts::partner_id.eq(partner_id))
        .filter(woo_receipt_counts::integration_id.eq(integration_id))
        .filter(woo_receipt_counts::minute.ge(since))
        .group_by(woo_receipt_counts::outcome)
        .select((
            woo_receipt_counts::outcome,
            diesel::dsl::sum(woo_receipt_counts::counted),
        ))
        .load(conn)
        .await?;
    let mut counts = Counts::default();
    let rows = stored
        .into_iter()
        .chain(counted.into_iter().map(|(o, n)| (o, n.unwrap_or(0))));
    for (outcome, n) in rows {
        match outcome.as_str() {
            "processed" => counts.processed += n,
            "ignored" => counts.ignored += n,
            "skipped" => counts.skipped += n,
            _ => counts.failed += n,
        }
    }
    Ok(counts)
}

/// The newest receipts (by id, so the cursor is stable), optionally of one outcome,
/// before the cursor (a receipt id).
pub async fn recent(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    outcome: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Receipt>, DbError> {
    let mut query = woo_receipts::table
        .filter(woo_receipts::partner_id.eq(partner_id))
        .filter(woo_receipts::integration_id.eq(integration_id))
        .into_boxed();
    if let Some(outcome) = outcome {
        query = query.filter(woo_receipts::outcome.eq(outcome.to_owned()));
    }
    if let Some(before) = before {
        query = query.filter(woo_receipts::id.lt(before));
    }
    Ok(query
        .order(woo_receipts::id.desc())
        .limit(limit)
        .select(Receipt::as_select())
        .load(conn)
        .await?)
}

/// The receipts of one order, newest first ("why did this order earn points?").
pub async fn of_order(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    order_id: &str,
) -> Result<Vec<Receipt>, DbError> {
    Ok(woo_receipts::table
        .filter(woo_receipts::partner_id.eq(partner_id))
        .filter(woo_receipts::integration_id.eq(integration_id))
        .filter(woo_receipts::order_id.eq(order_id))
        .order((woo_receipts::received_at.desc(), woo_receipts::id.desc()))
        .select(Receipt::as_select())
        .load(conn)
        .await?)
}
