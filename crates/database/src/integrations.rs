//! WooCommerce integrations: one connected store per (club, store URL). Credentials and
//! the webhook secret are stored encrypted by the caller; this module stores bytes.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::woo_integrations;
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

pub async fn create(
    conn: &mut AsyncPgConnection,
    new: &NewIntegration<'_>,
) -> Result<Integration, DbError> {
    Ok(diesel::insert_into(woo_integrations::table)
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
        ))
        .returning(Integration::as_returning())
        .get_result(conn)
        .await?)
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
