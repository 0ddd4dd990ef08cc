//! Sign-in links ("Redeem my points" in emails): a random token, stored only as its
//! keyed hash ([`KeyRing::token_hash`](crate::KeyRing::token_hash)), valid seven days.

use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

use crate::token::{generate_token, TokenError};

/// How long a sign-in link works after it was sent.
pub const LINK_TTL: Duration = Duration::days(7);
/// The prefix of every sign-in link token.
pub const LINK_PREFIX: &str = "l_";

/// A fresh sign-in link token: `l_` and 256 random bits. Store
/// [`KeyRing::token_hash`](crate::KeyRing::token_hash) of it, never the token.
pub fn generate_link_token() -> Result<SecretString, TokenError> {
    generate_token(LINK_PREFIX)
}

/// When a link sent at `now` stops working.
pub fn link_expires_at(now: OffsetDateTime) -> OffsetDateTime {
    now.saturating_add(LINK_TTL)
}

/// Whether a link that expires at `expires_at` still works at `now`.
pub fn link_is_valid(expires_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now < expires_at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::tests::key;
    use crate::KeyRing;
    use secrecy::ExposeSecret;
    use time::macros::datetime;

    #[test]
    fn link_tokens_are_prefixed_and_distinct() {
        let a = generate_link_token().unwrap();
        let b = generate_link_token().unwrap();
        assert!(a.expose_secret().starts_with("l_"));
        assert_eq!(a.expose_secret().len(), 2 + 43);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }

    #[test]
    fn links_work_for_seven_days_exactly() {
        let sent = datetime!(2025-03-01 12:00 UTC);
        let expires = link_expires_at(sent);
        assert_eq!(expires, datetime!(2025-03-08 12:00 UTC));
        assert!(link_is_valid(expires, sent));
        assert!(link_is_valid(expires, expires - Duration::SECOND));
        assert!(!link_is_valid(expires, expires));
        assert!(!link_is_valid(expires, expires + Duration::days(1)));
    }

    #[test]
    fn a_link_is_found_by_its_hash_after_rotation() {
        let token = generate_link_token().unwrap();
        let stored = KeyRing::new(key(1), None)
            .token_hash(token.expose_secret())
            .unwrap();
        let rotated = KeyRing::new(key(2), Some(key(1)));
        let candidates = rotated
            .token_hash_candidates(token.expose_secret())
            .unwrap();
        assert!(candidates.contains(&stored));
        assert!(rotated.verify_token_hash(token.expose_secret(), &stored));
    }
}
