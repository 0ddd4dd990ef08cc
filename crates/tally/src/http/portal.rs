//! The member portal: my cards, a card's balance and history, and signing out. The
//! account pages are in `portal_account`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use database::{posting, wallets};
use serde::Deserialize;

use super::auth::MemberAuth;
use super::cookies::Jar;
use super::render::{failure, page, stale_form};
use super::AppState;
use crate::email::message::Language;

pub(super) fn base(state: &AppState, auth: &MemberAuth) -> (tera::Context, Language) {
    let lang = Language::parse(&auth.member.language).unwrap_or(Language::En);
    let mut ctx = tera::Context::new();
    ctx.insert("t", state.strings.of(lang));
    ctx.insert("lang", lang.as_str());
    ctx.insert("csrf", &auth.csrf);
    ctx.insert("member_email", &auth.member.email);
    ctx.insert("member_name", &auth.member.name);
    (ctx, lang)
}

pub(crate) async fn home(state: web::Data<AppState>, auth: MemberAuth) -> HttpResponse {
    let mut conn = match database::pool::get(&state.pool).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    let cards = match wallets::of_member(&mut conn, auth.member.id).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    let (mut ctx, lang) = base(&state, &auth);
    let rows: Vec<_> = cards
        .iter()
        .map(|c| {
            serde_json::json!({
                "url": format!("/portal/cards/{}/{}", c.wallet.partner_id, c.wallet.card_id),
                "card": c.card_name,
                "business": c.business_name,
                "balance": crate::email::format::format_points(c.wallet.balance, lang),
            })
        })
        .collect();
    ctx.insert("cards", &rows);
    page(&state, "portal/home.html", ctx, StatusCode::OK)
}

/// `?redeem_error=` after a refused redemption.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CardQuery {
    redeem_error: Option<String>,
}

pub(crate) async fn card(
    state: web::Data<AppState>,
    auth: MemberAuth,
    path: web::Path<(i64, i64)>,
    query: web::Query<CardQuery>,
) -> HttpResponse {
    let (partner_id, card_id) = path.into_inner();
    let mut conn = match database::pool::get(&state.pool).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    let views = match wallets::of_member(&mut conn, auth.member.id).await {
        Ok(v) => v,
        Err(e) => return failure(&state, &e),
    };
    let Some(view) = views
        .into_iter()
        .find(|v| v.wallet.partner_id == partner_id && v.wallet.card_id == card_id)
    else {
        let (mut ctx, lang) = base(&state, &auth);
        ctx.insert("title", &state.strings.of(lang)["card_not_found"]);
        ctx.insert("message", &state.strings.of(lang)["card_not_found_text"]);
        return page(&state, "message.html", ctx, StatusCode::NOT_FOUND);
    };
    let entries = match posting::entries_of_wallet(&mut conn, partner_id, view.wallet.id, 100).await
    {
        Ok(e) => e,
        Err(e) => return failure(&state, &e),
    };
    let (mut ctx, lang) = base(&state, &auth);
    let history: Vec<_> = entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "date": e.created_at.date().to_string(),
                "label": state.strings.of(lang)[format!("kind_{}", e.kind)].as_str().unwrap_or(&e.kind),
                "points": e.points,
                "applied": e.applied_points,
                "shown": crate::email::format::format_points(e.applied_points, lang),
                "unrecovered": e.points != e.applied_points,
                "reference": e.order_id.clone().or_else(|| e.reference.clone()),
            })
        })
        .collect();
    ctx.insert("card", &view.card_name);
    ctx.insert("business", &view.business_name);
    ctx.insert(
        "balance",
        &crate::email::format::format_points(view.wallet.balance, lang),
    );
    ctx.insert("history", &history);
    let block = super::portal_redeem::discount_block(
        &state,
        partner_id,
        card_id,
        view.wallet.balance,
        lang,
    )
    .await;
    match block {
        Ok(block) => ctx.insert("discount", &block),
        Err(e) => return failure(&state, &e),
    }
    ctx.insert(
        "redeem_action",
        &format!("/portal/cards/{partner_id}/{card_id}/redeem"),
    );
    ctx.insert("redeem_error", &query.redeem_error);
    ctx.insert("idem", &super::partner_woo::form_key());
    page(&state, "portal/card.html", ctx, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

pub(crate) async fn sign_out(
    state: web::Data<AppState>,
    auth: MemberAuth,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    super::auth::end_session(&state, auth.session.id, Jar::Member, "/login").await
}
