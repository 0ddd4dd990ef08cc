//! Awarding the new orders of a batch of deliveries together: the same decision as
//! [`super::apply_locked`] makes for each, written in a few multi-row statements
//! (`database::awarding`) instead of a few statements per order.
//!
//! Only orders whose outcome the batch can tell in advance come here ([`fits`]): awarded
//! on this status, never awarded before, no refund on them yet, the first delivery in the
//! batch of their order and of their customer's email — and only those before the batch's
//! first delivery of an order awarded before (its refund may take back from any wallet,
//! and these are written first). Everything else takes the one-at-a-time path. A statement that fails (an entry key posted before, say) fails the
//! batch, whose deliveries are then applied one at a time.

use bigdecimal::Zero;
use database::awarding;
use database::members::Member;
use database::posting::Moved;
use ledger::{EntryKind, Points};
use webhook::{OrderEvent, OrderStatus};

use super::award::{self, Checked, Outcomes};
use super::{awards_on, refund, Decision, Known, OrderContext, OrderError, Store};
use crate::usecases::earn;

/// A new order to award with the others of its batch.
#[derive(Debug)]
pub struct Candidate<'a> {
    pub ctx: &'a OrderContext<'a>,
    pub store: &'a Store,
    pub order: &'a OrderEvent,
    /// The member the batch found by the billing email (`None`: there is none yet).
    pub member: Option<Member>,
}

/// Whether the order, with what the batch read for it, can be awarded with others: the
/// batch looked up its award (none) and its member, and its status awards.
pub fn fits(ctx: &OrderContext<'_>, order: &OrderEvent, known: &Known) -> bool {
    matches!(known.award, Some(None))
        && known.member.is_some()
        && *order.status() != OrderStatus::Refunded
        && awards_on(ctx.settings, order.status())
        && refund::refunded_amount(order).is_zero()
}

/// One candidate on its way through the statements.
struct Pending<'a> {
    candidate: &'a Candidate<'a>,
    checked: Checked,
    member: Option<(Member, bool)>,
}

