//! `ClientError`: every way a call to a store can fail, as something a partner can act
//! on, and how WooCommerce's answers and transport failures map onto it.

use std::error::Error as StdError;

use crate::address::{NameNotFound, RefusedAddress};

/// A failed call to a store. `Display` says what happened; [`ClientError::hint`] says
/// what the partner can do about it (SPEC §3.2: "Could not connect to the WooCommerce
/// store" plus the hint).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// 401: unknown key (`woocommerce_rest_cannot_view`/`…_cannot_list`), "Consumer key is
    /// invalid.", "Consumer secret is invalid.", a key without read permission.
    #[error("The store did not accept the consumer key and secret")]
    WrongCredentials,
    /// 401 `woocommerce_rest_authentication_error` "…does not have write permissions."
    #[error("The API key is read-only")]
    ReadOnlyKey,
    /// 403 with WooCommerce's code (`woocommerce_rest_cannot_create`, …): the key's user
    /// lacks the capability.
    #[error("The store refused access ({code})")]
    Forbidden { code: String },
    /// 404 with a WooCommerce code other than `rest_no_route` (the item does not exist).
    #[error("Not found on the store ({code})")]
    NotFound { code: String },
    /// 400 with WooCommerce's code and message, e.g.
    /// `woocommerce_rest_coupon_code_already_exists`.
    #[error("The store refused the request: {message} ({code})")]
    BadRequest { code: String, message: String },
    /// Any other 4xx answered by WooCommerce in JSON (405, 409, 410 …).
    #[error("The store refused the request (HTTP {status}): {message} ({code})")]
    Refused {
        status: u16,
        code: String,
        message: String,
    },
    /// 404 `rest_no_route`, or an HTML page where JSON was expected: WooCommerce not
    /// active, or WordPress with "Plain" permalinks.
    #[error("The WooCommerce REST API was not found on the store")]
    RestApiMissing,
    /// A 3xx: redirects are never followed (credentials and writes must not move).
    #[error("The store redirected the request to {location}")]
    Redirected { location: String },
    /// A non-JSON 4xx other than 404: a firewall, security plugin or password
    /// protection in front of WordPress.
    #[error("Something in front of WooCommerce refused the request (HTTP {status})")]
    Blocked { status: u16 },
    /// 429 from the store or its host.
    #[error("The store is limiting requests")]
    RateLimited,
    /// TLS failed: certificate expired, self-signed, for another name, or the handshake.
    #[error("The store's HTTPS certificate could not be verified: {0}")]
    Certificate(String),
    /// DNS did not resolve the host.
    #[error("The store's host name was not found")]
    HostNotFound,
    /// The host is, or resolves to, a loopback, private or otherwise non-public address.
    #[error("The store URL points to a private or local network address")]
    PrivateAddress,
    /// No complete answer within the configured timeout (or a 408).
    #[error("The store did not answer in time")]
    Timeout,
    /// Connection refused, reset, or lost.
    #[error("The store could not be reached: {0}")]
    Unreachable(String),
    /// 5xx.
    #[error("The store had an internal error (HTTP {status})")]
    ServerError { status: u16, body_snippet: String },
    /// A 2xx whose body is not what WooCommerce sends, or another odd status.
    #[error("The store sent an unexpected answer: {0}")]
    UnexpectedResponse(String),
    /// A URL that is not `https://` reached the client.
    #[error("Store URL must use HTTPS")]
    NotHttps,
    /// The client itself could not be built (for example `WOO_EXTRA_CA_CERT` holds no
    /// certificate).
    #[error("The WooCommerce client is misconfigured: {0}")]
    InvalidConfiguration(String),
}

impl ClientError {
    /// The error and its hint in one sentence pair for a page, without saying the same
    /// thing twice when the hint already starts with the message.
    pub fn explained(&self) -> String {
        let message = self.to_string();
        let hint = self.hint();
        if hint.starts_with(message.trim_end_matches('.')) {
            hint.to_owned()
        } else {
            format!("{}. {hint}", message.trim_end_matches('.'))
        }
    }

