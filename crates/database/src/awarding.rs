//! Awarding many store orders at once: the multi-row statements a batch of webhook
//! deliveries uses to create its new members and wallets, lock the wallets it found,
//! post its entries, move its balances and record its awards — each one statement for
//! the whole batch, where one order at a time takes one per order.
//!
//! The guarantees are those of the one-at-a-time statements: unique member emails and
//! codes, one wallet per member and card, exactly-once entries by idempotency key, one
//! award per order, balances never below zero. A batch that breaks one fails as a whole
//! (its transaction is rolled back) and its caller applies each order again on its own.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Nullable, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::awards::{NewOrderAward, OrderAward};
use crate::members::{Member, NewMember};
use crate::posting::{entry_row, Entry, Moved, Posting};
use crate::prepared::Prepared;
use crate::schema::{entries, members, order_awards, wallets};
use crate::wallets::Wallet;
use crate::DbError;

/// Creates these members (each with its drawn code) in one statement. A member whose
/// email appeared meanwhile, or whose code is taken, is left out: the caller creates
/// those one at a time. Returns the members created.
pub async fn insert_members(
    conn: &mut AsyncPgConnection,
    new: &[(NewMember<'_>, String)],
) -> Result<Vec<Member>, DbError> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<_> = new
        .iter()
        .map(|(m, code)| {
            (
                members::code.eq(code.as_str()),
                members::email.eq(m.email),
                members::email_normalized.eq(m.email_normalized),
                members::name.eq(m.name),
                members::language.eq(m.language),
                members::created_at.eq(m.now),
                members::updated_at.eq(m.now),
            )
        })
        .collect();
    // One text per number of rows (at most a batch's size).
    Ok(Prepared(
        diesel::insert_into(members::table)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(Member::as_returning()),
    )
    .get_results(conn)
    .await?)
}

/// The wallets of these (partner, card, member, now), each created when missing and locked
/// until the transaction ends when it existed: one statement to create, one per card to
/// lock, in wallet id order. Returns each wallet, in the order asked, with whether it was
/// created now.
pub async fn create_or_lock_wallets(
    conn: &mut AsyncPgConnection,
    wanted: &[(i64, i64, i64, OffsetDateTime)],
) -> Result<Vec<(Wallet, bool)>, DbError> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<_> = wanted
        .iter()
        .map(|(partner_id, card_id, member_id, now)| {
            (
                wallets::partner_id.eq(*partner_id),
                wallets::card_id.eq(*card_id),
                wallets::member_id.eq(*member_id),
                wallets::created_at.eq(*now),
                wallets::updated_at.eq(*now),
            )
        })
        .collect();
    let created: Vec<Wallet> = Prepared(
        diesel::insert_into(wallets::table)
            .values(rows)
            .on_conflict((wallets::partner_id, wallets::card_id, wallets::member_id))
            .do_nothing()
            .returning(Wallet::as_returning()),
    )
    .get_results(conn)
    .await?;
    let key = |w: &Wallet| (w.partner_id, w.card_id, w.member_id);
    let missing: Vec<(i64, i64, i64)> = wanted
        .iter()
        .map(|(p, c, m, _)| (*p, *c, *m))
        .filter(|k| !created.iter().any(|w| key(w) == *k))
        .collect();
    let mut cards: Vec<(i64, i64)> = missing.iter().map(|(p, c, _)| (*p, *c)).collect();
    cards.sort_unstable();
    cards.dedup();
    let mut locked: Vec<Wallet> = Vec::new();
    for (partner_id, card_id) in cards {
        let member_ids: Vec<i64> = missing
            .iter()
            .filter(|(p, c, _)| (*p, *c) == (partner_id, card_id))
            .map(|(_, _, m)| *m)
            .collect();
        locked.extend(
            wallets::table
                .filter(wallets::partner_id.eq(partner_id))
                .filter(wallets::card_id.eq(card_id))
                .filter(wallets::member_id.eq_any(member_ids))
                .order(wallets::id)
                .select(Wallet::as_select())
                .for_update()
                .load::<Wallet>(conn)
                .await?,
        );
    }
    wanted
        .iter()
        .map(|(p, c, m, _)| {
            let k = (*p, *c, *m);
            if let Some(w) = created.iter().find(|w| key(w) == k) {
                return Ok((w.clone(), true));
            }
            locked
                .iter()
                .find(|w| key(w) == k)
                .map(|w| (w.clone(), false))
                .ok_or(DbError::NotFound("wallet"))
        })
        .collect()
}

