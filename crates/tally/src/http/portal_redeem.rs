//! The member's side of redemption (SPEC §4): the store-discount block on a card page,
//! the form that turns points into a coupon, the coupon page (code with a copy button,
//! value, expiry) and "my coupons". The block exists only with the feature on, an active
//! store linked to the card and the points discount switched on.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use database::redemptions::{self, Redemption};
use ledger::RedemptionRefusal;
use serde::Deserialize;

use super::auth::MemberAuth;
use super::portal::base;
use super::render::{failure, page, see_other, stale_form};
use super::AppState;
use crate::email::format::{format_date, format_money, format_points};
use crate::email::message::Language;
use crate::usecases::redeem::offer::{offer, Offer};
use crate::usecases::redeem::{amount_text, redeem, RedeemError, RedeemRequest, Requester};

fn text(state: &AppState, lang: Language, key: &str) -> String {
    state.strings.of(lang)[key]
        .as_str()
        .unwrap_or(key)
        .to_owned()
}

/// The store-discount block of a card page, or `None` when it is not offered.
pub(super) async fn discount_block(
    state: &AppState,
    partner_id: i64,
    card_id: i64,
    balance: i64,
    lang: Language,
) -> Result<Option<serde_json::Value>, database::DbError> {
    if !state.config.feature_woocommerce {
        return Ok(None);
    }
    let Some(o) = offer(&state.pool, partner_id, card_id, balance).await? else {
        return Ok(None);
    };
    Ok(Some(block_json(state, &o, lang)))
}

