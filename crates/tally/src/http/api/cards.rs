//! The card endpoints (SPEC §8): `GET /api/v1/cards` (newest first, `limit` and a
//! `before` cursor), `POST /api/v1/cards` (201; `club_id` may be left out when the
//! partner has one club, or none yet: then a club named after the business is made) and
//! `PATCH /api/v1/cards/{card_id}` (any subset of the fields). Another partner's card is
//! a 404. A `POST` with an `Idempotency-Key` is carried out once: a retry gets the first
//! answer, the same key with another body is a 409.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use database::activity::Actor;
use database::idempotency::Key;
use time::OffsetDateTime;

use super::card_json::{card_error, card_input, refusal};
use super::integration_json::Refused;
use super::{paging, ApiAuth, ApiError};
use crate::http::AppState;
use crate::usecases::cards::{self, card_json, FieldError};
use crate::usecases::idempotency::{self, Found};

#[derive(Debug, serde::Deserialize)]
struct ListQuery {
    limit: Option<String>,
    before: Option<String>,
}

fn bad(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/cards",
    tag = "cards",
    description = "The partner's cards with their rules and tiers, newest first: `{\"cards\": [card], \"next\": cursor | null}`. Page with `limit` (default 50, at most 200) and `before` (the `next` of the previous page).",
    params(
        ("limit" = Option<String>, Query, description = "Cards per page, 1 to 200 (default 50)"),
        ("before" = Option<String>, Query, description = "The `next` cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "A page of cards"),
        (status = 400, description = "`validation_failed`: a bad `limit` or `before`"),
        (status = 401, description = "No or bad token"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn list(
    state: web::Data<AppState>,
    auth: ApiAuth,
    req: HttpRequest,
) -> Result<HttpResponse, Refused> {
    let query = web::Query::<ListQuery>::from_query(req.query_string())
        .map_err(|e| refusal(StatusCode::BAD_REQUEST, vec![bad("query", &e.to_string())]))?
        .into_inner();
    let page =
        paging::parse(query.limit.as_deref(), query.before.as_deref()).map_err(|problems| {
            let problems = problems.into_iter().map(|(f, m)| bad(f, m)).collect();
            refusal(StatusCode::BAD_REQUEST, problems)
        })?;
    let mut rows = cards::list(&state.pool, auth.partner_id, page.before, page.fetch())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let next = page.finish(&mut rows, |c| c.card.id);
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "cards": rows.iter().map(card_json).collect::<Vec<_>>(),
        "next": next,
    })))
}

#[utoipa::path(
    post,
    path = "/api/v1/cards",
    tag = "cards",
    description = "Create a card. `name` and `currency` are required; every other rule has its default (1 point per 1.00, rounding down, no minimum purchase, no minimum or maximum points, no welcome bonus, active, no tiers). `club_id` may be left out when the partner has one club (or none yet: a club named after the business is made). With an `Idempotency-Key` header, a retry gets the first answer.",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe")),
    responses(
        (status = 201, description = "Created: the card"),
        (status = 400, description = "Malformed JSON or a field of the wrong type (`validation_failed`)"),
        (status = 401, description = "No or bad token"),
        (status = 409, description = "`idempotency_key_reused`, or the same key in flight"),
        (status = 422, description = "`validation_failed`: the message names each refused field"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create(
    state: web::Data<AppState>,
    auth: ApiAuth,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, Refused> {
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(v) => match v.to_str().map(str::trim) {
            Ok(v) if !v.is_empty() && v.len() <= 150 => Some(v.to_owned()),
            _ => {
                return Err(refusal(
                    StatusCode::BAD_REQUEST,
                    vec![bad("Idempotency-Key", "1 to 150 characters of text.")],
                ))
            }
        },
    };
    let Some(key) = key else {
        return create_card(&state, auth, &body).await.map(created);
    };
    let key = Key {
        partner_id: auth.partner_id,
        scope: "api:cards:create",
        key: &key,
    };
    let now = OffsetDateTime::now_utc();
    let fingerprint = idempotency::fingerprint(&[&String::from_utf8_lossy(&body)]);
    let claimed = idempotency::claim(&state.pool, key, &fingerprint, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    match claimed {
        Found::Replay { status, body } => Ok(HttpResponse::build(
            StatusCode::from_u16(u16::try_from(status).unwrap_or(200)).unwrap_or(StatusCode::OK),
        )
        .content_type("application/json")
        .body(body)),
        Found::InFlight => Err(ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "A request with this Idempotency-Key is being carried out.",
        )
        .hint("Wait a moment and send it again: you will get its answer.")
        .into()),
        Found::Reused => Err(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request.",
        )
        .hint("Use a fresh key for every new card.")
        .into()),
        Found::Fresh => {
            // A refused request gives its key back: corrected, it may be sent again.
            let answer = create_card(&state, auth, &body).await;
            let stored = match &answer {
                Ok(json) => idempotency::complete(&state.pool, key, 201, json, now).await,
                Err(_) => idempotency::release(&state.pool, key).await,
            };
            if let Err(e) = stored {
                tracing::warn!(error = %e, "could not store the answer of an idempotent request");
            }
            answer.map(created)
        }
    }
}

/// Creates the card; its JSON.
async fn create_card(state: &AppState, auth: ApiAuth, body: &[u8]) -> Result<Vec<u8>, Refused> {
    let input = card_input(body)?;
    let created = cards::create(
        &state.pool,
        auth.partner_id,
        &input,
        Actor::ApiToken(auth.token_id),
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(card_error)?;
    Ok(serde_json::to_vec(&card_json(&created)).map_err(|e| ApiError::internal(&e))?)
}

fn created(json: Vec<u8>) -> HttpResponse {
    HttpResponse::Created()
        .content_type("application/json")
        .body(json)
}

#[utoipa::path(
    patch,
    path = "/api/v1/cards/{card_id}",
    tag = "cards",
    description = "Change any subset of the card's fields; the others keep their values. `tiers`, when given, replaces every tier (`[]` removes them); `max_points_per_purchase: null` removes the cap. The currency is fixed once members have a wallet on the card; a card stays in its club.",
    params(("card_id" = String, Path, description = "The card id")),
    responses(
        (status = 200, description = "The card as saved"),
        (status = 400, description = "Malformed JSON or a field of the wrong type (`validation_failed`)"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
        (status = 422, description = "`validation_failed`: the message names each refused field"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn change(
    state: web::Data<AppState>,
    auth: ApiAuth,
    card_id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Refused> {
    let card_id: i64 = card_id.parse().map_err(|_| ApiError::not_found())?;
    // Another partner's card is a 404 before anything in the body is judged.
    cards::find(&state.pool, auth.partner_id, card_id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(ApiError::not_found)?;
    let input = card_input(&body)?;
    let saved = cards::change(
        &state.pool,
        auth.partner_id,
        card_id,
        &input,
        Actor::ApiToken(auth.token_id),
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(card_error)?;
    Ok(HttpResponse::Ok().json(card_json(&saved)))
}
