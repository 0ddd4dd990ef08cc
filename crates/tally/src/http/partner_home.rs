//! The partner dashboard's home and signing out.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::auth::PartnerAuth;
use super::cookies::Jar;
use super::portal::CsrfForm;
use super::render::{page, stale_form};
use super::{dashboard, AppState};

pub(crate) async fn home(state: web::Data<AppState>, auth: PartnerAuth) -> HttpResponse {
    let ctx = dashboard::context(&state, &auth, "home");
    page(&state, "partner/home.html", ctx, StatusCode::OK)
}

pub(crate) async fn sign_out(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    super::auth::end_session(&state, auth.session.id, Jar::Partner, "/partner/login").await
}
