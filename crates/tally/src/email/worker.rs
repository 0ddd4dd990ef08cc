//! The outbox worker: claims due emails (several workers may run, in any process),
//! renders and sends them, and reschedules failures with exponential back-off for at
//! least a day before giving up.

use std::sync::Arc;

use database::members;
use database::outbox::{self, OutboxEmail};
use database::partners::Partner;
use time::{Duration, OffsetDateTime};

use super::compose::{self, Draft, Sender};
use super::message::{EmailKind, EmailPayload, Envelope, Language};
use super::render::EmailRenderer;
use super::transport::{SendError, Transport};
use crate::config::Config;
use crate::usecases::links::unsubscribe_token;

/// How long a claimed email is reserved for the worker that claimed it.
pub const LEASE: Duration = Duration::minutes(2);
/// First retry delay; doubled per attempt up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);
pub const MAX_BACKOFF: Duration = Duration::hours(1);
/// Retries stop this long after the email was queued.
pub const GIVE_UP_AFTER: Duration = Duration::hours(48);

/// What one pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub sent: usize,
    pub retrying: usize,
    pub failed: usize,
}

impl Report {
    pub fn claimed(&self) -> usize {
        self.sent + self.retrying + self.failed
    }
}

/// Everything the worker needs.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub pool: database::Pool,
    pub config: Arc<Config>,
    pub renderer: Arc<EmailRenderer>,
    pub transport: Transport,
}

/// The delay before attempt `attempts + 1`.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let secs = FIRST_BACKOFF.whole_seconds().saturating_mul(1_i64 << exp);
    Duration::seconds(secs.min(MAX_BACKOFF.whole_seconds()))
}

enum Outcome {
    Sent(Option<serde_json::Value>),
    Retry(String),
    Failed(String),
}

/// How many due emails one pass claims.
pub const BATCH: i64 = 50;

/// What a pass reads once for all the emails it claimed: their senders, and which
/// members switched loyalty emails off.
struct Recipients {
    partners: Vec<Partner>,
    opted_out: Vec<i64>,
}

/// Emails sent unchanged are recorded together, before the next send once this long has
/// passed since the first of them went out: an email sent and not yet recorded is one a
/// worker that dies would send again once its lease ends.
const RECORD_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// A pass starts no send past this, so that with the SMTP timeout (20 s) every send ends
/// within the lease and no email it claimed is sent after another worker may have
/// claimed it again; what it did not get to is sent once the lease ends.
const PASS_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The emails of a pass sent unchanged and not recorded yet.
struct Unrecorded {
    ids: Vec<i64>,
    since: Option<std::time::Instant>,
}

impl Mailer {
    /// Claims and delivers the emails due at `now`. The pass reads what its emails need
    /// in two statements and records the emails sent unchanged together, in one statement
    /// (within about [`RECORD_EVERY`] and one send); other outcomes are recorded as they
    /// happen, each after what was sent before it.
    pub async fn deliver_due(&self, now: OffsetDateTime) -> Result<Report, database::DbError> {
        let started = std::time::Instant::now();
        let mut conn = database::pool::get(&self.pool).await?;
        let due = outbox::claim_due(&mut conn, now, LEASE, BATCH).await?;
        if due.is_empty() {
            return Ok(Report::default());
        }
        let recipients = recipients(&mut conn, &due).await;
        drop(conn);
        let mut report = Report::default();
        let mut unrecorded = Unrecorded {
            ids: Vec::new(),
            since: None,
        };
        for email in &due {
            if started.elapsed() > PASS_LIMIT {
                break;
            }
            if unrecorded
                .since
                .is_some_and(|t| t.elapsed() >= RECORD_EVERY)
            {
                report.sent += self.record_sent(&mut unrecorded, now).await?;
            }
            let outcome = match &recipients {
                Ok(recipients) => self.deliver(email, recipients).await,
                Err(e) => Outcome::Retry(e.to_string()),
            };
            if let Outcome::Sent(None) = outcome {
                unrecorded.ids.push(email.id);
                unrecorded.since.get_or_insert_with(std::time::Instant::now);
                continue;
            }
            report.sent += self.record_sent(&mut unrecorded, now).await?;
            let mut conn = database::pool::get(&self.pool).await?;
            match outcome {
                Outcome::Sent(scrubbed) => {
                    outbox::mark_sent(&mut conn, email.id, scrubbed.as_ref(), now).await?;
                    report.sent += 1;
                }
                Outcome::Retry(error) if now - email.created_at < GIVE_UP_AFTER => {
                    tracing::warn!(email_id = email.id, attempts = email.attempts, %error, "email not sent; will retry");
                    outbox::mark_retry(&mut conn, email.id, &error, now + backoff(email.attempts))
                        .await?;
                    report.retrying += 1;
                }
                Outcome::Retry(error) | Outcome::Failed(error) => {
                    tracing::error!(email_id = email.id, attempts = email.attempts, %error, "email given up");
                    outbox::mark_failed(&mut conn, email.id, &error).await?;
                    report.failed += 1;
                }
            }
        }
        report.sent += self.record_sent(&mut unrecorded, now).await?;
        Ok(report)
    }

    /// Records the emails sent unchanged so far, in one statement.
    async fn record_sent(
        &self,
        unrecorded: &mut Unrecorded,
        now: OffsetDateTime,
    ) -> Result<usize, database::DbError> {
        if unrecorded.ids.is_empty() {
            return Ok(0);
        }
        let mut conn = database::pool::get(&self.pool).await?;
        outbox::mark_sent_many(&mut conn, &unrecorded.ids, now).await?;
        let recorded = unrecorded.ids.len();
        unrecorded.ids.clear();
        unrecorded.since = None;
        Ok(recorded)
    }

