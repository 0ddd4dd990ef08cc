//! The JSON of the WooCommerce endpoints (SPEC §8): the integration, its settings and
//! its receipts as answered, and the connect and settings requests as parsed. Refusals
//! that concern fields carry them in `error.fields`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use bigdecimal::BigDecimal;
use database::integrations::Settings;
use database::receipts::Receipt;
use serde_json::{json, Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::ApiError;
use crate::usecases::connect::ConnectForm;
use crate::usecases::integration::{FieldError, Overview, SettingsInput};

/// An [`ApiError`] with, optionally, the refused fields and why.
#[derive(Debug)]
pub struct Refused {
    pub error: ApiError,
    /// `(field, message)`; fields of the `discount` object are named `discount.…`.
    pub fields: Vec<(String, String)>,
}

impl From<ApiError> for Refused {
    fn from(error: ApiError) -> Refused {
        Refused {
            error,
            fields: Vec::new(),
        }
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for Refused {
    fn status_code(&self) -> StatusCode {
        self.error.status
    }

    fn error_response(&self) -> HttpResponse {
        let e = &self.error;
        let mut body = json!({"code": e.code, "message": e.message, "hint": e.hint});
        if !self.fields.is_empty() {
            body["fields"] = self
                .fields
                .iter()
                .map(|(field, message)| json!({"field": field, "message": message}))
                .collect();
        }
        HttpResponse::build(e.status).json(json!({ "error": body }))
    }
}

/// `validation_failed` naming every refused field in the message, the hint and `fields`.
pub fn field_refusal(status: StatusCode, fields: Vec<(String, String)>) -> Refused {
    let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
    let hint: Vec<String> = fields.iter().map(|(f, m)| format!("{f}: {m}")).collect();
    let error = ApiError::new(
        status,
        "validation_failed",
        format!("Refused: {}.", names.join(", ")),
    )
    .hint(hint.join(" "));
    Refused { error, fields }
}

/// The settings refusals of the use case, named as in the JSON.
pub fn settings_refusal(errors: Vec<FieldError>) -> Refused {
    let fields = errors
        .into_iter()
        .map(|e| (api_field(e.field), e.message))
        .collect();
    field_refusal(StatusCode::UNPROCESSABLE_ENTITY, fields)
}

fn api_field(field: &str) -> String {
    match field {
        "discount_enabled" => "discount.enabled".into(),
        "value_per_point" | "min_points" | "max_points" | "code_prefix" | "valid_days" => {
            format!("discount.{field}")
        }
        other => other.into(),
    }
}

pub fn rfc3339(t: OffsetDateTime) -> Option<String> {
    t.format(&Rfc3339).ok()
}

/// A decimal string with at least two decimals: `0.05`, `1.00`, `0.125`.
fn decimal(d: &BigDecimal) -> String {
    let d = d.normalized();
    let scale = d.fractional_digit_count().max(2);
    d.with_scale(scale).to_string()
}

pub fn settings_json(s: &Settings) -> Value {
    json!({
        "award_on": s.award_on,
        "partial_refunds": s.partial_refunds,
        "email_language": s.email_language,
        "discount": {
            "enabled": s.discount_enabled,
            "value_per_point": decimal(&s.value_per_point),
            "min_points": s.min_points,
            "max_points": s.max_points,
            "code_prefix": s.code_prefix,
            "valid_days": s.valid_days,
        },
    })
}

pub fn integration_json(o: &Overview) -> Value {
    let i = &o.integration;
    let mode = i.webhook_mode.as_deref().unwrap_or("manual");
    let mut webhook = json!({
        "mode": mode,
        "id": i.webhook_id,
        "delivery_url": o.delivery_url,
        "health": o.health,
        "checked_at": o.health_checked_at.and_then(rfc3339),
    });
    if mode == "manual" {
        webhook["secret"] = json!(o.manual_secret);
        webhook["reason"] = json!(o.manual_reason);
    }
    let c = &o.counts_24h;
    json!({
        "id": i.id.to_string(),
        "public_id": i.public_id,
        "card_id": i.card_id.to_string(),
        "store_url": i.store_url,
        "status": i.status,
        "webhook": webhook,
        "last_delivery_at": i.last_delivery_at.and_then(rfc3339),
        "counts_24h": {
            "processed": c.processed,
            "ignored": c.ignored,
            "skipped": c.skipped,
            "failed": c.failed,
        },
        "last_failure": o.last_failure.as_ref().map(|(at, reason, hint)| {
            json!({"at": rfc3339(*at), "reason": reason, "hint": hint})
        }),
        "currency_warning": o.currency_warning,
        "public_url_warning": o.public_url_warning,
        "store_currency": i.store_currency,
        "created_at": rfc3339(i.created_at),
        "settings": settings_json(&o.settings),
    })
}

pub fn receipt_json(r: &Receipt) -> Value {
    json!({
        "id": r.id.to_string(),
        "received_at": rfc3339(r.received_at),
        "delivery_id": r.delivery_id,
        "order_id": r.order_id,
        "order_status": r.order_status,
        "outcome": r.outcome,
        "reason": r.reason,
        "points": r.points,
    })
}

/// The body as a JSON object, or 400.
fn object(body: &[u8]) -> Result<Map<String, Value>, Refused> {
    let malformed = |why: String| {
        ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", why)
            .hint("Send a JSON object with `Content-Type: application/json`.")
    };
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(malformed("The body must be a JSON object.".into()).into()),
        Err(e) => Err(malformed(format!("The body is not valid JSON: {e}.")).into()),
    }
}

/// `{card_id, store_url, consumer_key, consumer_secret}`; a missing or empty field is 400.
pub fn connect_form(body: &[u8]) -> Result<ConnectForm, Refused> {
    let map = object(body)?;
    let mut fields = Vec::new();
    let card_id = match map.get("card_id") {
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    };
    if card_id.is_none() {
        fields.push((
            "card_id".to_owned(),
            "Required: the id of one of your active cards, as a string.".to_owned(),
        ));
    }
    let mut text = |name: &str| match map.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => {
            fields.push((name.to_owned(), "Required: a non-empty string.".to_owned()));
            String::new()
        }
    };
    let store_url = text("store_url");
    let consumer_key = text("consumer_key");
    let consumer_secret = text("consumer_secret");
    match card_id {
        Some(card_id) if fields.is_empty() => Ok(ConnectForm {
            card_id,
            store_url,
            consumer_key,
            consumer_secret,
        }),
        _ => Err(field_refusal(StatusCode::BAD_REQUEST, fields)),
    }
}

const TOP: [&str; 4] = ["award_on", "partial_refunds", "email_language", "discount"];
const DISCOUNT: [&str; 6] = [
    "enabled",
    "value_per_point",
    "min_points",
    "max_points",
    "code_prefix",
    "valid_days",
];

/// Any subset of the settings shape. Unknown fields and wrong JSON types are 400; values
/// are left to [`crate::usecases::integration::validate`] (422).
pub fn settings_input(body: &[u8]) -> Result<SettingsInput, Refused> {
    let map = object(body)?;
    let mut bad: Vec<(String, String)> = Vec::new();
    let mut wrong = |field: &str, expected: &str| {
        bad.push((field.to_owned(), format!("Expected {expected}.")));
    };
    for key in map.keys().filter(|k| !TOP.contains(&k.as_str())) {
        wrong(
            key,
            "one of award_on, partial_refunds, email_language, discount",
        );
    }
    let mut input = SettingsInput::default();
    let string = |name: &str, wrong: &mut dyn FnMut(&str, &str)| match map.get(name) {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            wrong(name, "a string");
            None
        }
    };
    input.award_on = string("award_on", &mut wrong);
    input.partial_refunds = string("partial_refunds", &mut wrong);
    input.email_language = string("email_language", &mut wrong);
    let discount = match map.get("discount") {
        None => Map::new(),
        Some(Value::Object(d)) => d.clone(),
        Some(_) => {
            wrong("discount", "an object");
            Map::new()
        }
    };
    for key in discount.keys().filter(|k| !DISCOUNT.contains(&k.as_str())) {
        wrong(
            &format!("discount.{key}"),
            "one of enabled, value_per_point, min_points, max_points, code_prefix, valid_days",
        );
    }
    // Numbers are passed on as text for the use case to judge (a fraction is refused there).
    let number = |name: &str, nullable: bool, wrong: &mut dyn FnMut(&str, &str)| {
        let field = format!("discount.{name}");
        match discount.get(name) {
            None => None,
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::String(s)) if name == "value_per_point" => Some(s.clone()),
            Some(Value::Null) if nullable => Some(String::new()),
            Some(_) if name == "value_per_point" => {
                wrong(&field, "a decimal string such as \"0.05\"");
                None
            }
            Some(_) if nullable => {
                wrong(&field, "a whole number or null");
                None
            }
            Some(_) => {
                wrong(&field, "a whole number");
                None
            }
        }
    };
    input.value_per_point = number("value_per_point", false, &mut wrong);
    input.min_points = number("min_points", false, &mut wrong);
    input.max_points = number("max_points", true, &mut wrong);
    input.valid_days = number("valid_days", false, &mut wrong);
    input.discount_enabled = match discount.get("enabled") {
        None => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            wrong("discount.enabled", "true or false");
            None
        }
    };
    input.code_prefix = match discount.get("code_prefix") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            wrong("discount.code_prefix", "a string");
            None
        }
    };
    if bad.is_empty() {
        Ok(input)
    } else {
        Err(field_refusal(StatusCode::BAD_REQUEST, bad))
    }
}
