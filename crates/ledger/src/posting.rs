//! Posting arithmetic: what one entry does to a wallet's balance.
//!
//! The database crate calls [`apply`] inside its transaction, after locking the wallet
//! row, and stores `recorded`, `applied` and `balance_after` with the entry. The
//! invariant it keeps: balance = sum of applied points ≥ 0.

use crate::{EntryKind, LedgerError, Points};

/// The outcome of posting one entry.
///
/// Fields are public for reading and pattern matching; getters of the same names exist
/// too. Only [`apply`] produces meaningful values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// What the entry records: the full credit or deduction asked for.
    pub recorded: Points,
    /// What the entry changed: equal to `recorded` except for clamped deductions.
    pub applied: Points,
    /// The balance after the entry.
    pub balance_after: Points,
}

impl Applied {
    /// What the entry records.
    pub fn recorded(&self) -> Points {
        self.recorded
    }
    /// What the entry changed.
    pub fn applied(&self) -> Points {
        self.applied
    }
    /// The balance after the entry.
    pub fn balance_after(&self) -> Points {
        self.balance_after
    }
    /// The part of a deduction that could not be taken because the points were already
    /// spent (zero or negative; zero for everything but clamped deductions).
    pub fn unrecovered(&self) -> Points {
        Points::new(self.recorded.get().saturating_sub(self.applied.get()))
    }
}

/// Posts an entry of `kind` recording `points` on a wallet holding `balance`.
///
/// - credits (`purchase`, `welcome_bonus`, `redemption_reversal`, positive
///   `adjustment`): applied in full; zero is allowed except for an adjustment;
/// - `refund` (and the reserved `expiry`): `points` ≤ 0; the entry records the full
///   deduction and applies only what brings the balance to zero;
/// - `redemption`: `points` < 0, refused with [`LedgerError::InsufficientPoints`] beyond
///   the balance;
/// - negative `adjustment`: refused with [`LedgerError::AdjustmentExceedsBalance`] beyond
///   the balance; an adjustment of zero is refused.
///
/// Points of the wrong sign for the kind, a negative starting balance and overflow are
/// refused with typed errors.
pub fn apply(balance: Points, kind: EntryKind, points: Points) -> Result<Applied, LedgerError> {
    if balance.is_negative() {
        return Err(LedgerError::NegativeBalance { balance });
    }
    let applied = match kind {
        EntryKind::Purchase | EntryKind::WelcomeBonus | EntryKind::RedemptionReversal => {
            credit(kind, points)?
        }
        EntryKind::Refund | EntryKind::Expiry => clamped_deduction(balance, kind, points)?,
        EntryKind::Redemption => redemption(balance, points)?,
        EntryKind::Adjustment => adjustment(balance, points)?,
    };
    let balance_after = balance
        .checked_add(applied)
        .ok_or(LedgerError::PointsOverflow)?;
    Ok(Applied {
        recorded: points,
        applied,
        balance_after,
    })
}

fn credit(kind: EntryKind, points: Points) -> Result<Points, LedgerError> {
    if points.is_negative() {
        return Err(LedgerError::WrongSign {
            kind,
            points,
            expected: "add",
        });
    }
    Ok(points)
}

fn clamped_deduction(
    balance: Points,
    kind: EntryKind,
    points: Points,
) -> Result<Points, LedgerError> {
    if points.is_positive() {
        return Err(LedgerError::WrongSign {
            kind,
            points,
            expected: "take away",
        });
    }
    // balance ≥ 0 here, so its negation always fits.
    Ok(points.max(Points::new(-balance.get())))
}

fn redemption(balance: Points, points: Points) -> Result<Points, LedgerError> {
    if !points.is_negative() {
        return Err(LedgerError::WrongSign {
            kind: EntryKind::Redemption,
            points,
            expected: "take away",
        });
    }
    let requested = points.checked_neg().ok_or(LedgerError::PointsOverflow)?;
    if requested > balance {
        return Err(LedgerError::InsufficientPoints { balance, requested });
    }
    Ok(points)
}

