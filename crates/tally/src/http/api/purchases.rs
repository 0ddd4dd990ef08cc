//! Counter purchases through the API (SPEC §8): `POST /api/v1/cards/{card_id}/purchases`
//! with `member_email` (or `member`: email, member number or member code), `amount` as a
//! decimal string in the card's currency and an optional `reference`; a new customer may
//! also bring `member_name` and `language`. An unknown email becomes a member with a
//! wallet on the card, as at a real counter.
//!
//! The `Idempotency-Key` header is required: the same key and body get the first answer
//! (also while the first request is still being carried out: the duplicate waits for
//! it), the same key with another body is a 409. 201 with
//! `{"entries": [...], "points", "balance", "member", "member_created"}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::Value;
use time::OffsetDateTime;

use super::entry_json::entry_json;
use super::keyed::{once, required_key};
use super::members::member_json;
use super::{ApiAuth, ApiError};
use crate::http::AppState;
use crate::usecases::counter::{self, CounterError, CounterRequest, Recorded, Recorder, Recording};
use crate::usecases::idempotency;

/// The request body, read field by field so each refusal can name its field.
#[derive(Debug, Default)]
struct Body {
    /// The member, and the field that named them (`member_email` or `member`).
    member: String,
    member_field: &'static str,
    amount: String,
    reference: String,
    member_name: String,
    language: String,
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", message)
}

fn invalid(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        format!("`{field}`: {message}"),
    )
}

/// A string field: absent or null is `None`; any other JSON type is refused.
fn text(object: &serde_json::Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(_)) if field == "amount" => Err(invalid(
            field,
            "write the amount as a decimal string, such as \"12.34\" (a JSON number can lose precision).",
        )),
        Some(_) => Err(invalid(field, "must be a string.")),
    }
}

fn parse_body(bytes: &[u8]) -> Result<Body, ApiError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        bad_request(format!(
            "The body must be a JSON object with `member_email` and `amount`: {e}."
        ))
    })?;
    let Value::Object(object) = value else {
        return Err(bad_request(
            "The body must be a JSON object with `member_email` and `amount`.",
        ));
    };
    let (member, member_field) = match (text(&object, "member_email")?, text(&object, "member")?) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "member",
                "give either `member_email` or `member`, not both.",
            ))
        }
        (Some(email), None) => {
            if !email.contains('@') {
                return Err(invalid("member_email", "must be an email address."));
            }
            (email, "member_email")
        }
        (None, Some(member)) => (member, "member"),
        (None, None) => {
            return Err(invalid(
                "member_email",
                "is required (or `member`: an email, member number or member code).",
            ))
        }
    };
    let amount = text(&object, "amount")?.ok_or_else(|| {
        invalid(
            "amount",
            "is required, as a decimal string such as \"12.34\".",
        )
    })?;
    Ok(Body {
        member,
        member_field,
        amount,
        reference: text(&object, "reference")?.unwrap_or_default(),
        member_name: text(&object, "member_name")?.unwrap_or_default(),
        language: text(&object, "language")?.unwrap_or_default(),
    })
}

fn refused(e: CounterError, member_field: &'static str) -> ApiError {
    let field = e
        .field()
        .map(|f| if f == "member" { member_field } else { f });
    match e {
        CounterError::CardNotFound => ApiError::not_found(),
        CounterError::MemberNotFound => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "No member of yours has that member code or number.",
        )
        .hint("A member code or number must belong to someone with a wallet on one of your cards; an unknown email becomes a new member."),
        CounterError::KeyReused => ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different purchase.",
        ),
        CounterError::Rule(_) | CounterError::Db(_) | CounterError::Internal(_) => {
            ApiError::internal(&e)
        }
        e => match field {
            Some(field) => invalid(field, &e),
            None => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()),
        },
    }
}

/// The 201 body.
fn created_json(recorded: &Recorded) -> Value {
    serde_json::json!({
        "entries": recorded.entries().into_iter().map(entry_json).collect::<Vec<_>>(),
        "points": recorded.points(),
        "balance": recorded.balance(),
        "member": member_json(&recorded.member),
        "member_created": recorded.member_created,
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/cards/{card_id}/purchases",
    tag = "purchases",
    description = "Record a counter purchase: `member_email` (or `member`: email, member number or member code), `amount` as a decimal string in the card's currency, optional `reference` (at most 200 characters); for a new customer optionally `member_name` and `language`. An unknown email becomes a member with a wallet on the card. The member's tier multiplier applies; the welcome bonus comes with the wallet's first qualifying purchase. The `Idempotency-Key` header is required.",
    params(
        ("card_id" = String, Path, description = "The card id"),
        ("Idempotency-Key" = String, Header, description = "Unique per purchase; a retry with the same key and body gets the first answer"),
    ),
    responses(
        (status = 201, description = "`{\"entries\": [entry, …], \"points\", \"balance\", \"member\", \"member_created\"}`"),
        (status = 400, description = "Malformed JSON, or no `Idempotency-Key` (`validation_failed`)"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not this partner's card, or no member of the partner's with that code or number"),
        (status = 409, description = "`idempotency_key_reused`: the key came with another body"),
        (status = 422, description = "`validation_failed` naming the field, or `card_inactive`"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: ApiAuth,
    card_id: web::Path<String>,
    bytes: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let card_id: i64 = card_id.parse().map_err(|_| ApiError::not_found())?;
    counter::find_card(&state.pool, auth.partner_id, card_id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(ApiError::not_found)?;
    let key = required_key(&req)?;
    let body = parse_body(&bytes)?;
    let card_text = card_id.to_string();
    let fingerprint = idempotency::fingerprint(&[
        &card_text,
        &body.member,
        &body.amount,
        &body.reference,
        &body.member_name,
        &body.language,
    ]);
    let scope = "api:purchases";
    once(
        &state,
        auth.partner_id,
        scope,
        &key,
        &fingerprint,
        || async {
            let recording = Recording {
                request: CounterRequest {
                    partner_id: auth.partner_id,
                    card_id,
                    member: &body.member,
                    amount: &body.amount,
                    decimal_comma: false,
                },
                reference: &body.reference,
                new_name: &body.member_name,
                new_language: &body.language,
                by: Recorder::ApiToken(auth.token_id),
                idempotency_key: format!("counter:api:{key}"),
                expected_points: None,
                record_without_points: true,
                keys: &state.config.keys,
                public_base_url: &state.config.public_base_url,
                store_discount: state.config.feature_woocommerce,
                now: OffsetDateTime::now_utc(),
            };
            match counter::record(&state.pool, &recording).await {
                Ok(recorded) => Ok((StatusCode::CREATED, created_json(&recorded))),
                Err(e) => Err(refused(e, body.member_field)),
            }
        },
    )
    .await
}
