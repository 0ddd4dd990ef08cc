//! `GET /partner/members/{member_id}`: one member as the partner sees them — name,
//! email, number and code; a wallet per card with balance, tier and the full history in
//! words (paged per card with `?card_id=…&before=…`); an adjustment form per wallet.
//! After an adjustment, `?adjusted=<entry id>` says what it did.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use ledger::Points;
use serde::{Deserialize, Serialize};

use super::{member_url, not_found};
use crate::http::auth::PartnerAuth;
use crate::http::dashboard;
use crate::http::partner_woo::form_key;
use crate::http::render::{failure, page};
use crate::http::AppState;
use crate::usecases::history::signed_points;
use crate::usecases::members::{self, HistoryPage};

/// Entries shown per wallet.
const HISTORY_PAGE: i64 = 100;

/// `?card_id=&before=` pages one wallet's history; `?adjusted=` follows an adjustment.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct MemberQuery {
    card_id: Option<String>,
    before: Option<String>,
    adjusted: Option<String>,
}

/// What a refused adjustment form shows again: its values and why it was refused.
#[derive(Debug, Clone)]
pub struct Refused {
    pub card_id: i64,
    pub points: String,
    pub note: String,
    pub error: String,
}

#[derive(Debug, Serialize)]
struct Line {
    when: String,
    text: String,
    applied: i64,
    balance_after: String,
}

#[derive(Debug, Serialize)]
struct WalletBlock {
    card_id: i64,
    card_name: String,
    currency: String,
    balance: String,
    earned: String,
    tier: Option<String>,
    history: Vec<Line>,
    older_url: Option<String>,
    paged: bool,
    form_points: String,
    form_note: String,
    form_error: Option<String>,
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    member_id: web::Path<i64>,
    query: web::Query<MemberQuery>,
) -> HttpResponse {
    let number = |v: &Option<String>| v.as_deref().and_then(|v| v.trim().parse::<i64>().ok());
    let history = HistoryPage {
        card_id: number(&query.card_id),
        before: number(&query.before),
    };
    let adjusted = number(&query.adjusted);
    let view = View {
        history,
        adjusted,
        refused: None,
    };
    render(&state, &auth, member_id.into_inner(), view, StatusCode::OK).await
}

/// What the member page shows besides the member.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub history: HistoryPage,
    /// The entry an adjustment just posted.
    pub adjusted: Option<i64>,
    pub refused: Option<Refused>,
}

/// Renders the page of the partner's member `member_id` (another's is a 404).
pub async fn render(
    state: &AppState,
    auth: &PartnerAuth,
    member_id: i64,
    view: View,
    status: StatusCode,
) -> HttpResponse {
    let partner_id = auth.partner.id;
    let profile = match members::profile(
        &state.pool,
        partner_id,
        member_id,
        view.history,
        HISTORY_PAGE,
    )
    .await
    {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(state),
        Err(e) => return failure(state, &e),
    };
    let tz = auth.partner.timezone.as_str();
    let url = member_url(member_id);
    let mut notice = None;
    let wallets: Vec<WalletBlock> = profile
        .wallets
        .iter()
        .map(|w| {
            if let Some(e) = w.history.iter().find(|l| Some(l.entry.id) == view.adjusted) {
                notice = Some(format!(
                    "Saved: {} on {}. The balance is now {}.",
                    signed_points(e.entry.applied_points),
                    w.card.name,
                    signed_points(e.entry.balance_after).trim_start_matches('+')
                ));
            }
            let refused = view.refused.as_ref().filter(|r| r.card_id == w.card.id);
            WalletBlock {
                card_id: w.card.id,
                card_name: w.card.name.clone(),
                currency: w.card.currency.clone(),
                balance: Points::new(w.wallet.balance).grouped(),
                earned: Points::new(w.wallet.earned_points).grouped(),
                tier: w.tier.clone(),
                history: w
                    .history
                    .iter()
                    .map(|l| Line {
                        when: crate::timezone::when(tz, l.entry.created_at),
                        text: l.text.clone(),
                        applied: l.entry.applied_points,
                        balance_after: Points::new(l.entry.balance_after).grouped(),
                    })
                    .collect(),
                older_url: w.older.map(|before| {
                    format!(
                        "{url}?card_id={}&before={before}#card-{}",
                        w.card.id, w.card.id
                    )
                }),
                paged: view.history.card_id == Some(w.card.id) && view.history.before.is_some(),
                form_points: refused.map(|r| r.points.clone()).unwrap_or_default(),
                form_note: refused.map(|r| r.note.clone()).unwrap_or_default(),
                form_error: refused.map(|r| r.error.clone()),
            }
        })
        .collect();
    if view.adjusted.is_some() && notice.is_none() {
        notice = Some("The adjustment was saved.".to_owned());
    }
    let m = &profile.member;
    let mut ctx = dashboard::context(state, auth, "members");
    ctx.insert("member_url", &url);
    ctx.insert("member_name", &m.name);
    ctx.insert("member_email", &m.email);
    ctx.insert("member_number", &m.number);
    ctx.insert("member_code", &m.code);
    ctx.insert("member_language", &m.language);
    ctx.insert("wallets", &wallets);
    ctx.insert("notice", &notice);
    ctx.insert("error", &view.refused.as_ref().map(|r| r.error.clone()));
    ctx.insert("idem", &form_key());
    ctx.insert("action", &format!("{url}/adjustments"));
    page(state, "partner/member.html", ctx, status)
}
