//! The card form's fields: read from a submission (tier rows are numbered
//! `tier_name_0`, `tier_threshold_0`, `tier_multiplier_0`, …; a blank row is no tier),
//! shown back as text with each refusal beside its field.

use std::collections::BTreeMap;

use database::catalog::CardWithTiers;
use serde::Serialize;

use crate::usecases::cards::{
    money_text, multiplier_text, CardInput, FieldError, TierInput, MAX_TIERS,
};

/// Tier rows a form shows at least (so three tiers can be entered without JavaScript).
const MIN_TIER_ROWS: usize = 3;

/// A submitted form: its name/value pairs in order.
#[derive(Debug, Default)]
pub struct Submitted {
    pairs: Vec<(String, String)>,
}

impl Submitted {
    pub fn new(pairs: Vec<(String, String)>) -> Submitted {
        Submitted { pairs }
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// What makes this submission what it is (everything but the CSRF token and key).
    pub fn fingerprint(&self) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k != "csrf" && k != "idem")
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// The tier rows as typed, by row number (at most [`MAX_TIERS`] + a few).
    fn tier_rows(&self) -> Vec<(usize, TierInput)> {
        let mut rows: BTreeMap<usize, TierInput> = BTreeMap::new();
        for (key, value) in &self.pairs {
            let Some((part, index)) = key
                .strip_prefix("tier_")
                .and_then(|rest| rest.rsplit_once('_'))
            else {
                continue;
            };
            let Ok(index) = index.parse::<usize>() else {
                continue;
            };
            if index > MAX_TIERS * 4 {
                continue;
            }
            let row = rows.entry(index).or_default();
            match part {
                "name" => row.name = value.clone(),
                "threshold" => row.threshold = value.clone(),
                "multiplier" => row.multiplier = value.clone(),
                _ => {}
            }
        }
        rows.into_iter().collect()
    }

    /// The form as the use case reads it: every field given (the form shows them all),
    /// blank tier rows left out. Also the row number of each tier passed on.
    pub fn input(&self) -> (CardInput, Vec<usize>) {
        let text = |name: &str| Some(self.get(name).to_owned());
        let filled: Vec<(usize, TierInput)> = self
            .tier_rows()
            .into_iter()
            .filter(|(_, t)| {
                !(t.name.trim().is_empty()
                    && t.threshold.trim().is_empty()
                    && t.multiplier.trim().is_empty())
            })
            .collect();
        let rows = filled.iter().map(|(i, _)| *i).collect();
        let input = CardInput {
            club_id: text("club_id"),
            name: text("name"),
            currency: text("currency"),
            points_per_unit: text("points_per_unit"),
            unit_amount: text("unit_amount"),
            rounding: text("rounding"),
            min_purchase_amount: text("min_purchase_amount"),
            min_points_per_purchase: text("min_points_per_purchase"),
            max_points_per_purchase: text("max_points_per_purchase"),
            welcome_bonus_points: text("welcome_bonus_points"),
            active: Some(!self.get("active").is_empty()),
            tiers: Some(filled.into_iter().map(|(_, t)| t).collect()),
        };
        (input, rows)
    }
}

/// One tier row of the form, with its refusals.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TierRow {
    pub index: usize,
    pub name: String,
    pub threshold: String,
    pub multiplier: String,
    pub errors: BTreeMap<String, String>,
}

impl TierRow {
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.threshold.trim().is_empty()
            && self.multiplier.trim().is_empty()
            && self.errors.is_empty()
    }
}

/// The form's values as text, and the refusals by field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Values {
    pub club_id: String,
    pub name: String,
    pub currency: String,
    pub points_per_unit: String,
    pub unit_amount: String,
    pub rounding: String,
    pub min_purchase_amount: String,
    pub min_points_per_purchase: String,
    pub max_points_per_purchase: String,
    pub welcome_bonus_points: String,
    pub active: bool,
    pub tiers: Vec<TierRow>,
}

