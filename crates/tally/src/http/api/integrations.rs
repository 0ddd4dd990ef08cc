//! The WooCommerce integration endpoints (SPEC §3, §8): connect, read (with an optional
//! health check), settings, pause, resume and disconnect; receipts are in `receipts`.
//! With the feature off every route answers 404, before the token is even looked at;
//! another partner's or a disconnected integration is 404 too.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use database::activity::Actor;
use database::integrations::{Integration, Settings};
use time::OffsetDateTime;
use woo_client::{ClientError, StoreUrlError};

use super::integration_json::{
    connect_form, integration_json, settings_input, settings_json, settings_refusal, Refused,
};
use super::{woocommerce_enabled, ApiAuth, ApiError};
use crate::http::AppState;
use crate::usecases::connect::{connect, ConnectError};
use crate::usecases::integration::{
    self, check_health, disconnect, load, overview, pause, resume, LifecycleError, SettingsError,
};

/// The feature first (404), then the token (401).
pub(super) fn gate(state: &AppState, auth: Result<ApiAuth, ApiError>) -> Result<ApiAuth, ApiError> {
    woocommerce_enabled(state)?;
    auth
}

pub(super) fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(&e)
}

/// The partner's integration, unless it is disconnected.
pub(super) async fn owned(
    state: &AppState,
    auth: ApiAuth,
    id: &str,
) -> Result<(Integration, Settings), ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    load(&state.pool, auth.partner_id, id)
        .await
        .map_err(internal)?
        .filter(|(i, _)| i.status != "disconnected")
        .ok_or_else(ApiError::not_found)
}

