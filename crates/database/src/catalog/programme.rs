//! Changing the programme: a card's rules and its tiers (always together, in one
//! transaction), the partner's clubs, and the partner's cards with their tiers a page at
//! a time.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ledger::{EarnRule, Tier};
use time::OffsetDateTime;

use super::{create_card, Card, CardTier, Club, NewCard};
use crate::schema::{card_tiers, cards, clubs, wallets};
use crate::DbError;

/// A card with its tiers, lowest threshold first.
#[derive(Debug, Clone, PartialEq)]
pub struct CardWithTiers {
    pub card: Card,
    pub tiers: Vec<CardTier>,
}

/// What a card's owner decides: its name, its earn rules and whether it is active. The
/// rules were validated by building an [`EarnRule`].
#[derive(Debug, Clone)]
pub struct CardRules<'a> {
    pub name: &'a str,
    pub rule: &'a EarnRule,
    pub active: bool,
}

/// The partner's clubs, oldest first.
pub async fn clubs_of_partner(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
) -> Result<Vec<Club>, DbError> {
    Ok(clubs::table
        .filter(clubs::partner_id.eq(partner_id))
        .order(clubs::id)
        .select(Club::as_select())
        .load(conn)
        .await?)
}

/// The partner's club `club_id` (another partner's is `None`).
pub async fn find_club(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    club_id: i64,
) -> Result<Option<Club>, DbError> {
    Ok(clubs::table
        .find((partner_id, club_id))
        .select(Club::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The card and its tiers (another partner's card is `None`).
pub async fn find_card_with_tiers(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
) -> Result<Option<CardWithTiers>, DbError> {
    let Some(card) = super::find_card(conn, partner_id, card_id).await? else {
        return Ok(None);
    };
    let tiers = super::tiers_of_card(conn, partner_id, card_id).await?;
    Ok(Some(CardWithTiers { card, tiers }))
}

/// The card, locked until the transaction ends, so that a change is decided on the
/// values it replaces (two concurrent changes of different fields both stick).
pub async fn lock_card(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
) -> Result<Option<Card>, DbError> {
    Ok(cards::table
        .find((partner_id, card_id))
        .select(Card::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// Whether any member has a wallet on the card (then its currency is fixed).
pub async fn card_has_wallets(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
) -> Result<bool, DbError> {
    let query = wallets::table
        .filter(wallets::partner_id.eq(partner_id))
        .filter(wallets::card_id.eq(card_id));
    Ok(diesel::select(diesel::dsl::exists(query))
        .get_result(conn)
        .await?)
}

/// The partner's cards with their tiers, newest first: at most `limit`, and only those
/// older than the card `before` when it is given (the cursor of the previous page).
pub async fn cards_page(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<CardWithTiers>, DbError> {
    let mut query = cards::table
        .filter(cards::partner_id.eq(partner_id))
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(cards::id.lt(before));
    }
    let found: Vec<Card> = query
        .order(cards::id.desc())
        .limit(limit)
        .select(Card::as_select())
        .load(conn)
        .await?;
    let ids: Vec<i64> = found.iter().map(|c| c.id).collect();
    let tiers: Vec<CardTier> = card_tiers::table
        .filter(card_tiers::partner_id.eq(partner_id))
        .filter(card_tiers::card_id.eq_any(&ids))
        .order((card_tiers::card_id, card_tiers::threshold))
        .select(CardTier::as_select())
        .load(conn)
        .await?;
    let mut by_card: std::collections::HashMap<i64, Vec<CardTier>> = Default::default();
    for tier in tiers {
        by_card.entry(tier.card_id).or_default().push(tier);
    }
    Ok(found
        .into_iter()
        .map(|card| {
            let tiers = by_card.remove(&card.id).unwrap_or_default();
            CardWithTiers { card, tiers }
        })
        .collect())
}

/// Creates the card with `rules` and `tiers` in one transaction.
pub async fn create_card_with_tiers(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    club_id: i64,
    rules: &CardRules<'_>,
    tiers: &[Tier],
    now: OffsetDateTime,
) -> Result<CardWithTiers, DbError> {
    conn.transaction(async |conn| {
        let new = NewCard {
            partner_id,
            club_id,
            name: rules.name,
            rule: rules.rule,
            now,
        };
        let mut card = create_card(conn, &new).await?;
        if !rules.active {
            card = write_rules(conn, partner_id, card.id, rules, now)
                .await?
                .ok_or(DbError::NotFound("card"))?;
        }
        let tiers = insert_tiers(conn, partner_id, card.id, tiers).await?;
        Ok(CardWithTiers { card, tiers })
    })
    .await
}

/// Saves the card's `rules` and, when `tiers` is given, replaces its tiers with them, in
/// one transaction. `None` when the partner has no such card.
pub async fn update_card_and_tiers(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
    rules: &CardRules<'_>,
    tiers: Option<&[Tier]>,
    now: OffsetDateTime,
) -> Result<Option<CardWithTiers>, DbError> {
    conn.transaction(async |conn| {
        // The update locks the card first, so concurrent replacements of its tiers queue.
        let Some(card) = write_rules(conn, partner_id, card_id, rules, now).await? else {
            return Ok(None);
        };
        let tiers = match tiers {
            Some(tiers) => replace_tiers(conn, partner_id, card_id, tiers).await?,
            None => super::tiers_of_card(conn, partner_id, card_id).await?,
        };
        Ok(Some(CardWithTiers { card, tiers }))
    })
    .await
}

/// Replaces every tier of the card with `tiers`. Call inside a transaction, after
/// locking the card.
pub async fn replace_tiers(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
    tiers: &[Tier],
) -> Result<Vec<CardTier>, DbError> {
    diesel::delete(
        card_tiers::table
            .filter(card_tiers::partner_id.eq(partner_id))
            .filter(card_tiers::card_id.eq(card_id)),
    )
    .execute(conn)
    .await?;
    insert_tiers(conn, partner_id, card_id, tiers).await
}

pub(super) async fn insert_tiers(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
    tiers: &[Tier],
) -> Result<Vec<CardTier>, DbError> {
    if tiers.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<_> = tiers
        .iter()
        .map(|tier| {
            (
                card_tiers::partner_id.eq(partner_id),
                card_tiers::card_id.eq(card_id),
                card_tiers::name.eq(tier.name()),
                card_tiers::threshold.eq(tier.threshold().get()),
                card_tiers::multiplier.eq(tier.multiplier()),
            )
        })
        .collect();
    let mut saved: Vec<CardTier> = diesel::insert_into(card_tiers::table)
        .values(rows)
        .returning(CardTier::as_returning())
        .get_results(conn)
        .await?;
    saved.sort_by_key(|t| t.threshold);
    Ok(saved)
}

async fn write_rules(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
    rules: &CardRules<'_>,
    now: OffsetDateTime,
) -> Result<Option<Card>, DbError> {
    let rule = rules.rule;
    Ok(diesel::update(cards::table.find((partner_id, card_id)))
        .set((
            cards::name.eq(rules.name),
            cards::currency.eq(rule.currency().code()),
            cards::points_per_unit.eq(rule.points_per_unit()),
            cards::unit_amount.eq(rule.unit_amount()),
            cards::rounding.eq(rule.rounding().as_str()),
            cards::min_purchase_amount.eq(rule.min_purchase_amount()),
            cards::min_points_per_purchase.eq(rule.min_points_per_purchase().get()),
            cards::max_points_per_purchase.eq(rule.max_points_per_purchase().map(|p| p.get())),
            cards::welcome_bonus_points.eq(rule.welcome_bonus_points().get()),
            cards::active.eq(rules.active),
            cards::updated_at.eq(now),
        ))
        .returning(Card::as_returning())
        .get_result(conn)
        .await
        .optional()?)
}
