//! The counter (SPEC §2, §7, §8): recording an in-store purchase on a card, from the
//! dashboard's counter page or the partner's till software through the API.
//!
//! The member is named by email, member number or member code. An unknown email becomes
//! a member with a wallet on the card, as at a real counter; a number or code must belong
//! to someone who already has a wallet with this partner. The amount is in the card's
//! currency. Points come from [`earn`](crate::usecases::earn::earn) with the `counter`
//! channel, so the member's tier multiplier applies (it never does online), the welcome
//! bonus comes once per wallet, and the same idempotency key records one purchase.
//!
//! [`preview`] answers "what would this purchase earn now?" with the same ledger code,
//! writing nothing; [`record`] posts it, with the points email and the activity log
//! entry, in one transaction.

mod email;
pub mod input;
mod record;

use database::catalog::{self, Card, CardTier};
use database::member_search::{self, MemberKey};
use database::members::Member;
use database::wallets::{self, Wallet};
use database::DbError;
use identity::Email;
use ledger::{Breakdown, Channel, Currency, LedgerError, Money, Points, Tier};

pub use input::{AmountError, MemberRef, MemberRefError, TextError};
pub use record::{record, Recorded, Recorder, Recording};

/// What the counter is asked about: a card, a member and an amount, as typed.
#[derive(Debug, Clone, Copy)]
pub struct CounterRequest<'a> {
    pub partner_id: i64,
    pub card_id: i64,
    pub member: &'a str,
    pub amount: &'a str,
    /// Accept `12,50` for 12.50 (the dashboard does; the API takes plain decimals).
    pub decimal_comma: bool,
}

