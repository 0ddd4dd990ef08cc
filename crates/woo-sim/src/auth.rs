//! REST authentication over HTTPS, as `WC_REST_Authentication` does it.
//!
//! * `consumer_key`/`consumer_secret` from the query string win over HTTP Basic.
//! * An unknown key sets no error: the request runs anonymously and the endpoint's
//!   permission check answers 401 (`woocommerce_rest_cannot_view`, ...).
//! * A known key with a wrong secret: 401 `woocommerce_rest_authentication_error`
//!   "Consumer secret is invalid.".
//! * A read-only key doing POST/PUT/PATCH/DELETE: 401 "The API key provided does not have
//!   write permissions.", checked before routing or validation.

use base64::Engine;

use crate::rest::ApiError;
use crate::state::{random_string, Config, HEX};

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Caller {
    Anonymous,
    ReadOnly,
    ReadWrite,
}

/// Generates a WooCommerce-looking key pair: `ck_` + 40 hex, `cs_` + 40 hex.
pub(crate) fn generate_key() -> (String, String) {
    (
        format!("ck_{}", random_string(40, HEX)),
        format!("cs_{}", random_string(40, HEX)),
    )
}

/// Authenticates a request from its query pairs and `Authorization` header.
pub(crate) fn authenticate(
    config: &Config,
    method: &str,
    query: &[(String, String)],
    authorization: Option<&str>,
) -> Result<Caller, ApiError> {
    let from_query = query
        .iter()
        .find(|(k, _)| k == "consumer_key")
        .map(|(_, v)| v.clone());
    let (key, secret) = match from_query {
        Some(key) => {
            let secret = query
                .iter()
                .find(|(k, _)| k == "consumer_secret")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (key, secret)
        }
        None => match authorization.and_then(parse_basic) {
            Some(pair) => pair,
            None => return Ok(Caller::Anonymous),
        },
    };
    let key = key.trim();
    let (caller, expected_secret) = if key == config.read_write.0 {
        (Caller::ReadWrite, &config.read_write.1)
    } else if key == config.read_only.0 {
        (Caller::ReadOnly, &config.read_only.1)
    } else {
        return Ok(Caller::Anonymous);
    };
    if !ring_eq(secret.as_bytes(), expected_secret.as_bytes()) {
        return Err(ApiError::new(
            401,
            "woocommerce_rest_authentication_error",
            "Consumer secret is invalid.",
        ));
    }
    if caller == Caller::ReadOnly && matches!(method, "POST" | "PUT" | "PATCH" | "DELETE") {
        return Err(ApiError::new(
            401,
            "woocommerce_rest_authentication_error",
            "The API key provided does not have write permissions.",
        ));
    }
    Ok(caller)
}

fn parse_basic(header: &str) -> Option<(String, String)> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_string(), pass.to_string()))
}

fn ring_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The kind of operation a route performs, for the anonymous permission error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    List,
    View,
    Create,
    Edit,
    Delete,
}

/// The 401 an anonymous caller gets from the endpoint's permission callback.
pub(crate) fn permission_error(action: Action) -> ApiError {
    let (code, message) = match action {
        Action::List => (
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ),
        Action::View => (
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot view this resource.",
        ),
        Action::Create => (
            "woocommerce_rest_cannot_create",
            "Sorry, you are not allowed to create resources.",
        ),
        Action::Edit => (
            "woocommerce_rest_cannot_edit",
            "Sorry, you are not allowed to edit this resource.",
        ),
        Action::Delete => (
            "woocommerce_rest_cannot_delete",
            "Sorry, you are not allowed to delete this resource.",
        ),
    };
    ApiError::new(401, code, message)
}