/// Inserts these entries on wallets this transaction holds locked, each with what the
/// ledger applied, in one statement. A key posted before fails the statement (and so the
/// batch); the caller then posts one order at a time, where replays are handled.
pub async fn insert_entries(
    conn: &AsyncPgConnection,
    new: &[(&Posting, ledger::Applied)],
) -> Result<Vec<Entry>, DbError> {
    let mut conn = conn;
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<_> = new
        .iter()
        .map(|(posting, applied)| entry_row(posting, applied))
        .collect();
    Ok(Prepared(
        diesel::insert_into(entries::table)
            .values(rows)
            .returning(Entry::as_returning()),
    )
    .get_results(&mut conn)
    .await?)
}

/// Moves the balances of these locked wallets (partner, wallet, what moved) in one
/// statement, as `posting::move_balance` does for one.
pub async fn move_balances(
    conn: &AsyncPgConnection,
    moved: &[(i64, i64, Moved)],
) -> Result<(), DbError> {
    let mut conn = conn;
    if moved.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&(i64, i64, Moved)) -> i64| moved.iter().map(f).collect::<Vec<i64>>();
    let first: Vec<Option<OffsetDateTime>> = moved.iter().map(|m| m.2.first_purchase_at).collect();
    let updated = Prepared(
        diesel::sql_query(
            "UPDATE wallets AS w SET balance = v.balance, \
             earned_points = w.earned_points + v.tier_points, \
             first_purchase_at = COALESCE(v.first_purchase_at, w.first_purchase_at) \
             FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::timestamptz[]) \
             AS v(partner_id, id, balance, tier_points, first_purchase_at) \
             WHERE w.partner_id = v.partner_id AND w.id = v.id",
        )
        .bind::<Array<BigInt>, _>(column(|m| m.0))
        .bind::<Array<BigInt>, _>(column(|m| m.1))
        .bind::<Array<BigInt>, _>(column(|m| m.2.balance))
        .bind::<Array<BigInt>, _>(column(|m| m.2.tier_points.get()))
        .bind::<Array<Nullable<Timestamptz>>, _>(first),
    )
    .execute(&mut conn)
    .await?;
    if updated != moved.len() {
        return Err(DbError::NotFound("wallet"));
    }
    Ok(())
}

/// Records these awards in one statement; an order awarded before fails it (the unique
/// (integration, order) key), and so the batch.
pub async fn insert_awards(
    conn: &AsyncPgConnection,
    new: &[NewOrderAward<'_>],
) -> Result<Vec<OrderAward>, DbError> {
    let mut conn = conn;
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<_> = new
        .iter()
        .map(|a| {
            (
                order_awards::partner_id.eq(a.partner_id),
                order_awards::integration_id.eq(a.integration_id),
                order_awards::order_id.eq(a.order_id),
                order_awards::wallet_id.eq(a.wallet_id),
                order_awards::order_total.eq::<&BigDecimal>(a.order_total),
                order_awards::currency.eq(a.currency),
                order_awards::points_awarded.eq(a.points_awarded),
                order_awards::welcome_bonus_points.eq(a.welcome_bonus_points),
                order_awards::created_at.eq(a.now),
                order_awards::updated_at.eq(a.now),
            )
        })
        .collect();
    Ok(Prepared(
        diesel::insert_into(order_awards::table)
            .values(rows)
            .returning(OrderAward::as_returning()),
    )
    .get_results(&mut conn)
    .await?)
}
