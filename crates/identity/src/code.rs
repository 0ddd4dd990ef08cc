//! One-time sign-in codes: six digits, valid ten minutes, five tries, stored only as a
//! keyed hash bound to the email address it was sent to.

use ring::rand::{self, SecureRandom};
use secrecy::SecretString;
use time::{Duration, OffsetDateTime};

use crate::keys::{KeyError, KeyRing, Purpose};
use crate::token::TokenError;

/// How long a code may be used after it was sent.
pub const CODE_TTL: Duration = Duration::minutes(10);
/// Wrong tries allowed before a code is burnt.
pub const MAX_CODE_ATTEMPTS: u32 = 5;
/// Digits in a code.
pub const CODE_LEN: usize = 6;

const CODE_SPACE: u32 = 1_000_000;
/// The largest multiple of `CODE_SPACE` that fits in a `u32`: draws at or above it are
/// rejected, so that every code is equally likely.
const ACCEPT_BELOW: u32 = (u32::MAX / CODE_SPACE) * CODE_SPACE;
/// Draws before giving up; the chance of rejecting this many in a row is about 10^-230.
const MAX_DRAWS: usize = 64;

/// Generates one-time codes.
#[derive(Debug, Clone, Copy)]
pub struct OneTimeCode;

impl OneTimeCode {
    /// A fresh code, uniform over `000000`–`999999`, leading zeros kept.
    pub fn generate() -> Result<SecretString, TokenError> {
        let rng = rand::SystemRandom::new();
        for _ in 0..MAX_DRAWS {
            let mut bytes = [0u8; 4];
            rng.fill(&mut bytes).map_err(|_| TokenError::Random)?;
            if let Some(n) = code_from_draw(u32::from_be_bytes(bytes)) {
                return Ok(SecretString::from(format!("{n:06}")));
            }
        }
        Err(TokenError::Random)
    }
}

/// Rejection sampling: a draw maps to a code only if it falls below `ACCEPT_BELOW`.
fn code_from_draw(draw: u32) -> Option<u32> {
    (draw < ACCEPT_BELOW).then_some(draw % CODE_SPACE)
}

/// When a code sent at `now` stops working.
pub fn code_expires_at(now: OffsetDateTime) -> OffsetDateTime {
    now.saturating_add(CODE_TTL)
}

/// Why a stored code may not be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeRefusal {
    #[error("This code has expired. Ask for a new one.")]
    Expired,
    #[error("Too many wrong tries for this code. Ask for a new one.")]
    TooManyAttempts,
    #[error("This code has already been used. Ask for a new one.")]
    AlreadyUsed,
}

/// Whether a stored code may still be tried at `now`, given the wrong tries made so far.
pub fn check_code_state(
    expires_at: OffsetDateTime,
    attempts_so_far: u32,
    consumed: bool,
    now: OffsetDateTime,
) -> Result<(), CodeRefusal> {
    if consumed {
        Err(CodeRefusal::AlreadyUsed)
    } else if now >= expires_at {
        Err(CodeRefusal::Expired)
    } else if attempts_so_far >= MAX_CODE_ATTEMPTS {
        Err(CodeRefusal::TooManyAttempts)
    } else {
        Ok(())
    }
}

