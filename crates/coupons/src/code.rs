//! Codes from an alphabet without look-alikes: the raw generator ([`random_code`]), the
//! partner's code prefix ([`CodePrefix`]) and the coupon code itself ([`CouponCode`]).

use std::fmt;

use ring::rand::SecureRandom;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A–Z and 2–9 without 0/O, 1/I/L: 31 symbols.
pub const ALPHABET: &[u8; 31] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Symbols after the dash of a coupon code: `POINTS-AB3CD4EF`.
pub const RANDOM_PART_LEN: usize = 8;

/// The longest code prefix a partner may choose.
pub const MAX_PREFIX_LEN: usize = 12;

/// Why a code could not be made or read. The messages never repeat the code itself,
/// so they are safe to log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
    /// An empty prefix.
    #[error("Enter a code prefix of 1 to 12 letters or digits, such as POINTS.")]
    EmptyPrefix,
    /// A prefix longer than [`MAX_PREFIX_LEN`].
    #[error("The code prefix has {len} characters; use at most 12.")]
    PrefixTooLong {
        /// Characters in the prefix as given.
        len: usize,
    },
    /// A prefix holding something other than A–Z and 0–9.
    #[error("The code prefix may hold only the letters A to Z and the digits 0 to 9.")]
    PrefixCharacters,
    /// Text that is not `PREFIX-XXXXXXXX` with the random part from [`ALPHABET`].
    #[error("This is not a coupon code of ours: codes look like POINTS-AB3CD4EF.")]
    Malformed,
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

/// A partner's code prefix: 1 to [`MAX_PREFIX_LEN`] characters of A–Z and 0–9, kept
/// upper-case. The prefix is the partner's own word, so it may use 0, O, 1, I and L.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodePrefix(String);

impl CodePrefix {
    /// Reads a prefix, ignoring surrounding spaces and case: `" points "` → `POINTS`.
    pub fn parse(text: &str) -> Result<CodePrefix, CodeError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CodeError::EmptyPrefix);
        }
        if !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CodeError::PrefixCharacters);
        }
        if text.len() > MAX_PREFIX_LEN {
            return Err(CodeError::PrefixTooLong { len: text.len() });
        }
        Ok(CodePrefix(text.to_ascii_uppercase()))
    }

    /// The prefix, upper-case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `POINTS`.
impl fmt::Display for CodePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A coupon code: prefix, `-`, and [`RANDOM_PART_LEN`] symbols from [`ALPHABET`], e.g.
/// `POINTS-AB3CD4EF`.
///
/// Kept upper-case, so equality, ordering and hashing ignore the case the code was
/// typed or returned in (WooCommerce stores and returns `points-ab3cd4ef`). Shown
/// upper-case ([`fmt::Display`], [`CouponCode::as_str`]); sent to the store lower-case
/// ([`CouponCode::for_store`]). Serialized as the upper-case text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CouponCode(String);

impl CouponCode {
    /// A fresh code under `prefix`, its random part drawn from a CSPRNG (in production
    /// `ring::rand::SystemRandom`). It always holds a letter after the dash.
    pub fn generate(prefix: &CodePrefix, rng: &dyn SecureRandom) -> Result<CouponCode, CodeError> {
        let random = random_code(rng, RANDOM_PART_LEN)?;
        Ok(CouponCode(format!("{}-{random}", prefix.as_str())))
    }

    /// Reads a code in any case, ignoring surrounding spaces: `points-ab3cd4ef` and
    /// `POINTS-AB3CD4EF` are the same code. Look-alikes (0, O, 1, I, L) are refused in
    /// the random part.
    pub fn parse(text: &str) -> Result<CouponCode, CodeError> {
        let (prefix, random) = text.trim().split_once('-').ok_or(CodeError::Malformed)?;
        if prefix.trim() != prefix {
            return Err(CodeError::Malformed);
        }
        let prefix = CodePrefix::parse(prefix).map_err(|_| CodeError::Malformed)?;
        let random = random.to_ascii_uppercase();
        let well_formed =
            random.len() == RANDOM_PART_LEN && random.bytes().all(|b| ALPHABET.contains(&b));
        if !well_formed {
            return Err(CodeError::Malformed);
        }
        Ok(CouponCode(format!("{}-{random}", prefix.as_str())))
    }

    /// A code with the same prefix that differs from this one.
    pub fn regenerate(&self, rng: &dyn SecureRandom) -> Result<CouponCode, CodeError> {
        let prefix = CodePrefix(self.prefix().to_owned());
        // A repeat has odds of 1 in 31^8 per draw; a handful of draws is plenty, and a
        // generator that keeps repeating itself is broken.
        for _ in 0..8 {
            let code = CouponCode::generate(&prefix, rng)?;
            if code != *self {
                return Ok(code);
            }
        }
        Err(CodeError::Random)
    }

    /// The code as shown to people, upper-case: `POINTS-AB3CD4EF`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as WooCommerce stores it and as it is best looked up, lower-case:
    /// `points-ab3cd4ef`.
    pub fn for_store(&self) -> String {
        self.0.to_ascii_lowercase()
    }

    /// The part before the dash: `POINTS`.
    pub fn prefix(&self) -> &str {
        self.0.split_once('-').map_or(self.0.as_str(), |(p, _)| p)
    }
}

/// `POINTS-AB3CD4EF`.
impl fmt::Display for CouponCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Compares with text as the store returns it, ignoring case: `code == "points-ab3cd4ef"`.
impl PartialEq<str> for CouponCode {
    fn eq(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialEq<&str> for CouponCode {
    fn eq(&self, other: &&str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl std::str::FromStr for CouponCode {
    type Err = CodeError;
    fn from_str(text: &str) -> Result<CouponCode, CodeError> {
        CouponCode::parse(text)
    }
}

impl Serialize for CouponCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CouponCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CouponCode, D::Error> {
        let text = String::deserialize(deserializer)?;
        CouponCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
