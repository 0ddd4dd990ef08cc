//! What every dashboard page shares: the signed-in user's context for
//! `templates/partner/layout.html`, the owner-only extractor and its 403 page.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};

use super::auth::{PartnerAuth, SignInFirst};
use super::AppState;

/// The layout's context: business, user, role, CSRF token and the current section
/// (`home`, `counter`, `members`, `cards`, `integrations`, `activity`, `team`,
/// `settings`, `tokens`).
pub fn context(state: &AppState, auth: &PartnerAuth, section: &str) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("business", &auth.partner.name);
    ctx.insert("user_email", &auth.user.email);
    ctx.insert("role", &auth.user.role);
    ctx.insert("is_owner", &is_owner(auth));
    ctx.insert("csrf", &auth.csrf);
    ctx.insert("woocommerce", &state.config.feature_woocommerce);
    ctx.insert("section", section);
    ctx
}

/// Whether the signed-in user is the partner's owner (staff are not).
pub fn is_owner(auth: &PartnerAuth) -> bool {
    auth.user.role == "owner"
}

/// A signed-in owner. Staff get a 403 page; nobody signed in goes to sign-in.
#[derive(Debug)]
pub struct OwnerAuth(pub PartnerAuth);

impl std::ops::Deref for OwnerAuth {
    type Target = PartnerAuth;
    fn deref(&self) -> &PartnerAuth {
        &self.0
    }
}

/// Why an [`OwnerAuth`] was refused.
#[derive(Debug)]
pub enum NotOwner {
    SignIn(SignInFirst),
    Staff,
}

impl std::fmt::Display for NotOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotOwner::SignIn(e) => e.fmt(f),
            NotOwner::Staff => f.write_str("only the owner may do this"),
        }
    }
}

impl ResponseError for NotOwner {
    fn status_code(&self) -> StatusCode {
        match self {
            NotOwner::SignIn(e) => e.status_code(),
            NotOwner::Staff => StatusCode::FORBIDDEN,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            NotOwner::SignIn(e) => e.error_response(),
            NotOwner::Staff => HttpResponse::Forbidden()
                .content_type("text/html; charset=utf-8")
                .body(FORBIDDEN_PAGE),
        }
    }
}

const FORBIDDEN_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Owner only — Tally</title>\
<link rel=\"stylesheet\" href=\"/static/tally.css\"></head><body><main class=\"page\">\
<h1>Only the owner can do this</h1><p>Your account is a staff account: it can use the counter \
and the members pages and see everything else. Ask the owner of this business if you need more.</p>\
<p><a href=\"/partner\">Back to the dashboard</a></p></main></body></html>";

impl FromRequest for OwnerAuth {
    type Error = NotOwner;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let auth = PartnerAuth::from_request(req, payload);
        Box::pin(async move {
            let auth = auth.await.map_err(NotOwner::SignIn)?;
            if is_owner(&auth) {
                Ok(OwnerAuth(auth))
            } else {
                Err(NotOwner::Staff)
            }
        })
    }
}
