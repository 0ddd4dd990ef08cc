//! The points email after a counter purchase, queued in the purchase's transaction, with
//! "the loop" (balance, its store-discount value, progress, a redeem link) when the card
//! is linked to an active store with the points discount on.

use database::integrations;
use database::outbox::{self, NewEmail};
use ledger::Points;
use secrecy::ExposeSecret;

use super::record::{Recorded, Recording};
use super::CounterError;
use crate::email::message::{DiscountLoop, EmailPayload, PointsEmail, PointsLoop};
use crate::usecases::{links, redeem};

/// Queues the points email, unless the member switched loyalty emails off or the
/// purchase earned nothing.
pub(super) async fn points_email(
    conn: &mut database::Connection,
    r: &Recording<'_>,
    business_name: &str,
    recorded: &Recorded,
) -> Result<(), CounterError> {
    let member = &recorded.member;
    let points = recorded.points();
    if !member.loyalty_emails || member.deleted_at.is_some() || points <= 0 {
        return Ok(());
    }
    let card = &recorded.card;
    let balance = recorded.balance();
    let discount = if r.store_discount {
        discount(conn, card.partner_id, card.id, &card.currency, balance).await?
    } else {
        None
    };
    let redeem_url = match discount {
        Some(_) => {
            let token = links::issue_link(conn, r.keys, member.id, card.partner_id, card.id, r.now)
                .await
                .map_err(|e| CounterError::Internal(e.to_string()))?;
            Some(format!("{}/l/{}", r.public_base_url, token.expose_secret()))
        }
        None => None,
    };
    let payload = EmailPayload::Points(PointsEmail {
        business_name: business_name.to_owned(),
        member_name: member.name.clone(),
        card_name: card.name.clone(),
        points_earned: points,
        order_reference: None,
        loop_: PointsLoop {
            balance,
            discount,
            redeem_url,
        },
    });
    outbox::enqueue(
        conn,
        &NewEmail {
            partner_id: Some(card.partner_id),
            member_id: Some(member.id),
            kind: payload.kind().as_str(),
            to_address: &member.email,
            language: &member.language,
            payload: &payload.to_json(),
            idempotency_key: &format!(
                "counter:{}:{}:points-email",
                card.partner_id, recorded.purchase.id
            ),
            now: r.now,
        },
    )
    .await?;
    Ok(())
}

/// The store-discount part of the loop: the first active store linked to the card with
/// the points discount on.
async fn discount(
    conn: &mut database::Connection,
    partner_id: i64,
    card_id: i64,
    card_currency: &str,
    balance: i64,
) -> Result<Option<DiscountLoop>, CounterError> {
    let linked = integrations::of_partner(conn, partner_id)
        .await?
        .into_iter()
        .filter(|i| i.card_id == card_id && i.status == "active");
    for integration in linked {
        let Some((integration, settings)) =
            integrations::find(conn, partner_id, integration.id).await?
        else {
            continue;
        };
        if !settings.discount_enabled {
            continue;
        }
        let currency = redeem::coupon_currency(&integration, card_currency);
        let Ok(rule) = redeem::rule_of(&settings, &currency) else {
            continue;
        };
        let balance = Points::new(balance);
        return Ok(Some(DiscountLoop {
            currency,
            balance_value: rule.value_of(balance).to_minor_string(),
            min_points: settings.min_points,
            min_value: rule.minimum_value().to_minor_string(),
            points_to_go: rule.points_until_minimum(balance).map(Points::get),
        }));
    }
    Ok(None)
}
