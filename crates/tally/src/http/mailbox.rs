//! `/dev/mailbox` (dev mode only): the emails in the outbox, rendered as they would be
//! sent, HTML and text. Elsewhere these routes answer 404.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use database::outbox;

use super::render::{failure, page};
use super::AppState;
use crate::config::Environment;
use crate::email::message::{EmailKind, EmailPayload, Envelope, Language};
use crate::email::render::Rendered;

fn rendered(state: &AppState, email: &outbox::OutboxEmail) -> Option<Rendered> {
    let kind = EmailKind::parse(&email.kind)?;
    let payload = EmailPayload::from_json(kind, &email.payload).ok()?;
    let language = Language::parse(&email.language).unwrap_or(Language::En);
    let unsubscribe_url = (kind != EmailKind::SignInCode && email.member_id.is_some())
        .then(|| "#unsubscribe".to_owned());
    state
        .emails
        .render(
            &payload,
            &Envelope {
                unsubscribe_url,
                language,
            },
        )
        .ok()
}

fn dev_only(state: &AppState) -> Option<HttpResponse> {
    (state.config.env != Environment::Dev).then(|| {
        HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found")
    })
}

pub(crate) async fn list(state: web::Data<AppState>) -> HttpResponse {
    if let Some(res) = dev_only(&state) {
        return res;
    }
    let mut conn = match database::pool::get(&state.pool).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    let emails = match outbox::recent(&mut conn, 100).await {
        Ok(e) => e,
        Err(e) => return failure(&state, &e),
    };
    let rows: Vec<_> = emails
        .iter()
        .map(|e| {
            serde_json::json!({
                "id": e.id,
                "to": e.to_address,
                "kind": e.kind,
                "status": e.status,
                "at": e.created_at.to_string(),
                "subject": rendered(&state, e).map(|r| r.subject).unwrap_or_else(|| "(cannot render)".into()),
            })
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("emails", &rows);
    page(&state, "dev/mailbox.html", ctx, StatusCode::OK)
}

pub(crate) async fn show(state: web::Data<AppState>, id: web::Path<i64>) -> HttpResponse {
    if let Some(res) = dev_only(&state) {
        return res;
    }
    let mut conn = match database::pool::get(&state.pool).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    let Ok(Some(email)) = outbox::find(&mut conn, *id).await else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such email");
    };
    let Some(r) = rendered(&state, &email) else {
        return failure(&state, &"the email cannot be rendered");
    };
    let mut ctx = tera::Context::new();
    ctx.insert("id", &email.id);
    ctx.insert("to", &email.to_address);
    ctx.insert("status", &email.status);
    ctx.insert("subject", &r.subject);
    ctx.insert("text", &r.text);
    page(&state, "dev/mailbox_email.html", ctx, StatusCode::OK)
}

/// The email's HTML as sent; it carries its own inline styles (as emails must), so this
/// one response relaxes the page policy to allow them, and nothing else.
pub(crate) async fn html(state: web::Data<AppState>, id: web::Path<i64>) -> HttpResponse {
    if let Some(res) = dev_only(&state) {
        return res;
    }
    let mut conn = match database::pool::get(&state.pool).await {
        Ok(c) => c,
        Err(e) => return failure(&state, &e),
    };
    let Some(r) = outbox::find(&mut conn, *id)
        .await
        .ok()
        .flatten()
        .and_then(|e| rendered(&state, &e))
    else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such email");
    };
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "content-security-policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        ))
        .body(r.html)
}
