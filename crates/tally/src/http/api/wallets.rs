//! A member's wallet on a card and manual adjustments (SPEC §8):
//! `GET /api/v1/cards/{card_id}/wallets/{member_id}` answers the balance, its store
//! discount value and the entries (newest first, `limit` and `before`);
//! `POST /api/v1/cards/{card_id}/adjustments` adds or takes away points with a note,
//! once per `Idempotency-Key`. Another partner's card or member, or a member without a
//! wallet on the card, is a 404.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use super::entry_json::entry_json;
use super::keyed::{once, required_key};
use super::{paging, ApiAuth, ApiError};
use crate::http::AppState;
use crate::usecases::adjust::{adjust, check_note, AdjustError, AdjustRequest, AdjustedBy};
use crate::usecases::{idempotency, members};

fn validation(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError::new(status, "validation_failed", message)
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    limit: Option<String>,
    before: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/cards/{card_id}/wallets/{member_id}",
    tag = "members",
    description = "A member's wallet on a card: `points` (the balance), `value` (its store discount, or null unless the card is linked to a store with the points discount on) and `entries`, newest first, paged with `limit` (default 50, at most 200) and `before` (the `next` cursor).",
    params(
        ("card_id" = String, Path, description = "The card id"),
        ("member_id" = String, Path, description = "The member id"),
        ("limit" = Option<i64>, Query, description = "Entries per page, 1 to 200"),
        ("before" = Option<String>, Query, description = "The `next` cursor of the previous page"),
    ),
    responses(
        (status = 200, description = "`{\"member_id\", \"card_id\", \"points\", \"value\", \"entries\": [...], \"next\"}`"),
        (status = 400, description = "`validation_failed`: a bad `limit` or `before`"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "No wallet for this member on this card, or not this partner's"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: ApiAuth,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (card_id, member_id) = path.into_inner();
    let (Ok(card_id), Ok(member_id)) = (card_id.parse::<i64>(), member_id.parse::<i64>()) else {
        return Err(ApiError::not_found());
    };
    let query = web::Query::<PageQuery>::from_query(req.query_string())
        .map_err(|e| validation(StatusCode::BAD_REQUEST, e.to_string()))?
        .into_inner();
    let page =
        paging::parse(query.limit.as_deref(), query.before.as_deref()).map_err(|problems| {
            let text: Vec<String> = problems
                .iter()
                .map(|(f, m)| format!("`{f}`: {m}"))
                .collect();
            validation(StatusCode::BAD_REQUEST, text.join(" "))
        })?;
    let found = members::wallet(
        &state.pool,
        auth.partner_id,
        card_id,
        member_id,
        (page.before, page.limit),
        state.config.feature_woocommerce,
    )
    .await
    .map_err(|e| ApiError::internal(&e))?
    .ok_or_else(|| {
        ApiError::not_found()
            .hint("The member has no wallet on this card (or the card or member is not yours).")
    })?;
    let value = found
        .value
        .map(|v| json!({"amount": v.to_minor_string(), "currency": v.currency().code()}));
    Ok(HttpResponse::Ok().json(json!({
        "member_id": member_id.to_string(),
        "card_id": card_id.to_string(),
        "points": found.wallet.balance,
        "earned_points": found.wallet.earned_points,
        "value": value,
        "entries": found.entries.iter().map(entry_json).collect::<Vec<_>>(),
        "next": found.next.map(|n| n.to_string()),
    })))
}

#[derive(Debug, Deserialize)]
struct AdjustBody {
    member: String,
    points: i64,
    #[serde(default)]
    note: Option<String>,
}

fn refused(e: AdjustError) -> ApiError {
    let status = match &e {
        AdjustError::NoWallet => StatusCode::NOT_FOUND,
        AdjustError::KeyReused => StatusCode::CONFLICT,
        AdjustError::Db(_) => return ApiError::internal(&e),
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let hint = match &e {
        AdjustError::NoWallet => Some("The member must already have a wallet on this card."),
        AdjustError::NoteMissing | AdjustError::NoteTooLong => {
            Some("`note` is required: 1 to 500 characters saying why.")
        }
        AdjustError::ZeroPoints => Some("`points` is signed: 25 adds, -25 takes away."),
        _ => None,
    };
    let error = ApiError::new(status, e.code(), e.to_string());
    match hint {
        Some(h) => error.hint(h),
        None => error,
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/cards/{card_id}/adjustments",
    tag = "members",
    description = "A manual adjustment: `member` (email, member number or member code), signed `points` (not 0) and a required `note` (1 to 500 characters). `Idempotency-Key` is required: the same key and body get the first answer, another body with the key is a 409.",
    params(
        ("card_id" = String, Path, description = "The card id"),
        ("Idempotency-Key" = String, Header, description = "A unique value per adjustment, the same when retrying it"),
    ),
    responses(
        (status = 201, description = "`{\"entries\": [entry], \"points\", \"balance\"}`"),
        (status = 400, description = "`validation_failed`: no `Idempotency-Key`, or a malformed body"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Unknown card or member, no wallet on the card, or not this partner's"),
        (status = 409, description = "`idempotency_key_reused`"),
        (status = 422, description = "`insufficient_points` (a debit beyond the balance), `validation_failed` (no note, 0 points)"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_adjustment(
    state: web::Data<AppState>,
    auth: ApiAuth,
    card_id: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let key = required_key(&req)?;
    let card_id: i64 = card_id.parse().map_err(|_| ApiError::not_found())?;
    {
        let mut conn = database::pool::get(&state.pool)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        database::catalog::find_card(&mut conn, auth.partner_id, card_id)
            .await
            .map_err(|e| ApiError::internal(&e))?
            .ok_or_else(ApiError::not_found)?;
    }
    let body: AdjustBody = serde_json::from_slice(&body).map_err(|e| {
        validation(
            StatusCode::BAD_REQUEST,
            format!(
                "The body must be JSON with `member`, `points` (a whole number) and `note`: {e}."
            ),
        )
    })?;
    let note = body.note.unwrap_or_default();
    if body.points == 0 {
        return Err(refused(AdjustError::ZeroPoints));
    }
    check_note(&note).map_err(refused)?;
    let points = body.points.to_string();
    let card = card_id.to_string();
    let fingerprint = idempotency::fingerprint(&[&card, body.member.trim(), &points, &note]);
    let member_ref = body.member;
    once(
        &state,
        auth.partner_id,
        "api:adjustments",
        &key,
        &fingerprint,
        || async {
            let member = members::find(&state.pool, auth.partner_id, &member_ref)
                .await
                .map_err(|e| ApiError::internal(&e))?
                .ok_or_else(|| {
                    ApiError::new(
                        StatusCode::NOT_FOUND,
                        "not_found",
                        "No member matches `member`.",
                    )
                    .hint(
                        "`member` is an email (with @), a member number (digits) or a member code.",
                    )
                })?;
            let request = AdjustRequest {
                partner_id: auth.partner_id,
                card_id,
                member: &member,
                points: body.points,
                note: &note,
                by: AdjustedBy::ApiToken(auth.token_id),
                idempotency_key: format!("api:adjustment:{key}"),
                now: time::OffsetDateTime::now_utc(),
            };
            let done = adjust(&state.pool, &request).await.map_err(refused)?;
            let e = &done.entry;
            Ok((
                StatusCode::CREATED,
                json!({"entries": [entry_json(e)], "points": e.points, "balance": e.balance_after}),
            ))
        },
    )
    .await
}
