//! Earning points from a purchase (counter, API or store order), with the welcome bonus
//! on the wallet's first qualifying purchase, inside the caller's transaction.

use database::catalog::{Card, CardTier};
use database::posting::Moved;
use database::posting::{self, Entry, EntrySource, Posting, PostingError};
use database::wallets::{self, Wallet};
use database::Connection;
use ledger::{Channel, EntryKind, LedgerError, Money, Points};
use time::OffsetDateTime;

/// One purchase to turn into points.
#[derive(Debug, Clone)]
pub struct Purchase<'a> {
    pub card: &'a Card,
    /// The card's tiers; their multipliers apply to counter purchases only.
    pub tiers: &'a [CardTier],
    pub wallet_id: i64,
    /// The wallet when this transaction already holds its lock (it created the wallet
    /// just now, or read it `FOR UPDATE`): it is not read and locked again.
    pub locked_wallet: Option<&'a Wallet>,
    pub amount: &'a Money,
    pub channel: Channel,
    /// Unique per partner: the purchase entry takes this key, its bonus `{key}:welcome`.
    pub idempotency_key: String,
    pub source: EntrySource,
    pub now: OffsetDateTime,
}

/// The entries a purchase produced (or, replayed, had produced).
#[derive(Debug, Clone)]
pub struct Earned {
    pub purchase: Entry,
    pub welcome_bonus: Option<Entry>,
    pub replayed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum EarnError {
    #[error(transparent)]
    Rule(#[from] LedgerError),
    #[error(transparent)]
    Posting(#[from] PostingError),
    #[error(transparent)]
    Db(#[from] database::DbError),
}

/// What a purchase will post on its locked wallet: the purchase entry and, when it is the
/// wallet's first qualifying purchase and the card gives one, the welcome bonus entry
/// (key `{key}:welcome`), and what they do to the wallet. Pure: [`earn`] posts a plan one
/// entry at a time, a batch of store orders posts many plans in a few statements.
#[derive(Debug, Clone)]
pub struct Plan {
    pub earned: ledger::Earned,
    pub purchase: Posting,
    pub bonus: Option<Posting>,
    /// Set when this purchase is the wallet's first qualifying one.
    pub first_purchase_at: Option<OffsetDateTime>,
}

impl Plan {
    /// The earned rule breakdown, stored with the purchase entry.
    fn rule_json(earned: &ledger::Earned) -> Option<serde_json::Value> {
        serde_json::to_value(earned.breakdown()).ok()
    }
}

/// Plans `purchase` on `wallet` (the row this transaction holds locked).
pub fn plan(purchase: &Purchase<'_>, wallet: &Wallet) -> Result<Plan, EarnError> {
    let card = purchase.card;
    let rule = card.earn_rule()?;
    let tiers = purchase
        .tiers
        .iter()
        .map(CardTier::tier)
        .collect::<Result<Vec<_>, _>>()?;
    let tier = ledger::tier_for(&tiers, Points::new(wallet.earned_points));
    let earned = rule.points_for(purchase.amount, purchase.channel, tier)?;
    let posting = |kind, points, tier_points, idempotency_key, rule| Posting {
        partner_id: card.partner_id,
        wallet_id: purchase.wallet_id,
        kind,
        channel: purchase.channel,
        points,
        tier_points,
        idempotency_key,
        source: purchase.source.clone(),
        rule,
        now: purchase.now,
    };
    // The wallet is locked: what it says about its first purchase stays true until commit.
    let first_purchase_at =
        (earned.qualifies() && wallet.first_purchase_at.is_none()).then_some(purchase.now);
    let bonus = rule.welcome_bonus();
    let bonus = (first_purchase_at.is_some() && bonus.get() > 0).then(|| {
        posting(
            EntryKind::WelcomeBonus,
            bonus,
            Points::ZERO,
            format!("{}:welcome", purchase.idempotency_key),
            None,
        )
    });
    Ok(Plan {
        purchase: posting(
            EntryKind::Purchase,
            earned.points(),
            earned.points(),
            purchase.idempotency_key.clone(),
            Plan::rule_json(&earned),
        ),
        bonus,
        first_purchase_at,
        earned,
    })
}

/// Posts the purchase and, when it is the wallet's first qualifying purchase, the
/// welcome bonus as its own entry. Call inside a transaction.
pub async fn earn(conn: &mut Connection, purchase: &Purchase<'_>) -> Result<Earned, EarnError> {
    let card = purchase.card;
    // One lock for the purchase and its bonus.
    let wallet = match purchase.locked_wallet {
        Some(wallet) if wallet.id == purchase.wallet_id && wallet.partner_id == card.partner_id => {
            wallet.clone()
        }
        _ => wallets::lock_by_id(conn, card.partner_id, purchase.wallet_id)
            .await?
            .ok_or(PostingError::WalletNotFound)?,
    };
    let plan = plan(purchase, &wallet)?;
    let posted = posting::insert_locked(conn, &plan.purchase, wallet.balance).await?;
    if posted.replayed {
        let bonus_key = format!("{}:welcome", purchase.idempotency_key);
        let welcome_bonus = posting::find_by_key(conn, card.partner_id, &bonus_key).await?;
        return Ok(Earned {
            purchase: posted.entry,
            welcome_bonus,
            replayed: true,
        });
    }
    let mut balance = posted.entry.balance_after;
    let mut welcome_bonus = None;
    if let Some(bonus) = &plan.bonus {
        let entry = posting::insert_locked(conn, bonus, balance).await?;
        if !entry.replayed {
            balance = entry.entry.balance_after;
        }
        welcome_bonus = Some(entry.entry);
    }
    posting::move_balance(
        conn,
        card.partner_id,
        purchase.wallet_id,
        &Moved {
            balance,
            tier_points: plan.earned.points(),
            first_purchase_at: plan.first_purchase_at,
        },
    )
    .await?;
    Ok(Earned {
        purchase: posted.entry,
        welcome_bonus,
        replayed: false,
    })
}
