//! Redeeming points as a store coupon (SPEC §4): check the bounds, hold the points and
//! record the redemption in one transaction, then drive the issuance saga against the
//! store ([`drive`]); what stays unclear is finished by the [`worker`].
//!
//! No point is lost or spent twice: the hold and the redemption commit together before
//! the store is called; a definite refusal gives the points back with a
//! `redemption_reversal` entry; the saga never creates a second coupon while the first
//! may exist; an idempotency key and the wallet lock stop double clicks and two tabs.

pub mod drive;
mod finish;
pub mod offer;
pub mod worker;

use bigdecimal::BigDecimal;
use coupons::{CodePrefix, CouponCode, CouponInput, CouponTerms, Saga};
use database::activity::Actor;
use database::integrations::{Integration, Settings};
use database::members::Member;
use database::posting::{self, EntrySource, Posting, PostingError};
use database::redemptions::{self, NewRedemption, Redemption};
use database::{wallets, DbError, ScopedFutureExt};
use identity::KeyRing;
use ledger::{
    Channel, Currency, EntryKind, LedgerError, Money, Points, RedemptionRefusal, RedemptionRule,
};
use time::{Duration, OffsetDateTime};
use woo_client::WooApi;

pub use drive::Finished;

/// How long the request that created a redemption has before the worker may take over.
pub const INLINE_LEASE: Duration = Duration::minutes(2);

/// Who asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requester {
    Member,
    PartnerUser(i64),
    ApiToken(i64),
}

impl Requester {
    fn actor(self) -> Actor {
        match self {
            Requester::Member => Actor::Member,
            Requester::PartnerUser(id) => Actor::PartnerUser(id),
            Requester::ApiToken(id) => Actor::ApiToken(id),
        }
    }
}

/// A request to turn `points` of `member`'s wallet on the integration's card into a coupon.
#[derive(Debug, Clone)]
pub struct RedeemRequest<'a> {
    pub integration: &'a Integration,
    pub settings: &'a Settings,
    pub member: &'a Member,
    /// The partner's IANA timezone (the coupon's last day is a day on its calendar).
    pub timezone: &'a str,
    pub business_name: &'a str,
    pub points: i64,
    pub by: Requester,
    /// Unique per partner: the same key is the same redemption.
    pub idempotency_key: String,
    pub now: OffsetDateTime,
}

/// Why a redemption was refused before anything was deducted.
#[derive(Debug, thiserror::Error)]
pub enum RedeemError {
    #[error("Redeeming points is paused for this store. Try again later.")]
    Paused,
    #[error("This store is no longer connected, so points cannot be redeemed there.")]
    Disconnected,
    #[error("The points discount is switched off for this store.")]
    DiscountDisabled,
    #[error("This member has no points on the store's card yet.")]
    NoWallet,
    #[error("{}", refusal_message(.0))]
    Refused(RedemptionRefusal),
    #[error("This idempotency key was already used for another redemption.")]
    KeyReused,
    #[error("The coupon could not be prepared: {0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl RedeemError {
    /// The API's error code (SPEC §8).
    pub fn code(&self) -> &'static str {
        match self {
            RedeemError::Paused | RedeemError::Disconnected => "integration_paused",
            RedeemError::DiscountDisabled => "discount_disabled",
            RedeemError::NoWallet => "not_found",
            RedeemError::Refused(r) => r.code(),
            RedeemError::KeyReused => "idempotency_key_reused",
            RedeemError::Invalid(_) => "validation_failed",
            RedeemError::Db(_) => "internal",
        }
    }
}

fn refusal_message(r: &RedemptionRefusal) -> String {
    match r {
        RedemptionRefusal::NotPositive => "Enter a number of points greater than zero.".into(),
        RedemptionRefusal::BelowMinimum { min } => {
            format!("Redeem at least {} points at a time.", min.grouped())
        }
        RedemptionRefusal::AboveMaximum { max } => {
            format!("Redeem at most {} points at a time.", max.grouped())
        }
        RedemptionRefusal::InsufficientPoints { balance, .. } => format!(
            "There are not enough points: the balance is {}.",
            balance.grouped()
        ),
    }
}

/// The store's redemption rule from its settings.
pub fn rule_of(settings: &Settings, currency: &str) -> Result<RedemptionRule, RedeemError> {
    let currency = Currency::parse(currency).map_err(|e| RedeemError::Invalid(e.to_string()))?;
    let value = Money::new(settings.value_per_point.clone(), currency)
        .map_err(|e| RedeemError::Invalid(e.to_string()))?;
    RedemptionRule::new(value, settings.min_points, settings.max_points)
        .map_err(|e| RedeemError::Invalid(e.to_string()))
}