    /// What the partner can do about it, shown after "Could not connect to the
    /// WooCommerce store".
    pub fn hint(&self) -> &'static str {
        match self {
            ClientError::WrongCredentials => "Wrong key: check the consumer key and secret (WooCommerce → Settings → Advanced → REST API). If they are right, the store may not see requests as HTTPS (a proxy in front of it), so WooCommerce ignores the key.",
            ClientError::ReadOnlyKey => "The API key is read-only: give it Read/Write permission in WooCommerce → Settings → Advanced → REST API.",
            ClientError::Forbidden { .. } => "The key's WordPress user lacks permission: the key must belong to an Administrator or Shop manager.",
            ClientError::NotFound { .. } => "The store no longer has this item.",
            ClientError::BadRequest { .. } | ClientError::Refused { .. } => "The store refused the request; its reason is shown above.",
            ClientError::RestApiMissing => "REST API missing or permalinks set to Plain: check that WooCommerce is active and that Settings → Permalinks is not set to Plain.",
            ClientError::Redirected { .. } => "The store redirects to another address: enter the address it redirects to (for example with or without www).",
            ClientError::Blocked { .. } => "A firewall, security plugin or password protection in front of the store refused the request: allow requests to /wp-json/wc/v3/.",
            ClientError::RateLimited => "The store or its host is limiting requests: try again in a few minutes.",
            ClientError::Certificate(_) => "Certificate problem: the store's HTTPS certificate is not valid (expired, self-signed or issued for another name).",
            ClientError::HostNotFound => "Host not found: check the store URL.",
            ClientError::PrivateAddress => "The store URL points to a private or local network address: use the store's public address.",
            ClientError::Timeout => "Timeout: the store took too long to answer. Try again, or check that the site is up.",
            ClientError::Unreachable(_) => "The store could not be reached: check the URL and that the site is online.",
            ClientError::ServerError { .. } => "The store had an internal error: try again later, or check its error log.",
            ClientError::UnexpectedResponse(_) => "The store answered something that is not WooCommerce's REST API: check the store URL.",
            ClientError::NotHttps => "Store URL must use HTTPS: use the store's https:// address.",
            ClientError::InvalidConfiguration(_) => "Tally's connection settings for WooCommerce are invalid: please contact support.",
        }
    }

    /// The store answered and said no (a 4xx, a redirect, a missing REST API): the
    /// request had no effect, and repeating it unchanged will not help. A coupon whose
    /// creation ends like this was not created.
    pub fn is_definite_refusal(&self) -> bool {
        matches!(
            self,
            ClientError::WrongCredentials
                | ClientError::ReadOnlyKey
                | ClientError::Forbidden { .. }
                | ClientError::NotFound { .. }
                | ClientError::BadRequest { .. }
                | ClientError::Refused { .. }
                | ClientError::RestApiMissing
                | ClientError::Redirected { .. }
                | ClientError::Blocked { .. }
        )
    }

    /// The outcome is unknown or may change by itself (timeout, 5xx, connection lost,
    /// throttling, DNS, an unreadable answer): the request may or may not have taken
    /// effect. Look the result up and retry later.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ClientError::Timeout
                | ClientError::Unreachable(_)
                | ClientError::ServerError { .. }
                | ClientError::RateLimited
                | ClientError::UnexpectedResponse(_)
                | ClientError::HostNotFound
        )
    }

    /// 400 `woocommerce_rest_coupon_code_already_exists`: a published coupon with this
    /// code exists on the store (ours from an earlier attempt, or someone else's).
    pub fn is_duplicate_coupon_code(&self) -> bool {
        matches!(
            self,
            ClientError::BadRequest { code, .. } if code == "woocommerce_rest_coupon_code_already_exists"
        )
    }

    /// The request never reached a WooCommerce store (refused address, bad certificate,
    /// unknown host, not HTTPS, misconfiguration): it certainly had no effect.
    pub fn request_not_sent(&self) -> bool {
        matches!(
            self,
            ClientError::PrivateAddress
                | ClientError::Certificate(_)
                | ClientError::HostNotFound
                | ClientError::NotHttps
                | ClientError::InvalidConfiguration(_)
        )
    }
}

