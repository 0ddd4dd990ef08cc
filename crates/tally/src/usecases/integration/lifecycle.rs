//! Pause, resume, disconnect, and the webhook's health.

use database::activity::{self, Actor};
use database::integrations::{self, Integration};
use database::DbError;
use identity::KeyRing;
use secrecy::ExposeSecret;
use time::OffsetDateTime;
use woo_client::{
    ClientError, Credentials, Deleted, StoreUrl, WebhookStatus, WebhookUpdate, WooApi,
};

use crate::usecases::secrets::{integration_aad, IntegrationSecret};

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error("This store is disconnected.")]
    Disconnected,
    #[error("This integration is already {0}.")]
    AlreadyInState(&'static str),
    #[error("The webhook was added by hand: re-activate it in WooCommerce (Settings → Advanced → Webhooks).")]
    ManualWebhook,
    #[error("The store could not be reached: {0}")]
    Store(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

async fn log(
    pool: &database::Pool,
    integration: &Integration,
    actor: Actor,
    action: &str,
    details: serde_json::Value,
    now: OffsetDateTime,
) -> Result<(), DbError> {
    let mut conn = database::pool::get(pool).await?;
    activity::record(
        &mut conn,
        &activity::NewActivity {
            partner_id: integration.partner_id,
            actor,
            action,
            subject: Some(&integration.store_url),
            details,
            now,
        },
    )
    .await
}

/// Moves an active integration to paused or back, with its activity-log line.
async fn switch(
    pool: &database::Pool,
    integration: &Integration,
    to: &'static str,
    action: &str,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<(), LifecycleError> {
    match integration.status.as_str() {
        "disconnected" => return Err(LifecycleError::Disconnected),
        current if current == to => return Err(LifecycleError::AlreadyInState(to)),
        _ => {}
    }
    let mut conn = database::pool::get(pool).await?;
    integrations::set_status(&mut conn, integration.partner_id, integration.id, to, now).await?;
    log(pool, integration, actor, action, serde_json::json!({}), now).await?;
    Ok(())
}

/// Keeps the connection, stops processing (deliveries are receipted and skipped).
pub async fn pause(
    pool: &database::Pool,
    integration: &Integration,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<(), LifecycleError> {
    switch(
        pool,
        integration,
        "paused",
        "integration_paused",
        actor,
        now,
    )
    .await
}

/// Starts again; orders placed while paused are not back-filled.
pub async fn resume(
    pool: &database::Pool,
    integration: &Integration,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<(), LifecycleError> {
    switch(
        pool,
        integration,
        "active",
        "integration_resumed",
        actor,
        now,
    )
    .await
}

/// The store address and decrypted credentials of a connected integration (none once
/// disconnected: the keys are wiped).
pub fn access(keys: &KeyRing, integration: &Integration) -> Option<(StoreUrl, Credentials)> {
    let open = |blob: &Option<Vec<u8>>, which| {
        keys.decrypt_string(
            blob.as_deref()?,
            &integration_aad(&integration.public_id, which),
        )
        .ok()
    };
    let key = open(
        &integration.consumer_key_enc,
        IntegrationSecret::ConsumerKey,
    )?;
    let secret = open(
        &integration.consumer_secret_enc,
        IntegrationSecret::ConsumerSecret,
    )?;
    Some((
        StoreUrl::parse(&integration.store_url).ok()?,
        Credentials::new(key.expose_secret(), secret.expose_secret()),
    ))
}

/// What disconnecting did on the store's side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnected {
    /// False when the webhook could not be deleted (or was added by hand).
    pub webhook_deleted: bool,
    /// What the partner should still do.
    pub message: String,
}

/// Deletes the webhook from the store, wipes the stored key and secrets, stops
/// everything. An unreachable store still disconnects; the partner is told what to do.
pub async fn disconnect(
    pool: &database::Pool,
    keys: &KeyRing,
    woo: &dyn WooApi,
    integration: &Integration,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<Disconnected, LifecycleError> {
    if integration.status == "disconnected" {
        return Err(LifecycleError::Disconnected);
    }
    let revoke = "Members keep every point. Revoke the API key in WordPress (WooCommerce → Settings → Advanced → REST API).";
    let deleted = match (integration.webhook_id, access(keys, integration)) {
        (Some(id), Some((url, credentials))) => {
            match woo.delete_webhook(&url, &credentials, id as u64).await {
                Ok(Deleted::Removed) | Ok(Deleted::AlreadyGone) => Ok(()),
                Err(e) => Err(e),
            }
        }
        _ => Err(ClientError::UnexpectedResponse(
            "no webhook to delete".into(),
        )),
    };
    let message = match &deleted {
        Ok(()) => format!("The webhook was deleted from the store. {revoke}"),
        Err(_) if integration.webhook_id.is_none() => format!("Delete the webhook you added by hand in WooCommerce (Settings → Advanced → Webhooks). {revoke}"),
        Err(e) => format!("The store could not be reached ({e}): delete the webhook by hand in WooCommerce (Settings → Advanced → Webhooks). {revoke}"),
    };
    let mut conn = database::pool::get(pool).await?;
    integrations::disconnect(&mut conn, integration.partner_id, integration.id, now).await?;
    log(
        pool,
        integration,
        actor,
        "integration_disconnected",
        serde_json::json!({ "webhook_deleted": deleted.is_ok() }),
        now,
    )
    .await?;
    Ok(Disconnected {
        webhook_deleted: deleted.is_ok(),
        message,
    })
}

/// The webhook as the store has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Ok,
    Disabled,
    Missing,
    Unknown,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Disabled => "disabled",
            Health::Missing => "missing",
            Health::Unknown => "unknown",
        }
    }
}

/// Reads the webhook from the store and records what it found.
pub async fn check_health(
    pool: &database::Pool,
    keys: &KeyRing,
    woo: &dyn WooApi,
    integration: &Integration,
    now: OffsetDateTime,
) -> Result<Health, LifecycleError> {
    let health = match (integration.webhook_id, access(keys, integration)) {
        (Some(id), Some((url, credentials))) => {
            match woo.get_webhook(&url, &credentials, id as u64).await {
                Ok(Some(hook)) if hook.status == WebhookStatus::Active => Health::Ok,
                Ok(Some(_)) => Health::Disabled,
                Ok(None) => Health::Missing,
                Err(_) => Health::Unknown,
            }
        }
        _ => Health::Unknown,
    };
    let mut conn = database::pool::get(pool).await?;
    database::webhook_health::set_health(
        &mut conn,
        integration.partner_id,
        integration.id,
        health.as_str(),
        now,
    )
    .await?;
    Ok(health)
}

/// Sets a disabled webhook active again. WooCommerce keeps its failure count, so one
/// more failed delivery disables it again.
pub async fn reactivate(
    pool: &database::Pool,
    keys: &KeyRing,
    woo: &dyn WooApi,
    integration: &Integration,
    actor: Actor,
    now: OffsetDateTime,
) -> Result<Health, LifecycleError> {
    let (Some(id), Some((url, credentials))) = (integration.webhook_id, access(keys, integration))
    else {
        return Err(LifecycleError::ManualWebhook);
    };
    let update = WebhookUpdate {
        status: Some(WebhookStatus::Active),
        delivery_url: None,
        secret: None,
    };
    woo.update_webhook(&url, &credentials, id as u64, &update)
        .await
        .map_err(|e| LifecycleError::Store(format!("{e} {}", e.hint())))?;
    log(
        pool,
        integration,
        actor,
        "webhook_reactivated",
        serde_json::json!({ "webhook_id": id }),
        now,
    )
    .await?;
    check_health(pool, keys, woo, integration, now).await
}
