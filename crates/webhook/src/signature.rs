//! `X-WC-Webhook-Signature`: base64(HMAC-SHA256(raw body, secret)).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::hmac;

/// Length of an HMAC-SHA256 tag in bytes.
const TAG_LEN: usize = 32;

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature header is absent or empty.
    #[error(
        "The delivery carries no X-WC-Webhook-Signature: it was not sent by a WooCommerce webhook"
    )]
    Missing,
    /// The header is not base64, or does not decode to 32 bytes.
    #[error(
        "The X-WC-Webhook-Signature header is not a base64 HMAC-SHA256 signature \
         (44 base64 characters expected)"
    )]
    Malformed,
    /// Well-formed, but computed with another secret or over other bytes.
    #[error(
        "The signature does not match: the webhook secret in WooCommerce is not the one Tally gave it"
    )]
    Mismatch,
}

/// The `X-WC-Webhook-Signature` value WooCommerce would send for `body` signed with
/// `secret`: standard base64 (with padding) of HMAC-SHA256.
///
/// `secret` is the key as WooCommerce uses it, i.e. after it HTML-decoded the stored
/// secret; Tally's alphanumeric secrets are unaffected.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    STANDARD.encode(hmac::sign(&key, body).as_ref())
}

/// Checks `signature_header` against `body`, the bytes exactly as received.
///
/// Surrounding whitespace in the header is ignored. The comparison is done by
/// `ring::hmac::verify` on the decoded tag, in constant time.
pub fn verify_signature(
    secret: &[u8],
    body: &[u8],
    signature_header: &str,
) -> Result<(), SignatureError> {
    let header = signature_header.trim();
    if header.is_empty() {
        return Err(SignatureError::Missing);
    }
    let tag = STANDARD
        .decode(header)
        .map_err(|_| SignatureError::Malformed)?;
    if tag.len() != TAG_LEN {
        return Err(SignatureError::Malformed);
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    hmac::verify(&key, body, &tag).map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    #[test]
    fn sign_matches_rfc_4231_vector() {
        let expected_hex = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        let expected: Vec<u8> = (0..expected_hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&expected_hex[i..i + 2], 16).unwrap())
            .collect();
        let sig = sign(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(sig.len(), 44);
        assert_eq!(STANDARD.decode(&sig).unwrap(), expected);
    }

    #[test]
    fn verify_accepts_own_signature_with_surrounding_whitespace() {
        let sig = sign(b"secret", b"{}");
        assert_eq!(
            verify_signature(b"secret", b"{}", &format!(" {sig}\t")),
            Ok(())
        );
    }

    #[test]
    fn empty_header_is_missing() {
        assert_eq!(
            verify_signature(b"k", b"{}", ""),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(b"k", b"{}", "  "),
            Err(SignatureError::Missing)
        );
    }

    #[test]
    fn non_base64_or_wrong_length_is_malformed() {
        for header in ["not base64!", "abc", "AAAA", &STANDARD.encode([0u8; 31])] {
            assert_eq!(
                verify_signature(b"k", b"{}", header),
                Err(SignatureError::Malformed),
                "{header}"
            );
        }
    }

    #[test]
    fn other_secret_is_a_mismatch() {
        let sig = sign(b"right", b"{}");
        assert_eq!(
            verify_signature(b"wrong", b"{}", &sig),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn messages_are_readable() {
        assert_eq!(
            SignatureError::Mismatch.to_string(),
            "The signature does not match: the webhook secret in WooCommerce is not the one Tally gave it"
        );
    }
}