fn block_json(state: &AppState, o: &Offer, lang: Language) -> serde_json::Value {
    let currency = o.rule.currency().code().to_owned();
    let money = |m: &ledger::Money| format_money(&m.to_minor_string(), &currency, lang);
    let value = text(state, lang, "redeem_value")
        .replace("{points}", &format_points(o.balance.get(), lang))
        .replace("{value}", &money(&o.balance_value));
    let min = o.rule.min_points();
    let mut bounds =
        text(state, lang, "redeem_min").replace("{min}", &format_points(min.get(), lang));
    if let Some(max) = o.rule.max_points() {
        bounds.push(' ');
        bounds.push_str(
            &text(state, lang, "redeem_max").replace("{max}", &format_points(max.get(), lang)),
        );
    }
    let until = o.rule.points_until_minimum(o.balance).map(|missing| {
        text(state, lang, "redeem_until")
            .replace("{missing}", &format_points(missing.get(), lang))
            .replace("{value}", &money(&o.rule.minimum_value()))
    });
    serde_json::json!({
        "value": value,
        "bounds": bounds,
        "until": until,
        "min": min.get(),
        "max": o.max_redeemable.map(|p| p.get()),
        "rate": money(o.rule.value_per_point()),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RedeemForm {
    csrf: String,
    idem: String,
    points: String,
}

/// What a refusal says to the member, in their language.
fn refusal_text(state: &AppState, lang: Language, e: &RedeemError) -> String {
    match e {
        RedeemError::Paused | RedeemError::Disconnected => text(state, lang, "redeem_err_paused"),
        RedeemError::DiscountDisabled | RedeemError::NoWallet => {
            text(state, lang, "redeem_err_off")
        }
        RedeemError::Refused(RedemptionRefusal::BelowMinimum { min }) => {
            text(state, lang, "redeem_err_min").replace("{min}", &format_points(min.get(), lang))
        }
        RedeemError::Refused(RedemptionRefusal::AboveMaximum { max }) => {
            text(state, lang, "redeem_err_max").replace("{max}", &format_points(max.get(), lang))
        }
        RedeemError::Refused(RedemptionRefusal::InsufficientPoints { .. }) => {
            text(state, lang, "redeem_err_balance")
        }
        RedeemError::Refused(RedemptionRefusal::NotPositive) => {
            text(state, lang, "redeem_err_points")
        }
        _ => text(state, lang, "redeem_err_again"),
    }
}

pub(crate) async fn redeem_points(
    state: web::Data<AppState>,
    auth: MemberAuth,
    path: web::Path<(i64, i64)>,
    form: web::Form<RedeemForm>,
) -> HttpResponse {
    let (partner_id, card_id) = path.into_inner();
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let lang = Language::parse(&auth.member.language).unwrap_or(Language::En);
    let card_url = format!("/portal/cards/{partner_id}/{card_id}");
    let refuse = |message: String| {
        see_other(&format!(
            "{card_url}?redeem_error={}#store-discount",
            urlencode(&message)
        ))
    };
    if !state.config.feature_woocommerce {
        return refuse(text(&state, lang, "redeem_err_off"));
    }
    let Ok(points) = form
        .points
        .trim()
        .replace([',', '.', ' '], "")
        .parse::<i64>()
    else {
        return refuse(text(&state, lang, "redeem_err_points"));
    };
    let mut conn = match database::pool::get(&state.pool).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    let wallet = match database::wallets::find(&mut conn, partner_id, card_id, auth.member.id).await
    {
        Ok(w) => w,
        Err(e) => return failure(&state, &e),
    };
    let partner = match database::partners::find(&mut conn, partner_id).await {
        Ok(p) => p,
        Err(e) => return failure(&state, &e),
    };
    drop(conn);
    let (Some(wallet), Some(partner)) = (wallet, partner) else {
        return refuse(text(&state, lang, "redeem_err_off"));
    };
    let found = match offer(&state.pool, partner_id, card_id, wallet.balance).await {
        Ok(o) => o,
        Err(e) => return failure(&state, &e),
    };
    let Some(o) = found else {
        return refuse(text(&state, lang, "redeem_err_off"));
    };
    // The form's key, per member: a double click or two tabs with one form redeem once.
    let key = if form.idem.is_empty() || form.idem.len() > 120 {
        return refuse(text(&state, lang, "redeem_err_again"));
    } else {
        format!("portal:{}:{}", auth.member.id, form.idem)
    };
    let request = RedeemRequest {
        integration: &o.integration,
        settings: &o.settings,
        member: &auth.member,
        timezone: &partner.timezone,
        business_name: &partner.name,
        points,
        by: Requester::Member,
        idempotency_key: key,
        now: time::OffsetDateTime::now_utc(),
    };
    match redeem(&state.pool, &state.config.keys, &*state.woo, &request).await {
        Ok(done) => see_other(&format!(
            "/portal/coupons/{partner_id}/{}",
            done.redemption().id
        )),
        Err(RedeemError::Db(e)) => failure(&state, &e),
        Err(e) => refuse(refusal_text(&state, lang, &e)),
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A coupon as the portal shows it.
fn coupon_json(state: &AppState, r: &Redemption, lang: Language) -> serde_json::Value {
    serde_json::json!({
        "url": format!("/portal/coupons/{}/{}", r.partner_id, r.id),
        "code": r.code,
        "value": format_money(&amount_text(r), &r.currency, lang),
        "expires": format_date(&r.expires_on.to_string(), lang),
        "points": format_points(r.points, lang),
        "status": r.status,
        "status_text": text(state, lang, &format!("coupon_status_{}", r.status)),
    })
}

/// The member's own redemption `id` of `partner_id` with its card (another member's is
/// not found).
async fn own(
    state: &AppState,
    auth: &MemberAuth,
    partner_id: i64,
    id: i64,
) -> Result<Option<(Redemption, i64)>, database::DbError> {
    let mut conn = database::pool::get(&state.pool).await?;
    let Some(r) = redemptions::find(&mut conn, partner_id, id).await? else {
        return Ok(None);
    };
    let wallet = database::wallets::find_by_id(&mut conn, partner_id, r.wallet_id).await?;
    Ok(wallet
        .filter(|w| w.member_id == auth.member.id)
        .map(|w| (r, w.card_id)))
}

pub(crate) async fn coupon(
    state: web::Data<AppState>,
    auth: MemberAuth,
    path: web::Path<(i64, i64)>,
) -> HttpResponse {
    let (partner_id, id) = path.into_inner();
    let (mut ctx, lang) = base(&state, &auth);
    let (r, card_id) = match own(&state, &auth, partner_id, id).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            ctx.insert("title", &text(&state, lang, "card_not_found"));
            ctx.insert("message", &text(&state, lang, "card_not_found_text"));
            return page(&state, "message.html", ctx, StatusCode::NOT_FOUND);
        }
        Err(e) => return failure(&state, &e),
    };
    ctx.insert("coupon", &coupon_json(&state, &r, lang));
    ctx.insert("card_url", &format!("/portal/cards/{partner_id}/{card_id}"));
    page(&state, "portal/coupon.html", ctx, StatusCode::OK)
}

pub(crate) async fn coupons(state: web::Data<AppState>, auth: MemberAuth) -> HttpResponse {
    let (mut ctx, lang) = base(&state, &auth);
    let mut conn = match database::pool::get(&state.pool).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    let list = match redemptions::of_member(&mut conn, auth.member.id, 100).await {
        Ok(l) => l,
        Err(e) => return failure(&state, &e),
    };
    let rows: Vec<_> = list.iter().map(|r| coupon_json(&state, r, lang)).collect();
    ctx.insert("coupons", &rows);
    page(&state, "portal/coupons.html", ctx, StatusCode::OK)
}
