//! "Apply this order state": the one decision that turns a WooCommerce order, as the
//! store reports it now, into points — for webhook deliveries and reconciliation alike.
//!
//! The decision depends only on the order's current state and on what Tally already
//! recorded for it, never on delivery order or delivery ids. Everything it writes
//! (member, wallet, entries, award, emails) commits in the caller's transaction, under a
//! per-order lock, so duplicates and races change nothing.

mod award;
pub mod batch;
mod emails;
mod refund;

use database::integrations::{Integration, Settings};
use database::outbox::{self, QueuedEmail};
use database::{awards, catalog, members, partners, DbError};
use identity::KeyRing;
use time::OffsetDateTime;
use webhook::{OrderEvent, OrderStatus};

/// What happened to a delivery or a reconciled order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Processed,
    Ignored,
    Skipped,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Processed => "processed",
            Outcome::Ignored => "ignored",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// The decision, with a sentence for the partner and the points it moved (negative for
/// refunds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: Outcome,
    pub reason: String,
    pub points: i64,
    /// The order had been handled before and this state changed nothing.
    pub already_recorded: bool,
    /// The email this decision sends, still to be queued in the same transaction:
    /// [`apply`] queues it, a batch of deliveries queues all of its emails at once.
    pub email: Option<QueuedEmail>,
}

impl Decision {
    fn new(outcome: Outcome, reason: impl Into<String>, points: i64) -> Decision {
        Decision {
            outcome,
            reason: reason.into(),
            points,
            already_recorded: false,
            email: None,
        }
    }

    fn repeat(reason: impl Into<String>) -> Decision {
        Decision {
            already_recorded: true,
            ..Decision::new(Outcome::Ignored, reason, 0)
        }
    }
}

/// What the use case needs to know about where the order comes from.
#[derive(Debug)]
pub struct OrderContext<'a> {
    pub integration: &'a Integration,
    pub settings: &'a Settings,
    pub keys: &'a KeyRing,
    pub public_base_url: &'a str,
    pub now: OffsetDateTime,
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Posting(#[from] database::posting::PostingError),
    #[error(transparent)]
    Earn(#[from] super::earn::EarnError),
    #[error(transparent)]
    Ledger(#[from] ledger::LedgerError),
    #[error("{0}")]
    Internal(String),
}

/// Whether this store awards on the order's status.
pub(crate) fn awards_on(settings: &Settings, status: &OrderStatus) -> bool {
    match status {
        OrderStatus::Completed => true,
        OrderStatus::Processing => settings.award_on == "processing_or_completed",
        _ => false,
    }
}

fn award_setting_text(settings: &Settings) -> &'static str {
    if settings.award_on == "completed" {
        "this store awards on completed only"
    } else {
        "this store awards on processing or completed"
    }
}

/// What deciding on an order reads about its store: the integration's card and partner.
/// A batch of deliveries loads them once per integration.
#[derive(Debug, Clone)]
pub struct Store {
    pub card: catalog::Card,
    pub partner: partners::Partner,
}

impl Store {
    /// The integration's card and partner, read in the caller's transaction.
    pub async fn load(
        conn: &database::Connection,
        integration: &Integration,
    ) -> Result<Store, OrderError> {
        let (card, partner) =
            catalog::find_card_with_partner(conn, integration.partner_id, integration.card_id)
                .await?
                .ok_or_else(|| {
                    OrderError::Internal("the integration's card or partner is missing".into())
                })?;
        Ok(Store { card, partner })
    }
}

/// Applies the order's current state. Call inside a transaction.
pub async fn apply(
    conn: &mut database::Connection,
    ctx: &OrderContext<'_>,
    order: &OrderEvent,
) -> Result<Decision, OrderError> {
    let integration = ctx.integration;
    let order_id = order.id().to_string();
    awards::lock_order(conn, integration.partner_id, integration.id, &order_id).await?;
    let store = Store::load(conn, integration).await?;
    let mut decision = apply_locked(conn, ctx, &store, order, Known::default()).await?;
    if let Some(email) = decision.email.take() {
        outbox::enqueue(conn, &email.as_new()).await?;
    }
    Ok(decision)
}

/// What a batch of deliveries already read, in the same transaction, for one of them:
/// `None` where it did not look (the delivery then reads it itself).
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// The order's award, or that it has none.
    pub award: Option<Option<awards::OrderAward>>,
    /// The member with the billing email, or that there is none.
    pub member: Option<Option<members::Member>>,
}

/// [`apply`] once the caller holds the order's lock ([`awards::lock_orders`]) and has read
/// its store, in the same transaction: a batch of deliveries does both once for all, and
/// looks up the awards and members of all its deliveries at once (`known`).
pub async fn apply_locked(
    conn: &mut database::Connection,
    ctx: &OrderContext<'_>,
    store: &Store,
    order: &OrderEvent,
    known: Known,
) -> Result<Decision, OrderError> {
    let integration = ctx.integration;
    let order_id = order.id().to_string();
    let existing = match known.award {
        Some(award) => award,
        None => awards::find(conn, integration.partner_id, integration.id, &order_id).await?,
    };
    let (card, partner) = (&store.card, &store.partner);

    if *order.status() == OrderStatus::Refunded {
        return match existing {
            None => Ok(Decision::new(
                Outcome::Ignored,
                "Order never awarded points, so there is nothing to take back.",
                0,
            )),
            Some(award) => refund::full(conn, ctx, card, &award, order).await,
        };
    }
    if !awards_on(ctx.settings, order.status()) {
        return Ok(Decision::new(
            Outcome::Ignored,
            format!(
                "Order status '{}' does not award points; {}.",
                order.status().as_str(),
                award_setting_text(ctx.settings)
            ),
            0,
        ));
    }
    let award = match existing {
        Some(award) => award,
        None => {
            match award::award(conn, ctx, card, partner, order, known.member).await? {
                award::Awarded::Done { decision, award } => {
                    // A partial refund already on the order when it first arrives.
                    let partial = refund::partial(conn, ctx, card, &award, order).await?;
                    return Ok(merge(decision, partial));
                }
                award::Awarded::Not(decision) => return Ok(decision),
            }
        }
    };
    match refund::partial(conn, ctx, card, &award, order).await? {
        Some(decision) => Ok(decision),
        None => Ok(Decision::repeat(format!(
            "Order already awarded {} points on {}; a repeated delivery changes nothing.",
            award.points_awarded + award.welcome_bonus_points,
            award.created_at.date()
        ))),
    }
}

fn merge(first: Decision, then: Option<Decision>) -> Decision {
    match then {
        None => first,
        Some(more) => Decision {
            email: first.email.or(more.email),
            ..Decision::new(
                first.outcome,
                format!("{} {}", first.reason, more.reason),
                first.points + more.points,
            )
        },
    }
}
