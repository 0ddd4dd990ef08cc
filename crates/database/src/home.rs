//! What the dashboard's home shows: points issued and redeemed over time, and the
//! latest purchases, redemptions and new members of one partner.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::schema::{cards, entries, members, redemptions, wallets};
use crate::DbError;

/// Points moved in one quarter of an hour (UTC). Every timezone in use today is a
/// whole number of quarter hours from UTC, so quarters add up to any partner's days.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct PointsSlot {
    /// The start of the quarter hour.
    #[diesel(sql_type = Timestamptz)]
    pub slot: OffsetDateTime,
    /// Points credited by purchases, welcome bonuses and positive adjustments.
    #[diesel(sql_type = BigInt)]
    pub issued: i64,
    /// Points spent on coupons, leaving out coupons that were given back (reversed).
    #[diesel(sql_type = BigInt)]
    pub redeemed: i64,
}

/// Points issued and redeemed per quarter hour from `from` until `until`, oldest first;
/// quarters without any are left out.
pub async fn points_by_quarter_hour(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    from: OffsetDateTime,
    until: OffsetDateTime,
) -> Result<Vec<PointsSlot>, DbError> {
    Ok(diesel::sql_query(
        "SELECT to_timestamp((floor(extract(epoch FROM e.created_at) / 900) * 900)::double precision) AS slot, \
                COALESCE(SUM(e.applied_points) FILTER (WHERE e.kind IN ('purchase', 'welcome_bonus', 'adjustment') \
                                                        AND e.applied_points > 0), 0)::bigint AS issued, \
                COALESCE(SUM(-e.applied_points) FILTER (WHERE e.kind = 'redemption' \
                                                         AND r.status IS DISTINCT FROM 'reversed'), 0)::bigint AS redeemed \
         FROM entries e \
         LEFT JOIN redemptions r ON r.partner_id = e.partner_id AND r.id = e.redemption_id \
         WHERE e.partner_id = $1 AND e.created_at >= $2 AND e.created_at < $3 \
         GROUP BY 1 ORDER BY 1",
    )
    .bind::<BigInt, _>(partner_id)
    .bind::<Timestamptz, _>(from)
    .bind::<Timestamptz, _>(until)
    .load(conn)
    .await?)
}

/// A purchase that earned points (at the counter, online or through the API).
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct RecentPurchase {
    pub at: OffsetDateTime,
    /// `counter`, `woocommerce`, `api` or `system`.
    pub channel: String,
    pub points: i64,
    pub order_id: Option<String>,
    pub member_email: String,
    pub member_name: String,
    pub card_name: String,
}

pub async fn recent_purchases(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    limit: i64,
) -> Result<Vec<RecentPurchase>, DbError> {
    Ok(entries::table
        .inner_join(
            wallets::table.on(wallets::partner_id
                .eq(entries::partner_id)
                .and(wallets::id.eq(entries::wallet_id))),
        )
        .inner_join(members::table.on(members::id.eq(wallets::member_id)))
        .inner_join(
            cards::table.on(cards::partner_id
                .eq(wallets::partner_id)
                .and(cards::id.eq(wallets::card_id))),
        )
        .filter(entries::partner_id.eq(partner_id))
        .filter(entries::kind.eq("purchase"))
        .order((entries::created_at.desc(), entries::id.desc()))
        .limit(limit)
        .select((
            entries::created_at,
            entries::channel,
            entries::applied_points,
            entries::order_id,
            members::email,
            members::name,
            cards::name,
        ))
        .load(conn)
        .await?)
}

/// Points turned into a store coupon.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct RecentRedemption {
    pub at: OffsetDateTime,
    pub code: String,
    pub points: i64,
    pub amount: BigDecimal,
    pub currency: String,
    /// `pending`, `issued` or `reversed`.
    pub status: String,
    /// `member` or `partner`.
    pub requested_by: String,
    pub member_email: String,
    pub member_name: String,
}

pub async fn recent_redemptions(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    limit: i64,
) -> Result<Vec<RecentRedemption>, DbError> {
    Ok(redemptions::table
        .inner_join(
            wallets::table.on(wallets::partner_id
                .eq(redemptions::partner_id)
                .and(wallets::id.eq(redemptions::wallet_id))),
        )
        .inner_join(members::table.on(members::id.eq(wallets::member_id)))
        .filter(redemptions::partner_id.eq(partner_id))
        .order((redemptions::created_at.desc(), redemptions::id.desc()))
        .limit(limit)
        .select((
            redemptions::created_at,
            redemptions::code,
            redemptions::points,
            redemptions::amount,
            redemptions::currency,
            redemptions::status,
            redemptions::requested_by,
            members::email,
            members::name,
        ))
        .load(conn)
        .await?)
}

/// A member who joined one of the partner's cards (their wallet was created).
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct RecentMember {
    pub at: OffsetDateTime,
    pub member_email: String,
    pub member_name: String,
    pub card_name: String,
}

pub async fn recent_members(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    limit: i64,
) -> Result<Vec<RecentMember>, DbError> {
    Ok(wallets::table
        .inner_join(members::table.on(members::id.eq(wallets::member_id)))
        .inner_join(
            cards::table.on(cards::partner_id
                .eq(wallets::partner_id)
                .and(cards::id.eq(wallets::card_id))),
        )
        .filter(wallets::partner_id.eq(partner_id))
        .order((wallets::created_at.desc(), wallets::id.desc()))
        .limit(limit)
        .select((
            wallets::created_at,
            members::email,
            members::name,
            cards::name,
        ))
        .load(conn)
        .await?)
}