/// The integration as `GET` shows it, read again from the database.
async fn shown(state: &AppState, auth: ApiAuth, id: i64) -> Result<serde_json::Value, ApiError> {
    let (integration, settings) = load(&state.pool, auth.partner_id, id)
        .await
        .map_err(internal)?
        .ok_or_else(ApiError::not_found)?;
    let overview = overview(
        &state.pool,
        &state.config.keys,
        &state.config.public_base_url,
        integration,
        settings,
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(internal)?;
    Ok(integration_json(&overview))
}

pub(super) fn validation(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError::new(status, "validation_failed", message)
}

fn connect_error(e: ConnectError) -> ApiError {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    match e {
        ConnectError::Url(StoreUrlError::NotHttps) => {
            ApiError::new(unprocessable, "store_url_not_https", e.to_string()).hint(
                "Use the store's https:// address: the key and secret are only sent over HTTPS.",
            )
        }
        ConnectError::Url(_) => validation(unprocessable, e.to_string())
            .hint("Enter the store's address, such as https://shop.example.com."),
        ConnectError::NoActiveCard => validation(unprocessable, e.to_string())
            .hint("`card_id` must be one of your active cards (GET /api/v1/cards)."),
        ConnectError::MissingCredentials => validation(StatusCode::BAD_REQUEST, e.to_string()),
        ConnectError::AlreadyConnected => ApiError::new(
            StatusCode::CONFLICT,
            "already_connected",
            e.to_string(),
        )
        .hint(
            "Use the existing integration (it can be paused and resumed), or disconnect it first.",
        ),
        ConnectError::Store { hint, source } => {
            let message = format!("Could not connect to the WooCommerce store: {source}.");
            let code = match source {
                ClientError::PrivateAddress => {
                    return validation(unprocessable, message).hint(hint)
                }
                ClientError::WrongCredentials
                | ClientError::ReadOnlyKey
                | ClientError::Forbidden { .. } => "store_auth_failed",
                _ => "store_unreachable",
            };
            ApiError::new(StatusCode::BAD_GATEWAY, code, message).hint(hint)
        }
        ConnectError::Db(_) | ConnectError::Crypto(_) => internal(e),
    }
}

fn lifecycle_error(e: LifecycleError) -> ApiError {
    match e {
        LifecycleError::Disconnected => ApiError::not_found(),
        LifecycleError::AlreadyInState(state) => {
            ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string()).hint(
                if state == "paused" {
                    "Resume it with POST …/resume."
                } else {
                    "Pause it with POST …/pause."
                },
            )
        }
        LifecycleError::ManualWebhook | LifecycleError::Store(_) | LifecycleError::Db(_) => {
            internal(e)
        }
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/integrations/woocommerce",
    tag = "integrations",
    description = "Connect a WooCommerce store to a card (`card_id`, `store_url`, `consumer_key`, `consumer_secret`).",
    responses(
        (status = 201, description = "Connected: the integration"),
        (status = 400, description = "Malformed request"),
        (status = 401, description = "No or bad token"),
        (status = 409, description = "`already_connected`"),
        (status = 422, description = "`store_url_not_https` or `validation_failed`"),
        (status = 502, description = "`store_unreachable` or `store_auth_failed`, with a hint"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    body: web::Bytes,
) -> Result<HttpResponse, Refused> {
    let auth = gate(&state, auth)?;
    let form = connect_form(&body)?;
    let connected = connect(
        &state.pool,
        &state.config.keys,
        &*state.woo,
        &state.config.public_base_url,
        auth.partner_id,
        Actor::ApiToken(auth.token_id),
        &form,
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(connect_error)?;
    let mut json = shown(&state, auth, connected.integration.id).await?;
    json["revived"] = connected.revived.into();
    Ok(HttpResponse::Created().json(json))
}

#[derive(Debug, serde::Deserialize)]
struct ShowQuery {
    refresh: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/integrations/woocommerce/{id}",
    tag = "integrations",
    description = "Status, webhook mode and health, delivery URL, last delivery, 24-hour counts, last failure and settings. `?refresh=true` checks the webhook on the store now.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 200, description = "The integration"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn show(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let auth = gate(&state, auth)?;
    let (integration, _) = owned(&state, auth, &id).await?;
    let query = web::Query::<ShowQuery>::from_query(req.query_string())
        .map_err(|e| validation(StatusCode::BAD_REQUEST, e.to_string()))?;
    let refresh = match query.refresh.as_deref() {
        None | Some("" | "false" | "0") => false,
        Some("true" | "1") => true,
        Some(_) => {
            return Err(validation(
                StatusCode::BAD_REQUEST,
                "`refresh` must be true or false.",
            ))
        }
    };
    if refresh {
        check_health(
            &state.pool,
            &state.config.keys,
            &*state.woo,
            &integration,
            OffsetDateTime::now_utc(),
        )
        .await
        .map_err(lifecycle_error)?;
    }
    Ok(HttpResponse::Ok().json(shown(&state, auth, integration.id).await?))
}

#[utoipa::path(
    patch,
    path = "/api/v1/integrations/woocommerce/{id}/settings",
    tag = "integrations",
    description = "Change any subset of the settings.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 200, description = "The settings as saved"),
        (status = 400, description = "Malformed request"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
        (status = 422, description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn change_settings(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, Refused> {
    let auth = gate(&state, auth)?;
    let (integration, current) = owned(&state, auth, &id).await?;
    let input = settings_input(&body)?;
    let saved = integration::update_settings(
        &state.pool,
        &integration,
        &current,
        &input,
        Actor::ApiToken(auth.token_id),
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(|e| match e {
        SettingsError::Invalid(fields) => settings_refusal(fields),
        SettingsError::Db(e) => internal(e).into(),
    })?;
    Ok(HttpResponse::Ok().json(settings_json(&saved)))
}

#[utoipa::path(
    post,
    path = "/api/v1/integrations/woocommerce/{id}/pause",
    tag = "integrations",
    description = "Pause: deliveries are received and skipped.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 200, description = "The integration"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
        (status = 409, description = "Already paused"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn pause_integration(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let auth = gate(&state, auth)?;
    let (integration, _) = owned(&state, auth, &id).await?;
    let actor = Actor::ApiToken(auth.token_id);
    pause(&state.pool, &integration, actor, OffsetDateTime::now_utc())
        .await
        .map_err(lifecycle_error)?;
    Ok(HttpResponse::Ok().json(shown(&state, auth, integration.id).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/integrations/woocommerce/{id}/resume",
    tag = "integrations",
    description = "Resume after a pause; orders from the pause are not awarded.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 200, description = "The integration"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
        (status = 409, description = "Not paused"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn resume_integration(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let auth = gate(&state, auth)?;
    let (integration, _) = owned(&state, auth, &id).await?;
    let actor = Actor::ApiToken(auth.token_id);
    resume(&state.pool, &integration, actor, OffsetDateTime::now_utc())
        .await
        .map_err(lifecycle_error)?;
    Ok(HttpResponse::Ok().json(shown(&state, auth, integration.id).await?))
}

#[utoipa::path(
    delete,
    path = "/api/v1/integrations/woocommerce/{id}",
    tag = "integrations",
    description = "Disconnect: the webhook is deleted on the store and the stored keys are wiped.",
    params(("id" = String, Path, description = "The integration id")),
    responses(
        (status = 200, description = "The disconnected integration"),
        (status = 401, description = "No or bad token"),
        (status = 404, description = "Not found or not this partner's"),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn remove(
    state: web::Data<AppState>,
    auth: Result<ApiAuth, ApiError>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let auth = gate(&state, auth)?;
    let (integration, _) = owned(&state, auth, &id).await?;
    let done = disconnect(
        &state.pool,
        &state.config.keys,
        &*state.woo,
        &integration,
        Actor::ApiToken(auth.token_id),
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(lifecycle_error)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "disconnected": true,
        "webhook_deleted": done.webhook_deleted,
        "message": done.message,
    })))
}
