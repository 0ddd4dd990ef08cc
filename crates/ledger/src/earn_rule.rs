//! A card's earn rules: the values a partner sets, checked once.

use bigdecimal::num_bigint::{BigInt, Sign};
use bigdecimal::BigDecimal;
use serde::{Deserialize, Serialize};

use crate::decimal::{bounded, exact_with_min_decimals};
use crate::{Currency, LedgerError, Money, Points, Rounding};

/// The raw values of a card's earn rules, checked by [`EarnRule::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarnRuleParams {
    /// The card's currency.
    pub currency: Currency,
    /// Points for every `unit_amount` of spend (zero or more).
    pub points_per_unit: i64,
    /// The spend that earns `points_per_unit` (above zero).
    pub unit_amount: BigDecimal,
    /// Applied once to the whole purchase.
    pub rounding: Rounding,
    /// A purchase below it earns nothing (zero or more).
    pub min_purchase_amount: BigDecimal,
    /// A qualifying purchase earns at least this (zero or more).
    pub min_points_per_purchase: i64,
    /// Optional cap (at least the minimum).
    pub max_points_per_purchase: Option<i64>,
    /// Awarded once per wallet on the first qualifying purchase (zero or more).
    pub welcome_bonus_points: i64,
}

/// A card's earn rules, valid by construction.
///
/// Serialized in the API's card shape: `{"currency": "EUR", "points_per_unit": 1,
/// "unit_amount": "1.00", "rounding": "down", "min_purchase_amount": "0.00",
/// "min_points_per_purchase": 0, "max_points_per_purchase": null,
/// "welcome_bonus_points": 0}`; deserializing validates like [`EarnRule::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EarnRuleRepr", into = "EarnRuleRepr")]
pub struct EarnRule {
    currency: Currency,
    points_per_unit: i64,
    unit_amount: BigDecimal,
    rounding: Rounding,
    min_purchase_amount: BigDecimal,
    min_points_per_purchase: Points,
    max_points_per_purchase: Option<Points>,
    welcome_bonus_points: Points,
}

fn invalid(field: &'static str, problem: &'static str) -> LedgerError {
    LedgerError::InvalidRule { field, problem }
}

fn non_negative_points(value: i64, field: &'static str) -> Result<Points, LedgerError> {
    if value < 0 {
        return Err(invalid(field, "it cannot be negative"));
    }
    Ok(Points::new(value))
}

impl EarnRule {
    /// Checks the rules: points per unit, amounts, minimum points and welcome bonus are
    /// zero or more, the unit amount is above zero, and the maximum, when set, is at least
    /// the minimum.
    pub fn new(params: EarnRuleParams) -> Result<EarnRule, LedgerError> {
        if params.points_per_unit < 0 {
            return Err(invalid("points per unit", "it cannot be negative"));
        }
        let unit_amount = bounded(&params.unit_amount, "unit amount")?;
        if unit_amount.sign() != Sign::Plus {
            return Err(invalid("unit amount", "it must be greater than zero"));
        }
        let min_purchase_amount = bounded(&params.min_purchase_amount, "minimum purchase amount")?;
        if min_purchase_amount.sign() == Sign::Minus {
            return Err(invalid("minimum purchase amount", "it cannot be negative"));
        }
        let min_points = non_negative_points(
            params.min_points_per_purchase,
            "minimum points per purchase",
        )?;
        let max_points = match params.max_points_per_purchase {
            Some(max) if max < min_points.get() => {
                return Err(invalid(
                    "maximum points per purchase",
                    "it cannot be less than the minimum points per purchase",
                ))
            }
            Some(max) => Some(Points::new(max)),
            None => None,
        };
        let welcome = non_negative_points(params.welcome_bonus_points, "welcome bonus")?;
        Ok(EarnRule {
            currency: params.currency,
            points_per_unit: params.points_per_unit,
            unit_amount,
            rounding: params.rounding,
            min_purchase_amount,
            min_points_per_purchase: min_points,
            max_points_per_purchase: max_points,
            welcome_bonus_points: welcome,
        })
    }

    /// The default rules: 1 point per 1.00, rounded down, no minimum, no maximum, no
    /// welcome bonus.
    pub fn default_for(currency: Currency) -> EarnRule {
        EarnRule {
            currency,
            points_per_unit: 1,
            unit_amount: BigDecimal::new(BigInt::from(1u8), 0),
            rounding: Rounding::Down,
            min_purchase_amount: BigDecimal::new(BigInt::from(0u8), 0),
            min_points_per_purchase: Points::ZERO,
            max_points_per_purchase: None,
            welcome_bonus_points: Points::ZERO,
        }
    }