/// Why the counter did not preview or record a purchase.
#[derive(Debug, thiserror::Error)]
pub enum CounterError {
    #[error("This card was not found.")]
    CardNotFound,
    #[error("This card is not active, so it cannot collect points.")]
    CardInactive,
    #[error("{0}")]
    Member(#[from] MemberRefError),
    #[error("No member of yours has that member code or number.")]
    MemberNotFound,
    #[error("{0}")]
    Amount(#[from] AmountError),
    #[error("{0}")]
    Text(#[from] TextError),
    #[error("{amount} is below this card's minimum purchase of {minimum}: it earns no points, so nothing was recorded.")]
    BelowMinimum { amount: String, minimum: String },
    #[error("This purchase earns no points, so nothing was recorded.")]
    NoPoints,
    #[error("The points changed since the preview (from {previewed} to {now}): check them and confirm again.")]
    PointsChanged { previewed: i64, now: i64 },
    #[error("This idempotency key was already used for another purchase.")]
    KeyReused,
    #[error("The card's rules cannot be applied: {0}")]
    Rule(#[from] LedgerError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("{0}")]
    Internal(String),
}

impl CounterError {
    /// The API's error code (SPEC §8).
    pub fn code(&self) -> &'static str {
        match self {
            CounterError::CardNotFound | CounterError::MemberNotFound => "not_found",
            CounterError::CardInactive => "card_inactive",
            CounterError::Member(_) | CounterError::Amount(_) | CounterError::Text(_) => {
                "validation_failed"
            }
            CounterError::BelowMinimum { .. } | CounterError::NoPoints => "below_minimum",
            CounterError::PointsChanged { .. } => "points_changed",
            CounterError::KeyReused => "idempotency_key_reused",
            CounterError::Rule(_) | CounterError::Db(_) | CounterError::Internal(_) => {
                "internal_error"
            }
        }
    }

    /// The request field the error is about, when it is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CounterError::Member(_) | CounterError::MemberNotFound => Some("member"),
            CounterError::Amount(_)
            | CounterError::BelowMinimum { .. }
            | CounterError::NoPoints => Some("amount"),
            CounterError::Text(TextError::ReferenceTooLong) => Some("reference"),
            CounterError::Text(TextError::NameTooLong) => Some("name"),
            CounterError::Text(TextError::Language) => Some("language"),
            _ => None,
        }
    }
}

/// Who the purchase is for, as far as this partner may know.
#[derive(Debug, Clone)]
pub enum Customer {
    /// Someone with a wallet on one of the partner's cards; `wallet` is the one on this
    /// card, if they have joined it.
    Known {
        member: Box<Member>,
        wallet: Option<Wallet>,
    },
    /// An email the partner has not seen: recording creates the member (unless the
    /// address already has an account elsewhere, which stays private) and the wallet.
    New { email: Email },
}

impl Customer {
    pub fn wallet(&self) -> Option<&Wallet> {
        match self {
            Customer::Known { wallet, .. } => wallet.as_ref(),
            Customer::New { .. } => None,
        }
    }
}

/// What a purchase earns on a wallet now: the same ledger code [`record`] posts with.
#[derive(Debug, Clone)]
pub struct Quote {
    /// The tier whose multiplier applies (counter purchases only).
    pub tier: Option<Tier>,
    pub points: i64,
    /// False below the card's minimum purchase: no points, not a first purchase.
    pub qualifies: bool,
    pub breakdown: Breakdown,
    /// The welcome bonus this purchase would bring (the wallet's first qualifying one).
    pub welcome_bonus: i64,
}

impl Quote {
    /// Purchase points plus the welcome bonus.
    pub fn total(&self) -> i64 {
        self.points + self.welcome_bonus
    }
}

/// The points `amount` earns on `wallet` (none yet: a new wallet) at the counter.
pub fn quote(
    card: &Card,
    tiers: &[CardTier],
    wallet: Option<&Wallet>,
    amount: &Money,
) -> Result<Quote, CounterError> {
    let rule = card.earn_rule()?;
    let tiers = tiers
        .iter()
        .map(CardTier::tier)
        .collect::<Result<Vec<_>, _>>()?;
    let earned_so_far = wallet.map(|w| w.earned_points).unwrap_or(0);
    let tier = ledger::tier_for(&tiers, Points::new(earned_so_far)).cloned();
    let earned = rule.points_for(amount, Channel::Counter, tier.as_ref())?;
    let first = wallet.is_none_or(|w| w.first_purchase_at.is_none());
    let welcome_bonus = if earned.qualifies() && first {
        rule.welcome_bonus().get()
    } else {
        0
    };
    Ok(Quote {
        tier: earned.breakdown().multiplier.as_ref().and(tier),
        points: earned.points().get(),
        qualifies: earned.qualifies(),
        breakdown: earned.into_breakdown(),
        welcome_bonus,
    })
}

/// A purchase not recorded yet: who, how much, and what it would earn.
#[derive(Debug, Clone)]
pub struct Preview {
    pub card: Card,
    pub customer: Customer,
    pub amount: Money,
    /// The member's tier on the card now (shown even when the multiplier is 1).
    pub current_tier: Option<Tier>,
    /// Whether the card has tiers at all.
    pub has_tiers: bool,
    pub quote: Quote,
}

impl Preview {
    /// The balance before the purchase.
    pub fn balance(&self) -> i64 {
        self.customer.wallet().map(|w| w.balance).unwrap_or(0)
    }

