//! Turning a rendered outbox email into a MIME message: sender identity, a stable
//! Message-ID, both parts, and the one-click unsubscribe headers.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{header, Mailbox, MultiPart};
use lettre::Message;

use super::render::Rendered;

/// Who an email is from: the partner's business name over the platform's address, with
/// the business email as Reply-To; platform emails use the platform's name.
#[derive(Debug, Clone)]
pub struct Sender {
    pub display_name: String,
    pub reply_to: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("invalid address {0}")]
    Address(String),
    #[error("could not build the message: {0}")]
    Build(String),
}

/// The same outbox row always gets the same Message-ID, so a retry after an unclear
/// SMTP answer is recognisably the same message.
pub fn message_id(outbox_id: i64, created_unix: i64, mail_from: &str) -> String {
    let domain = mail_from
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("localhost");
    format!("<tally.{outbox_id}.{created_unix}@{domain}>")
}

macro_rules! raw_header {
    ($ty:ident, $name:literal) => {
        #[derive(Debug, Clone)]
        struct $ty(String);
        impl header::Header for $ty {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($name)
            }
            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($ty(s.to_owned()))
            }
            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

raw_header!(ListUnsubscribe, "List-Unsubscribe");
raw_header!(ListUnsubscribePost, "List-Unsubscribe-Post");

/// Everything needed to build one message.
#[derive(Debug)]
pub struct Draft<'a> {
    pub to: &'a str,
    pub mail_from: &'a str,
    pub sender: &'a Sender,
    pub message_id: String,
    pub rendered: &'a Rendered,
    pub unsubscribe_url: Option<&'a str>,
}

pub fn compose(draft: &Draft<'_>) -> Result<Message, ComposeError> {
    let address = |a: &str| {
        a.parse::<lettre::Address>()
            .map_err(|_| ComposeError::Address(a.to_owned()))
    };
    let from = Mailbox::new(
        Some(draft.sender.display_name.clone()),
        address(draft.mail_from)?,
    );
    let mut builder = Message::builder()
        .from(from)
        .to(Mailbox::new(None, address(draft.to)?))
        .subject(draft.rendered.subject.clone())
        .message_id(Some(draft.message_id.clone()))
        .date_now();
    if let Some(reply_to) = &draft.sender.reply_to {
        if let Ok(addr) = address(reply_to) {
            builder = builder.reply_to(Mailbox::new(Some(draft.sender.display_name.clone()), addr));
        }
    }
    if let Some(url) = draft.unsubscribe_url {
        builder = builder
            .header(ListUnsubscribe(format!("<{url}>")))
            .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()));
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            draft.rendered.text.clone(),
            draft.rendered.html.clone(),
        ))
        .map_err(|e| ComposeError::Build(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_stable_and_use_the_sending_domain() {
        assert_eq!(
            message_id(7, 1_700_000_000, "no-reply@tally.example"),
            "<tally.7.1700000000@tally.example>"
        );
        assert_eq!(
            message_id(7, 1_700_000_000, "no-reply@tally.example"),
            message_id(7, 1_700_000_000, "no-reply@tally.example")
        );
    }

    #[test]
    fn a_message_carries_sender_reply_to_both_parts_and_unsubscribe_headers() {
        let rendered = Rendered {
            subject: "Hi".into(),
            html: "<p>Hi</p>".into(),
            text: "Hi".into(),
        };
        let sender = Sender {
            display_name: "Corner Café".into(),
            reply_to: Some("owner@corner.test".into()),
        };
        let message = compose(&Draft {
            to: "ann@example.com",
            mail_from: "no-reply@tally.example",
            sender: &sender,
            message_id: message_id(1, 2, "no-reply@tally.example"),
            rendered: &rendered,
            unsubscribe_url: Some("https://tally.example/unsubscribe/1/abc"),
        })
        .unwrap();
        let raw = String::from_utf8(message.formatted()).unwrap();
        assert!(
            raw.contains("Reply-To: =?utf-8?") || raw.contains("Reply-To: \"Corner"),
            "{raw}"
        );
        assert!(raw.contains("owner@corner.test"));
        assert!(raw.contains("List-Unsubscribe: <https://tally.example/unsubscribe/1/abc>"));
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(raw.contains("Message-ID: <tally.1.2@tally.example>"));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
    }
}
