//! WooCommerce integrations: one connected store per (club, store URL). Credentials and
//! the webhook secret are stored encrypted by the caller; this module stores bytes.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::{woo_integrations, woo_settings};
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = woo_integrations, check_for_backend(diesel::pg::Pg))]
pub struct Integration {
    pub partner_id: i64,
    pub id: i64,
    pub public_id: String,
    pub club_id: i64,
    pub card_id: i64,
    pub store_url: String,
    pub status: String,
    pub consumer_key_enc: Option<Vec<u8>>,
    pub consumer_secret_enc: Option<Vec<u8>>,
    pub webhook_secret_enc: Option<Vec<u8>>,
    pub webhook_mode: Option<String>,
    pub webhook_id: Option<i64>,
    pub store_currency: Option<String>,
    pub reconcile_watermark: Option<OffsetDateTime>,
    pub last_reconciled_at: Option<OffsetDateTime>,
    pub last_delivery_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
}

/// A new connection to a store, with its secrets already encrypted.
#[derive(Debug, Clone)]
pub struct NewIntegration<'a> {
    pub partner_id: i64,
    pub public_id: &'a str,
    pub club_id: i64,
    pub card_id: i64,
    pub store_url: &'a str,
    pub consumer_key_enc: &'a [u8],
    pub consumer_secret_enc: &'a [u8],
    pub webhook_secret_enc: &'a [u8],
    pub now: OffsetDateTime,
}

/// Creates the integration and its default settings. Call inside a transaction.
pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewIntegration<'_>,
) -> Result<Integration, DbError> {
    let integration: Integration = diesel::insert_into(woo_integrations::table)
        .values((
            woo_integrations::partner_id.eq(new.partner_id),
            woo_integrations::public_id.eq(new.public_id),
            woo_integrations::club_id.eq(new.club_id),
            woo_integrations::card_id.eq(new.card_id),
            woo_integrations::store_url.eq(new.store_url),
            woo_integrations::consumer_key_enc.eq(new.consumer_key_enc),
            woo_integrations::consumer_secret_enc.eq(new.consumer_secret_enc),
            woo_integrations::webhook_secret_enc.eq(new.webhook_secret_enc),
            woo_integrations::connected_at.eq(new.now),
            woo_integrations::created_at.eq(new.now),
            woo_integrations::updated_at.eq(new.now),
            woo_integrations::reconcile_watermark.eq(new.now),
        ))
        .returning(Integration::as_returning())
        .get_result(conn)
        .await?;
    diesel::insert_into(woo_settings::table)
        .values((
            woo_settings::partner_id.eq(integration.partner_id),
            woo_settings::integration_id.eq(integration.id),
            woo_settings::updated_at.eq(new.now),
        ))
        .execute(conn)
        .await?;
    Ok(integration)
}

