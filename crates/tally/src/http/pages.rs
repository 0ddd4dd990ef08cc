//! Public pages.

use actix_web::{web, HttpResponse};

use super::AppState;

fn render(
    state: &AppState,
    name: &str,
    context: &tera::Context,
    status: actix_web::http::StatusCode,
) -> HttpResponse {
    match state.templates.render(name, context) {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(template = name, error = ?e, "template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong on our side.")
        }
    }
}

pub(crate) async fn home(state: web::Data<AppState>) -> HttpResponse {
    render(
        &state,
        "home.html",
        &tera::Context::new(),
        actix_web::http::StatusCode::OK,
    )
}

pub async fn not_found(state: web::Data<AppState>) -> HttpResponse {
    render(
        &state,
        "not_found.html",
        &tera::Context::new(),
        actix_web::http::StatusCode::NOT_FOUND,
    )
}
