//! A webhook delivery, from its bytes to its receipt (SPEC §3.3): checks in order —
//! known integration, size, ping, signature, error object, paused, then the order
//! decision. Every delivery to a known integration leaves a receipt (unsigned traffic is
//! counted past a small number per minute); the answer is 200 unless the signature
//! failed (401), the body was too large (413), or Tally itself failed (5xx).

use std::time::Instant;

use database::integrations::{self, Integration};
use database::receipts::{self, NewReceipt};
use database::DbError;
use identity::KeyRing;
use secrecy::ExposeSecret;
use time::OffsetDateTime;
use webhook::{DeliveryHeaders, Kind, Payload};

use super::ingest::{self, Batcher, Job};
use super::orders;
use super::secrets::{integration_aad, IntegrationSecret};

/// The largest body Tally reads (SPEC: 1 MiB).
pub const MAX_BODY: usize = 1024 * 1024;
/// Unsigned deliveries (pings, bad signatures) stored one by one per integration and
/// minute; past this they are only counted.
pub const UNSIGNED_PER_MINUTE: i32 = 10;

/// The body as read: whole, or cut off past [`MAX_BODY`].
#[derive(Debug)]
pub enum Body {
    Complete(Vec<u8>),
    TooLarge,
}

/// What to answer the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Ok,
    Unauthorized,
    TooLarge,
    NotFound,
}

impl Answer {
    pub fn status(self) -> u16 {
        match self {
            Answer::Ok => 200,
            Answer::Unauthorized => 401,
            Answer::TooLarge => 413,
            Answer::NotFound => 404,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Order(#[from] orders::OrderError),
    #[error("the delivery queue is closed (Tally is stopping)")]
    Stopped,
}

/// Where the delivery is processed.
#[derive(Debug)]
pub struct Receiver<'a> {
    pub pool: &'a database::Pool,
    pub keys: &'a KeyRing,
    pub public_base_url: &'a str,
    /// Group commit: signed order deliveries go to these writers. Without, each delivery
    /// is applied on its own (the same code, a batch of one).
    pub batcher: Option<&'a Batcher>,
}

fn base_receipt(
    integration: &Integration,
    headers: &DeliveryHeaders,
    answer: Answer,
    now: OffsetDateTime,
    started: Instant,
) -> NewReceipt {
    NewReceipt {
        partner_id: integration.partner_id,
        integration_id: integration.id,
        delivery_id: headers.delivery_id().map(str::to_owned),
        webhook_id: headers.webhook_id(),
        topic: headers.topic().map(str::to_owned),
        order_id: None,
        order_status: None,
        total: None,
        currency: None,
        email_hash: None,
        outcome: "failed".into(),
        reason: String::new(),
        points: 0,
        http_status: i32::from(answer.status()),
        received_at: now,
        processing_ms: i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX),
    }
}

impl Receiver<'_> {
    pub async fn receive(
        &self,
        public_id: &str,
        headers: &DeliveryHeaders,
        body: &Body,
        now: OffsetDateTime,
    ) -> Result<Answer, DeliveryError> {
        let started = Instant::now();
        let mut conn = database::pool::get(self.pool).await?;
        let Some((integration, settings)) =
            integrations::find_by_public_id(&mut conn, public_id).await?
        else {
            tracing::info!("delivery for an unknown integration");
            return Ok(Answer::NotFound);
        };
        drop(conn);
        if integration.status == "disconnected" {
            tracing::info!(
                integration_id = integration.id,
                "delivery for a disconnected integration"
            );
            return Ok(Answer::NotFound);
        }
        let body = match body {
            Body::TooLarge => {
                let reason = "The delivery was larger than 1 MiB and was not read.";
                self.unsigned_receipt(
                    &integration,
                    headers,
                    Answer::TooLarge,
                    "failed",
                    reason,
                    now,
                    started,
                )
                .await?;
                return Ok(Answer::TooLarge);
            }
            Body::Complete(bytes) => bytes,
        };
        match webhook::classify(headers, body) {
            Kind::Ping { .. } => {
                self.unsigned_receipt(
                    &integration,
                    headers,
                    Answer::Ok,
                    "ignored",
                    "ping",
                    now,
                    started,
                )
                .await?;
                return Ok(Answer::Ok);
            }
            Kind::Unsigned => {
                let reason = "Signature missing: the request carried no X-WC-Webhook-Signature header and was refused.";
                self.unsigned_receipt(
                    &integration,
                    headers,
                    Answer::Unauthorized,
                    "failed",
                    reason,
                    now,
                    started,
                )
                .await?;
                return Ok(Answer::Unauthorized);
            }
            Kind::Signed => {}
        }
        let verified = integration
            .webhook_secret_enc
            .as_deref()
            .and_then(|blob| {
                self.keys
                    .decrypt_string(
                        blob,
                        &integration_aad(&integration.public_id, IntegrationSecret::WebhookSecret),
                    )
                    .ok()
            })
            .is_some_and(|secret| {
                webhook::verify_signature(
                    secret.expose_secret().as_bytes(),
                    body,
                    headers.signature().unwrap_or(""),
                )
                .is_ok()
            });
        if !verified {
            let reason = "Signature mismatch: the webhook secret in WooCommerce does not match the one Tally gave it.";
            self.unsigned_receipt(
                &integration,
                headers,
                Answer::Unauthorized,
                "failed",
                reason,
                now,
                started,
            )
            .await?;
            return Ok(Answer::Unauthorized);
        }
        let mut receipt = base_receipt(&integration, headers, Answer::Ok, now, started);
        let order = match webhook::parse(body) {
            Ok(Payload::Order(order)) => order,
            Ok(Payload::Error(error)) => {
                receipt.reason = format!(
                    "The store sent an error instead of the order: {} ({}). The WordPress user that owns the API key may have lost its rights: give it the Shop manager role, or create a new key.",
                    error.code, error.message
                );
                self.store(&integration, receipt).await?;
                return Ok(Answer::Ok);
            }
            Err(e) => {
                receipt.reason = format!("The delivery could not be read: {e}.");
                self.store(&integration, receipt).await?;
                return Ok(Answer::Ok);
            }
        };
        receipt.order_id = Some(order.id().to_string());
        receipt.order_status = Some(order.status().as_str().to_owned());
        receipt.total = order.total().parse().ok();
        receipt.currency = Some(order.currency().to_owned());
        receipt.email_hash = order
            .billing()
            .email()
            .and_then(|e| identity::Email::parse(e).ok())
            .and_then(|e| self.keys.email_hash(&e).ok());
        if integration.status == "paused" {
            receipt.outcome = "skipped".into();
            receipt.reason = "Integration paused: nothing was recorded.".into();
            self.store(&integration, receipt).await?;
            return Ok(Answer::Ok);
        }
        if let Some(topic) = headers
            .topic()
            .filter(|t| !matches!(*t, "order.updated" | "order.created"))
        {
            receipt.outcome = "ignored".into();
            receipt.reason = format!("Topic '{topic}' is not used by Tally.");
            self.store(&integration, receipt).await?;
            return Ok(Answer::Ok);
        }
        let job = Job {
            integration: integration.clone(),
            settings,
            order,
            receipt: receipt.clone(),
            now,
            started,
        };
        let applied = match self.batcher {
            Some(batcher) => batcher.submit(job).await,
            None => {
                let context = ingest::Context {
                    keys: self.keys,
                    public_base_url: self.public_base_url,
                };
                ingest::apply_batch(self.pool, context, &[&job])
                    .await
                    .map(|_| ())
            }
        };
        match applied {
            Ok(()) => Ok(Answer::Ok),
            Err(e) => {
                tracing::error!(integration_id = integration.id, error = %e, "delivery failed");
                receipt.outcome = "failed".into();
                receipt.http_status = 500;
                receipt.reason = "Tally could not process this delivery; reconciliation will pick the order up again.".into();
                self.store(&integration, receipt).await.ok();
                Err(e)
            }
        }
    }

