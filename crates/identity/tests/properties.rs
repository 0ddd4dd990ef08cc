//! Properties of the public surface, over arbitrary inputs.

use base64::Engine;
use identity::{CryptoError, KeyRing, OneTimeCode, SecretKey};
use proptest::prelude::*;
use secrecy::ExposeSecret;

fn key(byte: u8) -> SecretKey {
    SecretKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([byte; 32])).unwrap()
}

fn six_digits() -> impl Strategy<Value = String> {
    "[0-9]{6}"
}

proptest! {
    #[test]
    fn encryption_round_trips_any_bytes(
        plaintext in proptest::collection::vec(any::<u8>(), 0..512),
        aad in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let ring = KeyRing::new(key(7), Some(key(6)));
        let blob = ring.encrypt(&plaintext, &aad).unwrap();
        let back = ring.decrypt(&blob, &aad).unwrap();
        prop_assert_eq!(back.expose_secret(), &plaintext);
        let old_blob = KeyRing::new(key(6), None).encrypt(&plaintext, &aad).unwrap();
        let back = ring.decrypt(&old_blob, &aad).unwrap();
        prop_assert_eq!(back.expose_secret(), &plaintext);
    }

    #[test]
    fn any_single_change_to_a_blob_is_refused(
        plaintext in proptest::collection::vec(any::<u8>(), 0..64),
        position in any::<prop::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let ring = KeyRing::new(key(7), None);
        let mut blob = ring.encrypt(&plaintext, b"").unwrap();
        let i = position.index(blob.len());
        blob[i] ^= flip;
        let err = ring.decrypt(&blob, b"").unwrap_err();
        prop_assert!(matches!(
            err,
            CryptoError::Tampered | CryptoError::Malformed | CryptoError::UnknownKey
        ));
    }

    #[test]
    fn garbage_never_decrypts(blob in proptest::collection::vec(any::<u8>(), 0..128)) {
        let ring = KeyRing::new(key(7), Some(key(6)));
        prop_assert!(ring.decrypt(&blob, b"").is_err());
        prop_assert!(ring.decrypt_string(&blob, b"").is_err());
    }

    #[test]
    fn verify_code_never_accepts_a_different_code(
        email in "[a-z]{1,10}@example\\.com",
        code in six_digits(),
        other in six_digits(),
    ) {
        prop_assume!(code != other);
        let ring = KeyRing::new(key(7), None);
        let stored = ring.code_hash(&email, &code).unwrap();
        prop_assert!(ring.verify_code(&email, &code, &stored));
        prop_assert!(!ring.verify_code(&email, &other, &stored));
    }

    #[test]
    fn a_code_is_bound_to_its_email(
        code in six_digits(),
        sent_to in "[a-z]{1,8}@example\\.com",
        tried_by in "[a-z]{1,8}@example\\.com",
    ) {
        prop_assume!(sent_to != tried_by);
        let ring = KeyRing::new(key(7), None);
        let stored = ring.code_hash(&sent_to, &code).unwrap();
        prop_assert!(!ring.verify_code(&tried_by, &code, &stored));
    }

    #[test]
    fn arbitrary_input_never_verifies_a_code(input in "\\PC{0,20}") {
        let ring = KeyRing::new(key(7), None);
        let stored = ring.code_hash("ann@example.com", "042917").unwrap();
        let digits: String = input.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        prop_assert_eq!(ring.verify_code("ann@example.com", &input, &stored), digits == "042917");
    }

    #[test]
    fn csrf_of_one_session_never_verifies_for_another(
        session in proptest::collection::vec(any::<u8>(), 0..48),
        other in proptest::collection::vec(any::<u8>(), 0..48),
    ) {
        prop_assume!(session != other);
        let ring = KeyRing::new(key(7), Some(key(6)));
        let token = ring.csrf_token(&session).unwrap();
        prop_assert!(ring.verify_csrf(&session, &token));
        prop_assert!(!ring.verify_csrf(&other, &token));
    }

    #[test]
    fn arbitrary_strings_are_not_csrf_tokens(presented in "\\PC{0,64}") {
        let ring = KeyRing::new(key(7), None);
        prop_assert!(!ring.verify_csrf(b"session", &presented));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn generated_codes_are_always_six_digits(_round in 0u8..1) {
        let code = OneTimeCode::generate().unwrap();
        prop_assert_eq!(code.expose_secret().len(), 6);
        prop_assert!(code.expose_secret().bytes().all(|b| b.is_ascii_digit()));
    }
}
