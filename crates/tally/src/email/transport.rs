//! Where emails go: an SMTP server (`SMTP_URL`), or — in dev without `SMTP_URL` — the dev
//! outbox, where they stay in the database and `/dev/mailbox` shows them.

use std::time::Duration;

use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    DevOutbox,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::Smtp(_) => f.write_str("Transport::Smtp"),
            Transport::DevOutbox => f.write_str("Transport::DevOutbox"),
        }
    }
}

/// Why a message did not go out.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused for good (5xx): retrying will not help.
    #[error("the mail server refused the message: {0}")]
    Permanent(String),
    /// Anything else (connection, timeout, 4xx): try again later.
    #[error("the mail server could not be reached or deferred the message: {0}")]
    Transient(String),
}

#[derive(Debug, thiserror::Error)]
#[error("SMTP_URL is not valid: {0}")]
pub struct TransportError(String);

impl Transport {
    /// SMTP from a URL such as `smtps://user:pass@host:465` or `smtp://host:587?tls=required`.
    pub fn smtp(url: &str, timeout: Duration) -> Result<Transport, TransportError> {
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| TransportError(e.to_string()))?;
        Ok(Transport::Smtp(builder.timeout(Some(timeout)).build()))
    }

    pub fn is_dev_outbox(&self) -> bool {
        matches!(self, Transport::DevOutbox)
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Transport::DevOutbox => Ok(()),
            Transport::Smtp(smtp) => match smtp.send(message).await {
                Ok(_) => Ok(()),
                Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
                Err(e) => Err(SendError::Transient(e.to_string())),
            },
        }
    }
}