/// The currency of the store's coupons: the store's own, else the card's.
pub fn coupon_currency(integration: &Integration, card_currency: &str) -> String {
    integration
        .store_currency
        .clone()
        .unwrap_or_else(|| card_currency.to_owned())
}

/// Holds the points, records the redemption, and drives the saga as far as the store's
/// answers allow. A replay of the same idempotency key returns the first redemption.
pub async fn redeem(
    pool: &database::Pool,
    keys: &KeyRing,
    woo: &dyn WooApi,
    req: &RedeemRequest<'_>,
) -> Result<Finished, RedeemError> {
    match req.integration.status.as_str() {
        "active" => {}
        "paused" => return Err(RedeemError::Paused),
        _ => return Err(RedeemError::Disconnected),
    }
    if !req.settings.discount_enabled {
        return Err(RedeemError::DiscountDisabled);
    }
    let (redemption, fresh) = hold(pool, req).await?;
    if !fresh {
        return Ok(drive::current(redemption));
    }
    Ok(drive::drive(pool, keys, woo, redemption, req.now).await?)
}

/// The hold: the redemption row and its `redemption` entry, in one transaction.
async fn hold(
    pool: &database::Pool,
    req: &RedeemRequest<'_>,
) -> Result<(Redemption, bool), RedeemError> {
    let integration = req.integration;
    let partner_id = integration.partner_id;
    let mut conn = database::pool::get(pool).await?;
    if let Some(existing) =
        redemptions::find_by_key(&mut conn, partner_id, &req.idempotency_key).await?
    {
        return same_request(&mut conn, existing, req)
            .await
            .map(|r| (r, false));
    }
    let card = database::catalog::find_card(&mut conn, partner_id, integration.card_id)
        .await?
        .ok_or(RedeemError::NoWallet)?;
    drop(conn);
    let currency = coupon_currency(integration, &card.currency);
    let rule = rule_of(req.settings, &currency)?;
    let prefix = CodePrefix::parse(&req.settings.code_prefix)
        .map_err(|e| RedeemError::Invalid(e.to_string()))?;
    let rng = ring::rand::SystemRandom::new();
    let code =
        CouponCode::generate(&prefix, &rng).map_err(|e| RedeemError::Invalid(e.to_string()))?;
    let issue_offset = crate::timezone::offset_at(req.timezone, req.now);
    let valid_days = u32::try_from(req.settings.valid_days).unwrap_or(7);
    let expires_on = coupons::expires_on(req.now, issue_offset, valid_days)
        .map_err(|e| RedeemError::Invalid(e.to_string()))?;
    let last_moment = time::PrimitiveDateTime::new(expires_on, time::macros::time!(23:59:59))
        .assume_offset(issue_offset);
    let expiry_offset = crate::timezone::offset_at(req.timezone, last_moment);
    let points = req.points;
    let key = req.idempotency_key.clone();
    let email = req.member.email.clone();
    let member_id = req.member.id;
    let by = req.by;
    let now = req.now;
    let result = database::transaction(pool, |conn| {
        async move {
            let found = wallets::find(conn, partner_id, integration.card_id, member_id)
                .await?
                .ok_or(RedeemError::NoWallet)?;
            // The wallet is locked first: the redemption row's foreign key would otherwise
            // take a share lock that two concurrent holds then both try to upgrade.
            let wallet = wallets::lock_by_id(conn, partner_id, found.id)
                .await?
                .ok_or(RedeemError::NoWallet)?;
            let value = rule
                .check(Points::new(wallet.balance), Points::new(points))
                .map_err(RedeemError::Refused)?;
            let amount: BigDecimal = value.amount().clone();
            let (saga, _) = Saga::start(code.clone(), Saga::DEFAULT_MAX_ATTEMPTS);
            let doc = serde_json::json!({ "saga": saga });
            let new = NewRedemption {
                partner_id,
                integration_id: integration.id,
                wallet_id: wallet.id,
                points,
                amount: &amount,
                currency: &currency,
                code: code.as_str(),
                expires_on,
                requested_by: if by == Requester::Member {
                    "member"
                } else {
                    "partner"
                },
                partner_user_id: match by {
                    Requester::PartnerUser(id) => Some(id),
                    _ => None,
                },
                idempotency_key: &key,
                saga: &doc,
                next_attempt_at: now + INLINE_LEASE,
                created_at: now,
            };
            let (row, inserted) = redemptions::insert_or_find(conn, &new).await?;
            if !inserted {
                return Ok((row, false));
            }
            let terms = CouponTerms::new(&CouponInput {
                redemption_id: row.id,
                points: Points::new(points),
                value,
                member_email: email,
                issued_at: now,
                valid_days,
                issue_day_offset: issue_offset,
                expiry_day_offset: expiry_offset,
            })
            .map_err(|e| RedeemError::Invalid(e.to_string()))?;
            let hold = Posting {
                partner_id,
                wallet_id: wallet.id,
                kind: EntryKind::Redemption,
                channel: if by == Requester::Member {
                    Channel::WooCommerce
                } else {
                    Channel::Api
                },
                points: Points::new(-points),
                tier_points: Points::ZERO,
                idempotency_key: format!("redemption:{}", row.id),
                source: EntrySource {
                    integration_id: Some(integration.id),
                    redemption_id: Some(row.id),
                    partner_user_id: new.partner_user_id,
                    reference: Some(code.as_str().to_owned()),
                    ..EntrySource::default()
                },
                rule: None,
                now,
            };
            posting::post_in(conn, &hold).await.map_err(|e| match e {
                PostingError::Refused(LedgerError::InsufficientPoints { .. }) => {
                    RedeemError::Refused(RedemptionRefusal::InsufficientPoints {
                        balance: Points::new(wallet.balance),
                        requested: Points::new(points),
                    })
                }
                PostingError::Db(e) => RedeemError::Db(e),
                other => RedeemError::Invalid(other.to_string()),
            })?;
            let doc = serde_json::json!({ "saga": saga, "coupon": terms.request(&code) });
            let row = drive::save_doc(conn, &row, &doc).await?;
            database::activity::record(
                conn,
                &database::activity::NewActivity {
                    partner_id,
                    actor: by.actor(),
                    action: "redemption_requested",
                    subject: Some(code.as_str()),
                    details: serde_json::json!({
                        "redemption_id": row.id, "points": points,
                        "amount": amount.to_string(), "currency": row.currency,
                    }),
                    now,
                },
            )
            .await?;
            Ok::<_, RedeemError>((row, true))
        }
        .scope_boxed()
    })
    .await;
    match result {
        // Two requests with one key at the same moment: the other one won the insert.
        Err(RedeemError::Db(e)) if e.is_unique_violation() => {
            let mut conn = database::pool::get(pool).await?;
            let existing = redemptions::find_by_key(&mut conn, partner_id, &req.idempotency_key)
                .await?
                .ok_or(RedeemError::Db(e))?;
            same_request(&mut conn, existing, req)
                .await
                .map(|r| (r, false))
        }
        other => other,
    }
}

