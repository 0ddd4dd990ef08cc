//! Email: what Tally sends (payloads stored in the outbox), how it is rendered in the
//! member's language, composed as MIME, and delivered by the outbox worker.

pub mod compose;
pub mod format;
pub mod language;
pub mod message;
pub mod render;
pub mod transport;
pub mod worker;
