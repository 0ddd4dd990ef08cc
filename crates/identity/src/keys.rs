//! The application key (`APP_SECRET_KEY`) and the keys derived from it.
//!
//! One HKDF-SHA256 expansion per purpose, so a key used to hash tokens can never decrypt
//! a stored secret. A key ring holds the current key and, during a rotation, the previous
//! one, which is still accepted for verifying.

use base64::Engine;
use ring::{aead, hkdf, hmac, rand};
use secrecy::{ExposeSecret, SecretBox};

/// What a derived key is for; each has its own HKDF label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Encrypting stored secrets (AES-256-GCM); see [`KeyRing::encrypt`].
    Encryption,
    /// Looking members up by email without storing a searchable address hash anyone can make.
    EmailHash,
    /// Hashes of bearer tokens: API tokens, sign-in links, sessions.
    TokenHash,
    /// Hashes of one-time sign-in codes.
    CodeHash,
    /// CSRF tokens bound to a session or a pre-session cookie.
    Csrf,
}

impl Purpose {
    fn label(self) -> &'static [u8] {
        match self {
            Purpose::Encryption => b"tally/v1/encryption",
            Purpose::EmailHash => b"tally/v1/email-hash",
            Purpose::TokenHash => b"tally/v1/token-hash",
            Purpose::CodeHash => b"tally/v1/code-hash",
            Purpose::Csrf => b"tally/v1/csrf",
        }
    }
}

/// Appended to the encryption label for the cipher key, so that `hash(Purpose::Encryption, …)`
/// (an HMAC key) and the AES key are never the same bytes.
const AEAD_INFO: &[u8] = b"/aes-256-gcm";
/// Appended to the encryption label for the key that names a key in ciphertexts.
const KEY_ID_INFO: &[u8] = b"/key-id";
/// Length of the public key id written into every ciphertext.
pub(crate) const KEY_ID_LEN: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is not valid base64")]
    NotBase64,
    #[error("the key must hold at least 32 random bytes; it holds {0}")]
    TooShort(usize),
    #[error("the system random number generator failed")]
    Random,
    #[error("key derivation failed")]
    Derivation,
}

/// 32 or more secret bytes.
pub struct SecretKey(SecretBox<Vec<u8>>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(…)")
    }
}

impl SecretKey {
    pub const MIN_LEN: usize = 32;

    /// Parses standard or URL-safe base64, padded or not.
    pub fn from_base64(text: &str) -> Result<SecretKey, KeyError> {
        let text = text.trim();
        let engines = [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
            base64::engine::general_purpose::URL_SAFE,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        let bytes = engines
            .iter()
            .find_map(|e| e.decode(text).ok())
            .ok_or(KeyError::NotBase64)?;
        if bytes.len() < Self::MIN_LEN {
            return Err(KeyError::TooShort(bytes.len()));
        }
        Ok(SecretKey(SecretBox::new(Box::new(bytes))))
    }

    /// A fresh random key (for development).
    pub fn generate() -> Result<SecretKey, KeyError> {
        let bytes: [u8; 32] = rand::generate(&rand::SystemRandom::new())
            .map_err(|_| KeyError::Random)?
            .expose();
        Ok(SecretKey(SecretBox::new(Box::new(bytes.to_vec()))))
    }

    /// The key as base64, to be written where the operator keeps it.
    pub fn to_base64(&self) -> String {
        base64::engine::general_purpose::STANDARD.encode(self.0.expose_secret())
    }

    fn prk(&self) -> hkdf::Prk {
        hkdf::Salt::new(hkdf::HKDF_SHA256, b"tally").extract(self.0.expose_secret())
    }

    /// The HMAC-SHA256 key for `purpose`.
    pub(crate) fn derive_hmac(&self, purpose: Purpose) -> Result<hmac::Key, KeyError> {
        let info = [purpose.label()];
        let prk = self.prk();
        let okm = prk
            .expand(&info, hmac::HMAC_SHA256)
            .map_err(|_| KeyError::Derivation)?;
        Ok(hmac::Key::from(okm))
    }

    /// The AES-256-GCM key for stored secrets.
    pub(crate) fn derive_aead(&self) -> Result<aead::LessSafeKey, KeyError> {
        let info = [Purpose::Encryption.label(), AEAD_INFO];
        let prk = self.prk();
        let okm = prk
            .expand(&info, &aead::AES_256_GCM)
            .map_err(|_| KeyError::Derivation)?;
        Ok(aead::LessSafeKey::new(aead::UnboundKey::from(okm)))
    }

    /// A public name for this key: identifies which key encrypted a blob, reveals nothing.
    pub(crate) fn key_id(&self) -> Result<[u8; KEY_ID_LEN], KeyError> {
        let info = [Purpose::Encryption.label(), KEY_ID_INFO];
        let prk = self.prk();
        let okm = prk
            .expand(&info, hmac::HMAC_SHA256)
            .map_err(|_| KeyError::Derivation)?;
        let tag = hmac::sign(&hmac::Key::from(okm), b"tally key id");
        let mut id = [0u8; KEY_ID_LEN];
        let head = tag.as_ref().get(..KEY_ID_LEN).ok_or(KeyError::Derivation)?;
        id.copy_from_slice(head);
        Ok(id)
    }
}

/// The current key and, during a rotation, the previous one.
#[derive(Debug)]
pub struct KeyRing {
    current: SecretKey,
    previous: Option<SecretKey>,
}

impl KeyRing {
    pub fn new(current: SecretKey, previous: Option<SecretKey>) -> KeyRing {
        KeyRing { current, previous }
    }

