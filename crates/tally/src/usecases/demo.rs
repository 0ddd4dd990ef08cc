//! Demo data (`cargo xtask seed`): a partner, a club, a USD card (1 point per 1.00,
//! rounding down, welcome bonus 50), three members with some history, and an API token.
//! Running it again creates nothing twice, but issues a fresh token each time.

use bigdecimal::BigDecimal;
use database::catalog::{self, NewCard};
use database::members::{self, NewMember};
use database::partners::{self, NewPartner};
use database::posting::{self, EntrySource, Posting};
use database::tokens::{self, NewApiToken};
use database::{wallets, DbError, ScopedFutureExt};
use identity::{Email, KeyRing, Purpose};
use ledger::{Channel, Currency, EarnRule, EarnRuleParams, EntryKind, Money, Points, Rounding};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

use super::earn::{self, Purchase};

pub const PARTNER_EMAIL: &str = "owner@demo-coffee.test";
const PARTNER_NAME: &str = "Demo Coffee";
const CLUB_NAME: &str = "Demo Coffee Club";
const CARD_NAME: &str = "Coffee Card";

/// (email, name, purchases in USD)
const MEMBERS: [(&str, &str, &[&str]); 3] = [
    ("ann@example.com", "Ann Archer", &["25.00", "12.50"]),
    ("ben@example.com", "Ben Baker", &["8.99"]),
    (
        "cleo@example.com",
        "Cleo Clark",
        &["40.00", "3.75", "19.99"],
    ),
];

#[derive(Debug)]
pub struct Seeded {
    pub partner_id: i64,
    pub club_id: i64,
    pub card_id: i64,
    pub api_token: SecretString,
    pub partner_email: String,
}

