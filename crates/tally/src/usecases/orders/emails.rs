//! The email after an award: welcome for a new member, points for an existing one, each
//! with "the loop" (balance, its store-discount value, progress, a redeem link).

use database::catalog::Card;
use database::members::Member;
use database::outbox::QueuedEmail;
use database::partners::Partner;
use ledger::{Currency, Money, Points, RedemptionRule};
use secrecy::ExposeSecret;

use super::{OrderContext, OrderError};
use crate::email::message::{DiscountLoop, EmailPayload, PointsEmail, PointsLoop, WelcomeEmail};
use crate::usecases::links;

pub(super) struct Award<'a> {
    pub partner: &'a Partner,
    pub card: &'a Card,
    pub member: &'a Member,
    pub member_created: bool,
    pub order_id: String,
    pub points: i64,
    pub bonus: i64,
    pub balance: i64,
    pub order_reference: Option<String>,
}

/// The store-discount part of the loop, when the discount is on and the store active.
fn discount(
    ctx: &OrderContext<'_>,
    card: &Card,
    balance: i64,
) -> Result<Option<DiscountLoop>, OrderError> {
    if !ctx.settings.discount_enabled || ctx.integration.status != "active" {
        return Ok(None);
    }
    let currency = Currency::parse(&card.currency)?;
    let rule = RedemptionRule::new(
        Money::new(ctx.settings.value_per_point.clone(), currency)?,
        ctx.settings.min_points,
        ctx.settings.max_points,
    )
    .map_err(|e| OrderError::Internal(e.to_string()))?;
    Ok(Some(DiscountLoop {
        currency: currency.code().to_owned(),
        balance_value: rule.value_of(Points::new(balance)).to_minor_string(),
        min_points: ctx.settings.min_points,
        min_value: rule.minimum_value().to_minor_string(),
        points_to_go: rule
            .points_until_minimum(Points::new(balance))
            .map(Points::get),
    }))
}

/// The email after an award, to be queued in the same transaction (`None`: the member
/// turned loyalty emails off). The sign-in link it carries is issued here.
pub(super) async fn after_award(
    conn: &mut database::Connection,
    ctx: &OrderContext<'_>,
    award: &Award<'_>,
) -> Result<Option<QueuedEmail>, OrderError> {
    let member = award.member;
    if !member.loyalty_emails {
        return Ok(None);
    }
    let discount = discount(ctx, award.card, award.balance)?;
    let redeem_url = match discount {
        Some(_) => {
            let token = links::issue_link(
                conn,
                ctx.keys,
                member.id,
                award.card.partner_id,
                award.card.id,
                ctx.now,
            )
            .await
            .map_err(|e| OrderError::Internal(e.to_string()))?;
            Some(format!(
                "{}/l/{}",
                ctx.public_base_url,
                token.expose_secret()
            ))
        }
        None => None,
    };
    let loop_ = PointsLoop {
        balance: award.balance,
        discount,
        redeem_url,
    };
    let payload = if award.member_created {
        EmailPayload::Welcome(WelcomeEmail {
            business_name: award.partner.name.clone(),
            member_name: member.name.clone(),
            card_name: award.card.name.clone(),
            points_earned: award.points,
            welcome_bonus: award.bonus,
            order_reference: award.order_reference.clone(),
            loop_,
            sign_in_url: format!("{}/login", ctx.public_base_url),
        })
    } else {
        EmailPayload::Points(PointsEmail {
            business_name: award.partner.name.clone(),
            member_name: member.name.clone(),
            card_name: award.card.name.clone(),
            points_earned: award.points + award.bonus,
            order_reference: award.order_reference.clone(),
            loop_,
        })
    };
    Ok(Some(QueuedEmail {
        partner_id: Some(award.partner.id),
        member_id: Some(member.id),
        kind: payload.kind().as_str().to_owned(),
        to_address: member.email.clone(),
        language: member.language.clone(),
        payload: payload.to_json(),
        idempotency_key: format!("woo:{}:{}:award-email", ctx.integration.id, award.order_id),
        now: ctx.now,
    }))
}