/// The integration behind a webhook delivery URL, with its settings (any status).
pub async fn find_by_public_id(
    conn: &mut AsyncPgConnection,
    public_id: &str,
) -> Result<Option<(Integration, Settings)>, DbError> {
    Ok(woo_integrations::table
        .inner_join(
            woo_settings::table.on(woo_settings::partner_id
                .eq(woo_integrations::partner_id)
                .and(woo_settings::integration_id.eq(woo_integrations::id))),
        )
        .filter(woo_integrations::public_id.eq(public_id))
        .select((Integration::as_select(), Settings::as_select()))
        .first(conn)
        .await
        .optional()?)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<(Integration, Settings)>, DbError> {
    Ok(woo_integrations::table
        .inner_join(
            woo_settings::table.on(woo_settings::partner_id
                .eq(woo_integrations::partner_id)
                .and(woo_settings::integration_id.eq(woo_integrations::id))),
        )
        .filter(woo_integrations::partner_id.eq(partner_id))
        .filter(woo_integrations::id.eq(id))
        .select((Integration::as_select(), Settings::as_select()))
        .first(conn)
        .await
        .optional()?)
}

/// An integration's settings (SPEC §3.5).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = woo_settings, check_for_backend(diesel::pg::Pg))]
pub struct Settings {
    pub award_on: String,
    pub partial_refunds: String,
    pub email_language: String,
    pub discount_enabled: bool,
    pub value_per_point: bigdecimal::BigDecimal,
    pub min_points: i64,
    pub max_points: Option<i64>,
    pub code_prefix: String,
    pub valid_days: i32,
}

/// Changes settings (every field given).
pub async fn update_settings(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    settings: &Settings,
) -> Result<(), DbError> {
    diesel::update(woo_settings::table.find((partner_id, integration_id)))
        .set((
            woo_settings::award_on.eq(&settings.award_on),
            woo_settings::partial_refunds.eq(&settings.partial_refunds),
            woo_settings::email_language.eq(&settings.email_language),
            woo_settings::discount_enabled.eq(settings.discount_enabled),
            woo_settings::value_per_point.eq(&settings.value_per_point),
            woo_settings::min_points.eq(settings.min_points),
            woo_settings::max_points.eq(settings.max_points),
            woo_settings::code_prefix.eq(&settings.code_prefix),
            woo_settings::valid_days.eq(settings.valid_days),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Pauses or resumes. Resuming moves the reconciliation watermark so that the next pass
/// starts at `now` (past its overlap): orders placed while paused are not back-filled.
pub async fn set_status(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    status: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let query = diesel::update(woo_integrations::table.find((partner_id, id)));
    if status == "active" {
        query
            .set((
                woo_integrations::status.eq(status),
                woo_integrations::reconcile_watermark.eq(now + crate::reconcile::OVERLAP),
            ))
            .execute(conn)
            .await?;
    } else {
        query
            .set(woo_integrations::status.eq(status))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Notes that a delivery arrived, to the minute (the Overview shows "last delivery" at
/// minute precision): the first delivery of each minute writes, later ones in the same
/// minute leave the row alone, so deliveries do not queue on this one row's lock.
pub async fn touch_last_delivery(
    conn: &AsyncPgConnection,
    partner_id: i64,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let mut conn = conn;
    let minute = minute_of(now);
    diesel::update(woo_integrations::table.find((partner_id, id)))
        .filter(
            woo_integrations::last_delivery_at
                .is_null()
                .or(woo_integrations::last_delivery_at.lt(minute)),
        )
        .set(woo_integrations::last_delivery_at.eq(now))
        .execute(&mut conn)
        .await?;
    Ok(())
}

/// Whether [`touch_last_delivery`] would change anything, judged on the integration as
/// loaded: false when it already records a delivery in `now`'s minute.
pub fn last_delivery_stale(integration: &Integration, now: OffsetDateTime) -> bool {
    integration
        .last_delivery_at
        .is_none_or(|at| at < minute_of(now))
}

fn minute_of(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(t)
}

/// Every integration that still holds secrets (all partners: for key rotation).
pub async fn with_secrets(conn: &mut AsyncPgConnection) -> Result<Vec<Integration>, DbError> {
    Ok(woo_integrations::table
        .filter(
            woo_integrations::consumer_key_enc
                .is_not_null()
                .or(woo_integrations::consumer_secret_enc.is_not_null())
                .or(woo_integrations::webhook_secret_enc.is_not_null()),
        )
        .order((woo_integrations::partner_id, woo_integrations::id))
        .select(Integration::as_select())
        .load(conn)
        .await?)
}

/// Replaces the stored ciphertexts (after re-encryption under a new key).
pub async fn replace_secrets(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    secrets: [Option<&[u8]>; 3],
) -> Result<(), DbError> {
    let [key, secret, webhook] = secrets;
    diesel::update(woo_integrations::table.find((partner_id, id)))
        .set((
            woo_integrations::consumer_key_enc.eq(key),
            woo_integrations::consumer_secret_enc.eq(secret),
            woo_integrations::webhook_secret_enc.eq(webhook),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The club's integration for a store URL, in any status (reconnecting revives it).
pub async fn find_by_store(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    club_id: i64,
    store_url: &str,
) -> Result<Option<Integration>, DbError> {
    Ok(woo_integrations::table
        .filter(woo_integrations::partner_id.eq(partner_id))
        .filter(woo_integrations::club_id.eq(club_id))
        .filter(woo_integrations::store_url.eq(store_url))
        .select(Integration::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Brings a disconnected integration back with new credentials (same id, history and
/// settings).
pub async fn revive(
    conn: &mut AsyncPgConnection,
    existing: &Integration,
    new: &NewIntegration<'_>,
) -> Result<Integration, DbError> {
    Ok(
        diesel::update(woo_integrations::table.find((existing.partner_id, existing.id)))
            .set((
                woo_integrations::card_id.eq(new.card_id),
                woo_integrations::status.eq("active"),
                woo_integrations::consumer_key_enc.eq(new.consumer_key_enc),
                woo_integrations::consumer_secret_enc.eq(new.consumer_secret_enc),
                woo_integrations::webhook_secret_enc.eq(new.webhook_secret_enc),
                woo_integrations::webhook_mode.eq(None::<String>),
                woo_integrations::webhook_id.eq(None::<i64>),
                woo_integrations::webhook_health.eq("unknown"),
                woo_integrations::webhook_refusal.eq(None::<String>),
                woo_integrations::reconcile_watermark.eq(new.now),
                woo_integrations::connected_at.eq(new.now),
                woo_integrations::disconnected_at.eq(None::<OffsetDateTime>),
            ))
            .returning(Integration::as_returning())
            .get_result(conn)
            .await?,
    )
}

/// How the webhook ended up: created by Tally (automatic, with its id) or to be added by
/// hand (manual, with the store's reason).
pub async fn set_webhook(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    mode: &str,
    webhook_id: Option<i64>,
    refusal: Option<&str>,
    store_currency: Option<&str>,
) -> Result<(), DbError> {
    diesel::update(woo_integrations::table.find((partner_id, id)))
        .set((
            woo_integrations::webhook_mode.eq(mode),
            woo_integrations::webhook_id.eq(webhook_id),
            woo_integrations::webhook_refusal.eq(refusal),
            woo_integrations::store_currency.eq(store_currency),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The partner's integrations that are not disconnected.
pub async fn of_partner(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
) -> Result<Vec<Integration>, DbError> {
    Ok(woo_integrations::table
        .filter(woo_integrations::partner_id.eq(partner_id))
        .filter(woo_integrations::status.ne("disconnected"))
        .order(woo_integrations::id)
        .select(Integration::as_select())
        .load(conn)
        .await?)
}

/// Disconnects: the stored key, secret and webhook secret are wiped.
pub async fn disconnect(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(woo_integrations::table.find((partner_id, id)))
        .set((
            woo_integrations::status.eq("disconnected"),
            woo_integrations::consumer_key_enc.eq(None::<Vec<u8>>),
            woo_integrations::consumer_secret_enc.eq(None::<Vec<u8>>),
            woo_integrations::webhook_secret_enc.eq(None::<Vec<u8>>),
            woo_integrations::webhook_id.eq(None::<i64>),
            woo_integrations::webhook_health.eq("unknown"),
            woo_integrations::disconnected_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
