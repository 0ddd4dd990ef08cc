//! `GET /partner/members`: the search box (email, member code or member number) — a
//! direct hit opens the member's page — and the partner's members, newest to join first,
//! or those whose email or name contains what was typed.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use super::{member_url, BASE};
use crate::http::auth::PartnerAuth;
use crate::http::dashboard;
use crate::http::render::{failure, page, see_other};
use crate::http::AppState;
use crate::usecases::members;

/// Members per page.
const PAGE: i64 = 50;

/// `?q=<email, code or number>&before=<cursor>`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    before: Option<String>,
}

#[derive(Debug, Serialize)]
struct Row {
    url: String,
    name: String,
    email: String,
    number: i64,
    code: String,
    joined: String,
}

pub(crate) async fn index(
    state: web::Data<AppState>,
    auth: PartnerAuth,
    query: web::Query<SearchQuery>,
) -> HttpResponse {
    let partner_id = auth.partner.id;
    let q = query.q.as_deref().map(str::trim).unwrap_or_default();
    let before = query.before.as_deref().and_then(|b| b.trim().parse().ok());
    if !q.is_empty() && before.is_none() {
        match members::find(&state.pool, partner_id, q).await {
            Ok(Some(member)) => return see_other(&member_url(member.id)),
            Ok(None) => {}
            Err(e) => return failure(&state, &e),
        }
    }
    let text = (!q.is_empty()).then_some(q);
    let found = match members::list(&state.pool, partner_id, text, before, PAGE).await {
        Ok(found) => found,
        Err(e) => return failure(&state, &e),
    };
    let tz = auth.partner.timezone.as_str();
    let rows: Vec<Row> = found
        .members
        .iter()
        .map(|m| Row {
            url: member_url(m.member.id),
            name: m.member.name.clone(),
            email: m.member.email.clone(),
            number: m.member.number,
            code: m.member.code.clone(),
            joined: crate::timezone::when(tz, m.joined_at),
        })
        .collect();
    let mut ctx = dashboard::context(&state, &auth, "members");
    ctx.insert("q", q);
    ctx.insert("members", &rows);
    ctx.insert("paged", &before.is_some());
    let next = found.next.map(|n| {
        let mut url = format!("{BASE}?before={n}");
        if !q.is_empty() {
            url.push_str("&q=");
            url.push_str(&encode(q));
        }
        url
    });
    ctx.insert("next_url", &next);
    let first = if q.is_empty() {
        BASE.to_owned()
    } else {
        format!("{BASE}?q={}", encode(q))
    };
    ctx.insert("first_url", &first);
    page(&state, "partner/members.html", ctx, StatusCode::OK)
}

/// `text` percent-encoded for a query string.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_text_is_percent_encoded() {
        assert_eq!(super::encode("ann+1@x.com é"), "ann%2B1%40x.com%20%C3%A9");
    }
}
