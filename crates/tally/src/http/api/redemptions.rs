//! Redeem on behalf through the API (SPEC §4.7, §8):
//! `POST /api/v1/integrations/woocommerce/{id}/redemptions` with `member` (email, member
//! number or member code) and `points`. 201 with the redemption when the coupon exists,
//! 202 `pending` when the store's answer was unclear (a worker finishes it), 502 when the
//! store refused (the points are back). An `Idempotency-Key` makes a retry safe: the same
//! key and body get the first answer; the same key with another body is a 409.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;

use super::integrations::gate;
use super::{ApiAuth, ApiError};
use crate::http::AppState;
use crate::usecases::integration::load;
use crate::usecases::redeem::{
    find_member, redeem, redemption_json, Finished, RedeemError, RedeemRequest, Requester,
};

#[derive(Debug, Deserialize)]
struct Body {
    member: String,
    points: i64,
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", message)
}

fn refused(e: RedeemError) -> ApiError {
    let status = match &e {
        RedeemError::Paused | RedeemError::Disconnected | RedeemError::KeyReused => {
            StatusCode::CONFLICT
        }
        RedeemError::NoWallet => StatusCode::NOT_FOUND,
        RedeemError::Db(_) => return ApiError::internal(&e),
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let hint = match &e {
        RedeemError::NoWallet => "The member must already have a wallet on the store's card.",
        RedeemError::DiscountDisabled => {
            "Turn the points discount on in the integration's settings."
        }
        RedeemError::Paused => "Resume the integration first (POST …/resume).",
        _ => "",
    };
    let error = ApiError::new(status, e.code(), e.to_string());
    if hint.is_empty() {
        error
    } else {
        error.hint(hint)
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/integrations/woocommerce/{id}/redemptions",
    tag = "integrations",
    description = "Redeem points on behalf of a member (`member`: email, code or number; `points`) as a single-use store coupon. `Idempotency-Key` is honoured.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 201, description = "Issued: the redemption with its code"),
        (status = 202, description = "`pending`: the store's answer was unclear; a worker finishes it"),
        (status = 400, description = "Malformed request"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Unknown member, or not this partner's"),
        (status = 409, description = "`idempotency_key_reused`, `integration_paused`, `discount_disabled`"),
        (status = 422, description = "`below_minimum`, `above_maximum`, `insufficient_points`"),
        (status = 502, description = "`store_unavailable`: the store refused; the points are back"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create(
    state: web::Data<AppState>,
    req: HttpRequest,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let auth = gate(&state, auth)?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let (integration, settings) = load(&state.pool, auth.partner_id, id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .filter(|(i, _)| i.status != "disconnected")
        .ok_or_else(ApiError::not_found)?;
    let body: Body = serde_json::from_slice(&body).map_err(|e| {
        bad_request(format!(
            "The body must be JSON with `member` and `points`: {e}."
        ))
    })?;
    let key = match req.headers().get("idempotency-key") {
        None => format!("api:{}", identity_free_key()),
        Some(v) => {
            let v = v
                .to_str()
                .map_err(|_| bad_request("Idempotency-Key must be text."))?
                .trim();
            if v.is_empty() || v.len() > 150 {
                return Err(bad_request("Idempotency-Key must be 1 to 150 characters."));
            }
            format!("api:{v}")
        }
    };
    let member = find_member(&state.pool, &body.member)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "No member matches `member`.",
            )
            .hint("`member` is an email (with @), a member number (digits) or a member code.")
        })?;
    let partner = {
        let mut conn = database::pool::get(&state.pool)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        database::partners::find(&mut conn, auth.partner_id)
            .await
            .map_err(|e| ApiError::internal(&e))?
            .ok_or_else(ApiError::not_found)?
    };
    let request = RedeemRequest {
        integration: &integration,
        settings: &settings,
        member: &member,
        timezone: &partner.timezone,
        business_name: &partner.name,
        points: body.points,
        by: Requester::ApiToken(auth.token_id),
        idempotency_key: key,
        now: OffsetDateTime::now_utc(),
    };
    let done = redeem(&state.pool, &state.config.keys, &*state.woo, &request)
        .await
        .map_err(refused)?;
    Ok(match done {
        Finished::Issued(r) => HttpResponse::Created().json(redemption_json(&r)),
        Finished::Pending(r) => HttpResponse::Accepted().json(redemption_json(&r)),
        Finished::Reversed(r) => {
            let reason = r.last_error.clone().unwrap_or_default();
            return Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                "store_unavailable",
                format!(
                    "The store did not create the coupon; the points were given back. {reason}"
                ),
            ));
        }
    })
}

/// A random key for a request that brought none (it is then not retry-safe).
fn identity_free_key() -> String {
    use secrecy::ExposeSecret;
    identity::generate_token("r_")
        .map(|t| t.expose_secret().to_owned())
        .unwrap_or_default()
}
