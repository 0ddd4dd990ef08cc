//! Random bearer tokens (API tokens, sign-in links, sessions).

use base64::Engine;
use ring::rand::{self, SecureRandom};
use secrecy::SecretString;

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

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn tokens_are_prefixed_random_and_distinct() {
        let a = generate_token("tly_").unwrap();
        let b = generate_token("tly_").unwrap();
        assert!(a.expose_secret().starts_with("tly_"));
        assert_eq!(a.expose_secret().len(), 4 + 43);
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
