//! A card's rules as submitted, checked field by field (SPEC §2): every problem is
//! reported with the field it concerns and a sentence the partner can act on.

use bigdecimal::num_bigint::Sign;
use bigdecimal::BigDecimal;
use database::catalog::{Card, CardTier};
use ledger::{Currency, EarnRule, EarnRuleParams, Money, Points, Rounding, Tier};

use super::{CardInput, FieldError, TierInput};

/// Longest card name, in characters (the database allows 200).
pub const MAX_CARD_NAME: usize = 200;
/// Longest tier name, in characters (the database allows 100).
pub const MAX_TIER_NAME: usize = 100;
/// Most tiers a card may have.
pub const MAX_TIERS: usize = 10;
/// Largest number of points any rule may name.
pub const MAX_POINTS: i64 = 1_000_000_000;
/// Largest tier multiplier.
const MAX_MULTIPLIER: i64 = 100;
/// Most decimals of a tier multiplier.
const MULTIPLIER_DECIMALS: u64 = 4;

/// A card whose every rule passed: what gets saved.
#[derive(Debug, Clone)]
pub struct ValidCard {
    pub name: String,
    pub rule: EarnRule,
    pub active: bool,
    /// Lowest threshold first.
    pub tiers: Vec<Tier>,
}

/// The values a submission starts from: a card's saved ones, or the defaults.
#[derive(Debug, Clone)]
pub struct Base {
    name: Option<String>,
    currency: Option<Currency>,
    points_per_unit: i64,
    unit_amount: BigDecimal,
    rounding: Rounding,
    min_purchase_amount: BigDecimal,
    min_points: i64,
    max_points: Option<i64>,
    welcome: i64,
    active: bool,
    tiers: Vec<Tier>,
}

impl Base {
    /// A new card: 1 point per 1.00, rounded down, no minimum, no cap, no welcome bonus,
    /// no tiers, active; name and currency still to be given.
    pub fn defaults() -> Base {
        Base {
            name: None,
            currency: None,
            points_per_unit: 1,
            unit_amount: BigDecimal::from(1),
            rounding: Rounding::Down,
            min_purchase_amount: BigDecimal::from(0),
            min_points: 0,
            max_points: None,
            welcome: 0,
            active: true,
            tiers: Vec::new(),
        }
    }

    /// What `card` holds now.
    pub fn of(card: &Card, tiers: &[CardTier]) -> Result<Base, ledger::LedgerError> {
        let rule = card.earn_rule()?;
        Ok(Base {
            name: Some(card.name.clone()),
            currency: Some(rule.currency()),
            points_per_unit: rule.points_per_unit(),
            unit_amount: rule.unit_amount().clone(),
            rounding: rule.rounding(),
            min_purchase_amount: rule.min_purchase_amount().clone(),
            min_points: rule.min_points_per_purchase().get(),
            max_points: rule.max_points_per_purchase().map(|p| p.get()),
            welcome: rule.welcome_bonus_points().get(),
            active: card.active,
            tiers: tiers.iter().map(CardTier::tier).collect::<Result<_, _>>()?,
        })
    }
}

struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        // One message per field: the first problem found is the one to fix first.
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(FieldError {
                field,
                message: message.into(),
            });
        }
    }
}

/// `input` over `base`, checked. Every problem is reported, not only the first.
pub fn validate(base: &Base, input: &CardInput) -> Result<ValidCard, Vec<FieldError>> {
    let mut problems = Problems(Vec::new());
    let name = match &input.name {
        Some(text) => {
            let text = text.trim();
            if text.is_empty() || text.chars().count() > MAX_CARD_NAME {
                problems.add("name", "Give the card a name of 1 to 200 characters.");
            }
            Some(text.to_owned())
        }
        None => base.name.clone(),
    };
    if name.is_none() {
        problems.add("name", "Give the card a name, such as “Stamp Card”.");
    }
    let currency = match &input.currency {
        Some(text) if text.trim().is_empty() => None,
        Some(text) => match Currency::parse(text) {
            Ok(currency) => Some(currency),
            Err(e) => {
                problems.add("currency", e.to_string());
                base.currency
            }
        },
        None => base.currency,
    };
    if currency.is_none() {
        problems.add(
            "currency",
            "Choose the card's currency, such as EUR or USD.",
        );
    }
    let points = |field: &'static str, value: &Option<String>, current: i64, p: &mut Problems| {
        let Some(text) = value else { return current };
        whole_points(text).unwrap_or_else(|| {
            p.add(
                field,
                "Enter a whole number of points, 0 or more (at most 1,000,000,000).",
            );
            current
        })
    };
    let points_per_unit = points(
        "points_per_unit",
        &input.points_per_unit,
        base.points_per_unit,
        &mut problems,
    );
    let min_points = points(
        "min_points_per_purchase",
        &input.min_points_per_purchase,
        base.min_points,
        &mut problems,
    );
    let welcome = points(
        "welcome_bonus_points",
        &input.welcome_bonus_points,
        base.welcome,
        &mut problems,
    );
    let max_points = match input.max_points_per_purchase.as_deref().map(str::trim) {
        None => base.max_points,
        Some("") => None,
        Some(text) => match whole_points(text) {
            Some(max) => Some(max),
            None => {
                problems.add(
                    "max_points_per_purchase",
                    "Enter a whole number of points, or leave it empty for no maximum.",
                );
                base.max_points
            }
        },
    };
    if max_points.is_some_and(|max| max < min_points) {
        problems.add(
            "max_points_per_purchase",
            format!(
                "The maximum must be at least the minimum points per purchase ({}).",
                Points::new(min_points).grouped()
            ),
        );
    }
    let rounding = match &input.rounding {
        Some(text) => Rounding::parse(text).unwrap_or_else(|_| {
            problems.add("rounding", "Choose down, nearest or up.");
            base.rounding
        }),
        None => base.rounding,
    };
    let unit_amount = match &input.unit_amount {
        Some(text) => match amount(text) {
            Some(value) if value.sign() == Sign::Plus => value,
            _ => {
                problems.add(
                    "unit_amount",
                    "Enter the spend that earns the points: an amount greater than 0, such as 1.00.",
                );
                base.unit_amount.clone()
            }
        },
        None => base.unit_amount.clone(),
    };
    let min_purchase_amount = match &input.min_purchase_amount {
        Some(text) if text.trim().is_empty() => BigDecimal::from(0),
        Some(text) => amount(text).unwrap_or_else(|| {
            problems.add(
                "min_purchase_amount",
                "Enter an amount of 0 or more, such as 5.00 (0: every purchase earns points).",
            );
            base.min_purchase_amount.clone()
        }),
        None => base.min_purchase_amount.clone(),
    };
    if let Some(currency) = currency {
        for (field, what, value) in [
            ("unit_amount", "unit amount", &unit_amount),
            (
                "min_purchase_amount",
                "minimum purchase",
                &min_purchase_amount,
            ),
        ] {
            if let Some(message) = finer_than(currency, what, value) {
                problems.add(field, message);
            }
        }
    }
    let tiers = match &input.tiers {
        Some(rows) => tiers(rows, &mut problems),
        None => base.tiers.clone(),
    };
    let active = input.active.unwrap_or(base.active);
    let (Some(name), Some(currency)) = (name, currency) else {
        return Err(problems.0);
    };
    if !problems.0.is_empty() {
        return Err(problems.0);
    }
    let rule = EarnRule::new(EarnRuleParams {
        currency,
        points_per_unit,
        unit_amount,
        rounding,
        min_purchase_amount,
        min_points_per_purchase: min_points,
        max_points_per_purchase: max_points,
        welcome_bonus_points: welcome,
    })
    .map_err(|e| {
        vec![FieldError {
            field: "rules".into(),
            message: e.to_string(),
        }]
    })?;
    Ok(ValidCard {
        name,
        rule,
        active,
        tiers,
    })
}