    /// Keyed hash (HMAC-SHA256) under the current key's derived key for `purpose`.
    pub fn hash(&self, purpose: Purpose, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(hmac::sign(&self.current.derive_hmac(purpose)?, data)
            .as_ref()
            .to_vec())
    }

    /// The hashes a stored value may carry: under the current key, then the previous.
    pub fn hash_candidates(&self, purpose: Purpose, data: &[u8]) -> Result<Vec<Vec<u8>>, KeyError> {
        self.keys()
            .map(|key| {
                Ok(hmac::sign(&key.derive_hmac(purpose)?, data)
                    .as_ref()
                    .to_vec())
            })
            .collect()
    }

    /// Whether `tag` is the keyed hash of `data` under the current or the previous key,
    /// compared in constant time.
    pub(crate) fn verify_hash(&self, purpose: Purpose, data: &[u8], tag: &[u8]) -> bool {
        self.keys().any(|key| {
            key.derive_hmac(purpose)
                .is_ok_and(|k| hmac::verify(&k, data, tag).is_ok())
        })
    }

    /// The current key, then the previous one if there is one.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &SecretKey> {
        std::iter::once(&self.current).chain(self.previous.as_ref())
    }

    pub(crate) fn current(&self) -> &SecretKey {
        &self.current
    }

