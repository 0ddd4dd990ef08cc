//! Codes from an alphabet without look-alikes.

use ring::rand::SecureRandom;

/// A–Z and 2–9 without 0/O, 1/I/L: 31 symbols.
pub const ALPHABET: &[u8; 31] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("the system random number generator failed")]
    Random,
}

/// `len` symbols drawn uniformly from [`ALPHABET`], always including a letter (so a code
/// is never mistaken for a member number).
pub fn random_code(rng: &dyn SecureRandom, len: usize) -> Result<String, CodeError> {
    // 248 = 31 × 8: bytes at or above it are redrawn, so every symbol is equally likely.
    const LIMIT: u8 = 248;
    loop {
        let mut code = String::with_capacity(len);
        while code.len() < len {
            let mut byte = [0u8; 1];
            rng.fill(&mut byte).map_err(|_| CodeError::Random)?;
            let [b] = byte;
            if b < LIMIT {
                let symbol = ALPHABET
                    .get(usize::from(b % 31))
                    .copied()
                    .ok_or(CodeError::Random)?;
                code.push(char::from(symbol));
            }
        }
        if len == 0 || code.bytes().any(|b| b.is_ascii_alphabetic()) {
            return Ok(code);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ring::rand::SystemRandom;

    #[test]
    fn alphabet_has_no_look_alikes() {
        for c in b"01OIL" {
            assert!(!ALPHABET.contains(c), "{}", char::from(*c));
        }
        assert_eq!(ALPHABET.len(), 31);
    }

    proptest! {
        #[test]
        fn codes_use_only_the_alphabet_and_hold_a_letter(len in 1usize..20) {
            let code = random_code(&SystemRandom::new(), len).unwrap();
            prop_assert_eq!(code.len(), len);
            prop_assert!(code.bytes().all(|b| ALPHABET.contains(&b)));
            prop_assert!(code.bytes().any(|b| b.is_ascii_alphabetic()));
        }
    }
}
