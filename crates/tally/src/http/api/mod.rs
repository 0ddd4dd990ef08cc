//! The partner JSON API (`/api/v1`): bearer tokens, JSON errors of one shape
//! (`{"error": {"code", "message", "hint"}}`), the endpoints grouped by resource.

pub(super) mod card_json;
pub(super) mod cards;
pub(super) mod entry_json;
pub(super) mod integration_json;
pub(super) mod integrations;
pub(super) mod keyed;
pub(super) mod members;
pub(super) mod openapi;
pub(super) mod paging;
pub(super) mod purchases;
pub(super) mod receipts;
pub(super) mod reconcile;
pub(super) mod redemptions;
pub(super) mod wallets;

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse, ResponseError};

use super::AppState;

/// An API error: status, a stable code, a message and a hint a developer can act on.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub hint: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> ApiError {
        self.hint = Some(hint.into());
        self
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found.")
    }

    /// An unexpected failure: logged with its cause, answered opaquely.
    pub fn internal(error: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %error, "API request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Something went wrong on our side.",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status).json(serde_json::json!({
            "error": {"code": self.code, "message": self.message, "hint": self.hint}
        }))
    }
}

/// A request authenticated by a partner's API token.
#[derive(Debug, Clone, Copy)]
pub struct ApiAuth {
    pub partner_id: i64,
    pub token_id: i64,
}

impl FromRequest for ApiAuth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let unauthorized = || {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "A valid API token is required.")
                    .hint("Send `Authorization: Bearer <token>`; create tokens in the dashboard under API tokens.")
            };
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::internal(&"no state"))?;
            let token = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(unauthorized)?;
            let candidates = state
                .config
                .keys
                .token_hash_candidates(token)
                .map_err(|e| ApiError::internal(&e))?;
            let mut conn = database::pool::get(&state.pool)
                .await
                .map_err(|e| ApiError::internal(&e))?;
            for hash in candidates {
                if let Some(found) = database::tokens::find_active(&mut conn, &hash)
                    .await
                    .map_err(|e| ApiError::internal(&e))?
                {
                    let now = time::OffsetDateTime::now_utc();
                    // The row just read says whether the minute is up: no write otherwise.
                    let fresh = found
                        .last_used_at
                        .is_some_and(|at| now - at < time::Duration::minutes(1));
                    if !fresh {
                        if let Err(e) =
                            database::tokens::mark_used(&mut conn, found.partner_id, found.id, now)
                                .await
                        {
                            tracing::warn!(error = %e, "could not note an API token's use");
                        }
                    }
                    return Ok(ApiAuth {
                        partner_id: found.partner_id,
                        token_id: found.id,
                    });
                }
            }
            Err(unauthorized())
        })
    }
}

/// WooCommerce endpoints exist only with the feature on.
pub fn woocommerce_enabled(state: &AppState) -> Result<(), ApiError> {
    if state.config.feature_woocommerce {
        Ok(())
    } else {
        Err(ApiError::not_found())
    }
}
