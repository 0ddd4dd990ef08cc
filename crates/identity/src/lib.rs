//! Identity: who someone is and how they prove it.
//!
//! Owns email addresses as Tally understands them, the application key and the separate
//! keys derived from it per purpose (HKDF), random tokens and their keyed hashes; the
//! sign-in crate surface (one-time codes, sign-in links, sessions, CSRF, encryption of
//! stored secrets) grows here.
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

pub mod email;
pub mod keys;
pub mod token;

pub use email::{Email, EmailError};
pub use keys::{KeyError, KeyRing, Purpose, SecretKey};
pub use token::{generate_token, TokenError};
