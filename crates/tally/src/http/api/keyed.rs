//! Requests carried out once per `Idempotency-Key` (SPEC §8): the key is claimed before
//! the work and the answer stored after it, so a retry with the same key and request gets
//! the first answer (same status, same body), the same key with another request is a 409
//! `idempotency_key_reused`, and a duplicate sent while the first is still being carried
//! out waits for it and gets its answer. A refused request gives its key back.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use database::idempotency::Key;

use super::ApiError;
use crate::http::AppState;
use crate::usecases::idempotency::{self, Found};

/// The longest key accepted.
const MAX_KEY_CHARS: usize = 150;

/// The request's `Idempotency-Key`: required, 1 to 150 characters.
pub fn required_key(req: &HttpRequest) -> Result<String, ApiError> {
    let missing = || {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "This request needs an `Idempotency-Key` header.",
        )
        .hint("Send a unique value per request (a UUID, say) and the same value when you retry it: it is carried out once.")
    };
    let value = req
        .headers()
        .get("idempotency-key")
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| missing())?
        .trim();
    if value.is_empty() || value.chars().count() > MAX_KEY_CHARS {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "validation_failed",
            "The `Idempotency-Key` must be 1 to 150 characters.",
        ));
    }
    Ok(value.to_owned())
}

/// Carries `work` out once for `key` in `scope`; `fingerprint` is what makes the request
/// what it is. A successful answer (2xx) is kept for replays; a refusal gives the key back.
pub async fn once<Fut>(
    state: &AppState,
    partner_id: i64,
    scope: &str,
    key: &str,
    fingerprint: &[u8],
    work: impl FnOnce() -> Fut,
) -> Result<HttpResponse, ApiError>
where
    Fut: Future<Output = Result<(StatusCode, serde_json::Value), ApiError>>,
{
    let key = Key {
        partner_id,
        scope,
        key,
    };
    match idempotency::claim_waiting(&state.pool, key, fingerprint)
        .await
        .map_err(|e| ApiError::internal(&e))?
    {
        Found::Fresh => {}
        Found::Replay { status, body } => {
            let status = u16::try_from(status)
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::OK);
            return Ok(HttpResponse::build(status)
                .content_type("application/json")
                .body(body));
        }
        Found::Reused => return Err(ApiError::new(
            StatusCode::CONFLICT,
            "idempotency_key_reused",
            "This Idempotency-Key was already used for a different request.",
        )
        .hint(
            "Use a new key for a new request; resend the same body to get the first answer again.",
        )),
        Found::InFlight => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "request_in_progress",
                "A request with this Idempotency-Key is still being carried out.",
            )
            .hint("Retry in a moment with the same key to get its answer."))
        }
    }
    match work().await {
        Ok((status, body)) => {
            let bytes = serde_json::to_vec(&body).map_err(|e| ApiError::internal(&e))?;
            if status.is_success() {
                let now = time::OffsetDateTime::now_utc();
                if let Err(e) =
                    idempotency::complete(&state.pool, key, status.as_u16(), &bytes, now).await
                {
                    tracing::warn!(error = %e, "could not store an API answer");
                }
            } else {
                release(state, key).await;
            }
            Ok(HttpResponse::build(status)
                .content_type("application/json")
                .body(bytes))
        }
        Err(e) => {
            release(state, key).await;
            Err(e)
        }
    }
}

async fn release(state: &AppState, key: Key<'_>) {
    if let Err(e) = idempotency::release(&state.pool, key).await {
        tracing::warn!(error = %e, "could not release an idempotency key");
    }
}
