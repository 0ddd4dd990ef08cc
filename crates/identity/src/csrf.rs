//! CSRF tokens: a keyed hash of what the form is bound to — the session's token hash once
//! signed in, a random pre-session cookie value before (the sign-in form). Stateless: the
//! server recomputes the token and compares.

use base64::Engine;

use crate::keys::{KeyError, KeyRing, Purpose};

/// Longer presented tokens are refused without decoding (a real one is 43 characters).
const MAX_PRESENTED_LEN: usize = 128;

impl KeyRing {
    /// The CSRF token for forms of the session whose token hash is `session_token_hash`:
    /// HMAC under the CSRF key, URL-safe base64 without padding.
    pub fn csrf_token(&self, session_token_hash: &[u8]) -> Result<String, KeyError> {
        self.csrf_token_for(session_token_hash)
    }

    /// Whether `presented` is the CSRF token of that session, under the current or the
    /// previous key; constant time.
    pub fn verify_csrf(&self, session_token_hash: &[u8], presented: &str) -> bool {
        self.verify_csrf_for(session_token_hash, presented)
    }

    /// The CSRF token bound to arbitrary `binding` bytes (e.g. a random pre-session cookie
    /// value for the sign-in form). `csrf_token(h) == csrf_token_for(h)`.
    pub fn csrf_token_for(&self, binding: &[u8]) -> Result<String, KeyError> {
        let tag = self.hash(Purpose::Csrf, binding)?;
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(tag))
    }

    /// Whether `presented` is the CSRF token for `binding`, under the current or the
    /// previous key; constant time.
    pub fn verify_csrf_for(&self, binding: &[u8], presented: &str) -> bool {
        if presented.len() > MAX_PRESENTED_LEN {
            return false;
        }
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(presented.trim())
            .is_ok_and(|tag| self.verify_hash(Purpose::Csrf, binding, &tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::tests::key;

    #[test]
    fn a_csrf_token_verifies_for_its_session_only() {
        let ring = KeyRing::new(key(7), None);
        let session = ring.token_hash("s_one").unwrap();
        let other = ring.token_hash("s_two").unwrap();
        let token = ring.csrf_token(&session).unwrap();
        assert_eq!(token.len(), 43);
        assert!(token
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
        assert_eq!(token, ring.csrf_token(&session).unwrap());
        assert!(ring.verify_csrf(&session, &token));
        assert!(!ring.verify_csrf(&other, &token));
        assert_ne!(token, ring.csrf_token(&other).unwrap());
    }

    #[test]
    fn garbled_or_truncated_tokens_are_refused() {
        let ring = KeyRing::new(key(7), None);
        let token = ring.csrf_token(b"h").unwrap();
        assert!(!ring.verify_csrf(b"h", ""));
        assert!(!ring.verify_csrf(b"h", &token[..42]));
        assert!(!ring.verify_csrf(b"h", &format!("{token}A")));
        assert!(!ring.verify_csrf(b"h", "!!!not base64!!!"));
        assert!(!ring.verify_csrf(b"h", &"A".repeat(1000)));
        let mut flipped = token.clone().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        assert!(!ring.verify_csrf(b"h", &String::from_utf8(flipped).unwrap()));
    }

    #[test]
    fn csrf_uses_its_own_key() {
        let ring = KeyRing::new(key(7), None);
        let token = ring.csrf_token(b"h").unwrap();
        let token_purpose = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(ring.hash(Purpose::TokenHash, b"h").unwrap());
        assert_ne!(token, token_purpose);
        assert!(!ring.verify_csrf(b"h", &token_purpose));
        assert!(!KeyRing::new(key(8), None).verify_csrf(b"h", &token));
    }

    #[test]
    fn anonymous_tokens_bind_to_the_pre_session_value() {
        let ring = KeyRing::new(key(7), None);
        let token = ring.csrf_token_for(b"pre-session-cookie").unwrap();
        assert!(ring.verify_csrf_for(b"pre-session-cookie", &token));
        assert!(!ring.verify_csrf_for(b"another-cookie", &token));
        assert_eq!(token, ring.csrf_token(b"pre-session-cookie").unwrap());
    }

    #[test]
    fn a_token_made_under_the_previous_key_verifies_after_rotation() {
        let token = KeyRing::new(key(1), None).csrf_token(b"h").unwrap();
        assert!(KeyRing::new(key(2), Some(key(1))).verify_csrf(b"h", &token));
        assert!(!KeyRing::new(key(2), None).verify_csrf(b"h", &token));
        let fresh = KeyRing::new(key(2), Some(key(1))).csrf_token(b"h").unwrap();
        assert_ne!(fresh, token, "new tokens are made under the current key");
    }
}
