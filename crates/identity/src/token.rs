//! Random bearer tokens (API tokens, sign-in links, sessions).

use base64::Engine;
use ring::rand::{self, SecureRandom};
use secrecy::SecretString;

use crate::keys::{KeyError, KeyRing, Purpose};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the system random number generator failed")]
    Random,
}

/// A new token: `prefix` followed by 256 random bits in URL-safe base64.
pub fn generate_token(prefix: &str) -> Result<SecretString, TokenError> {
    let mut bytes = [0u8; 32];
    rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| TokenError::Random)?;
    let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    Ok(SecretString::from(format!("{prefix}{body}")))
}

impl KeyRing {
    /// The keyed hash to store for a bearer token (API token, sign-in link, session).
    /// The same as `hash(Purpose::TokenHash, token.as_bytes())`.
    pub fn token_hash(&self, token: &str) -> Result<Vec<u8>, KeyError> {
        self.hash(Purpose::TokenHash, token.as_bytes())
    }

    /// The hashes a stored token may carry, current key first: look a presented token up
    /// by any of them, so rotating the key signs nobody out.
    pub fn token_hash_candidates(&self, token: &str) -> Result<Vec<Vec<u8>>, KeyError> {
        self.hash_candidates(Purpose::TokenHash, token.as_bytes())
    }

    /// Whether `stored_hash` is the hash of `token` under the current or previous key;
    /// constant time.
    pub fn verify_token_hash(&self, token: &str, stored_hash: &[u8]) -> bool {
        self.verify_hash(Purpose::TokenHash, token.as_bytes(), stored_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::tests::key;
    use secrecy::ExposeSecret;

    #[test]
    fn tokens_are_prefixed_random_and_distinct() {
        let a = generate_token("tly_").unwrap();
        let b = generate_token("tly_").unwrap();
        assert!(a.expose_secret().starts_with("tly_"));
        assert_eq!(a.expose_secret().len(), 4 + 43);
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert!(a.expose_secret()[4..]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'));
    }

    #[test]
    fn token_hash_is_the_token_purpose_hash_and_survives_rotation() {
        let old = KeyRing::new(key(1), None);
        let hash = old.token_hash("tly_abc").unwrap();
        assert_eq!(hash, old.hash(Purpose::TokenHash, b"tly_abc").unwrap());
        assert_ne!(hash, old.token_hash("tly_abd").unwrap());
        assert!(old.verify_token_hash("tly_abc", &hash));
        assert!(!old.verify_token_hash("tly_abd", &hash));

        let rotated = KeyRing::new(key(2), Some(key(1)));
        let candidates = rotated.token_hash_candidates("tly_abc").unwrap();
        assert_eq!(candidates.len(), 2);
        assert_eq!(candidates[0], rotated.token_hash("tly_abc").unwrap());
        assert_eq!(candidates[1], hash);
        assert!(rotated.verify_token_hash("tly_abc", &hash));
        assert!(!KeyRing::new(key(2), None).verify_token_hash("tly_abc", &hash));
        assert_eq!(
            KeyRing::new(key(2), None)
                .token_hash_candidates("x")
                .unwrap()
                .len(),
            1
        );
    }
}
