//! Wallets: one member's balance on one card.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use time::OffsetDateTime;

use crate::prepared::Prepared;
use crate::schema::wallets;
use crate::DbError;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = wallets, check_for_backend(diesel::pg::Pg))]
pub struct Wallet {
    pub partner_id: i64,
    pub id: i64,
    pub card_id: i64,
    pub member_id: i64,
    pub balance: i64,
    pub earned_points: i64,
    pub first_purchase_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = wallets)]
struct NewWallet {
    partner_id: i64,
    card_id: i64,
    member_id: i64,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
    member_id: i64,
) -> Result<Option<Wallet>, DbError> {
    Ok(wallets::table
        .filter(wallets::partner_id.eq(partner_id))
        .filter(wallets::card_id.eq(card_id))
        .filter(wallets::member_id.eq(member_id))
        .select(Wallet::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find_by_id(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<Wallet>, DbError> {
    Ok(wallets::table
        .find((partner_id, id))
        .select(Wallet::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The wallet, locked until the transaction ends (postings on it may then use its
/// balance: `posting::post_locked`).
pub async fn lock_by_id(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<Wallet>, DbError> {
    Ok(wallets::table
        .find((partner_id, id))
        .select(Wallet::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// The member's wallet on the card, created (the member joins the card) when missing.
/// Returns the wallet and whether it was created now.
pub async fn find_or_create(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
    member_id: i64,
    now: OffsetDateTime,
) -> Result<(Wallet, bool), DbError> {
    let inserted = Prepared(
        diesel::insert_into(wallets::table)
            .values(NewWallet {
                partner_id,
                card_id,
                member_id,
                created_at: now,
                updated_at: now,
            })
            .on_conflict((wallets::partner_id, wallets::card_id, wallets::member_id))
            .do_nothing()
            .returning(Wallet::as_returning()),
    )
    .get_result(conn)
    .await
    .optional()?;
    match inserted {
        Some(wallet) => Ok((wallet, true)),
        None => find(conn, partner_id, card_id, member_id)
            .await?
            .map(|w| (w, false))
            .ok_or(DbError::NotFound("wallet")),
    }
}

/// A member's wallet with its card and partner, for the member's own pages.
#[derive(Debug, Clone, PartialEq)]
pub struct WalletView {
    pub wallet: Wallet,
    pub card_name: String,
    pub currency: String,
    pub business_name: String,
}

/// Every wallet of a member, across partners, newest first.
pub async fn of_member(
    conn: &mut AsyncPgConnection,
    member_id: i64,
) -> Result<Vec<WalletView>, DbError> {
    use crate::schema::{cards, partners};
    let rows: Vec<(Wallet, String, String, String)> = wallets::table
        .inner_join(
            cards::table.on(cards::partner_id
                .eq(wallets::partner_id)
                .and(cards::id.eq(wallets::card_id))),
        )
        .inner_join(partners::table.on(partners::id.eq(wallets::partner_id)))
        .filter(wallets::member_id.eq(member_id))
        .order(wallets::created_at.desc())
        .select((
            Wallet::as_select(),
            cards::name,
            cards::currency,
            partners::name,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(wallet, card_name, currency, business_name)| WalletView {
            wallet,
            card_name,
            currency,
            business_name,
        })
        .collect())
}
