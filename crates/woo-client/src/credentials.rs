//! The REST API key pair. Sent only as HTTP Basic auth over HTTPS; never logged.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// A WooCommerce REST API key (`ck_…`) and secret (`cs_…`).
///
/// `Debug` shows only the first characters of the key and nothing of the secret.
#[derive(Clone)]
pub struct Credentials {
    pub consumer_key: SecretString,
    pub consumer_secret: SecretString,
}

impl Credentials {
    pub fn new(consumer_key: impl Into<String>, consumer_secret: impl Into<String>) -> Credentials {
        Credentials {
            consumer_key: SecretString::from(consumer_key.into().trim().to_owned()),
            consumer_secret: SecretString::from(consumer_secret.into().trim().to_owned()),
        }
    }

    /// The first characters of the key (`ck_0b91`), enough to tell keys apart in logs.
    pub fn key_prefix(&self) -> String {
        self.consumer_key.expose_secret().chars().take(7).collect()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("consumer_key", &format_args!("{}…", self.key_prefix()))
            .field("consumer_secret", &format_args!("[redacted]"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_key_prefix_only_and_never_the_secret() {
        let c = Credentials::new(
            "ck_0b91b7089d88777377e37a9f1529ae26c1b56eb7",
            "cs_topsecretvalue123",
        );
        let shown = format!("{c:?}");
        assert!(shown.contains("ck_0b91…"), "{shown}");
        assert!(!shown.contains("b7089d"), "{shown}");
        assert!(!shown.contains("topsecret"), "{shown}");
    }

    #[test]
    fn new_trims_pasted_whitespace() {
        let c = Credentials::new(" ck_abc \n", "\tcs_def ");
        assert_eq!(c.consumer_key.expose_secret(), "ck_abc");
        assert_eq!(c.consumer_secret.expose_secret(), "cs_def");
    }
}
