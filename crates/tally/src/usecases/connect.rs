//! Connecting a WooCommerce store (SPEC §3.2): HTTPS only, the credentials checked with
//! an authenticated read, secrets encrypted, the integration committed before the store
//! is asked to create the webhook (it pings the delivery URL during that request), then
//! automatic mode — or manual mode with the store's reason when it refuses. One
//! integration per (club, store URL); reconnecting a disconnected store revives it.

use database::activity::{self, Actor};
use database::integrations::{self, Integration, NewIntegration};
use database::{catalog, DbError, ScopedFutureExt};
use identity::KeyRing;
use secrecy::ExposeSecret;
use time::OffsetDateTime;
use woo_client::{ClientError, Credentials, NewWebhook, StoreUrl, StoreUrlError, WooApi};

use super::secrets::{integration_aad, IntegrationSecret};

/// What the partner entered.
#[derive(Debug, Clone)]
pub struct ConnectForm {
    pub card_id: i64,
    pub store_url: String,
    pub consumer_key: String,
    pub consumer_secret: String,
}

/// How the webhook was set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookSetup {
    /// Tally created it on the store.
    Automatic { webhook_id: i64 },
    /// The store refused (e.g. a read-only key): the partner adds it by hand.
    Manual { reason: String },
}

#[derive(Debug)]
pub struct Connected {
    pub integration: Integration,
    pub webhook: WebhookSetup,
    /// Set when the store's currency differs from the card's: such orders are skipped.
    pub currency_warning: Option<String>,
    pub revived: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Url(#[from] StoreUrlError),
    #[error("Choose an active card of your club.")]
    NoActiveCard,
    #[error("Could not connect to the WooCommerce store: {hint}")]
    Store {
        hint: &'static str,
        source: ClientError,
    },
    #[error("This store is already connected to this club.")]
    AlreadyConnected,
    #[error("Enter the consumer key and the consumer secret.")]
    MissingCredentials,
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("could not protect the store's secrets: {0}")]
    Crypto(String),
}

/// The delivery URL WooCommerce posts to.
pub fn delivery_url(public_base_url: &str, public_id: &str) -> String {
    format!("{public_base_url}/webhooks/woocommerce/{public_id}")
}

/// A webhook secret WooCommerce cannot mangle (it HTML-decodes secrets): 64 hex digits.
fn webhook_secret() -> Result<String, ConnectError> {
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| ConnectError::Crypto("no randomness".into()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn connect(
    pool: &database::Pool,
    keys: &KeyRing,
    woo: &dyn WooApi,
    public_base_url: &str,
    partner_id: i64,
    actor: Actor,
    form: &ConnectForm,
    now: OffsetDateTime,
) -> Result<Connected, ConnectError> {
    let url = StoreUrl::parse(&form.store_url)?;
    if form.consumer_key.trim().is_empty() || form.consumer_secret.trim().is_empty() {
        return Err(ConnectError::MissingCredentials);
    }
    let card = {
        let mut conn = database::pool::get(pool).await?;
        catalog::find_card(&mut conn, partner_id, form.card_id)
            .await?
            .filter(|c| c.active)
            .ok_or(ConnectError::NoActiveCard)?
    };
    let credentials = Credentials::new(form.consumer_key.trim(), form.consumer_secret.trim());
    let info = woo
        .system_status(&url, &credentials)
        .await
        .map_err(|source| ConnectError::Store {
            hint: source.hint(),
            source,
        })?;

    let secret = webhook_secret()?;
    let public_id = identity::generate_token("")
        .map_err(|e| ConnectError::Crypto(e.to_string()))?
        .expose_secret()
        .to_owned();
    let store_url = url.as_str().to_owned();
    let (secret_ref, creds) = (&secret, &credentials);
    let (integration, revived) = database::transaction(pool, |conn| {
        async move {
            let existing = integrations::find_by_store(conn, partner_id, card.club_id, &store_url).await?;
            if existing.as_ref().is_some_and(|e| e.status != "disconnected") {
                return Err(ConnectError::AlreadyConnected);
            }
            // A revived integration keeps its public id, so its delivery URL stays the same.
            let public_id = existing.as_ref().map(|e| e.public_id.clone()).unwrap_or(public_id);
            let seal = |which, text: &str| keys.encrypt_str(text, &integration_aad(&public_id, which)).map_err(|e| ConnectError::Crypto(e.to_string()));
            let key = seal(IntegrationSecret::ConsumerKey, creds.consumer_key.expose_secret())?;
            let sec = seal(IntegrationSecret::ConsumerSecret, creds.consumer_secret.expose_secret())?;
            let hook = seal(IntegrationSecret::WebhookSecret, secret_ref)?;
            let new = NewIntegration {
                partner_id,
                public_id: &public_id,
                club_id: card.club_id,
                card_id: card.id,
                store_url: &store_url,
                consumer_key_enc: &key,
                consumer_secret_enc: &sec,
                webhook_secret_enc: &hook,
                now,
            };
            let (integration, revived) = match existing {
                Some(old) => (integrations::revive(conn, &old, &new).await?, true),
                None => (integrations::create(conn, &new).await?, false),
            };
            activity::record(
                conn,
                &activity::NewActivity {
                    partner_id,
                    actor,
                    action: "integration_connected",
                    subject: Some(&store_url),
                    details: serde_json::json!({ "integration_id": integration.id, "card_id": card.id, "revived": revived }),
                    now,
                },
            )
            .await?;
            Ok::<_, ConnectError>((integration, revived))
        }
        .scope_boxed()
    })
    .await?;

    // Committed: the store's ping during creation finds the integration.
    let hook = NewWebhook {
        name: "Tally loyalty points".into(),
        topic: "order.updated".into(),
        delivery_url: delivery_url(public_base_url, &integration.public_id),
        secret: secret.clone().into(),
    };
    let webhook = match woo.create_webhook(&url, &credentials, &hook).await {
        Ok(created) => WebhookSetup::Automatic {
            webhook_id: created.id as i64,
        },
        Err(e) => WebhookSetup::Manual {
            reason: e.explained(),
        },
    };
    let mut conn = database::pool::get(pool).await?;
    let (mode, id, refusal) = match &webhook {
        WebhookSetup::Automatic { webhook_id } => ("automatic", Some(*webhook_id), None),
        WebhookSetup::Manual { reason } => ("manual", None, Some(reason.as_str())),
    };
    integrations::set_webhook(
        &mut conn,
        partner_id,
        integration.id,
        mode,
        id,
        refusal,
        Some(&info.currency),
    )
    .await?;
    let currency_warning = (!info.currency.eq_ignore_ascii_case(&card.currency)).then(|| {
        format!(
            "The store sells in {} but the card counts in {}: orders in {} will be skipped.",
            info.currency, card.currency, info.currency
        )
    });
    Ok(Connected {
        integration,
        webhook,
        currency_warning,
        revived,
    })
}
