//! `GET /api/v1/members?email=…` (or `code=`, `number=`): the partner's member, found by
//! exactly one of the three (SPEC §8). A member another partner knows, but who has no
//! wallet on this partner's cards, is a 404 like an unknown one.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use database::members::Member;
use serde::Deserialize;
use serde_json::json;

use super::{ApiAuth, ApiError};
use crate::http::AppState;
use crate::usecases::members::{self, Lookup};

#[derive(Debug, Deserialize)]
struct LookupQuery {
    email: Option<String>,
    code: Option<String>,
    number: Option<String>,
}

fn bad_request(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", message)
        .hint("Give exactly one of `email`, `code` or `number`, e.g. `/api/v1/members?email=ann@example.com`.")
}

/// The member as the API shows it (SPEC §8).
pub fn member_json(m: &Member) -> serde_json::Value {
    json!({
        "id": m.id.to_string(),
        "number": m.number,
        "code": m.code,
        "email": m.email,
        "name": m.name,
        "language": m.language,
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/members",
    tag = "members",
    description = "Find the partner's member by exactly one of `email` (trimmed, any case), `code` (any case) or `number`. A member is the partner's once they have a wallet on one of its cards.",
    params(
        ("email" = Option<String>, Query, description = "The member's email"),
        ("code" = Option<String>, Query, description = "The member code, e.g. AB3CD4EF"),
        ("number" = Option<String>, Query, description = "The member number"),
    ),
    responses(
        (status = 200, description = "`{\"id\", \"number\", \"code\", \"email\", \"name\", \"language\"}`"),
        (status = 400, description = "`validation_failed`: none or several of the keys, or a number that is not one"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "No member of this partner matches"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn find(
    state: web::Data<AppState>,
    auth: ApiAuth,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let query = web::Query::<LookupQuery>::from_query(req.query_string())
        .map_err(|e| bad_request(format!("The query could not be read: {e}.")))?
        .into_inner();
    let given = |v: Option<String>| v.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let lookup = match (given(query.email), given(query.code), given(query.number)) {
        (Some(email), None, None) => Lookup::Email(email.to_lowercase()),
        (None, Some(code), None) => Lookup::Code(code.to_uppercase()),
        (None, None, Some(number)) => Lookup::Number(number.parse().map_err(|_| {
            bad_request(format!(
                "`number` must be a member number (digits), not “{number}”."
            ))
        })?),
        (None, None, None) => {
            return Err(bad_request(
                "Say which member: `email`, `code` or `number`.",
            ))
        }
        _ => {
            return Err(bad_request(
                "Give only one of `email`, `code` and `number`.",
            ))
        }
    };
    let member = members::find_by(&state.pool, auth.partner_id, &lookup)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "No member matches.")
                .hint("A member is yours once they have a wallet on one of your cards.")
        })?;
    Ok(HttpResponse::Ok().json(member_json(&member)))
}
