//! Awarding an order's points (and the welcome bonus on the wallet's first purchase).

use database::awards::{self, NewOrderAward, OrderAward};
use database::catalog::Card;
use database::members::{self, NewMember};
use database::partners::Partner;
use database::posting::EntrySource;
use database::wallets;
use ledger::{Channel, Currency, Money};

use super::{emails, Decision, OrderContext, OrderError, Outcome};
use crate::usecases::earn::{self, Purchase};
use webhook::OrderEvent;

pub(super) enum Awarded {
    Done {
        decision: Decision,
        award: Box<OrderAward>,
    },
    Not(Decision),
}

pub(super) async fn award(
    conn: &mut database::Connection,
    ctx: &OrderContext<'_>,
    card: &Card,
    partner: &Partner,
    order: &OrderEvent,
    known_member: Option<Option<members::Member>>,
) -> Result<Awarded, OrderError> {
    let integration = ctx.integration;
    let Some(raw_email) = order.billing().email() else {
        return Ok(Awarded::Not(Decision::new(
            Outcome::Skipped,
            "Guest checkout without an email address: nobody to give points to.",
            0,
        )));
    };
    let Ok(email) = identity::Email::parse(raw_email) else {
        return Ok(Awarded::Not(Decision::new(
            Outcome::Skipped,
            "The billing email address is not valid: nobody to give points to.",
            0,
        )));
    };
    if !order.currency().eq_ignore_ascii_case(&card.currency) {
        return Ok(Awarded::Not(Decision::new(
            Outcome::Skipped,
            format!(
                "Order currency {} differs from the card's currency {}: no points.",
                order.currency(),
                card.currency
            ),
            0,
        )));
    }
    let currency = Currency::parse(&card.currency)?;
    let total = Money::parse(order.total(), currency)?;
    let name = format!(
        "{} {}",
        order.billing().first_name().trim(),
        order.billing().last_name().trim()
    )
    .trim()
    .to_owned();
    let rng = ring::rand::SystemRandom::new();
    let new_member = NewMember {
        email: email.as_str(),
        email_normalized: email.normalized(),
        name: &name,
        language: &ctx.settings.email_language,
        now: ctx.now,
    };
    let (member, member_created) =
        members::find_or_create_known(conn, &new_member, known_member, || {
            coupons::random_code(&rng, 8).unwrap_or_default()
        })
        .await?;
    let (wallet, created) =
        wallets::find_or_create(conn, integration.partner_id, card.id, member.id, ctx.now).await?;
    let order_id = order.id().to_string();
    let earned = earn::earn(
        conn,
        &Purchase {
            card,
            tiers: &[],
            wallet_id: wallet.id,
            locked_wallet: created.then_some(&wallet),
            amount: &total,
            channel: Channel::WooCommerce,
            idempotency_key: format!("woo:{}:{}", integration.id, order_id),
            source: EntrySource {
                integration_id: Some(integration.id),
                order_id: Some(order_id.clone()),
                reference: order.number().map(String::from),
                ..EntrySource::default()
            },
            now: ctx.now,
        },
    )
    .await?;
    let points = earned.purchase.applied_points;
    let bonus = earned
        .welcome_bonus
        .as_ref()
        .map(|e| e.applied_points)
        .unwrap_or(0);
    let award = awards::insert(
        conn,
        &NewOrderAward {
            partner_id: integration.partner_id,
            integration_id: integration.id,
            order_id: &order_id,
            wallet_id: wallet.id,
            order_total: total.amount(),
            currency: currency.code(),
            points_awarded: points,
            welcome_bonus_points: bonus,
            now: ctx.now,
        },
    )
    .await?;
    let balance = earned
        .welcome_bonus
        .as_ref()
        .map(|e| e.balance_after)
        .unwrap_or(earned.purchase.balance_after);
    let email = emails::after_award(
        conn,
        ctx,
        &emails::Award {
            partner,
            card,
            member: &member,
            member_created,
            order_id: order_id.clone(),
            points,
            bonus,
            balance,
            order_reference: order.number().map(String::from),
        },
    )
    .await?;
    let breakdown = earned
        .purchase
        .rule
        .as_ref()
        .and_then(|r| serde_json::from_value::<ledger::Breakdown>(r.clone()).ok())
        .map(|b| b.explain())
        .unwrap_or_default();
    let mut reason = if bonus > 0 {
        format!("Awarded {points} points and the {bonus}-point welcome bonus.")
    } else {
        format!("Awarded {points} points.")
    };
    if member_created {
        reason.push_str(" New member created and joined the card.");
    }
    if !breakdown.is_empty() {
        reason.push(' ');
        reason.push_str(&breakdown);
    }
    Ok(Awarded::Done {
        decision: Decision {
            email,
            ..Decision::new(Outcome::Processed, reason, points + bonus)
        },
        award: Box::new(award),
    })
}
