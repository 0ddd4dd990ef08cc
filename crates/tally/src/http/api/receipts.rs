//! An integration's recent deliveries (`GET …/receipts`): newest first, filtered by
//! outcome, paged with an id cursor.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::integration_json::{field_refusal, receipt_json, Refused};
use super::integrations::{gate, internal, owned, validation};
use super::ApiError;
use super::{paging, ApiAuth};
use crate::http::AppState;

const OUTCOMES: [&str; 4] = ["processed", "ignored", "skipped", "failed"];

#[derive(Debug, serde::Deserialize)]
struct ReceiptsQuery {
    outcome: Option<String>,
    limit: Option<String>,
    before: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/integrations/woocommerce/{id}/receipts",
    tag = "integrations",
    description = "Recent deliveries, newest first; filter with `outcome=`, page with `limit` and `before`.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 200, description = "`{\"receipts\": [...], \"next\": cursor | null}`"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn receipts(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, Refused> {
    let auth = gate(&state, auth)?;
    let (integration, _) = owned(&state, auth, &id).await?;
    let query = web::Query::<ReceiptsQuery>::from_query(req.query_string())
        .map_err(|e| validation(StatusCode::BAD_REQUEST, e.to_string()))?
        .into_inner();
    let mut bad = Vec::new();
    let outcome = query.outcome.filter(|o| !o.is_empty());
    if outcome.as_deref().is_some_and(|o| !OUTCOMES.contains(&o)) {
        bad.push(("outcome", "One of processed, ignored, skipped, failed."));
    }
    let page = paging::parse(query.limit.as_deref(), query.before.as_deref())
        .map_err(|problems| bad.extend(problems))
        .ok();
    let Some(page) = page.filter(|_| bad.is_empty()) else {
        let fields = bad
            .into_iter()
            .map(|(f, m)| (f.to_owned(), m.to_owned()))
            .collect();
        return Err(field_refusal(StatusCode::BAD_REQUEST, fields));
    };
    let mut conn = database::pool::get(&state.pool).await.map_err(internal)?;
    let mut rows = database::receipts::recent(
        &mut conn,
        integration.partner_id,
        integration.id,
        outcome.as_deref(),
        page.before,
        page.fetch(),
    )
    .await
    .map_err(internal)?;
    let next = page.finish(&mut rows, |r| r.id);
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "receipts": rows.iter().map(receipt_json).collect::<Vec<_>>(),
        "next": next,
    })))
}
