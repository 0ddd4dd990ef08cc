//! The JSON of the card endpoints (SPEC §8): a request body read into a
//! [`CardInput`] (wrong JSON types are a 400; the values themselves are judged by the use
//! case, 422), and the use case's refusals as `validation_failed` naming each field.

use actix_web::http::StatusCode;
use serde_json::{Map, Value};

use super::integration_json::Refused;
use super::ApiError;
use crate::usecases::cards::{CardError, CardInput, FieldError, TierInput, MAX_TIERS};

/// Fields a client may send back from a `GET` without effect.
const READ_ONLY: [&str; 3] = ["id", "created_at", "updated_at"];
const FIELDS: [&str; 12] = [
    "club_id",
    "name",
    "currency",
    "points_per_unit",
    "unit_amount",
    "rounding",
    "min_purchase_amount",
    "min_points_per_purchase",
    "max_points_per_purchase",
    "welcome_bonus_points",
    "active",
    "tiers",
];
const TIER_FIELDS: [&str; 3] = ["name", "threshold", "multiplier"];

fn malformed(message: impl Into<String>) -> Refused {
    ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", message)
        .hint("Send a JSON object with `Content-Type: application/json`, shaped as a card.")
        .into()
}

/// `validation_failed` whose message names every refused field and says why.
pub fn refusal(status: StatusCode, fields: Vec<FieldError>) -> Refused {
    let message: Vec<String> = fields
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    let error = ApiError::new(status, "validation_failed", message.join(" "))
        .hint("Correct the fields named and send the request again.");
    Refused {
        error,
        fields: fields.into_iter().map(|e| (e.field, e.message)).collect(),
    }
}

/// The use case's refusal as the API answers it.
pub fn card_error(e: CardError) -> Refused {
    match e {
        CardError::Invalid(fields) => refusal(StatusCode::UNPROCESSABLE_ENTITY, fields),
        CardError::NotFound => ApiError::not_found().into(),
        CardError::Saved(_) | CardError::Db(_) => ApiError::internal(&e).into(),
    }
}

/// Collects the fields whose JSON type is wrong.
struct Types(Vec<FieldError>);

impl Types {
    fn wrong(&mut self, field: &str, expected: &str) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: format!("Expected {expected}."),
        });
    }

    fn text(&mut self, map: &Map<String, Value>, field: &str, shown: &str) -> Option<String> {
        match map.get(field)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong(shown, "a string");
                None
            }
        }
    }

    /// A decimal string such as "1.00" (a JSON number could have lost digits already).
    fn decimal(&mut self, map: &Map<String, Value>, field: &str, shown: &str) -> Option<String> {
        match map.get(field)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong(shown, "a decimal string such as \"1.00\"");
                None
            }
        }
    }

    /// A whole number, passed on as text (a fraction is refused by the use case, 422);
    /// `null` is `Some("")` where `nullable`.
    fn points(
        &mut self,
        map: &Map<String, Value>,
        field: &str,
        shown: &str,
        nullable: bool,
    ) -> Option<String> {
        match map.get(field)? {
            Value::Number(n) => Some(n.to_string()),
            Value::Null if nullable => Some(String::new()),
            _ if nullable => {
                self.wrong(shown, "a whole number or null");
                None
            }
            _ => {
                self.wrong(shown, "a whole number");
                None
            }
        }
    }
}

/// A card body: any subset of the card's fields (`POST` needs at least `name` and
/// `currency`, which the use case checks).
pub fn card_input(body: &[u8]) -> Result<CardInput, Refused> {
    let map = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return Err(malformed("The body must be a JSON object.")),
        Err(e) => return Err(malformed(format!("The body is not valid JSON: {e}."))),
    };
    let mut types = Types(Vec::new());
    for key in map.keys() {
        if !FIELDS.contains(&key.as_str()) && !READ_ONLY.contains(&key.as_str()) {
            types.wrong(
                key,
                &format!("one of the card's fields: {}", FIELDS.join(", ")),
            );
        }
    }
    let club_id = match map.get("club_id") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            types.wrong("club_id", "the id of one of your clubs, as a string");
            None
        }
    };
    let active = match map.get("active") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            types.wrong("active", "true or false");
            None
        }
    };
    let input = CardInput {
        club_id,
        name: types.text(&map, "name", "name"),
        currency: types.text(&map, "currency", "currency"),
        points_per_unit: types.points(&map, "points_per_unit", "points_per_unit", false),
        unit_amount: types.decimal(&map, "unit_amount", "unit_amount"),
        rounding: types.text(&map, "rounding", "rounding"),
        min_purchase_amount: types.decimal(&map, "min_purchase_amount", "min_purchase_amount"),
        min_points_per_purchase: types.points(
            &map,
            "min_points_per_purchase",
            "min_points_per_purchase",
            false,
        ),
        max_points_per_purchase: types.points(
            &map,
            "max_points_per_purchase",
            "max_points_per_purchase",
            true,
        ),
        welcome_bonus_points: types.points(
            &map,
            "welcome_bonus_points",
            "welcome_bonus_points",
            false,
        ),
        active,
        tiers: tiers(&map, &mut types),
    };
    if types.0.is_empty() {
        Ok(input)
    } else {
        Err(refusal(StatusCode::BAD_REQUEST, types.0))
    }
}

fn tiers(map: &Map<String, Value>, types: &mut Types) -> Option<Vec<TierInput>> {
    let rows = match map.get("tiers")? {
        Value::Array(rows) => rows,
        _ => {
            types.wrong("tiers", "an array of tiers (`[]` for none)");
            return None;
        }
    };
    if rows.len() > MAX_TIERS {
        // The use case words the limit; the rows themselves need no reading.
        return Some(vec![TierInput::default(); rows.len()]);
    }
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let Value::Object(tier) = row else {
            types.wrong(
                &format!("tiers[{i}]"),
                "an object with name, threshold and multiplier",
            );
            continue;
        };
        for key in tier.keys().filter(|k| !TIER_FIELDS.contains(&k.as_str())) {
            types.wrong(
                &format!("tiers[{i}].{key}"),
                "one of name, threshold, multiplier",
            );
        }
        let shown = |part: &str| format!("tiers[{i}].{part}");
        out.push(TierInput {
            name: types.text(tier, "name", &shown("name")).unwrap_or_default(),
            threshold: types
                .points(tier, "threshold", &shown("threshold"), false)
                .unwrap_or_default(),
            multiplier: types
                .decimal(tier, "multiplier", &shown("multiplier"))
                .unwrap_or_default(),
        });
    }
    Some(out)
}
