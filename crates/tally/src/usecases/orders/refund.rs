//! Taking points back: full refunds (status `refunded`) and, when the store chose it,
//! proportional partial refunds. Deductions record the full amount and apply only down to
//! a zero balance; the part that could not be recovered stays visible.

use bigdecimal::{BigDecimal, Zero};
use database::awards::{self, OrderAward};
use database::catalog::Card;
use database::posting::{self, EntrySource, Posting};
use ledger::{Channel, Currency, EntryKind, Money, Points};
use webhook::OrderEvent;

use super::{Decision, OrderContext, OrderError, Outcome};

async fn take_back(
    conn: &mut database::Connection,
    ctx: &OrderContext<'_>,
    award: &OrderAward,
    points: i64,
    tier: bool,
    key: String,
) -> Result<(i64, i64), OrderError> {
    if points <= 0 {
        return Ok((0, 0));
    }
    let posted = posting::post_in(
        conn,
        &Posting {
            partner_id: award.partner_id,
            wallet_id: award.wallet_id,
            kind: EntryKind::Refund,
            channel: Channel::WooCommerce,
            points: Points::new(-points),
            tier_points: Points::new(if tier { -points } else { 0 }),
            idempotency_key: key,
            source: EntrySource {
                integration_id: Some(award.integration_id),
                order_id: Some(award.order_id.clone()),
                ..EntrySource::default()
            },
            rule: None,
            now: ctx.now,
        },
    )
    .await?;
    Ok((-posted.entry.points, -posted.entry.applied_points))
}

fn unrecovered_note(recorded: i64, applied: i64) -> String {
    if applied < recorded {
        format!(
            " Only {applied} could be taken back: the member had already used the other {}.",
            recorded - applied
        )
    } else {
        String::new()
    }
}

/// The order was refunded in full: take back what it awarded (what partial refunds have
/// not taken yet) and the welcome bonus that came with it.
pub(super) async fn full(
    conn: &mut database::Connection,
    ctx: &OrderContext<'_>,
    _card: &Card,
    award: &OrderAward,
    order: &OrderEvent,
) -> Result<Decision, OrderError> {
    if award.fully_refunded_at.is_some() {
        return Ok(Decision::repeat(
            "The refund of this order was already applied.",
        ));
    }
    let remaining = ledger::full_refund_points(
        Points::new(award.points_awarded),
        Points::new(award.points_taken_back),
    )?
    .get();
    let prefix = format!("woo:{}:{}:refund", award.integration_id, award.order_id);
    let (rec, app) = take_back(conn, ctx, award, remaining, true, format!("{prefix}:full")).await?;
    let bonus = if award.welcome_bonus_taken_back {
        0
    } else {
        award.welcome_bonus_points
    };
    let (brec, bapp) =
        take_back(conn, ctx, award, bonus, false, format!("{prefix}:welcome")).await?;
    let refunded = refunded_amount(order).max(award.order_total.clone());
    awards::record_refund(
        conn,
        award,
        award.points_awarded,
        &refunded,
        Some(ctx.now),
        true,
    )
    .await?;
    let mut reason = format!("Order refunded: took back {rec} points");
    if brec > 0 {
        reason.push_str(&format!(" and the {brec}-point welcome bonus"));
    }
    reason.push('.');
    reason.push_str(&unrecovered_note(rec + brec, app + bapp));
    Ok(Decision::new(Outcome::Processed, reason, -(rec + brec)))
}

/// The sum of the order's refunds (WooCommerce lists them with negative totals).
pub(super) fn refunded_amount(order: &OrderEvent) -> BigDecimal {
    order
        .refunds()
        .iter()
        .filter_map(|r| r.total().trim().parse::<BigDecimal>().ok())
        .map(|t| t.abs())
        .fold(BigDecimal::zero(), |a, b| a + b)
}

/// Partial refunds while the order keeps its status: by default nothing is deducted;
/// with "deduct proportionally", points × (refunded ÷ total), cumulative and capped.
pub(super) async fn partial(
    conn: &mut database::Connection,
    ctx: &OrderContext<'_>,
    card: &Card,
    award: &OrderAward,
    order: &OrderEvent,
) -> Result<Option<Decision>, OrderError> {
    let refunded = refunded_amount(order);
    if award.fully_refunded_at.is_some() || refunded <= award.refunded_amount {
        return Ok(None);
    }
    let currency = Currency::parse(&card.currency)?;
    let shown = Money::new(refunded.clone(), currency)?.to_minor_string();
    if ctx.settings.partial_refunds != "proportional" {
        awards::record_refund(conn, award, award.points_taken_back, &refunded, None, false).await?;
        return Ok(Some(Decision::new(
            Outcome::Ignored,
            format!("Partial refund noted ({shown} {currency} refunded so far); this store deducts nothing for partial refunds."),
            0,
        )));
    }
    let take = ledger::proportional_refund(
        Points::new(award.points_awarded),
        &Money::new(award.order_total.clone(), currency)?,
        &Money::new(refunded.clone(), currency)?,
        Points::new(award.points_taken_back),
    )?
    .get();
    let newest = order.refunds().iter().map(|r| r.id()).max().unwrap_or(0);
    let key = format!(
        "woo:{}:{}:refund:{newest}",
        award.integration_id, award.order_id
    );
    let (rec, app) = take_back(conn, ctx, award, take, true, key).await?;
    awards::record_refund(
        conn,
        award,
        award.points_taken_back + take,
        &refunded,
        None,
        false,
    )
    .await?;
    Ok(Some(Decision::new(
        Outcome::Processed,
        format!(
            "Partial refund ({shown} {currency} refunded so far): took back {rec} points in proportion.{}",
            unrecovered_note(rec, app)
        ),
        -rec,
    )))
}