impl Seeded {
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "partner_id": self.partner_id.to_string(),
            "club_id": self.club_id.to_string(),
            "card_id": self.card_id.to_string(),
            "api_token": self.api_token.expose_secret(),
            "partner_email": self.partner_email,
        })
        .to_string()
    }

    pub fn describe(&self, base_url: &str) -> String {
        format!(
            "Demo data ready.\n  partner {} (id {}), club id {}, card id {}\n  sign in at {base_url}/partner/login as {}\n  API token (shown once): {}",
            PARTNER_NAME,
            self.partner_id,
            self.club_id,
            self.card_id,
            self.partner_email,
            self.api_token.expose_secret()
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Earn(#[from] earn::EarnError),
    #[error(transparent)]
    Rule(#[from] ledger::LedgerError),
    #[error(transparent)]
    Posting(#[from] database::posting::PostingError),
    #[error("{0}")]
    Other(String),
}

pub async fn seed(
    pool: &database::Pool,
    keys: &KeyRing,
    now: OffsetDateTime,
) -> Result<Seeded, SeedError> {
    let token = identity::generate_token("tly_").map_err(|e| SeedError::Other(e.to_string()))?;
    let token_hash = keys
        .hash(Purpose::TokenHash, token.expose_secret().as_bytes())
        .map_err(|e| SeedError::Other(e.to_string()))?;
    let prefix: String = token.expose_secret().chars().take(8).collect();
    let owner = Email::parse(PARTNER_EMAIL).map_err(|e| SeedError::Other(e.to_string()))?;
    let usd = Currency::parse("USD")?;
    let rule = EarnRule::new(EarnRuleParams {
        currency: usd,
        points_per_unit: 1,
        unit_amount: BigDecimal::from(1),
        rounding: Rounding::Down,
        min_purchase_amount: BigDecimal::from(0),
        min_points_per_purchase: 0,
        max_points_per_purchase: None,
        welcome_bonus_points: 50,
    })?;

    let (partner_id, club_id, card_id) = database::transaction(pool, |conn| {
        async move {
            let existing = partners::users_by_email(conn, owner.normalized()).await?;
            let (partner_id, owner_id) = match existing.first() {
                Some(user) => (user.partner_id, user.id),
                None => {
                    let (partner, user) = partners::create_with_owner(
                        conn,
                        &NewPartner {
                            name: PARTNER_NAME,
                            business_email: owner.as_str(),
                            timezone: "UTC",
                            owner_email: owner.as_str(),
                            owner_email_normalized: owner.normalized(),
                            owner_name: "Dana Demo",
                            now,
                        },
                    )
                    .await?;
                    (partner.id, user.id)
                }
            };
            let club = catalog::find_or_create_club(conn, partner_id, CLUB_NAME, now).await?;
            let card = match catalog::cards_of_club(conn, partner_id, club.id)
                .await?
                .into_iter()
                .find(|c| c.name == CARD_NAME)
            {
                Some(card) => card,
                None => {
                    catalog::create_card(
                        conn,
                        &NewCard {
                            partner_id,
                            club_id: club.id,
                            name: CARD_NAME,
                            rule: &rule,
                            now,
                        },
                    )
                    .await?
                }
            };
            for (email, name, purchases) in MEMBERS {
                let email = Email::parse(email).map_err(|e| SeedError::Other(e.to_string()))?;
                let rng = ring::rand::SystemRandom::new();
                let (member, _) = members::find_or_create(
                    conn,
                    &NewMember {
                        email: email.as_str(),
                        email_normalized: email.normalized(),
                        name,
                        language: "en",
                        now,
                    },
                    || coupons::random_code(&rng, 8).unwrap_or_default(),
                )
                .await?;
                let (wallet, _) =
                    wallets::find_or_create(conn, partner_id, card.id, member.id, now).await?;
                for (i, amount) in purchases.iter().enumerate() {
                    let amount = Money::parse(amount, usd)?;
                    earn::earn(
                        conn,
                        &Purchase {
                            card: &card,
                            tiers: &[],
                            wallet_id: wallet.id,
                            locked_wallet: None,
                            amount: &amount,
                            channel: Channel::Counter,
                            idempotency_key: format!("demo:{}:purchase:{i}", member.id),
                            source: EntrySource {
                                partner_user_id: Some(owner_id),
                                reference: Some(format!("Demo receipt {}", i + 1)),
                                ..EntrySource::default()
                            },
                            now,
                        },
                    )
                    .await?;
                }
            }
            // One correction, so the history shows an adjustment too.
            if let Some(cleo) = members::find_by_email(conn, "cleo@example.com").await? {
                if let Some(wallet) = wallets::find(conn, partner_id, card.id, cleo.id).await? {
                    posting::post_in(
                        conn,
                        &Posting {
                            partner_id,
                            wallet_id: wallet.id,
                            kind: EntryKind::Adjustment,
                            channel: Channel::Counter,
                            points: Points::new(-5),
                            tier_points: Points::ZERO,
                            idempotency_key: format!("demo:{}:adjustment", cleo.id),
                            source: EntrySource {
                                partner_user_id: Some(owner_id),
                                note: Some("Spilled coffee, points corrected".into()),
                                ..EntrySource::default()
                            },
                            rule: None,
                            now,
                        },
                    )
                    .await?;
                }
            }
            tokens::create(
                conn,
                &NewApiToken {
                    partner_id,
                    name: "Demo token",
                    token_hash: &token_hash,
                    token_prefix: &prefix,
                    created_by: Some(owner_id),
                    now,
                },
            )
            .await?;
            Ok::<_, SeedError>((partner_id, club.id, card.id))
        }
        .scope_boxed()
    })
    .await?;
    Ok(Seeded {
        partner_id,
        club_id,
        card_id,
        api_token: token,
        partner_email: PARTNER_EMAIL.into(),
    })
}

/// Connects (or re-connects, with fresh credentials and webhook) the demo card to a store.
pub async fn connect_store(
    pool: &database::Pool,
    config: &crate::config::Config,
    woo: &dyn woo_client::WooApi,
    seeded: &Seeded,
    form: super::connect::ConnectForm,
    now: OffsetDateTime,
) -> Result<super::connect::Connected, SeedError> {
    let url = woo_client::StoreUrl::parse(&form.store_url)
        .map_err(|e| SeedError::Other(e.to_string()))?;
    let mut conn = database::pool::get(pool).await?;
    if let Some(old) = database::integrations::find_by_store(
        &mut conn,
        seeded.partner_id,
        seeded.club_id,
        url.as_str(),
    )
    .await?
    {
        if old.status != "disconnected" {
            database::integrations::set_status(
                &mut conn,
                old.partner_id,
                old.id,
                "disconnected",
                now,
            )
            .await?;
        }
    }
    drop(conn);
    let connected = super::connect::connect(
        pool,
        &config.keys,
        woo,
        &config.public_base_url,
        seeded.partner_id,
        database::activity::Actor::System,
        &form,
        now,
    )
    .await
    .map_err(|e| SeedError::Other(e.to_string()))?;
    // The demo store offers the points discount, from 50 points, so a demo member can
    // redeem at once.
    let mut conn = database::pool::get(pool).await?;
    let id = connected.integration.id;
    if let Some((_, current)) =
        database::integrations::find(&mut conn, seeded.partner_id, id).await?
    {
        let demo = database::integrations::Settings {
            discount_enabled: true,
            min_points: 50,
            ..current
        };
        database::integrations::update_settings(&mut conn, seeded.partner_id, id, &demo).await?;
    }
    Ok(connected)
}