impl Values {
    /// A new card's form: the default rules (SPEC §2), in euros until changed.
    pub fn defaults() -> Values {
        Values {
            currency: "EUR".into(),
            points_per_unit: "1".into(),
            unit_amount: "1.00".into(),
            rounding: "down".into(),
            min_purchase_amount: "0.00".into(),
            min_points_per_purchase: "0".into(),
            welcome_bonus_points: "0".into(),
            active: true,
            ..Values::default()
        }
        .padded()
    }

    /// What `saved` holds.
    pub fn of(saved: &CardWithTiers) -> Values {
        let card = &saved.card;
        let tiers = saved
            .tiers
            .iter()
            .enumerate()
            .map(|(index, t)| TierRow {
                index,
                name: t.name.clone(),
                threshold: t.threshold.to_string(),
                multiplier: multiplier_text(&t.multiplier),
                errors: BTreeMap::new(),
            })
            .collect();
        Values {
            club_id: card.club_id.to_string(),
            name: card.name.clone(),
            currency: card.currency.clone(),
            points_per_unit: card.points_per_unit.to_string(),
            unit_amount: money_text(&card.unit_amount, &card.currency),
            rounding: card.rounding.clone(),
            min_purchase_amount: money_text(&card.min_purchase_amount, &card.currency),
            min_points_per_purchase: card.min_points_per_purchase.to_string(),
            max_points_per_purchase: card
                .max_points_per_purchase
                .map(|m| m.to_string())
                .unwrap_or_default(),
            welcome_bonus_points: card.welcome_bonus_points.to_string(),
            active: card.active,
            tiers,
        }
        .padded()
    }

    /// What was typed, with each refusal beside its field; the other refusals (the
    /// number of tiers, the club) come back keyed by their own name.
    pub fn typed(
        form: &Submitted,
        errors: &[FieldError],
        rows: &[usize],
    ) -> (Values, BTreeMap<String, String>) {
        let mut tiers: Vec<TierRow> = form
            .tier_rows()
            .into_iter()
            .map(|(index, t)| TierRow {
                index,
                name: t.name,
                threshold: t.threshold,
                multiplier: t.multiplier,
                errors: BTreeMap::new(),
            })
            .collect();
        let mut general = BTreeMap::new();
        for e in errors {
            match tier_field(&e.field) {
                Some((i, part)) => {
                    let row = rows.get(i).copied();
                    if let Some(row) = tiers.iter_mut().find(|t| Some(t.index) == row) {
                        row.errors
                            .entry(part.to_owned())
                            .or_insert(e.message.clone());
                    }
                }
                None => {
                    general.entry(e.field.clone()).or_insert(e.message.clone());
                }
            }
        }
        tiers.retain(|t| !t.is_blank());
        let values = Values {
            club_id: form.get("club_id").to_owned(),
            name: form.get("name").to_owned(),
            currency: form.get("currency").to_owned(),
            points_per_unit: form.get("points_per_unit").to_owned(),
            unit_amount: form.get("unit_amount").to_owned(),
            rounding: form.get("rounding").to_owned(),
            min_purchase_amount: form.get("min_purchase_amount").to_owned(),
            min_points_per_purchase: form.get("min_points_per_purchase").to_owned(),
            max_points_per_purchase: form.get("max_points_per_purchase").to_owned(),
            welcome_bonus_points: form.get("welcome_bonus_points").to_owned(),
            active: !form.get("active").is_empty(),
            tiers,
        };
        (values.padded(), general)
    }

    /// Renumbers the tier rows 0, 1, … and adds blank rows: at least one, and at least
    /// [`MIN_TIER_ROWS`] in all, never more than [`MAX_TIERS`].
    fn padded(mut self) -> Values {
        while self.tiers.len() < MAX_TIERS
            && (self.tiers.len() < MIN_TIER_ROWS || !self.tiers.iter().any(TierRow::is_blank))
        {
            self.tiers.push(TierRow::default());
        }
        for (i, row) in self.tiers.iter_mut().enumerate() {
            row.index = i;
        }
        self
    }
}

/// `tiers[2].multiplier` → `(2, "multiplier")`.
fn tier_field(field: &str) -> Option<(usize, &str)> {
    let rest = field.strip_prefix("tiers[")?;
    let (index, part) = rest.split_once("].")?;
    Some((index.parse().ok()?, part))
}
