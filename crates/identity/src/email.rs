//! Email addresses: trimmed, compared case-insensitively.

/// A syntactically plausible email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    original: String,
    normalized: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address.")]
    Empty,
    #[error("That email address is too long.")]
    TooLong,
    #[error("That does not look like an email address (expected name@example.com).")]
    Malformed,
}

impl Email {
    /// Parses an address as a person typed it.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = trimmed.rsplit_once('@').ok_or(EmailError::Malformed)?;
        let labels_ok = domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        let well_formed = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && domain.contains('.')
            && labels_ok
            && trimmed
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>' && c != ',');
        if !well_formed {
            return Err(EmailError::Malformed);
        }
        Ok(Email {
            original: trimmed.to_owned(),
            normalized: trimmed.to_lowercase(),
        })
    }

    /// As the person typed it (trimmed).
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// Lower-cased: the form used to find and compare addresses.
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_compares_case_insensitively() {
        let a = Email::parse("  Ann@Example.COM ").unwrap();
        let b = Email::parse("ann@example.com").unwrap();
        assert_eq!(a.normalized(), b.normalized());
        assert_eq!(a.as_str(), "Ann@Example.COM");
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        assert_eq!(Email::parse("   "), Err(EmailError::Empty));
        for bad in [
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a n@example.com",
            "ann@exa..mple.com",
            "<a@b.co>",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad}");
        }
        assert_eq!(
            Email::parse(&format!("{}@example.com", "a".repeat(300))),
            Err(EmailError::TooLong)
        );
    }
}