    pub(crate) fn previous(&self) -> Option<&SecretKey> {
        self.previous.as_ref()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A key of 32 copies of `byte`.
    pub(crate) fn key(byte: u8) -> SecretKey {
        SecretKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([byte; 32]))
            .unwrap()
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn hmac_sha256_matches_rfc_4231_test_case_2() {
        let key = hmac::Key::new(hmac::HMAC_SHA256, b"Jefe");
        let tag = hmac::sign(&key, b"what do ya want for nothing?");
        assert_eq!(
            hex(tag.as_ref()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(hmac::verify(&key, b"what do ya want for nothing?", tag.as_ref()).is_ok());
        assert!(hmac::verify(&key, b"what do ya want for nothing!", tag.as_ref()).is_err());
    }

    struct Len(usize);
    impl hkdf::KeyType for Len {
        fn len(&self) -> usize {
            self.0
        }
    }

    #[test]
    fn hkdf_sha256_matches_rfc_5869_test_case_1() {
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, &salt).extract(&[0x0b; 22]);
        let mut okm = [0u8; 42];
        prk.expand(&[&info], Len(42))
            .unwrap()
            .fill(&mut okm)
            .unwrap();
        assert_eq!(
            hex(&okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[test]
    fn the_derivation_gives_a_known_hash() {
        // Computed independently (Python hmac: HKDF-SHA256, salt "tally", info
        // "tally/v1/token-hash", then HMAC-SHA256). A change of label or salt would make
        // every stored token, code and email hash unfindable.
        let ring = KeyRing::new(key(7), None);
        assert_eq!(
            hex(&ring.hash(Purpose::TokenHash, b"abc").unwrap()),
            "e16f2c266b39f3b8d1258c8b0a43cac986612fc79e706b30dbf74772da1f69d9"
        );
    }

    #[test]
    fn every_purpose_has_its_own_key() {
        let ring = KeyRing::new(key(7), None);
        let all = [
            Purpose::Encryption,
            Purpose::EmailHash,
            Purpose::TokenHash,
            Purpose::CodeHash,
            Purpose::Csrf,
        ];
        let hashes: std::collections::HashSet<Vec<u8>> =
            all.iter().map(|p| ring.hash(*p, b"x").unwrap()).collect();
        assert_eq!(hashes.len(), all.len());
    }

    #[test]
    fn verify_hash_accepts_either_key_and_nothing_else() {
        let old = KeyRing::new(key(1), None)
            .hash(Purpose::CodeHash, b"d")
            .unwrap();
        let rotated = KeyRing::new(key(2), Some(key(1)));
        let new = rotated.hash(Purpose::CodeHash, b"d").unwrap();
        assert!(rotated.verify_hash(Purpose::CodeHash, b"d", &old));
        assert!(rotated.verify_hash(Purpose::CodeHash, b"d", &new));
        assert!(!rotated.verify_hash(Purpose::CodeHash, b"e", &new));
        assert!(!rotated.verify_hash(Purpose::TokenHash, b"d", &new));
        assert!(!rotated.verify_hash(Purpose::CodeHash, b"d", &new[..16]));
        assert!(!KeyRing::new(key(2), None).verify_hash(Purpose::CodeHash, b"d", &old));
    }

    #[test]
    fn generated_keys_round_trip_through_base64() {
        let generated = SecretKey::generate().unwrap();
        let parsed = SecretKey::from_base64(&generated.to_base64()).unwrap();
        assert_eq!(generated.key_id().unwrap(), parsed.key_id().unwrap());
        assert_ne!(
            generated.key_id().unwrap(),
            SecretKey::generate().unwrap().key_id().unwrap()
        );
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([0xfb; 32]);
        assert!(SecretKey::from_base64(&url_safe).is_ok());
    }

    #[test]
    fn purposes_derive_different_keys() {
        let ring = KeyRing::new(key(7), None);
        let a = ring.hash(Purpose::TokenHash, b"x").unwrap();
        let b = ring.hash(Purpose::EmailHash, b"x").unwrap();
        assert_ne!(a, b);
        assert_eq!(a, ring.hash(Purpose::TokenHash, b"x").unwrap());
    }

    #[test]
    fn previous_key_still_yields_a_candidate() {
        let old = KeyRing::new(key(1), None)
            .hash(Purpose::TokenHash, b"t")
            .unwrap();
        let rotated = KeyRing::new(key(2), Some(key(1)));
        let candidates = rotated.hash_candidates(Purpose::TokenHash, b"t").unwrap();
        assert_eq!(candidates.len(), 2);
        assert_ne!(candidates[0], old);
        assert_eq!(candidates[1], old);
    }

    #[test]
    fn short_or_garbled_keys_are_refused() {
        assert_eq!(
            SecretKey::from_base64("c2hvcnQ=").unwrap_err(),
            KeyError::TooShort(5)
        );
        assert_eq!(
            SecretKey::from_base64("not base64 !!").unwrap_err(),
            KeyError::NotBase64
        );
    }

    #[test]
    fn debug_does_not_show_the_key() {
        assert_eq!(format!("{:?}", key(9)), "SecretKey(…)");
    }
}
