//! Recording a counter purchase: member (created for a new email), wallet, the purchase
//! and welcome-bonus entries, the points email and the activity log, in one transaction.

use database::activity::{self, Actor, NewActivity};
use database::catalog::Card;
use database::members::{self, Member, NewMember};
use database::posting::{self, Entry, EntrySource, PostingError};
use database::{wallets, DbError, ScopedFutureExt};
use identity::KeyRing;
use ledger::Channel;
use time::OffsetDateTime;

use super::input::{self, MemberRef};
use super::{card_with_tiers, currency_of, email, find_customer, quote, CounterError};
use super::{CounterRequest, Customer};
use crate::usecases::earn::{self, EarnError, Purchase};

/// Who records the purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorder {
    /// Staff or the owner, on the counter page.
    PartnerUser(i64),
    /// The partner's software, with an API token.
    ApiToken(i64),
}

/// A purchase to record.
#[derive(Debug, Clone)]
pub struct Recording<'a> {
    pub request: CounterRequest<'a>,
    /// Free text kept with the entry (a receipt number); at most 200 characters.
    pub reference: &'a str,
    /// For a new customer only: their name (may be empty) and email language.
    pub new_name: &'a str,
    pub new_language: &'a str,
    pub by: Recorder,
    /// Unique per partner: the same key records one purchase (its bonus is `{key}:welcome`).
    pub idempotency_key: String,
    /// The total points the person was shown; a different total now refuses the purchase.
    pub expected_points: Option<i64>,
    /// Whether a purchase that earns nothing (below the card's minimum, or rounded to
    /// zero) is recorded anyway, as the partner's till software may want; the counter
    /// page never posts an empty entry.
    pub record_without_points: bool,
    pub keys: &'a KeyRing,
    pub public_base_url: &'a str,
    /// Whether the points email may mention the store discount (the feature flag).
    pub store_discount: bool,
    pub now: OffsetDateTime,
}

/// A recorded purchase (or, replayed, the one recorded before under the same key).
#[derive(Debug, Clone)]
pub struct Recorded {
    pub card: Card,
    pub member: Member,
    /// The member did not exist before this purchase.
    pub member_created: bool,
    pub purchase: Entry,
    pub welcome_bonus: Option<Entry>,
    /// The tier whose multiplier applied.
    pub tier: Option<String>,
    pub replayed: bool,
}

impl Recorded {
    /// The entries, purchase first.
    pub fn entries(&self) -> Vec<&Entry> {
        std::iter::once(&self.purchase)
            .chain(self.welcome_bonus.as_ref())
            .collect()
    }

    /// The points the purchase added, welcome bonus included.
    pub fn points(&self) -> i64 {
        self.entries().iter().map(|e| e.applied_points).sum()
    }

    /// The wallet's balance after the purchase.
    pub fn balance(&self) -> i64 {
        self.welcome_bonus
            .as_ref()
            .unwrap_or(&self.purchase)
            .balance_after
    }
}

impl From<EarnError> for CounterError {
    fn from(e: EarnError) -> CounterError {
        match e {
            EarnError::Rule(e) | EarnError::Posting(PostingError::Refused(e)) => {
                CounterError::Rule(e)
            }
            EarnError::Posting(PostingError::IdempotencyKeyReused(_)) => CounterError::KeyReused,
            EarnError::Posting(PostingError::Db(e)) | EarnError::Db(e) => CounterError::Db(e),
            EarnError::Posting(PostingError::WalletNotFound) => {
                CounterError::Db(DbError::NotFound("wallet"))
            }
        }
    }
}

