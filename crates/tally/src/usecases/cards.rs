//! Clubs, cards and tiers (SPEC §2, §7, §8): a partner creates a card and changes its
//! rules and tiers, from the dashboard or the API. Every rule is checked with a message
//! per field ([`validate`]); a change names any subset of the fields and keeps the rest;
//! the rules and the tiers are saved together, and the activity log says who did it.

mod preview;
mod validate;

use bigdecimal::BigDecimal;
use database::activity::{self, Actor, NewActivity};
use database::catalog::{self, CardRules, CardWithTiers, Club};
use database::{DbError, ScopedFutureExt};
use ledger::{Currency, EarnRule, LedgerError, Money, Tier};
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub use preview::{examples, preview, tier_column, Preview, PreviewRow};
pub use validate::{validate, Base, ValidCard, MAX_TIERS};

/// A card as submitted (a dashboard form or a JSON body). `None` keeps the current value
/// (or the default, for a new card).
#[derive(Debug, Clone, Default)]
pub struct CardInput {
    /// Only when creating: the club the card belongs to.
    pub club_id: Option<String>,
    pub name: Option<String>,
    pub currency: Option<String>,
    pub points_per_unit: Option<String>,
    pub unit_amount: Option<String>,
    pub rounding: Option<String>,
    pub min_purchase_amount: Option<String>,
    pub min_points_per_purchase: Option<String>,
    /// `Some("")` removes the cap.
    pub max_points_per_purchase: Option<String>,
    pub welcome_bonus_points: Option<String>,
    pub active: Option<bool>,
    /// `Some(vec![])` removes every tier.
    pub tiers: Option<Vec<TierInput>>,
}

/// One tier as submitted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TierInput {
    pub name: String,
    pub threshold: String,
    pub multiplier: String,
}

/// A refused field (`unit_amount`, `tiers[1].multiplier`) and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CardError {
    #[error("some rules were refused")]
    Invalid(Vec<FieldError>),
    #[error("no such card")]
    NotFound,
    #[error("a saved card could not be read: {0}")]
    Saved(#[from] LedgerError),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn refused(field: &str, message: impl Into<String>) -> CardError {
    CardError::Invalid(vec![FieldError {
        field: field.to_owned(),
        message: message.into(),
    }])
}

/// The partner's cards with their tiers, newest first, `limit` at most, older than the
/// card `before` when given.
pub async fn list(
    pool: &database::Pool,
    partner_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<CardWithTiers>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    catalog::cards_page(&mut conn, partner_id, before, limit).await
}

/// The partner's card `card_id` with its tiers (another partner's is `None`).
pub async fn find(
    pool: &database::Pool,
    partner_id: i64,
    card_id: i64,
) -> Result<Option<CardWithTiers>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    catalog::find_card_with_tiers(&mut conn, partner_id, card_id).await
}

/// Whether members collect points on the card (then its currency is fixed).
pub async fn has_members(
    pool: &database::Pool,
    partner_id: i64,
    card_id: i64,
) -> Result<bool, DbError> {
    let mut conn = database::pool::get(pool).await?;
    catalog::card_has_wallets(&mut conn, partner_id, card_id).await
}

/// The partner's clubs, oldest first.
pub async fn clubs(pool: &database::Pool, partner_id: i64) -> Result<Vec<Club>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    catalog::clubs_of_partner(&mut conn, partner_id).await
}

