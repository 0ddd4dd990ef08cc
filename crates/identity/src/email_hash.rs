//! Keyed hashes of email addresses: stable for one key, so members can be found by email;
//! useless to anyone without the key, so a leaked table is not an address list.

use crate::email::Email;
use crate::keys::{KeyError, KeyRing, Purpose};

impl KeyRing {
    /// The keyed hash of the normalized address under the current key.
    pub fn email_hash(&self, email: &Email) -> Result<Vec<u8>, KeyError> {
        self.hash(Purpose::EmailHash, email.normalized().as_bytes())
    }

    /// The hashes a stored address may carry, current key first (for lookups during a
    /// key rotation).
    pub fn email_hash_candidates(&self, email: &Email) -> Result<Vec<Vec<u8>>, KeyError> {
        self.hash_candidates(Purpose::EmailHash, email.normalized().as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::tests::key;

    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn the_hash_is_stable_and_ignores_case() {
        let ring = KeyRing::new(key(7), None);
        let a = ring.email_hash(&email("Ann@Example.com")).unwrap();
        assert_eq!(a.len(), 32);
        assert_eq!(a, ring.email_hash(&email(" ann@example.COM ")).unwrap());
        assert_ne!(a, ring.email_hash(&email("bob@example.com")).unwrap());
        assert_eq!(
            a,
            ring.hash(Purpose::EmailHash, b"ann@example.com").unwrap()
        );
    }

    #[test]
    fn the_hash_depends_on_the_key_and_purpose() {
        let ann = email("ann@example.com");
        let a = KeyRing::new(key(7), None).email_hash(&ann).unwrap();
        assert_ne!(a, KeyRing::new(key(8), None).email_hash(&ann).unwrap());
        assert_ne!(
            a,
            KeyRing::new(key(7), None)
                .token_hash("ann@example.com")
                .unwrap()
        );
        let rotated = KeyRing::new(key(8), Some(key(7)));
        assert_eq!(rotated.email_hash_candidates(&ann).unwrap()[1], a);
    }
}
