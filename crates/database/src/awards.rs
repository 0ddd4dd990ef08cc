//! Order awards: what each store order awarded, once ever per integration, and what its
//! refunds took back.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::prepared::Prepared;
use crate::schema::order_awards;
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = order_awards, check_for_backend(diesel::pg::Pg))]
pub struct OrderAward {
    pub partner_id: i64,
    pub id: i64,
    pub integration_id: i64,
    pub order_id: String,
    pub wallet_id: i64,
    pub order_total: BigDecimal,
    pub currency: String,
    pub points_awarded: i64,
    pub welcome_bonus_points: i64,
    pub points_taken_back: i64,
    pub refunded_amount: BigDecimal,
    pub welcome_bonus_taken_back: bool,
    pub fully_refunded_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// Serialises everything done for one order until the transaction ends (an advisory
/// lock: the award row may not exist yet). Two deliveries of the same order, or a
/// delivery and a reconciliation, run one after the other.
pub async fn lock_order(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    order_id: &str,
) -> Result<(), DbError> {
    lock_orders(conn, &[(partner_id, integration_id, order_id)]).await
}

/// [`lock_order`] for several orders in one statement (a batch of deliveries), taken in
/// the order of their lock keys so that two batches sharing orders cannot deadlock on
/// them; a batch, a single delivery and a reconciliation of the same order run one after
/// the other.
pub async fn lock_orders(
    conn: &mut AsyncPgConnection,
    orders: &[(i64, i64, &str)],
) -> Result<(), DbError> {
    if orders.is_empty() {
        return Ok(());
    }
    let values: Vec<String> = (1..=orders.len()).map(|i| format!("(${i})")).collect();
    let sql = format!(
        "SELECT count(pg_advisory_xact_lock(h)) AS n FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM (VALUES {}) AS v(k) ORDER BY h) AS keys",
        values.join(", ")
    );
    let mut query = diesel::sql_query(sql).into_boxed::<diesel::pg::Pg>();
    for (partner_id, integration_id, order_id) in orders {
        query = query.bind::<Text, _>(format!("order:{partner_id}:{integration_id}:{order_id}"));
    }
    // One text per number of orders (at most a batch's size).
    Prepared(query).execute(conn).await?;
    Ok(())
}

/// The awards of these orders (partner, integration, order): one statement per
/// integration among them (a batch of deliveries usually has one). Equality on the
/// partner and the integration keeps the lookup on the unique index whatever plan the
/// prepared statement settles on.
pub async fn find_many(
    conn: &AsyncPgConnection,
    orders: &[(i64, i64, &str)],
) -> Result<Vec<OrderAward>, DbError> {
    let mut conn = conn;
    let mut stores: Vec<(i64, i64)> = orders.iter().map(|o| (o.0, o.1)).collect();
    stores.sort_unstable();
    stores.dedup();
    let mut found = Vec::new();
    for (partner_id, integration_id) in stores {
        let ids: Vec<&str> = orders
            .iter()
            .filter(|o| (o.0, o.1) == (partner_id, integration_id))
            .map(|o| o.2)
            .collect();
        found.extend(
            order_awards::table
                .filter(order_awards::partner_id.eq(partner_id))
                .filter(order_awards::integration_id.eq(integration_id))
                .filter(order_awards::order_id.eq_any(&ids))
                .select(OrderAward::as_select())
                .load::<OrderAward>(&mut conn)
                .await?,
        );
    }
    Ok(found)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    integration_id: i64,
    order_id: &str,
) -> Result<Option<OrderAward>, DbError> {
    Ok(order_awards::table
        .filter(order_awards::partner_id.eq(partner_id))
        .filter(order_awards::integration_id.eq(integration_id))
        .filter(order_awards::order_id.eq(order_id))
        .select(OrderAward::as_select())
        .first(conn)
        .await
        .optional()?)
}

#[derive(Debug, Clone)]
pub struct NewOrderAward<'a> {
    pub partner_id: i64,
    pub integration_id: i64,
    pub order_id: &'a str,
    pub wallet_id: i64,
    pub order_total: &'a BigDecimal,
    pub currency: &'a str,
    pub points_awarded: i64,
    pub welcome_bonus_points: i64,
    pub now: OffsetDateTime,
}

/// Records the award. The unique (integration, order) key makes a second award of the
/// same order fail, whatever raced.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    new: &NewOrderAward<'_>,
) -> Result<OrderAward, DbError> {
    crate::awarding::insert_awards(conn, std::slice::from_ref(new))
        .await?
        .pop()
        .ok_or(DbError::NotFound("order award"))
}

/// Records refund progress: points taken back so far, the amount refunded so far, and
/// whether the order is now fully refunded (with its welcome bonus).
pub async fn record_refund(
    conn: &mut AsyncPgConnection,
    award: &OrderAward,
    points_taken_back: i64,
    refunded_amount: &BigDecimal,
    fully_refunded_at: Option<OffsetDateTime>,
    welcome_bonus_taken_back: bool,
) -> Result<(), DbError> {
    diesel::update(order_awards::table.find((award.partner_id, award.id)))
        .set((
            order_awards::points_taken_back.eq(points_taken_back),
            order_awards::refunded_amount.eq(refunded_amount),
            order_awards::fully_refunded_at.eq(fully_refunded_at),
            order_awards::welcome_bonus_taken_back.eq(welcome_bonus_taken_back),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
