//! Taking points back without ever taking the balance below zero.

use crate::Points;

/// A deduction as it is recorded and as it is applied.
///
/// Fields are public for reading and pattern matching; getters of the same names exist
/// too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deduction {
    /// The full deduction asked for, as a negative delta (or zero).
    pub recorded: Points,
    /// The part that could be taken, as a negative delta (or zero): never more than the
    /// balance.
    pub applied: Points,
}

impl Deduction {
    /// The full deduction, as a negative delta.
    pub fn recorded(&self) -> Points {
        self.recorded
    }
    /// What is actually taken, as a negative delta.
    pub fn applied(&self) -> Points {
        self.applied
    }
}

/// Takes `requested` points (a positive amount) from `balance`, stopping at zero: the
/// deduction records `-requested` and applies only what the balance holds.
///
/// Being infallible, it reads a negative `requested` as zero and a negative `balance` as
/// empty; use [`crate::apply`] where such inputs must be refused.
pub fn deduct(balance: Points, requested: Points) -> Deduction {
    let requested = requested.get().max(0);
    let available = balance.get().max(0);
    Deduction {
        recorded: Points::new(-requested),
        applied: Points::new(-requested.min(available)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_everything_when_the_balance_allows() {
        let deduction = deduct(Points::new(100), Points::new(40));
        assert_eq!(deduction.recorded(), Points::new(-40));
        assert_eq!(deduction.applied(), Points::new(-40));
    }

    #[test]
    fn stops_at_zero() {
        assert_eq!(
            deduct(Points::new(30), Points::new(50)),
            Deduction {
                recorded: Points::new(-50),
                applied: Points::new(-30)
            }
        );
        assert_eq!(
            deduct(Points::ZERO, Points::new(50)),
            Deduction {
                recorded: Points::new(-50),
                applied: Points::ZERO
            }
        );
    }

    #[test]
    fn odd_inputs_take_nothing() {
        assert_eq!(
            deduct(Points::new(30), Points::new(-5)),
            Deduction {
                recorded: Points::ZERO,
                applied: Points::ZERO
            }
        );
        assert_eq!(
            deduct(Points::new(-30), Points::new(5)),
            Deduction {
                recorded: Points::new(-5),
                applied: Points::ZERO
            }
        );
        assert_eq!(
            deduct(Points::new(3), Points::new(i64::MIN)).recorded,
            Points::ZERO
        );
    }
}
