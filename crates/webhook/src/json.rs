//! Reading fields out of a JSON object without losing any number's exact text.
//!
//! Values are kept as borrowed [`RawValue`]s and converted one field at a time, so each
//! failure names its field, unknown fields cost nothing, and a JSON number that stands
//! for money is read from its token text, never through `f64`.

use std::collections::BTreeMap;

use serde_json::value::RawValue;

use crate::payload::ParseError;

/// The fields of one JSON object. `null` reads as absent.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    map: BTreeMap<String, &'a RawValue>,
}

impl<'a> Fields<'a> {
    /// The object `raw` holds, or `None` when it is not an object.
    pub(crate) fn of(raw: &'a RawValue) -> Option<Self> {
        serde_json::from_str(raw.get()).ok().map(|map| Self { map })
    }

    /// The raw value of `key`, `None` when absent or `null`.
    pub(crate) fn raw(&self, key: &str) -> Option<&'a RawValue> {
        self.map
            .get(key)
            .copied()
            .filter(|raw| raw.get().trim() != "null")
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.raw(key).is_some()
    }

    /// An integer field.
    pub(crate) fn int(&self, key: &str, field: &'static str) -> Result<Option<i64>, ParseError> {
        self.raw(key)
            .map(|raw| {
                serde_json::from_str::<i64>(raw.get())
                    .map_err(|_| ParseError::invalid(field, "must be a whole number"))
            })
            .transpose()
    }

    /// A string field.
    pub(crate) fn string(
        &self,
        key: &str,
        field: &'static str,
    ) -> Result<Option<String>, ParseError> {
        self.raw(key)
            .map(|raw| {
                serde_json::from_str::<String>(raw.get())
                    .map_err(|_| ParseError::invalid(field, "must be a string"))
            })
            .transpose()
    }

    /// A string field, or a JSON number kept as its exact token text.
    pub(crate) fn text_or_number(
        &self,
        key: &str,
        field: &'static str,
    ) -> Result<Option<String>, ParseError> {
        let Some(raw) = self.raw(key) else {
            return Ok(None);
        };
        let token = raw.get().trim();
        if token.starts_with('-') || token.starts_with(|c: char| c.is_ascii_digit()) {
            return Ok(Some(token.to_owned()));
        }
        serde_json::from_str::<String>(token)
            .map(Some)
            .map_err(|_| ParseError::invalid(field, "must be a string or a number"))
    }

    /// A decimal amount: a string such as `"50.00"`, or a JSON number (kept as written),
    /// checked by `check`.
    pub(crate) fn amount(
        &self,
        key: &str,
        field: &'static str,
        check: fn(&str) -> Result<(), &'static str>,
    ) -> Result<Option<String>, ParseError> {
        let Some(text) = self.text_or_number(key, field)? else {
            return Ok(None);
        };
        check(&text).map_err(|reason| ParseError::invalid(field, reason))?;
        Ok(Some(text))
    }

    /// A nested object.
    pub(crate) fn object(
        &self,
        key: &str,
        field: &'static str,
    ) -> Result<Option<Fields<'a>>, ParseError> {
        self.raw(key)
            .map(|raw| Self::of(raw).ok_or(ParseError::invalid(field, "must be an object")))
            .transpose()
    }

    /// An array of raw values; absent or `null` reads as empty.
    pub(crate) fn array(
        &self,
        key: &str,
        field: &'static str,
    ) -> Result<Vec<&'a RawValue>, ParseError> {
        match self.raw(key) {
            None => Ok(Vec::new()),
            Some(raw) => serde_json::from_str(raw.get())
                .map_err(|_| ParseError::invalid(field, "must be an array")),
        }
    }
}

/// Whether `body` opens more than `max` nested arrays or objects at any point.
///
/// A linear scan that tracks strings and escapes, so deep input is refused before a
/// recursive parser sees it. Tolerates invalid JSON (the parser reports that).
pub(crate) fn nesting_exceeds(body: &[u8], max: usize) -> bool {
    let mut depth: usize = 0;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in body {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(json: &str) -> Fields<'_> {
        let raw: &RawValue = serde_json::from_str(json).unwrap();
        Fields::of(raw).unwrap()
    }

    #[test]
    fn numbers_keep_their_exact_text() {
        let f = fields(r#"{"a": 29.999999999999999999, "b": 1500, "c": "x"}"#);
        assert_eq!(
            f.text_or_number("a", "a").unwrap().as_deref(),
            Some("29.999999999999999999")
        );
        assert_eq!(f.text_or_number("b", "b").unwrap().as_deref(), Some("1500"));
        assert_eq!(f.text_or_number("c", "c").unwrap().as_deref(), Some("x"));
    }

    #[test]
    fn null_reads_as_absent() {
        let f = fields(r#"{"a": null}"#);
        assert!(!f.has("a"));
        assert_eq!(f.string("a", "a"), Ok(None));
        assert!(f.array("a", "a").unwrap().is_empty());
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let f = fields(r#"{"a": "http:\/\/x\u00e9"}"#);
        assert_eq!(f.string("a", "a").unwrap().as_deref(), Some("http://xé"));
    }

    #[test]
    fn nesting_is_counted_outside_strings_only() {
        assert!(!nesting_exceeds(br#"{"a":"[[[[[[[[[["}"#, 2));
        assert!(!nesting_exceeds(br#"{"a":"\"[[[[[[\\"}"#, 2));
        assert!(nesting_exceeds(b"[[[", 2));
        assert!(!nesting_exceeds(b"[[]][[]]", 2));
    }
}
