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

/// Posts the purchase and, when it is the wallet's first qualifying purchase, the
/// welcome bonus as its own entry. Call inside a transaction.
pub async fn earn(conn: &mut Connection, purchase: &Purchase<'_>) -> Result<Earned, EarnError> {
    let card = purchase.card;
    let rule = card.earn_rule()?;
    // One lock for the purchase and its bonus.
    let wallet = match purchase.locked_wallet {
        Some(wallet) if wallet.id == purchase.wallet_id && wallet.partner_id == card.partner_id => {
            wallet.clone()
        }
        _ => wallets::lock_by_id(conn, card.partner_id, purchase.wallet_id)
            .await?
            .ok_or(PostingError::WalletNotFound)?,
    };
    let tiers = purchase
        .tiers
        .iter()
        .map(CardTier::tier)
        .collect::<Result<Vec<_>, _>>()?;
    let tier = ledger::tier_for(&tiers, Points::new(wallet.earned_points));
    let earned = rule.points_for(purchase.amount, purchase.channel, tier)?;
    let rule_json = serde_json::to_value(earned.breakdown()).ok();
    let posted = posting::insert_locked(
        conn,
        &Posting {
            partner_id: card.partner_id,
            wallet_id: purchase.wallet_id,
            kind: EntryKind::Purchase,
            channel: purchase.channel,
            points: earned.points(),
            tier_points: earned.points(),
            idempotency_key: purchase.idempotency_key.clone(),
            source: purchase.source.clone(),
            rule: rule_json,
            now: purchase.now,
        },
        wallet.balance,
    )
    .await?;
    let bonus_key = format!("{}:welcome", purchase.idempotency_key);
    if posted.replayed {
        let welcome_bonus = posting::find_by_key(conn, card.partner_id, &bonus_key).await?;
        return Ok(Earned {
            purchase: posted.entry,
            welcome_bonus,
            replayed: true,
        });
    }
    let bonus = rule.welcome_bonus();
    // The wallet is locked: what it says about its first purchase stays true until commit.
    let first_purchase_at =
        (earned.qualifies() && wallet.first_purchase_at.is_none()).then_some(purchase.now);
    let mut balance = posted.entry.balance_after;
    let mut welcome_bonus = None;
    if first_purchase_at.is_some() && bonus.get() > 0 {
        let entry = posting::insert_locked(
            conn,
            &Posting {
                partner_id: card.partner_id,
                wallet_id: purchase.wallet_id,
                kind: EntryKind::WelcomeBonus,
                channel: purchase.channel,
                points: bonus,
                tier_points: Points::ZERO,
                idempotency_key: bonus_key,
                source: purchase.source.clone(),
                rule: None,
                now: purchase.now,
            },
            balance,
        )
        .await?;
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
            tier_points: earned.points(),
            first_purchase_at,
        },
    )
    .await?;
    Ok(Earned {
        purchase: posted.entry,
        welcome_bonus,
        replayed: false,
    })
}
