//! The member's account pages: name, language and loyalty emails; and the sensitive
//! actions behind the recent-code gate (`portal_gate`): data export, deletion, and the
//! email change (`portal_email`). Handlers parse, call `usecases::member_account`, render.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::MemberAuth;
use super::cookies::{self, Jar};
use super::portal::base;
use super::portal_gate::{self, Sensitive};
use super::render::{failure, page, see_other, stale_form};
use super::AppState;
use crate::email::message::Language;
use crate::usecases::{member_account, member_export};

#[derive(Debug, Deserialize)]
pub struct AccountQuery {
    saved: Option<String>,
}

pub(crate) async fn account(
    state: web::Data<AppState>,
    auth: MemberAuth,
    query: web::Query<AccountQuery>,
) -> HttpResponse {
    let (mut ctx, _) = base(&state, &auth);
    ctx.insert("loyalty_emails", &auth.member.loyalty_emails);
    ctx.insert(
        "languages",
        &Language::ALL
            .iter()
            .map(|l| (l.as_str(), l.native_name()))
            .collect::<Vec<_>>(),
    );
    ctx.insert("saved", &query.saved.as_deref().unwrap_or(""));
    page(&state, "portal/account.html", ctx, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct AccountForm {
    csrf: String,
    name: String,
    language: String,
    /// A checkbox: present when ticked.
    loyalty_emails: Option<String>,
}

pub(crate) async fn save_account(
    state: web::Data<AppState>,
    auth: MemberAuth,
    form: web::Form<AccountForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let language = Language::parse(&form.language).unwrap_or(Language::En);
    let loyalty = form.loyalty_emails.is_some();
    match member_account::save_preferences(
        &state.pool,
        auth.member.id,
        &form.name,
        language,
        loyalty,
    )
    .await
    {
        Ok(()) => see_other("/portal/account?saved=1"),
        Err(e) => failure(&state, &e),
    }
}

pub(crate) async fn show_export(state: web::Data<AppState>, auth: MemberAuth) -> HttpResponse {
    if !portal_gate::open(&auth, OffsetDateTime::now_utc()) {
        return portal_gate::ask(&state, &auth, Sensitive::Export);
    }
    let (ctx, _) = base(&state, &auth);
    page(&state, "portal/export.html", ctx, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// The export as a JSON download.
pub(crate) async fn export(
    state: web::Data<AppState>,
    auth: MemberAuth,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let now = OffsetDateTime::now_utc();
    if !portal_gate::open(&auth, now) {
        return see_other(Sensitive::Export.path());
    }
    match member_export::export(&state.pool, auth.member.id, now).await {
        Ok(data) => {
            let body = serde_json::to_string_pretty(&data).unwrap_or_default();
            let name = format!("tally-data-{}-{}.json", auth.member.number, now.date());
            HttpResponse::Ok()
                .content_type("application/json; charset=utf-8")
                .insert_header((
                    "content-disposition",
                    format!("attachment; filename=\"{name}\""),
                ))
                .insert_header(("cache-control", "no-store"))
                .body(body)
        }
        Err(e) => failure(&state, &e),
    }
}

pub(crate) async fn show_delete(state: web::Data<AppState>, auth: MemberAuth) -> HttpResponse {
    if !portal_gate::open(&auth, OffsetDateTime::now_utc()) {
        return portal_gate::ask(&state, &auth, Sensitive::Delete);
    }
    let (mut ctx, _) = base(&state, &auth);
    ctx.insert("error", &false);
    page(&state, "portal/delete.html", ctx, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    csrf: String,
    /// A checkbox: present when ticked.
    confirm: Option<String>,
}

pub(crate) async fn delete(
    state: web::Data<AppState>,
    auth: MemberAuth,
    form: web::Form<DeleteForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let now = OffsetDateTime::now_utc();
    if !portal_gate::open(&auth, now) {
        return see_other(Sensitive::Delete.path());
    }
    let (mut ctx, lang) = base(&state, &auth);
    if form.confirm.is_none() {
        ctx.insert("error", &true);
        return page(
            &state,
            "portal/delete.html",
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if let Err(e) = member_account::delete_account(&state.pool, auth.member.id, now).await {
        return failure(&state, &e);
    }
    let mut ctx = tera::Context::new();
    ctx.insert("t", state.strings.of(lang));
    ctx.insert("lang", lang.as_str());
    let mut res = page(&state, "portal/deleted.html", ctx, StatusCode::OK);
    let _ = res.add_cookie(&cookies::removal(Jar::Member, state.secure_cookies()));
    res
}
