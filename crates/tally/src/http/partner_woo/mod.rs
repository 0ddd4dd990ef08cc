//! The partner dashboard's WooCommerce pages (SPEC §3.2–3.7): the list and the connect
//! form, each integration's Overview, Settings and Activity tabs, and the forms that
//! pause, resume, check and disconnect it.
//!
//! Every route answers 404 unless `FEATURE_WOOCOMMERCE` — before asking who is signed in,
//! so a signed-out visitor cannot tell the feature exists either.

pub(super) mod actions;
pub(super) mod activity;
pub(super) mod connect;
pub(super) mod forms;
pub(super) mod overview;
pub(super) mod redeem;
pub(super) mod settings;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use database::integrations::{Integration, Settings};
use secrecy::ExposeSecret;
use time::OffsetDateTime;

use super::auth::PartnerAuth;
use super::render::{failure, page};
use super::AppState;
use crate::usecases::integration;

/// Where the WooCommerce pages live.
pub const BASE: &str = "/partner/integrations/woocommerce";

/// The page of one integration (`tab` is "", "/settings" or "/activity").
pub fn link(id: i64, tab: &str) -> String {
    format!("{BASE}/{id}{tab}")
}

/// The 404 page, as for any unknown address.
pub fn not_found(state: &AppState) -> HttpResponse {
    page(
        state,
        "not_found.html",
        tera::Context::new(),
        StatusCode::NOT_FOUND,
    )
}

/// The feature flag first (404), then the signed-in partner (or the sign-in page).
pub async fn gate(state: &AppState, req: &HttpRequest) -> Result<PartnerAuth, HttpResponse> {
    if !state.config.feature_woocommerce {
        return Err(not_found(state));
    }
    PartnerAuth::extract(req)
        .await
        .map_err(|e| e.error_response())
}

/// As [`gate`], for the forms only the owner may send: staff get the 403 page.
pub async fn gate_owner(state: &AppState, req: &HttpRequest) -> Result<PartnerAuth, HttpResponse> {
    let auth = gate(state, req).await?;
    if super::dashboard::is_owner(&auth) {
        Ok(auth)
    } else {
        Err(super::dashboard::NotOwner::Staff.error_response())
    }
}

/// The signed-in partner's integration `id` (another partner's is a 404).
pub async fn integration_of(
    state: &AppState,
    auth: &PartnerAuth,
    id: i64,
) -> Result<(Integration, Settings), HttpResponse> {
    match integration::load(&state.pool, auth.partner.id, id).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(not_found(state)),
        Err(e) => Err(failure(state, &e)),
    }
}

/// A fresh random value for a form's hidden idempotency key.
pub fn form_key() -> String {
    identity::generate_token("f_")
        .map(|t| t.expose_secret().to_owned())
        .unwrap_or_default()
}

/// The context every WooCommerce page starts from: the dashboard layout's (who is
/// signed in, the nav) and a form key.
pub fn base_context(state: &AppState, auth: &PartnerAuth) -> tera::Context {
    let mut ctx = super::dashboard::context(state, auth, "integrations");
    ctx.insert("idem", &form_key());
    ctx.insert("base", BASE);
    ctx
}

/// The header of one integration's tabs.
pub fn integration_context(ctx: &mut tera::Context, integration: &Integration, tab: &str) {
    ctx.insert("integration_id", &integration.id);
    ctx.insert("store_url", &integration.store_url);
    ctx.insert("status", &integration.status);
    ctx.insert("tab", tab);
    ctx.insert("overview_url", &link(integration.id, ""));
    ctx.insert("settings_url", &link(integration.id, "/settings"));
    ctx.insert("activity_url", &link(integration.id, "/activity"));
}

/// A moment as the pages show it, on the partner's clock (`zone`).
pub fn when(zone: &str, t: OffsetDateTime) -> String {
    crate::timezone::when(zone, t)
}

/// Renders `name` with 200.
pub fn ok(state: &AppState, name: &str, ctx: tera::Context) -> HttpResponse {
    page(state, name, ctx, StatusCode::OK)
}
