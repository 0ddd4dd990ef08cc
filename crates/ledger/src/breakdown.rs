//! The record of how a purchase's points were computed, for people and for storage.

use serde::{Deserialize, Serialize};

use crate::{Currency, Points, Rounding};

/// Decimals of a non-terminating base shown by [`Breakdown::explain`].
const EXPLAINED_DECIMALS: usize = 6;

/// How a purchase's points were computed, step by step, in the order of the card rules.
///
/// Stored as JSON with the entry ("the rules used are recorded with the entry") and shown
/// to partners who ask why an order earned what it did; [`Breakdown::explain`] turns it
/// into a sentence. Fields are public because this is a record of what happened, not a
/// value with rules of its own. Amounts are exact decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The purchase amount, exactly, with at least the currency's minor units: `"49.999"`.
    pub amount: String,
    /// The purchase currency.
    pub currency: Currency,
    /// The card's `unit_amount`: `"1.00"`.
    pub unit_amount: String,
    /// The card's `points_per_unit`.
    pub points_per_unit: i64,
    /// The tier whose multiplier was applied (counter purchases only).
    #[serde(default)]
    pub tier: Option<String>,
    /// The multiplier applied, when one was: `"1.5"`.
    #[serde(default)]
    pub multiplier: Option<String>,
    /// amount ÷ unit_amount × points_per_unit (× multiplier), before rounding, as a
    /// decimal without trailing zeros. Exact unless `base_exact` is false.
    pub base: String,
    /// False when the base does not terminate (e.g. a unit amount of 3.00); `base` is then
    /// cut after 30 decimals. The rounding itself is always computed exactly.
    #[serde(default = "yes")]
    pub base_exact: bool,
    /// The card's rounding.
    pub rounding: Rounding,
    /// The base rounded once to whole points, before the clamp.
    pub rounded: i64,
    /// The clamp to the card's per-purchase minimum or maximum, when it changed anything.
    #[serde(default)]
    pub clamp: Option<Clamp>,
    /// The card's minimum purchase amount, when this purchase was below it (and so earned
    /// nothing and did not count as a first purchase).
    #[serde(default)]
    pub below_minimum_purchase: Option<String>,
    /// The points earned, final.
    pub points: Points,
}

fn yes() -> bool {
    true
}

/// What the per-purchase clamp did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Clamp {
    /// The rounded points were below `min_points_per_purchase`.
    RaisedToMinimum {
        /// The card's minimum points per purchase.
        min: Points,
    },
    /// The rounded points were above `max_points_per_purchase`.
    CappedAtMaximum {
        /// The card's maximum points per purchase.
        max: Points,
    },
}

impl Breakdown {
    /// One sentence a partner or member can read, e.g.
    /// "25.99 USD at 1 point per 1.00 = 25.99, rounded down to 25 points."
    pub fn explain(&self) -> String {
        let currency = self.currency.code();
        if let Some(minimum) = &self.below_minimum_purchase {
            return format!(
                "{} {currency} is below the minimum purchase of {minimum} {currency}: no points.",
                self.amount
            );
        }
        let mut text = format!(
            "{} {currency} at {} per {}",
            self.amount,
            points_phrase(self.points_per_unit),
            self.unit_amount
        );
        if let Some(multiplier) = &self.multiplier {
            match &self.tier {
                Some(tier) => text.push_str(&format!(" × {tier} tier multiplier {multiplier}")),
                None => text.push_str(&format!(" × tier multiplier {multiplier}")),
            }
        }
        let whole_base = self.base_exact && !self.base.contains('.');
        if whole_base {
            text.push_str(&format!(" = {}", points_phrase(self.rounded)));
        } else {
            if self.base_exact {
                text.push_str(&format!(" = {}", self.base));
            } else {
                text.push_str(&format!(" ≈ {}", shortened(&self.base)));
            }
            let rounded = points_phrase(self.rounded);
            text.push_str(&match self.rounding {
                Rounding::Down => format!(", rounded down to {rounded}"),
                Rounding::Up => format!(", rounded up to {rounded}"),
                Rounding::Nearest => format!(", rounded to nearest: {rounded}"),
            });
        }
        match self.clamp {
            Some(Clamp::CappedAtMaximum { max }) => text.push_str(&format!(
                ", capped at the maximum of {}",
                points_phrase(max.get())
            )),
            Some(Clamp::RaisedToMinimum { min }) => text.push_str(&format!(
                ", raised to the minimum of {}",
                points_phrase(min.get())
            )),
            None => {}
        }
        text.push('.');
        text
    }
}