fn adjustment(balance: Points, points: Points) -> Result<Points, LedgerError> {
    if points.is_zero() {
        return Err(LedgerError::ZeroAdjustment);
    }
    if points.is_positive() {
        return Ok(points);
    }
    let requested = points.checked_neg().ok_or(LedgerError::PointsOverflow)?;
    if requested > balance {
        return Err(LedgerError::AdjustmentExceedsBalance { balance, requested });
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: i64) -> Points {
        Points::new(n)
    }

    #[test]
    fn credits_apply_in_full() {
        for kind in [
            EntryKind::Purchase,
            EntryKind::WelcomeBonus,
            EntryKind::RedemptionReversal,
            EntryKind::Adjustment,
        ] {
            assert_eq!(
                apply(p(10), kind, p(25)),
                Ok(Applied {
                    recorded: p(25),
                    applied: p(25),
                    balance_after: p(35)
                })
            );
        }
        assert_eq!(
            apply(p(10), EntryKind::Purchase, p(0)).map(|a| a.balance_after()),
            Ok(p(10))
        );
    }

    #[test]
    fn refund_after_spending_clamps_balance_at_zero() {
        let applied = apply(p(30), EntryKind::Refund, p(-50)).unwrap();
        assert_eq!(applied.recorded(), p(-50));
        assert_eq!(applied.applied(), p(-30));
        assert_eq!(applied.balance_after(), p(0));
        assert_eq!(applied.unrecovered(), p(-20));
        let expiry = apply(p(5), EntryKind::Expiry, p(-8)).unwrap();
        assert_eq!(expiry.applied, p(-5));
    }

    #[test]
    fn refund_within_the_balance_applies_in_full() {
        let applied = apply(p(100), EntryKind::Refund, p(-40)).unwrap();
        assert_eq!(
            applied,
            Applied {
                recorded: p(-40),
                applied: p(-40),
                balance_after: p(60)
            }
        );
        assert_eq!(applied.unrecovered(), p(0));
    }

    #[test]
    fn redemption_beyond_the_balance_is_refused() {
        assert_eq!(
            apply(p(999), EntryKind::Redemption, p(-1000)),
            Err(LedgerError::InsufficientPoints {
                balance: p(999),
                requested: p(1000)
            })
        );
        assert_eq!(
            apply(p(1000), EntryKind::Redemption, p(-1000)).map(|a| a.balance_after),
            Ok(p(0))
        );
    }

    #[test]
    fn adjustment_larger_than_balance_is_refused() {
        let refused = apply(p(30), EntryKind::Adjustment, p(-31));
        assert_eq!(
            refused,
            Err(LedgerError::AdjustmentExceedsBalance {
                balance: p(30),
                requested: p(31)
            })
        );
        assert_eq!(
            refused.unwrap_err().to_string(),
            "Cannot take away 31 points: the wallet only has 30, and a manual adjustment \
             may not take the balance below zero."
        );
        assert_eq!(
            apply(p(30), EntryKind::Adjustment, p(-30)).map(|a| a.applied),
            Ok(p(-30))
        );
        assert_eq!(
            apply(p(30), EntryKind::Adjustment, p(0)),
            Err(LedgerError::ZeroAdjustment)
        );
    }

    #[test]
    fn wrong_signs_are_refused() {
        for (kind, points) in [
            (EntryKind::Purchase, -1),
            (EntryKind::WelcomeBonus, -1),
            (EntryKind::RedemptionReversal, -1),
            (EntryKind::Refund, 1),
            (EntryKind::Expiry, 1),
            (EntryKind::Redemption, 1),
            (EntryKind::Redemption, 0),
        ] {
            assert!(
                matches!(
                    apply(p(10), kind, p(points)),
                    Err(LedgerError::WrongSign { .. })
                ),
                "{kind} {points}"
            );
        }
        assert_eq!(
            apply(p(10), EntryKind::Refund, p(5))
                .unwrap_err()
                .to_string(),
            "A refund entry must take away points, but it was given 5."
        );
    }

    #[test]
    fn negative_balance_and_overflow_are_refused() {
        assert_eq!(
            apply(p(-1), EntryKind::Purchase, p(5)),
            Err(LedgerError::NegativeBalance { balance: p(-1) })
        );
        assert_eq!(
            apply(p(i64::MAX), EntryKind::Purchase, p(1)),
            Err(LedgerError::PointsOverflow)
        );
        assert_eq!(
            apply(p(5), EntryKind::Redemption, p(i64::MIN)),
            Err(LedgerError::PointsOverflow)
        );
        assert_eq!(
            apply(p(5), EntryKind::Refund, p(i64::MIN)).map(|a| a.applied),
            Ok(p(-5))
        );
    }
}