/// Awards `candidates` (see [`fits`]) in the caller's transaction and returns each one's
/// decision, in order. Emails are left in the decisions for the caller to queue.
pub async fn award_many(
    conn: &mut database::Connection,
    candidates: &[Candidate<'_>],
) -> Result<Vec<Decision>, OrderError> {
    let mut decisions: Vec<Option<Decision>> = Vec::with_capacity(candidates.len());
    let mut pending: Vec<Pending<'_>> = Vec::new();
    for candidate in candidates {
        match award::check(&candidate.store.card, candidate.order)? {
            Ok(checked) => {
                decisions.push(None);
                pending.push(Pending {
                    member: candidate.member.clone().map(|m| (m, false)),
                    candidate,
                    checked,
                });
            }
            Err(decision) => decisions.push(Some(decision)),
        }
    }

    // Members: the new ones in one statement; one whose email or code was taken
    // meanwhile is found or created on its own.
    let rng = ring::rand::SystemRandom::new();
    let new: Vec<_> = pending
        .iter()
        .filter(|p| p.member.is_none())
        .map(|p| {
            (
                p.checked.new_member(p.candidate.ctx),
                award::draw_code(&rng),
            )
        })
        .collect();
    let created = awarding::insert_members(conn, &new).await?;
    for p in pending.iter_mut().filter(|p| p.member.is_none()) {
        let normalized = p.checked.email.normalized();
        p.member = match created.iter().find(|m| m.email_normalized == normalized) {
            Some(member) => Some((member.clone(), true)),
            None => Some(
                database::members::find_or_create_known(
                    conn,
                    &p.checked.new_member(p.candidate.ctx),
                    None,
                    || award::draw_code(&rng),
                )
                .await?,
            ),
        };
    }
    let members: Vec<(Member, bool)> = pending
        .iter()
        .map(|p| {
            p.member
                .clone()
                .ok_or_else(|| OrderError::Internal("member missing".into()))
        })
        .collect::<Result<_, _>>()?;

    // Wallets: created or locked, then each purchase planned on its locked wallet.
    let wanted: Vec<_> = pending
        .iter()
        .zip(&members)
        .map(|(p, (member, _))| {
            let ctx = p.candidate.ctx;
            (
                ctx.integration.partner_id,
                p.candidate.store.card.id,
                member.id,
                ctx.now,
            )
        })
        .collect();
    let wallets = awarding::create_or_lock_wallets(conn, &wanted).await?;
    let mut plans = Vec::with_capacity(pending.len());
    for (p, (wallet, created)) in pending.iter().zip(&wallets) {
        let c = p.candidate;
        let purchase = award::purchase(
            c.ctx,
            &c.store.card,
            wallet,
            *created,
            &p.checked.total,
            c.order,
        );
        let plan = earn::plan(&purchase, wallet)?;
        let bought = ledger::apply(
            Points::new(wallet.balance),
            EntryKind::Purchase,
            plan.purchase.points,
        )?;
        let bonus = match &plan.bonus {
            Some(bonus) => Some(ledger::apply(
                bought.balance_after,
                EntryKind::WelcomeBonus,
                bonus.points,
            )?),
            None => None,
        };
        plans.push((plan, bought, bonus));
    }

    // Entries, balances and awards: one statement each, sent together.
    let mut rows = Vec::new();
    for (plan, bought, bonus) in &plans {
        rows.push((&plan.purchase, *bought));
        if let (Some(posting), Some(applied)) = (&plan.bonus, bonus) {
            rows.push((posting, *applied));
        }
    }

    let moved: Vec<_> = plans
        .iter()
        .zip(&wallets)
        .map(|((plan, bought, bonus), (wallet, _))| {
            let balance = bonus.unwrap_or(*bought).balance_after.get();
            let moved = Moved {
                balance,
                tier_points: plan.earned.points(),
                first_purchase_at: plan.first_purchase_at,
            };
            (wallet.partner_id, wallet.id, moved)
        })
        .collect();

    let order_ids: Vec<String> = pending
        .iter()
        .map(|p| p.candidate.order.id().to_string())
        .collect();
    let new_awards: Vec<_> = pending
        .iter()
        .zip(&plans)
        .zip(&wallets)
        .zip(&order_ids)
        .map(|(((p, (_, bought, bonus)), (wallet, _)), order_id)| {
            let bonus = bonus.map(|b| b.applied.get()).unwrap_or(0);
            award::new_award(
                p.candidate.ctx,
                order_id,
                wallet.id,
                &p.checked.total,
                bought.applied.get(),
                bonus,
            )
        })
        .collect();
    // Independent of each other: sent together (pipelined on the connection).
    let shared: &database::Connection = conn;
    futures_util::try_join!(
        awarding::insert_entries(shared, &rows),
        awarding::move_balances(shared, &moved),
        awarding::insert_awards(shared, &new_awards),
    )?;

    // Each order's email and sentence, as one at a time.
    let mut decided = Vec::with_capacity(pending.len());
    for (i, p) in pending.iter().enumerate() {
        let c = p.candidate;
        let (plan, bought, bonus) = &plans[i];
        let (member, member_created) = &members[i];
        let done = Outcomes {
            member,
            member_created: *member_created,
            points: bought.applied.get(),
            bonus: bonus.map(|b| b.applied.get()).unwrap_or(0),
            balance: moved[i].2.balance,
            breakdown: plan.earned.breakdown().explain(),
        };
        let decision =
            award::decided(conn, c.ctx, &c.store.card, &c.store.partner, c.order, &done).await?;
        decided.push(decision);
    }
    let mut decided = decided.into_iter();
    decisions
        .into_iter()
        .map(|d| {
            d.or_else(|| decided.next())
                .ok_or_else(|| OrderError::Internal("decision missing".into()))
        })
        .collect()
}