/// "1 point", "1,200 points".
fn points_phrase(points: i64) -> String {
    let grouped = Points::new(points).grouped();
    if points == 1 {
        format!("{grouped} point")
    } else {
        format!("{grouped} points")
    }
}

/// A long decimal cut to a few digits after the point, for reading.
fn shortened(decimal: &str) -> String {
    match decimal.split_once('.') {
        Some((whole, fraction)) => {
            let kept: String = fraction.chars().take(EXPLAINED_DECIMALS).collect();
            format!("{whole}.{kept}")
        }
        None => decimal.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Breakdown {
        Breakdown {
            amount: "25.99".to_owned(),
            currency: Currency::USD,
            unit_amount: "1.00".to_owned(),
            points_per_unit: 1,
            tier: None,
            multiplier: None,
            base: "25.99".to_owned(),
            base_exact: true,
            rounding: Rounding::Down,
            rounded: 25,
            clamp: None,
            below_minimum_purchase: None,
            points: Points::new(25),
        }
    }

    #[test]
    fn explains_a_plain_purchase() {
        assert_eq!(
            sample().explain(),
            "25.99 USD at 1 point per 1.00 = 25.99, rounded down to 25 points."
        );
    }

    #[test]
    fn explains_multiplier_rounding_and_cap() {
        let breakdown = Breakdown {
            currency: Currency::EUR,
            tier: Some("Gold".to_owned()),
            multiplier: Some("1.5".to_owned()),
            base: "38.985".to_owned(),
            rounding: Rounding::Nearest,
            rounded: 39,
            clamp: Some(Clamp::CappedAtMaximum {
                max: Points::new(30),
            }),
            points: Points::new(30),
            ..sample()
        };
        assert_eq!(
            breakdown.explain(),
            "25.99 EUR at 1 point per 1.00 × Gold tier multiplier 1.5 = 38.985, \
             rounded to nearest: 39 points, capped at the maximum of 30 points."
        );
    }

    #[test]
    fn explains_a_purchase_below_the_minimum() {
        let breakdown = Breakdown {
            amount: "12.00".to_owned(),
            currency: Currency::EUR,
            below_minimum_purchase: Some("15.00".to_owned()),
            points: Points::ZERO,
            ..sample()
        };
        assert_eq!(
            breakdown.explain(),
            "12.00 EUR is below the minimum purchase of 15.00 EUR: no points."
        );
    }

    #[test]
    fn explains_whole_and_inexact_bases_and_the_minimum() {
        let whole = Breakdown {
            amount: "1.00".to_owned(),
            base: "1".to_owned(),
            rounded: 1,
            clamp: Some(Clamp::RaisedToMinimum {
                min: Points::new(5),
            }),
            points: Points::new(5),
            ..sample()
        };
        assert_eq!(
            whole.explain(),
            "1.00 USD at 1 point per 1.00 = 1 point, raised to the minimum of 5 points."
        );
        let inexact = Breakdown {
            amount: "10.00".to_owned(),
            unit_amount: "3.00".to_owned(),
            base: format!("3.{}", "3".repeat(30)),
            base_exact: false,
            rounding: Rounding::Up,
            rounded: 4,
            points: Points::new(4),
            ..sample()
        };
        assert_eq!(
            inexact.explain(),
            "10.00 USD at 1 point per 3.00 ≈ 3.333333, rounded up to 4 points."
        );
    }

    #[test]
    fn json_round_trip_and_clamp_shape() {
        let breakdown = Breakdown {
            clamp: Some(Clamp::RaisedToMinimum {
                min: Points::new(5),
            }),
            ..sample()
        };
        let json = serde_json::to_value(&breakdown).unwrap();
        assert_eq!(
            json["clamp"],
            serde_json::json!({"kind": "raised_to_minimum", "min": 5})
        );
        assert_eq!(json["amount"], "25.99");
        assert_eq!(json["rounding"], "down");
        let back: Breakdown = serde_json::from_value(json).unwrap();
        assert_eq!(back, breakdown);
    }
}
