//! What a few example purchases earn under a card's rules, online and at the counter in
//! each tier: the server-rendered preview of the card form. `templates/static/card-preview.js`
//! computes the same table while the partner types; both must say the same.

use ledger::{Channel, Currency, EarnRule, Money, Points, Tier};
use serde::Serialize;

/// The preview table: one row per example amount, one column per way of buying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    pub columns: Vec<String>,
    pub rows: Vec<PreviewRow>,
    /// The welcome bonus in a sentence: it comes once, on top of the first purchase.
    pub welcome: String,
    /// Said under the table when tiers exist but none starts at 0 points.
    pub note: Option<String>,
}

/// One example amount and what it earns in each column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewRow {
    /// The amount with its currency: `12.34 EUR`.
    pub amount: String,
    pub cells: Vec<String>,
}

/// The example amounts, in the currency's usual size: 5.00, 12.34, 50.00, 100.00 EUR;
/// 500, 1234, 5000, 10000 JPY; 5.000, 12.345, 50.000, 100.000 BHD.
pub fn examples(currency: Currency) -> &'static [&'static str] {
    match currency.minor_units() {
        0 => &["500", "1234", "5000", "10000"],
        3 => &["5.000", "12.345", "50.000", "100.000"],
        _ => &["5.00", "12.34", "50.00", "100.00"],
    }
}

/// A tier's column heading: `Counter, Gold ×1.5`.
pub fn tier_column(tier: &Tier) -> String {
    format!(
        "Counter, {} ×{}",
        tier.name(),
        tier.multiplier().normalized().to_plain_string()
    )
}

/// The preview of `rule` with `tiers` (lowest threshold first).
pub fn preview(rule: &EarnRule, tiers: &[Tier]) -> Preview {
    let mut columns = vec![if tiers.is_empty() {
        "Online and at the counter".to_owned()
    } else {
        "Online".to_owned()
    }];
    columns.extend(tiers.iter().map(tier_column));
    let rows = examples(rule.currency())
        .iter()
        .filter_map(|text| Money::parse(text, rule.currency()).ok())
        .map(|amount| {
            let mut cells = vec![cell(rule, &amount, Channel::WooCommerce, None)];
            cells.extend(
                tiers
                    .iter()
                    .map(|tier| cell(rule, &amount, Channel::Counter, Some(tier))),
            );
            PreviewRow {
                amount: format!("{} {}", amount.to_exact_string(), rule.currency()),
                cells,
            }
        })
        .collect();
    let note =
        (!tiers.is_empty() && tiers.iter().all(|t| t.threshold() > Points::ZERO)).then(|| {
            "At the counter, a member who has not reached the first tier earns what they would \
             earn online."
                .to_owned()
        });
    Preview {
        columns,
        rows,
        welcome: welcome_sentence(rule.welcome_bonus()),
        note,
    }
}

/// "Plus 50 welcome bonus points, once, with a member's first qualifying purchase."
pub fn welcome_sentence(bonus: Points) -> String {
    match bonus.get() {
        0 => "No welcome bonus.".to_owned(),
        1 => "Plus 1 welcome bonus point, once, with a member's first qualifying purchase."
            .to_owned(),
        _ => format!(
            "Plus {} welcome bonus points, once, with a member's first qualifying purchase.",
            bonus.grouped()
        ),
    }
}

/// What `amount` earns: `12`, `1,234`, or `0 (below minimum)`.
pub fn cell(rule: &EarnRule, amount: &Money, channel: Channel, tier: Option<&Tier>) -> String {
    match rule.points_for(amount, channel, tier) {
        Ok(earned) if !earned.qualifies() => "0 (below minimum)".to_owned(),
        Ok(earned) => earned.points().grouped(),
        Err(_) => "—".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::{EarnRuleParams, Rounding};

    fn rule(rounding: Rounding) -> EarnRule {
        EarnRule::new(EarnRuleParams {
            currency: Currency::EUR,
            points_per_unit: 3,
            unit_amount: "2.00".parse().unwrap(),
            rounding,
            min_purchase_amount: "10".parse().unwrap(),
            min_points_per_purchase: 20,
            max_points_per_purchase: Some(100),
            welcome_bonus_points: 1500,
        })
        .unwrap()
    }

    #[test]
    fn the_table_follows_the_ledger_in_every_column() {
        let gold = Tier::new("Gold", Points::new(500), "1.5".parse().unwrap()).unwrap();
        let shown = preview(&rule(Rounding::Nearest), &[gold]);
        assert_eq!(shown.columns, ["Online", "Counter, Gold ×1.5"]);
        let cells: Vec<(&str, Vec<&str>)> = shown
            .rows
            .iter()
            .map(|r| {
                (
                    r.amount.as_str(),
                    r.cells.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            cells,
            [
                ("5.00 EUR", vec!["0 (below minimum)", "0 (below minimum)"]),
                // 12.34 ÷ 2 × 3 = 18.51 → 19, raised to 20; × 1.5 = 27.765 → 28.
                ("12.34 EUR", vec!["20", "28"]),
                ("50.00 EUR", vec!["75", "100"]),
                ("100.00 EUR", vec!["100", "100"]),
            ]
        );
        assert_eq!(
            shown.welcome,
            "Plus 1,500 welcome bonus points, once, with a member's first qualifying purchase."
        );
        assert!(shown.note.is_some(), "no tier starts at 0");
    }

    #[test]
    fn without_tiers_one_column_serves_both_channels() {
        let shown = preview(&EarnRule::default_for(Currency::JPY), &[]);
        assert_eq!(shown.columns, ["Online and at the counter"]);
        assert_eq!(shown.rows[1].amount, "1234 JPY");
        assert_eq!(shown.rows[1].cells, ["1,234"]);
        assert_eq!(shown.note, None);
        assert_eq!(shown.welcome, "No welcome bonus.");
        let up = preview(&rule(Rounding::Up), &[]);
        // 12.34 ÷ 2 × 3 = 18.51 → 19 up, raised to the minimum of 20.
        assert_eq!(up.rows[1].cells, ["20"]);
    }
}
