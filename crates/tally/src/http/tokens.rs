//! `/partner/tokens` (owners only): the API tokens of the business. A new token is shown
//! once, on the page that answers its form, and never again (a resent form is sent to
//! the list instead); revoking one refuses it from the next request on.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use database::activity::Actor;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::dashboard::{self, OwnerAuth};
use super::once::{form_once, form_once_secret};
use super::partner_woo::{form_key, not_found, when};
use super::render::{failure, page, see_other, stale_form};
use super::team::{DoneQuery, RemoveForm};
use super::AppState;
use crate::usecases::api_tokens::{self, Created, TokenError};

const HERE: &str = "/partner/tokens";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    pub csrf: String,
    pub idem: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
struct Row {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: Option<String>,
    revoked: Option<String>,
}

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "revoked" => "Token revoked: requests with it are refused from now on.",
        "shown" => "That token was created already. Its value was shown once, when it was created; if nobody copied it, revoke it and create a new one.",
        _ => return None,
    })
}

async fn render(
    state: &AppState,
    auth: &OwnerAuth,
    created: Option<&Created>,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> HttpResponse {
    let tokens = async {
        let mut conn = database::pool::get(&state.pool).await?;
        database::tokens::of_partner(&mut conn, auth.partner.id).await
    }
    .await;
    let tokens = match tokens {
        Ok(tokens) => tokens,
        Err(e) => return failure(state, &e),
    };
    let tz = auth.partner.timezone.as_str();
    let rows: Vec<Row> = tokens
        .iter()
        .map(|t| Row {
            id: t.id,
            name: t.name.clone(),
            prefix: t.token_prefix.clone(),
            created: when(tz, t.created_at),
            last_used: t.last_used_at.map(|at| when(tz, at)),
            revoked: t.revoked_at.map(|at| when(tz, at)),
        })
        .collect();
    let mut ctx = dashboard::context(state, auth, "tokens");
    ctx.insert("idem", &form_key());
    ctx.insert("tokens", &rows);
    ctx.insert("notice", &notice);
    ctx.insert("error", &error);
    ctx.insert("new_token", &created.map(|c| c.secret.expose_secret()));
    ctx.insert("new_name", &created.map(|c| c.token.name.as_str()));
    ctx.insert(
        "api_base",
        &format!("{}/api/v1", state.config.public_base_url),
    );
    let mut res = page(state, "partner/tokens.html", ctx, status);
    // A page that may hold a token is never kept by a browser or a proxy.
    res.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    res
}

pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    query: web::Query<DoneQuery>,
) -> HttpResponse {
    let notice = query.done.as_deref().and_then(done_message);
    render(&state, &auth, None, notice, None, StatusCode::OK).await
}

pub(crate) async fn create(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    form: web::Form<CreateForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let replay_to = format!("{HERE}?done=shown");
    let fields = [form.name.as_str()];
    form_once_secret(
        &state,
        auth.partner.id,
        "form:tokens:create",
        &form.idem,
        &fields,
        &replay_to,
        || async {
            let now = time::OffsetDateTime::now_utc();
            let created = api_tokens::create(
                &state.pool,
                &state.config.keys,
                auth.partner.id,
                auth.user.id,
                &form.name,
                now,
            )
            .await;
            match created {
                Ok(created) => {
                    render(&state, &auth, Some(&created), None, None, StatusCode::OK).await
                }
                Err(TokenError::Name) => {
                    let error = Some(TokenError::Name.to_string());
                    render(
                        &state,
                        &auth,
                        None,
                        None,
                        error,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    )
                    .await
                }
                Err(e) => failure(&state, &e),
            }
        },
    )
    .await
}

pub(crate) async fn revoke(
    state: web::Data<AppState>,
    auth: OwnerAuth,
    token_id: web::Path<i64>,
    form: web::Form<RemoveForm>,
) -> HttpResponse {
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let token_id = token_id.into_inner();
    let scope = format!("form:tokens:{token_id}:revoke");
    form_once(&state, auth.partner.id, &scope, &form.idem, &[], || async {
        let actor = Actor::PartnerUser(auth.user.id);
        let now = time::OffsetDateTime::now_utc();
        match api_tokens::revoke(&state.pool, auth.partner.id, actor, token_id, now).await {
            Ok(_) => see_other(&format!("{HERE}?done=revoked")),
            Err(TokenError::NotFound) => not_found(&state),
            Err(e) => failure(&state, &e),
        }
    })
    .await
}
