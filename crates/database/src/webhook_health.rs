//! The webhook's health as last read back from the store, and claiming the next check.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::woo_integrations;
use crate::DbError;

/// Records the result of a webhook health check.
pub async fn set_health(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
    health: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(woo_integrations::table.find((partner_id, id)))
        .set((
            woo_integrations::webhook_health.eq(health),
            woo_integrations::webhook_checked_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// The webhook's last known health and when it was checked.
pub async fn health(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<(String, Option<OffsetDateTime>, Option<String>), DbError> {
    Ok(woo_integrations::table
        .find((partner_id, id))
        .select((
            woo_integrations::webhook_health,
            woo_integrations::webhook_checked_at,
            woo_integrations::webhook_refusal,
        ))
        .first(conn)
        .await?)
}

/// Claims one automatic integration whose webhook was not checked since `due_before`.
pub async fn claim_health_check(
    conn: &mut AsyncPgConnection,
    now: OffsetDateTime,
    due_before: OffsetDateTime,
) -> Result<Option<(i64, i64)>, DbError> {
    use diesel::sql_types::{BigInt, Timestamptz};
    #[derive(QueryableByName)]
    struct Claimed {
        #[diesel(sql_type = BigInt)]
        partner_id: i64,
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    let claimed = diesel::sql_query(
        "UPDATE woo_integrations SET webhook_checked_at = $1 \
         WHERE (partner_id, id) = ( \
           SELECT partner_id, id FROM woo_integrations \
           WHERE status <> 'disconnected' AND webhook_mode = 'automatic' \
             AND (webhook_checked_at IS NULL OR webhook_checked_at < $2) \
           ORDER BY webhook_checked_at NULLS FIRST LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING partner_id, id",
    )
    .bind::<Timestamptz, _>(now)
    .bind::<Timestamptz, _>(due_before)
    .get_result::<Claimed>(conn)
    .await
    .optional()?;
    Ok(claimed.map(|c| (c.partner_id, c.id)))
}
