//! `GET /healthz` (the process is up) and `GET /readyz` (the database answers).

use actix_web::{web, HttpResponse};

use super::AppState;

pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

pub(crate) async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match database::pool::check(&state.pool).await {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("database unreachable")
        }
    }
}