/// A replayed key must carry the same request: same store, member and points.
async fn same_request(
    conn: &mut database::Connection,
    existing: Redemption,
    req: &RedeemRequest<'_>,
) -> Result<Redemption, RedeemError> {
    let wallet = wallets::find_by_id(conn, existing.partner_id, existing.wallet_id).await?;
    let same_member = wallet.is_some_and(|w| w.member_id == req.member.id);
    if same_member && existing.points == req.points && existing.integration_id == req.integration.id
    {
        Ok(existing)
    } else {
        Err(RedeemError::KeyReused)
    }
}

/// The member a partner names (SPEC §8): an email if it contains `@`, a member number
/// if it is all digits, a member code otherwise. Deleted members are not found.
pub async fn find_member(
    pool: &database::Pool,
    reference: &str,
) -> Result<Option<Member>, DbError> {
    let reference = reference.trim();
    let mut conn = database::pool::get(pool).await?;
    let found = if reference.contains('@') {
        database::members::find_by_email(&mut conn, &reference.to_lowercase()).await?
    } else if !reference.is_empty() && reference.chars().all(|c| c.is_ascii_digit()) {
        match reference.parse::<i64>() {
            Ok(n) => database::members::find_by_number(&mut conn, n).await?,
            Err(_) => None,
        }
    } else {
        database::members::find_by_code(&mut conn, &reference.to_uppercase()).await?
    };
    Ok(found.filter(|m| m.deleted_at.is_none()))
}

/// The coupon's value as decimal text with the currency's minor units (`"50.00"`).
pub fn amount_text(r: &Redemption) -> String {
    let minor = ledger::Currency::parse(&r.currency)
        .map(|c| i64::from(c.minor_units()))
        .unwrap_or(2);
    r.amount.with_scale(minor).to_string()
}

/// The redemption as the API shows it (SPEC §8).
pub fn redemption_json(r: &Redemption) -> serde_json::Value {
    serde_json::json!({
        "id": r.id.to_string(),
        "code": r.code,
        "amount": amount_text(r),
        "currency": r.currency,
        "points": r.points,
        "expires_on": r.expires_on.to_string(),
        "status": r.status,
    })
}
