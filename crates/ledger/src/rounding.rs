//! How a card turns a fractional number of points into whole points.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::shown;
use crate::LedgerError;

/// Applied once, to the whole purchase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rounding {
    /// Towards zero: 2.9 → 2.
    Down,
    /// To the nearest whole number, halves away from zero: 2.5 → 3, 2.49 → 2.
    Nearest,
    /// Away from zero: 2.1 → 3.
    Up,
}

impl Rounding {
    /// Reads `down`, `nearest` or `up` (any case, surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<Rounding, LedgerError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "down" => Ok(Rounding::Down),
            "nearest" => Ok(Rounding::Nearest),
            "up" => Ok(Rounding::Up),
            _ => Err(LedgerError::UnknownRounding { text: shown(text) }),
        }
    }

    /// `"down"`, `"nearest"` or `"up"`, as stored and sent in the API.
    pub fn as_str(&self) -> &'static str {
        match self {
            Rounding::Down => "down",
            Rounding::Nearest => "nearest",
            Rounding::Up => "up",
        }
    }
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Rounding {
    type Err = LedgerError;
    fn from_str(text: &str) -> Result<Rounding, LedgerError> {
        Rounding::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_prints() {
        for rounding in [Rounding::Down, Rounding::Nearest, Rounding::Up] {
            assert_eq!(Rounding::parse(rounding.as_str()), Ok(rounding));
            let json = serde_json::to_string(&rounding).unwrap();
            assert_eq!(json, format!("\"{}\"", rounding.as_str()));
        }
        assert_eq!(Rounding::parse(" Nearest "), Ok(Rounding::Nearest));
    }

    #[test]
    fn refuses_other_words() {
        assert_eq!(
            Rounding::parse("half_even"),
            Err(LedgerError::UnknownRounding {
                text: "half_even".to_owned()
            })
        );
    }
}
