use super::*;
use crate::keys::tests::key;
use ring::aead;
use secrecy::ExposeSecret;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn aes_256_gcm_matches_the_gcm_specification_test_case_14() {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14:
    // zero key (256 bits), zero IV, one zero block.
    let key = aead::LessSafeKey::new(aead::UnboundKey::new(&aead::AES_256_GCM, &[0; 32]).unwrap());
    let mut block = vec![0u8; 16];
    let tag = key
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key([0; 12]),
            Aad::empty(),
            &mut block,
        )
        .unwrap();
    assert_eq!(hex(&block), "cea7403d4d606b6e074ec5d3baf39d18");
    assert_eq!(hex(tag.as_ref()), "d0d1c8a799996bf0265b98b5d48ab919");
}

#[test]
fn a_fixed_nonce_gives_a_known_blob() {
    // Pins the layout, the key derivation and the associated data: a change to any of them
    // would make every stored secret undecryptable.
    let blob = seal(&key(7), [0; NONCE_LEN], b"tally", b"integration:1").unwrap();
    assert_eq!(hex(&blob), KNOWN_BLOB);
    let ring = KeyRing::new(key(7), None);
    let plain = ring.decrypt(&unhex(KNOWN_BLOB), b"integration:1").unwrap();
    assert_eq!(plain.expose_secret().as_slice(), b"tally");
}

/// Computed independently (Python `hmac` + `cryptography` AESGCM) from the documented
/// derivation: HKDF-SHA256, salt "tally", info "tally/v1/encryption/aes-256-gcm".
const KNOWN_BLOB: &str = "0122829e6620349f76000000000000000000000000\
                          f4762361b9141f43c7db4727c54ca9e6dc5fde15fa";

#[test]
fn round_trip_and_layout() {
    let ring = KeyRing::new(key(7), None);
    for plaintext in [&b""[..], b"x", b"ck_live_0123456789abcdef", &[0u8; 1000]] {
        let blob = ring.encrypt(plaintext, b"aad").unwrap();
        assert_eq!(blob.len(), MIN_BLOB_LEN + plaintext.len());
        assert_eq!(blob[0], 1);
        assert_eq!(&blob[1..9], &key(7).key_id().unwrap());
        // Long enough that random ciphertext cannot contain it by chance.
        if plaintext.len() >= 8 {
            assert!(!blob.windows(plaintext.len()).any(|w| w == plaintext));
        }
        let back = ring.decrypt(&blob, b"aad").unwrap();
        assert_eq!(back.expose_secret().as_slice(), plaintext);
    }
    assert_eq!(MIN_BLOB_LEN, 37);
}

#[test]
fn every_encryption_uses_a_fresh_nonce() {
    let ring = KeyRing::new(key(7), None);
    let a = ring.encrypt(b"same", b"").unwrap();
    let b = ring.encrypt(b"same", b"").unwrap();
    assert_ne!(a[9..21], b[9..21]);
    assert_ne!(a, b);
}

#[test]
fn key_ids_differ_per_key_and_are_not_the_derived_hashes() {
    let id = key(7).key_id().unwrap();
    assert_eq!(id, key(7).key_id().unwrap());
    assert_ne!(id, key(8).key_id().unwrap());
    let ring = KeyRing::new(key(7), None);
    for purpose in [crate::Purpose::Encryption, crate::Purpose::TokenHash] {
        assert_ne!(&ring.hash(purpose, b"tally key id").unwrap()[..8], &id);
    }
}

#[test]
fn flipping_any_byte_is_detected() {
    let ring = KeyRing::new(key(7), Some(key(6)));
    let blob = ring.encrypt(b"secret credentials", b"row:1").unwrap();
    for i in 0..blob.len() {
        for bit in [0x01, 0x80] {
            let mut bad = blob.clone();
            bad[i] ^= bit;
            let expected = match i {
                0 => CryptoError::Malformed,
                1..=8 => CryptoError::UnknownKey,
                _ => CryptoError::Tampered,
            };
            assert_eq!(
                ring.decrypt(&bad, b"row:1").unwrap_err(),
                expected,
                "byte {i}"
            );
        }
    }
}

