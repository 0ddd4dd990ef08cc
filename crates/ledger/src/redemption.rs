//! Turning points into a store coupon: the bounds and the coupon's value.

use bigdecimal::num_bigint::BigInt;

use crate::decimal::{parts, pow10};
use crate::fraction::Fraction;
use crate::{Currency, LedgerError, Money, Points, Rounding};

/// A store's redemption settings: what a point is worth and how many points one
/// redemption may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionRule {
    value_per_point: Money,
    min_points: Points,
    max_points: Option<Points>,
}

/// Why a redemption was refused, in words a member can read. Nothing is deducted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RedemptionRefusal {
    /// Zero or fewer points asked for.
    #[error("Enter a number of points greater than zero.")]
    NotPositive,
    /// Fewer points than the store's minimum.
    #[error("You can redeem no fewer than {} points at a time.", .min.grouped())]
    BelowMinimum {
        /// The store's minimum.
        min: Points,
    },
    /// More points than the store's maximum.
    #[error("You can redeem at most {} points at a time.", .max.grouped())]
    AboveMaximum {
        /// The store's maximum.
        max: Points,
    },
    /// More points than the wallet holds.
    #[error("You have {} points, fewer than the {} you asked to redeem.", .balance.grouped(), .requested.grouped())]
    InsufficientPoints {
        /// The wallet's balance.
        balance: Points,
        /// The points asked for.
        requested: Points,
    },
}

impl RedemptionRefusal {
    /// The API error code: `validation_failed`, `below_minimum`, `above_maximum` or
    /// `insufficient_points`.
    pub fn code(&self) -> &'static str {
        match self {
            RedemptionRefusal::NotPositive => "validation_failed",
            RedemptionRefusal::BelowMinimum { .. } => "below_minimum",
            RedemptionRefusal::AboveMaximum { .. } => "above_maximum",
            RedemptionRefusal::InsufficientPoints { .. } => "insufficient_points",
        }
    }
}

impl RedemptionRule {
    /// A point is worth `value_per_point` (above zero); a redemption uses at least
    /// `min_points` (1 or more) and at most `max_points` (at least the minimum; `None`
    /// allows the whole balance).
    pub fn new(
        value_per_point: Money,
        min_points: i64,
        max_points: Option<i64>,
    ) -> Result<RedemptionRule, LedgerError> {
        if value_per_point.is_zero() {
            return Err(LedgerError::InvalidRule {
                field: "discount per point",
                problem: "it must be greater than zero",
            });
        }
        if min_points < 1 {
            return Err(LedgerError::InvalidRule {
                field: "minimum points to redeem",
                problem: "it must be at least 1",
            });
        }
        if max_points.is_some_and(|max| max < min_points) {
            return Err(LedgerError::InvalidRule {
                field: "maximum points per redemption",
                problem: "it cannot be less than the minimum points to redeem",
            });
        }
        Ok(RedemptionRule {
            value_per_point,
            min_points: Points::new(min_points),
            max_points: max_points.map(Points::new),
        })
    }

    /// What one point is worth.
    pub fn value_per_point(&self) -> &Money {
        &self.value_per_point
    }
    /// The fewest points one redemption may use.
    pub fn min_points(&self) -> Points {
        self.min_points
    }
    /// The most points one redemption may use, if limited.
    pub fn max_points(&self) -> Option<Points> {
        self.max_points
    }
    /// The coupons' currency.
    pub fn currency(&self) -> Currency {
        self.value_per_point.currency()
    }

    /// Checks a request to redeem `requested` points from a wallet holding `balance`, in
    /// this order: more than zero, at least the minimum, at most the maximum, at most the
    /// balance. Returns the coupon's value.
    pub fn check(&self, balance: Points, requested: Points) -> Result<Money, RedemptionRefusal> {
        if !requested.is_positive() {
            return Err(RedemptionRefusal::NotPositive);
        }
        if requested < self.min_points {
            return Err(RedemptionRefusal::BelowMinimum {
                min: self.min_points,
            });
        }
        if let Some(max) = self.max_points.filter(|max| requested > *max) {
            return Err(RedemptionRefusal::AboveMaximum { max });
        }
        if requested > balance {
            return Err(RedemptionRefusal::InsufficientPoints { balance, requested });
        }
        Ok(self.value_of(requested))
    }

    /// What `points` are worth as a coupon: points × value per point, rounded **down** to
    /// the currency's minor unit (1,000 × 0.05 = 50.00; 3 × 0.333 = 0.99). Zero for zero
    /// or fewer points.
    pub fn value_of(&self, points: Points) -> Money {
        let currency = self.currency();
        if !points.is_positive() {
            return Money::zero(currency);
        }
        let Ok((value_int, value_scale)) =
            parts(self.value_per_point.amount(), "discount per point")
        else {
            return Money::zero(currency);
        };
        let exact = Fraction::new(BigInt::from(points.get()) * value_int, pow10(value_scale));
        let minor = currency.minor_units();
        match exact {
            Some(exact) => {
                let scaled = exact.round_to_decimals(minor, Rounding::Down);
                let (int, _) = scaled.as_bigint_and_exponent();
                Money::from_scaled(int, minor, currency)
            }
            None => Money::zero(currency),
        }
    }

