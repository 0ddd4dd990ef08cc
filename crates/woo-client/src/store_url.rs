//! `StoreUrl`: the address of a partner's store, parsed once at the edge.

use std::fmt;

use url::Url;

/// Why a store URL was refused. The messages are shown to the partner as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreUrlError {
    /// Not `https://` (including no scheme at all): Basic auth only works over HTTPS.
    #[error("Store URL must use HTTPS")]
    NotHttps,
    /// Not a web address at all.
    #[error("Store URL is not a valid web address")]
    Invalid,
    /// `https://user:password@shop…`: credentials belong in the key fields.
    #[error("Store URL must not contain a user name or password")]
    HasUserInfo,
}

/// A normalised `https://` store address: lower-case host, no trailing slash, no query,
/// no fragment, no user info; a sub-folder install keeps its path
/// (`https://Shop.Example.com/wp/` → `https://shop.example.com/wp`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct StoreUrl {
    /// The normalised text, e.g. `https://shop.example.com/wp`.
    text: String,
    /// The same, parsed (path without trailing slash).
    url: Url,
}

impl StoreUrl {
    /// Parses and normalises what a partner typed.
    pub fn parse(input: &str) -> Result<StoreUrl, StoreUrlError> {
        let input = input.trim();
        let url = match Url::parse(input) {
            Ok(url) => url,
            // "shop.example.com" without a scheme: the partner must say https.
            Err(url::ParseError::RelativeUrlWithoutBase) => return Err(StoreUrlError::NotHttps),
            Err(_) => return Err(StoreUrlError::Invalid),
        };
        if url.scheme() != "https" {
            return Err(StoreUrlError::NotHttps);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(StoreUrlError::HasUserInfo);
        }
        // The url crate lower-cases domain names (and punycodes them) and drops :443.
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or(StoreUrlError::Invalid)?;
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let path = url.path().trim_end_matches('/');
        let text = format!("https://{host}{port}{path}");
        let url = Url::parse(&text).map_err(|_| StoreUrlError::Invalid)?;
        Ok(StoreUrl { text, url })
    }

    /// The normalised address, e.g. `https://shop.example.com/wp`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The host as it appears in the URL (`shop.example.com`, `127.0.0.1`, `[::1]`).
    pub fn host(&self) -> Option<url::Host<&str>> {
        self.url.host()
    }

    /// `{base}/wp-json/wc/v3/{path}`, e.g. `api_url("webhooks/12")`.
    pub fn api_url(&self, path: &str) -> Url {
        let mut url = self.url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.pop_if_empty().extend(["wp-json", "wc", "v3"]);
            segments.extend(path.split('/').filter(|s| !s.is_empty()));
        }
        url
    }
}

impl fmt::Display for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StoreUrl({})", self.text)
    }
}

impl AsRef<str> for StoreUrl {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl std::str::FromStr for StoreUrl {
    type Err = StoreUrlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StoreUrl::parse(s)
    }
}

impl TryFrom<String> for StoreUrl {
    type Error = StoreUrlError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        StoreUrl::parse(&s)
    }
}

impl From<StoreUrl> for String {
    fn from(u: StoreUrl) -> String {
        u.text
    }
}

impl serde::Serialize for StoreUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for StoreUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        StoreUrl::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        StoreUrl::parse(input)
            .map(|u| u.to_string())
            .unwrap_or_else(|e| panic!("{input}: {e}"))
    }

    #[test]
    fn normalises_host_case_trailing_slash_and_keeps_sub_folder() {
        assert_eq!(
            ok("https://Shop.Example.com/wp/"),
            "https://shop.example.com/wp"
        );
        assert_eq!(ok("https://shop.example.com"), "https://shop.example.com");
        assert_eq!(ok("https://shop.example.com/"), "https://shop.example.com");
        assert_eq!(
            ok("  https://SHOP.example.COM//  "),
            "https://shop.example.com"
        );
        assert_eq!(
            ok("HTTPS://shop.example.com/Store/"),
            "https://shop.example.com/Store"
        );
        assert_eq!(
            ok("https://shop.example.com/a/../wp/"),
            "https://shop.example.com/wp"
        );
    }

    #[test]
    fn drops_query_fragment_and_default_port_keeps_other_ports() {
        assert_eq!(
            ok("https://shop.example.com/?x=1#top"),
            "https://shop.example.com"
        );
        assert_eq!(
            ok("https://shop.example.com:443/wp"),
            "https://shop.example.com/wp"
        );
        assert_eq!(
            ok("https://shop.example.com:8443/"),
            "https://shop.example.com:8443"
        );
        assert_eq!(ok("https://127.0.0.1:9000"), "https://127.0.0.1:9000");
        assert_eq!(ok("https://[::1]:9000/"), "https://[::1]:9000");
    }

    #[test]
    fn refuses_anything_but_https_with_the_exact_message() {
        for input in [
            "http://shop.example.com",
            "shop.example.com",
            "ftp://shop.example.com",
            "//shop.example.com",
        ] {
            let err = StoreUrl::parse(input).unwrap_err();
            assert_eq!(err, StoreUrlError::NotHttps, "{input}");
            assert_eq!(err.to_string(), "Store URL must use HTTPS");
        }
    }

    #[test]
    fn refuses_user_info_and_garbage() {
        assert_eq!(
            StoreUrl::parse("https://a:b@shop.example.com"),
            Err(StoreUrlError::HasUserInfo)
        );
        assert_eq!(
            StoreUrl::parse("https://a@shop.example.com"),
            Err(StoreUrlError::HasUserInfo)
        );
        assert_eq!(StoreUrl::parse("https://"), Err(StoreUrlError::Invalid));
        assert_eq!(
            StoreUrl::parse("https://exa mple.com"),
            Err(StoreUrlError::Invalid)
        );
    }

    #[test]
    fn api_url_appends_the_wc_v3_path() {
        let u = StoreUrl::parse("https://Shop.Example.com/wp/").unwrap();
        assert_eq!(
            u.api_url("webhooks/12").as_str(),
            "https://shop.example.com/wp/wp-json/wc/v3/webhooks/12"
        );
        let u = StoreUrl::parse("https://shop.example.com").unwrap();
        assert_eq!(
            u.api_url("system_status").as_str(),
            "https://shop.example.com/wp-json/wc/v3/system_status"
        );
    }

    #[test]
    fn serde_round_trip_reparses() {
        let u = StoreUrl::parse("https://Shop.Example.com/wp/").unwrap();
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(json, "\"https://shop.example.com/wp\"");
        let back: StoreUrl = serde_json::from_str(&json).unwrap();
        assert_eq!(back, u);
        assert!(serde_json::from_str::<StoreUrl>("\"http://x.example\"").is_err());
    }
}