#[test]
fn a_blob_relabelled_as_the_other_key_is_tampered() {
    let ring = KeyRing::new(key(7), Some(key(6)));
    let mut blob = ring.encrypt(b"secret", b"").unwrap();
    blob[1..9].copy_from_slice(&key(6).key_id().unwrap());
    assert_eq!(ring.decrypt(&blob, b"").unwrap_err(), CryptoError::Tampered);
}

#[test]
fn truncated_or_extended_blobs_never_decrypt() {
    let ring = KeyRing::new(key(7), None);
    let blob = ring.encrypt(b"secret credentials", b"").unwrap();
    for len in 0..blob.len() {
        let err = ring.decrypt(&blob[..len], b"").unwrap_err();
        let expected = if len < MIN_BLOB_LEN {
            CryptoError::Malformed
        } else {
            CryptoError::Tampered
        };
        assert_eq!(err, expected, "length {len}");
    }
    let mut longer = blob.clone();
    longer.push(0);
    assert_eq!(
        ring.decrypt(&longer, b"").unwrap_err(),
        CryptoError::Tampered
    );
}

#[test]
fn wrong_associated_data_is_tampered() {
    let ring = KeyRing::new(key(7), None);
    let blob = ring.encrypt(b"secret", b"integration:1").unwrap();
    for aad in [
        &b"integration:2"[..],
        b"",
        b"integration:1 ",
        b"INTEGRATION:1",
    ] {
        assert_eq!(ring.decrypt(&blob, aad).unwrap_err(), CryptoError::Tampered);
    }
    assert!(ring.decrypt(&blob, b"integration:1").is_ok());
}

#[test]
fn rotation_keeps_old_blobs_readable_and_reencrypt_moves_them() {
    let old = KeyRing::new(key(1), None);
    let blob = old.encrypt(b"secret", b"aad").unwrap();
    assert!(!old.needs_reencryption(&blob));

    let rotated = KeyRing::new(key(2), Some(key(1)));
    assert_eq!(
        rotated
            .decrypt(&blob, b"aad")
            .unwrap()
            .expose_secret()
            .as_slice(),
        b"secret"
    );
    assert!(rotated.needs_reencryption(&blob));

    let moved = rotated.reencrypt(&blob, b"aad").unwrap();
    assert!(!rotated.needs_reencryption(&moved));
    assert_eq!(&moved[1..9], &key(2).key_id().unwrap());

    let after = KeyRing::new(key(2), None);
    assert_eq!(
        after.decrypt(&blob, b"aad").unwrap_err(),
        CryptoError::UnknownKey
    );
    assert_eq!(
        after
            .decrypt(&moved, b"aad")
            .unwrap()
            .expose_secret()
            .as_slice(),
        b"secret"
    );
    assert!(
        !after.needs_reencryption(&blob),
        "unknown keys cannot be re-encrypted"
    );
    assert_eq!(
        after.reencrypt(&blob, b"aad").unwrap_err(),
        CryptoError::UnknownKey
    );
    assert_eq!(
        rotated.reencrypt(&blob, b"other").unwrap_err(),
        CryptoError::Tampered
    );
    assert!(!rotated.needs_reencryption(b"short"));
}

#[test]
fn text_round_trips_and_non_text_is_malformed() {
    let ring = KeyRing::new(key(7), None);
    let blob = ring.encrypt_str("cs_wébhook", b"").unwrap();
    assert_eq!(
        ring.decrypt_string(&blob, b"").unwrap().expose_secret(),
        "cs_wébhook"
    );
    let bytes = ring.encrypt(&[0xff, 0xfe], b"").unwrap();
    assert_eq!(
        ring.decrypt_string(&bytes, b"").unwrap_err(),
        CryptoError::Malformed
    );
    assert_eq!(
        ring.decrypt_string(b"", b"").unwrap_err(),
        CryptoError::Malformed
    );
}

#[test]
fn decrypted_secrets_do_not_show_in_debug() {
    let ring = KeyRing::new(key(7), None);
    let blob = ring.encrypt_str("hunter2", b"").unwrap();
    let text = ring.decrypt_string(&blob, b"").unwrap();
    assert!(!format!("{text:?}").contains("hunter2"));
    let bytes = ring.decrypt(&blob, b"").unwrap();
    assert!(!format!("{bytes:?}").contains("104"), "{bytes:?}");
    assert!(!format!("{ring:?}").contains("7, 7"));
}