    /// The balance after it.
    pub fn balance_after(&self) -> i64 {
        self.balance() + self.quote.total()
    }
}

/// The partner's active card `card_id` with its tiers.
pub async fn card_with_tiers(
    conn: &mut database::Connection,
    partner_id: i64,
    card_id: i64,
) -> Result<(Card, Vec<CardTier>), CounterError> {
    let card = catalog::find_card(conn, partner_id, card_id)
        .await?
        .ok_or(CounterError::CardNotFound)?;
    if !card.active {
        return Err(CounterError::CardInactive);
    }
    let tiers = catalog::tiers_of_card(conn, partner_id, card_id).await?;
    Ok((card, tiers))
}

/// Finds the customer `member` names, as the partner may see them.
pub async fn find_customer(
    conn: &mut database::Connection,
    partner_id: i64,
    card_id: i64,
    member: &MemberRef,
) -> Result<Customer, CounterError> {
    let key = match member {
        MemberRef::Email(email) => MemberKey::Email(email.normalized()),
        MemberRef::Number(number) => MemberKey::Number(*number),
        MemberRef::Code(code) => MemberKey::Code(code),
    };
    // Only someone with a wallet on one of the partner's cards is the partner's member.
    match (member_search::find(conn, partner_id, key).await?, member) {
        (Some(found), _) => {
            let wallet = wallets::find(conn, partner_id, card_id, found.id).await?;
            Ok(Customer::Known {
                member: Box::new(found),
                wallet,
            })
        }
        (None, MemberRef::Email(email)) => Ok(Customer::New {
            email: email.clone(),
        }),
        (None, _) => Err(CounterError::MemberNotFound),
    }
}

/// What the purchase in `request` would earn now, writing nothing.
pub async fn preview(
    pool: &database::Pool,
    request: &CounterRequest<'_>,
) -> Result<Preview, CounterError> {
    let mut conn = database::pool::get(pool).await?;
    let (card, tiers) = card_with_tiers(&mut conn, request.partner_id, request.card_id).await?;
    let member = MemberRef::parse(request.member)?;
    let customer = find_customer(&mut conn, request.partner_id, card.id, &member).await?;
    let amount = input::parse_amount(request.amount, currency_of(&card)?, request.decimal_comma)?;
    let quote = quote(&card, &tiers, customer.wallet(), &amount)?;
    let current_tier = current_tier(&tiers, customer.wallet())?;
    Ok(Preview {
        card,
        customer,
        amount,
        current_tier,
        has_tiers: !tiers.is_empty(),
        quote,
    })
}

/// Who a member is on a card: for the counter's "who is this?" when the amount is
/// missing or wrong.
#[derive(Debug, Clone)]
pub struct Found {
    pub customer: Customer,
    pub tier: Option<Tier>,
    /// Whether the card has tiers at all.
    pub has_tiers: bool,
}

/// Looks up who `member` is on the card.
pub async fn look_up(
    pool: &database::Pool,
    partner_id: i64,
    card_id: i64,
    member: &str,
) -> Result<Found, CounterError> {
    let mut conn = database::pool::get(pool).await?;
    let (card, tiers) = card_with_tiers(&mut conn, partner_id, card_id).await?;
    let member = MemberRef::parse(member)?;
    let customer = find_customer(&mut conn, partner_id, card.id, &member).await?;
    let tier = current_tier(&tiers, customer.wallet())?;
    Ok(Found {
        customer,
        tier,
        has_tiers: !tiers.is_empty(),
    })
}

/// The member's tier on the card now.
pub fn current_tier(
    tiers: &[CardTier],
    wallet: Option<&Wallet>,
) -> Result<Option<Tier>, CounterError> {
    let tiers = tiers
        .iter()
        .map(CardTier::tier)
        .collect::<Result<Vec<_>, _>>()?;
    let earned = Points::new(wallet.map(|w| w.earned_points).unwrap_or(0));
    Ok(ledger::tier_for(&tiers, earned).cloned())
}

/// The card's currency.
pub fn currency_of(card: &Card) -> Result<Currency, CounterError> {
    Ok(Currency::parse(&card.currency)?)
}

/// The partner's card `card_id`, active or not.
pub async fn find_card(
    pool: &database::Pool,
    partner_id: i64,
    card_id: i64,
) -> Result<Option<Card>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    catalog::find_card(&mut conn, partner_id, card_id).await
}

/// The partner's active cards, for choosing one at the counter.
pub async fn active_cards(pool: &database::Pool, partner_id: i64) -> Result<Vec<Card>, DbError> {
    let mut conn = database::pool::get(pool).await?;
    let cards = catalog::cards_of_partner(&mut conn, partner_id).await?;
    Ok(cards.into_iter().filter(|c| c.active).collect())
}
