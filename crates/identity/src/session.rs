//! Server-side sessions: a random token in a cookie, its keyed hash in the database, an
//! expiry that is never beyond the role's maximum, and a short window after a verified
//! code in which sensitive actions are allowed.

use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

use crate::token::{generate_token, TokenError};

/// How long a member stays signed in.
pub const MEMBER_SESSION_TTL: Duration = Duration::days(30);
/// How long a partner (dashboard) session lasts.
pub const PARTNER_SESSION_TTL: Duration = Duration::hours(12);
/// The default session lifetime: the member one.
pub const SESSION_TTL: Duration = MEMBER_SESSION_TTL;
/// How long after a verified code a member may change their email, export or delete data.
pub const SENSITIVE_WINDOW: Duration = Duration::minutes(10);
/// How far in the future a recorded code verification may lie (clocks of several server
/// processes differ slightly) and still count.
pub const CLOCK_SKEW: Duration = Duration::seconds(30);
/// The prefix of every session token.
pub const SESSION_PREFIX: &str = "s_";

/// A fresh session token: `s_` and 256 random bits. Store
/// [`KeyRing::token_hash`](crate::KeyRing::token_hash) of it, never the token.
pub fn generate_session_token() -> Result<SecretString, TokenError> {
    generate_token(SESSION_PREFIX)
}

/// When a session started at `now` with lifetime `ttl` ends.
pub fn session_expires_at(now: OffsetDateTime, ttl: Duration) -> OffsetDateTime {
    now.saturating_add(ttl)
}

/// Whether a session is usable at `now`: not expired and never revoked.
pub fn session_is_valid(
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    revoked_at.is_none() && now < expires_at
}

/// Whether a code was verified within the last [`SENSITIVE_WINDOW`] before `now`; a
/// verification more than [`CLOCK_SKEW`] in the future does not count.
pub fn may_do_sensitive_action(
    last_code_verified_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> bool {
    last_code_verified_at.is_some_and(|at| {
        at <= now.saturating_add(CLOCK_SKEW) && at > now.saturating_sub(SENSITIVE_WINDOW)
    })
}

/// The requested expiry, but never later than `now + max_ttl`.
pub fn clamp_expiry(
    requested: OffsetDateTime,
    now: OffsetDateTime,
    max_ttl: Duration,
) -> OffsetDateTime {
    requested.min(now.saturating_add(max_ttl))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2025-03-01 12:00 UTC);

    #[test]
    fn session_tokens_are_prefixed_and_distinct() {
        let a = generate_session_token().unwrap();
        let b = generate_session_token().unwrap();
        assert!(a.expose_secret().starts_with("s_"));
        assert_eq!(a.expose_secret().len(), 2 + 43);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }

    #[test]
    fn lifetimes_are_as_specified() {
        assert_eq!(SESSION_TTL, Duration::days(30));
        assert_eq!(PARTNER_SESSION_TTL, Duration::hours(12));
        assert_eq!(
            session_expires_at(NOW, PARTNER_SESSION_TTL),
            datetime!(2025-03-02 00:00 UTC)
        );
    }

    #[test]
    fn sessions_end_at_expiry_or_revocation() {
        let expires = session_expires_at(NOW, MEMBER_SESSION_TTL);
        assert!(session_is_valid(expires, None, NOW));
        assert!(session_is_valid(expires, None, expires - Duration::SECOND));
        assert!(!session_is_valid(expires, None, expires));
        assert!(!session_is_valid(expires, Some(NOW), NOW));
        assert!(!session_is_valid(expires, Some(NOW - Duration::DAY), NOW));
    }

    #[test]
    fn sensitive_actions_need_a_recent_code() {
        assert!(!may_do_sensitive_action(None, NOW));
        assert!(may_do_sensitive_action(Some(NOW), NOW));
        assert!(may_do_sensitive_action(
            Some(NOW - Duration::minutes(9)),
            NOW
        ));
        assert!(!may_do_sensitive_action(
            Some(NOW - Duration::minutes(10)),
            NOW
        ));
        assert!(!may_do_sensitive_action(Some(NOW - Duration::days(1)), NOW));
        assert!(may_do_sensitive_action(
            Some(NOW + Duration::seconds(5)),
            NOW
        ));
        assert!(!may_do_sensitive_action(
            Some(NOW + Duration::minutes(5)),
            NOW
        ));
        assert!(!may_do_sensitive_action(
            Some(NOW + Duration::days(365)),
            NOW
        ));
    }

    #[test]
    fn expiry_is_clamped_to_the_maximum() {
        let far = NOW + Duration::days(400);
        assert_eq!(
            clamp_expiry(far, NOW, MEMBER_SESSION_TTL),
            NOW + Duration::days(30)
        );
        let near = NOW + Duration::hours(1);
        assert_eq!(clamp_expiry(near, NOW, MEMBER_SESSION_TTL), near);
        assert_eq!(
            clamp_expiry(far, NOW, PARTNER_SESSION_TTL),
            NOW + Duration::hours(12)
        );
        // A huge maximum saturates instead of overflowing.
        assert_eq!(clamp_expiry(far, NOW, Duration::MAX), far);
        assert_eq!(
            session_expires_at(NOW, Duration::MAX),
            session_expires_at(NOW, Duration::MAX)
        );
    }
}