/// WooCommerce's (and WordPress's) JSON error `{"code","message","data":{"status"}}`.
#[derive(Debug, serde::Deserialize)]
struct WooErrorBody {
    code: String,
    #[serde(default)]
    message: String,
}

fn woo_error(body: &[u8]) -> Option<WooErrorBody> {
    serde_json::from_slice::<WooErrorBody>(body)
        .ok()
        .filter(|e| !e.code.is_empty())
}

/// Whether a body looks like an HTML page (WordPress's theme, a proxy's error page).
pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    body.get(start..).is_some_and(|rest| rest.starts_with(b"<"))
}

/// The error for a non-2xx answer, from its status and body (and `Location` for 3xx).
pub(crate) fn from_status(status: u16, location: Option<&str>, body: &[u8]) -> ClientError {
    let woo = woo_error(body);
    match (status, woo) {
        (300..=399, _) => ClientError::Redirected {
            location: location.unwrap_or("another address").to_owned(),
        },
        (401, Some(e))
            if e.code == "woocommerce_rest_authentication_error"
                && e.message.contains("write permission") =>
        {
            ClientError::ReadOnlyKey
        }
        (401, Some(_)) => ClientError::WrongCredentials,
        (403, Some(e)) => ClientError::Forbidden { code: e.code },
        (404, Some(e)) if e.code == "rest_no_route" => ClientError::RestApiMissing,
        (404, Some(e)) => ClientError::NotFound { code: e.code },
        (404, None) => ClientError::RestApiMissing,
        (408, _) => ClientError::Timeout,
        (429, _) => ClientError::RateLimited,
        (400, Some(e)) => ClientError::BadRequest {
            code: e.code,
            message: e.message,
        },
        (400..=499, Some(e)) => ClientError::Refused {
            status,
            code: e.code,
            message: e.message,
        },
        (400..=499, None) => ClientError::Blocked { status },
        (500..=599, _) => ClientError::ServerError {
            status,
            body_snippet: snippet(body),
        },
        _ => ClientError::UnexpectedResponse(format!("HTTP {status}")),
    }
}

/// The start of a body, on one line, for logs and the partner's eyes.
pub(crate) fn snippet(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > MAX {
        let cut: String = one_line.chars().take(MAX).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

/// The error for a failed exchange (nothing usable came back), read from reqwest's
/// error and its source chain.
pub(crate) fn from_transport(err: &reqwest::Error) -> ClientError {
    let mut timed_out = err.is_timeout();
    let mut innermost = err.to_string();
    let mut next: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = next {
        // io::Error's `source()` skips the error it wraps, so look inside it too.
        let inner = e.downcast_ref::<std::io::Error>().and_then(|io| {
            if io.kind() == std::io::ErrorKind::TimedOut {
                timed_out = true;
            }
            io.get_ref().map(|i| i as &(dyn StdError + 'static))
        });
        for candidate in [Some(e), inner].into_iter().flatten() {
            if candidate.downcast_ref::<RefusedAddress>().is_some() {
                return ClientError::PrivateAddress;
            }
            if candidate.downcast_ref::<NameNotFound>().is_some() {
                return ClientError::HostNotFound;
            }
            if let Some(tls) = candidate.downcast_ref::<rustls::Error>() {
                return ClientError::Certificate(tls.to_string());
            }
        }
        innermost = e.to_string();
        next = inner.and_then(|i| i.source()).or_else(|| e.source());
        if let Some(i) = inner {
            innermost = i.to_string();
        }
    }
    if timed_out {
        return ClientError::Timeout;
    }
    if innermost.contains("certificate") {
        return ClientError::Certificate(innermost);
    }
    ClientError::Unreachable(innermost)
}

#[cfg(test)]
mod tests;
