//! Identity: who someone is and how they prove it.
//!
//! Owns email addresses as Tally understands them, the application key and the separate
//! keys derived from it per purpose (HKDF), random tokens and their keyed hashes, one-time
//! codes, sign-in links, sessions, CSRF tokens and the encryption of stored secrets. Every
//! check accepts the previous key (`APP_SECRET_KEY_PREVIOUS`), so rotating signs nobody out.
//! Nothing reads the clock: functions that depend on time take `now`.
//!
//! It must never know databases, HTTP, templates or email transports: it turns inputs
//! into values and hashes, and callers store and send them. Secrets are `secrecy` types;
//! nothing here implements `Display` for a secret.

#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod code;
pub mod crypto;
pub mod csrf;
pub mod email;
pub mod email_hash;
pub mod keys;
pub mod link;
pub mod session;
pub mod token;

pub use code::{
    check_code_state, code_expires_at, CodeRefusal, OneTimeCode, CODE_TTL, MAX_CODE_ATTEMPTS,
};
pub use crypto::CryptoError;
pub use email::{Email, EmailError};
pub use keys::{KeyError, KeyRing, Purpose, SecretKey};
pub use link::{generate_link_token, link_expires_at, link_is_valid, LINK_TTL};
pub use session::{
    clamp_expiry, generate_session_token, may_do_sensitive_action, session_expires_at,
    session_is_valid, MEMBER_SESSION_TTL, PARTNER_SESSION_TTL, SENSITIVE_WINDOW, SESSION_TTL,
};
pub use token::{generate_token, TokenError};