    /// The value of the smallest redemption allowed, e.g. 50.00 for 1,000 points at 0.05:
    /// "Only 180 more points until your first 50.00 discount".
    pub fn minimum_value(&self) -> Money {
        self.value_of(self.min_points)
    }

    /// How many more points a wallet holding `balance` needs before it can redeem at all;
    /// `None` when it already can.
    pub fn points_until_minimum(&self, balance: Points) -> Option<Points> {
        let balance = balance.max(Points::ZERO);
        if balance >= self.min_points {
            None
        } else {
            self.min_points.checked_sub(balance)
        }
    }

    /// The most points a wallet holding `balance` can redeem now (the balance, capped at
    /// the maximum), or `None` below the minimum.
    pub fn max_redeemable(&self, balance: Points) -> Option<Points> {
        let most = match self.max_points {
            Some(max) => balance.min(max),
            None => balance,
        };
        (most >= self.min_points).then_some(most)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(value: &str, min: i64, max: Option<i64>) -> RedemptionRule {
        RedemptionRule::new(Money::parse(value, Currency::EUR).unwrap(), min, max).unwrap()
    }

    #[test]
    fn new_validates_the_settings() {
        let eur = |t| Money::parse(t, Currency::EUR).unwrap();
        assert!(RedemptionRule::new(eur("0"), 1, None).is_err());
        assert!(RedemptionRule::new(eur("0.05"), 0, None).is_err());
        assert!(RedemptionRule::new(eur("0.05"), 100, Some(99)).is_err());
        assert!(RedemptionRule::new(eur("0.05"), 100, Some(100)).is_ok());
    }

    #[test]
    fn value_is_rounded_down_to_the_minor_unit() {
        let r = rule("0.05", 1000, None);
        assert_eq!(r.value_of(Points::new(1000)).to_string(), "50.00 EUR");
        assert_eq!(
            rule("0.333", 1, None)
                .value_of(Points::new(3))
                .to_exact_string(),
            "0.99"
        );
        assert_eq!(r.value_of(Points::ZERO).to_exact_string(), "0.00");
        assert_eq!(r.value_of(Points::new(-5)).to_exact_string(), "0.00");
        let yen =
            RedemptionRule::new(Money::parse("0.5", Currency::JPY).unwrap(), 1, None).unwrap();
        assert_eq!(yen.value_of(Points::new(3)).to_exact_string(), "1");
    }

    #[test]
    fn refusals_come_in_order() {
        let r = rule("0.05", 1000, Some(5000));
        assert_eq!(
            r.check(Points::new(0), Points::new(0)),
            Err(RedemptionRefusal::NotPositive)
        );
        assert_eq!(
            r.check(Points::new(0), Points::new(999)),
            Err(RedemptionRefusal::BelowMinimum {
                min: Points::new(1000)
            })
        );
        assert_eq!(
            r.check(Points::new(0), Points::new(5001)),
            Err(RedemptionRefusal::AboveMaximum {
                max: Points::new(5000)
            })
        );
        assert_eq!(
            r.check(Points::new(1500), Points::new(2000)),
            Err(RedemptionRefusal::InsufficientPoints {
                balance: Points::new(1500),
                requested: Points::new(2000)
            })
        );
        assert_eq!(
            r.check(Points::new(1000), Points::new(1001)),
            Err(RedemptionRefusal::InsufficientPoints {
                balance: Points::new(1000),
                requested: Points::new(1001)
            })
        );
        assert_eq!(
            r.check(Points::new(2000), Points::new(2000))
                .map(|m| m.to_string()),
            Ok("100.00 EUR".to_owned())
        );
    }

    #[test]
    fn refusal_messages_and_codes() {
        let below = RedemptionRefusal::BelowMinimum {
            min: Points::new(1000),
        };
        assert_eq!(
            below.to_string(),
            "You can redeem no fewer than 1,000 points at a time."
        );
        assert_eq!(below.code(), "below_minimum");
        let short = RedemptionRefusal::InsufficientPoints {
            balance: Points::new(820),
            requested: Points::new(1000),
        };
        assert_eq!(
            short.to_string(),
            "You have 820 points, fewer than the 1,000 you asked to redeem."
        );
        assert_eq!(short.code(), "insufficient_points");
    }

    #[test]
    fn progress_towards_the_first_redemption() {
        let r = rule("0.05", 1000, Some(3000));
        assert_eq!(
            r.points_until_minimum(Points::new(820)),
            Some(Points::new(180))
        );
        assert_eq!(r.points_until_minimum(Points::new(1000)), None);
        assert_eq!(
            r.points_until_minimum(Points::new(-5)),
            Some(Points::new(1000))
        );
        assert_eq!(r.minimum_value().to_string(), "50.00 EUR");
        assert_eq!(r.max_redeemable(Points::new(820)), None);
        assert_eq!(r.max_redeemable(Points::new(1200)), Some(Points::new(1200)));
        assert_eq!(r.max_redeemable(Points::new(9000)), Some(Points::new(3000)));
    }
}
