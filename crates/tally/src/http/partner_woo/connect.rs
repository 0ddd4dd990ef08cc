//! `GET /partner/integrations/woocommerce`: the partner's stores and the connect form;
//! `POST` connects (SPEC §3.2).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use database::activity::Actor;
use serde::Serialize;

use super::forms::ConnectFields;
use super::{base_context, gate, gate_owner, link, BASE};
use crate::http::auth::PartnerAuth;
use crate::http::once::form_once;
use crate::http::render::{failure, page, see_other, stale_form};
use crate::http::AppState;
use crate::usecases::connect::{connect as connect_store, ConnectError, ConnectForm};

#[derive(Debug, Serialize)]
struct IntegrationRow {
    url: String,
    store_url: String,
    status: String,
    mode: String,
}

#[derive(Debug, Serialize)]
struct CardOption {
    id: i64,
    name: String,
    currency: String,
}

/// What the index shows besides the form: the integrations and the cards to pick from.
async fn lists(
    state: &AppState,
    partner_id: i64,
) -> Result<(Vec<IntegrationRow>, Vec<CardOption>), database::DbError> {
    let mut conn = database::pool::get(&state.pool).await?;
    let integrations = database::integrations::of_partner(&mut conn, partner_id).await?;
    let cards = database::catalog::cards_of_partner(&mut conn, partner_id)
        .await?
        .into_iter()
        .filter(|card| card.active)
        .map(|card| CardOption {
            id: card.id,
            name: card.name,
            currency: card.currency,
        })
        .collect();
    let rows = integrations
        .into_iter()
        .map(|i| IntegrationRow {
            url: link(i.id, ""),
            store_url: i.store_url,
            status: i.status,
            mode: i.webhook_mode.unwrap_or_else(|| "manual".into()),
        })
        .collect();
    Ok((rows, cards))
}

async fn render_index(
    state: &AppState,
    auth: &PartnerAuth,
    fields: &ConnectFields,
    error: Option<(String, Option<String>)>,
    status: StatusCode,
) -> HttpResponse {
    let (integrations, cards) = match lists(state, auth.partner.id).await {
        Ok(found) => found,
        Err(e) => return failure(state, &e),
    };
    let mut ctx = base_context(state, auth);
    ctx.insert("integrations", &integrations);
    ctx.insert("cards", &cards);
    ctx.insert("card_id", &fields.card_id);
    ctx.insert("store_url", &fields.store_url);
    ctx.insert("consumer_key", &fields.consumer_key);
    if let Some((message, detail)) = error {
        ctx.insert("error", &message);
        ctx.insert("error_detail", &detail);
    }
    ctx.insert("action", BASE);
    page(state, "partner/woo/index.html", ctx, status)
}

pub(crate) async fn index(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let auth = match gate(&state, &req).await {
        Ok(auth) => auth,
        Err(res) => return res,
    };
    render_index(
        &state,
        &auth,
        &ConnectFields::default(),
        None,
        StatusCode::OK,
    )
    .await
}

pub(crate) async fn connect(
    state: web::Data<AppState>,
    req: HttpRequest,
    form: web::Form<ConnectFields>,
) -> HttpResponse {
    let auth = match gate_owner(&state, &req).await {
        Ok(auth) => auth,
        Err(res) => return res,
    };
    if !auth.csrf_ok(&state, &form.csrf) {
        return stale_form(&state);
    }
    let refuse = |message: String, detail: Option<String>, status| {
        render_index(&state, &auth, &form, Some((message, detail)), status)
    };
    let Ok(card_id) = form.card_id.trim().parse::<i64>() else {
        return refuse(
            ConnectError::NoActiveCard.to_string(),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = ConnectForm {
        card_id,
        store_url: form.store_url.clone(),
        consumer_key: form.consumer_key.clone(),
        consumer_secret: form.consumer_secret.clone(),
    };
    let fields = [
        form.card_id.trim(),
        form.store_url.trim(),
        form.consumer_key.trim(),
        form.consumer_secret.as_str(),
    ];
    form_once(
        &state,
        auth.partner.id,
        "form:woo:connect",
        &form.idem,
        &fields,
        || async {
            let connected = connect_store(
                &state.pool,
                &state.config.keys,
                &*state.woo,
                &state.config.public_base_url,
                auth.partner.id,
                Actor::PartnerUser(auth.user.id),
                &input,
                time::OffsetDateTime::now_utc(),
            )
            .await;
            answer(connected, refuse, &state).await
        },
    )
    .await
}

async fn answer<F, Fut>(
    connected: Result<crate::usecases::connect::Connected, ConnectError>,
    refuse: F,
    state: &AppState,
) -> HttpResponse
where
    F: Fn(String, Option<String>, StatusCode) -> Fut,
    Fut: std::future::Future<Output = HttpResponse>,
{
    match connected {
        Ok(done) => see_other(&format!("{}?done=connected", link(done.integration.id, ""))),
        Err(e @ ConnectError::Store { .. }) => {
            let detail = match &e {
                ConnectError::Store { source, .. } => Some(source.to_string()),
                _ => None,
            };
            refuse(e.to_string(), detail, StatusCode::BAD_GATEWAY).await
        }
        Err(e @ ConnectError::AlreadyConnected) => {
            // A double submit lands here too: the first one connected the store.
            let message = format!("{e} Open it from the list above.");
            refuse(message, None, StatusCode::CONFLICT).await
        }
        Err(e @ (ConnectError::Db(_) | ConnectError::Crypto(_))) => failure(state, &e),
        Err(e) => refuse(e.to_string(), None, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}
