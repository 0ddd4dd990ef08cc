//! The partner dashboard's home — what happened lately and a chart of points issued and
//! redeemed per day over the last 30 days, on the partner's calendar — and signing out.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::auth::PartnerAuth;
use super::chart::chart;
use super::cookies::Jar;
use super::partner_woo::when;
use super::portal::CsrfForm;
use super::render::{failure, page, stale_form};
use super::{dashboard, AppState};
use crate::email::format::format_points;
use crate::email::message::Language;
use crate::usecases::home;

#[derive(Debug, Serialize)]
struct Item {
    when: String,
    kind: &'static str,
    text: String,
    /// "+42" or "−100".
    points: Option<String>,
    plus: bool,
}

pub(crate) async fn home(state: web::Data<AppState>, auth: PartnerAuth) -> HttpResponse {
    let now = time::OffsetDateTime::now_utc();
    let loaded = match home::load(&state.pool, &auth.partner, now).await {
        Ok(loaded) => loaded,
        Err(e) => return failure(&state, &e),
    };
    let tz = auth.partner.timezone.as_str();
    let recent: Vec<Item> = loaded
        .recent
        .iter()
        .map(|h| Item {
            when: when(tz, h.at),
            kind: h.kind,
            text: h.text.clone(),
            points: h.points.map(|p| {
                let n = format_points(p.abs(), Language::En);
                if p < 0 {
                    format!("−{n}")
                } else {
                    format!("+{n}")
                }
            }),
            plus: h.points.is_some_and(|p| p >= 0),
        })
        .collect();
    let mut ctx = dashboard::context(&state, &auth, "home");
    ctx.insert("chart", &chart(&loaded.days));
    ctx.insert("recent", &recent);
    ctx.insert("timezone", tz);
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
