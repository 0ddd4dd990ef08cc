//! What a member may redeem on a card (SPEC §4): the store-discount block shows only when
//! the card is linked to an active store with the points discount on.

use database::integrations::{Integration, Settings};
use ledger::{Money, Points, RedemptionRule};

use super::{coupon_currency, rule_of};

/// The discount on offer for one wallet.
#[derive(Debug, Clone)]
pub struct Offer {
    pub integration: Integration,
    pub settings: Settings,
    pub rule: RedemptionRule,
    pub balance: Points,
    /// What the whole balance is worth.
    pub balance_value: Money,
    /// The most this wallet can redeem now (none below the minimum).
    pub max_redeemable: Option<Points>,
}

/// The offer on `card_id` of `partner_id` for a wallet holding `balance`, if any.
pub async fn offer(
    pool: &database::Pool,
    partner_id: i64,
    card_id: i64,
    balance: i64,
) -> Result<Option<Offer>, database::DbError> {
    let mut conn = database::pool::get(pool).await?;
    let linked: Vec<i64> = database::integrations::of_partner(&mut conn, partner_id)
        .await?
        .into_iter()
        .filter(|i| i.card_id == card_id && i.status == "active")
        .map(|i| i.id)
        .collect();
    // A card may be linked to several stores: the first with the discount on offers it.
    let mut chosen = None;
    for id in linked {
        if let Some((i, s)) = database::integrations::find(&mut conn, partner_id, id).await? {
            if s.discount_enabled {
                chosen = Some((i, s));
                break;
            }
        }
    }
    let Some((integration, settings)) = chosen else {
        return Ok(None);
    };
    let Some(card) = database::catalog::find_card(&mut conn, partner_id, card_id).await? else {
        return Ok(None);
    };
    let currency = coupon_currency(&integration, &card.currency);
    let Ok(rule) = rule_of(&settings, &currency) else {
        return Ok(None);
    };
    let balance = Points::new(balance);
    Ok(Some(Offer {
        balance_value: rule.value_of(balance),
        max_redeemable: rule.max_redeemable(balance),
        integration,
        settings,
        rule,
        balance,
    }))
}
