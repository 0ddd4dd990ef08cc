//! Changing the member's email address, behind the recent-code gate: the new address
//! gets a code, and entering it moves the account there — unless another member holds
//! the address, which only someone reading its mail is told.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use identity::Email;
use serde::Deserialize;
use time::OffsetDateTime;

use super::auth::MemberAuth;
use super::client::client_ip;
use super::login::text;
use super::portal::base;
use super::portal_gate::{self, Sensitive};
use super::render::{failure, page, see_other, stale_form};
use super::AppState;
use crate::usecases::member_account::{self, ChangeConfirmed, ChangeRequested};

/// The page: the new-address form, or (with `sent`) the code field for `new_email`.
fn render(
    state: &AppState,
    auth: &MemberAuth,
    new_email: &str,
    sent: bool,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let (mut ctx, _) = base(state, auth);
    ctx.insert("new_email", new_email);
    ctx.insert("sent", &sent);
    ctx.insert("error", &error);
    page(state, "portal/email.html", ctx, status)
}

pub(crate) async fn show(state: web::Data<AppState>, auth: MemberAuth) -> HttpResponse {
    if !portal_gate::open(&auth, OffsetDateTime::now_utc()) {
        return portal_gate::ask(&state, &auth, Sensitive::Email);
    }
    render(&state, &auth, "", false, None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct NewEmailForm {
    csrf: String,
    email: String,
}

pub(crate) async fn request(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MemberAuth,
    form: web::Form<NewEmailForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let now = OffsetDateTime::now_utc();
    if !portal_gate::open(&auth, now) {
        return see_other(Sensitive::Email.path());
    }
    let lang = member_account::language_of(&auth.member);
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Ok(email) = Email::parse(&form.email) else {
        let msg = text(&state, lang, "error_email");
        return render(&state, &auth, &form.email, false, Some(msg), unprocessable);
    };
    let client = client_ip(&req, &state.config.trusted_proxies);
    let keys = &state.config.keys;
    match member_account::request_email_change(&state.pool, keys, &auth.member, &email, client, now)
        .await
    {
        Ok(ChangeRequested::Sent) => {
            render(&state, &auth, email.as_str(), true, None, StatusCode::OK)
        }
        Ok(ChangeRequested::Same) => {
            let msg = text(&state, lang, "account_email_same");
            render(
                &state,
                &auth,
                email.as_str(),
                false,
                Some(msg),
                unprocessable,
            )
        }
        Ok(ChangeRequested::Limited(limited)) => {
            let msg = text(&state, lang, "error_too_many_codes")
                .replace("{minutes}", &limited.minutes().to_string());
            let status = StatusCode::TOO_MANY_REQUESTS;
            render(&state, &auth, email.as_str(), false, Some(msg), status)
        }
        Err(e) => failure(&state, &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: String,
    email: String,
    code: String,
}

pub(crate) async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: MemberAuth,
    form: web::Form<CodeForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let now = OffsetDateTime::now_utc();
    if !portal_gate::open(&auth, now) {
        return see_other(Sensitive::Email.path());
    }
    let Ok(email) = Email::parse(&form.email) else {
        return see_other(Sensitive::Email.path());
    };
    let lang = member_account::language_of(&auth.member);
    let client = client_ip(&req, &state.config.trusted_proxies);
    let keys = &state.config.keys;
    let id = auth.member.id;
    match member_account::confirm_email_change(
        &state.pool,
        keys,
        id,
        &email,
        &form.code,
        client,
        now,
    )
    .await
    {
        Ok(ChangeConfirmed::Changed) => see_other("/portal/account?saved=email"),
        Ok(ChangeConfirmed::Taken) => {
            let msg = text(&state, lang, "account_email_taken");
            render(&state, &auth, "", false, Some(msg), StatusCode::CONFLICT)
        }
        Ok(ChangeConfirmed::Code(refused)) => {
            let (msg, keep_field, status) = portal_gate::refusal(&state, lang, &refused);
            render(&state, &auth, email.as_str(), keep_field, Some(msg), status)
        }
        Err(e) => failure(&state, &e),
    }
}
