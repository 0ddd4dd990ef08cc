//! `wp_http_validate_url()`: what `wp_safe_remote_request` refuses when the store is strict.
//!
//! Refused: schemes other than http/https, `user:pass@`, IPv6 literals, hosts that do not
//! resolve to IPv4, hosts resolving to 127/8, 10/8, 0/8, 172.16/12 or 192.168/16, and ports
//! other than 80, 443 and 8080. (WordPress exempts the store's own host; the simulator does
//! not, since it lives on loopback and the point is to refuse loopback receivers.)

use std::net::{IpAddr, Ipv4Addr};

use url::Url;

/// The `WP_Error` message for a refused URL.
pub(crate) const REFUSED: &str = "A valid URL was not provided.";

/// `Ok` when a strict store would send to this URL.
pub(crate) async fn check(url: &Url) -> Result<(), &'static str> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(REFUSED);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(REFUSED);
    }
    let ip = match url.host() {
        None | Some(url::Host::Ipv6(_)) => return Err(REFUSED),
        Some(url::Host::Ipv4(ip)) => ip,
        Some(url::Host::Domain(name)) => resolve_v4(name).await.ok_or(REFUSED)?,
    };
    if is_blocked(ip) {
        return Err(REFUSED);
    }
    match url.port_or_known_default() {
        Some(80 | 443 | 8080) => Ok(()),
        _ => Err(REFUSED),
    }
}

fn is_blocked(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    a == 127 || a == 10 || a == 0 || (a == 172 && (16..=31).contains(&b)) || (a == 192 && b == 168)
}

async fn resolve_v4(name: &str) -> Option<Ipv4Addr> {
    let addrs = tokio::net::lookup_host((name, 0)).await.ok()?;
    addrs.map(|a| a.ip()).find_map(|ip| match ip {
        IpAddr::V4(v4) => Some(v4),
        IpAddr::V6(_) => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_private_ranges() {
        assert!(is_blocked("127.0.0.1".parse().unwrap()));
        assert!(is_blocked("10.1.2.3".parse().unwrap()));
        assert!(is_blocked("172.20.0.1".parse().unwrap()));
        assert!(is_blocked("192.168.1.1".parse().unwrap()));
        assert!(!is_blocked("169.254.1.1".parse().unwrap()));
        assert!(!is_blocked("93.184.216.34".parse().unwrap()));
    }

    #[tokio::test]
    async fn refuses_loopback_ipv6_and_odd_ports() {
        for u in [
            "http://127.0.0.1/hook",
            "http://[::1]/hook",
            "http://93.184.216.34:9000/hook",
            "http://user:pw@93.184.216.34/hook",
            "ftp://93.184.216.34/hook",
        ] {
            assert_eq!(check(&Url::parse(u).unwrap()).await, Err(REFUSED), "{u}");
        }
        assert_eq!(
            check(&Url::parse("https://93.184.216.34:8080/h").unwrap()).await,
            Ok(())
        );
    }
}
