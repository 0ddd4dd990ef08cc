//! Earning from a purchase against a real PostgreSQL: welcome bonus once, replays,
//! tiers on counter purchases only, the rule stored with the entry.

use bigdecimal::BigDecimal;
use database::catalog::{self, Card, CardTier, NewCard};
use database::members::{self, NewMember};
use database::partners::{self, NewPartner};
use database::posting::EntrySource;
use database::testing::TestDatabase;
use database::{pool, wallets, ScopedFutureExt};
use ledger::{Channel, Currency, EarnRule, EarnRuleParams, Money, Rounding};
use tally::usecases::earn::{self, EarnError, Earned, Purchase};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

struct Shop {
    db: TestDatabase,
    card: Card,
    wallet_id: i64,
}

async fn shop(min_purchase: &str) -> Shop {
    let db = TestDatabase::new().await;
    let mut conn = pool::get(db.pool()).await.unwrap();
    let (partner, _) = partners::create_with_owner(
        &mut conn,
        &NewPartner {
            name: "Salon Sol",
            business_email: "sol@salon.test",
            timezone: "UTC",
            owner_email: "sol@salon.test",
            owner_email_normalized: "sol@salon.test",
            owner_name: "Sol",
            now: NOW,
        },
    )
    .await
    .unwrap();
    let club = catalog::find_or_create_club(&mut conn, partner.id, "Sol club", NOW)
        .await
        .unwrap();
    let rule = EarnRule::new(EarnRuleParams {
        currency: Currency::parse("EUR").unwrap(),
        points_per_unit: 1,
        unit_amount: BigDecimal::from(1),
        rounding: Rounding::Nearest,
        min_purchase_amount: min_purchase.parse().unwrap(),
        min_points_per_purchase: 0,
        max_points_per_purchase: None,
        welcome_bonus_points: 50,
    })
    .unwrap();
    let card = catalog::create_card(
        &mut conn,
        &NewCard {
            partner_id: partner.id,
            club_id: club.id,
            name: "Sol card",
            rule: &rule,
            now: NOW,
        },
    )
    .await
    .unwrap();
    let (member, _) = members::find_or_create(
        &mut conn,
        &NewMember {
            email: "mia@example.com",
            email_normalized: "mia@example.com",
            name: "Mia",
            language: "nl",
            now: NOW,
        },
        || "MYAC2DE3".into(),
    )
    .await
    .unwrap();
    let (wallet, created) = wallets::find_or_create(&mut conn, partner.id, card.id, member.id, NOW)
        .await
        .unwrap();
    assert!(created);
    Shop {
        db,
        card,
        wallet_id: wallet.id,
    }
}

fn gold(card: &Card) -> CardTier {
    CardTier {
        partner_id: card.partner_id,
        id: 1,
        card_id: card.id,
        name: "Gold".into(),
        threshold: 0,
        multiplier: "2".parse().unwrap(),
    }
}

async fn buy(
    shop: &Shop,
    amount: &str,
    channel: Channel,
    key: &str,
    tiers: &[CardTier],
) -> Result<Earned, EarnError> {
    let money = Money::parse(amount, Currency::parse("EUR").unwrap()).unwrap();
    let card = shop.card.clone();
    let tiers = tiers.to_vec();
    let wallet_id = shop.wallet_id;
    let key = key.to_owned();
    database::transaction(shop.db.pool(), |conn| {
        async move {
            earn::earn(
                conn,
                &Purchase {
                    card: &card,
                    tiers: &tiers,
                    wallet_id,
                    locked_wallet: None,
                    amount: &money,
                    channel,
                    idempotency_key: key,
                    source: EntrySource::default(),
                    now: NOW,
                },
            )
            .await
        }
        .scope_boxed()
    })
    .await
}

async fn balance(shop: &Shop) -> i64 {
    let mut conn = pool::get(shop.db.pool()).await.unwrap();
    wallets::find_by_id(&mut conn, shop.card.partner_id, shop.wallet_id)
        .await
        .unwrap()
        .unwrap()
        .balance
}

#[tokio::test]
async fn the_first_purchase_earns_the_welcome_bonus_as_its_own_entry_once() {
    let shop = shop("0").await;
    let first = buy(&shop, "12.50", Channel::Counter, "t1", &[])
        .await
        .unwrap();
    assert_eq!(first.purchase.points, 13, "12.50 rounded to nearest");
    let bonus = first
        .welcome_bonus
        .expect("welcome bonus on the first purchase");
    assert_eq!((bonus.kind.as_str(), bonus.points), ("welcome_bonus", 50));
    let second = buy(&shop, "3.00", Channel::Counter, "t2", &[])
        .await
        .unwrap();
    assert!(second.welcome_bonus.is_none());
    assert_eq!(balance(&shop).await, 13 + 50 + 3);
}

#[tokio::test]
async fn replaying_a_purchase_returns_the_same_entries_and_credits_nothing() {
    let shop = shop("0").await;
    let first = buy(&shop, "20.00", Channel::WooCommerce, "order-9", &[])
        .await
        .unwrap();
    let again = buy(&shop, "20.00", Channel::WooCommerce, "order-9", &[])
        .await
        .unwrap();
    assert!(again.replayed);
    assert_eq!(again.purchase, first.purchase);
    assert_eq!(again.welcome_bonus, first.welcome_bonus);
    assert_eq!(balance(&shop).await, 70);
}

#[tokio::test]
async fn a_purchase_below_the_minimum_earns_nothing_and_is_not_the_first_purchase() {
    let shop = shop("10.00").await;
    let small = buy(&shop, "9.99", Channel::Counter, "s1", &[])
        .await
        .unwrap();
    assert_eq!(small.purchase.points, 0);
    assert!(small.welcome_bonus.is_none());
    let real = buy(&shop, "10.00", Channel::Counter, "s2", &[])
        .await
        .unwrap();
    assert_eq!(real.purchase.points, 10);
    assert!(
        real.welcome_bonus.is_some(),
        "the first qualifying purchase carries the bonus"
    );
}

#[tokio::test]
async fn tier_multipliers_apply_at_the_counter_but_never_online() {
    let shop = shop("0").await;
    let tiers = [gold(&shop.card)];
    let counter = buy(&shop, "10.00", Channel::Counter, "c1", &tiers)
        .await
        .unwrap();
    assert_eq!(counter.purchase.points, 20);
    let online = buy(&shop, "10.00", Channel::WooCommerce, "w1", &tiers)
        .await
        .unwrap();
    assert_eq!(online.purchase.points, 10);
}

#[tokio::test]
async fn the_rule_is_stored_with_the_entry_and_explains_the_points() {
    let shop = shop("0").await;
    let earned = buy(&shop, "41.60", Channel::Counter, "r1", &[])
        .await
        .unwrap();
    let stored: ledger::Breakdown =
        serde_json::from_value(earned.purchase.rule.clone().expect("rule stored")).unwrap();
    assert_eq!(stored.points.get(), 42);
    let sentence = stored.explain();
    assert!(
        sentence.contains("41.60") && sentence.contains("42 points"),
        "{sentence}"
    );
}
