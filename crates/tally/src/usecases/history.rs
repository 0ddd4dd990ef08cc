//! A wallet's history in plain words for the partner dashboard (English only): one
//! sentence per entry, saying where it came from and what it did — "Purchase at the
//! counter, 12.34 EUR: +12 points", "Refund of order #1234: −30 points recorded, −10
//! applied (the rest had already been spent)".

use database::posting::Entry;
use ledger::{Breakdown, Points};

/// Points with their sign, grouped, with the unit: `+1,200 points`, `−5 points`, `+1 point`.
pub fn signed_points(points: i64) -> String {
    let sign = match points {
        p if p > 0 => "+",
        p if p < 0 => "\u{2212}",
        _ => "",
    };
    let abs = Points::new(points.saturating_abs()).grouped();
    let unit = if points.unsigned_abs() == 1 {
        "point"
    } else {
        "points"
    };
    format!("{sign}{abs} {unit}")
}

/// Points with their sign, no unit: `+12`, `−10`, `0`.
fn signed(points: i64) -> String {
    let shown = signed_points(points);
    shown
        .rsplit_once(' ')
        .map(|(n, _)| n.to_owned())
        .unwrap_or(shown)
}

/// The order as a person knows it: its number (`#1234`), else its id.
fn order_label(entry: &Entry) -> Option<String> {
    entry
        .reference
        .as_deref()
        .or(entry.order_id.as_deref())
        .map(|n| format!("#{}", n.trim_start_matches('#')))
}

/// "12.34 EUR", with the tier that multiplied it, from the stored breakdown.
fn purchase_amount(entry: &Entry) -> Option<String> {
    let breakdown: Breakdown = serde_json::from_value(entry.rule.clone()?).ok()?;
    let mut text = format!("{} {}", breakdown.amount, breakdown.currency.code());
    if let (Some(tier), Some(multiplier)) = (&breakdown.tier, &breakdown.multiplier) {
        text.push_str(&format!(" ({tier} \u{d7}{multiplier})"));
    }
    Some(text)
}

fn with_reference(entry: &Entry, text: String) -> String {
    match entry.reference.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => format!("{text} (reference {r})"),
        None => text,
    }
}

