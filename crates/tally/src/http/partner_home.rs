//! The partner dashboard's home (the dashboard grows here) and signing out.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};

use super::auth::PartnerAuth;
use super::cookies::Jar;
use super::portal::CsrfForm;
use super::render::{page, stale_form};
use super::AppState;

#[get("/partner")]
async fn home(state: web::Data<AppState>, auth: PartnerAuth) -> HttpResponse {
    let mut ctx = tera::Context::new();
    ctx.insert("business", &auth.partner.name);
    ctx.insert("user_email", &auth.user.email);
    ctx.insert("role", &auth.user.role);
    ctx.insert("csrf", &auth.csrf);
    ctx.insert("woocommerce", &state.config.feature_woocommerce);
    page(&state, "partner/home.html", ctx, StatusCode::OK)
}

#[post("/partner/logout")]
async fn sign_out(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    super::auth::end_session(&state, auth.session.id, Jar::Partner, "/partner/login").await
}
