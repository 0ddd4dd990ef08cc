//! Dashboard forms carried out once per idempotency key (the hidden `idem` field): a
//! double click or a resent form gets the first answer instead of a second change.
//! Successful answers (a 303 or a page) are kept; a refusal or failure gives the key back
//! so the same form can be corrected and sent again.

use std::future::Future;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use database::idempotency::Key;

use super::render::{failure, page, see_other};
use super::AppState;
use crate::usecases::idempotency::{self, Found};

/// Runs `work` unless the form with key `idem` (in `scope`, for `partner_id`) was sent
/// before; `fields` are the values that make this submission what it is.
pub async fn form_once<Fut>(
    state: &AppState,
    partner_id: i64,
    scope: &str,
    idem: &str,
    fields: &[&str],
    work: impl FnOnce() -> Fut,
) -> HttpResponse
where
    Fut: Future<Output = HttpResponse>,
{
    once(state, partner_id, scope, idem, fields, None, work).await
}

/// As [`form_once`], for a form whose page shows a secret once (a new API token): the
/// page itself is never stored, and a replay is sent to `replay_to` instead.
pub async fn form_once_secret<Fut>(
    state: &AppState,
    partner_id: i64,
    scope: &str,
    idem: &str,
    fields: &[&str],
    replay_to: &str,
    work: impl FnOnce() -> Fut,
) -> HttpResponse
where
    Fut: Future<Output = HttpResponse>,
{
    once(
        state,
        partner_id,
        scope,
        idem,
        fields,
        Some(replay_to),
        work,
    )
    .await
}

async fn once<Fut>(
    state: &AppState,
    partner_id: i64,
    scope: &str,
    idem: &str,
    fields: &[&str],
    replay_to: Option<&str>,
    work: impl FnOnce() -> Fut,
) -> HttpResponse
where
    Fut: Future<Output = HttpResponse>,
{
    if idem.is_empty() || idem.len() > 200 {
        return work().await;
    }
    let key = Key {
        partner_id,
        scope,
        key: idem,
    };
    let hash = idempotency::fingerprint(fields);
    // A double click sends the form twice at once: the second waits for the first's
    // answer (and shows it) rather than telling the person to wait.
    let claimed = idempotency::claim_waiting(&state.pool, key, &hash).await;
    match claimed {
        Err(e) => failure(state, &e),
        Ok(Found::Replay { status, body }) => replay(status, body),
        Ok(Found::InFlight) => busy(
            state,
            "This form is being sent already. Wait a moment, then reload the page.",
        ),
        Ok(Found::Reused) => busy(
            state,
            "This form was already sent with other values. Reload the page to send it again.",
        ),
        Ok(Found::Fresh) => {
            let res = work().await;
            keep(state, key, res, replay_to).await
        }
    }
}

/// How long a second submission waits for the first one's answer.
/// Stores a successful answer for replays (or, for a page with a secret, a redirect to
/// `replay_to`); gives the key back otherwise.
async fn keep(
    state: &AppState,
    key: Key<'_>,
    res: HttpResponse,
    replay_to: Option<&str>,
) -> HttpResponse {
    let now = time::OffsetDateTime::now_utc();
    let status = res.status();
    if let (Some(location), StatusCode::OK) = (replay_to, status) {
        if let Err(e) = idempotency::complete(&state.pool, key, 303, location.as_bytes(), now).await
        {
            tracing::warn!(error = %e, "could not store a form's answer");
        }
        return res;
    }
    if status == StatusCode::SEE_OTHER {
        let location = res
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("/")
            .to_owned();
        if let Err(e) = idempotency::complete(&state.pool, key, 303, location.as_bytes(), now).await
        {
            tracing::warn!(error = %e, "could not store a form's answer");
        }
        return res;
    }
    if status == StatusCode::OK {
        let (head, body) = res.into_parts();
        let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
        if let Err(e) = idempotency::complete(&state.pool, key, 200, &bytes, now).await {
            tracing::warn!(error = %e, "could not store a form's answer");
        }
        return head.set_body(bytes).map_into_boxed_body();
    }
    if let Err(e) = idempotency::release(&state.pool, key).await {
        tracing::warn!(error = %e, "could not release a form's key");
    }
    res
}

fn replay(status: i32, body: Vec<u8>) -> HttpResponse {
    if status == 303 {
        return see_other(&String::from_utf8_lossy(&body));
    }
    HttpResponse::build(StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK))
        .content_type("text/html; charset=utf-8")
        .body(body)
}

fn busy(state: &AppState, message: &str) -> HttpResponse {
    let mut ctx = tera::Context::new();
    ctx.insert("title", "Already sent");
    ctx.insert("message", message);
    page(state, "message.html", ctx, StatusCode::CONFLICT)
}