    /// The card's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
    /// Points for every [`EarnRule::unit_amount`] of spend.
    pub fn points_per_unit(&self) -> i64 {
        self.points_per_unit
    }
    /// The spend that earns [`EarnRule::points_per_unit`].
    pub fn unit_amount(&self) -> &BigDecimal {
        &self.unit_amount
    }
    /// The rounding, applied once per purchase.
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }
    /// A purchase below it earns nothing.
    pub fn min_purchase_amount(&self) -> &BigDecimal {
        &self.min_purchase_amount
    }
    /// A qualifying purchase earns at least this.
    pub fn min_points_per_purchase(&self) -> Points {
        self.min_points_per_purchase
    }
    /// The cap per purchase, if any.
    pub fn max_points_per_purchase(&self) -> Option<Points> {
        self.max_points_per_purchase
    }
    /// Same as [`EarnRule::welcome_bonus`].
    pub fn welcome_bonus_points(&self) -> Points {
        self.welcome_bonus_points
    }
    /// Points awarded once per wallet on its first qualifying purchase, as a separate
    /// entry, outside the per-purchase clamp.
    pub fn welcome_bonus(&self) -> Points {
        self.welcome_bonus_points
    }
}

/// The JSON shape, with amounts as decimal strings.
#[derive(Serialize, Deserialize)]
struct EarnRuleRepr {
    currency: Currency,
    points_per_unit: i64,
    unit_amount: String,
    rounding: Rounding,
    min_purchase_amount: String,
    min_points_per_purchase: i64,
    max_points_per_purchase: Option<i64>,
    welcome_bonus_points: i64,
}

impl From<EarnRule> for EarnRuleRepr {
    fn from(rule: EarnRule) -> EarnRuleRepr {
        let minor = rule.currency.minor_units();
        EarnRuleRepr {
            currency: rule.currency,
            points_per_unit: rule.points_per_unit,
            unit_amount: exact_with_min_decimals(&rule.unit_amount, minor),
            rounding: rule.rounding,
            min_purchase_amount: exact_with_min_decimals(&rule.min_purchase_amount, minor),
            min_points_per_purchase: rule.min_points_per_purchase.get(),
            max_points_per_purchase: rule.max_points_per_purchase.map(Points::get),
            welcome_bonus_points: rule.welcome_bonus_points.get(),
        }
    }
}

impl TryFrom<EarnRuleRepr> for EarnRule {
    type Error = LedgerError;
    fn try_from(repr: EarnRuleRepr) -> Result<EarnRule, LedgerError> {
        let unit_amount = Money::parse(&repr.unit_amount, repr.currency)?;
        let min_purchase = Money::parse(&repr.min_purchase_amount, repr.currency)?;
        EarnRule::new(EarnRuleParams {
            currency: repr.currency,
            points_per_unit: repr.points_per_unit,
            unit_amount: unit_amount.amount().clone(),
            rounding: repr.rounding,
            min_purchase_amount: min_purchase.amount().clone(),
            min_points_per_purchase: repr.min_points_per_purchase,
            max_points_per_purchase: repr.max_points_per_purchase,
            welcome_bonus_points: repr.welcome_bonus_points,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> EarnRuleParams {
        EarnRuleParams {
            currency: Currency::EUR,
            points_per_unit: 1,
            unit_amount: "1.00".parse().unwrap(),
            rounding: Rounding::Down,
            min_purchase_amount: "0".parse().unwrap(),
            min_points_per_purchase: 0,
            max_points_per_purchase: None,
            welcome_bonus_points: 0,
        }
    }

    #[test]
    fn new_refuses_rules_that_cannot_work() {
        let cases = [
            (
                EarnRuleParams {
                    points_per_unit: -1,
                    ..params()
                },
                "points per unit",
            ),
            (
                EarnRuleParams {
                    unit_amount: "0".parse().unwrap(),
                    ..params()
                },
                "unit amount",
            ),
            (
                EarnRuleParams {
                    unit_amount: "-1".parse().unwrap(),
                    ..params()
                },
                "unit amount",
            ),
            (
                EarnRuleParams {
                    min_purchase_amount: "-0.01".parse().unwrap(),
                    ..params()
                },
                "minimum purchase amount",
            ),
            (
                EarnRuleParams {
                    min_points_per_purchase: -1,
                    ..params()
                },
                "minimum points per purchase",
            ),
            (
                EarnRuleParams {
                    min_points_per_purchase: 10,
                    max_points_per_purchase: Some(9),
                    ..params()
                },
                "maximum points per purchase",
            ),
            (
                EarnRuleParams {
                    welcome_bonus_points: -5,
                    ..params()
                },
                "welcome bonus",
            ),
        ];
        for (bad, field) in cases {
            match EarnRule::new(bad) {
                Err(LedgerError::InvalidRule { field: got, .. }) => assert_eq!(got, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }

    #[test]
    fn serde_uses_the_card_shape_and_validates() {
        let rule = EarnRule::new(EarnRuleParams {
            max_points_per_purchase: Some(30),
            ..params()
        })
        .unwrap();
        let json = serde_json::to_value(&rule).unwrap();
        assert_eq!(json["unit_amount"], "1.00");
        assert_eq!(json["min_purchase_amount"], "0.00");
        assert_eq!(json["rounding"], "down");
        assert_eq!(json["max_points_per_purchase"], 30);
        assert_eq!(
            serde_json::from_value::<EarnRule>(json.clone()).unwrap(),
            rule
        );
        let mut bad = json;
        bad["unit_amount"] = "0".into();
        assert!(serde_json::from_value::<EarnRule>(bad).is_err());
    }
}