/// One sentence for `entry`; `by_email` is the staff user who made it, if one did.
pub fn describe(entry: &Entry, by_email: Option<&str>) -> String {
    let points = signed_points(entry.applied_points);
    match entry.kind.as_str() {
        "purchase" => {
            let amount = purchase_amount(entry);
            let what = match (entry.channel.as_str(), order_label(entry)) {
                ("woocommerce", Some(order)) => format!("Online order {order}"),
                ("woocommerce", None) => "Online order".to_owned(),
                (channel, _) => {
                    let place = if channel == "api" {
                        "Purchase recorded through the API"
                    } else {
                        "Purchase at the counter"
                    };
                    let place = match by_email {
                        Some(email) => format!("{place} by {email}"),
                        None => place.to_owned(),
                    };
                    let text = match amount {
                        Some(a) => format!("{place}, {a}"),
                        None => place,
                    };
                    with_reference(entry, text)
                }
            };
            format!("{what}: {points}")
        }
        "welcome_bonus" => format!("Welcome bonus for the first purchase: {points}"),
        "refund" => {
            let what = match order_label(entry) {
                Some(order) => format!("Refund of order {order}"),
                None => "Refund".to_owned(),
            };
            if entry.applied_points == entry.points {
                format!("{what}: {points}")
            } else {
                format!(
                    "{what}: {} recorded, {} applied (the rest had already been spent)",
                    signed_points(entry.points),
                    signed(entry.applied_points)
                )
            }
        }
        "redemption" => match entry.reference.as_deref() {
            Some(code) => format!("Redeemed for store coupon {code}: {points}"),
            None => format!("Redeemed for a store coupon: {points}"),
        },
        "redemption_reversal" => match entry.reference.as_deref() {
            Some(code) => {
                format!("Coupon {code} was not created, so the points came back: {points}")
            }
            None => format!("A coupon was not created, so the points came back: {points}"),
        },
        "adjustment" => {
            let who = match (by_email, entry.channel.as_str()) {
                (Some(email), _) => format!("Adjustment by {email}"),
                (None, "api") => "Adjustment through the API".to_owned(),
                (None, _) => "Adjustment".to_owned(),
            };
            match entry
                .note
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
            {
                Some(note) => format!("{who}: {points} \u{2014} {note}"),
                None => format!("{who}: {points}"),
            }
        }
        "expiry" => format!("Points expired: {points}"),
        other => format!("{other}: {points}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, channel: &str, points: i64, applied: i64) -> Entry {
        Entry {
            partner_id: 1,
            id: 1,
            wallet_id: 1,
            kind: kind.into(),
            channel: channel.into(),
            points,
            applied_points: applied,
            balance_after: 0,
            idempotency_key: "k".into(),
            integration_id: None,
            order_id: None,
            redemption_id: None,
            partner_user_id: None,
            reference: None,
            note: None,
            rule: None,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn breakdown(amount: &str, tier: Option<(&str, &str)>) -> serde_json::Value {
        serde_json::json!({
            "amount": amount, "currency": "EUR", "unit_amount": "1.00", "points_per_unit": 1,
            "tier": tier.map(|t| t.0), "multiplier": tier.map(|t| t.1),
            "base": amount, "rounding": "down", "rounded": 12, "points": 12,
        })
    }

    #[test]
    fn a_counter_purchase_names_the_amount_and_the_tier() {
        let mut e = entry("purchase", "counter", 12, 12);
        e.rule = Some(breakdown("12.34", None));
        assert_eq!(
            describe(&e, None),
            "Purchase at the counter, 12.34 EUR: +12 points"
        );
        e.rule = Some(breakdown("8.00", Some(("Gold", "1.5"))));
        e.reference = Some("R-17".into());
        assert_eq!(
            describe(&e, None),
            "Purchase at the counter, 8.00 EUR (Gold \u{d7}1.5) (reference R-17): +12 points"
        );
        assert_eq!(
            describe(&e, Some("sam@salon.test")),
            "Purchase at the counter by sam@salon.test, 8.00 EUR (Gold \u{d7}1.5) (reference R-17): +12 points"
        );
    }

    #[test]
    fn an_online_order_and_its_clamped_refund_say_what_was_recorded_and_applied() {
        let mut order = entry("purchase", "woocommerce", 50, 50);
        order.order_id = Some("981".into());
        order.reference = Some("1234".into());
        assert_eq!(describe(&order, None), "Online order #1234: +50 points");
        let mut refund = entry("refund", "woocommerce", -30, -10);
        refund.order_id = Some("1234".into());
        assert_eq!(
            describe(&refund, None),
            "Refund of order #1234: \u{2212}30 points recorded, \u{2212}10 applied (the rest had already been spent)"
        );
        refund.applied_points = -30;
        assert_eq!(
            describe(&refund, None),
            "Refund of order #1234: \u{2212}30 points"
        );
    }

    #[test]
    fn an_adjustment_names_who_made_it_and_the_note() {
        let mut e = entry("adjustment", "counter", -5, -5);
        e.note = Some("Broken cup".into());
        assert_eq!(
            describe(&e, Some("anna@shop.example")),
            "Adjustment by anna@shop.example: \u{2212}5 points \u{2014} Broken cup"
        );
        e.channel = "api".into();
        assert_eq!(
            describe(&e, None),
            "Adjustment through the API: \u{2212}5 points \u{2014} Broken cup"
        );
    }

    #[test]
    fn redemptions_and_reversals_name_the_coupon() {
        let mut e = entry("redemption", "woocommerce", -1500, -1500);
        e.reference = Some("CAFE-AB3CD4EF".into());
        assert_eq!(
            describe(&e, None),
            "Redeemed for store coupon CAFE-AB3CD4EF: \u{2212}1,500 points"
        );
        let mut r = entry("redemption_reversal", "system", 1500, 1500);
        r.reference = Some("CAFE-AB3CD4EF".into());
        assert_eq!(
            describe(&r, None),
            "Coupon CAFE-AB3CD4EF was not created, so the points came back: +1,500 points"
        );
        assert_eq!(
            describe(&entry("welcome_bonus", "counter", 1, 1), None),
            "Welcome bonus for the first purchase: +1 point"
        );
    }
}
