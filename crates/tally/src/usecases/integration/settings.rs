//! The Settings tab (SPEC §3.5): every setting validated on the server, with a message
//! per field.

use bigdecimal::{BigDecimal, Zero};
use database::activity::{self, Actor};
use database::integrations::{self, Integration, Settings};
use database::DbError;
use time::OffsetDateTime;

/// Settings as submitted (a form or a JSON PATCH); `None` keeps the current value.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SettingsInput {
    pub award_on: Option<String>,
    pub partial_refunds: Option<String>,
    pub email_language: Option<String>,
    pub discount_enabled: Option<bool>,
    pub value_per_point: Option<String>,
    pub min_points: Option<String>,
    /// `Some("")` clears the maximum (the whole balance may be redeemed).
    pub max_points: Option<String>,
    pub code_prefix: Option<String>,
    pub valid_days: Option<String>,
}

/// A refused field and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

/// Applies `input` to `current`; every problem is reported, not only the first.
pub fn validate(current: &Settings, input: &SettingsInput) -> Result<Settings, Vec<FieldError>> {
    let mut next = current.clone();
    let mut errors = Vec::new();
    if let Some(v) = &input.award_on {
        match v.as_str() {
            "processing_or_completed" | "completed" => next.award_on = v.clone(),
            _ => errors.push(err(
                "award_on",
                "Choose “Processing or completed” or “Completed only”.",
            )),
        }
    }
    if let Some(v) = &input.partial_refunds {
        match v.as_str() {
            "ignore" | "proportional" => next.partial_refunds = v.clone(),
            _ => errors.push(err(
                "partial_refunds",
                "Choose “Deduct nothing” or “Deduct proportionally”.",
            )),
        }
    }
    if let Some(v) = &input.email_language {
        match v.as_str() {
            "en" | "nl" | "de" | "fr" | "es" => next.email_language = v.clone(),
            _ => errors.push(err(
                "email_language",
                "Choose English, Dutch, German, French or Spanish.",
            )),
        }
    }
    if let Some(v) = input.discount_enabled {
        next.discount_enabled = v;
    }
    if let Some(v) = &input.value_per_point {
        match v.trim().parse::<BigDecimal>() {
            Ok(d) if d > BigDecimal::zero() && d.fractional_digit_count() <= 6 && d < 1_000_000 => {
                next.value_per_point = d
            }
            _ => errors.push(err(
                "value_per_point",
                "Enter an amount greater than 0, such as 0.05.",
            )),
        }
    }
    if let Some(v) = &input.min_points {
        match v.trim().parse::<i64>() {
            Ok(n) if n >= 1 => next.min_points = n,
            _ => errors.push(err(
                "min_points",
                "Enter a whole number of points, 1 or more.",
            )),
        }
    }
    if let Some(v) = &input.max_points {
        let v = v.trim();
        if v.is_empty() {
            next.max_points = None;
        } else {
            match v.parse::<i64>() {
                Ok(n) if n >= 1 => next.max_points = Some(n),
                _ => errors.push(err(
                    "max_points",
                    "Enter a whole number of points, or leave it empty for the whole balance.",
                )),
            }
        }
    }
    if next.max_points.is_some_and(|max| max < next.min_points) {
        errors.push(err(
            "max_points",
            format!(
                "The maximum must be at least the minimum ({} points).",
                next.min_points
            ),
        ));
    }
    if let Some(v) = &input.code_prefix {
        let v = v.trim().to_ascii_uppercase();
        if (1..=12).contains(&v.len())
            && v.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            next.code_prefix = v;
        } else {
            errors.push(err("code_prefix", "Use 1 to 12 letters A–Z or digits 0–9."));
        }
    }
    if let Some(v) = &input.valid_days {
        match v.trim().parse::<i32>() {
            Ok(n) if (1..=90).contains(&n) => next.valid_days = n,
            _ => errors.push(err("valid_days", "Enter a number of days from 1 to 90.")),
        }
    }
    if errors.is_empty() {
        Ok(next)
    } else {
        Err(errors)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("some settings were refused")]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Validates and saves; the change goes to the activity log.
pub async fn update_settings(
    pool: &database::Pool,
    integration: &Integration,
    current: &Settings,
    input: &SettingsInput,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<Settings, SettingsError> {
    let next = validate(current, input).map_err(SettingsError::Invalid)?;
    let mut conn = database::pool::get(pool).await?;
    integrations::update_settings(&mut conn, integration.partner_id, integration.id, &next).await?;
    activity::record(
        &mut conn,
        &activity::NewActivity {
            partner_id: integration.partner_id,
            actor,
            action: "integration_settings_changed",
            subject: Some(&integration.store_url),
            details: serde_json::json!({
                "award_on": next.award_on, "partial_refunds": next.partial_refunds, "email_language": next.email_language,
                "discount_enabled": next.discount_enabled, "value_per_point": next.value_per_point.to_string(),
                "min_points": next.min_points, "max_points": next.max_points, "code_prefix": next.code_prefix, "valid_days": next.valid_days,
            }),
            now,
        },
    )
    .await?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> Settings {
        Settings {
            award_on: "processing_or_completed".into(),
            partial_refunds: "ignore".into(),
            email_language: "en".into(),
            discount_enabled: false,
            value_per_point: "0.05".parse().unwrap(),
            min_points: 1000,
            max_points: None,
            code_prefix: "POINTS".into(),
            valid_days: 7,
        }
    }

    #[test]
    fn every_bound_is_checked_and_every_problem_reported() {
        let input = SettingsInput {
            award_on: Some("shipped".into()),
            value_per_point: Some("0".into()),
            min_points: Some("0".into()),
            code_prefix: Some("POINTS-X".into()),
            valid_days: Some("91".into()),
            ..SettingsInput::default()
        };
        let errors = validate(&defaults(), &input).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "award_on",
                "value_per_point",
                "min_points",
                "code_prefix",
                "valid_days"
            ]
        );
    }

    #[test]
    fn the_maximum_is_optional_but_never_below_the_minimum() {
        let below = SettingsInput {
            max_points: Some("500".into()),
            ..SettingsInput::default()
        };
        assert_eq!(
            validate(&defaults(), &below).unwrap_err()[0].field,
            "max_points"
        );
        let ok = SettingsInput {
            max_points: Some("5000".into()),
            code_prefix: Some("cafe1".into()),
            ..SettingsInput::default()
        };
        let next = validate(&defaults(), &ok).unwrap();
        assert_eq!(
            (next.max_points, next.code_prefix.as_str()),
            (Some(5000), "CAFE1")
        );
        let cleared = SettingsInput {
            max_points: Some(" ".into()),
            ..SettingsInput::default()
        };
        assert_eq!(validate(&next, &cleared).unwrap().max_points, None);
    }
}
