//! Finishing a redemption, in the transaction of its last save: issued (the coupon
//! email queued) or reversed (the points given back with a `redemption_reversal`
//! entry). The compare-and-swap on the saga's version means only one process finishes.

use coupons::{CouponCode, CouponId, Saga};
use database::activity::{self, Actor, NewActivity};
use database::outbox::{self, NewEmail};
use database::posting::{self, EntrySource, Posting};
use database::redemptions::{self, Redemption, SagaUpdate};
use database::{DbError, ScopedFutureExt};
use ledger::{Channel, EntryKind, Points};
use time::OffsetDateTime;

use super::drive::{pending_update, reload_by_id, with_saga, Finished};
use crate::email::message::{CouponEmail, EmailPayload};

pub(super) async fn issued(
    pool: &database::Pool,
    row: Redemption,
    saga: &Saga,
    store_url: &str,
    code: &CouponCode,
    coupon_id: CouponId,
    now: OffsetDateTime,
) -> Result<Finished, DbError> {
    let doc = with_saga(&row, saga);
    let owner = (row.partner_id, row.id);
    let done = database::transaction(pool, |conn| {
        async move {
            let update = SagaUpdate {
                status: "issued",
                coupon_id: i64::try_from(coupon_id.get()).ok(),
                issued_at: Some(now),
                next_attempt_at: None,
                ..pending_update(&row, saga, &doc, None, None)
            };
            let Some(saved) = redemptions::save_saga(conn, &update).await? else {
                return Ok(None);
            };
            let wallet = database::wallets::find_by_id(conn, row.partner_id, row.wallet_id)
                .await?
                .ok_or(DbError::NotFound("wallet"))?;
            let member = database::members::find_by_id(conn, wallet.member_id)
                .await?
                .ok_or(DbError::NotFound("member"))?;
            let partner = database::partners::find(conn, row.partner_id)
                .await?
                .ok_or(DbError::NotFound("partner"))?;
            let payload = EmailPayload::Coupon(CouponEmail {
                business_name: partner.name.clone(),
                member_name: member.name.clone(),
                code: code.as_str().to_owned(),
                amount: super::amount_text(&row),
                currency: row.currency.clone(),
                expires_on: row.expires_on.to_string(),
                points: row.points,
                store_url: Some(store_url.to_owned()),
            });
            outbox::enqueue(
                conn,
                &NewEmail {
                    partner_id: Some(row.partner_id),
                    member_id: Some(member.id),
                    kind: payload.kind().as_str(),
                    to_address: &member.email,
                    language: &member.language,
                    payload: &payload.to_json(),
                    idempotency_key: &format!("redemption:{}:coupon-email", row.id),
                    now,
                },
            )
            .await?;
            record(conn, &row, "redemption_issued", code.as_str(), now).await?;
            Ok::<_, DbError>(Some(saved))
        }
        .scope_boxed()
    })
    .await?;
    match done {
        Some(r) => Ok(Finished::Issued(r)),
        None => reload_by_id(pool, owner).await,
    }
}

pub(super) async fn reverse(
    pool: &database::Pool,
    row: Redemption,
    saga: &Saga,
    reason: &str,
    now: OffsetDateTime,
) -> Result<Finished, DbError> {
    let doc = with_saga(&row, saga);
    let (partner_id, id) = (row.partner_id, row.id);
    let done = database::transaction(pool, |conn| {
        async move {
            let update = SagaUpdate {
                status: "reversed",
                next_attempt_at: None,
                ..pending_update(&row, saga, &doc, None, Some(reason))
            };
            let Some(saved) = redemptions::save_saga(conn, &update).await? else {
                return Ok(None);
            };
            let back = Posting {
                partner_id: row.partner_id,
                wallet_id: row.wallet_id,
                kind: EntryKind::RedemptionReversal,
                channel: Channel::System,
                points: Points::new(row.points),
                tier_points: Points::ZERO,
                idempotency_key: format!("redemption:{}:reversal", row.id),
                source: EntrySource {
                    integration_id: Some(row.integration_id),
                    redemption_id: Some(row.id),
                    reference: Some(row.code.clone()),
                    note: Some(reason.to_owned()),
                    ..EntrySource::default()
                },
                rule: None,
                now,
            };
            posting::post_in(conn, &back).await.map_err(|e| match e {
                posting::PostingError::Db(e) => e,
                other => DbError::Pool(other.to_string()),
            })?;
            record(conn, &row, "redemption_reversed", &row.code, now).await?;
            Ok::<_, DbError>(Some(saved))
        }
        .scope_boxed()
    })
    .await?;
    match done {
        Some(r) => Ok(Finished::Reversed(r)),
        None => reload_by_id(pool, (partner_id, id)).await,
    }
}

async fn record(
    conn: &mut database::Connection,
    row: &Redemption,
    action: &str,
    code: &str,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    activity::record(
        conn,
        &NewActivity {
            partner_id: row.partner_id,
            actor: Actor::System,
            action,
            subject: Some(code),
            details: serde_json::json!({ "redemption_id": row.id, "points": row.points }),
            now,
        },
    )
    .await
}
