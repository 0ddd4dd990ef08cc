//! Fixtures shared by the database tests.
#![allow(dead_code)]

use bigdecimal::BigDecimal;
use database::catalog::{self, Card, NewCard};
use database::members::{self, NewMember};
use database::partners::{self, NewPartner};
use database::testing::TestDatabase;
use database::{pool, wallets};
use ledger::{Currency, EarnRule, EarnRuleParams, Rounding};
use time::OffsetDateTime;

#[derive(Debug)]
pub struct World {
    pub db: TestDatabase,
    pub partner_id: i64,
    pub card: Card,
    pub member_id: i64,
    pub wallet_id: i64,
}

pub fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-11-23 12:00 UTC)
}

pub fn usd_rule() -> EarnRule {
    EarnRule::new(EarnRuleParams {
        currency: Currency::parse("USD").unwrap(),
        points_per_unit: 1,
        unit_amount: BigDecimal::from(1),
        rounding: Rounding::Down,
        min_purchase_amount: BigDecimal::from(0),
        min_points_per_purchase: 0,
        max_points_per_purchase: None,
        welcome_bonus_points: 50,
    })
    .unwrap()
}

/// A partner with a club, a USD card, and one member with an empty wallet.
pub async fn world() -> World {
    let db = TestDatabase::new().await;
    let mut conn = pool::get(db.pool()).await.unwrap();
    let (partner, _) = partners::create_with_owner(
        &mut conn,
        &NewPartner {
            name: "Corner Café",
            business_email: "owner@corner.test",
            timezone: "Europe/Amsterdam",
            owner_email: "owner@corner.test",
            owner_email_normalized: "owner@corner.test",
            owner_name: "Olga",
            now: now(),
        },
    )
    .await
    .unwrap();
    let club = catalog::find_or_create_club(&mut conn, partner.id, "Café club", now())
        .await
        .unwrap();
    let rule = usd_rule();
    let card = catalog::create_card(
        &mut conn,
        &NewCard {
            partner_id: partner.id,
            club_id: club.id,
            name: "Coffee card",
            rule: &rule,
            now: now(),
        },
    )
    .await
    .unwrap();
    let (member, created) = members::find_or_create(
        &mut conn,
        &NewMember {
            email: "Ann@Example.com",
            email_normalized: "ann@example.com",
            name: "Ann",
            language: "en",
            now: now(),
        },
        || "ANNC2DE3".to_string(),
    )
    .await
    .unwrap();
    assert!(created);
    let (wallet, _) = wallets::find_or_create(&mut conn, partner.id, card.id, member.id, now())
        .await
        .unwrap();
    drop(conn);
    World {
        db,
        partner_id: partner.id,
        card,
        member_id: member.id,
        wallet_id: wallet.id,
    }
}