/// Records the purchase. The same idempotency key returns the purchase recorded first.
pub async fn record(
    pool: &database::Pool,
    recording: &Recording<'_>,
) -> Result<Recorded, CounterError> {
    // Everything that can be checked without the database is checked first.
    let member_ref = MemberRef::parse(recording.request.member)?;
    let reference = input::parse_reference(recording.reference)?;
    let name = input::parse_name(recording.new_name)?;
    let language = input::parse_language(recording.new_language)?;
    let r = recording;
    database::transaction(pool, |conn| {
        async move {
            let partner_id = r.request.partner_id;
            let (card, tiers) = card_with_tiers(conn, partner_id, r.request.card_id).await?;
            let currency = currency_of(&card)?;
            let amount = input::parse_amount(r.request.amount, currency, r.request.decimal_comma)?;
            let (member, member_created) =
                match find_customer(conn, partner_id, card.id, &member_ref).await? {
                    Customer::Known { member, .. } => (*member, false),
                    Customer::New { email } => {
                        let rng = ring::rand::SystemRandom::new();
                        let new = NewMember {
                            email: email.as_str(),
                            email_normalized: email.normalized(),
                            name: &name,
                            language: language.as_str(),
                            now: r.now,
                        };
                        members::find_or_create(conn, &new, || {
                            coupons::random_code(&rng, 8).unwrap_or_default()
                        })
                        .await?
                    }
                };
            let (wallet, _) =
                wallets::find_or_create(conn, partner_id, card.id, member.id, r.now).await?;
            let source = EntrySource {
                partner_user_id: match r.by {
                    Recorder::PartnerUser(id) => Some(id),
                    Recorder::ApiToken(_) => None,
                },
                reference: reference.clone(),
                ..EntrySource::default()
            };
            if let Some(first) = posting::find_by_key(conn, partner_id, &r.idempotency_key).await? {
                if first.wallet_id != wallet.id || first.reference != source.reference {
                    return Err(CounterError::KeyReused);
                }
                let bonus_key = format!("{}:welcome", r.idempotency_key);
                let welcome_bonus = posting::find_by_key(conn, partner_id, &bonus_key).await?;
                return Ok(Recorded {
                    tier: tier_of(&first),
                    card,
                    member,
                    member_created: false,
                    purchase: first,
                    welcome_bonus,
                    replayed: true,
                });
            }
            // The quote on the locked wallet is exactly what `earn` will post.
            let locked = wallets::lock_by_id(conn, partner_id, wallet.id)
                .await?
                .ok_or(CounterError::Db(DbError::NotFound("wallet")))?;
            let quoted = quote(&card, &tiers, Some(&locked), &amount)?;
            if !quoted.qualifies && !r.record_without_points {
                return Err(CounterError::BelowMinimum {
                    amount: format!("{amount}"),
                    minimum: format!(
                        "{} {}",
                        quoted
                            .breakdown
                            .below_minimum_purchase
                            .clone()
                            .unwrap_or_default(),
                        currency.code()
                    ),
                });
            }
            if quoted.total() == 0 && !r.record_without_points {
                return Err(CounterError::NoPoints);
            }
            if let Some(previewed) = r.expected_points {
                if previewed != quoted.total() {
                    return Err(CounterError::PointsChanged {
                        previewed,
                        now: quoted.total(),
                    });
                }
            }
            let earned = earn::earn(
                conn,
                &Purchase {
                    card: &card,
                    tiers: &tiers,
                    wallet_id: wallet.id,
                    locked_wallet: Some(&locked),
                    amount: &amount,
                    channel: Channel::Counter,
                    idempotency_key: r.idempotency_key.clone(),
                    source,
                    now: r.now,
                },
            )
            .await?;
            let recorded = Recorded {
                tier: tier_of(&earned.purchase),
                card,
                member,
                member_created,
                purchase: earned.purchase,
                welcome_bonus: earned.welcome_bonus,
                replayed: earned.replayed,
            };
            if !recorded.replayed {
                log_activity(conn, r, &recorded, &amount).await?;
                let business = database::partners::find(conn, partner_id)
                    .await?
                    .map(|p| p.name)
                    .unwrap_or_default();
                email::points_email(conn, r, &business, &recorded).await?;
            }
            Ok(recorded)
        }
        .scope_boxed()
    })
    .await
}

/// The tier named in the entry's stored breakdown.
fn tier_of(entry: &Entry) -> Option<String> {
    entry
        .rule
        .as_ref()
        .and_then(|r| serde_json::from_value::<ledger::Breakdown>(r.clone()).ok())
        .and_then(|b| b.tier)
}

async fn log_activity(
    conn: &mut database::Connection,
    r: &Recording<'_>,
    recorded: &Recorded,
    amount: &ledger::Money,
) -> Result<(), CounterError> {
    let actor = match r.by {
        Recorder::PartnerUser(id) => Actor::PartnerUser(id),
        Recorder::ApiToken(id) => Actor::ApiToken(id),
    };
    let subject = format!("Member {}", recorded.member.number);
    activity::record(
        conn,
        &NewActivity {
            partner_id: r.request.partner_id,
            actor,
            action: "counter_purchase",
            subject: Some(&subject),
            details: serde_json::json!({
                "card_id": recorded.card.id,
                "member_id": recorded.member.id,
                "member_number": recorded.member.number,
                "member_created": recorded.member_created,
                "amount": amount.to_exact_string(),
                "currency": amount.currency().code(),
                "points": recorded.purchase.applied_points,
                "welcome_bonus": recorded.welcome_bonus.as_ref().map(|e| e.applied_points).unwrap_or(0),
                "tier": recorded.tier,
                "entry_id": recorded.purchase.id,
                "reference": recorded.purchase.reference,
            }),
            now: r.now,
        },
    )
    .await?;
    Ok(())
}
