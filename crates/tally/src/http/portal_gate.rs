//! The gate in front of the sensitive account actions (email change, export,
//! deletion): they need a code verified on this session in the last ten minutes. A
//! member signed in by link, or long ago, is asked for one: "Send me a code" to the
//! current address, then the code, then back to the action.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::MemberAuth;
use super::client::client_ip;
use super::login::text;
use super::portal::base;
use super::render::{failure, page, see_other, stale_form};
use super::AppState;
use crate::usecases::codes::CodeFailure;
use crate::usecases::member_account::{self, code_is_recent};
use crate::usecases::signin::CodeRequested;

/// A sensitive action, where the gate returns to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sensitive {
    Email,
    Export,
    Delete,
}

impl Sensitive {
    fn parse(s: &str) -> Option<Sensitive> {
        match s {
            "email" => Some(Sensitive::Email),
            "export" => Some(Sensitive::Export),
            "delete" => Some(Sensitive::Delete),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Sensitive::Email => "email",
            Sensitive::Export => "export",
            Sensitive::Delete => "delete",
        }
    }

    pub(super) fn path(self) -> &'static str {
        match self {
            Sensitive::Email => "/portal/account/email",
            Sensitive::Export => "/portal/account/export",
            Sensitive::Delete => "/portal/account/delete",
        }
    }
}

/// Whether this session verified a code recently enough for a sensitive action.
pub(super) fn open(auth: &MemberAuth, now: OffsetDateTime) -> bool {
    code_is_recent(auth.session.last_code_verified_at, now)
}

/// The gate page: `sent` shows the code field, else the offer to send a code.
fn render(
    state: &AppState,
    auth: &MemberAuth,
    next: Sensitive,
    sent: bool,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let (mut ctx, _) = base(state, auth);
    ctx.insert("next", next.as_str());
    ctx.insert("sent", &sent);
    ctx.insert("error", &error);
    ctx.insert(
        "minutes",
        &member_account::RECENT_CODE.whole_minutes().to_string(),
    );
    page(state, "portal/verify.html", ctx, status)
}

/// The page a sensitive action shows when the gate is closed.
pub(super) fn ask(state: &AppState, auth: &MemberAuth, next: Sensitive) -> HttpResponse {
    render(state, auth, next, false, None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct SendForm {
    csrf: String,
    next: String,
}

pub(crate) async fn send(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MemberAuth,
    form: web::Form<SendForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let next = Sensitive::parse(&form.next).unwrap_or(Sensitive::Export);
    let client = client_ip(&req, &state.config.trusted_proxies);
    let now = OffsetDateTime::now_utc();
    let lang = member_account::language_of(&auth.member);
    match member_account::send_gate_code(&state.pool, &state.config.keys, &auth.member, client, now)
        .await
    {
        Ok(CodeRequested::Sent) => render(&state, &auth, next, true, None, StatusCode::OK),
        Ok(CodeRequested::Limited(limited)) => {
            let msg = text(&state, lang, "error_too_many_codes")
                .replace("{minutes}", &limited.minutes().to_string());
            render(
                &state,
                &auth,
                next,
                false,
                Some(msg),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(e) => failure(&state, &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct CheckForm {
    csrf: String,
    next: String,
    code: String,
}

/// The message for a code that was not accepted, and whether the code field stays.
pub(super) fn refusal(
    state: &AppState,
    lang: crate::email::message::Language,
    failure: &CodeFailure,
) -> (String, bool, StatusCode) {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    match failure {
        CodeFailure::Wrong { tries_left } => (
            text(state, lang, "error_wrong_code").replace("{tries}", &tries_left.to_string()),
            true,
            unprocessable,
        ),
        CodeFailure::Refused(refusal) => {
            let key = match refusal {
                identity::CodeRefusal::Expired => "error_code_expired",
                identity::CodeRefusal::TooManyAttempts => "error_code_locked",
                identity::CodeRefusal::AlreadyUsed => "error_code_used",
            };
            (text(state, lang, key), false, unprocessable)
        }
        CodeFailure::NoCode => (text(state, lang, "error_no_code"), false, unprocessable),
        CodeFailure::Limited(limited) => (
            text(state, lang, "error_too_many_checks")
                .replace("{minutes}", &limited.minutes().to_string()),
            true,
            StatusCode::TOO_MANY_REQUESTS,
        ),
    }
}

pub(crate) async fn check(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MemberAuth,
    form: web::Form<CheckForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let next = Sensitive::parse(&form.next).unwrap_or(Sensitive::Export);
    let client = client_ip(&req, &state.config.trusted_proxies);
    let now = OffsetDateTime::now_utc();
    let lang = member_account::language_of(&auth.member);
    let verdict = member_account::verify_gate_code(
        &state.pool,
        &state.config.keys,
        auth.session.id,
        &auth.member,
        &form.code,
        client,
        now,
    )
    .await;
    match verdict {
        Ok(Ok(())) => see_other(next.path()),
        Ok(Err(refused)) => {
            let (msg, keep_field, status) = refusal(&state, lang, &refused);
            render(&state, &auth, next, keep_field, Some(msg), status)
        }
        Err(e) => failure(&state, &e),
    }
}