/// A whole number of points from 0 to [`MAX_POINTS`].
fn whole_points(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > 12 {
        return None;
    }
    text.parse::<i64>().ok().filter(|n| *n <= MAX_POINTS)
}

/// A plain decimal amount of 0 or more, kept exactly as typed (`1.50` stays `1.50`).
fn amount(text: &str) -> Option<BigDecimal> {
    // The currency only matters for display; any known one reads the digits the same.
    Money::parse(text, Currency::EUR)
        .ok()
        .map(|m| m.amount().clone())
}

/// Decimals of `value` once trailing zeros are dropped: `1.50` → 1, `2.00` → 0.
fn significant_decimals(value: &BigDecimal) -> i64 {
    let (_, scale) = value.normalized().as_bigint_and_exponent();
    scale.max(0)
}

/// Why `value` is finer than `currency` can pay, if it is.
fn finer_than(currency: Currency, what: &str, value: &BigDecimal) -> Option<String> {
    let minor = currency.minor_units();
    if significant_decimals(value) <= i64::from(minor) {
        return None;
    }
    Some(match minor {
        0 => format!(
            "{} has no decimals: the {what} must be a whole amount.",
            currency.code()
        ),
        1 => format!(
            "In {} the {what} can have at most 1 decimal.",
            currency.code()
        ),
        n => format!(
            "In {} the {what} can have at most {n} decimals.",
            currency.code()
        ),
    })
}

fn tiers(rows: &[TierInput], problems: &mut Problems) -> Vec<Tier> {
    if rows.len() > MAX_TIERS {
        problems.add("tiers", "A card can have at most 10 tiers.");
        return Vec::new();
    }
    let mut valid = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut thresholds: Vec<i64> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let field = |part: &str| format!("tiers[{i}].{part}");
        let name = row.name.trim();
        if name.is_empty() || name.chars().count() > MAX_TIER_NAME {
            problems.add(
                field("name"),
                "Give the tier a name of 1 to 100 characters, such as Gold.",
            );
        } else if names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            problems.add(
                field("name"),
                format!("Two tiers are called “{name}”: give each tier its own name."),
            );
        }
        names.push(name.to_owned());
        let threshold = whole_points(&row.threshold);
        match threshold {
            None => problems.add(
                field("threshold"),
                "Enter the points a member needs to reach this tier: a whole number, 0 or more.",
            ),
            Some(t) if thresholds.contains(&t) => problems.add(
                field("threshold"),
                format!(
                    "Two tiers start at {} points: give each tier its own threshold.",
                    Points::new(t).grouped()
                ),
            ),
            Some(t) => thresholds.push(t),
        }
        let multiplier = multiplier(&row.multiplier);
        if let Err(message) = &multiplier {
            problems.add(field("multiplier"), *message);
        }
        if let (Some(threshold), Ok(multiplier)) = (threshold, multiplier) {
            if let Ok(tier) = Tier::new(name, Points::new(threshold), multiplier) {
                valid.push(tier);
            }
        }
    }
    valid.sort_by_key(Tier::threshold);
    valid
}

fn multiplier(text: &str) -> Result<BigDecimal, &'static str> {
    let value = amount(text).ok_or("Enter a multiplier greater than 0, such as 1.5.")?;
    if value.sign() != Sign::Plus {
        return Err("Enter a multiplier greater than 0, such as 1.5.");
    }
    if significant_decimals(&value) > MULTIPLIER_DECIMALS as i64 {
        return Err("A multiplier can have at most 4 decimals, such as 1.25.");
    }
    if value > MAX_MULTIPLIER {
        return Err("A multiplier can be at most 100.");
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