/// Length-prefixed, labelled encoding, so no (email, code) pair collides with another.
fn code_message(email_normalized: &str, code: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + email_normalized.len() + code.len() + 16);
    out.extend_from_slice(b"tally-code\0");
    for part in [email_normalized.as_bytes(), code.as_bytes()] {
        out.extend_from_slice(&(part.len() as u64).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// The code as a member may type it, without spaces or dashes; `None` unless six digits.
fn canonical_code(input: &str) -> Option<String> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (digits.len() == CODE_LEN && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

impl KeyRing {
    /// The keyed hash to store for `code` sent to `email_normalized`.
    pub fn code_hash(&self, email_normalized: &str, code: &str) -> Result<Vec<u8>, KeyError> {
        self.hash(Purpose::CodeHash, &code_message(email_normalized, code))
    }

    /// Whether `code_input` (spaces and dashes ignored) is the code stored as `stored_hash`
    /// for `email_normalized`, under the current or the previous key; constant time.
    pub fn verify_code(
        &self,
        email_normalized: &str,
        code_input: &str,
        stored_hash: &[u8],
    ) -> bool {
        canonical_code(code_input).is_some_and(|code| {
            self.verify_hash(
                Purpose::CodeHash,
                &code_message(email_normalized, &code),
                stored_hash,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::tests::key;
    use secrecy::ExposeSecret;
    use time::macros::datetime;

    #[test]
    fn generated_codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50)
            .map(|_| OneTimeCode::generate().unwrap().expose_secret().to_owned())
            .collect();
        for c in &codes {
            assert_eq!(c.len(), 6, "{c}");
            assert!(c.bytes().all(|b| b.is_ascii_digit()), "{c}");
        }
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(
            distinct.len() > 40,
            "50 codes gave only {} distinct",
            distinct.len()
        );
    }

    #[test]
    fn rejection_sampling_is_uniform_at_the_edges() {
        assert_eq!(ACCEPT_BELOW, 4_294_000_000);
        assert_eq!(code_from_draw(0), Some(0));
        assert_eq!(code_from_draw(42_917), Some(42_917));
        assert_eq!(code_from_draw(ACCEPT_BELOW - 1), Some(999_999));
        assert_eq!(code_from_draw(ACCEPT_BELOW), None);
        assert_eq!(code_from_draw(u32::MAX), None);
        assert_eq!(
            format!("{:06}", code_from_draw(1_000_042).unwrap()),
            "000042"
        );
    }

    #[test]
    fn a_code_verifies_with_spaces_or_dashes_and_nothing_else_does() {
        let ring = KeyRing::new(key(7), None);
        let stored = ring.code_hash("ann@example.com", "042917").unwrap();
        assert_eq!(stored.len(), 32);
        for ok in ["042917", "042 917", "042-917", " 04-29-17 ", "042\t917"] {
            assert!(ring.verify_code("ann@example.com", ok, &stored), "{ok:?}");
        }
        for bad in [
            "42917",
            "042918",
            "0429170",
            "O42917",
            "",
            "042_917",
            "٠٤٢٩١٧",
        ] {
            assert!(
                !ring.verify_code("ann@example.com", bad, &stored),
                "{bad:?}"
            );
        }
        assert!(!ring.verify_code("bob@example.com", "042917", &stored));
        assert!(!ring.verify_code("ann@example.com", "042917", &stored[..31]));
        assert!(!ring.verify_code("ann@example.com", "042917", &[]));
    }

    #[test]
    fn the_same_code_hashes_differently_per_email_and_key() {
        let ring = KeyRing::new(key(7), None);
        let a = ring.code_hash("ann@example.com", "123456").unwrap();
        let b = ring.code_hash("bob@example.com", "123456").unwrap();
        assert_ne!(a, b);
        // The encoding is unambiguous: moving bytes between email and code changes the hash.
        assert_ne!(
            ring.code_hash("a1", "23456").unwrap(),
            ring.code_hash("a", "123456").unwrap()
        );
        assert_ne!(
            a,
            ring.hash(
                Purpose::TokenHash,
                &code_message("ann@example.com", "123456")
            )
            .unwrap()
        );
        assert_ne!(
            a,
            KeyRing::new(key(8), None)
                .code_hash("ann@example.com", "123456")
                .unwrap()
        );
    }

    #[test]
    fn a_code_hashed_under_the_previous_key_verifies_after_rotation() {
        let stored = KeyRing::new(key(1), None)
            .code_hash("ann@example.com", "000001")
            .unwrap();
        assert!(KeyRing::new(key(2), Some(key(1))).verify_code(
            "ann@example.com",
            "000001",
            &stored
        ));
        assert!(!KeyRing::new(key(2), None).verify_code("ann@example.com", "000001", &stored));
        assert!(!KeyRing::new(key(2), Some(key(3))).verify_code(
            "ann@example.com",
            "000001",
            &stored
        ));
    }

    #[test]
    fn code_state_refuses_used_expired_and_exhausted_codes() {
        let now = datetime!(2025-03-01 12:00 UTC);
        let expires = code_expires_at(now);
        assert_eq!(expires, datetime!(2025-03-01 12:10 UTC));
        assert_eq!(check_code_state(expires, 0, false, now), Ok(()));
        assert_eq!(
            check_code_state(expires, 4, false, expires - Duration::SECOND),
            Ok(())
        );
        assert_eq!(
            check_code_state(expires, 0, false, expires),
            Err(CodeRefusal::Expired)
        );
        assert_eq!(
            check_code_state(expires, 5, false, now),
            Err(CodeRefusal::TooManyAttempts)
        );
        assert_eq!(
            check_code_state(expires, 9, false, now),
            Err(CodeRefusal::TooManyAttempts)
        );
        assert_eq!(
            check_code_state(expires, 0, true, now),
            Err(CodeRefusal::AlreadyUsed)
        );
        assert_eq!(
            CodeRefusal::Expired.to_string(),
            "This code has expired. Ask for a new one."
        );
    }
}
