//! Earning: from a purchase amount to whole points, and the record of how.

use bigdecimal::num_bigint::BigInt;

use crate::decimal::{exact_with_min_decimals, parts, pow10, trimmed};
use crate::fraction::Fraction;
use crate::{Breakdown, Channel, Clamp, EarnRule, LedgerError, Money, Points, Tier};

/// The points a purchase earned, whether it counts as a purchase at all, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earned {
    points: Points,
    qualifies: bool,
    breakdown: Breakdown,
}

impl Earned {
    /// The points for the purchase (clamped; the welcome bonus is not included).
    pub fn points(&self) -> Points {
        self.points
    }

    /// False when the amount is below the card's minimum purchase: then the purchase earns
    /// nothing and does not count as the wallet's first purchase.
    pub fn qualifies(&self) -> bool {
        self.qualifies
    }

    /// How the points were computed.
    pub fn breakdown(&self) -> &Breakdown {
        &self.breakdown
    }

    /// The breakdown, by value, for storing.
    pub fn into_breakdown(self) -> Breakdown {
        self.breakdown
    }
}

impl EarnRule {
    /// The points a purchase of `amount` earns, in the order the specification fixes:
    ///
    /// 1. below `min_purchase_amount` → no points, and the purchase does not qualify;
    /// 2. base = amount ÷ `unit_amount` × `points_per_unit`, × the tier multiplier only
    ///    when `channel` is [`Channel::Counter`] and a tier is given;
    /// 3. `rounding`, once, to whole points;
    /// 4. clamp to [`min_points_per_purchase`, `max_points_per_purchase`].
    ///
    /// The base is computed as an exact fraction (numerator and denominator as big
    /// integers), never divided to a fixed number of digits, so the rounding decision is
    /// exact even for amounts with many decimals or unit amounts like 3.00. The welcome
    /// bonus is not included. An amount in another currency is refused.
    ///
    /// [`min_points_per_purchase`]: EarnRule::min_points_per_purchase
    /// [`max_points_per_purchase`]: EarnRule::max_points_per_purchase
    pub fn points_for(
        &self,
        amount: &Money,
        channel: Channel,
        tier: Option<&Tier>,
    ) -> Result<Earned, LedgerError> {
        if amount.currency() != self.currency() {
            return Err(LedgerError::CurrencyMismatch {
                expected: self.currency(),
                found: amount.currency(),
            });
        }
        let minor = self.currency().minor_units();
        let mut breakdown = Breakdown {
            amount: amount.to_exact_string(),
            currency: self.currency(),
            unit_amount: exact_with_min_decimals(self.unit_amount(), minor),
            points_per_unit: self.points_per_unit(),
            tier: None,
            multiplier: None,
            base: "0".to_owned(),
            base_exact: true,
            rounding: self.rounding(),
            rounded: 0,
            clamp: None,
            below_minimum_purchase: None,
            points: Points::ZERO,
        };
        if amount.amount() < self.min_purchase_amount() {
            breakdown.below_minimum_purchase =
                Some(exact_with_min_decimals(self.min_purchase_amount(), minor));
            return Ok(Earned {
                points: Points::ZERO,
                qualifies: false,
                breakdown,
            });
        }

        let tier = tier.filter(|_| channel == Channel::Counter);
        let (amount_int, amount_scale) = parts(amount.amount(), "amount")?;
        let (unit_int, unit_scale) = parts(self.unit_amount(), "unit amount")?;
        let (multiplier_int, multiplier_scale) = match tier {
            Some(tier) => parts(tier.multiplier(), "tier multiplier")?,
            None => (BigInt::from(1u8), 0),
        };
        // amount × points_per_unit × multiplier ÷ unit_amount, as one exact fraction.
        let numerator =
            amount_int * BigInt::from(self.points_per_unit()) * multiplier_int * pow10(unit_scale);
        let denominator = unit_int * pow10(amount_scale) * pow10(multiplier_scale);
        let base = Fraction::new(numerator, denominator).ok_or(LedgerError::InvalidRule {
            field: "unit amount",
            problem: "it must be greater than zero",
        })?;

        let rounded =
            i64::try_from(base.round(self.rounding())).map_err(|_| LedgerError::PointsOverflow)?;
        let (points, clamp) = self.clamp(Points::new(rounded));

        let (base_text, base_exact) = base.to_decimal_string();
        breakdown.tier = tier.map(|tier| tier.name().to_owned());
        breakdown.multiplier = tier.map(|tier| trimmed(tier.multiplier()));
        breakdown.base = base_text;
        breakdown.base_exact = base_exact;
        breakdown.rounded = rounded;
        breakdown.clamp = clamp;
        breakdown.points = points;
        Ok(Earned {
            points,
            qualifies: true,
            breakdown,
        })
    }

    fn clamp(&self, rounded: Points) -> (Points, Option<Clamp>) {
        let min = self.min_points_per_purchase();
        if rounded < min {
            return (min, Some(Clamp::RaisedToMinimum { min }));
        }
        match self.max_points_per_purchase() {
            Some(max) if rounded > max => (max, Some(Clamp::CappedAtMaximum { max })),
            _ => (rounded, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Currency, EarnRuleParams, Rounding};

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
    fn default_is_one_point_per_unit_rounded_down() {
        let rule = EarnRule::default_for(Currency::EUR);
        assert_eq!(rule, EarnRule::new(params()).unwrap());
        assert_eq!(rule.welcome_bonus(), Points::ZERO);
        let amount = Money::parse("9.99", Currency::EUR).unwrap();
        let earned = rule.points_for(&amount, Channel::Api, None).unwrap();
        assert_eq!(earned.points(), Points::new(9));
        assert!(earned.qualifies());
    }

    #[test]
    fn currency_mismatch_is_refused() {
        let rule = EarnRule::default_for(Currency::EUR);
        let amount = Money::parse("10", Currency::USD).unwrap();
        assert_eq!(
            rule.points_for(&amount, Channel::Counter, None),
            Err(LedgerError::CurrencyMismatch {
                expected: Currency::EUR,
                found: Currency::USD
            })
        );
    }

    #[test]
    fn non_terminating_bases_round_exactly() {
        let rule = EarnRule::new(EarnRuleParams {
            unit_amount: "3.00".parse().unwrap(),
            rounding: Rounding::Nearest,
            ..params()
        })
        .unwrap();
        let earned = |text| {
            let amount = Money::parse(text, Currency::EUR).unwrap();
            rule.points_for(&amount, Channel::Api, None).unwrap()
        };
        // 4.50 ÷ 3 = 1.5 exactly → 2; 4.49 ÷ 3 = 1.4966… → 1
        assert_eq!(earned("4.50").points(), Points::new(2));
        assert_eq!(earned("4.49").points(), Points::new(1));
        assert!(!earned("10").breakdown().base_exact);
    }
}
