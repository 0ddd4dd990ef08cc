//! Clubs, cards and their tiers: the partner's loyalty programme.

use bigdecimal::BigDecimal;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ledger::{Currency, EarnRule, EarnRuleParams, LedgerError, Rounding, Tier};
use time::OffsetDateTime;

use crate::schema::{card_tiers, cards, clubs};
use crate::DbError;

mod programme;
pub use programme::{
    card_has_wallets, cards_page, clubs_of_partner, create_card_with_tiers, find_card_with_tiers,
    find_club, lock_card, replace_tiers, update_card_and_tiers, CardRules, CardWithTiers,
};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = clubs, check_for_backend(diesel::pg::Pg))]
pub struct Club {
    pub partner_id: i64,
    pub id: i64,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = cards, check_for_backend(diesel::pg::Pg))]
pub struct Card {
    pub partner_id: i64,
    pub id: i64,
    pub club_id: i64,
    pub name: String,
    pub currency: String,
    pub points_per_unit: i64,
    pub unit_amount: BigDecimal,
    pub rounding: String,
    pub min_purchase_amount: BigDecimal,
    pub min_points_per_purchase: i64,
    pub max_points_per_purchase: Option<i64>,
    pub welcome_bonus_points: i64,
    pub active: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Card {
    /// The card's earn rule, as the ledger understands it.
    pub fn earn_rule(&self) -> Result<EarnRule, LedgerError> {
        EarnRule::new(EarnRuleParams {
            currency: Currency::parse(&self.currency)?,
            points_per_unit: self.points_per_unit,
            unit_amount: self.unit_amount.clone(),
            rounding: Rounding::parse(&self.rounding)?,
            min_purchase_amount: self.min_purchase_amount.clone(),
            min_points_per_purchase: self.min_points_per_purchase,
            max_points_per_purchase: self.max_points_per_purchase,
            welcome_bonus_points: self.welcome_bonus_points,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = card_tiers, check_for_backend(diesel::pg::Pg))]
pub struct CardTier {
    pub partner_id: i64,
    pub id: i64,
    pub card_id: i64,
    pub name: String,
    pub threshold: i64,
    pub multiplier: BigDecimal,
}

impl CardTier {
    pub fn tier(&self) -> Result<Tier, LedgerError> {
        Tier::new(
            self.name.clone(),
            ledger::Points::new(self.threshold),
            self.multiplier.clone(),
        )
    }
}

/// Finds the partner's club by name, or creates it.
pub async fn find_or_create_club(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    name: &str,
    now: OffsetDateTime,
) -> Result<Club, DbError> {
    diesel::insert_into(clubs::table)
        .values((
            clubs::partner_id.eq(partner_id),
            clubs::name.eq(name),
            clubs::created_at.eq(now),
            clubs::updated_at.eq(now),
        ))
        .on_conflict((clubs::partner_id, clubs::name))
        .do_nothing()
        .execute(conn)
        .await?;
    Ok(clubs::table
        .filter(clubs::partner_id.eq(partner_id))
        .filter(clubs::name.eq(name))
        .select(Club::as_select())
        .first(conn)
        .await?)
}

/// A card to create; its rules were validated by building an [`EarnRule`].
#[derive(Debug, Clone)]
pub struct NewCard<'a> {
    pub partner_id: i64,
    pub club_id: i64,
    pub name: &'a str,
    pub rule: &'a EarnRule,
    pub now: OffsetDateTime,
}

pub async fn create_card(conn: &mut AsyncPgConnection, new: &NewCard<'_>) -> Result<Card, DbError> {
    let rule = new.rule;
    Ok(diesel::insert_into(cards::table)
        .values((
            cards::partner_id.eq(new.partner_id),
            cards::club_id.eq(new.club_id),
            cards::name.eq(new.name),
            cards::currency.eq(rule.currency().code()),
            cards::points_per_unit.eq(rule.points_per_unit()),
            cards::unit_amount.eq(rule.unit_amount()),
            cards::rounding.eq(rule.rounding().as_str()),
            cards::min_purchase_amount.eq(rule.min_purchase_amount()),
            cards::min_points_per_purchase.eq(rule.min_points_per_purchase().get()),
            cards::max_points_per_purchase.eq(rule.max_points_per_purchase().map(|p| p.get())),
            cards::welcome_bonus_points.eq(rule.welcome_bonus_points().get()),
            cards::created_at.eq(new.now),
            cards::updated_at.eq(new.now),
        ))
        .returning(Card::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn cards_of_club(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    club_id: i64,
) -> Result<Vec<Card>, DbError> {
    Ok(cards::table
        .filter(cards::partner_id.eq(partner_id))
        .filter(cards::club_id.eq(club_id))
        .order(cards::id)
        .select(Card::as_select())
        .load(conn)
        .await?)
}

pub async fn find_card(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<Card>, DbError> {
    Ok(cards::table
        .find((partner_id, id))
        .select(Card::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The card and its partner, in one statement (what deciding on a store order reads).
pub async fn find_card_with_partner(
    conn: &AsyncPgConnection,
    partner_id: i64,
    id: i64,
) -> Result<Option<(Card, crate::partners::Partner)>, DbError> {
    let mut conn = conn;
    use crate::schema::partners;
    Ok(cards::table
        .inner_join(partners::table.on(partners::id.eq(cards::partner_id)))
        .filter(cards::partner_id.eq(partner_id))
        .filter(cards::id.eq(id))
        .select((Card::as_select(), crate::partners::Partner::as_select()))
        .first(&mut conn)
        .await
        .optional()?)
}

pub async fn tiers_of_card(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
) -> Result<Vec<CardTier>, DbError> {
    Ok(card_tiers::table
        .filter(card_tiers::partner_id.eq(partner_id))
        .filter(card_tiers::card_id.eq(card_id))
        .order(card_tiers::threshold)
        .select(CardTier::as_select())
        .load(conn)
        .await?)
}

/// Every card of the partner, across its clubs.
pub async fn cards_of_partner(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
) -> Result<Vec<Card>, DbError> {
    Ok(cards::table
        .filter(cards::partner_id.eq(partner_id))
        .order((cards::club_id, cards::id))
        .select(Card::as_select())
        .load(conn)
        .await?)
}

/// Adds one tier to the partner's card.
pub async fn add_tier(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
    tier: &Tier,
) -> Result<CardTier, DbError> {
    let mut added =
        programme::insert_tiers(conn, partner_id, card_id, std::slice::from_ref(tier)).await?;
    added.pop().ok_or(DbError::NotFound("the tier just added"))
}

/// Marks the partner's card active or not.
pub async fn set_card_active(
    conn: &mut AsyncPgConnection,
    partner_id: i64,
    card_id: i64,
    active: bool,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    diesel::update(cards::table.find((partner_id, card_id)))
        .set((cards::active.eq(active), cards::updated_at.eq(now)))
        .execute(conn)
        .await?;
    Ok(())
}
