//! Rendering pages: every page gets the same base context.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::AppState;

/// Renders `name` with `context` (plus `dev`), or an opaque 500 when a template fails.
pub fn page(
    state: &AppState,
    name: &str,
    mut context: tera::Context,
    status: StatusCode,
) -> HttpResponse {
    context.insert(
        "dev",
        &(state.config.env == crate::config::Environment::Dev),
    );
    match state.templates.render(name, &context) {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(template = name, error = ?e, "template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong on our side. Please try again.")
        }
    }
}

/// A 303 to `location` (after a POST, or to a sign-in page).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .finish()
}

/// An unexpected failure: logged with its cause, answered with an opaque 500 page.
pub fn failure(state: &AppState, error: &dyn std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %error, "request failed");
    let mut context = tera::Context::new();
    context.insert("title", "Something went wrong");
    context.insert(
        "message",
        "Something went wrong on our side. Please try again in a moment.",
    );
    page(
        state,
        "message.html",
        context,
        StatusCode::INTERNAL_SERVER_ERROR,
    )
}

/// A form whose CSRF token does not match: nothing was changed.
pub fn stale_form(state: &AppState) -> HttpResponse {
    let mut context = tera::Context::new();
    context.insert("title", "This form has expired");
    context.insert(
        "message",
        "Nothing was changed. Go back, reload the page and try again.",
    );
    page(state, "message.html", context, StatusCode::FORBIDDEN)
}
