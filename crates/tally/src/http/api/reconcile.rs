//! "Check for missed orders": `POST` starts a run over the last 7 days (202), `GET`
//! reports its progress and summary.

use actix_web::{web, HttpResponse};
use database::reconcile::Run;

use super::integrations::gate;
use super::{ApiAuth, ApiError};
use crate::http::AppState;
use crate::usecases::reconcile::request_check;

fn run_json(run: &Run) -> serde_json::Value {
    let time = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    };
    serde_json::json!({
        "id": run.id.to_string(),
        "status": run.status,
        "modified_after": time(run.modified_after),
        "pages_read": run.pages_read,
        "summary": {
            "orders_seen": run.orders_seen,
            "awarded": run.awarded,
            "already_processed": run.already_processed,
            "ignored": run.ignored,
            "skipped": run.skipped,
            "failed": run.failed,
        },
        "error": run.error,
        "created_at": time(run.created_at),
        "started_at": run.started_at.and_then(time),
        "finished_at": run.finished_at.and_then(time),
    })
}

async fn integration_of(
    state: &AppState,
    auth: Result<ApiAuth, ApiError>,
    id: &str,
) -> Result<database::integrations::Integration, ApiError> {
    let auth = gate(state, auth)?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let mut conn = database::pool::get(&state.pool)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    database::integrations::find(&mut conn, auth.partner_id, id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .map(|(integration, _)| integration)
        .filter(|i| i.status != "disconnected")
        .ok_or_else(ApiError::not_found)
}

#[utoipa::path(
    post,
    path = "/api/v1/integrations/woocommerce/{id}/reconcile",
    tag = "integrations",
    description = "Check the store for missed orders of the last 7 days.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 202, description = "The run, queued"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
        (status = 409, description = "`integration_paused`"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn request(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let integration = integration_of(&state, auth, &id).await?;
    if integration.status != "active" {
        return Err(ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "integration_paused",
            "The integration is paused.",
        )
        .hint("Resume it first; orders placed while paused are not back-filled."));
    }
    let run = request_check(
        &state.pool,
        &integration,
        None,
        time::OffsetDateTime::now_utc(),
    )
    .await
    .map_err(|e| ApiError::internal(&e))?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({ "run": run_json(&run) })))
}

#[utoipa::path(
    get,
    path = "/api/v1/integrations/woocommerce/{id}/reconcile",
    tag = "integrations",
    description = "The latest check for missed orders.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 200, description = "The run"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn status(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let integration = integration_of(&state, auth, &id).await?;
    let mut conn = database::pool::get(&state.pool)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let run = database::reconcile::latest_run(&mut conn, integration.partner_id, integration.id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| {
            ApiError::not_found().hint("No check has been requested for this integration yet.")
        })?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "run": run_json(&run) })))
}
