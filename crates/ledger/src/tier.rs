//! Tiers: a multiplier for counter purchases, reached by points earned from purchases.

use bigdecimal::num_bigint::Sign;
use bigdecimal::BigDecimal;
use serde::{Deserialize, Serialize};

use crate::decimal::{bounded, trimmed};
use crate::{LedgerError, Points};

/// Longest tier name, in characters.
const MAX_NAME_CHARS: usize = 100;

/// One tier of a card: a member whose purchase points reach `threshold` earns
/// `multiplier` times the points on counter purchases (never on online orders).
///
/// Serialized as `{"name": "Gold", "threshold": 1000, "multiplier": "1.5"}`;
/// deserializing validates like [`Tier::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TierRepr", into = "TierRepr")]
pub struct Tier {
    name: String,
    threshold: Points,
    multiplier: BigDecimal,
}

impl Tier {
    /// A tier with a non-empty name (trimmed, at most 100 characters, as the database
    /// allows), a threshold of zero or more and a multiplier above zero.
    pub fn new(
        name: impl Into<String>,
        threshold: Points,
        multiplier: BigDecimal,
    ) -> Result<Tier, LedgerError> {
        let name = name.into().trim().to_owned();
        if name.is_empty() {
            return Err(LedgerError::InvalidTier {
                problem: "give it a name",
            });
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(LedgerError::InvalidTier {
                problem: "the name is longer than 100 characters",
            });
        }
        if threshold.is_negative() {
            return Err(LedgerError::InvalidTier {
                problem: "the threshold cannot be negative",
            });
        }
        let multiplier = bounded(&multiplier, "tier multiplier")?;
        if multiplier.sign() != Sign::Plus {
            return Err(LedgerError::InvalidTier {
                problem: "the multiplier must be greater than zero",
            });
        }
        Ok(Tier {
            name,
            threshold,
            multiplier,
        })
    }

    /// The tier's name, e.g. `Gold`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Points earned from purchases needed to reach the tier.
    pub fn threshold(&self) -> Points {
        self.threshold
    }

    /// The multiplier for counter purchases, e.g. `1.5`.
    pub fn multiplier(&self) -> &BigDecimal {
        &self.multiplier
    }
}

/// The tier a member is in: the one with the highest threshold at most `earned`, the
/// points earned from purchases on the card (refunds subtracted). `None` when no tier's
/// threshold is reached. When two tiers share a threshold the first listed wins.
pub fn tier_for(tiers: &[Tier], earned: Points) -> Option<&Tier> {
    tiers
        .iter()
        .filter(|tier| tier.threshold <= earned)
        .fold(None, |best: Option<&Tier>, tier| match best {
            Some(best) if best.threshold >= tier.threshold => Some(best),
            _ => Some(tier),
        })
}

#[derive(Serialize, Deserialize)]
struct TierRepr {
    name: String,
    threshold: Points,
    multiplier: String,
}

impl From<Tier> for TierRepr {
    fn from(tier: Tier) -> TierRepr {
        TierRepr {
            multiplier: trimmed(&tier.multiplier),
            name: tier.name,
            threshold: tier.threshold,
        }
    }
}

impl TryFrom<TierRepr> for Tier {
    type Error = LedgerError;
    fn try_from(repr: TierRepr) -> Result<Tier, LedgerError> {
        let multiplier =
            repr.multiplier
                .trim()
                .parse::<BigDecimal>()
                .map_err(|_| LedgerError::InvalidTier {
                    problem: "the multiplier is not a number",
                })?;
        Tier::new(repr.name, repr.threshold, multiplier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(name: &str, threshold: i64, multiplier: &str) -> Tier {
        Tier::new(name, Points::new(threshold), multiplier.parse().unwrap()).unwrap()
    }

    #[test]
    fn new_validates_every_field() {
        let one: BigDecimal = "1".parse().unwrap();
        assert_eq!(
            Tier::new("  ", Points::ZERO, one.clone()),
            Err(LedgerError::InvalidTier {
                problem: "give it a name"
            })
        );
        assert!(Tier::new("Gold", Points::new(-1), one.clone()).is_err());
        assert!(Tier::new("Gold", Points::ZERO, "0".parse().unwrap()).is_err());
        assert!(Tier::new("Gold", Points::ZERO, "-1.5".parse().unwrap()).is_err());
        assert!(Tier::new("x".repeat(101), Points::ZERO, one.clone()).is_err());
        assert!(Tier::new("x".repeat(100), Points::ZERO, one.clone()).is_ok());
        let gold = Tier::new(" Gold ", Points::new(1000), "1.5".parse().unwrap()).unwrap();
        assert_eq!(gold.name(), "Gold");
        assert_eq!(gold.threshold(), Points::new(1000));
        assert_eq!(gold.multiplier().to_string(), "1.5");
    }

    #[test]
    fn tier_for_picks_the_highest_threshold_reached() {
        let tiers = vec![
            tier("Gold", 1000, "1.5"),
            tier("Bronze", 0, "1"),
            tier("Silver", 500, "1.2"),
        ];
        let name = |earned| tier_for(&tiers, Points::new(earned)).map(Tier::name);
        assert_eq!(name(0), Some("Bronze"));
        assert_eq!(name(499), Some("Bronze"));
        assert_eq!(name(500), Some("Silver"));
        assert_eq!(name(5000), Some("Gold"));
        assert_eq!(name(-10), None);
        assert_eq!(tier_for(&[], Points::new(10)), None);
    }

    #[test]
    fn ties_go_to_the_first_listed() {
        let tiers = vec![tier("A", 100, "2"), tier("B", 100, "3")];
        assert_eq!(
            tier_for(&tiers, Points::new(100)).map(Tier::name),
            Some("A")
        );
    }

    #[test]
    fn serde_round_trip_validates() {
        let gold = tier("Gold", 1000, "1.50");
        let json = serde_json::to_string(&gold).unwrap();
        assert_eq!(
            json,
            r#"{"name":"Gold","threshold":1000,"multiplier":"1.5"}"#
        );
        assert_eq!(serde_json::from_str::<Tier>(&json).unwrap(), gold);
        let bad = r#"{"name":"Gold","threshold":1000,"multiplier":"0"}"#;
        assert!(serde_json::from_str::<Tier>(bad).is_err());
    }
}