    async fn store(
        &self,
        integration: &Integration,
        receipt: NewReceipt,
    ) -> Result<(), DeliveryError> {
        let conn = database::pool::get(self.pool).await?;
        receipts::insert(&conn, &receipt).await?;
        if integrations::last_delivery_stale(integration, receipt.received_at) {
            integrations::touch_last_delivery(
                &conn,
                integration.partner_id,
                integration.id,
                receipt.received_at,
            )
            .await?;
        }
        Ok(())
    }

    /// A receipt for unsigned traffic, stored only within the flood bound (counted past it).
    #[allow(clippy::too_many_arguments)]
    async fn unsigned_receipt(
        &self,
        integration: &Integration,
        headers: &DeliveryHeaders,
        answer: Answer,
        outcome: &str,
        reason: &str,
        now: OffsetDateTime,
        started: Instant,
    ) -> Result<(), DeliveryError> {
        let mut conn = database::pool::get(self.pool).await?;
        let key_reason = reason.split(':').next().unwrap_or(reason);
        let admitted = receipts::admit_unsigned(
            &mut conn,
            integration.partner_id,
            integration.id,
            outcome,
            key_reason,
            now,
            UNSIGNED_PER_MINUTE,
        )
        .await?;
        if admitted {
            let mut receipt = base_receipt(integration, headers, answer, now, started);
            receipt.outcome = outcome.into();
            receipt.reason = reason.into();
            receipts::insert(&conn, &receipt).await?;
        }
        Ok(())
    }
}
