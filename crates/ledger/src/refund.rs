//! How many points a refund takes back.

use bigdecimal::num_bigint::BigInt;

use crate::decimal::{parts, pow10};
use crate::fraction::Fraction;
use crate::{LedgerError, Money, Points, Rounding};

/// The points to take back **now** for an order's partial refunds, under the setting
/// "Partial refunds: deduct proportionally".
///
/// - `awarded`: the points the order actually awarded (never recomputed from today's
///   rules);
/// - `order_total`: the order total as the store reported it;
/// - `cumulative_refunded`: the sum of all the order's refunds so far, this one included;
/// - `already_taken_back`: the points earlier refunds of this order already took back.
///
/// The cumulative target is `awarded × cumulative_refunded ÷ order_total`, rounded
/// **down**, so a member is never charged more than the refunded proportion; the points
/// a rounding leaves behind are taken by a later full refund (see
/// [`full_refund_points`]). Refunds at or above the total target everything awarded. A
/// zero total targets nothing while nothing is refunded and everything once anything is.
///
/// The answer is the target minus `already_taken_back`, never negative, so the total
/// taken back never exceeds `awarded`, and asking again after recording the answer
/// returns zero (idempotent per cumulative amount). Amounts in different currencies and
/// negative points are refused.
pub fn proportional_refund(
    awarded: Points,
    order_total: &Money,
    cumulative_refunded: &Money,
    already_taken_back: Points,
) -> Result<Points, LedgerError> {
    order_total.same_currency(cumulative_refunded)?;
    check_inputs(awarded, already_taken_back)?;
    let target = if cumulative_refunded.is_zero() {
        Points::ZERO
    } else if order_total.is_zero() || cumulative_refunded.amount() >= order_total.amount() {
        awarded
    } else {
        let (refunded_int, refunded_scale) = parts(cumulative_refunded.amount(), "refund amount")?;
        let (total_int, total_scale) = parts(order_total.amount(), "order total")?;
        let share = Fraction::new(
            BigInt::from(awarded.get()) * refunded_int * pow10(total_scale),
            total_int * pow10(refunded_scale),
        )
        .ok_or(LedgerError::NegativeAmount {
            what: "order total",
        })?;
        let rounded =
            i64::try_from(share.round(Rounding::Down)).map_err(|_| LedgerError::PointsOverflow)?;
        Points::new(rounded.min(awarded.get()))
    };
    Ok(remaining(target, already_taken_back))
}

/// The points a full refund takes back now: whatever the order awarded that earlier
/// (partial) refunds did not already take. Never negative.
pub fn full_refund_points(
    awarded: Points,
    already_taken_back: Points,
) -> Result<Points, LedgerError> {
    check_inputs(awarded, already_taken_back)?;
    Ok(remaining(awarded, already_taken_back))
}

fn check_inputs(awarded: Points, already_taken_back: Points) -> Result<(), LedgerError> {
    if awarded.is_negative() {
        return Err(LedgerError::NegativePoints {
            what: "points the order awarded",
            points: awarded,
        });
    }
    if already_taken_back.is_negative() {
        return Err(LedgerError::NegativePoints {
            what: "points already taken back",
            points: already_taken_back,
        });
    }
    Ok(())
}

/// `target - taken`, or zero when `taken` already reaches the target. Both are ≥ 0, so
/// the subtraction cannot overflow.
fn remaining(target: Points, taken: Points) -> Points {
    Points::new(target.get().saturating_sub(taken.get()).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn eur(text: &str) -> Money {
        Money::parse(text, Currency::EUR).unwrap()
    }

    fn refund(
        awarded: i64,
        total: &str,
        refunded: &str,
        taken: i64,
    ) -> Result<Points, LedgerError> {
        proportional_refund(
            Points::new(awarded),
            &eur(total),
            &eur(refunded),
            Points::new(taken),
        )
    }

    #[test]
    fn takes_back_the_refunded_share_rounded_down() {
        assert_eq!(refund(50, "50.00", "10.00", 0), Ok(Points::new(10)));
        assert_eq!(refund(10, "30.00", "10.00", 0), Ok(Points::new(3)));
        assert_eq!(refund(7, "10.00", "9.99", 0), Ok(Points::new(6)));
    }

    #[test]
    fn zero_totals_and_over_refunds() {
        assert_eq!(refund(50, "0", "0", 0), Ok(Points::ZERO));
        assert_eq!(refund(50, "0", "1", 0), Ok(Points::new(50)));
        assert_eq!(refund(50, "50", "0", 0), Ok(Points::ZERO));
        assert_eq!(refund(50, "50", "80", 0), Ok(Points::new(50)));
        assert_eq!(refund(50, "50", "80", 60), Ok(Points::ZERO));
    }

    #[test]
    fn refuses_mixed_currencies_and_negative_points() {
        let yen = Money::parse("10", Currency::JPY).unwrap();
        assert!(matches!(
            proportional_refund(Points::new(5), &eur("10"), &yen, Points::ZERO),
            Err(LedgerError::CurrencyMismatch { .. })
        ));
        assert!(matches!(
            refund(-1, "10", "5", 0),
            Err(LedgerError::NegativePoints { .. })
        ));
        assert!(matches!(
            refund(1, "10", "5", -1),
            Err(LedgerError::NegativePoints { .. })
        ));
    }

    #[test]
    fn full_refund_takes_the_rest() {
        assert_eq!(
            full_refund_points(Points::new(50), Points::new(10)),
            Ok(Points::new(40))
        );
        assert_eq!(
            full_refund_points(Points::new(50), Points::new(70)),
            Ok(Points::ZERO)
        );
    }
}
