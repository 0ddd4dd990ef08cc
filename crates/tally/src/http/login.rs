//! Sign-in pages of both realms: `/login` (members) and `/partner/login` (partners and
//! their staff). Email → code → signed in; same answer whether or not an email is known.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use identity::Email;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::client::client_ip;
use super::cookies::{self, Jar};
use super::i18n::requested_language;
use super::render::{failure, page, see_other, stale_form};
use super::AppState;
use crate::email::message::{Language, Realm};
use crate::usecases::signin::{self, CodeRequested, CodeVerified};

pub(super) struct RealmPaths {
    realm: Realm,
    login: &'static str,
    code: &'static str,
    home: &'static str,
    jar: Jar,
}

pub(super) const MEMBER: RealmPaths = RealmPaths {
    realm: Realm::Member,
    login: "/login",
    code: "/login/code",
    home: "/portal",
    jar: Jar::Member,
};
const PARTNER: RealmPaths = RealmPaths {
    realm: Realm::Partner,
    login: "/partner/login",
    code: "/partner/login/code",
    home: "/partner",
    jar: Jar::Partner,
};

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    email: String,
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    email: String,
    code: String,
    csrf: String,
}

/// The page's language: members choose; the dashboard is in English.
fn language(req: &HttpRequest, state: &AppState, paths: &RealmPaths) -> (Language, bool) {
    match paths.realm {
        Realm::Member => requested_language(req, state.secure_cookies()),
        Realm::Partner => (Language::En, false),
    }
}

/// The random value sign-in forms are bound to, from the cookie or new.
fn pre_session(req: &HttpRequest, state: &AppState) -> Option<(String, bool)> {
    if let Some(c) = req.cookie(&Jar::PreSession.name(state.secure_cookies())) {
        if !c.value().is_empty() {
            return Some((c.value().to_owned(), false));
        }
    }
    identity::generate_token("p_")
        .ok()
        .map(|t| (t.expose_secret().to_owned(), true))
}

struct View<'a> {
    paths: &'a RealmPaths,
    template: &'static str,
    lang: Language,
    csrf: String,
    email: &'a str,
    error: Option<String>,
    note: Option<String>,
    status: StatusCode,
}

fn render(state: &AppState, view: View<'_>) -> HttpResponse {
    let mut ctx = tera::Context::new();
    ctx.insert("realm", view.paths.realm.as_db());
    ctx.insert("t", state.strings.of(view.lang));
    ctx.insert("lang", view.lang.as_str());
    ctx.insert(
        "languages",
        &Language::ALL
            .iter()
            .map(|l| (l.as_str(), l.native_name()))
            .collect::<Vec<_>>(),
    );
    ctx.insert("csrf", &view.csrf);
    ctx.insert("email", view.email);
    ctx.insert("error", &view.error);
    ctx.insert("note", &view.note);
    ctx.insert("login_action", view.paths.login);
    ctx.insert("code_action", view.paths.code);
    ctx.insert("minutes", &identity::CODE_TTL.whole_minutes().to_string());
    page(state, view.template, ctx, view.status)
}

pub(super) fn text(state: &AppState, lang: Language, key: &str) -> String {
    state.strings.of(lang)[key]
        .as_str()
        .unwrap_or(key)
        .to_owned()
}

fn with_cookies(
    mut res: HttpResponse,
    state: &AppState,
    pre: Option<(String, bool)>,
    lang: Option<Language>,
) -> HttpResponse {
    let secure = state.secure_cookies();
    if let Some((value, true)) = pre {
        let _ = res.add_cookie(&cookies::make(Jar::PreSession, value, secure, None));
    }
    if let Some(lang) = lang {
        let _ = res.add_cookie(&cookies::make(
            Jar::Language,
            lang.as_str().into(),
            secure,
            None,
        ));
    }
    res
}

pub(super) async fn show_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    paths: &RealmPaths,
    note: Option<String>,
) -> HttpResponse {
    let (lang, switched) = language(&req, &state, paths);
    let Some(pre) = pre_session(&req, &state) else {
        return failure(&state, &"no randomness for the sign-in form");
    };
    let csrf = state
        .config
        .keys
        .csrf_token_for(pre.0.as_bytes())
        .unwrap_or_default();
    let res = render(
        &state,
        View {
            paths,
            template: "login.html",
            lang,
            csrf,
            email: "",
            error: None,
            note,
            status: StatusCode::OK,
        },
    );
    with_cookies(res, &state, Some(pre), switched.then_some(lang))
}

fn form_binding_ok(req: &HttpRequest, state: &AppState, csrf: &str) -> Option<String> {
    let pre = req
        .cookie(&Jar::PreSession.name(state.secure_cookies()))?
        .value()
        .to_owned();
    state
        .config
        .keys
        .verify_csrf_for(pre.as_bytes(), csrf)
        .then_some(pre)
}

