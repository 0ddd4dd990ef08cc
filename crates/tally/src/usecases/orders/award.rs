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

/// What an order that can earn brings: the member's email and name, and its total.
pub(super) struct Checked {
    pub email: identity::Email,
    pub name: String,
    pub total: Money,
}

impl Checked {
    pub fn new_member<'a>(&'a self, ctx: &'a OrderContext<'_>) -> NewMember<'a> {
        NewMember {
            email: self.email.as_str(),
            email_normalized: self.email.normalized(),
            name: &self.name,
            language: &ctx.settings.email_language,
            now: ctx.now,
        }
    }
}

/// Whether the order can earn on this card: an email to give points to, the card's
/// currency, a total the ledger reads. `Err` holds the decision when it cannot.
pub(super) fn check(
    card: &Card,
    order: &OrderEvent,
) -> Result<Result<Checked, Decision>, OrderError> {
    let Some(raw_email) = order.billing().email() else {
        return Ok(Err(Decision::new(
            Outcome::Skipped,
            "Guest checkout without an email address: nobody to give points to.",
            0,
        )));
    };
    let Ok(email) = identity::Email::parse(raw_email) else {
        return Ok(Err(Decision::new(
            Outcome::Skipped,
            "The billing email address is not valid: nobody to give points to.",
            0,
        )));
    };
    if !order.currency().eq_ignore_ascii_case(&card.currency) {
        return Ok(Err(Decision::new(
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
    Ok(Ok(Checked { email, name, total }))
}

/// A new member code.
pub(super) fn draw_code(rng: &ring::rand::SystemRandom) -> String {
    coupons::random_code(rng, 8).unwrap_or_default()
}

/// The purchase an order makes on the member's wallet.
pub(super) fn purchase<'a>(
    ctx: &OrderContext<'_>,
    card: &'a Card,
    wallet: &'a wallets::Wallet,
    created: bool,
    total: &'a Money,
    order: &OrderEvent,
) -> Purchase<'a> {
    let order_id = order.id().to_string();
    Purchase {
        card,
        tiers: &[],
        wallet_id: wallet.id,
        locked_wallet: created.then_some(wallet),
        amount: total,
        channel: Channel::WooCommerce,
        idempotency_key: format!("woo:{}:{}", ctx.integration.id, order_id),
        source: EntrySource {
            integration_id: Some(ctx.integration.id),
            order_id: Some(order_id),
            reference: order.number().map(String::from),
            ..EntrySource::default()
        },
        now: ctx.now,
    }
}

/// The award row for an order that earned `points` and `bonus`.
pub(super) fn new_award<'a>(
    ctx: &OrderContext<'_>,
    order_id: &'a str,
    wallet_id: i64,
    total: &'a Money,
    points: i64,
    bonus: i64,
) -> NewOrderAward<'a> {
    NewOrderAward {
        partner_id: ctx.integration.partner_id,
        integration_id: ctx.integration.id,
        order_id,
        wallet_id,
        order_total: total.amount(),
        currency: total.currency().code(),
        points_awarded: points,
        welcome_bonus_points: bonus,
        now: ctx.now,
    }
}

/// What an awarded order did, for its email and its sentence.
pub(super) struct Outcomes<'a> {
    pub member: &'a members::Member,
    pub member_created: bool,
    pub points: i64,
    pub bonus: i64,
    pub balance: i64,
    /// How the points were computed, in words.
    pub breakdown: String,
}

/// The decision on an awarded order: its email (queued by the caller) and its sentence.
pub(super) async fn decided(
    conn: &mut database::Connection,
    ctx: &OrderContext<'_>,
    card: &Card,
    partner: &Partner,
    order: &OrderEvent,
    done: &Outcomes<'_>,
) -> Result<Decision, OrderError> {
    let (points, bonus) = (done.points, done.bonus);
    let email = emails::after_award(
        conn,
        ctx,
        &emails::Award {
            partner,
            card,
            member: done.member,
            member_created: done.member_created,
            order_id: order.id().to_string(),
            points,
            bonus,
            balance: done.balance,
            order_reference: order.number().map(String::from),
        },
    )
    .await?;
    let mut reason = if bonus > 0 {
        format!("Awarded {points} points and the {bonus}-point welcome bonus.")
    } else {
        format!("Awarded {points} points.")
    };
    if done.member_created {
        reason.push_str(" New member created and joined the card.");
    }
    if !done.breakdown.is_empty() {
        reason.push(' ');
        reason.push_str(&done.breakdown);
    }
    Ok(Decision {
        email,
        ..Decision::new(Outcome::Processed, reason, points + bonus)
    })
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
    let checked = match check(card, order)? {
        Ok(checked) => checked,
        Err(decision) => return Ok(Awarded::Not(decision)),
    };
    let rng = ring::rand::SystemRandom::new();
    let (member, member_created) =
        members::find_or_create_known(conn, &checked.new_member(ctx), known_member, || {
            draw_code(&rng)
        })
        .await?;
    let (wallet, created) =
        wallets::find_or_create(conn, integration.partner_id, card.id, member.id, ctx.now).await?;
    let order_id = order.id().to_string();
    let earned = earn::earn(
        conn,
        &purchase(ctx, card, &wallet, created, &checked.total, order),
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
        &new_award(ctx, &order_id, wallet.id, &checked.total, points, bonus),
    )
    .await?;
    let balance = earned
        .welcome_bonus
        .as_ref()
        .map(|e| e.balance_after)
        .unwrap_or(earned.purchase.balance_after);
    let breakdown = earned
        .purchase
        .rule
        .as_ref()
        .and_then(|r| serde_json::from_value::<ledger::Breakdown>(r.clone()).ok())
        .map(|b| b.explain())
        .unwrap_or_default();
    let done = Outcomes {
        member: &member,
        member_created,
        points,
        bonus,
        balance,
        breakdown,
    };
    let decision = decided(conn, ctx, card, partner, order, &done).await?;
    Ok(Awarded::Done {
        decision,
        award: Box::new(award),
    })
}
