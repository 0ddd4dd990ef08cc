//! One-click unsubscribe from loyalty emails (RFC 8058): works without signing in, and
//! is idempotent. `GET` asks (link scanners must not unsubscribe anyone); `POST` does it,
//! whether from the page's button or from a mail client's one-click request.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use database::members;

use super::i18n::requested_language;
use super::render::{failure, page};
use super::AppState;
use crate::email::message::Language;
use crate::usecases::links::verify_unsubscribe_token;

async fn member_language(state: &AppState, member_id: i64) -> Option<Language> {
    let mut conn = database::pool::get(&state.pool).await.ok()?;
    let member = members::find_by_id(&mut conn, member_id).await.ok()??;
    Language::parse(&member.language)
}

fn not_found(state: &AppState, lang: Language) -> HttpResponse {
    let mut ctx = tera::Context::new();
    ctx.insert("t", state.strings.of(lang));
    ctx.insert(
        "title",
        &state.strings.of(lang)["unsubscribe_invalid_title"],
    );
    ctx.insert(
        "message",
        &state.strings.of(lang)["unsubscribe_invalid_text"],
    );
    page(state, "message.html", ctx, StatusCode::NOT_FOUND)
}

pub(crate) async fn ask(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> HttpResponse {
    let (member_id, token) = path.into_inner();
    let fallback = requested_language(&req, state.secure_cookies()).0;
    if !verify_unsubscribe_token(&state.config.keys, member_id, &token) {
        return not_found(&state, fallback);
    }
    let lang = member_language(&state, member_id).await.unwrap_or(fallback);
    let mut ctx = tera::Context::new();
    ctx.insert("t", state.strings.of(lang));
    ctx.insert("lang", lang.as_str());
    ctx.insert("action", &format!("/unsubscribe/{member_id}/{token}"));
    ctx.insert("done", &false);
    page(&state, "unsubscribe.html", ctx, StatusCode::OK)
}

pub(crate) async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> HttpResponse {
    let (member_id, token) = path.into_inner();
    let fallback = requested_language(&req, state.secure_cookies()).0;
    if !verify_unsubscribe_token(&state.config.keys, member_id, &token) {
        return not_found(&state, fallback);
    }
    let mut conn = match database::pool::get(&state.pool).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    if let Err(e) = members::unsubscribe(&mut conn, member_id).await {
        return failure(&state, &e);
    }
    let lang = member_language(&state, member_id).await.unwrap_or(fallback);
    let mut ctx = tera::Context::new();
    ctx.insert("t", state.strings.of(lang));
    ctx.insert("lang", lang.as_str());
    ctx.insert("action", "");
    ctx.insert("done", &true);
    page(&state, "unsubscribe.html", ctx, StatusCode::OK)
}