async fn send_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: EmailForm,
    paths: &RealmPaths,
) -> HttpResponse {
    let (lang, _) = language(&req, &state, paths);
    let Some(pre) = form_binding_ok(&req, &state, &form.csrf) else {
        return stale_form(&state);
    };
    let csrf = form.csrf.clone();
    let email = match Email::parse(&form.email) {
        Ok(e) => e,
        Err(_) => {
            let error = Some(text(&state, lang, "error_email"));
            return render(
                &state,
                View {
                    paths,
                    template: "login.html",
                    lang,
                    csrf,
                    email: &form.email,
                    error,
                    note: None,
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                },
            );
        }
    };
    let client = client_ip(&req, &state.config.trusted_proxies);
    let now = time::OffsetDateTime::now_utc();
    match signin::request_code(
        &state.pool,
        &state.config.keys,
        paths.realm,
        &email,
        client,
        lang,
        now,
    )
    .await
    {
        Ok(CodeRequested::Sent) => {
            let _ = pre;
            render(
                &state,
                View {
                    paths,
                    template: "login_code.html",
                    lang,
                    csrf,
                    email: email.as_str(),
                    error: None,
                    note: None,
                    status: StatusCode::OK,
                },
            )
        }
        Ok(CodeRequested::Limited(limited)) => {
            let error = Some(
                text(&state, lang, "error_too_many_codes")
                    .replace("{minutes}", &limited.minutes().to_string()),
            );
            render(
                &state,
                View {
                    paths,
                    template: "login.html",
                    lang,
                    csrf,
                    email: email.as_str(),
                    error,
                    note: None,
                    status: StatusCode::TOO_MANY_REQUESTS,
                },
            )
        }
        Err(e) => failure(&state, &e),
    }
}

async fn check_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: CodeForm,
    paths: &RealmPaths,
) -> HttpResponse {
    let (lang, _) = language(&req, &state, paths);
    if form_binding_ok(&req, &state, &form.csrf).is_none() {
        return stale_form(&state);
    }
    let csrf = form.csrf.clone();
    let Ok(email) = Email::parse(&form.email) else {
        return see_other(paths.login);
    };
    let client = client_ip(&req, &state.config.trusted_proxies);
    let now = time::OffsetDateTime::now_utc();
    let view = |template, error: String, status| View {
        paths,
        template,
        lang,
        csrf: csrf.clone(),
        email: email.as_str(),
        error: Some(error),
        note: None,
        status,
    };
    match signin::verify_code(
        &state.pool,
        &state.config.keys,
        paths.realm,
        &email,
        &form.code,
        client,
        lang,
        now,
    )
    .await
    {
        Ok(CodeVerified::SignedIn(signed_in)) => {
            let secure = state.secure_cookies();
            let expires = signed_in.expires_at;
            let mut res = see_other(paths.home);
            let _ = res.add_cookie(&cookies::make(
                paths.jar,
                signed_in.token.expose_secret().to_owned(),
                secure,
                Some(expires),
            ));
            let _ = res.add_cookie(&cookies::removal(Jar::PreSession, secure));
            res
        }
        Ok(CodeVerified::Wrong { tries_left }) => {
            let msg =
                text(&state, lang, "error_wrong_code").replace("{tries}", &tries_left.to_string());
            render(
                &state,
                view("login_code.html", msg, StatusCode::UNPROCESSABLE_ENTITY),
            )
        }
        Ok(CodeVerified::Refused(refusal)) => {
            let key = match refusal {
                identity::CodeRefusal::Expired => "error_code_expired",
                identity::CodeRefusal::TooManyAttempts => "error_code_locked",
                identity::CodeRefusal::AlreadyUsed => "error_code_used",
            };
            render(
                &state,
                view(
                    "login.html",
                    text(&state, lang, key),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
            )
        }
        Ok(CodeVerified::NoCode) => render(
            &state,
            view(
                "login.html",
                text(&state, lang, "error_no_code"),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        ),
        Ok(CodeVerified::Limited(limited)) => {
            let msg = text(&state, lang, "error_too_many_checks")
                .replace("{minutes}", &limited.minutes().to_string());
            render(
                &state,
                view("login_code.html", msg, StatusCode::TOO_MANY_REQUESTS),
            )
        }
        Err(e) => failure(&state, &e),
    }
}

pub(crate) async fn member_login(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    show_login(req, state, &MEMBER, None).await
}

pub(crate) async fn member_send_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<EmailForm>,
) -> HttpResponse {
    send_code(req, state, form.into_inner(), &MEMBER).await
}

pub(crate) async fn member_check_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> HttpResponse {
    check_code(req, state, form.into_inner(), &MEMBER).await
}

pub(crate) async fn partner_login(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    show_login(req, state, &PARTNER, None).await
}

pub(crate) async fn partner_send_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<EmailForm>,
) -> HttpResponse {
    send_code(req, state, form.into_inner(), &PARTNER).await
}

pub(crate) async fn partner_check_code(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> HttpResponse {
    check_code(req, state, form.into_inner(), &PARTNER).await
}