/// Creates a card from `input` (name and currency required, every other rule defaulted).
/// The club is `input.club_id`; without one, the partner's only club, or a new club named
/// after the business when the partner has none yet.
pub async fn create(
    pool: &database::Pool,
    partner_id: i64,
    input: &CardInput,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<CardWithTiers, CardError> {
    let valid = validate(&Base::defaults(), input).map_err(CardError::Invalid);
    database::transaction(pool, |conn| {
        async move {
            let club = club_for(conn, partner_id, input.club_id.as_deref(), now).await;
            let (club, valid) = match (club, valid) {
                (Ok(club), Ok(valid)) => (club, valid),
                (Err(CardError::Invalid(mut a)), Err(CardError::Invalid(b))) => {
                    a.extend(b);
                    return Err(CardError::Invalid(a));
                }
                (Err(e), _) | (_, Err(e)) => return Err(e),
            };
            let rules = CardRules {
                name: &valid.name,
                rule: &valid.rule,
                active: valid.active,
            };
            let saved = catalog::create_card_with_tiers(
                conn,
                partner_id,
                club.id,
                &rules,
                &valid.tiers,
                now,
            )
            .await?;
            activity::record(
                conn,
                &NewActivity {
                    partner_id,
                    actor,
                    action: "card_created",
                    subject: Some(&saved.card.name),
                    details: card_json(&saved),
                    now,
                },
            )
            .await?;
            Ok(saved)
        }
        .scope_boxed()
    })
    .await
}

/// The club a new card goes into.
async fn club_for(
    conn: &mut database::Connection,
    partner_id: i64,
    club_id: Option<&str>,
    now: OffsetDateTime,
) -> Result<Club, CardError> {
    if let Some(text) = club_id.map(str::trim).filter(|t| !t.is_empty()) {
        let found = match text.parse::<i64>() {
            Ok(id) => catalog::find_club(conn, partner_id, id).await?,
            Err(_) => None,
        };
        return found.ok_or_else(|| {
            refused(
                "club_id",
                "There is no such club: choose one of your clubs.",
            )
        });
    }
    let mut clubs = catalog::clubs_of_partner(conn, partner_id).await?;
    match clubs.len() {
        0 => {
            let partner = database::partners::find(conn, partner_id)
                .await?
                .ok_or(DbError::NotFound("partner"))?;
            Ok(catalog::find_or_create_club(conn, partner_id, &partner.name, now).await?)
        }
        1 => Ok(clubs.remove(0)),
        n => Err(refused(
            "club_id",
            format!("You have {n} clubs: choose the club this card belongs to."),
        )),
    }
}

/// Changes the fields `input` names and keeps the others. A card stays in its club, and
/// its currency is fixed once members collect points on it. An actual change goes to the
/// activity log with what changed, from what, to what.
pub async fn change(
    pool: &database::Pool,
    partner_id: i64,
    card_id: i64,
    input: &CardInput,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<CardWithTiers, CardError> {
    database::transaction(pool, |conn| {
        async move {
            let card = catalog::lock_card(conn, partner_id, card_id)
                .await?
                .ok_or(CardError::NotFound)?;
            let tiers = catalog::tiers_of_card(conn, partner_id, card_id).await?;
            let before = card_json(&CardWithTiers {
                card: card.clone(),
                tiers: tiers.clone(),
            });
            let moved = input
                .club_id
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .is_some_and(|t| t != card.club_id.to_string());
            let checked = validate(&Base::of(&card, &tiers)?, input);
            let valid = match (moved, checked) {
                (false, Ok(valid)) => valid,
                (moved, checked) => {
                    let mut all = Vec::new();
                    if moved {
                        all.push(FieldError {
                            field: "club_id".into(),
                            message: "A card stays in its club: create a new card in the \
                                      other club instead."
                                .into(),
                        });
                    }
                    all.extend(checked.err().unwrap_or_default());
                    return Err(CardError::Invalid(all));
                }
            };
            if valid.rule.currency().code() != card.currency
                && catalog::card_has_wallets(conn, partner_id, card_id).await?
            {
                return Err(refused(
                    "currency",
                    format!(
                        "Members already collect points on this card in {}, so its currency \
                         cannot change. Create a new card for another currency.",
                        card.currency
                    ),
                ));
            }
            let rules = CardRules {
                name: &valid.name,
                rule: &valid.rule,
                active: valid.active,
            };
            let new_tiers = input.tiers.as_ref().map(|_| valid.tiers.as_slice());
            let saved =
                catalog::update_card_and_tiers(conn, partner_id, card_id, &rules, new_tiers, now)
                    .await?
                    .ok_or(CardError::NotFound)?;
            let changes = changes(&before, &card_json(&saved));
            if !changes.is_empty() {
                activity::record(
                    conn,
                    &NewActivity {
                        partner_id,
                        actor,
                        action: "card_changed",
                        subject: Some(&saved.card.name),
                        details: json!({ "card_id": saved.card.id.to_string(), "changes": changes }),
                        now,
                    },
                )
                .await?;
            }
            Ok(saved)
        }
        .scope_boxed()
    })
    .await
}

/// `{field: {"from", "to"}}` for every field that differs (times left out).
fn changes(before: &Value, after: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let (Some(before), Some(after)) = (before.as_object(), after.as_object()) else {
        return out;
    };
    for (field, to) in after {
        if field == "updated_at" || field == "created_at" {
            continue;
        }
        let from = before.get(field).cloned().unwrap_or(Value::Null);
        if &from != to {
            out.insert(field.clone(), json!({ "from": from, "to": to }));
        }
    }
    out
}

/// The saved rules and tiers as the ledger uses them.
pub fn rules_of(card: &CardWithTiers) -> Result<(EarnRule, Vec<Tier>), LedgerError> {
    let rule = card.card.earn_rule()?;
    let tiers = card
        .tiers
        .iter()
        .map(|t| t.tier())
        .collect::<Result<Vec<_>, _>>()?;
    Ok((rule, tiers))
}

/// An amount with at least the currency's minor units, exactly: `1.00`, `49.999`.
pub fn money_text(amount: &BigDecimal, currency: &str) -> String {
    Currency::parse(currency)
        .ok()
        .and_then(|c| Money::new(amount.clone(), c).ok())
        .map(|m| m.to_exact_string())
        .unwrap_or_else(|| amount.to_plain_string())
}

/// A multiplier without trailing zeros: `1.5`, `2`.
pub fn multiplier_text(multiplier: &BigDecimal) -> String {
    multiplier.normalized().to_plain_string()
}

/// The card as the API shows it (SPEC §8): ids as strings, money as decimal strings with
/// the currency's minor units, multipliers as decimal strings.
pub fn card_json(found: &CardWithTiers) -> Value {
    let card = &found.card;
    let money = |amount: &BigDecimal| money_text(amount, &card.currency);
    json!({
        "id": card.id.to_string(),
        "club_id": card.club_id.to_string(),
        "name": card.name,
        "currency": card.currency,
        "points_per_unit": card.points_per_unit,
        "unit_amount": money(&card.unit_amount),
        "rounding": card.rounding,
        "min_purchase_amount": money(&card.min_purchase_amount),
        "min_points_per_purchase": card.min_points_per_purchase,
        "max_points_per_purchase": card.max_points_per_purchase,
        "welcome_bonus_points": card.welcome_bonus_points,
        "active": card.active,
        "tiers": found.tiers.iter().map(|t| json!({
            "name": t.name,
            "threshold": t.threshold,
            "multiplier": multiplier_text(&t.multiplier),
        })).collect::<Vec<_>>(),
        "created_at": card.created_at.format(&Rfc3339).ok(),
        "updated_at": card.updated_at.format(&Rfc3339).ok(),
    })
}