    async fn deliver(&self, email: &OutboxEmail, recipients: &Recipients) -> Outcome {
        let Some(kind) = EmailKind::parse(&email.kind) else {
            return Outcome::Failed(format!("unknown email kind {}", email.kind));
        };
        let payload = match EmailPayload::from_json(kind, &email.payload) {
            Ok(p) => p,
            Err(e) => return Outcome::Failed(format!("unreadable payload: {e}")),
        };
        let language = Language::parse(&email.language).unwrap_or(Language::En);
        let sender = email
            .partner_id
            .and_then(|id| recipients.partners.iter().find(|p| p.id == id))
            .map_or_else(platform_sender, |p| Sender {
                display_name: p.name.clone(),
                reply_to: Some(p.business_email.clone()),
            });
        let respects_choice = matches!(kind, EmailKind::Welcome | EmailKind::Points);
        let opted_out = respects_choice
            && email
                .member_id
                .is_some_and(|id| recipients.opted_out.contains(&id));
        if opted_out {
            return Outcome::Failed("not sent: the member switched loyalty emails off".into());
        }
        let unsubscribe_url = match (kind, email.member_id) {
            (EmailKind::SignInCode, _) | (_, None) => None,
            (_, Some(member_id)) => {
                unsubscribe_token(&self.config.keys, member_id)
                    .ok()
                    .map(|token| {
                        format!(
                            "{}/unsubscribe/{member_id}/{token}",
                            self.config.public_base_url
                        )
                    })
            }
        };
        let envelope = Envelope {
            unsubscribe_url: unsubscribe_url.clone(),
            language,
        };
        let rendered = match self.renderer.render(&payload, &envelope) {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(format!("rendering failed: {e}")),
        };
        let draft = Draft {
            to: &email.to_address,
            mail_from: &self.config.mail_from,
            sender: &sender,
            message_id: compose::message_id(
                email.id,
                email.created_at.unix_timestamp(),
                &self.config.mail_from,
            ),
            rendered: &rendered,
            unsubscribe_url: unsubscribe_url.as_deref(),
        };
        let message = match compose::compose(&draft) {
            Ok(m) => m,
            Err(e) => return Outcome::Failed(e.to_string()),
        };
        match self.transport.send(message).await {
            Ok(()) => Outcome::Sent(self.scrubbed(email, kind)),
            Err(SendError::Permanent(e)) => Outcome::Failed(e),
            Err(SendError::Transient(e)) => Outcome::Retry(e),
        }
    }

    /// A sign-in code is not kept once it went out by SMTP (the dev outbox keeps it, to
    /// show it in `/dev/mailbox`).
    fn scrubbed(&self, email: &OutboxEmail, kind: EmailKind) -> Option<serde_json::Value> {
        if kind != EmailKind::SignInCode || self.transport.is_dev_outbox() {
            return None;
        }
        let mut payload = email.payload.clone();
        if let Some(code) = payload.get_mut("code") {
            *code = serde_json::Value::String("••••••".into());
        }
        Some(payload)
    }

    /// Runs until `stop` turns true: a pass, then a pause when there was nothing to do.
    pub async fn run(
        self,
        mut stop: tokio::sync::watch::Receiver<bool>,
        idle: std::time::Duration,
    ) {
        loop {
            let worked = match self.deliver_due(OffsetDateTime::now_utc()).await {
                Ok(report) => report.claimed() > 0,
                Err(e) => {
                    tracing::error!(error = %e, "outbox pass failed");
                    false
                }
            };
            if *stop.borrow() {
                return;
            }
            if !worked {
                tokio::select! {
                    _ = tokio::time::sleep(idle) => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// The senders and the loyalty-email choices of `due`, in one statement each.
async fn recipients(
    conn: &mut database::Connection,
    due: &[OutboxEmail],
) -> Result<Recipients, database::DbError> {
    let mut partner_ids: Vec<i64> = due.iter().filter_map(|e| e.partner_id).collect();
    partner_ids.sort_unstable();
    partner_ids.dedup();
    let mut member_ids: Vec<i64> = due
        .iter()
        .filter(|e| {
            matches!(
                EmailKind::parse(&e.kind),
                Some(EmailKind::Welcome | EmailKind::Points)
            )
        })
        .filter_map(|e| e.member_id)
        .collect();
    member_ids.sort_unstable();
    member_ids.dedup();
    Ok(Recipients {
        partners: database::partners::find_many(conn, &partner_ids).await?,
        opted_out: members::without_loyalty_emails(conn, &member_ids).await?,
    })
}

fn platform_sender() -> Sender {
    Sender {
        display_name: "Tally".into(),
        reply_to: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(8), Duration::hours(1));
        assert_eq!(backoff(1000), Duration::hours(1));
        assert_eq!(backoff(0), Duration::seconds(30));
    }

    #[test]
    fn retries_cover_at_least_a_day() {
        let mut waited = Duration::ZERO;
        let mut attempts = 1;
        while waited < GIVE_UP_AFTER {
            waited += backoff(attempts);
            attempts += 1;
        }
        assert!(GIVE_UP_AFTER >= Duration::hours(24));
        assert!(
            attempts > 40,
            "about one attempt an hour after the first few"
        );
    }
}
